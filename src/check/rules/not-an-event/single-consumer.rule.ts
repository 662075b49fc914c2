import { readersByTopic } from "../../../model/queries.js";
import { defineRule } from "../rule.js";

export default defineRule({
  id: "not-an-event/single-consumer",
  code: "EVT0508",
  purpose: "Checks that every topic has at least two consumers (enrichers count), unless more are expected.",
  defaultSeverity: "warning",
  check(model, report) {
    for (const [name, readers] of readersByTopic(model)) {
      const topic = model.topics.get(name)!;
      if (readers.length >= 2 || (topic.expectedConsumers ?? 0) >= 2) continue;
      report(
        topic.nameSpan,
        { name, count: readers.length },
        {
          related: readers.map((r) => ({ span: r.nameSpan, message: "the only consumer" })),
          help: "an event interests at least two consumers; for a call to one service use an API, or declare `expectedConsumers 2` if more are coming",
        },
      );
    }
  },
});
