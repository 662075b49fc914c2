import { isEnriched } from "../../../model/queries.js";
import { defineRule } from "../rule.js";

export default defineRule({
  id: "category/ordered-chain",
  code: "EVT0514",
  purpose: "Checks that ordered readers of an enriched topic are fed by an ordered enricher.",
  defaultSeverity: "error",
  check(model, report) {
    for (const reader of [...model.consumers.values(), ...model.enrichers.values()]) {
      const topic = reader.from;
      if (reader.ordering !== "ordered" || !isEnriched(topic)) continue;
      const enricher = topic.publisher.enricher;
      if (enricher.ordering === "ordered") continue;
      report(
        reader.nameSpan,
        { reader: reader.name, topic: topic.name, enricher: enricher.name },
        {
          related: [{ span: enricher.nameSpan, message: "unordered enricher" }],
          help: `declare enricher \`${enricher.name}\` \`ordered\``,
        },
      );
    }
  },
});
