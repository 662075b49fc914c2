import type { TokenType } from "chevrotain";
import * as t from "./tokens.js";
import type { Token } from "./tokens.js";

export interface DirectLexResult {
  readonly tokens: Token[];
  readonly docs: Token[];
  readonly comments: Token[];
}

/** A token type's own pattern (tokens.ts), anchored where the scan stands. */
function sticky(type: TokenType): RegExp {
  return new RegExp((type.PATTERN as RegExp).source, "y");
}

const identifierPattern = sticky(t.Identifier);
const versionPattern = sticky(t.Version);
const quantityPattern = sticky(t.Quantity);
const stringPattern = sticky(t.StringLiteral);
const docPattern = sticky(t.DocComment);
const commentPattern = sticky(t.Comment);

const keywordTypes = new Map<string, TokenType>(t.keywords.map((type) => [t.keywordText(type), type]));

const punctuation = new Map<number, TokenType>(
  t.singleCharacterPunctuation.map((type) => [(type.PATTERN as string).charCodeAt(0), type]),
);

const SLASH = 47;
const QUOTE = 34;
const DOT = 46;
const MINUS = 45;
const LOWER_V = 118;

function isWhiteSpace(code: number): boolean {
  // The characters of tokens.ts's WhiteSpace: space, \t, \n, \v, \f, \r.
  return code === 32 || (code >= 9 && code <= 13);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isWordStart(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

/**
 * The tokens of a file, as chevrotain's lexer for tokens.ts makes them, without building that lexer (some 50 ms
 * of start-up) and in a fraction of its time. It tries each token's own pattern where chevrotain would, in the
 * same order, and takes a longer name over a keyword or version just as `longer_alt` does. On a character no
 * token starts with, it gives up (`undefined`): chevrotain's lexer then lexes the file and reports it.
 * test/syntax/lex-direct.test.ts compares the two.
 */
export function lexDirect(text: string): DirectLexResult | undefined {
  const tokens: Token[] = [];
  const docs: Token[] = [];
  const comments: Token[] = [];
  // `test`, not `exec`: the match's text is cut out of the file's, without an array made for every token.
  const match = (pattern: RegExp, at: number): string | undefined => {
    pattern.lastIndex = at;
    return pattern.test(text) ? text.slice(at, pattern.lastIndex) : undefined;
  };
  let at = 0;
  // Dispatching on a token's first character relies on tokens.ts: no two patterns start with the same
  // character but where this handles it (a name or a version at `v`, a doc comment or a comment at `/`, `.` or
  // `..`). A new token or pattern must keep that true, or be handled here; test/syntax/lex-direct.test.ts
  // would show the difference.
  while (at < text.length) {
    const code = text.charCodeAt(at);
    if (isWhiteSpace(code)) {
      at++;
      continue;
    }
    let image: string | undefined;
    let type: TokenType | undefined;
    let group = tokens;
    if (code === SLASH) {
      image = match(docPattern, at);
      if (image !== undefined) {
        type = t.DocComment;
        group = docs;
      } else {
        image = match(commentPattern, at);
        type = t.Comment;
        group = comments;
      }
    } else if (code === QUOTE) {
      image = match(stringPattern, at);
      type = t.StringLiteral;
    } else if (isDigit(code) || code === MINUS) {
      image = match(quantityPattern, at);
      type = t.Quantity;
    } else if (isWordStart(code)) {
      image = match(identifierPattern, at)!;
      type = keywordTypes.get(image) ?? t.Identifier;
      if (code === LOWER_V) {
        // Version comes first in tokens.ts; a name wins only when it is longer (`v1x`, `v1-beta`).
        const version = match(versionPattern, at);
        if (version !== undefined && version.length >= image.length) {
          image = version;
          type = t.Version;
        }
      }
    } else if (code === DOT) {
      const dotDot = text.charCodeAt(at + 1) === DOT;
      image = dotDot ? ".." : ".";
      type = dotDot ? t.DotDot : t.Dot;
    } else {
      type = punctuation.get(code);
      if (type !== undefined) image = text[at];
    }
    if (image === undefined || type === undefined) return undefined;
    group.push({ image, startOffset: at, endOffset: at + image.length - 1, tokenType: type });
    at += image.length;
  }
  return { tokens, docs, comments };
}
