import { exitCodeFor } from "../diagnostics/diagnostic.js";
import { renderAll, summaryLine, type OutputFormat } from "../diagnostics/render.js";
import { checkPaths } from "../program.js";
import type { Terminal } from "./run.js";

export interface CheckOptions {
  readonly format: OutputFormat;
  readonly color: boolean;
  readonly configPath?: string;
}

export function checkCommand(paths: readonly string[], options: CheckOptions, terminal: Terminal): number {
  const result = checkPaths(
    paths,
    terminal.cwd,
    options.configPath !== undefined ? { configPath: options.configPath } : {},
  );
  const { diagnostics } = result;
  const rendered = renderAll(diagnostics, options.format, { color: options.color });
  if (options.format === "text") {
    const files = result.files.length;
    const where = `${files} file${files === 1 ? "" : "s"}`;
    const summary =
      diagnostics.length === 0 ? `checked ${where}: no problems` : `checked ${where}: ${summaryLine(diagnostics)}`;
    terminal.stdout(rendered === "" ? `${summary}\n` : `${rendered}\n\n${summary}\n`);
  } else if (rendered !== "") {
    terminal.stdout(`${rendered}\n`);
  }
  return exitCodeFor(diagnostics);
}
