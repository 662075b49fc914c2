import { loadReportFor } from "../../../load/analysis.js";
import { formatFactor, formatMs, formatNumber, formatPercent, formatRate } from "../../../load/numbers.js";
import { defineRule } from "../rule.js";

export default defineRule({
  id: "load/headroom",
  code: "EVT0705",
  purpose: "Checks that back-ends and topics keep the project's headroom (30% by default) at peak.",
  defaultSeverity: "warning",
  check(model, report, context) {
    const analysis = loadReportFor(model, context.load);
    const margin = formatPercent(context.load.headroom);
    for (const b of analysis.backends) {
      if (b.capacity === undefined || b.headroom === undefined) continue;
      // Overload is load/backend-capacity's. Headroom is a difference of doubles: exactly the margin is enough.
      if (b.load.peak > b.capacity || b.headroom >= context.load.headroom - 1e-9) continue;
      report(b.backend.nameSpan, {
        what: `back-end \`${b.backend.name}\``,
        used: `${formatRate(b.load.peak)} of ${formatRate(b.capacity)}`,
        headroom: formatPercent(b.headroom),
        margin,
        growth: formatFactor(b.growthFactor),
      });
    }
    for (const t of analysis.topics) {
      if (!t.rates || t.headroom === undefined || t.partitions < t.needed || t.headroom >= context.load.headroom - 1e-9)
        continue;
      // What uses the partitions most: the records they carry, or an ordered reader's work, one event at a time.
      const throughput = t.rates.peak / context.load.partitionThroughput;
      const ordered = t.orderedBottleneck;
      const used =
        ordered !== undefined && t.orderingDemand > throughput
          ? `${formatNumber(t.orderingDemand)} of its ${t.partitions} partitions in ordered work (\`${ordered.reader.name}\` takes ${formatMs(ordered.serviceMs)} per event at ${formatRate(t.rates.peak)})`
          : `${formatRate(t.rates.peak)} of the ${formatRate(t.partitions * context.load.partitionThroughput)} its ${t.partitions} partitions carry`;
      report(t.topic.nameSpan, {
        what: `topic \`${t.topic.name}\``,
        used,
        headroom: formatPercent(t.headroom),
        margin,
        growth: formatFactor(t.growthFactor),
      });
    }
  },
});
