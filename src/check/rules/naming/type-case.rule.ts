import { defineRule } from "../rule.js";
import { toPascalCase } from "./words.js";

const pascalCase = /^[A-Z][a-zA-Z0-9]*$/;

export default defineRule({
  id: "naming/type-case",
  code: "EVT0505",
  purpose: "Checks that event, record and enum names are PascalCase.",
  defaultSeverity: "error",
  check(model, report) {
    const types = [
      ...[...model.events.values()].map((t) => ["event", t] as const),
      ...[...model.records.values()].map((t) => ["record", t] as const),
      ...[...model.enums.values()].map((t) => ["enum", t] as const),
    ];
    for (const [kind, type] of types) {
      if (pascalCase.test(type.name)) continue;
      report(type.nameSpan, { kind, name: type.name }, { help: `name it \`${toPascalCase(type.name)}\`` });
    }
  },
});
