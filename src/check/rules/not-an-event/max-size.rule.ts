import { defineRule } from "../rule.js";

const ONE_MIB = 1024 * 1024;

export default defineRule({
  id: "not-an-event/max-size",
  code: "EVT0510",
  purpose: "Checks that no topic allows events over 1 MiB: large payloads are files, not events.",
  defaultSeverity: "error",
  check(model, report) {
    for (const topic of model.topics.values()) {
      if (topic.maxSizeBytes <= ONE_MIB) continue;
      const size = `${(topic.maxSizeBytes / ONE_MIB).toFixed(topic.maxSizeBytes % ONE_MIB === 0 ? 0 : 1)} MiB`;
      report(
        topic.nameSpan,
        { name: topic.name, size },
        {
          help: "send the file through a file transfer or object store, and publish a small event that it is ready",
        },
      );
    }
  },
});
