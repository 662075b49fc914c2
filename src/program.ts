import { diagnostic, sortAndDedupe, type Diagnostic } from "./diagnostics/diagnostic.js";
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

/** Parses and resolves sources already in memory (what tests, the language server and benchmarks call). */
export function checkSources(
  sources: readonly SourceFile[],
  inputDiagnostics: readonly Diagnostic[] = [],
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
  return { model: resolved.model, files, diagnostics: sortAndDedupe(diagnostics) };
}

/** Reads the given files and directories, then checks them as one project. */
export function checkPaths(paths: readonly string[], cwd: string = process.cwd()): CheckResult {
  const read = readSources(paths, cwd);
  return checkSources(read.sources, read.diagnostics);
}
