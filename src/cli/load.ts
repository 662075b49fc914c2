import { exitCodeFor, hasErrors } from "../diagnostics/diagnostic.js";
import { renderAll } from "../diagnostics/render.js";
import { analyzeLoad } from "../load/analysis.js";
import { renderLoadReport, type LoadFormat } from "../load/report.js";
import { checkPaths } from "../program.js";
import type { Terminal } from "./run.js";

export interface LoadOptions {
  readonly format: LoadFormat;
  readonly scale: number;
  readonly color: boolean;
  readonly configPath?: string;
}

/** `evtc load`: the fan-out load report of a project that resolves without errors. */
export function loadCommand(paths: readonly string[], options: LoadOptions, terminal: Terminal): number {
  const result = checkPaths(
    paths,
    terminal.cwd,
    options.configPath !== undefined ? { configPath: options.configPath } : {},
  );
  const errors = result.diagnostics.filter((d) => d.severity === "error" && !d.code.startsWith("EVT07"));
  if (hasErrors(errors)) {
    if (options.format === "json") {
      // The document `evtc check --format json` prints: what reads the report's JSON can read why there is none.
      terminal.stdout(`${renderAll(errors, "json", { color: false })}\n`);
    } else {
      terminal.stdout(
        `${renderAll(errors, "text", { color: options.color })}\n\nno load report: fix the errors first\n`,
      );
    }
    return exitCodeFor(errors);
  }
  const report = analyzeLoad(result.model, result.config.load, options.scale);
  terminal.stdout(`${renderLoadReport(report, options.format)}\n`);
  // At the scale asked for: a back-end over capacity or a deadline out of reach fails, as `check` would.
  const overloaded = report.backends.some((b) => b.capacity !== undefined && b.load.peak > b.capacity);
  const late = report.consumers.some((c) => c.deadlineMs !== undefined && c.totalMs > c.deadlineMs);
  return overloaded || late ? 1 : 0;
}
