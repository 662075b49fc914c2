/**
 * The compiler as a library: what the CLI, tests, benchmarks and editor integrations call.
 */
export { checkPaths, checkSources, type CheckResult } from "./program.js";
export { SourceFile, type Span } from "./diagnostics/source.js";
export {
  exitCodeFor,
  hasErrors,
  sortAndDedupe,
  type Diagnostic,
  type RelatedLocation,
} from "./diagnostics/diagnostic.js";
export { registry, type Code, type Severity } from "./diagnostics/registry.js";
export { renderAll, renderText, type OutputFormat } from "./diagnostics/render.js";
export { parseSource, type ParseResult } from "./syntax/parse.js";
export type * from "./model/bus.js";
export type * as ast from "./syntax/ast.js";
