import { describe, expect, it } from "vitest";
import { clauseKeywords, declarationKeywords, type BlockKind } from "../../src/syntax/parser.js";
import { keywords, keywordText } from "../../src/syntax/tokens.js";
import { scopesOf, tokensOf } from "./textmate.js";

/**
 * Every keyword of the lexer, in every place: a keyword where the parser reads it as one, a name everywhere
 * else. The lists come from the compiler, so a new keyword is tested as soon as it exists. Each test collects
 * the words whose scope is wrong, so a failure names them all.
 */
const declarations = declarationKeywords.map(keywordText);
const blocks = Object.keys(clauseKeywords) as BlockKind[];
const allKeywords = keywords.map(keywordText);
const clauseWordsOf = (block: BlockKind) => clauseKeywords[block].map(keywordText);

async function innermost(source: string, needle: string, occurrence = 0): Promise<string> {
  const scopes = scopesOf(await tokensOf(source), source, needle, occurrence);
  return scopes[scopes.length - 1]!;
}

/** `word: scope` for each word whose innermost scope in `source(word)` is not `expected(word)`. */
async function wrongScopes(
  words: readonly string[],
  source: (word: string) => string,
  expected: (word: string) => string,
  occurrence: (word: string) => number = () => 0,
): Promise<string[]> {
  const wrong: string[] = [];
  for (const word of words) {
    const scope = await innermost(source(word), word, occurrence(word));
    if (scope !== expected(word)) wrong.push(`${word}: ${scope}`);
  }
  return wrong;
}

describe("keywords where the parser reads them as keywords", () => {
  it("starts a declaration with each declaration keyword", async () => {
    expect(
      await wrongScopes(
        declarations,
        (word) => `${word} x {\n}`,
        (word) => `storage.type.${word}.evt`,
      ),
    ).toEqual([]);
  });

  it.each(blocks)("reads the clause words of a %s as keywords there", async (block) => {
    const wrong = await wrongScopes(
      clauseWordsOf(block),
      (word) => `${block} x {\n  ${word}\n}`,
      () => "keyword.other.clause.evt",
    );
    expect(wrong).toEqual([]);
  });
});

describe("keywords where the parser reads them as names", () => {
  it.each(blocks)("does not read the clause words of other blocks as keywords in a %s", async (block) => {
    const own = clauseWordsOf(block);
    const foreign = [...new Set(blocks.flatMap(clauseWordsOf))].filter(
      (word) => !own.includes(word) && !declarations.includes(word),
    );
    const wrong = await wrongScopes(
      foreign,
      (word) => `${block} x {\n  ${word}\n}`,
      () => `meta.block.${block}.evt`,
    );
    expect(wrong).toEqual([]);
  });

  it("reads every keyword at the start of a field as the field's name", async () => {
    const wrong = await wrongScopes(
      allKeywords,
      (word) => `event E v1 {\n  ${word} string\n}`,
      () => "variable.other.property.evt",
      (word) => (word === "event" ? 1 : 0),
    );
    expect(wrong).toEqual([]);
  });

  it("reads every keyword in an enum as a member", async () => {
    const wrong = await wrongScopes(
      allKeywords,
      (word) => `enum E {\n  ${word}\n}`,
      () => "variable.other.enummember.evt",
      (word) => (word === "enum" ? 1 : 0),
    );
    expect(wrong).toEqual([]);
  });

  it("reads a keyword after `owner` as a team name, unless it may not be one there (a clause word)", async () => {
    const consumerWords = clauseWordsOf("consumer");
    const wrong = await wrongScopes(
      allKeywords.filter((word) => !declarations.includes(word) && word !== "owner"),
      (word) => `consumer x {\n  owner ${word}\n}`,
      (word) => (consumerWords.includes(word) ? "keyword.other.clause.evt" : "entity.name.namespace.team.evt"),
    );
    expect(wrong).toEqual([]);
  });
});
