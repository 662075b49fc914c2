import { lint } from "./check/lint.js";
import { defaultConfig, findConfig, type ProjectConfig } from "./config/config.js";
import { diagnostic, hasErrors, sortAndDedupe, type Diagnostic } from "./diagnostics/diagnostic.js";
import { span } from "./diagnostics/source.js";
import { resolve } from "./check/resolve.js";
import { readSources } from "./io/read-sources.js";
import type { BusModel } from "./model/bus.js";
import type { EvtFile } from "./syntax/ast.js";
import { parseSource } from "./syntax/parse.js";
import type { SourceFile } from "./diagnostics/source.js";

export interface CheckResult {
  /** The semantic model; complete only when `diagnostics` holds no error. */
  readonly model: BusModel;
  readonly files: readonly EvtFile[];
  /** Sorted and de-duplicated. */
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Parses and resolves sources already in memory (what tests, editor integrations and benchmarks call), then
 * runs the governance rules — only on a project without errors, since a partly resolved model would make
 * them report consequences instead of causes.
 */
export function checkSources(
  sources: readonly SourceFile[],
  inputDiagnostics: readonly Diagnostic[] = [],
  config: ProjectConfig = defaultConfig,
): CheckResult {
  const diagnostics: Diagnostic[] = [...inputDiagnostics];
  const files: EvtFile[] = [];
  for (const source of sources) {
    const parsed = parseSource(source);
    diagnostics.push(...parsed.diagnostics);
    if (parsed.file.declarations.length === 0 && parsed.diagnostics.length === 0) {
      diagnostics.push(diagnostic("EVT0007", {}, { span: span(source, 0, 0) }));
    }
    files.push(parsed.file);
  }
  const resolved = resolve(files);
  diagnostics.push(...resolved.diagnostics);
  if (!hasErrors(diagnostics)) diagnostics.push(...lint(resolved.model, files, config));
  return { model: resolved.model, files, diagnostics: sortAndDedupe(diagnostics) };
}

export interface CheckOptions {
  /** A configuration file to use instead of `evtc.json` in the project directory. */
  readonly configPath?: string;
}

/** Reads the given files and directories (and the project's `evtc.json`), then checks them as one project. */
export function checkPaths(
  paths: readonly string[],
  cwd: string = process.cwd(),
  options: CheckOptions = {},
): CheckResult {
  const found = findConfig(paths, cwd, options.configPath);
  const read = readSources(paths, cwd);
  return checkSources(read.sources, [...found.diagnostics, ...read.diagnostics], found.config);
}
