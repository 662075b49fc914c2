import { defineRule } from "../rule.js";

export default defineRule({
  id: "category/best-effort-no-retry",
  code: "EVT0513",
  purpose: "Checks that best-effort consumers declare neither retries nor a dead-letter topic.",
  defaultSeverity: "warning",
  check(model, report) {
    for (const reader of [...model.consumers.values(), ...model.enrichers.values()]) {
      if (reader.delivery !== "best-effort") continue;
      for (const clause of reader.declaration.clauses) {
        if (clause.keyword !== "retry" && clause.keyword !== "dlq") continue;
        report(
          clause.keywordSpan,
          { name: reader.name, clause: clause.keyword },
          {
            help: "best-effort means a failed event may be skipped: drop the clause, or make the consumer `guaranteed`",
          },
        );
      }
    }
  },
});
