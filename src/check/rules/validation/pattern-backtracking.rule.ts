import type { Field } from "../../../model/bus.js";
import { ANALYSIS_STEPS, backtrackingOf } from "../../backtracking.js";
import { defineRule } from "../rule.js";

const REWRITE =
  "rewrite it so that each character can be matched in one way only: no quantifier inside a quantified group " +
  "(`(a+)+` → `a+`), no alternatives or neighbouring repeats that match the same text (`(a|a)*` → `a*`, " +
  "`(\\w+\\s?)*` → `\\w+(\\s\\w+)*`)";
const ANCHOR =
  "start it with `^` if values must start with a match: unanchored, the pattern is tried again from every " +
  "position of the value, and that is what makes it slow";
const NAMED_GROUPS =
  "redos-detector does not read named groups `(?<name>…)`: write `(…)`, a pattern's captures are never used";

/**
 * A rule rather than a language error: the analysis is conservative, and a team whose pattern it cannot show
 * bounded (`^P(\d+Y)?(\d+M)?$` runs in linear time in V8) accepts it with `@allow` and a reason, as
 * eslint-plugin-regexp's `no-super-linear-backtracking` is disabled for a line.
 */
export default defineRule({
  id: "validation/pattern-backtracking",
  code: "EVT0515",
  purpose:
    "Checks that no field's pattern can backtrack catastrophically, which would let one crafted event stall every service that validates it.",
  defaultSeverity: "error",
  check(model, report) {
    // An inherited field is the declaring event's: reported there, once.
    const seen = new Set<Field["declaration"]>();
    for (const owner of [...model.events.values(), ...model.records.values()]) {
      for (const field of owner.fields) {
        if (seen.has(field.declaration)) continue;
        seen.add(field.declaration);
        const pattern = field.declaration.constraints.find((c) => c.kind === "pattern");
        if (field.constraints.pattern === undefined || pattern === undefined) continue;
        const verdict = backtrackingOf(field.constraints.pattern);
        switch (verdict.kind) {
          case "bounded":
            break;
          case "catastrophic":
            report(
              pattern.value.span,
              {
                field: field.name,
                reason: "can backtrack catastrophically: some text can be matched in too many ways",
              },
              { help: verdict.anchoring ? ANCHOR : REWRITE },
            );
            break;
          case "undecided":
            report(
              pattern.value.span,
              {
                field: field.name,
                reason: `could not be shown free of catastrophic backtracking (the analysis stops after ${ANALYSIS_STEPS} steps)`,
              },
              { help: verdict.anchoring ? ANCHOR : REWRITE },
            );
            break;
          case "unreadable":
            report(
              pattern.value.span,
              { field: field.name, reason: `could not be analysed for catastrophic backtracking (${verdict.reason})` },
              { help: NAMED_GROUPS },
            );
        }
      }
    }
  },
});
