import { loadReportFor, lookupCardinality } from "../../../load/analysis.js";
import { formatPercent, formatRate } from "../../../load/numbers.js";
import { describeProposal, proposeEnrichment } from "../../../load/proposal.js";
import { defineRule } from "../rule.js";

export default defineRule({
  id: "load/backend-capacity",
  code: "EVT0701",
  purpose: "Checks that no back-end's peak load, from every look-up of every reader, exceeds its declared capacity.",
  defaultSeverity: "error",
  check(model, report, context) {
    for (const load of loadReportFor(model, context.load).backends) {
      if (load.capacity === undefined || load.load.peak <= load.capacity) continue;
      const proposal = proposeEnrichment(load);
      const biggest = load.lookups[0];
      // A cache counts only with the keys in circulation declared (no hits are assumed without them).
      const counted = biggest !== undefined && lookupCardinality(biggest.lookup, biggest.topic) !== undefined;
      const declareKeys =
        biggest !== undefined && !counted
          ? ` and declare how many \`${biggest.lookup.by.join(".")}\` values circulate (\`cardinality N\`) so that its hits count`
          : "";
      const help = proposal
        ? describeProposal(proposal)
        : biggest && biggest.lookup.cacheTtlMs === undefined
          ? `cache the look-up of \`${biggest.reader.name}\` (\`cache 20m\`)${declareKeys}, or raise the capacity of \`${load.backend.name}\``
          : biggest && declareKeys !== ""
            ? `declare how many \`${biggest.lookup.by.join(".")}\` values circulate on the look-up of \`${biggest.reader.name}\` (\`cardinality N\`) so that its cache's hits count, or raise the capacity of \`${load.backend.name}\``
            : `raise the capacity of \`${load.backend.name}\` or lower the rate that reaches it`;
      report(
        load.backend.nameSpan,
        { backend: load.backend.name, load: formatRate(load.load.peak), capacity: formatRate(load.capacity) },
        {
          related: load.lookups.map((l) => ({
            span: l.lookup.span,
            message: `${formatRate(l.load.peak)} (${formatPercent(l.load.peak / load.load.peak)}) from \`${l.reader.name}\``,
          })),
          help,
        },
      );
    }
  },
});
