import { describe, expect, it } from "vitest";
import { rules } from "../../src/check/rules/index.js";
import { parseConfig } from "../../src/config/config.js";
import { registry } from "../../src/diagnostics/registry.js";
import { SourceFile } from "../../src/diagnostics/source.js";
import { defaultConfig, type ProjectConfig } from "../../src/config/config.js";
import { expectClean, expectDiagnostics, lintInline as lintWith } from "../support/inline.js";

/** These small buses declare no rates or capacities: the load rules (test/load) have nothing to say about them. */
const withoutLoadFigures: ProjectConfig = {
  ...defaultConfig,
  ruleLevels: new Map([["load/declared-figures", "off"]]),
};

function lintInline(files: string | Record<string, string>, config: ProjectConfig = withoutLoadFigures) {
  return lintWith(files, config);
}

/** A small bus that every rule accepts; each test adds the one thing that trips (or does not trip) a rule. */
const base = `
team billing { contact "billing@operator.example" }
team crm { contact "crm@operator.example" }
domain billing { owner billing }
domain crm { owner crm }
event PaymentReceived v1.1 { paymentId uuid  msisdn string  amount decimal }
topic billing.payment.received { owner billing event PaymentReceived key msisdn }
consumer crm.dunning { owner crm from billing.payment.received unordered guaranteed }
consumer crm.ledger { owner crm from billing.payment.received unordered guaranteed }
`;

/** Two consumers of a topic, so that `not-an-event/single-consumer` stays quiet. */
function readers(topic: string, ordering = "unordered"): string {
  return `
consumer crm.${topic.replace(/\./g, "-")}-a { owner crm from ${topic} ${ordering} guaranteed }
consumer crm.${topic.replace(/\./g, "-")}-b { owner crm from ${topic} ${ordering} guaranteed }`;
}

describe("the rule set", () => {
  it("gives every rule a stable id, its own code, a purpose and a default severity", () => {
    const codes = rules.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const rule of rules) {
      expect(rule.id).toMatch(/^[a-z-]+\/[a-z-]+$/);
      expect(rule.purpose).toMatch(/^Checks that\b.+\.$/);
      expect(registry[rule.code].explanation).toContain(`Rule \`${rule.id}\``);
    }
  });

  it("accepts the base project", () => {
    expectClean(lintInline(base));
  });
});

describe("naming", () => {
  it("naming/topic-format", () => {
    const result = lintInline(`${base}
topic «billing.Payment_Refund.issued» { owner billing event PaymentReceived key msisdn }${readers("billing.Payment_Refund.issued")}
topic «billing.refund» { owner billing event PaymentReceived key msisdn }${readers("billing.refund")}
topic billing.top-up.completed { owner billing event PaymentReceived key msisdn }${readers("billing.top-up.completed")}`);
    expectDiagnostics(result, [
      {
        code: "EVT0501",
        at: 0,
        message: /has uppercase letters in `Payment_Refund`/,
        help: "name it `billing.payment-refund.issued`",
      },
      { code: "EVT0501", at: 1, message: /has 2 segments, not three/ },
    ]);
  });

  it("naming/topic-domain", () => {
    const result = lintInline(`${base}
topic «biling.payment.refunded» { owner billing event PaymentReceived key msisdn }${readers("biling.payment.refunded")}`);
    expectDiagnostics(result, [{ code: "EVT0502", at: 0, help: "did you mean `billing`?" }]);
  });

  it("naming/action-past-tense", () => {
    const result = lintInline(`${base}
topic «billing.invoice.create» { owner billing event PaymentReceived key msisdn }${readers("billing.invoice.create")}
topic «billing.invoice.pay» { owner billing event PaymentReceived key msisdn }${readers("billing.invoice.pay")}
topic billing.invoice.sent { owner billing event PaymentReceived key msisdn }${readers("billing.invoice.sent")}
topic billing.invoice.write-off-approved { owner billing event PaymentReceived key msisdn }${readers("billing.invoice.write-off-approved")}`);
    expectDiagnostics(result, [
      { code: "EVT0503", at: 0, help: "name what happened: `billing.invoice.created`" },
      { code: "EVT0503", at: 1, help: "name what happened: `billing.invoice.paid`" },
    ]);
    expect(result.diagnostics[0]!.severity).toBe("warning");
    // What it proposes is a name naming/topic-format accepts as well.
    const upper = lintInline(`${base}
topic billing.Invoice.Create { owner billing event PaymentReceived key msisdn }${readers("billing.Invoice.Create")}`);
    const pastTense = upper.diagnostics.find((d) => d.code === "EVT0503");
    expect(pastTense?.help).toBe("name what happened: `billing.invoice.created`");
  });

  it("naming/owner-domain-prefix", () => {
    const result = lintInline(`${base}
consumer «dunning» { owner crm from billing.payment.received unordered guaranteed }
consumer «billing.crm-sync» { owner crm from billing.payment.received unordered guaranteed }
backend «customer.db» { owner crm }
domain partners { owner billing delegate crm }
consumer partners.sync { owner crm from billing.payment.received unordered guaranteed }`);
    expectDiagnostics(result, [
      {
        code: "EVT0504",
        at: 0,
        message: "consumer `dunning` does not start with a domain of its owner `crm`",
        help: "name it `crm.dunning`",
      },
      { code: "EVT0504", at: 1, help: "name it `crm.crm-sync`" },
      { code: "EVT0504", at: 2, message: /^back-end `customer.db`/ },
    ]);
  });

  it("naming/type-case", () => {
    const result = lintInline(`${base}
event «payment_refunded» v1 { id uuid }
record «customerProfile» { id uuid }
enum Currency { EUR }`);
    expectDiagnostics(result, [
      { code: "EVT0505", at: 0, help: "name it `PaymentRefunded`" },
      { code: "EVT0505", at: 1, help: "name it `CustomerProfile`" },
    ]);
  });
});

describe("ownership", () => {
  it("ownership/public-contact", () => {
    const result = lintInline(`${base}
team payments { chat "#payments" }
domain payments { owner payments }
topic «payments.card.charged» { owner payments event PaymentReceived key msisdn public }${readers("payments.card.charged")}
topic payments.card.refunded { owner payments event PaymentReceived key msisdn internal }${readers("payments.card.refunded")}`);
    expectDiagnostics(result, [{ code: "EVT0506", at: 0 }]);
  });

  it("ownership/topic-domain, and delegation", () => {
    const result = lintInline(`${base}
topic «billing.payment.disputed» { owner crm event PaymentReceived key msisdn }${readers("billing.payment.disputed")}
domain partners { owner billing delegate crm }
topic partners.payment.shared { owner crm event PaymentReceived key msisdn }${readers("partners.payment.shared")}`);
    expectDiagnostics(result, [
      { code: "EVT0507", at: 0, message: "`crm` owns topic `billing.payment.disputed` but not its domain `billing`" },
    ]);
  });
});

describe("what is not an event", () => {
  it("not-an-event/single-consumer, unless more consumers are expected", () => {
    const result = lintInline(`${base}
topic «billing.invoice.issued» { owner billing event PaymentReceived key msisdn }
consumer crm.invoices { owner crm from billing.invoice.issued unordered guaranteed }
topic «billing.invoice.voided» { owner billing event PaymentReceived key msisdn }
topic billing.invoice.settled { owner billing event PaymentReceived key msisdn expectedConsumers 3 }
consumer crm.settled { owner crm from billing.invoice.settled unordered guaranteed }`);
    expectDiagnostics(result, [
      { code: "EVT0508", at: 0, message: "topic `billing.invoice.issued` has only one consumer" },
      { code: "EVT0508", at: 1, message: "topic `billing.invoice.voided` has no consumer" },
    ]);
  });

  it("not-an-event/request-reply", () => {
    const result = lintInline(`${base}
topic «billing.balance.request» { owner billing event PaymentReceived key msisdn }${readers("billing.balance.request")}
backend crm.db { owner crm }
domain lookups { owner crm }
event Reply v1 extends PaymentReceived { correlationId string }
topic lookups.balance.asked { owner crm event PaymentReceived key msisdn }${readers("lookups.balance.asked")}
enricher crm.answer { owner crm from lookups.balance.asked lookup crm.db by msisdn publish «lookups.balance.answered» as Reply { key correlationId } }
${readers("lookups.balance.answered")}`);
    expectDiagnostics(result, [
      { code: "EVT0503", at: 0 },
      { code: "EVT0509", at: 0, message: /looks like a request or a reply \(`request`\)/ },
      {
        code: "EVT0509",
        at: 1,
        message: /replies into the domain of `lookups.balance.asked`, keyed by `correlationId`/,
      },
    ]);
  });

  it("not-an-event/max-size", () => {
    const result = lintInline(`${base}
topic «billing.cdr-file.uploaded» { owner billing event PaymentReceived key msisdn maxSize 50MiB }${readers("billing.cdr-file.uploaded")}
topic billing.statement.issued { owner billing event PaymentReceived key msisdn maxSize 1MiB }${readers("billing.statement.issued")}`);
    expectDiagnostics(result, [
      { code: "EVT0510", at: 0, message: "topic `billing.cdr-file.uploaded` allows events of 50 MiB, over 1 MiB" },
    ]);
  });
});

describe("consumer categories", () => {
  it("category/ordered-needs-key", () => {
    const result = lintInline(`${base}
topic billing.payment.reversed { owner billing event PaymentReceived }
consumer «crm.reversals» { owner crm from billing.payment.reversed ordered guaranteed }
consumer crm.reversal-stats { owner crm from billing.payment.reversed unordered best-effort }`);
    expectDiagnostics(result, [{ code: "EVT0511", at: 0 }]);
  });

  it("category/ordered-segment applies once an ordered segment exists", () => {
    const withoutSegments = lintInline(`${base}${readers("billing.payment.received", "ordered")}`);
    expectClean(withoutSegments);
    const result = lintInline(`${base}
segment ordered-flows { ordered }
topic billing.payment.settled { owner billing event PaymentReceived key msisdn segment ordered-flows }
consumer crm.settlement { owner crm from billing.payment.settled ordered guaranteed }
consumer «crm.dunning-order» { owner crm from billing.payment.received ordered guaranteed }
consumer crm.settlement-stats { owner crm from billing.payment.settled unordered best-effort }`);
    expectDiagnostics(result, [{ code: "EVT0512", at: 0 }]);
  });

  it("category/best-effort-no-retry", () => {
    const result = lintInline(`${base}
consumer crm.stats { owner crm from billing.payment.received unordered best-effort «retry» 3 «dlq» }`);
    expectDiagnostics(result, [
      { code: "EVT0513", at: 0, message: "best-effort consumer `crm.stats` declares `retry`" },
      { code: "EVT0513", at: 1 },
    ]);
  });

  it("category/ordered-chain", () => {
    const project = (ordering: string) => `${base}
backend crm.db { owner crm }
event Enriched v1 extends PaymentReceived { segment string }
domain crm-enriched { owner crm }
enricher crm.enrich { owner crm from billing.payment.received ${ordering} lookup crm.db by msisdn publish crm-enriched.payment.received as Enriched }
consumer «crm.in-order» { owner crm from crm-enriched.payment.received ordered guaranteed }
consumer crm.any-order { owner crm from crm-enriched.payment.received unordered guaranteed }`;
    expectDiagnostics(lintInline(project("unordered")), [{ code: "EVT0514", at: 0 }]);
    expectClean(lintInline(project("ordered")));
  });
});

describe("validation", () => {
  it("validation/pattern-backtracking: patterns that can backtrack catastrophically, or that cannot be shown not to", () => {
    const result = lintInline(String.raw`${base}
record Codes {
  a string pattern «"^(a+)+$"»
  b string pattern «"(a|a)*$"»
  c string pattern «"(\\w+\\s?)*$"»
  d string pattern «"[0-9]+x"»
  e string pattern «"^(?<year>[0-9]{4})$"»
}
event Later v1 extends PaymentReceived { codes Codes }
event EvenLater v1 extends Later { f string pattern «"^([0-9]+)*$"» }`);
    const rewrite = /no quantifier inside a quantified group/;
    expectDiagnostics(result, [
      {
        code: "EVT0515",
        at: 0,
        message: "the pattern of field `a` can backtrack catastrophically: some text can be matched in too many ways",
        help: rewrite,
      },
      {
        code: "EVT0515",
        at: 1,
        message: /^the pattern of field `b` could not be shown free of catastrophic backtracking/,
        help: rewrite,
      },
      { code: "EVT0515", at: 2, message: /catastrophic backtracking/, help: rewrite },
      { code: "EVT0515", at: 3, message: /can backtrack catastrophically/, help: /^start it with `\^`/ },
      { code: "EVT0515", at: 4, message: /could not be analysed/, help: /named groups/ },
      // Once, where it is declared, though two events hold the record and one inherits the field.
      { code: "EVT0515", at: 5, message: /field `f` can backtrack/ },
    ]);
    expect(result.diagnostics.every((d) => d.severity === "error")).toBe(true);
  });

  it("validation/pattern-backtracking accepts ordinary patterns: those of the docs, the example, the fixtures and the bench", () => {
    const patterns = [
      String.raw`^[A-Z]{3}$`,
      String.raw`^\+?[0-9]{6,15}$`,
      String.raw`^[0-9]{8,15}$`,
      String.raw`^ACC-[0-9]{8}$`,
      String.raw`^INV-[0-9]{10}$`,
      String.raw`^[0-9]{12,16}$`,
      String.raw`^[a-z]{2}$`,
      String.raw`^\d{14,15}$`,
      String.raw`^89\d{16,18}$`,
      String.raw`^[A-Z0-9-]{3,20}$`,
      String.raw`^\d{3}-\d{2,3}-\d+-\d+$`,
      String.raw`^[^@\s]+@[^@\s]+$`,
      String.raw`^["'\\*/]+$`,
      String.raw`^[A-Z]{3}\d*$`,
      String.raw`^C[0-9]+$`,
      String.raw`^\p{Lu}[\p{L} '-]*$`,
      String.raw`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`,
      String.raw`[A-Z]`,
    ];
    const fields = patterns.map((p, i) => `  f${i} string pattern ${JSON.stringify(p)}`).join("\n");
    expectClean(lintInline(`${base}\nrecord Patterns {\n${fields}\n}`));
  });

  it("validation/pattern-backtracking: a pattern the analysis refuses but the team knows safe is accepted in place", () => {
    const result = lintInline(String.raw`${base}
/// Durations: each group starts with \d+, which the analysis cannot tell apart; V8 runs it in linear time.
@allow("validation/pattern-backtracking", "optional groups of digits, linear in V8")
record Period { iso string pattern "^P(\\d+Y)?(\\d+M)?$" }
record Other { iso string pattern «"^P(\\d+Y)?(\\d+M)?$"» }`);
    expectDiagnostics(result, [{ code: "EVT0515", at: 0 }]);
  });
});

describe("configuration and suppression", () => {
  const config = (json: string) => parseConfig(new SourceFile("evtc.json", json));

  it("changes levels and switches rules off", () => {
    const source = `${base}
topic billing.invoice.create { owner billing event PaymentReceived key msisdn }`;
    const { config: levels, diagnostics } = config(`{
      // comments are fine
      "rules": { "naming/action-past-tense": "error", "not-an-event/single-consumer": "off", },
    }`);
    expect(diagnostics).toEqual([]);
    const result = lintInline(source, levels);
    expect(result.diagnostics.map((d) => [d.code, d.severity])).toEqual([["EVT0503", "error"]]);
  });

  it("reports bad configuration with its place in the file", () => {
    const text = `{ "rules": { "naming/topic-formt": "off", "naming/type-case": "loud" }, "lint": {} }`;
    const { diagnostics } = config(text);
    expect(diagnostics.map((d) => [d.code, d.message, d.help, d.span?.start])).toEqual([
      [
        "EVT0010",
        "invalid `evtc.json`: unknown setting `lint`",
        'the settings are `"rules"`, `"compatibilityPolicy"`, `"load"` and `"strimzi"`',
        text.indexOf('"lint"'),
      ],
      [
        "EVT0011",
        "unknown rule `naming/topic-formt`",
        "did you mean `naming/topic-format`?",
        text.indexOf('"naming/topic-formt"'),
      ],
      [
        "EVT0010",
        'invalid `evtc.json`: the level of `naming/type-case` must be "error", "warning" or "off"',
        undefined,
        text.indexOf('"loud"'),
      ],
    ]);
    const atOnce = `{ "load": { "partitionsAtOnce": 0, "partitionsAtOnce": "4", "partitionsAtOnce": 2.5 } }`;
    expect(config(atOnce).diagnostics.map((d) => [d.code, d.message, d.span?.start])).toEqual(
      ["0", '"4"', "2.5"].map((value) => [
        "EVT0010",
        'invalid `evtc.json`: `"partitionsAtOnce"` is a number of partitions, at least 1, such as 4',
        atOnce.indexOf(`: ${value}`) + 2,
      ]),
    );
    expect(config(`{ "load": { "partitionsAtOnce": 16 } }`).config.load.partitionsAtOnce).toBe(16);
    const truncated = config(`{ "rules": `).diagnostics;
    expect(truncated.length).toBeGreaterThan(0);
    expect(new Set(truncated.map((d) => d.code))).toEqual(new Set(["EVT0010"]));
    // Nested deeper than the parser goes without running out of stack: refused, at the bracket, before it.
    const deep = `{ "rules": ${"[".repeat(5000)}${"]".repeat(5000)} }`;
    expect(config(deep).diagnostics.map((d) => [d.code, d.message, d.span?.start])).toEqual([
      ["EVT0010", "invalid `evtc.json`: its objects and arrays nest more than 512 deep", deep.indexOf("[") + 511],
    ]);
  });

  it("reads how the Strimzi resources address the cluster, and refuses what Kubernetes would", () => {
    expect(config("{}").config.strimzi).toEqual({ cluster: "my-cluster", authentication: "tls" });
    const good = config(`{ "strimzi": { "cluster": "bus-prod", "authentication": "scram-sha-512" } }`);
    expect(good.diagnostics).toEqual([]);
    expect(good.config.strimzi).toEqual({ cluster: "bus-prod", authentication: "scram-sha-512" });
    const text = `{ "strimzi": { "cluster": "bus prod", "authentication": "kerberos", "namespace": "kafka" } }`;
    const bad = config(text);
    expect(bad.diagnostics.map((d) => [d.code, d.span?.start])).toEqual([
      ["EVT0010", text.indexOf('"bus prod"')],
      ["EVT0010", text.indexOf('"kerberos"')],
      ["EVT0010", text.indexOf('"namespace"')],
    ]);
    expect(bad.diagnostics[1]!.message).toContain('is one of "tls", "tls-external", "scram-sha-512"');
    expect(bad.config.strimzi).toEqual({ cluster: "my-cluster", authentication: "tls" });
  });

  it("@allow suppresses one rule on what it annotates, and requires a reason", () => {
    const result = lintInline(`${base}
@allow("not-an-event/single-consumer", "the fraud team subscribes next quarter")
topic billing.invoice.issued { owner billing event PaymentReceived key msisdn }
consumer crm.invoices { owner crm from billing.invoice.issued unordered guaranteed }
«@allow("not-an-event/single-consumer")»
topic «billing.invoice.voided» { owner billing event PaymentReceived key msisdn }
@allow(«"naming/topic-formatt"», "typo")
«@allow("naming/type-case", "nothing to suppress here")»
topic billing.invoice.settled { owner billing event PaymentReceived key msisdn expectedConsumers 2 }`);
    expectDiagnostics(result, [
      { code: "EVT0012", at: 0 },
      { code: "EVT0508", at: 1 },
      { code: "EVT0011", at: 2, help: "did you mean `naming/topic-format`?" },
      { code: "EVT0013", at: 3 },
    ]);
  });

  it("does not run the rules on a project with errors", () => {
    const result = lintInline(`${base}\ntopic billing.invoice.create { owner nobody event PaymentReceived }`);
    expect(result.diagnostics.map((d) => d.code)).toEqual(["EVT0302"]);
  });
});
