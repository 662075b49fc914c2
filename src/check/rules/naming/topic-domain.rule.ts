import { didYouMean } from "../../../diagnostics/suggest.js";
import { defineRule } from "../rule.js";

export default defineRule({
  id: "naming/topic-domain",
  code: "EVT0502",
  purpose: "Checks that the first segment of every topic name is a declared domain.",
  defaultSeverity: "error",
  check(model, report) {
    for (const topic of model.topics.values()) {
      if (model.domains.has(topic.domainName)) continue;
      report(
        topic.nameSpan,
        { name: topic.name, domain: topic.domainName },
        {
          help:
            didYouMean(topic.domainName, model.domains.keys()) ??
            `declare it: \`domain ${topic.domainName} { owner ${topic.owner.name} }\``,
        },
      );
    }
  },
});
