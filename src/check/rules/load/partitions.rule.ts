import { loadReportFor } from "../../../load/analysis.js";
import { formatMs, formatRate } from "../../../load/numbers.js";
import { defineRule } from "../rule.js";

export default defineRule({
  id: "load/partitions",
  code: "EVT0703",
  purpose: "Checks that every topic has the partitions its peak rate and its ordered readers need.",
  defaultSeverity: "warning",
  check(model, report, context) {
    for (const t of loadReportFor(model, context.load).topics) {
      if (!t.rates || t.partitions >= t.needed) continue;
      const reason =
        t.neededForOrdering >= t.neededForThroughput && t.orderedBottleneck
          ? `ordered \`${t.orderedBottleneck.reader.name}\` takes ${formatMs(t.orderedBottleneck.serviceMs)} per event at ${formatRate(t.rates.peak)}`
          : `${formatRate(t.rates.peak)} at peak, at ${formatRate(context.load.partitionThroughput)} per partition`;
      report(
        t.topic.nameSpan,
        { topic: t.topic.name, partitions: t.partitions, needed: t.needed, reason },
        {
          help: `declare \`partitions ${t.needed}\` (more for growth: partitions are costly to add once keys are in flight)`,
        },
      );
    }
  },
});
