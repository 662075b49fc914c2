import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SourceFile } from "../../src/diagnostics/source.js";
import { DocIndex } from "../../src/syntax/docs.js";
import { lexDirect } from "../../src/syntax/lex-direct.js";
import { parseDirect } from "../../src/syntax/parse-direct.js";
import { parseSource, parseWithRecovery, type ParseResult } from "../../src/syntax/parse.js";
import { evtLexer, keywords, keywordText, singleCharacterPunctuation } from "../../src/syntax/tokens.js";
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
  return JSON.stringify(result, (_key, value: unknown) => (value instanceof SourceFile ? undefined : value));
}

/** What the direct lexer and parser make of a file, `undefined` when either gives up. */
function direct(source: SourceFile) {
  const lexed = lexDirect(source.text);
  return lexed && parseDirect(source, lexed.tokens, new DocIndex(source, lexed.docs, lexed.tokens));
}

/** `{`, `}`, `<`… as tokens.ts defines them. */
const punctuation = singleCharacterPunctuation.map((type) => type.PATTERN as string);

const palette = [
  ...punctuation,
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
      "team a.b { }",
      "record R v1 { }",
      "consumer a.b { lookup crm by owner }",
      "consumer a.b { retry 3 backoff 1s, 5s }",
      "topic a.b { rate 1/s, 2/s }",
      "enum E { A = 1 }",
      "topic a.b { key id cardinality = 5 }",
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

  it("takes the clean files made from the grammar, and gives up on them once damaged, as the chevrotain parser decides", () => {
    const next = random(23);
    const counts = { taken: 0, left: 0 };
    for (let n = 0; n < 3_000; n++) {
      let text = program(next);
      if (n % 2 === 1) {
        // One piece deleted, doubled, or a palette piece inserted.
        const pieces = text.split(/(\s+)/);
        const at = Math.floor(next() * pieces.length);
        const how = next();
        if (how < 0.3) pieces.splice(at, 1);
        else if (how < 0.6) pieces.splice(at, 0, ` ${palette[Math.floor(next() * palette.length)]} `);
        else pieces.splice(at, 0, pieces[at] ?? "", " ");
        text = pieces.join("");
      }
      const source = new SourceFile(`generated-${n}.evt`, text);
      const expected = parseWithRecovery(source);
      expect(serialise(parseSource(source)), text).toBe(serialise(expected));
      const declarations = direct(source);
      if (expected.diagnostics.length > 0) {
        expect(declarations, text).toBeUndefined();
        counts.left++;
      } else {
        expect(declarations, text).toBeDefined();
        counts.taken++;
      }
    }
    expect(counts.taken).toBeGreaterThan(1_500);
    expect(counts.left).toBeGreaterThan(500);
  });

  it("takes clean files whose names are keywords and versions", () => {
    for (const text of ["team v1 { }", "topic v1.v2 { owner v1 }", "record event { owner min key string }"]) {
      const source = new SourceFile("clean.evt", text);
      expect(parseWithRecovery(source).diagnostics, text).toEqual([]);
      expect(direct(source), text).toBeDefined();
    }
  });
});

/**
 * A random file of the language, clean as far as the parser goes (names need not resolve): every declaration and
 * clause, keywords and versions as names, doc comments above and after things, every kind of line break.
 */
function program(next: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const maybe = (p: number) => next() < p;
  const keywordWords = keywords.map(keywordText);
  const word = () => (maybe(0.5) ? pick(keywordWords) : pick(["x", "E", "billing", "v1", "v2.3", "a-b", "id"]));
  const dotted = () => {
    let name = word();
    while (maybe(0.3)) name += `.${word()}`;
    return name;
  };
  const quantity = () => pick(["12", "-3", "0.5", "5s", "2000/s", "1MiB", "7d"]);
  const string = () => pick(['"x"', '"a\\nb"', '"\\u00e9"', '""']);
  const version = () => pick(["v1", "v2.1", "v10"]);
  const lineBreak = () => pick(["\n", "\r\n", "\r", "\n\n"]);
  const space = () =>
    pick([
      () => " ",
      () => " ",
      () => "\n",
      () => `${lineBreak()}/// a${lineBreak()}/// b${lineBreak()}`,
      () => ` /// after${lineBreak()}`,
      () => "\n// a comment\n",
    ])();
  const literal = () => pick([string, quantity, word])();
  const annotations = () => {
    let out = "";
    while (maybe(0.25)) {
      out += `@${word()}`;
      if (maybe(0.5)) out += `(${Array.from({ length: Math.floor(next() * 3) }, literal).join(`,${space()}`)})`;
      out += space();
    }
    return out;
  };
  const typeRef = (depth: number): string => {
    let out = word();
    if (depth < 2 && maybe(0.2)) {
      const args = [typeRef(depth + 1)];
      while (maybe(0.3)) args.push(typeRef(depth + 1));
      out += `<${args.join(`,${space()}`)}>`;
    }
    while (maybe(0.15)) out += "[]";
    return out;
  };
  const field = () => {
    let out = `${annotations()}${word()}${maybe(0.2) ? "?" : ""} ${typeRef(0)}`;
    let hasDefault = false;
    while (maybe(0.3)) {
      const kind = Math.floor(next() * 3);
      if (kind === 0) out += ` pattern ${string()}`;
      else if (kind === 1)
        out += ` ${pick(["min", "max", "minLength", "maxLength", "minItems", "maxItems"])} ${quantity()}`;
      else if (!hasDefault) {
        out += ` = ${literal()}`;
        hasDefault = true;
      }
    }
    return out;
  };
  const topicClauses = [
    () => `owner ${word()}`,
    () => `event ${word()}`,
    () => `key ${dotted()}${maybe(0.3) ? ` cardinality ${quantity()}` : ""}`,
    () => `partitions ${quantity()}`,
    () => `retention ${quantity()}`,
    () => "compacted",
    () => `rate ${quantity()}${maybe(0.4) ? ` peak ${quantity()}` : ""}`,
    () => `compatibility ${word()}`,
    () => pick(["public", "internal"]),
    () => `maxSize ${quantity()}`,
    () => `segment ${word()}`,
    () => `expectedConsumers ${quantity()}`,
  ];
  const readerClauses = [
    () => `owner ${word()}`,
    () => `from ${dotted()}`,
    () => pick(["ordered", "unordered", "guaranteed", "best-effort", "dlq"]),
    () => `retry ${quantity()}${maybe(0.5) ? ` backoff ${quantity()}${maybe(0.5) ? `..${quantity()}` : ""}` : ""}`,
    () =>
      `lookup ${dotted()} by ${dotted()}${maybe(0.5) ? ` cache ${quantity()}${maybe(0.5) ? ` cardinality ${quantity()}` : ""}` : ""}`,
    () => `${pick(["latency", "concurrency"])} ${quantity()}`,
  ];
  const clauses: Record<string, (() => string)[]> = {
    team: [() => `contact ${string()}`, () => `chat ${string()}`],
    domain: [() => `owner ${word()}`, () => `delegate ${word()}`],
    segment: [() => "ordered", () => `${pick(["replicas", "minInsync"])} ${quantity()}`],
    topic: topicClauses,
    backend: [() => `owner ${word()}`, () => `${pick(["capacity", "latency"])} ${quantity()}`],
    consumer: [
      ...readerClauses,
      () => `deadline ${quantity()}`,
      () =>
        `accepts ${Array.from({ length: 1 + Math.floor(next() * 3) }, version).join(pick([", ", " "]))}${maybe(0.2) ? "," : ""}`,
    ],
    enricher: [
      ...readerClauses,
      () => `publish ${dotted()} as ${word()}${maybe(0.5) ? ` ${block(topicClauses)}` : ""}`,
    ],
  };
  function block(choices: readonly (() => string)[]): string {
    return `{${space()}${Array.from({ length: Math.floor(next() * 4) }, () => pick(choices)()).join(space())}${space()}}`;
  }
  const declaration = () => {
    const kind = pick([
      "team",
      "domain",
      "segment",
      "topic",
      "backend",
      "consumer",
      "enricher",
      "enum",
      "record",
      "event",
    ]);
    if (kind === "enum") {
      const members = Array.from(
        { length: Math.floor(next() * 4) },
        () => `${space()}${annotations()}${word()}${maybe(0.5) ? "," : ""}`,
      );
      return `${annotations()}enum ${word()} {${members.join("")}${space()}}`;
    }
    if (kind === "record" || kind === "event") {
      let header = `${kind} ${word()}`;
      if (kind === "event" && maybe(0.6)) header += ` ${version()}`;
      if (kind === "event" && maybe(0.3)) header += ` extends ${word()}`;
      const fields = Array.from({ length: Math.floor(next() * 4) }, () => `${space()}${field()}`);
      return `${annotations()}${header} {${fields.join("")}${space()}}`;
    }
    const name = kind === "team" || kind === "domain" || kind === "segment" ? word() : dotted();
    return `${annotations()}${kind} ${name} ${block(clauses[kind]!)}`;
  };
  let text = maybe(0.3) ? "/// at the top\n" : "";
  for (let n = 1 + Math.floor(next() * 3); n > 0; n--) text += declaration() + space();
  return text;
}
