import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SourceFile } from "../../src/diagnostics/source.js";
import { clauseOrder, formatSource, formatText } from "../../src/format/format.js";
import type { ClauseBlockKind } from "../../src/format/layout.js";
import type * as ast from "../../src/syntax/ast.js";
import { parseSource } from "../../src/syntax/parse.js";
import { checkProject, evtFiles, readSource, repo } from "./support.js";

/** The canonical layout, case by case: what `evtc fmt` makes of a file (docs/cli.md, `evtc fmt`). */
const fmt = (lines: readonly string[]) => formatText(lines.join("\n"));
const text = (lines: readonly string[]) => `${lines.join("\n")}\n`;

describe("the canonical layout", () => {
  it("puts each clause on a line of its own, in the canonical order, with values in one column", () => {
    expect(
      fmt([
        `topic billing.payment.received { public rate 2000/s peak 6000/s key msisdn owner billing`,
        ` event PaymentReceived segment ordered-flows partitions 12 }`,
      ]),
    ).toBe(
      text([
        "topic billing.payment.received {",
        "  owner      billing",
        "  event      PaymentReceived",
        "  key        msisdn",
        "  partitions 12",
        "  rate       2000/s peak 6000/s",
        "  public",
        "  segment    ordered-flows",
        "}",
      ]),
    );
  });

  it("orders the clauses of every kind of block as the table says", () => {
    const clauseText: Partial<Record<ast.ClauseKeyword, string>> = {
      contact: `contact "a@b.example"`,
      chat: `chat "#a"`,
      key: "key id cardinality 1k",
      rate: "rate 1/s peak 2/s",
      compatibility: "compatibility backward",
      retry: "retry 3 backoff 1s..2s",
      lookup: "lookup crm.db by id cache 1m",
      accepts: "accepts v1, v2",
      publish: "publish crm.x.enriched as E",
    };
    const write = (keyword: ast.ClauseKeyword): string => {
      if (clauseText[keyword]) return clauseText[keyword];
      if (["owner", "delegate", "event", "segment", "from"].includes(keyword)) return `${keyword} x`;
      if (["partitions", "replicas", "minInsync", "expectedConsumers", "concurrency"].includes(keyword))
        return `${keyword} 2`;
      if (["retention", "latency", "deadline"].includes(keyword)) return `${keyword} 5s`;
      if (keyword === "maxSize") return "maxSize 1MiB";
      if (keyword === "capacity") return "capacity 10/s";
      return keyword; // a flag
    };
    const blocks = Object.entries(clauseOrder).filter(([block]) => block !== "publish") as [
      Exclude<ClauseBlockKind, "publish">,
      readonly (readonly ast.ClauseKeyword[])[],
    ][];
    for (const [block, groups] of blocks) {
      // One clause of each rank (the first of a group: the others exclude it), written in reverse.
      const canonical = groups.map((group) => group[0]!);
      const name = ["team", "domain", "segment"].includes(block) ? "a" : "a.b";
      const input = `${block} ${name} { ${[...canonical].reverse().map(write).join(" ")} }`;
      const output = formatText(input);
      const keywords = output
        .split("\n")
        .slice(1, -2)
        .map((line) => line.trim().split(/\s+/)[0]);
      expect(keywords, block).toEqual(canonical);
    }
  });

  it("keeps the written order of clauses that share a rank: repeated clauses, and clauses that exclude each other", () => {
    expect(fmt([`team t { chat "#b" contact "z@t.example" chat "#a" contact "a@t.example" }`])).toBe(
      text(["team t {", `  contact "z@t.example"`, `  contact "a@t.example"`, `  chat    "#b"`, `  chat    "#a"`, "}"]),
    );
    expect(fmt([`consumer c.x { guaranteed unordered ordered owner t from a.b }`])).toBe(
      text(["consumer c.x {", "  owner t", "  from  a.b", "  unordered", "  ordered", "  guaranteed", "}"]),
    );
  });

  it("orders the override block of a publish clause, and puts publish last", () => {
    expect(fmt([`enricher e.x { publish a.b as E { segment s maxSize 1MiB key id } owner t from c.d }`])).toBe(
      text([
        "enricher e.x {",
        "  owner   t",
        "  from    c.d",
        "  publish a.b as E {",
        "    key     id",
        "    maxSize 1MiB",
        "    segment s",
        "  }",
        "}",
      ]),
    );
  });

  it("aligns field names, types and constraints; constraints keep their order, the default comes last", () => {
    expect(fmt([`record R { id uuid  note? string = "x" maxLength 10 pattern "^a"  tags string[] }`])).toBe(
      text(["record R {", "  id    uuid", `  note? string maxLength 10 pattern "^a" = "x"`, "  tags  string[]", "}"]),
    );
  });

  it("writes enum members one per line without commas, annotations on lines of their own", () => {
    expect(fmt([`@deprecated("old") enum E { A, B, @deprecated("use A") C, }`])).toBe(
      text([`@deprecated("old")`, "enum E {", "  A", "  B", `  @deprecated("use A")`, "  C", "}"]),
    );
  });

  it("writes an empty block as {} and normalises spaces inside values", () => {
    expect(fmt(["team t{}", "event E v1 extends B {", "}", "record R { m map < int > [ ] }"])).toBe(
      text(["team t {}", "", "event E v1 extends B {}", "", "record R {", "  m map<int>[]", "}"]),
    );
  });

  it("separates declarations by exactly one blank line, and keeps at most one between fields", () => {
    expect(fmt(["team a {}", "team b {}", "", "", "", "record R {", "", "  a int", "", "", "  b int", "", "}"])).toBe(
      text(["team a {}", "", "team b {}", "", "record R {", "  a int", "", "  b int", "}"]),
    );
  });

  it("writes LF line endings, no trailing spaces and one final newline", () => {
    expect(formatText('team a {   \r\n  contact "x"   // note   \r\n}\r\n\r\n\r\n')).toBe(
      text(["team a {", `  contact "x" // note`, "}"]),
    );
    expect(formatText("")).toBe("");
  });
});

describe("comments in the canonical layout", () => {
  it("keeps own-line comments above the code they were above, and trailing comments after it, aligned", () => {
    const input = [
      "// header",
      "",
      "topic a.b.c { // the topic",
      "  public",
      "  // who",
      "  owner t",
      "  event E // the contract",
      "}",
      "// the end",
    ];
    expect(fmt(input)).toBe(
      text([
        "// header",
        "",
        "topic a.b.c { // the topic",
        "  // who",
        "  owner t",
        "  event E // the contract",
        "  public",
        "}",
        "",
        "// the end",
      ]),
    );
  });

  it("moves a clause's comments with the clause", () => {
    expect(
      fmt(["consumer c.x {", "  dlq // dead letters", "  /// not documentation", "  owner t", "  from a.b", "}"]),
    ).toBe(
      text(["consumer c.x {", "  /// not documentation", "  owner t", "  from  a.b", "  dlq // dead letters", "}"]),
    );
  });

  it("keeps doc comments on the node they document, and detached ones detached", () => {
    const input = [
      "/// The outcome of a top-up.",
      "enum TopUpStatus {",
      "  ACCEPTED /// Went through.",
      "  /// Declined.",
      "  DECLINED",
      "  /// Detached by the blank line below.",
      "",
      "  PENDING",
      "}",
    ];
    const output = fmt(input);
    expect(output).toBe(text(input));
    const members = parseSource(new SourceFile("x.evt", output)).file.declarations[0] as ast.EnumDeclaration;
    expect(members.docs).toEqual(["The outcome of a top-up."]);
    expect(members.members.map((m) => m.docs)).toEqual([["Went through."], ["Declined."], []]);
  });

  it("reads a doc comment after a member and its comma as the member's, and keeps it so", () => {
    const input = ["enum E { A, /// after a comma: documents A", "B }"];
    const parsed = parseSource(new SourceFile("x.evt", input.join("\n") + "\n")).file
      .declarations[0] as ast.EnumDeclaration;
    expect(parsed.members.map((m) => m.docs)).toEqual([["after a comma: documents A"], []]);
    const output = fmt(input);
    expect(output).toBe(text(["enum E {", "  A /// after a comma: documents A", "  B", "}"]));
    const decl = parseSource(new SourceFile("x.evt", output)).file.declarations[0] as ast.EnumDeclaration;
    expect(decl.members.map((m) => m.docs)).toEqual([["after a comma: documents A"], []]);
  });

  it("keeps the doc comment of a publish clause with it", () => {
    expect(fmt(["enricher e.x {", "  /// The enriched payments.", "  publish a.b as E", "  owner t from c.d }"])).toBe(
      text([
        "enricher e.x {",
        "  owner   t",
        "  from    c.d",
        "  /// The enriched payments.",
        "  publish a.b as E",
        "}",
      ]),
    );
  });
});

describe("files evtc fmt refuses", () => {
  it("returns the syntax errors of a file that does not parse, and no text", () => {
    const result = formatSource(new SourceFile("x.evt", 'team a { chatt "#a" }\n'));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.diagnostics.map((d) => d.code)).toEqual(["EVT0203"]);
    expect(() => formatText("topc a {}")).toThrow(/syntax errors/);
  });
});

/**
 * The examples written in the worst layout evtc accepts: each declaration without comments inside on one line,
 * its clauses in reverse canonical order (clauses of one rank keep their order), enum members with commas, no
 * blank line between declarations that have no comment between them.
 * Formatting that gives back the examples exactly: the layout depends on nothing but the meaning.
 */
function scramble(source: SourceFile): SourceFile {
  const file = parseSource(source).file;
  const slice = (node: ast.Node) => source.text.slice(node.span.start, node.span.end);
  let out = "";
  let at = 0;
  for (const decl of file.declarations) {
    if (file.comments.some((c) => c.span.start > decl.keywordSpan.start && c.span.start < decl.span.end)) continue;
    const headerEnd = source.text.indexOf("{", decl.name.span.end);
    const header = source.text.slice(decl.span.start, headerEnd).replace(/\s+/g, " ").trim();
    let body: string[];
    if (decl.kind === "enum") body = decl.members.map((m, i) => `${slice(m)}${i % 2 === 0 ? "," : ""}`);
    else if (decl.kind === "record" || decl.kind === "event") body = decl.fields.map(slice);
    else {
      const rank = new Map(clauseOrder[decl.kind].flatMap((group, r) => group.map((k) => [k, r] as const)));
      body = [...decl.clauses]
        .map((clause, index) => ({ clause, index }))
        .sort((a, b) => rank.get(b.clause.keyword)! - rank.get(a.clause.keyword)! || a.index - b.index)
        .map(({ clause }) => slice(clause).replace(/\s+/g, " "));
    }
    const gap = source.text.slice(at, decl.span.start);
    out += (at > 0 && gap.trim() === "" ? "\n" : gap) + `${header} {  ${body.join("   ")} }`;
    at = decl.span.end;
  }
  return new SourceFile(source.path, out + source.text.slice(at));
}

describe("one layout whatever the input's", () => {
  const examples = evtFiles("examples").map(readSource);

  it("scrambling changes the examples but not what they mean", () => {
    const scrambled = examples.map(scramble);
    expect(scrambled.filter((s, i) => s.text !== examples[i]!.text).length).toBe(examples.length);
    expect(checkProject(scrambled)).toEqual(checkProject(examples));
  });

  for (const example of examples) {
    it(`${example.path}: formatting its scrambled text gives the example back`, () => {
      const result = formatSource(scramble(example));
      expect(result.ok && result.text).toBe(example.text);
    });
  }
});

describe("docs/cli.md", () => {
  it("shows the canonical layout in canonical layout", () => {
    const doc = readFileSync(path.join(repo, "docs", "cli.md"), "utf8");
    const section = doc.slice(doc.indexOf("## `evtc fmt`"));
    const blocks = [...section.matchAll(/```evt\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) expect(formatText(block)).toBe(block);
  });
});
