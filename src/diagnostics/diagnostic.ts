import { registry, type Code, type ParamsOf, type Severity } from "./registry.js";
import type { Span } from "./source.js";

export interface RelatedLocation {
  readonly span: Span;
  readonly message: string;
}

export interface Diagnostic {
  readonly code: Code;
  readonly severity: Severity;
  readonly message: string;
  /** Where the problem is; absent only for problems with a path as a whole (a missing file). */
  readonly span?: Span;
  /** The path a span-less diagnostic is about. */
  readonly path?: string;
  /** A short note printed under the caret. */
  readonly label?: string;
  readonly related: readonly RelatedLocation[];
  readonly help?: string;
}

export interface DiagnosticDetails {
  readonly span?: Span;
  readonly path?: string;
  readonly label?: string;
  readonly related?: readonly RelatedLocation[];
  readonly help?: string;
}

/** The longest user text a message quotes in full (a topic name may have 249 characters); a longer word is cut. */
const QUOTED_TEXT_LIMIT = 300;

function quotable<P>(params: P): P {
  if (params === null || typeof params !== "object") return params;
  const long = Object.values(params).some((v) => typeof v === "string" && v.length > QUOTED_TEXT_LIMIT);
  if (!long) return params;
  return Object.fromEntries(
    Object.entries(params).map(([k, v]) => [
      k,
      typeof v === "string" && v.length > QUOTED_TEXT_LIMIT ? `${v.slice(0, QUOTED_TEXT_LIMIT - 1)}…` : v,
    ]),
  ) as P;
}

export function diagnostic<C extends Code>(code: C, params: ParamsOf<C>, details: DiagnosticDetails): Diagnostic {
  const entry = registry[code];
  const message = (entry.message as (p: ParamsOf<C>) => string)(quotable(params));
  return {
    code,
    severity: entry.severity,
    message,
    related: details.related ?? [],
    ...(details.span ? { span: details.span } : {}),
    ...(details.path !== undefined ? { path: details.path } : {}),
    ...(details.label !== undefined ? { label: details.label } : {}),
    ...(details.help !== undefined ? { help: details.help } : {}),
  };
}

export function pathOf(d: Diagnostic): string {
  return d.span?.file.path ?? d.path ?? "";
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorted by file, position and code; exact repeats (same code, place and message) removed. */
export function sortAndDedupe(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const unique: Diagnostic[] = [];
  for (const d of diagnostics) {
    const key = `${d.code}\u0000${pathOf(d)}\u0000${d.span?.start ?? -1}\u0000${d.span?.end ?? -1}\u0000${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(d);
  }
  return unique.sort(
    (a, b) =>
      compareStrings(pathOf(a), pathOf(b)) ||
      (a.span?.start ?? -1) - (b.span?.start ?? -1) ||
      compareStrings(a.code, b.code) ||
      compareStrings(a.message, b.message),
  );
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** 0 when there is no error, 2 when a usage or file-system problem stopped the work, 1 otherwise. */
export function exitCodeFor(diagnostics: readonly Diagnostic[]): 0 | 1 | 2 {
  if (diagnostics.some((d) => d.severity === "error" && registry[d.code].usage === true)) return 2;
  return hasErrors(diagnostics) ? 1 : 0;
}
