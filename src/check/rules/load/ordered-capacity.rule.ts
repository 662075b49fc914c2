import { loadReportFor } from "../../../load/analysis.js";
import { formatMs, formatNumber, formatRate } from "../../../load/numbers.js";
import { defineRule } from "../rule.js";

/**
 * An ordered reader processes one event of a partition at a time, and at most `concurrency` partitions at once
 * (the runtime's reader); events of one key are in one partition. So however many partitions a topic has, the
 * reader has at most min(partitions, concurrency, keys) events in processing. EVT0703 asks for partitions when
 * they are what is short; this rule speaks of the two limits that more partitions do not lift.
 */
export default defineRule({
  id: "load/ordered-capacity",
  code: "EVT0707",
  purpose:
    "Checks that each ordered reader's concurrency, and the keys of its topic, let it keep up with the peak rate.",
  defaultSeverity: "warning",
  check(model, report, context) {
    for (const t of loadReportFor(model, context.load).topics) {
      if (!t.rates) continue;
      const keys = t.topic.key?.cardinality;
      for (const work of t.orderedWork) {
        const needed = Math.ceil(work.demand - 1e-9);
        const concurrency = work.reader.concurrency ?? 1;
        const limitedByKeys = keys !== undefined && keys < Math.min(concurrency, t.partitions);
        // The partitions' own limit (they are fewer than both) is EVT0703's.
        if (needed <= work.atOnce || t.partitions <= work.atOnce) continue;
        const at = `${formatMs(work.serviceMs)} per event at ${formatRate(t.rates.peak)}`;
        const clause = work.reader.declaration.clauses.find((c) => c.keyword === "concurrency");
        report(
          limitedByKeys ? t.topic.nameSpan : (clause?.span ?? work.reader.nameSpan),
          {
            reader: work.reader.name,
            limit: limitedByKeys
              ? `${formatNumber(keys)} events at once (one per key of \`${t.topic.name}\`)`
              : `${concurrency} ${concurrency === 1 ? "partition" : "partitions"} at once (its \`concurrency\`${clause ? "" : ", 1 when not declared"})`,
            needed: formatNumber(work.demand),
            at,
          },
          {
            help: limitedByKeys
              ? `events of one key are processed one after the other, so more partitions do not help: make \`${work.reader.name}\` faster, unordered, or key \`${t.topic.name}\` by a field with more values`
              : concurrencyHelp(needed, t.partitions, keys, work.reader.name, t.topic.name),
          },
        );
      }
    }
  },
});

/**
 * The concurrency to declare, and what else would still be short: partitions, or the topic's keys, which bound
 * how many events an ordered reader can have in processing whatever its concurrency.
 */
function concurrencyHelp(
  needed: number,
  partitions: number,
  keys: number | undefined,
  reader: string,
  topic: string,
): string {
  const usable = Math.min(needed, partitions, keys ?? Infinity);
  const declare = `declare \`concurrency ${usable}\``;
  if (keys !== undefined && keys < needed && keys <= partitions) {
    return `${declare}; the ${keys} keys of \`${topic}\` allow no more, and \`${reader}\` would still fall behind: make it faster, unordered, or key the topic by a field with more values`;
  }
  return needed > partitions ? `${declare} and \`partitions ${needed}\` on \`${topic}\`` : declare;
}
