import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SourceFile } from "../../src/diagnostics/source.js";
import { DocIndex } from "../../src/syntax/docs.js";
import { lexDirect } from "../../src/syntax/lex-direct.js";
import { parseDirect } from "../../src/syntax/parse-direct.js";
import { parseSource, parseWithRecovery, type ParseResult } from "../../src/syntax/parse.js";
import { evtLexer } from "../../src/syntax/tokens.js";
import { evtFiles, generateBus, random, readSource } from "../support/corpus.js";

/**
 * The direct parser must build exactly what the chevrotain parser and the AST builder build, and give up on
 * every file they report anything about. Compared here on every example and fixture, a generated bus, and
 * damaged copies of all of them.
 */

const scratch = mkdtempSync(path.join(os.tmpdir(), "evtc-parse-direct-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Everything a parse produced, spans as offsets, keys in the order they were built. */
function serialise(result: ParseResult): string {
  return JSON.stringify(result, (key, value: unknown) =>
    key === "file" && value instanceof SourceFile ? undefined : value,
  );
}

/** What the direct lexer and parser make of a file, `undefined` when either gives up. */
function direct(source: SourceFile) {
  const lexed = lexDirect(source.text);
  return lexed && parseDirect(source, lexed.tokens, new DocIndex(source, lexed.docs, lexed.tokens));
}

const palette = [
  "{",
  "}",
  "<",
  ">",
  "[",
  "]",
  "(",
  ")",
  ",",
  "?",
  "=",
  "@",
  "..",
  ".",
  "owner",
  "event",
  "segment",
  "v1",
  "v2.1",
  "12",
  "5s",
  "-3",
  '"x"',
  '"a\\q"',
  '"open',
  "team",
  "topic",
  "record",
  "enum",
  "key",
  "min",
  "pattern",
  "ordered",
  "dlq",
  "publish",
  "as",
  "accepts",
  "from",
  "by",
  "cache",
  "cardinality",
  "extends",
  "lookup",
  "retry",
  "backoff",
  "rate",
  "peak",
  "partitions",
  "contact",
  "delegate",
  "x",
  "x.y",
  "$",
  "\n/// a doc line\n",
  "/// trailing\n",
];

/**
 * Copies of `text` with one token deleted, doubled, swapped with the next or replaced, a token inserted, or a
 * run of a few tokens doubled or deleted (`= 1 = 1`, `owner x owner x`).
 */
function mutants(text: string, count: number, seed: number): string[] {
  const tokens = evtLexer().tokenize(text).tokens;
  if (tokens.length < 2) return [];
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const out: string[] = [];
  for (let n = 0; n < count; n++) {
    const index = Math.floor(next() * (tokens.length - 1));
    const tok = tokens[index]!;
    const after = tokens[index + 1]!;
    const start = tok.startOffset;
    const end = tok.endOffset! + 1;
    const before = text.slice(0, start);
    const rest = text.slice(end);
    const runEnd = tokens[Math.min(tokens.length - 1, index + 1 + Math.floor(next() * 3))]!.endOffset! + 1;
    switch (Math.floor(next() * 7)) {
      case 5:
        out.push(text.slice(0, runEnd) + " " + text.slice(start, runEnd) + text.slice(runEnd));
        break;
      case 6:
        out.push(before + text.slice(runEnd));
        break;
      case 0:
        out.push(before + rest);
        break;
      case 1:
        out.push(before + tok.image + " " + tok.image + rest);
        break;
      case 2:
        out.push(
          before + after.image + text.slice(end, after.startOffset) + tok.image + text.slice(after.endOffset! + 1),
        );
        break;
      case 3:
        out.push(before + pick(palette) + rest);
        break;
      default:
        out.push(before + pick(palette) + " " + tok.image + rest);
    }
  }
  return out;
}

const corpus = [...evtFiles("examples"), ...evtFiles("test/fixtures")].map(readSource);

describe("the direct parser", { timeout: 120_000 }, () => {
  const bus = generateBus(40, scratch);
  const generated = readdirSync(bus)
    .filter((name) => name.endsWith(".evt"))
    .sort()
    .map((name) => new SourceFile(`bus-40/${name}`, readFileSync(path.join(bus, name), "utf8")));
  const files = [...corpus, ...generated];

  it("takes every file that parses without a diagnostic, and builds the same AST as the chevrotain parser", () => {
    let clean = 0;
    for (const source of files) {
      const expected = parseWithRecovery(source);
      expect(serialise(parseSource(source)), source.path).toBe(serialise(expected));
      if (expected.diagnostics.length > 0) {
        expect(direct(source), source.path).toBeUndefined();
        continue;
      }
      clean++;
      const declarations = direct(source);
      expect(declarations, source.path).toBeDefined();
      expect(JSON.stringify(declarations, (key, value: unknown) => (key === "file" ? undefined : value))).toBe(
        JSON.stringify(expected.file.declarations, (key, value: unknown) => (key === "file" ? undefined : value)),
      );
    }
    // The examples and the generated bus are all clean; the diagnostics fixtures are not.
    expect(clean).toBeGreaterThan(files.length / 2);
  });

  it("gives up on every damaged copy that the chevrotain parser reports anything about, and only on those", () => {
    let taken = 0;
    let left = 0;
    files.forEach((source, fileIndex) => {
      // The fixture with every form gets most of the damage; the generated bus is large and repetitive.
      const count = source.path.endsWith("every-form.evt") ? 1000 : source.path.includes("bus-40") ? 20 : 60;
      mutants(source.text, count, fileIndex + 1).forEach((text, n) => {
        const mutant = new SourceFile(`${source.path}#${n}`, text);
        const expected = parseWithRecovery(mutant);
        expect(serialise(parseSource(mutant)), `${mutant.path}:\n${text}`).toBe(serialise(expected));
        const declarations = direct(mutant);
        if (expected.diagnostics.length > 0) {
          expect(declarations, `${mutant.path}:\n${text}`).toBeUndefined();
          left++;
        } else {
          expect(declarations, `${mutant.path}:\n${text}`).toBeDefined();
          taken++;
        }
      });
    });
    // Both ways are exercised: some damage still parses (a doubled clause, a deleted comma), most does not.
    expect(taken).toBeGreaterThan(100);
    expect(left).toBeGreaterThan(1000);
  });

  it("gives up on mistakes one step from a valid file, which random damage seldom makes", () => {
    const nearMisses = [
      "record R { a int = 1 = 2 }",
      "event E v1 extends A.b { }",
      "event E v1 v2 { }",
      "topic a.b.c { owner billing\nevent E v1 { }",
      "topic a.b.c { segment s\nsegment s { }",
      "topic a.b.c { event E extends F { } }",
      "topic a.b.c { owner billing team t { } }",
      "consumer a.b { accepts }",
      "consumer a.b { accepts v1 2 }",
      "enricher a.b { accepts v1 }",
      "consumer a.b { publish x.y as E }",
      "team t { owner x }",
      "segment s { dlq }",
      "segment s { partitions 3 }",
      "domain d { owner delegate }",
      "domain d { delegate owner }",
      "topic a.b.c { key owner }",
      "topic a.b.c { compatibility event }",
      "consumer a.b { from owner.x }",
      "enricher e.x { publish a.b as owner }",
      "enricher e.x { publish a.b as E { retry 3 } }",
      'record R { a int min "x" }',
      "record R { a string pattern 5 }",
      "record R { a int = }",
      "record R { a? }",
      'team t { contact "a\\q" }',
      'team t { contact "open }',
      "@a(,) team t { }",
      "@a(x,) team t { }",
      "@a(x y) team t { }",
      "@ team t { }",
      "@a",
      "record R { a map<> }",
      "record R { a map<int,> }",
      "record R { a int[ }",
      "record R { a int] }",
      "enum E { 5 }",
      "enum E { @a }",
      "topic a. { }",
      "topic a..b { }",
      "consumer a.b { lookup crm by }",
      "consumer a.b { lookup crm cache 1m }",
      "consumer a.b { lookup crm by id cache }",
      "consumer a.b { lookup crm by id cache 1m cardinality }",
      "consumer a.b { retry 3 backoff 1s.. }",
      "consumer a.b { retry backoff 1s }",
      "topic a.b.c { rate 1/s peak }",
      "topic a.b.c { key id cardinality }",
      "topic a.b.c { partitions }",
      "topic a.b.c { }}",
      "} team t { }",
      "team t { } 5",
      "teams t { }",
      "team t {",
      "team { }",
    ];
    for (const text of nearMisses) {
      const source = new SourceFile("near-miss.evt", text);
      const expected = parseWithRecovery(source);
      expect(expected.diagnostics.length, text).toBeGreaterThan(0);
      expect(serialise(parseSource(source)), text).toBe(serialise(expected));
      expect(direct(source), text).toBeUndefined();
    }
  });
});
