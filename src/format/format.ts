import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { SourceFile } from "../diagnostics/source.js";
import { parseSource } from "../syntax/parse.js";
import { printFile } from "./print.js";
import { syntaxFingerprint } from "./verify.js";

export { clauseOrder, sortClauses } from "./layout.js";
export { syntaxFingerprint } from "./verify.js";

/**
 * `evtc fmt`'s engine: one canonical layout for `.evt` files (docs/cli.md, `evtc fmt`). A file that does not
 * parse cleanly is not formatted: its syntax diagnostics are returned instead, since a file the parser had to
 * recover from cannot be printed back without losing what it skipped.
 */
export type FormatResult =
  | { readonly ok: true; readonly text: string; readonly changed: boolean }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** The formatter's output would not mean what its input meant: a bug in the formatter, never in the file. */
export class FormatMeaningError extends Error {
  constructor(readonly path: string) {
    super(`formatting \`${path}\` would change its meaning; the file was left as it is`);
    this.name = "FormatMeaningError";
  }
}

/**
 * Formats one file. The result is checked before it is returned: re-parsed, it must have no syntax errors and
 * the same declarations, values, doc comments and comments as the input (`syntaxFingerprint`), or
 * `FormatMeaningError` is thrown.
 */
export function formatSource(source: SourceFile): FormatResult {
  const parsed = parseSource(source);
  if (parsed.diagnostics.some((d) => d.severity === "error")) return { ok: false, diagnostics: parsed.diagnostics };
  const text = printFile(parsed.file);
  const reparsed = parseSource(new SourceFile(source.path, text));
  if (
    reparsed.diagnostics.some((d) => d.severity === "error") ||
    syntaxFingerprint(reparsed.file) !== syntaxFingerprint(parsed.file)
  ) {
    throw new FormatMeaningError(source.path);
  }
  return { ok: true, text, changed: text !== source.text };
}

/** Formats text (for tests, editors and scripts); throws on a file with syntax errors. */
export function formatText(text: string, path = "<input>.evt"): string {
  const result = formatSource(new SourceFile(path, text));
  if (!result.ok) {
    throw new Error(
      `${path} has syntax errors:\n${result.diagnostics.map((d) => `  ${d.code} ${d.message}`).join("\n")}`,
    );
  }
  return result.text;
}
