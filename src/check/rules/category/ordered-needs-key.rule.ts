import { defineRule } from "../rule.js";

export default defineRule({
  id: "category/ordered-needs-key",
  code: "EVT0511",
  purpose: "Checks that ordered consumers read topics with a key, since order holds per key only.",
  defaultSeverity: "error",
  check(model, report) {
    for (const reader of [...model.consumers.values(), ...model.enrichers.values()]) {
      if (reader.ordering !== "ordered" || reader.from.key) continue;
      report(
        reader.nameSpan,
        { consumer: reader.name, topic: reader.from.name },
        {
          related: [{ span: reader.from.nameSpan, message: "declared without `key`" }],
          help: "key the topic by the entity whose events must stay in order, e.g. `key msisdn`",
        },
      );
    }
  },
});
