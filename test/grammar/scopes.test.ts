import { describe, expect, it } from "vitest";
import { loadGrammar, scopesOf, tokenizeText, tokensOf } from "./textmate.js";

/**
 * The scope of each kind of token, on small inline sources, with the cases a regex-based highlighter gets
 * wrong: keywords used as names, `//` in a string, doc comments, numbers with units, versions, recovery.
 */
async function scoped(source: string) {
  const tokens = await tokensOf(source);
  /** The innermost scope of `needle` (its `occurrence`-th appearance). */
  const last = (needle: string, occurrence = 0): string => {
    const scopes = scopesOf(tokens, source, needle, occurrence);
    return scopes[scopes.length - 1]!;
  };
  const all = (needle: string, occurrence = 0) => scopesOf(tokens, source, needle, occurrence);
  return { last, all };
}

describe("declarations", () => {
  it("scopes each declaration keyword and the name it declares", async () => {
    const source = [
      'team billing { contact "billing@example.com" }',
      "domain billing { owner billing }",
      "segment ordered-flows { ordered }",
      "enum Currency { EUR, USD }",
      "record Money { amount decimal }",
      "event PaymentReceived v1.1 { id uuid }",
      "topic billing.payment.received { owner billing }",
      "backend crm.customer-db { owner crm }",
      "consumer crm.dunning { owner crm }",
      "enricher crm.payment-customer { owner crm }",
    ].join("\n");
    const { last, all } = await scoped(source);
    for (const kind of [
      "team",
      "domain",
      "segment",
      "enum",
      "record",
      "event",
      "topic",
      "backend",
      "consumer",
      "enricher",
    ]) {
      expect(last(kind), kind).toBe(`storage.type.${kind}.evt`);
      expect(all(kind), kind).toContain(`meta.declaration.${kind}.evt`);
    }
    expect(last("billing")).toBe("entity.name.namespace.team.evt");
    expect(last("billing", 2)).toBe("entity.name.namespace.domain.evt");
    expect(last("ordered-flows")).toBe("entity.name.namespace.segment.evt");
    expect(last("Currency")).toBe("entity.name.type.enum.evt");
    expect(last("Money")).toBe("entity.name.type.record.evt");
    expect(last("PaymentReceived")).toBe("entity.name.type.event.evt");
    expect(last("customer-db")).toBe("entity.name.namespace.backend.evt");
    expect(last("dunning")).toBe("entity.name.function.consumer.evt");
    expect(last("payment-customer")).toBe("entity.name.function.enricher.evt");
  });

  it("scopes a topic name as one name of three segments, its dots as separators", async () => {
    const source = "topic billing.payment.received {\n}";
    const { last, all } = await scoped(source);
    expect(last("billing")).toBe("entity.name.namespace.topic.evt");
    expect(last("payment")).toBe("entity.name.namespace.topic.evt");
    expect(last("received")).toBe("entity.name.namespace.topic.evt");
    expect(all(".")).toEqual([
      "source.evt",
      "meta.declaration.topic.evt",
      "entity.name.namespace.topic.evt",
      "punctuation.separator.dot.evt",
    ]);
    expect(last(".", 1)).toBe("punctuation.separator.dot.evt");
    expect(last("{")).toBe("punctuation.section.block.begin.evt");
    expect(last("}")).toBe("punctuation.section.block.end.evt");
  });

  it("scopes an event's version and what it extends", async () => {
    const { last } = await scoped("event PaymentEnriched v1.0 extends PaymentReceived {\n  customer Customer\n}");
    expect(last("v1.0")).toBe("constant.numeric.version.evt");
    expect(last("extends")).toBe("storage.modifier.extends.evt");
    expect(last("PaymentReceived")).toBe("entity.name.type.evt");
  });

  it("reads a name on the line after its keyword as the declared name", async () => {
    const { last } = await scoped("topic\n  billing.payment.received {\n}");
    expect(last("payment")).toBe("entity.name.namespace.topic.evt");
  });
});

describe("contextual keywords", () => {
  it("reads a keyword at the start of a field as the field's name", async () => {
    const source = [
      "event AccountTransferred v1 {",
      "  key     string",
      "  owner   string",
      "  event   string",
      "  from    string",
      "  topic   string",
      "  record  Address",
      "  v1      string",
      "  min     int   min 0",
      '  pattern string pattern "^[A-Z]+$"',
      "}",
    ].join("\n");
    const { last } = await scoped(source);
    for (const name of ["key", "owner", "from", "topic"]) expect(last(name), name).toBe("variable.other.property.evt");
    expect(last("v1")).toBe("constant.numeric.version.evt");
    expect(last("v1", 1)).toBe("variable.other.property.evt");
    expect(last("event", 1)).toBe("variable.other.property.evt");
    expect(last("record")).toBe("variable.other.property.evt");
    expect(last("Address")).toBe("entity.name.type.evt");
    expect(last("min")).toBe("variable.other.property.evt");
    expect(last("min", 1)).toBe("keyword.other.constraint.evt");
    expect(last("pattern")).toBe("variable.other.property.evt");
    expect(last("pattern", 1)).toBe("keyword.other.constraint.evt");
  });

  it("reads a constraint word as a constraint only when a number or a string follows", async () => {
    const source =
      "record R {\n  amount int min -10 max 0.5\n  min int\n  max int\n  tag string minLength 1 maxLength 1k\n}";
    const { last } = await scoped(source);
    expect(last("min")).toBe("keyword.other.constraint.evt");
    expect(last("-10")).toBe("constant.numeric.decimal.evt");
    expect(last("max")).toBe("keyword.other.constraint.evt");
    expect(last("min", 1)).toBe("variable.other.property.evt");
    expect(last("max", 1)).toBe("variable.other.property.evt");
    expect(last("minLength")).toBe("keyword.other.constraint.evt");
    expect(last("maxLength")).toBe("keyword.other.constraint.evt");
  });

  it("reads the clause words of a block as keywords, and their values as names", async () => {
    const source = [
      "topic billing.payment.received {",
      "  owner         billing",
      "  event         PaymentReceived",
      "  key           account.key cardinality 3M",
      "  partitions    12",
      "  rate          2000/s peak 6k/s",
      "  compatibility backward-transitive",
      "  segment       ordered",
      "  public",
      "}",
    ].join("\n");
    const { last } = await scoped(source);
    for (const word of ["owner", "event", "key", "partitions", "rate", "compatibility", "segment", "public"]) {
      expect(last(word), word).toBe("keyword.other.clause.evt");
    }
    expect(last("billing", 1)).toBe("entity.name.namespace.team.evt");
    expect(last("PaymentReceived")).toBe("entity.name.type.evt");
    expect(last("account")).toBe("variable.other.property.evt");
    expect(last("key", 1)).toBe("variable.other.property.evt");
    expect(last("cardinality")).toBe("keyword.other.clause.part.evt");
    expect(last("peak")).toBe("keyword.other.clause.part.evt");
    expect(last("backward-transitive")).toBe("constant.language.compatibility.evt");
    // A segment may be called `ordered`: here it is a name, not the flag of a consumer.
    expect(last("ordered")).toBe("entity.name.namespace.segment.evt");
  });

  it("does not take a clause word of the block for a missing value, as the parser does not", async () => {
    const { last } = await scoped("topic a.b.c {\n  owner event PaymentReceived\n}");
    expect(last("owner")).toBe("keyword.other.clause.evt");
    expect(last("event")).toBe("keyword.other.clause.evt");
    expect(last("PaymentReceived")).toBe("entity.name.type.evt");
  });

  it("does not take part of a name for a keyword", async () => {
    const source =
      "consumer bi.stats {\n  owner best-effort-team\n  from ordered-flows.x.y\n  unordered best-effort\n}";
    const { last } = await scoped(source);
    expect(last("best-effort-team")).toBe("entity.name.namespace.team.evt");
    expect(last("ordered-flows")).toBe("entity.name.namespace.topic.evt");
    expect(last("unordered")).toBe("keyword.other.clause.evt");
    expect(last("best-effort", 1)).toBe("keyword.other.clause.evt");
  });

  it("reads the clauses of consumers and enrichers, with the publish block as topic clauses", async () => {
    const source = [
      "enricher crm.session-plan {",
      "  owner   crm",
      "  from    network.session.started",
      "  lookup  crm.customer-db by customer.msisdn cache 20m cardinality 2M",
      "  publish network.session.enriched as SubscriberEnriched {",
      "    partitions 48",
      "    internal",
      "  }",
      "  retry 3 backoff 100ms..2s",
      "  dlq",
      "}",
      "consumer crm.offers {",
      "  accepts v1, v2",
      "  deadline 5s",
      "}",
    ].join("\n");
    const { last, all } = await scoped(source);
    expect(last("from")).toBe("keyword.other.clause.evt");
    expect(last("started")).toBe("entity.name.namespace.topic.evt");
    expect(last("lookup")).toBe("keyword.other.clause.evt");
    expect(last("customer-db")).toBe("entity.name.namespace.backend.evt");
    expect(last("by")).toBe("keyword.other.clause.part.evt");
    expect(last("msisdn")).toBe("variable.other.property.evt");
    expect(last("cache")).toBe("keyword.other.clause.part.evt");
    expect(last("cardinality")).toBe("keyword.other.clause.part.evt");
    expect(last("publish")).toBe("keyword.other.clause.evt");
    expect(last("enriched")).toBe("entity.name.namespace.topic.evt");
    expect(last("as")).toBe("keyword.other.clause.part.evt");
    expect(last("SubscriberEnriched")).toBe("entity.name.type.evt");
    expect(all("partitions")).toContain("meta.block.publish.evt");
    expect(last("partitions")).toBe("keyword.other.clause.evt");
    expect(last("internal")).toBe("keyword.other.clause.evt");
    expect(last("backoff")).toBe("keyword.other.clause.part.evt");
    expect(last("..")).toBe("keyword.operator.range.evt");
    expect(last("accepts")).toBe("keyword.other.clause.evt");
    expect(last("v1")).toBe("constant.numeric.version.evt");
    expect(last(",")).toBe("punctuation.separator.comma.evt");
    expect(last("v2")).toBe("constant.numeric.version.evt");
  });

  it("leaves the words of a block where they are no clause, or of an unknown declaration, plain", async () => {
    const source = "backend crm.db {\n  partitions 12\n}\ntopc billing.x.y {\n  owner billing\n}";
    const { last } = await scoped(source);
    expect(last("partitions")).toBe("meta.block.backend.evt");
    expect(last("topc")).toBe("source.evt");
    expect(last("owner")).toBe("meta.block.unknown.evt");
  });

  it("reads a team called `chat` as a name and `chat` in its block as a clause", async () => {
    const { last } = await scoped('team chat {\n  chat "#chat"\n}');
    expect(last("chat")).toBe("entity.name.namespace.team.evt");
    expect(last("chat", 1)).toBe("keyword.other.clause.evt");
  });

  it("keeps keywords in comments and strings out of the code", async () => {
    const { last } = await scoped('// topic owner event\nteam x { contact "owner of topic" }');
    expect(last("//")).toBe("punctuation.definition.comment.evt");
    expect(last(" topic owner event")).toBe("comment.line.double-slash.evt");
    expect(last("owner of topic")).toBe("string.quoted.double.evt");
  });
});

describe("fields and types", () => {
  it("scopes optional fields, built-in and declared types, arrays, maps and defaults", async () => {
    const source = [
      "record Subscription {",
      "  plan       Plan    = PREPAID",
      "  options    string[] maxItems 5",
      "  history    map<Plan[]>",
      '  note?      string  = "none"',
      "  active     boolean = true",
      "  retries    int     = -1",
      '  @deprecated("use plan") legacy? string',
      "}",
    ].join("\n");
    const { last, all } = await scoped(source);
    expect(last("plan")).toBe("variable.other.property.evt");
    expect(last("Plan")).toBe("entity.name.type.evt");
    expect(last("=")).toBe("keyword.operator.assignment.evt");
    expect(last("PREPAID")).toBe("variable.other.enummember.evt");
    expect(last("string")).toBe("support.type.builtin.evt");
    expect(last("[]")).toBe("storage.modifier.array.evt");
    expect(last("map")).toBe("support.type.builtin.evt");
    expect(last("<")).toBe("punctuation.definition.typeparameters.begin.evt");
    expect(all("Plan", 1)).toEqual([
      "source.evt",
      "meta.declaration.record.evt",
      "meta.block.record.evt",
      "meta.type.arguments.evt",
      "entity.name.type.evt",
    ]);
    expect(last("[]", 1)).toBe("storage.modifier.array.evt");
    expect(last(">")).toBe("punctuation.definition.typeparameters.end.evt");
    expect(last("note")).toBe("variable.other.property.evt");
    expect(last("?")).toBe("keyword.operator.optional.evt");
    expect(last("true")).toBe("constant.language.boolean.evt");
    expect(last("-1")).toBe("constant.numeric.decimal.evt");
    expect(last("legacy")).toBe("variable.other.property.evt");
  });

  it("scopes enum members, with commas and annotations", async () => {
    const { last } = await scoped('enum Channel { WEB, APP, @deprecated("gone") FAX }');
    expect(last("WEB")).toBe("variable.other.enummember.evt");
    expect(last(",")).toBe("punctuation.separator.comma.evt");
    expect(last("FAX")).toBe("variable.other.enummember.evt");
  });

  it("reads `street string  city string` on one line as two fields", async () => {
    const { last } = await scoped("record Address { street string  city string }");
    expect(last("street")).toBe("variable.other.property.evt");
    expect(last("city")).toBe("variable.other.property.evt");
    expect(last("string", 1)).toBe("support.type.builtin.evt");
  });
});

describe("annotations", () => {
  it("scopes `@deprecated` with and without a reason", async () => {
    const source =
      '@deprecated("read billing.x.y instead")\nconsumer bi.legacy {\n}\nrecord R {\n  @deprecated\n  fax string\n}';
    const { last, all } = await scoped(source);
    expect(last("@")).toBe("punctuation.definition.annotation.evt");
    expect(all("deprecated")).toEqual(["source.evt", "meta.annotation.evt", "storage.type.annotation.evt"]);
    expect(last("(")).toBe("punctuation.definition.arguments.begin.evt");
    expect(last("read billing.x.y instead")).toBe("string.quoted.double.evt");
    expect(last(")")).toBe("punctuation.definition.arguments.end.evt");
    expect(last("consumer")).toBe("storage.type.consumer.evt");
    expect(last("deprecated", 1)).toBe("storage.type.annotation.evt");
    expect(last("fax")).toBe("variable.other.property.evt");
  });
});

describe("comments", () => {
  it("tells doc comments from comments, `////` being a comment again", async () => {
    const source = [
      "/// The outcome of a top-up.",
      "//// not documentation",
      "// a comment",
      "enum TopUpStatus {",
      "  ACCEPTED  /// The voucher went through.",
      "}",
    ].join("\n");
    const { last, all } = await scoped(source);
    expect(all("///")).toEqual(["source.evt", "comment.line.documentation.evt", "punctuation.definition.comment.evt"]);
    expect(last(" The outcome of a top-up.")).toBe("comment.line.documentation.evt");
    expect(all("// not documentation")).toEqual(["source.evt", "comment.line.double-slash.evt"]);
    expect(last(" a comment")).toBe("comment.line.double-slash.evt");
    expect(last("ACCEPTED")).toBe("variable.other.enummember.evt");
    expect(last(" The voucher went through.")).toBe("comment.line.documentation.evt");
  });
});

describe("strings", () => {
  it("keeps `//` inside a string in the string", async () => {
    const source = 'team web {\n  contact "https://ops.example.com//oncall" // the rota\n  chat "#web"\n}';
    const { last, all } = await scoped(source);
    expect(all("https://ops.example.com//oncall")).toContain("string.quoted.double.evt");
    expect(last("https://ops.example.com//oncall")).toBe("string.quoted.double.evt");
    expect(last("//", 2)).toBe("punctuation.definition.comment.evt");
    expect(last("chat")).toBe("keyword.other.clause.evt");
  });

  it("scopes escapes, and the escapes JSON does not have as invalid", async () => {
    const source = 'record R {\n  label string = "say \\"hi\\" \\u00e9" pattern "^\\\\d\\d$"\n}';
    const { last } = await scoped(source);
    expect(last('"')).toBe("punctuation.definition.string.begin.evt");
    expect(last('\\"')).toBe("constant.character.escape.evt");
    expect(last("\\u00e9")).toBe("constant.character.escape.evt");
    expect(last("\\\\")).toBe("constant.character.escape.evt");
    expect(last("\\d", 1)).toBe("invalid.illegal.escape.evt");
  });

  it("ends an unterminated string at the end of its line", async () => {
    const source = 'team web {\n  contact "ops@example.com\n  chat "#web"\n}';
    const grammar = await loadGrammar();
    const { lines } = tokenizeText(grammar, source);
    expect(lines[1]?.openAtEnd).toEqual(["meta.declaration.team.evt", "meta.block.team.evt"]);
    const { last } = await scoped(source);
    expect(last("chat")).toBe("keyword.other.clause.evt");
  });
});

describe("numbers, units and versions", () => {
  it("scopes rates, durations, sizes and counts with their units apart", async () => {
    const source = [
      "topic a.b.c {",
      "  rate       5k/s peak 90/min",
      "  retention  7d",
      "  maxSize    64KiB",
      "  key        id cardinality 3M",
      "  partitions 12",
      "}",
      "consumer a.x {",
      "  retry 8 backoff 200ms..1.5s",
      "  latency 9x",
      "}",
    ].join("\n");
    const { last } = await scoped(source);
    expect(last("5")).toBe("constant.numeric.rate.evt");
    expect(last("k/s")).toBe("keyword.other.unit.rate.evt");
    expect(last("90")).toBe("constant.numeric.rate.evt");
    expect(last("/min")).toBe("keyword.other.unit.rate.evt");
    expect(last("7")).toBe("constant.numeric.duration.evt");
    expect(last("d")).toBe("keyword.other.unit.duration.evt");
    expect(last("64")).toBe("constant.numeric.size.evt");
    expect(last("KiB")).toBe("keyword.other.unit.size.evt");
    expect(last("3")).toBe("constant.numeric.count.evt");
    expect(last("M")).toBe("keyword.other.unit.multiplier.evt");
    expect(last("12")).toBe("constant.numeric.decimal.evt");
    expect(last("8")).toBe("constant.numeric.decimal.evt");
    expect(last("200")).toBe("constant.numeric.duration.evt");
    expect(last("ms")).toBe("keyword.other.unit.duration.evt");
    expect(last("..")).toBe("keyword.operator.range.evt");
    expect(last("1.5")).toBe("constant.numeric.duration.evt");
    expect(last("9", 1)).toBe("constant.numeric.decimal.evt");
    expect(last("x", 2)).toBe("invalid.illegal.unit.evt");
  });

  it("scopes versions only where they are versions", async () => {
    const source =
      "event E v2.1 {\n  v1 string\n}\nconsumer a.b {\n  accepts v1 v2\n  from v1.x.y\n}\nevent F v1.2.3 {\n}";
    const { last } = await scoped(source);
    expect(last("v2.1")).toBe("constant.numeric.version.evt");
    expect(last("v1")).toBe("variable.other.property.evt");
    expect(last("v1", 1)).toBe("constant.numeric.version.evt");
    expect(last("v1", 2)).toBe("entity.name.namespace.topic.evt");
    expect(last("v1.2.3")).toBe("invalid.illegal.version.evt");
  });
});

describe("errors and recovery", () => {
  it("scopes characters the lexer rejects, and a stray brace", async () => {
    const { last } = await scoped("}\nrecord R {\n  amount decimal #\n}");
    expect(last("}")).toBe("invalid.illegal.stray-brace.evt");
    expect(last("#")).toBe("invalid.illegal.character.evt");
  });

  it("ends a block whose `}` is missing where the next declaration starts", async () => {
    const source = [
      "topic billing.payment.received {",
      "  owner billing",
      "  rate 100/s peak",
      "",
      "event PaymentReceived v1.0 {",
      "  id uuid",
      "}",
      "record R {",
      "  owner string",
      "enum E { A }",
      "consumer a.b {",
      "  owner x",
      "team t {}",
    ].join("\n");
    const grammar = await loadGrammar();
    const { lines, end } = tokenizeText(grammar, source);
    const { last, all } = await scoped(source);
    expect(all("event")).toEqual(["source.evt", "meta.declaration.event.evt", "storage.type.event.evt"]);
    expect(last("owner", 1)).toBe("variable.other.property.evt");
    expect(all("enum")).toEqual(["source.evt", "meta.declaration.enum.evt", "storage.type.enum.evt"]);
    expect(all("team")).toEqual(["source.evt", "meta.declaration.team.evt", "storage.type.team.evt"]);
    expect(lines[lines.length - 1]?.openAtEnd).toEqual([]);
    expect(end.depth).toBe(1);
  });
});
