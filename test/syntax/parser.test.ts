import { describe, expect, it } from "vitest";
import { SourceFile } from "../../src/diagnostics/source.js";
import type * as ast from "../../src/syntax/ast.js";
import { parseSource } from "../../src/syntax/parse.js";
import { mark } from "../support/inline.js";

function parse(text: string) {
  return parseSource(new SourceFile("test.evt", text));
}

function parseClean(text: string) {
  const result = parse(text);
  expect(result.diagnostics.map((d) => `${d.code}: ${d.message}`)).toEqual([]);
  return result.file;
}

function only<K extends ast.DeclarationKind>(file: ast.EvtFile, kind: K): Extract<ast.Declaration, { kind: K }> {
  const decl = file.declarations.find((d) => d.kind === kind);
  if (!decl) throw new Error(`no ${kind} declaration`);
  return decl as Extract<ast.Declaration, { kind: K }>;
}

function clauses(decl: { clauses: readonly ast.Clause[] }): string[] {
  return decl.clauses.map((c) => c.keyword);
}

function textOf(file: ast.EvtFile, node: { span: { start: number; end: number } }): string {
  return file.source.text.slice(node.span.start, node.span.end);
}

describe("declarations", () => {
  it("parses a team with repeated contacts and a chat", () => {
    const file = parseClean(`team billing { contact "a@x.example" contact "b@x.example" chat "#billing" }`);
    const team = only(file, "team");
    expect(team.name.text).toBe("billing");
    expect(clauses(team)).toEqual(["contact", "contact", "chat"]);
    expect(team.clauses.map((c) => (c as ast.StringClause).value.value)).toEqual([
      "a@x.example",
      "b@x.example",
      "#billing",
    ]);
  });

  it("parses a domain and a segment", () => {
    const file = parseClean(
      `domain billing { owner billing }\nsegment ordered-flows { ordered replicas 3 minInsync 2 }`,
    );
    expect((only(file, "domain").clauses[0] as ast.NameClause).value.text).toBe("billing");
    const segment = only(file, "segment");
    expect(segment.name.text).toBe("ordered-flows");
    expect(clauses(segment)).toEqual(["ordered", "replicas", "minInsync"]);
  });

  it("parses enums with or without commas, with member docs and annotations", () => {
    const file = parseClean(`enum Currency {\n  /// Euro\n  EUR,\n  USD\n  @deprecated("gone") GBP\n}`);
    const e = only(file, "enum");
    expect(e.members.map((m) => m.name.text)).toEqual(["EUR", "USD", "GBP"]);
    expect(e.members[0]!.docs).toEqual(["Euro"]);
    expect(e.members[2]!.annotations[0]!.name.text).toBe("deprecated");
  });

  it("parses an event with version, extends and every kind of field", () => {
    const file = parseClean(`
/// A payment.
event PaymentEnriched v1.2 extends PaymentReceived {
  id        uuid
  msisdn    string pattern "^[0-9]{8,15}$" minLength 8 maxLength 15
  amount    decimal min 0 max 100000
  tags      string[] minItems 1 maxItems 10
  matrix    int[][]
  attrs     map<string>
  nested    map<Profile[]>
  channel?  string = "web"
  count     int = -1
  ratio     double = 0.5
  enabled   boolean = true
  currency  Currency = EUR
  @deprecated("use amount") legacy? long
}`);
    const event = only(file, "event");
    expect(event.name.text).toBe("PaymentEnriched");
    expect(event.version).toMatchObject({ major: 1, minor: 2, text: "v1.2" });
    expect(event.extends?.text).toBe("PaymentReceived");
    expect(event.docs).toEqual(["A payment."]);
    const byName = Object.fromEntries(event.fields.map((f) => [f.name.text, f]));
    expect(Object.keys(byName)).toEqual([
      "id",
      "msisdn",
      "amount",
      "tags",
      "matrix",
      "attrs",
      "nested",
      "channel",
      "count",
      "ratio",
      "enabled",
      "currency",
      "legacy",
    ]);
    expect(byName.msisdn!.constraints.map((c) => c.kind)).toEqual(["pattern", "minLength", "maxLength"]);
    expect(byName.tags!.type.arrayDepth).toBe(1);
    expect(byName.matrix!.type.arrayDepth).toBe(2);
    expect(byName.nested!.type.args[0]!.name.text).toBe("Profile");
    expect(byName.nested!.type.args[0]!.arrayDepth).toBe(1);
    expect(byName.channel!.optional).toBe(true);
    expect(byName.channel!.defaultValue).toMatchObject({ kind: "string", value: "web" });
    expect(byName.count!.defaultValue).toMatchObject({ kind: "quantity", text: "-1" });
    expect(byName.enabled!.defaultValue).toMatchObject({ kind: "word", text: "true" });
    expect(byName.legacy!.annotations[0]!.args[0]).toMatchObject({ kind: "string", value: "use amount" });
  });

  it("parses a record", () => {
    const file = parseClean(`record Profile { name string  age? int }`);
    expect(only(file, "record").fields.map((f) => f.name.text)).toEqual(["name", "age"]);
  });

  it("parses every topic clause", () => {
    const file = parseClean(`
topic billing.payment.received {
  owner billing
  event PaymentReceived
  key customer.msisdn cardinality 5M
  partitions 12
  retention 7d
  compacted
  rate 2000/s peak 6000/s
  compatibility backward-transitive
  public
  maxSize 256KiB
  segment ordered
}`);
    const topic = only(file, "topic");
    expect(topic.name.text).toBe("billing.payment.received");
    expect(clauses(topic)).toEqual([
      "owner",
      "event",
      "key",
      "partitions",
      "retention",
      "compacted",
      "rate",
      "compatibility",
      "public",
      "maxSize",
      "segment",
    ]);
    const key = topic.clauses[2] as ast.KeyClause;
    expect(key.field.text).toBe("customer.msisdn");
    expect(key.cardinality?.text).toBe("5M");
    const rate = topic.clauses[6] as ast.RateClause;
    expect([rate.average.text, rate.peak?.text]).toEqual(["2000/s", "6000/s"]);
    expect((topic.clauses[10] as ast.NameClause).value.text).toBe("ordered");
  });

  it("parses a back-end", () => {
    const file = parseClean(`backend crm.customer-db { owner crm capacity 400/s latency 20ms }`);
    const backend = only(file, "backend");
    expect(backend.name.text).toBe("crm.customer-db");
    expect(clauses(backend)).toEqual(["owner", "capacity", "latency"]);
  });

  it("parses every consumer clause", () => {
    const file = parseClean(`
consumer crm.payment-sync {
  owner crm
  from billing.payment.enriched
  ordered guaranteed
  deadline 5s
  retry 5 backoff 200ms..30s
  lookup crm.customer-db by msisdn cache 1m
  lookup crm.tariff-db by account.tariffId
  accepts v1, v2 v3
  dlq
  latency 15ms
  concurrency 8
}`);
    const consumer = only(file, "consumer");
    expect(clauses(consumer)).toEqual([
      "owner",
      "from",
      "ordered",
      "guaranteed",
      "deadline",
      "retry",
      "lookup",
      "lookup",
      "accepts",
      "dlq",
      "latency",
      "concurrency",
    ]);
    const retry = consumer.clauses[5] as ast.RetryClause;
    expect([retry.attempts.text, retry.backoffFrom?.text, retry.backoffTo?.text]).toEqual(["5", "200ms", "30s"]);
    const lookup = consumer.clauses[6] as ast.LookupClause;
    expect([lookup.backend.text, lookup.by.text, lookup.cache?.text]).toEqual(["crm.customer-db", "msisdn", "1m"]);
    expect((consumer.clauses[7] as ast.LookupClause).by.text).toBe("account.tariffId");
    expect((consumer.clauses[8] as ast.AcceptsClause).versions.map((v) => v.major)).toEqual([1, 2, 3]);
  });

  it("parses an enricher with a publish override block", () => {
    const file = parseClean(`
enricher crm.payment-customer {
  owner crm
  from billing.payment.received
  lookup crm.customer-db by msisdn cache 20m cardinality 3M
  /// Payments with the customer's profile.
  publish billing.payment.enriched as PaymentEnriched { partitions 24 retention 3d }
  unordered best-effort
  retry 3
}`);
    const enricher = only(file, "enricher");
    expect(clauses(enricher)).toEqual(["owner", "from", "lookup", "publish", "unordered", "best-effort", "retry"]);
    const publish = enricher.clauses[3] as ast.PublishClause;
    expect([publish.topic.text, publish.event.text]).toEqual(["billing.payment.enriched", "PaymentEnriched"]);
    expect(publish.overrides.map((c) => c.keyword)).toEqual(["partitions", "retention"]);
    expect(publish.docs).toEqual(["Payments with the customer's profile."]);
    const lookup = enricher.clauses[2] as ast.LookupClause;
    expect([lookup.cache?.text, lookup.cardinality?.text]).toEqual(["20m", "3M"]);
  });
});

describe("doc comments on block declarations", () => {
  it("keeps the docs of topics, consumers, enrichers and back-ends", () => {
    const file = parseClean(`
/// Payments.
topic billing.payment.received { owner billing event PaymentReceived }
/// Books payments.
consumer crm.payment-sync { owner crm from billing.payment.received }
/// The CRM database.
backend crm.customer-db { owner crm }
`);
    expect(file.declarations.map((d) => d.docs)).toEqual([["Payments."], ["Books payments."], ["The CRM database."]]);
  });
});

describe("contextual keywords", () => {
  it("accepts keywords as field names, type names and values", () => {
    const file = parseClean(`
event Keywords v1 {
  owner   string
  key     string
  event   string
  from    string
  min     int min 0
  max     int
  pattern string pattern "x"
  team    string
  v1      int
  default string
}
domain event { owner from }
team from { contact "t@x.example" }`);
    expect(only(file, "event").fields.map((f) => f.name.text)).toEqual([
      "owner",
      "key",
      "event",
      "from",
      "min",
      "max",
      "pattern",
      "team",
      "v1",
      "default",
    ]);
    expect(only(file, "domain").name.text).toBe("event");
    expect(only(file, "team").name.text).toBe("from");
  });

  it("does not mistake longer names for keywords", () => {
    const file = parseClean(
      `event E v1 { ownership string  maxSizeBytes int  keys string[]  best-effort-flag boolean }`,
    );
    expect(only(file, "event").fields.map((f) => f.name.text)).toEqual([
      "ownership",
      "maxSizeBytes",
      "keys",
      "best-effort-flag",
    ]);
  });
});

describe("comments and doc comments", () => {
  it("attaches leading and trailing doc comments, and keeps every comment", () => {
    const file = parseClean(`
// not a doc
/// First line.
/// Second line.
event E v1 {
  /// Leading.
  a string
  b string /// Trailing.
  //// four slashes: a comment
  c string // "quoted // inside" is a comment
}
topic x.y.z { owner t /// nope, on a clause
  event E }`);
    const event = only(file, "event");
    expect(event.docs).toEqual(["First line.", "Second line."]);
    expect(event.fields.map((f) => f.docs)).toEqual([["Leading."], ["Trailing."], []]);
    expect(file.comments.map((c) => [c.doc, c.text])).toEqual([
      [false, "// not a doc"],
      [true, "/// First line."],
      [true, "/// Second line."],
      [true, "/// Leading."],
      [true, "/// Trailing."],
      [false, "//// four slashes: a comment"],
      [false, `// "quoted // inside" is a comment`],
      [true, "/// nope, on a clause"],
    ]);
  });

  it("documents the outermost node of a one-line declaration", () => {
    const file = parseClean(
      `/// The record.\nrecord T { w int }\nenum E { A, B } /// The enum.\nevent V v1 { a int /// The field.\n}`,
    );
    const [record, anEnum, event] = file.declarations as [
      ast.RecordDeclaration,
      ast.EnumDeclaration,
      ast.EventDeclaration,
    ];
    expect([record.docs, record.fields[0]!.docs]).toEqual([["The record."], []]);
    expect([anEnum.docs, anEnum.members[0]!.docs]).toEqual([["The enum."], []]);
    expect(event.fields[0]!.docs).toEqual(["The field."]);
  });

  it("ends a string at an escaped backslash", () => {
    const file = parseClean(String.raw`team t { contact "C:\\" chat "\\\\" }`);
    expect(only(file, "team").clauses.map((c) => (c as ast.StringClause).value.value)).toEqual(["C:\\", "\\\\"]);
  });

  it("keeps `//` inside strings as string content", () => {
    const file = parseClean(`team t { contact "https://ops.example//team" }`);
    expect((only(file, "team").clauses[0] as ast.StringClause).value.value).toBe("https://ops.example//team");
    expect(file.comments).toEqual([]);
  });

  it("decodes string escapes", () => {
    const file = parseClean(String.raw`team t { contact "a\"b\\c\/d\n\t\u00e9" }`);
    expect((only(file, "team").clauses[0] as ast.StringClause).value.value).toBe('a"b\\c/d\n\té');
  });
});

describe("spans", () => {
  it("puts a span on every node", () => {
    const { text, spans } = mark(
      `«topic «billing.payment.received» { «owner «billing»» «rate «2000/s» peak 6000/s» }»`,
    );
    const file = parseClean(text);
    const topic = only(file, "topic");
    const owner = topic.clauses[0] as ast.NameClause;
    const rate = topic.clauses[1] as ast.RateClause;
    expect(
      [topic.span, topic.name.span, owner.span, owner.value.span, rate.span, rate.average.span].map((s) => ({
        start: s.start,
        end: s.end,
      })),
    ).toEqual(spans);
    expect(textOf(file, owner)).toBe("owner billing");
  });
});

interface Case {
  readonly name: string;
  readonly source: string;
  readonly codes: readonly string[];
  /** Declarations (kind name) still recovered from the file. */
  readonly recovered: readonly string[];
}

const recoveryCases: readonly Case[] = [
  {
    name: "a misspelt clause costs one diagnostic and not the block",
    source: `topic a.b.c { owner t partitons 12 event E }`,
    codes: ["EVT0203"],
    recovered: ["topic a.b.c owner,event"],
  },
  {
    name: "a clause of another block",
    source: `backend a.db { owner t partitions 3 capacity 10/s }`,
    codes: ["EVT0203"],
    recovered: ["backend a.db owner,capacity"],
  },
  {
    name: "a misspelt declaration keyword skips that declaration only",
    source: `topc a.b.c { owner t }\nteam t { contact "x" }`,
    codes: ["EVT0202"],
    recovered: ["team t contact"],
  },
  {
    name: "a missing closing brace before the next declaration",
    source: `topic a.b.c { owner t\ntopic d.e.f { owner t }`,
    codes: ["EVT0201"],
    recovered: ["topic a.b.c owner", "topic d.e.f owner"],
  },
  {
    name: "a missing closing brace at the end of the file",
    source: `team t { contact "x"`,
    codes: ["EVT0201"],
    recovered: ["team t contact"],
  },
  {
    name: "stray tokens at the top level and inside blocks",
    source: `42\nteam t { "x" contact "y" }\n}\nenum E { A 7 B }\nevent V v1 { a string 9 b int }`,
    codes: ["EVT0201", "EVT0201", "EVT0201", "EVT0201", "EVT0201"],
    recovered: ["team t contact", "enum E A,B", "event V a,b"],
  },
  {
    name: "an unterminated string",
    source: `team t { contact "oops }\nteam u { contact "x" }`,
    codes: ["EVT0102", "EVT0201"],
    recovered: ["team t contact", "team u contact"],
  },
  {
    name: "an invalid escape",
    source: String.raw`event E v1 { a string pattern "\d+" }`,
    codes: ["EVT0103"],
    recovered: ["event E a"],
  },
  {
    name: "an unexpected character",
    source: `team t { contact "x" % }\nteam u { contact "y" }`,
    codes: ["EVT0101"],
    recovered: ["team t contact", "team u contact"],
  },
  {
    name: "comments and strings as other languages write them cost one diagnostic each, and no more",
    source: [
      `# the billing team`,
      `team t { contact 'x' }`,
      `/* a block comment`,
      `   over two lines: team u { } */`,
      `enum E { A # first`,
      `  B }`,
    ].join("\n"),
    codes: ["EVT0101", "EVT0101", "EVT0101", "EVT0101"],
    recovered: ["team t contact", "enum E A,B"],
  },
  {
    name: "a missing value",
    source: `consumer a.b { owner t retry 5 backoff 100ms.. }\nteam t { contact "x" }`,
    codes: ["EVT0201"],
    recovered: ["consumer a.b owner,retry", "team t contact"],
  },
  {
    name: "a missing name does not eat the next clause",
    source: `topic a.b.c { owner partitions 12 event E }`,
    codes: ["EVT0201"],
    recovered: ["topic a.b.c partitions,event"],
  },
  {
    name: "several independent errors in one file are all reported",
    source: `topic a.b.c { ownr t }\nteam t { contact "x" chatt "y" }\nevent E v1 { a strin#g }\nconsumr a.b {}`,
    codes: ["EVT0203", "EVT0203", "EVT0101", "EVT0201", "EVT0202"],
    recovered: ["topic a.b.c ", "team t contact", "event E a"],
  },
  {
    name: "a declaration's name in quotes costs one diagnostic, and the block is still read under that name",
    source: `team "bad" { contact "x" }\nteam u { contact "y" }`,
    codes: ["EVT0201"],
    recovered: ["team bad contact", "team u contact"],
  },
  {
    name: "quoted or numeric names of every kind of declaration, and after extends",
    source: [
      `event "E" v1 { a string }`,
      `event F v1 extends "E" { b int }`,
      `topic "a.b.c" { owner t }`,
      `backend 42 { owner t }`,
      `enum "Colour" { RED }`,
      `team 'billing' { contact "x" }`,
    ].join("\n"),
    codes: ["EVT0201", "EVT0201", "EVT0201", "EVT0201", "EVT0201", "EVT0201"],
    recovered: [
      "event E a",
      "event F b",
      "topic a.b.c owner",
      "backend  owner",
      "enum Colour RED",
      "team billing contact",
    ],
  },
];

function summarize(decl: ast.Declaration): string {
  const parts =
    "clauses" in decl
      ? decl.clauses.map((c) => c.keyword)
      : decl.kind === "enum"
        ? decl.members.map((m) => m.name.text)
        : decl.fields.map((f) => f.name.text);
  return `${decl.kind} ${decl.name.text} ${parts.join(",")}`;
}

describe("error recovery", () => {
  for (const c of recoveryCases) {
    it(c.name, () => {
      const result = parse(c.source);
      expect(result.diagnostics.map((d) => d.code)).toEqual(c.codes);
      expect(result.file.declarations.map(summarize)).toEqual(c.recovered);
    });
  }

  it("says which block is not closed", () => {
    const result = parse(`topic a.b.c { owner t\ntopic d.e.f { owner t }`);
    const d = result.diagnostics[0]!;
    expect(d.message).toBe("expected `}`, found `topic`");
    expect(d.related.map((r) => [r.span.start, r.message])).toEqual([[12, "this block is not closed"]]);
  });

  it("never names the parser's own tokens: the end of the file is 'the end of the file'", () => {
    const messages = ["team t {", "team", "event Foo v1.2.3 { a string }", "enum E { A } }"].flatMap((source) =>
      parse(source).diagnostics.map((d) => d.message),
    );
    expect(messages).toContain("expected `}`, found end of file");
    expect(messages.filter((m) => /\bEOF\b|Token\b/.test(m))).toEqual([]);
  });

  it("says what to write instead of another language's comment, string, `:`, `;` or `|`", () => {
    const helps = (source: string) => parse(source).diagnostics.map((d) => d.help);
    expect(helps(`# note\nteam t { contact "x" }`)).toEqual(["comments start with `//`"]);
    expect(helps(`/* note */ team t { contact "x" }`)).toEqual([
      "block comments do not exist: start each line of a comment with `//`",
    ]);
    expect(helps(`team t { contact 'x' }`)).toEqual(['strings are written in double quotes: `"…"`']);
    expect(helps(`team t { contact: "x" }`)).toEqual([
      "no `:` between a word and its value: `owner billing`, `amount decimal`",
    ]);
    expect(helps(`team t { contact "x"; }`)).toEqual(["no `;`: a clause or a field ends with its line"]);
    expect(helps(`enum E { A | B }`)).toEqual([
      "enum members are separated by spaces or `,`: `enum Size { SMALL, LARGE }`",
    ]);
    // TypeScript's and Kotlin's optional type: the `?` goes after the name, the fields around are kept.
    const optional = parse(`event E v1.0 {\n  msisdn string?\n  tags string[]?\n  note string\n}`);
    expect(optional.diagnostics.map((d) => d.help)).toEqual([
      "an optional field has its `?` after its name: `msisdn? string`",
      "an optional field has its `?` after its name: `tags? string[]`",
    ]);
    expect(optional.file.declarations).toMatchObject([{ fields: [{ name: { text: "msisdn" } }, {}, {}] }]);
    // With a default after it: one error, and the default in what to write.
    const defaulted = parse(`event E v1.0 {\n  channel string? = "WEB" // the usual\n  note string\n}`).diagnostics;
    expect(defaulted.map((d) => d.help)).toEqual([
      'an optional field has its `?` after its name: `channel? string = "WEB"`',
    ]);
    // A unit beyond ASCII after a number is not taken for a name: the duration is what is wrong.
    const unit = parse(`backend t.db { owner t latency 5µs }`).diagnostics;
    expect(unit.map((d) => d.help ?? "")).not.toContainEqual(expect.stringContaining("names are written in ASCII"));
    // A `#` that does not start a comment is only an unexpected character.
    expect(helps(`team t { contact "x" chat #team }`)[0]).toBeUndefined();
    const block = parse(`/* note */ team t { contact "x" }`).diagnostics[0]!;
    expect([block.span?.start, block.span?.end]).toEqual([0, 2]);
    expect(parse(`team t { contact 'x' }`).file.declarations).toMatchObject([
      { clauses: [{ keyword: "contact", value: { kind: "string", value: "x" } }] },
    ]);
  });

  it("proposes the closest clause and declaration words", () => {
    const result = parse(`topic a.b.c { partitons 3 }\ntopc x.y.z {}`);
    expect(result.diagnostics.map((d) => d.help)).toEqual(["did you mean `partitions`?", "did you mean `topic`?"]);
  });
});

describe("robustness", () => {
  const pieces = [
    "team",
    "topic",
    "event",
    "consumer",
    "enricher",
    "owner",
    "from",
    "{",
    "}",
    "<",
    ">",
    "[",
    "]",
    "(",
    ")",
    "@",
    "?",
    "=",
    ",",
    ".",
    "..",
    "a",
    "b.c.d",
    "v1.2",
    "12",
    "5k/s",
    "-3",
    '"s"',
    '"open',
    "//c\n",
    "///d\n",
    "\n",
    " ",
    "#",
    "\u0000",
    "é",
    "lookup",
    "by",
    "publish",
    "as",
    "retry",
    "backoff",
    "rate",
    "peak",
    "key",
    "map",
    "string",
  ];

  it("never throws, whatever the input", () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 400; round++) {
      const length = Math.floor(random() * 60);
      const text = Array.from({ length }, () => pieces[Math.floor(random() * pieces.length)]).join(" ");
      expect(() => parse(text), text).not.toThrow();
    }
  });

  it("stops at brackets nested too deep, with a diagnostic at the first one too many, never running out of stack", () => {
    const types = `record R {\n  a ${"map<".repeat(5_000)}int${">".repeat(5_000)}\n}`;
    const blocks = `topc x ${"{".repeat(20_000)}`;
    for (const text of [types, blocks]) {
      const result = parse(text);
      expect(result.diagnostics.map((d) => [d.code, d.message])).toEqual([
        ["EVT0204", "brackets nested more than 64 deep"],
      ]);
      const tooMany = result.diagnostics[0]!.span!;
      expect(text.slice(0, tooMany.end).split(/[<{]/).length - 1).toBe(65);
      expect(result.file.declarations).toEqual([]);
    }
    // As deep as it goes, and no deeper: both parsers.
    const deepest = `record R { a ${"map<".repeat(63)}int${">".repeat(63)} }`;
    expect(parse(deepest).diagnostics).toEqual([]);
    expect(parse(deepest.replace("}", "")).diagnostics.map((d) => d.code)).toEqual(["EVT0201"]);
  });

  it("parses an empty file to nothing", () => {
    const result = parse("");
    expect(result.file.declarations).toEqual([]);
    expect(result.diagnostics).toEqual([]);
  });
});
