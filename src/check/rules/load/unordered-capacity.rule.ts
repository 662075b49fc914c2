import { loadReportFor } from "../../../load/analysis.js";
import { formatMs, formatNumber, formatRate } from "../../../load/numbers.js";
import { defineRule } from "../rule.js";

/**
 * An unordered reader processes up to `concurrency` events of a partition at once, on as many partitions at once
 * as the service's transport hands it (the Kafka transport's `partitionsConsumedConcurrently`, the load setting
 * `partitionsAtOnce`). So it has at most concurrency × min(partitions, partitions at once) events in processing,
 * however fast the broker delivers them; EVT0707 is the same check for ordered readers.
 */
export default defineRule({
  id: "load/unordered-capacity",
  code: "EVT0708",
  purpose: "Checks that each unordered reader's concurrency lets it keep up with the peak rate.",
  defaultSeverity: "warning",
  check(model, report, context) {
    const atOnce = context.load.partitionsAtOnce;
    for (const t of loadReportFor(model, context.load).topics) {
      if (!t.rates) continue;
      const partitions = Math.min(t.partitions, atOnce);
      for (const work of t.unorderedWork) {
        const concurrency = work.reader.concurrency ?? 1;
        const capacity = work.atOnce; // concurrency × the partitions it handles at once
        if (Math.ceil(work.demand - 1e-9) <= capacity) continue;
        const clause = work.reader.declaration.clauses.find((c) => c.keyword === "concurrency");
        const onPartitions =
          t.partitions === 1
            ? `the one partition of \`${t.topic.name}\``
            : t.partitions <= atOnce
              ? `each of the ${t.partitions} partitions of \`${t.topic.name}\``
              : `each of the ${atOnce} partitions it handles at once`;
        const declare = `declare \`concurrency ${Math.ceil(work.demand / partitions - 1e-9)}\``;
        report(
          clause?.span ?? work.reader.nameSpan,
          {
            reader: work.reader.name,
            limit: `${formatNumber(capacity)} ${capacity === 1 ? "event" : "events"} at once (its \`concurrency\`, ${concurrency}${clause ? "" : " when not declared"}, on ${onPartitions})`,
            needed: formatNumber(work.demand),
            at: `${formatMs(work.serviceMs)} per event at ${formatRate(t.rates.peak)}`,
          },
          {
            help:
              t.partitions > atOnce
                ? `${declare}, or have the service handle more partitions at once (the Kafka transport's \`partitionsConsumedConcurrently\`; say so to this check with \`"partitionsAtOnce"\` in evtc.json's \`"load"\`)`
                : declare,
          },
        );
      }
    }
  },
});
