import { defineRule } from "../rule.js";

export default defineRule({
  id: "category/ordered-segment",
  code: "EVT0512",
  purpose: "Checks that, when a segment for ordered flows is declared, ordered consumers read topics placed on one.",
  defaultSeverity: "error",
  check(model, report) {
    const orderedSegments = [...model.segments.values()].filter((s) => s.orderedFlows);
    if (orderedSegments.length === 0) return;
    for (const consumer of model.consumers.values()) {
      if (consumer.ordering !== "ordered" || consumer.from.segment?.orderedFlows) continue;
      report(
        consumer.nameSpan,
        { consumer: consumer.name, topic: consumer.from.name },
        {
          related: [{ span: consumer.from.nameSpan, message: "the topic is declared here" }],
          help: `place the topic on \`segment ${orderedSegments[0]!.name}\``,
        },
      );
    }
  },
});
