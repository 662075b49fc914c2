import { loadReportFor } from "../../../load/analysis.js";
import { formatMs } from "../../../load/numbers.js";
import { defineRule } from "../rule.js";

export default defineRule({
  id: "load/deadline",
  code: "EVT0704",
  purpose:
    "Checks that each consumer's deadline covers its chain: broker hops, enrichers, look-ups and its own processing.",
  defaultSeverity: "error",
  check(model, report, context) {
    for (const c of loadReportFor(model, context.load).consumers) {
      if (c.deadlineMs === undefined || c.totalMs <= c.deadlineMs) continue;
      const clause = c.consumer.declaration.clauses.find((x) => x.keyword === "deadline");
      const budget = c.steps.map((s) => `${formatMs(s.ms)} ${s.label}`).join(" + ");
      report(
        clause?.span ?? c.consumer.nameSpan,
        { consumer: c.consumer.name, total: formatMs(c.totalMs), deadline: formatMs(c.deadlineMs) },
        { help: `budget, with every cache missing: ${budget} = ${formatMs(c.totalMs)}` },
      );
    }
  },
});
