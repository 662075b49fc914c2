import { span, type SourceFile, type Span } from "../diagnostics/source.js";

/**
 * How deep a JSON file evtc reads (`evtc compat`'s schemas, `evt.lock`, `evtc.json`) may nest objects and arrays.
 * The JSON parser and whatever then walks the value recurse along the nesting, so a deeper file is refused before
 * it is parsed, rather than run out of stack. Far above what evtc writes: a schema nests two brackets per level at
 * most (`"properties": { "a": {`), and evtc's own go at most `MAX_TYPE_DEPTH` + 1 levels deep.
 */
export const MAX_JSON_NESTING = 512;

const QUOTE = 0x22; // "
const NEWLINE = 0x0a;
const BACKSLASH = 0x5c;
const SLASH = 0x2f;
const STAR = 0x2a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * The offset of the first `{` or `[` opened inside {@link MAX_JSON_NESTING} others, outside strings and comments
 * (JSON with comments, as jsonc-parser reads it); undefined when the text nests no deeper. Matched or not: a
 * file that does not parse is for the parser to report.
 */
export function tooDeepJson(text: string, limit = MAX_JSON_NESTING): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === QUOTE) {
      // To the closing quote, or the end of the line for a string left open (the parser reports it).
      for (i++; i < text.length; i++) {
        const inner = text.charCodeAt(i);
        if (inner === QUOTE || inner === NEWLINE) break;
        if (inner === BACKSLASH) i++;
      }
    } else if (ch === SLASH && text.charCodeAt(i + 1) === SLASH) {
      const end = text.indexOf("\n", i);
      i = end === -1 ? text.length : end;
    } else if (ch === SLASH && text.charCodeAt(i + 1) === STAR) {
      const end = text.indexOf("*/", i + 2);
      i = end === -1 ? text.length : end + 1;
    } else if (ch === OPEN_BRACE || ch === OPEN_BRACKET) {
      if (++depth > limit) return i;
    } else if ((ch === CLOSE_BRACE || ch === CLOSE_BRACKET) && depth > 0) {
      depth--;
    }
  }
  return undefined;
}

/** Where `file` nests deeper than {@link MAX_JSON_NESTING}, and the reason a diagnostic gives; undefined if nowhere. */
export function jsonNestingProblem(file: SourceFile): { readonly span: Span; readonly reason: string } | undefined {
  const at = tooDeepJson(file.text);
  if (at === undefined) return undefined;
  return { span: span(file, at, at + 1), reason: `its objects and arrays nest more than ${MAX_JSON_NESTING} deep` };
}
