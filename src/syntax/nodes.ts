import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import { span, type SourceFile, type Span } from "../diagnostics/source.js";
import type * as ast from "./ast.js";
import type { Token } from "./tokens.js";

/** The nodes both parsers (parse-direct.ts, build-ast.ts) make, made in one place so that they cannot drift apart. */

export function tokenSpan(source: SourceFile, tok: Token): Span {
  return span(source, tok.startOffset, (tok.endOffset ?? tok.startOffset) + 1);
}

const stringEscapes: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/** Index of the quote that closes a string token (escapes skipped), or -1 when it is not closed. */
function closingQuote(raw: string): number {
  for (let i = 1; i < raw.length; i++) {
    if (raw[i] === "\\") i++;
    else if (raw[i] === '"') return i;
  }
  return -1;
}

/** The value of a string token; an unterminated string or an unknown escape is reported and read leniently. */
export function stringLiteral(source: SourceFile, tok: Token, report: (d: Diagnostic) => void): ast.StringLiteral {
  const whole = tokenSpan(source, tok);
  const raw = tok.image;
  // `'x'`, reported by the parser (parse.ts): its text, as it was meant, without escapes.
  if (raw.startsWith("'"))
    return { kind: "string", value: raw.slice(1, raw.length > 1 && raw.endsWith("'") ? -1 : undefined), span: whole };
  const terminated = closingQuote(raw) === raw.length - 1;
  let inner = raw.slice(1, terminated ? -1 : undefined);
  if (!terminated) {
    report(diagnostic("EVT0102", {}, { span: whole, help: 'close the string with `"` on the same line' }));
    if (inner.endsWith("\\")) inner = inner.slice(0, -1);
  }
  if (!inner.includes("\\")) return { kind: "string", value: inner, span: whole };
  let value = "";
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i]!;
    if (ch !== "\\") {
      value += ch;
      continue;
    }
    const next = inner[i + 1] ?? "";
    const escapeStart = tok.startOffset + 1 + i;
    if (next === "u" && /^[0-9a-fA-F]{4}$/.test(inner.slice(i + 2, i + 6))) {
      value += String.fromCharCode(parseInt(inner.slice(i + 2, i + 6), 16));
      i += 5;
    } else if (next in stringEscapes) {
      value += stringEscapes[next];
      i += 1;
    } else {
      const shown = next === "u" ? inner.slice(i, i + 6) : `\\${next}`;
      report(
        diagnostic(
          "EVT0103",
          { escape: shown },
          { span: span(source, escapeStart, escapeStart + shown.length), help: "write a backslash as `\\\\`" },
        ),
      );
      value += next;
      i += 1;
    }
  }
  return { kind: "string", value, span: whole };
}

export function quantityLiteral(source: SourceFile, tok: Token): ast.QuantityLiteral {
  return { kind: "quantity", text: tok.image, span: tokenSpan(source, tok) };
}

export function versionLiteral(source: SourceFile, tok: Token): ast.VersionLiteral {
  const [major, minor] = tok.image.slice(1).split(".");
  return { major: Number(major), minor: Number(minor ?? 0), text: tok.image, span: tokenSpan(source, tok) };
}

export function nameOf(source: SourceFile, tok: Token): ast.Name {
  return { text: tok.image, span: tokenSpan(source, tok) };
}

/** A `record` or an `event`; only an event has a version and a base. */
export function fieldsDeclaration(
  kind: "record" | "event",
  header: { name: ast.Name; keywordSpan: Span; annotations: ast.Annotation[]; docs: string[]; span: Span },
  fields: ast.Field[],
  version: ast.VersionLiteral | undefined,
  base: ast.Name | undefined,
): ast.RecordDeclaration | ast.EventDeclaration {
  const { name, keywordSpan, annotations, docs, span: declSpan } = header;
  if (kind === "record") return { kind, name, keywordSpan, fields, annotations, docs, span: declSpan };
  return {
    kind,
    name,
    keywordSpan,
    fields,
    annotations,
    docs,
    span: declSpan,
    ...(version ? { version } : {}),
    ...(base ? { extends: base } : {}),
  };
}
