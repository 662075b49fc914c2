import { isCode, registry } from "../diagnostics/registry.js";
import { closestNames } from "../diagnostics/suggest.js";
import type { Terminal } from "./run.js";

export function explainCommand(given: string, terminal: Terminal): number {
  const code = given.toUpperCase();
  if (!isCode(code)) {
    const close = closestNames(code, Object.keys(registry));
    const hint = close.length > 0 ? ` (did you mean ${close.map((c) => `${c}`).join(", ")}?)` : "";
    terminal.stderr(
      `error: \`${given}\` is not an evtc diagnostic code${hint}\nCodes look like EVT0301; \`evtc check\` prints them.\n`,
    );
    return 2;
  }
  const entry = registry[code];
  terminal.stdout(`${code}: ${entry.name} (${entry.severity})\n\n${entry.explanation}\n`);
  return 0;
}
