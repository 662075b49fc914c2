import type { IRecognitionException, IToken, TokenType } from "chevrotain";
import { diagnostic, sortAndDedupe, type Diagnostic } from "../diagnostics/diagnostic.js";
import { span, type SourceFile } from "../diagnostics/source.js";
import type { Comment, EvtFile } from "./ast.js";
import { AstBuilder } from "./build-ast.js";
import { DocIndex } from "./docs.js";
import { lexDirect } from "./lex-direct.js";
import { tokenSpan } from "./nodes.js";
import { parseDirect } from "./parse-direct.js";
import { createTokenInstance } from "./chevrotain.js";
import { recoveringParser } from "./parser.js";
import * as t from "./tokens.js";

export interface ParseResult {
  readonly file: EvtFile;
  readonly diagnostics: readonly Diagnostic[];
}

function describeCharacter(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  const hex = codePointOf(ch);
  const visible = code > 0x20 && code !== 0x7f && !(code >= 0x80 && code <= 0x9f) && !/\s/u.test(ch);
  return visible ? `\`${ch}\` (${hex})` : hex;
}

/** `U+0301`. */
function codePointOf(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Where the code point before `offset` starts (two code units back for one outside the BMP). */
function previousCodePoint(text: string, offset: number): number {
  const low = text.charCodeAt(offset - 1);
  const high = text.charCodeAt(offset - 2);
  return low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff ? offset - 2 : offset - 1;
}

/** What to write instead of a character that other languages use between words and `.evt` does not. */
const habits: ReadonlyMap<string, string> = new Map([
  [":", "no `:` between a word and its value: `owner billing`, `amount decimal`"],
  [";", "no `;`: a clause or a field ends with its line"],
  ["|", "enum members are separated by spaces or `,`: `enum Size { SMALL, LARGE }`"],
]);
const SINGLE_QUOTES = 'strings are written in double quotes: `"…"`';
const HASH_COMMENT = "comments start with `//`";
const BLOCK_COMMENT = "block comments do not exist: start each line of a comment with `//`";

/** A name the lexer refused because of its letters, joined back into one token (`joinNonAsciiNames`). */
interface NonAsciiName {
  readonly image: string;
  /** Where its first non-ASCII character is: what the error points at. */
  readonly offset: number;
  covers(offset: number): boolean;
}

const NAME_CHARACTERS = /^[\p{L}\p{M}\p{N}_-]+$/u;

/**
 * Names are ASCII. A name with other letters in it (`Währung`, `名前`) is lexed as the pieces around the
 * characters the lexer refuses; joined back into one name token here, it costs one error, and the declaration
 * it names is read as written instead of failing on every token after it.
 */
function joinNonAsciiNames(
  text: string,
  tokens: IToken[],
  errors: readonly { offset: number; length: number }[],
): { tokens: IToken[]; names: NonAsciiName[] } {
  const refused = errors.filter((e) => NAME_CHARACTERS.test(text.slice(e.offset, e.offset + e.length)));
  if (refused.length === 0) return { tokens, names: [] };
  const byOffset = new Map(tokens.map((tok) => [tok.startOffset, tok]));
  const byEnd = new Map(tokens.map((tok) => [tok.endOffset! + 1, tok]));
  const isNamePiece = (tok: IToken | undefined): tok is IToken =>
    tok !== undefined && /^[A-Za-z0-9_-]+$/.test(tok.image);
  const joined = new Set<IToken>();
  const names: (NonAsciiName & { token: IToken })[] = [];
  const errorAt = new Map(refused.map((e) => [e.offset, e]));
  for (const error of refused) {
    if (names.some((n) => n.covers(error.offset))) continue;
    // A number's unit (`5µs`) is a quantity to say something of, not a name.
    if (/^-?\d/.test(byEnd.get(error.offset)?.image ?? "")) continue;
    let start = error.offset;
    let end = error.offset + error.length;
    let first = byEnd.get(start);
    const pieces: IToken[] = [];
    while (isNamePiece(first)) {
      pieces.push(first);
      start = first.startOffset;
      const before = [...errorAt.values()].find((e) => e.offset + e.length === start);
      if (before === undefined) break;
      start = before.offset;
      first = byEnd.get(start);
    }
    for (;;) {
      const next = byOffset.get(end);
      if (isNamePiece(next)) {
        pieces.push(next);
        end = next.endOffset! + 1;
        continue;
      }
      const following = errorAt.get(end);
      if (following === undefined) break;
      end = following.offset + following.length;
    }
    for (const piece of pieces) joined.add(piece);
    const startLine = text.slice(0, start).split("\n").length;
    const startColumn = start - text.lastIndexOf("\n", start - 1);
    const image = text.slice(start, end);
    const token = createTokenInstance(
      t.Identifier,
      image,
      start,
      end - 1,
      startLine,
      startLine,
      startColumn,
      startColumn + image.length - 1,
    );
    names.push({ image, offset: error.offset, token, covers: (offset) => offset >= start && offset < end });
  }
  const kept = tokens.filter((tok) => !joined.has(tok));
  const all = [...kept, ...names.map((n) => n.token)].sort((a, b) => a.startOffset - b.startOffset);
  return { tokens: all, names };
}

/** The `{` still open at `offset`, for pointing at the block whose `}` is missing. */
function unclosedBrace(tokens: readonly IToken[], offset: number): IToken | undefined {
  const open: IToken[] = [];
  for (const tok of tokens) {
    if (tok.startOffset >= offset) break;
    if (tok.image === "{") open.push(tok);
    else if (tok.image === "}") open.pop();
  }
  return open[open.length - 1];
}

function syntaxDiagnostic(source: SourceFile, error: IRecognitionException, tokens: readonly IToken[]): Diagnostic {
  const tok = error.token;
  const atEnd = !Number.isFinite(tok.startOffset) || tok.tokenType.name === "EOF";
  let expected: string;
  let found: string;
  try {
    ({ expected, found } = JSON.parse(error.message) as { expected: string; found: string });
  } catch {
    // A CONSUME with its own ERR_MSG ("a type") says only what was expected.
    expected = error.message;
    found = atEnd ? "end of file" : `\`${tok.image}\``;
  }
  const start = atEnd ? source.text.length : tok.startOffset;
  const end = atEnd ? source.text.length : (tok.endOffset ?? tok.startOffset) + 1;
  const brace = expected === "`}`" ? unclosedBrace(tokens, start) : undefined;
  const related = brace
    ? [{ span: span(source, brace.startOffset, brace.startOffset + 1), message: "this block is not closed" }]
    : [];
  return diagnostic("EVT0201", { expected, found }, { span: span(source, start, end), related });
}

function commentsOf(source: SourceFile, docTokens: readonly t.Token[], commentTokens: readonly t.Token[]): Comment[] {
  return [...docTokens, ...commentTokens]
    .map((tok) => ({
      text: tok.image,
      doc: tok.tokenType.name === "DocComment",
      span: span(source, tok.startOffset, (tok.endOffset ?? tok.startOffset) + 1),
    }))
    .sort((a, b) => a.span.start - b.span.start);
}

/**
 * Lexes, parses and builds the AST of one file. Never throws on any input. A file without mistakes is parsed
 * by the direct parser (parse-direct.ts); any other file by the chevrotain parser, which reports the mistakes
 * and recovers from them.
 */
export function parseSource(source: SourceFile): ParseResult {
  return parseSourceWith(source, true);
}

/** The chevrotain parser and AST builder alone, for comparing the direct parser with them in tests. */
export function parseWithRecovery(source: SourceFile): ParseResult {
  return parseSourceWith(source, false);
}

/** Far deeper than any real file nests, and far from where either parser (both recursive) runs out of stack. */
export const MAX_NESTING = 64;

const openers: ReadonlySet<TokenType> = new Set([t.LCurly, t.LAngle, t.LParen, t.LSquare]);
const closers: ReadonlySet<TokenType> = new Set([t.RCurly, t.RAngle, t.RParen, t.RSquare]);

/** The first bracket opened inside `MAX_NESTING` others, matched or not. */
function tooDeep(tokens: readonly t.Token[]): t.Token | undefined {
  let depth = 0;
  for (const tok of tokens) {
    if (openers.has(tok.tokenType)) {
      if (++depth > MAX_NESTING) return tok;
    } else if (closers.has(tok.tokenType) && depth > 0) {
      depth--;
    }
  }
  return undefined;
}

function parseSourceWith(source: SourceFile, direct: boolean): ParseResult {
  if (direct) {
    const lexed = lexDirect(source.text);
    const declarations =
      lexed &&
      tooDeep(lexed.tokens) === undefined &&
      parseDirect(source, lexed.tokens, new DocIndex(source, lexed.docs, lexed.tokens));
    if (lexed && declarations) {
      return {
        file: { source, declarations, comments: commentsOf(source, lexed.docs, lexed.comments) },
        diagnostics: [],
      };
    }
  }
  const lexed = t.evtLexer().tokenize(source.text);
  const docTokens = (lexed.groups["docs"] ?? []) as IToken[];
  const commentTokens = (lexed.groups["comments"] ?? []) as IToken[];
  const diagnostics: Diagnostic[] = [];
  const unexpected = (offset: number, length: number, help = habits.get(source.text[offset] ?? "")) => {
    const ch = String.fromCodePoint(source.text.codePointAt(offset) ?? 0);
    // A combining mark is drawn on the character before it: the caret goes under both, and the message names the
    // mark by its code point alone (between backticks, on its own, it would sit on the first one).
    const mark = offset > 0 && /^\p{M}$/u.test(ch);
    const start = mark ? previousCodePoint(source.text, offset) : offset;
    diagnostics.push(
      diagnostic(
        "EVT0101",
        { text: mark ? `${codePointOf(ch)} (a combining mark)` : describeCharacter(ch) },
        { span: span(source, start, offset + Math.max(length, ch.length)), ...(help ? { help } : {}) },
      ),
    );
  };
  const { tokens, names } = joinNonAsciiNames(source.text, lexed.tokens, lexed.errors);
  lexed.tokens = tokens;
  for (const name of names) {
    const ascii = name.image.normalize("NFD").replace(/\p{M}/gu, "");
    unexpected(
      name.offset,
      1,
      `names are written in ASCII letters, digits, \`_\` and \`-\`: they become identifiers, topic and file names${/^[A-Za-z_][\w-]*$/.test(ascii) ? ` (\`${ascii}\`, say)` : ""}`,
    );
  }
  for (const error of lexed.errors) if (!names.some((n) => n.covers(error.offset))) unexpected(error.offset, 1);
  // Recognised whole (tokens.ts), so that one error explains each: the comment's text is not read as code, and a
  // single-quoted string stands for the string it was meant to be.
  for (const tok of (lexed.groups["mistakes"] ?? []) as IToken[]) {
    if (tok.tokenType === t.BlockComment) unexpected(tok.startOffset, 2, BLOCK_COMMENT);
    else unexpected(tok.startOffset, 1, HASH_COMMENT);
  }
  for (const tok of lexed.tokens) {
    if (tok.tokenType === t.SingleQuotedString) unexpected(tok.startOffset, 1, SINGLE_QUOTES);
  }
  const deep = tooDeep(lexed.tokens);
  if (deep !== undefined) {
    diagnostics.push(diagnostic("EVT0204", { limit: MAX_NESTING }, { span: tokenSpan(source, deep) }));
    const comments = commentsOf(source, docTokens, commentTokens);
    return { file: { source, declarations: [], comments }, diagnostics: sortAndDedupe(diagnostics) };
  }
  const parser = recoveringParser();
  parser.input = lexed.tokens;
  const cst = parser.file();
  // One syntax error per token: after a recovery, chevrotain may trip over the same token again. The one
  // that points at an unclosed block wins, since it explains the others.
  const syntaxErrors = new Map<number, Diagnostic>();
  for (const error of parser.errors) {
    const d = syntaxDiagnostic(source, error, lexed.tokens);
    const at = d.span?.start ?? -1;
    const earlier = syntaxErrors.get(at);
    if (!earlier || (earlier.related.length === 0 && d.related.length > 0)) syntaxErrors.set(at, d);
  }
  diagnostics.push(...syntaxErrors.values());
  const syntaxErrorAt = new Set(syntaxErrors.keys());

  const builder = new AstBuilder(source, docTokens, lexed.tokens);
  const declarations = builder.build(cst);
  // A token the parser already complained about is not reported again as stray by the builder.
  const built = builder.diagnostics.filter((d) => d.code !== "EVT0201" || !syntaxErrorAt.has(d.span?.start ?? -1));
  // A name in single quotes is one mistake, said by the builder (`team 'billing'` → `team billing`), not also
  // the lexer's "strings are written in double quotes".
  const namedAt = new Set(built.filter((d) => d.code === "EVT0201").map((d) => d.span?.start));
  const lexical = diagnostics.filter(
    (d) => !(d.code === "EVT0101" && d.help === SINGLE_QUOTES && namedAt.has(d.span?.start)),
  );
  const comments = commentsOf(source, docTokens, commentTokens);
  return { file: { source, declarations, comments }, diagnostics: sortAndDedupe([...lexical, ...built]) };
}
