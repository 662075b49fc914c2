import { loadReportFor } from "../../../load/analysis.js";
import { describeProposal, lookupGroups, proposeEnrichment } from "../../../load/proposal.js";
import { defineRule } from "../rule.js";

export default defineRule({
  id: "load/shared-lookup",
  code: "EVT0702",
  purpose: "Checks that readers of one event do not each look up the same back-end, which one enricher could do once.",
  defaultSeverity: "warning",
  check(model, report, context) {
    for (const load of loadReportFor(model, context.load).backends) {
      // An overloaded back-end is reported (with the same proposal) by load/backend-capacity.
      if (load.capacity !== undefined && load.load.peak > load.capacity) continue;
      for (const lookups of lookupGroups(load)) {
        // A reader that writes the same look-up twice shares it with no one: one entry per reader.
        const group = lookups.filter((l, i) => lookups.findIndex((other) => other.reader === l.reader) === i);
        if (group.length < 2) continue;
        const [first, ...others] = group;
        const readers =
          others.length === 1
            ? `\`${first!.reader.name}\` and \`${others[0]!.reader.name}\``
            : `\`${first!.reader.name}\` and ${others.length} other consumers`;
        const proposal = proposeEnrichment({ backend: load.backend, load: load.load, lookups: group });
        report(
          others[0]!.lookup.span,
          { backend: load.backend.name, topic: first!.topic.name, readers },
          {
            related: group
              .filter((l) => l !== others[0])
              .map((l) => ({ span: l.lookup.span, message: `\`${l.reader.name}\` looks it up too` })),
            ...(proposal ? { help: describeProposal(proposal) } : {}),
          },
        );
      }
    }
  },
});
