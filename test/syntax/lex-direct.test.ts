import { describe, expect, it } from "vitest";
import { lexDirect } from "../../src/syntax/lex-direct.js";
import { evtLexer, type Token, singleCharacterPunctuation, SingleQuotedString } from "../../src/syntax/tokens.js";
import { evtFiles, random, readSource } from "../support/corpus.js";

/**
 * The direct lexer must make exactly chevrotain's tokens (type, text, offsets; code, doc comments and comments
 * apart), and give up exactly where chevrotain reports a character no token starts with, or recognises a
 * habit from another language (a `#` or block comment, a single-quoted string).
 */

function shown(tokens: readonly Token[]): string[] {
  return tokens.map((tok) => `${tok.tokenType.name} ${JSON.stringify(tok.image)} ${tok.startOffset}-${tok.endOffset}`);
}

function expectSameTokens(text: string): "taken" | "left" {
  const expected = evtLexer().tokenize(text);
  const lexed = lexDirect(text);
  // A habit from another language that chevrotain's lexer recognises whole (tokens.ts) is an error too.
  const mistaken =
    (expected.groups["mistakes"] ?? []).length > 0 ||
    expected.tokens.some((tok) => tok.tokenType === SingleQuotedString);
  if (expected.errors.length > 0 || mistaken) {
    expect(lexed, JSON.stringify(text)).toBeUndefined();
    return "left";
  }
  expect(lexed, JSON.stringify(text)).toBeDefined();
  const groups = (name: string) => shown((expected.groups[name] ?? []) as Token[]);
  expect(
    { tokens: shown(lexed!.tokens), docs: shown(lexed!.docs), comments: shown(lexed!.comments) },
    JSON.stringify(text),
  ).toEqual({ tokens: shown(expected.tokens), docs: groups("docs"), comments: groups("comments") });
  return "taken";
}

// Pieces that sit on the edges between token patterns: keywords and their prefixes and extensions, versions
// and names that look like them, numbers with units, comments of two, three and four slashes, escapes.
/** `{`, `}`, `<`… as tokens.ts defines them. */
const punctuation = singleCharacterPunctuation.map((type) => type.PATTERN as string);

const pieces = [
  "team",
  "teams",
  "max",
  "maxLength",
  "maxLengthy",
  "min-x",
  "best-effort",
  "best-",
  "best-effort-x",
  "v",
  "v1",
  "v1.2",
  "v1.2.3",
  "v1x",
  "v1-beta",
  "v12a",
  "vv1",
  "x-1",
  "_a",
  "A",
  "12",
  "-3",
  "0.5",
  "5s",
  "2000/s",
  "5k/s",
  "1MiB",
  "1/",
  "-",
  "-x",
  "1.",
  "1..2",
  ".",
  "..",
  "...",
  "/",
  "//",
  "///",
  "////",
  "/// doc",
  "// c",
  '"',
  '"a"',
  '"a\\"b"',
  '"\\',
  '"\\u00e9"',
  '"open',
  ...punctuation,
  "é",
  "$",
  "#",
  "# x",
  "'",
  "'a'",
  "/*",
  "*/",
  "*",
  "\t",
  "\n",
  "\r\n",
  "\r",
  "\v",
  "\f",
  " ",
  "  ",
  "\u00a0",
  "\ufeff",
  "😀",
];

describe("the direct lexer", () => {
  it("makes chevrotain's tokens for every example and fixture", () => {
    for (const file of evtFiles("examples")) expect(expectSameTokens(readSource(file).text), file).toBe("taken");
    // One of them has characters no token starts with, on purpose.
    const fixtures = evtFiles("test/fixtures").map((file) => expectSameTokens(readSource(file).text));
    expect(fixtures.filter((result) => result === "taken").length).toBeGreaterThan(10);
    expect(fixtures).toContain("left");
  });

  it("makes chevrotain's tokens, or gives up where chevrotain reports an error, on text made of edge pieces", () => {
    const next = random(7);
    const counts = { taken: 0, left: 0 };
    for (let n = 0; n < 20_000; n++) {
      let text = "";
      const length = 1 + Math.floor(next() * 8);
      for (let i = 0; i < length; i++) {
        text += pieces[Math.floor(next() * pieces.length)];
        if (next() < 0.4) text += " ";
      }
      counts[expectSameTokens(text)]++;
    }
    // Both ways are exercised.
    expect(counts.taken).toBeGreaterThan(2_000);
    expect(counts.left).toBeGreaterThan(2_000);
  });

  it("makes chevrotain's tokens on copies of the examples with a character deleted, replaced or inserted", () => {
    const next = random(11);
    const alphabet = 'av1.-/"\\ \n{}é$';
    const counts = { taken: 0, left: 0 };
    for (const file of evtFiles("examples")) {
      const text = readSource(file).text;
      for (let n = 0; n < 300; n++) {
        const at = Math.floor(next() * text.length);
        const character = alphabet[Math.floor(next() * alphabet.length)]!;
        const how = Math.floor(next() * 3);
        const changed =
          how === 0
            ? text.slice(0, at) + text.slice(at + 1)
            : how === 1
              ? text.slice(0, at) + character + text.slice(at + 1)
              : text.slice(0, at) + character + text.slice(at);
        counts[expectSameTokens(changed)]++;
      }
    }
    expect(counts.taken).toBeGreaterThan(500);
    expect(counts.left).toBeGreaterThan(100);
  });
});
