import { rules } from "../check/rules/index.js";
import type { Terminal } from "./run.js";

export function rulesCommand(format: "text" | "json", terminal: Terminal): number {
  if (format === "json") {
    const list = rules.map((r) => ({ id: r.id, code: r.code, severity: r.defaultSeverity, purpose: r.purpose }));
    terminal.stdout(`${JSON.stringify(list, null, 2)}\n`);
    return 0;
  }
  const idWidth = Math.max(...rules.map((r) => r.id.length));
  const lines = rules.map((r) => `${r.id.padEnd(idWidth)}  ${r.code}  ${r.defaultSeverity.padEnd(7)}  ${r.purpose}`);
  terminal.stdout(
    `${"rule".padEnd(idWidth)}  code     default  purpose\n${lines.join("\n")}\n\n` +
      `Change a rule's level in evtc.json: { "rules": { "<rule>": "error" | "warning" | "off" } }.\n` +
      `Suppress one finding in place with @allow("<rule>", "<reason>") on the declaration or field.\n`,
  );
  return 0;
}
