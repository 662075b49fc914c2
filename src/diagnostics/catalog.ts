import { registry, type Code } from "./registry.js";

/** The Markdown catalogue of every diagnostic code (docs/diagnostics.md), generated from the registry. */
export function diagnosticsCatalog(): string {
  const codes = (Object.keys(registry) as Code[]).sort();
  const lines = [
    "# Diagnostics",
    "",
    "<!-- Generated from src/diagnostics/registry.ts by `npm run docs:diagnostics`; do not edit. -->",
    "",
    "Every problem evtc reports has a stable code. `evtc explain <code>` prints the explanation below.",
    "Codes are never reused. Ranges: EVT00xx input files, EVT01xx tokens and literals, EVT02xx syntax,",
    "EVT03xx names and references, EVT04xx the meaning of declarations, EVT05xx governance rules, EVT06xx",
    "contracts and compatibility (evt.lock, evtc compat), EVT07xx the load analysis.",
    "",
    "| Code | Name | Severity |",
    "|---|---|---|",
    ...codes.map(
      (code) => `| [${code}](#${code.toLowerCase()}) | \`${registry[code].name}\` | ${registry[code].severity} |`,
    ),
    "",
  ];
  for (const code of codes) {
    const entry = registry[code];
    lines.push(
      `## ${code}`,
      "",
      `\`${entry.name}\` · ${entry.severity}${entry.usage ? " · exit code 2" : ""}`,
      "",
      entry.explanation,
      "",
    );
  }
  return lines.join("\n");
}
