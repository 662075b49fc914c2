import type { IToken, Lexer as ChevrotainLexer, TokenType } from "chevrotain";
import { createToken, Lexer } from "./chevrotain.js";

/**
 * The tokens of the `.evt` language. Every keyword is contextual: it is lexed as its own token type, but
 * that type belongs to the `Identifier` category, so wherever the grammar takes a name a keyword is accepted
 * too (a field may be called `owner`, `key`, `event` or `from`).
 */
/** What is read of a token by the direct parser, the doc index and the comment list: both lexers make these. */
export type Token = Pick<IToken, "image" | "startOffset" | "endOffset" | "tokenType">;

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n\f\v]+/, group: Lexer.SKIPPED });
export const DocComment = createToken({ name: "DocComment", pattern: /\/\/\/(?!\/)[^\r\n]*/, group: "docs" });
export const Comment = createToken({ name: "Comment", pattern: /\/\/[^\r\n]*/, group: "comments" });

export const Identifier = createToken({
  name: "Identifier",
  pattern: /[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*/,
  label: "a name",
});

/** `v1`, `v1.2` — also a name by category, so a field may be called `v1`. */
export const Version = createToken({
  name: "Version",
  pattern: /v\d+(?:\.\d+)?/,
  longer_alt: Identifier,
  categories: [Identifier],
  label: "a version such as `v1.2`",
});

/** A number with an optional unit: `12`, `-3`, `0.5`, `200ms`, `7d`, `2000/s`, `5k/s`, `1MiB`, `5M`. */
export const Quantity = createToken({
  name: "Quantity",
  pattern: /-?\d+(?:\.\d+)?(?:[A-Za-z]+)?(?:\/[A-Za-z]+)?/,
  label: "a number",
});

/** The closing quote is optional here so an unterminated string is one token, reported by the builder. */
export const StringLiteral = createToken({
  name: "StringLiteral",
  pattern: /"(?:[^"\\\r\n]|\\.)*"?/,
  label: "a string",
});

/**
 * Habits from other languages that the lexer recognises whole, so that each costs one error that says what to
 * write instead (parse.ts), not a cascade over the text they hold. None of them is valid `.evt`: a file with one
 * is never taken by the direct lexer, and a single-quoted string is read as the string it was meant to be.
 */
export const SingleQuotedString = createToken({
  name: "SingleQuotedString",
  pattern: /'[^'\r\n]*'?/,
  categories: [StringLiteral],
  label: "a string",
});
export const BlockComment = createToken({
  name: "BlockComment",
  // To its `*/`, or to the end of the file when it has none.
  pattern: /\/\*(?:[^*]|\*(?!\/))*(?:\*\/)?/,
  line_breaks: true,
  group: "mistakes",
});
/** `# note`: a `#` before a space or a line's end (`#billing`, a chat channel unquoted, is another mistake). */
export const HashComment = createToken({ name: "HashComment", pattern: /#(?![^ \t\r\n])[^\r\n]*/, group: "mistakes" });

function punctuation(name: string, text: string): TokenType {
  return createToken({ name, pattern: text, label: `\`${text}\`` });
}

export const LCurly = punctuation("LCurly", "{");
export const RCurly = punctuation("RCurly", "}");
export const LAngle = punctuation("LAngle", "<");
export const RAngle = punctuation("RAngle", ">");
export const LSquare = punctuation("LSquare", "[");
export const RSquare = punctuation("RSquare", "]");
export const LParen = punctuation("LParen", "(");
export const RParen = punctuation("RParen", ")");
export const Comma = punctuation("Comma", ",");
export const Question = punctuation("Question", "?");
export const Equals = punctuation("Equals", "=");
export const At = punctuation("At", "@");
export const DotDot = punctuation("DotDot", "..");

/** The punctuation that is one character long (`.` is not: it may start `..`). */
export const singleCharacterPunctuation: readonly TokenType[] = [
  LCurly,
  RCurly,
  LAngle,
  RAngle,
  LSquare,
  RSquare,
  LParen,
  RParen,
  Comma,
  Question,
  Equals,
  At,
];
export const Dot = punctuation("Dot", ".");

/** The text of a keyword token type (`Kw_best_effort` → `best-effort`). */
export function keywordText(type: TokenType): string {
  const label = type.LABEL ?? type.name;
  return label.replace(/`/g, "");
}

const keywordTypes: TokenType[] = [];

function keyword(text: string): TokenType {
  const name = "Kw_" + text.replace(/-/g, "_");
  const token = createToken({
    name,
    pattern: text,
    longer_alt: Identifier,
    categories: [Identifier],
    label: `\`${text}\``,
  });
  keywordTypes.push(token);
  return token;
}

// Declarations
export const Team = keyword("team");
export const Domain = keyword("domain");
export const Segment = keyword("segment");
export const Enum = keyword("enum");
export const Record = keyword("record");
export const Event = keyword("event");
export const Topic = keyword("topic");
export const Backend = keyword("backend");
export const Consumer = keyword("consumer");
export const Enricher = keyword("enricher");

// Clauses and the words inside them
export const Contact = keyword("contact");
export const Chat = keyword("chat");
export const Owner = keyword("owner");
export const Delegate = keyword("delegate");
export const Extends = keyword("extends");
export const Key = keyword("key");
export const Cardinality = keyword("cardinality");
export const Partitions = keyword("partitions");
export const Retention = keyword("retention");
export const Compacted = keyword("compacted");
export const Rate = keyword("rate");
export const Peak = keyword("peak");
export const Compatibility = keyword("compatibility");
export const Public = keyword("public");
export const Internal = keyword("internal");
export const MaxSize = keyword("maxSize");
export const ExpectedConsumers = keyword("expectedConsumers");
export const Capacity = keyword("capacity");
export const Latency = keyword("latency");
export const From = keyword("from");
export const Ordered = keyword("ordered");
export const Unordered = keyword("unordered");
export const Guaranteed = keyword("guaranteed");
export const BestEffort = keyword("best-effort");
export const Deadline = keyword("deadline");
export const Retry = keyword("retry");
export const Backoff = keyword("backoff");
export const Lookup = keyword("lookup");
export const By = keyword("by");
export const Cache = keyword("cache");
export const Accepts = keyword("accepts");
export const Dlq = keyword("dlq");
export const Concurrency = keyword("concurrency");
export const Publish = keyword("publish");
export const As = keyword("as");
export const Replicas = keyword("replicas");
export const MinInsync = keyword("minInsync");
export const Pattern = keyword("pattern");
export const Min = keyword("min");
export const Max = keyword("max");
export const MinLength = keyword("minLength");
export const MaxLength = keyword("maxLength");
export const MinItems = keyword("minItems");
export const MaxItems = keyword("maxItems");

export const keywords: readonly TokenType[] = keywordTypes;

/**
 * Order matters: doc comments before comments, `..` before `.`, keywords before names, and longer keywords
 * before their prefixes (`maxLength` before `max`), since the lexer takes the first pattern that matches.
 */
const keywordsLongestFirst = [...keywordTypes].sort((a, b) => {
  const [first, second] = [keywordText(a), keywordText(b)];
  // Code units, not `localeCompare`: that would set up a collator, some 15 ms of every start-up.
  return second.length - first.length || (first < second ? -1 : first > second ? 1 : 0);
});

export const allTokens: TokenType[] = [
  WhiteSpace,
  DocComment,
  Comment,
  BlockComment,
  HashComment,
  StringLiteral,
  SingleQuotedString,
  Version,
  Quantity,
  ...keywordsLongestFirst,
  Identifier,
  ...singleCharacterPunctuation,
  DotDot,
  Dot,
];

let lexer: ChevrotainLexer | undefined;

/**
 * chevrotain's lexer for these tokens, made on first use (some 50 ms): files are lexed by lex-direct.ts, and by
 * this lexer only when that one gives up, and by the tools that need chevrotain's tokens.
 */
export function evtLexer(): ChevrotainLexer {
  lexer ??= new Lexer(allTokens, { ensureOptimizations: true, positionTracking: "full" });
  return lexer;
}
