import { describe, expect, it } from "vitest";
import { MAX_TYPE_DEPTH } from "../../src/check/type-depth.js";
import { checkInline, expectClean, expectDiagnostics, preamble, rulesOff } from "../support/inline.js";

const topic = `
topic billing.payment.received {
  owner billing
  event PaymentReceived
  key msisdn
}`;

describe("a well-formed project", () => {
  it("resolves across files into one model with defaults applied", () => {
    const result = checkInline({
      "billing.evt": `${preamble}${topic}
backend crm.customer-db { owner crm capacity 400/s latency 20ms }
segment ordered { ordered replicas 3 minInsync 2 }`,
      "crm.evt": `
record Profile { segment string }
event PaymentEnriched v1.0 extends PaymentReceived { customer Profile }
enricher crm.payment-customer {
  owner crm
  from billing.payment.received
  lookup crm.customer-db by msisdn cache 20m
  publish billing.payment.enriched as PaymentEnriched { partitions 6 segment ordered }
}
consumer crm.payment-sync {
  owner crm
  from billing.payment.enriched
  ordered guaranteed
  deadline 5s
  retry 5 backoff 200ms..30s
}`,
    });
    expectClean(result);
    const { model } = result;
    expect([...model.topics.keys()]).toEqual(["billing.payment.enriched", "billing.payment.received"]);
    const source = model.topics.get("billing.payment.received")!;
    expect(source).toMatchObject({
      partitions: 1,
      retentionMs: 7 * 86_400_000,
      compatibility: "backward",
      visibility: "internal",
      maxSizeBytes: 1024 * 1024,
      domainName: "billing",
      publisher: { kind: "producer" },
    });
    expect(source.key?.path).toEqual(["msisdn"]);
    const enriched = model.topics.get("billing.payment.enriched")!;
    expect(enriched.partitions).toBe(6);
    expect(enriched.segment?.name).toBe("ordered");
    expect(enriched.key?.path).toEqual(["msisdn"]);
    expect(enriched.owner.name).toBe("crm");
    expect(enriched.publisher.kind).toBe("enricher");
    expect(enriched.event.fields.map((f) => f.name)).toEqual(["paymentId", "msisdn", "amount", "customer"]);
    const enricher = model.enrichers.get("crm.payment-customer")!;
    expect(enricher).toMatchObject({ ordering: "unordered", delivery: "guaranteed" });
    expect(enricher.publishes).toBe(enriched);
    expect(enricher.lookups[0]).toMatchObject({ by: ["msisdn"], cacheTtlMs: 20 * 60_000 });
    expect(model.backends.get("crm.customer-db")).toMatchObject({ capacity: 400, latencyMs: 20 });
    const consumer = model.consumers.get("crm.payment-sync")!;
    expect(consumer).toMatchObject({
      ordering: "ordered",
      delivery: "guaranteed",
      deadlineMs: 5000,
      retry: { attempts: 5, backoffFromMs: 200, backoffToMs: 30_000 },
      accepts: [1],
    });
    expect(consumer.from).toBe(enriched);
    expect(model.files).toEqual(["billing.evt", "crm.evt"]);
  });

  it("normalises units", () => {
    const result = checkInline(`${preamble}
topic billing.payment.received {
  owner billing
  event PaymentReceived
  rate 120/m peak 9k/h
  retention 2w
  maxSize 512KiB
  key msisdn cardinality 2.5M
}`);
    expectClean(result);
    const t = result.model.topics.get("billing.payment.received")!;
    expect(t.rate).toEqual({ average: 2, peak: 2.5 });
    expect(t.retentionMs).toBe(14 * 86_400_000);
    expect(t.maxSizeBytes).toBe(512 * 1024);
    expect(t.key?.cardinality).toBe(2_500_000);
  });
});

describe("names and references", () => {
  it("EVT0301: a consumer reading a topic nobody publishes, with a suggestion", () => {
    const result = checkInline(`${preamble}${topic}
consumer crm.x { owner crm from «billing.payment.recieved» unordered guaranteed }`);
    expectDiagnostics(result, [
      {
        code: "EVT0301",
        at: 0,
        message: "unknown topic `billing.payment.recieved`",
        help: "did you mean `billing.payment.received`?",
      },
    ]);
  });

  it("EVT0302, EVT0304, EVT0305, EVT0306: unknown team, event, back-end and segment", () => {
    const result = checkInline(`${preamble}
topic billing.payment.received { owner «billng» event «PaymentRecieved» segment «fast» }
topic billing.payment.refunded { owner billing event PaymentReceived }
consumer crm.x { owner crm from billing.payment.refunded unordered best-effort lookup «crm.db» by msisdn }`);
    expectDiagnostics(result, [
      { code: "EVT0302", at: 0, help: "did you mean `billing`?" },
      { code: "EVT0304", at: 1, help: "did you mean `PaymentReceived`?" },
      { code: "EVT0306", at: 2 },
      { code: "EVT0305", at: 3 },
    ]);
  });

  it("EVT0303: unknown field types with suggestions", () => {
    const result = checkInline(`event E v1 { a «strng» b «Profle»[] c map<«nt»> }\nrecord Profile { x int }`);
    expectDiagnostics(result, [
      { code: "EVT0303", at: 0, help: "did you mean `string`?" },
      { code: "EVT0303", at: 1, help: "did you mean `Profile`?" },
      { code: "EVT0303", at: 2, help: /`int`/ },
    ]);
  });

  it("EVT0307: key and look-up fields that the event does not have", () => {
    const result = checkInline(`${preamble}
backend crm.db { owner crm }
topic billing.payment.received { owner billing event PaymentReceived key «msisd» }
consumer crm.x { owner crm from billing.payment.received unordered guaranteed lookup crm.db by «account.id» }`);
    expectDiagnostics(result, [
      { code: "EVT0307", at: 0, help: "did you mean `msisdn`?" },
      { code: "EVT0307", at: 1, message: "event `PaymentReceived` has no field `account`" },
    ]);
  });

  it("walks key paths through nested records", () => {
    const result = checkInline(`${preamble}
record Account { id uuid  tags string[] }
event Ev v1 { account Account }
topic billing.account.opened { owner billing event Ev key account.id }
topic billing.account.closed { owner billing event Ev key «account.tags» }
topic billing.account.moved { owner billing event Ev key «account.nope» }`);
    expectDiagnostics(result, [
      { code: "EVT0409", at: 0, message: "field `account.tags` of type `string[]` cannot be a key" },
      { code: "EVT0307", at: 1, message: "event `Account` has no field `nope`" },
    ]);
    expect(result.model.topics.get("billing.account.opened")!.key!.path).toEqual(["account", "id"]);
  });

  it("EVT0308 and EVT0309: unknown enum member and unknown annotation", () => {
    const result = checkInline(`enum Currency { EUR USD }\n@«depracated» event E v1 { c Currency = «GBP» }`);
    expectDiagnostics(result, [
      { code: "EVT0309", at: 0, help: "did you mean `deprecated`?" },
      { code: "EVT0308", at: 1, message: "enum `Currency` has no member `GBP`" },
    ]);
  });

  it("EVT0201: an annotation given more arguments than it takes, @deprecated one and @allow two", () => {
    const result = checkInline(`@deprecated("old", «"older"»)
team t { contact "t@operator.example" }
@allow("naming/topic-format", "reason", «"x"», «y»)
domain t { owner t }`);
    expectDiagnostics(result, [
      { code: "EVT0201", at: 0, message: "expected `)`, found a second argument", help: /^`@deprecated` takes one/ },
      {
        code: "EVT0201",
        at: 1,
        message: "expected `)`, found a third argument",
        help: /^`@allow` takes a rule and a reason/,
      },
      { code: "EVT0201", at: 2, message: "expected `)`, found a fourth argument" },
    ]);
  });

  it("EVT0310: duplicate definitions across files point at the first one", () => {
    const result = checkInline({
      "a.evt": `team t { contact "x" }\nevent «E» v1 { a int }`,
      "b.evt": `team «t» { contact "y" }\nrecord «E» { a int }\nenum «string» { A }`,
    });
    expectDiagnostics(result, [
      { code: "EVT0310", at: 0, file: "b.evt", message: "team `t` is defined more than once" },
      { code: "EVT0310", at: 1, file: "b.evt", message: "record `E` is defined more than once" },
      { code: "EVT0310", at: 2, file: "b.evt", help: "`string` is a built-in type; choose another name" },
    ]);
    const first = result.diagnostics[1]!.related[0]!;
    expect([first.span.file.path, first.span.start, first.message]).toEqual(["a.evt", 29, "first defined here"]);
  });

  it("EVT0311 and EVT0312: duplicate fields (including inherited ones) and enum members", () => {
    const result = checkInline(
      `event A v1 { x int  «x» string }\nevent B v1 extends A { «x» long }\nenum C { P Q «P» }`,
    );
    expectDiagnostics(result, [
      { code: "EVT0311", at: 0 },
      { code: "EVT0311", at: 1, message: "field `x` is defined more than once in `B`" },
      { code: "EVT0312", at: 2 },
    ]);
    expect(result.diagnostics[1]!.related[0]!.message).toBe("inherited from here");
  });

  it("EVT0313: an enricher publishing a topic defined elsewhere", () => {
    const result = checkInline(`${preamble}${topic}
backend crm.db { owner crm }
event Enriched v1 extends PaymentReceived { segment string }
enricher crm.a { owner crm from billing.payment.received lookup crm.db by msisdn publish «billing.payment.received» as Enriched }
enricher crm.b { owner crm from billing.payment.received lookup crm.db by msisdn publish billing.payment.enriched as Enriched }
enricher crm.c { owner crm from billing.payment.received lookup crm.db by msisdn publish «billing.payment.enriched» as Enriched }`);
    expectDiagnostics(result, [
      { code: "EVT0313", at: 0 },
      { code: "EVT0313", at: 1 },
    ]);
    expect(result.diagnostics.map((d) => d.related[0]!.message)).toEqual([
      "declared as a topic here",
      "published by another enricher here",
    ]);
  });

  it("EVT0314: enrichment chains that loop", () => {
    const result = checkInline(`${preamble}
backend crm.db { owner crm }
event E1 v1 extends PaymentReceived { a string }
event E2 v1 extends E1 { b string }
enricher crm.one { owner crm from crm.x.two lookup crm.db by msisdn publish crm.x.one as E2 }
enricher crm.two { owner crm from «crm.x.one» lookup crm.db by msisdn publish crm.x.two as E2 }
consumer crm.c { owner crm from crm.x.one unordered guaranteed }`);
    expectDiagnostics(result, [{ code: "EVT0314", at: 0 }]);
    expect(result.diagnostics[0]!.message).toBe("enrichment chain forms a cycle: `crm.one` → `crm.two` → `crm.one`");
  });

  it("EVT0315: extends cycles", () => {
    const result = checkInline(`event A v1 extends «B» { a int }\nevent B v1 extends A { b int }`);
    expectDiagnostics(result, [{ code: "EVT0315", at: 0, message: "`extends` forms a cycle: `A` → `B` → `A`" }]);
  });

  it("EVT0316: a declared topic named like a dead-letter topic, and a reader named like a replay group", () => {
    const result = checkInline(`${preamble}${topic}
event Audit v1 { id string }
topic «billing.payment-audit.dlq» { owner billing event Audit }
consumer «billing.payment-audit» { owner billing from billing.payment.received unordered guaranteed }
consumer «billing.payment-audit.replay» { owner billing from billing.payment.received unordered best-effort }
consumer billing.payment-watch { owner billing from billing.payment-audit.dlq unordered best-effort }`);
    expectDiagnostics(result, [
      {
        code: "EVT0316",
        at: 1,
        message:
          "`billing.payment-audit.dlq` would be both a declared topic and the dead-letter topic of consumer `billing.payment-audit`",
      },
      {
        code: "EVT0316",
        at: 1,
        message:
          "`billing.payment-audit.replay` would be both the consumer group of consumer `billing.payment-audit.replay` and the group replaying the dead letters of consumer `billing.payment-audit`",
      },
    ]);
    const marked = result.marks["main.evt"]!.spans;
    expect(result.diagnostics.map((d) => [d.related[0]!.message, d.related[0]!.span.start])).toEqual([
      ["the topic", marked[0]!.start],
      ["consumer `billing.payment-audit.replay`", marked[2]!.start],
    ]);
  });

  it("EVT0316: a consumer and an enricher of one name would share a group and a dead-letter topic: one error", () => {
    const result = checkInline(`${preamble}${topic}
backend crm.db { owner crm }
event Enriched v1 extends PaymentReceived { segment string }
consumer crm.payment { owner crm from billing.payment.received unordered guaranteed }
enricher «crm.payment» { owner crm from billing.payment.received lookup crm.db by msisdn publish crm.payment.enriched as Enriched }
consumer crm.enriched-sync { owner crm from crm.payment.enriched unordered best-effort }`);
    expectDiagnostics(result, [
      {
        code: "EVT0316",
        at: 0,
        message:
          "`crm.payment` would be both the consumer group of consumer `crm.payment` and the consumer group of enricher `crm.payment`",
      },
    ]);
  });

  it("EVT0317: topic names over Kafka's 249 characters, dead-letter topics included", () => {
    const long = `billing.${"a".repeat(233)}.received`;
    const reader = `billing.${"r".repeat(240)}`;
    const result = checkInline(`${preamble}
topic «${long}» { owner billing event PaymentReceived }
consumer «${reader}» { owner billing from ${long} unordered guaranteed }`);
    expectDiagnostics(result, [
      { code: "EVT0317", at: 0, message: `topic \`${long}\` is 250 characters long; Kafka allows 249` },
      {
        code: "EVT0317",
        at: 1,
        message: `the dead-letter topic of consumer \`${reader}\`, \`${reader}.dlq\` is 252 characters long; Kafka allows 249`,
      },
    ]);
  });

  it("EVT0318: events, topics and files whose generated files would be one, on a file system that ignores case", () => {
    const result = checkInline({
      "billing.evt": `${preamble}${topic}
event «Paymentreceived» v2 { id string }
topic «billing.Payment.received» { owner billing event Paymentreceived }
consumer «billing.audit» { owner billing from billing.payment.received unordered best-effort }`,
      "billing.consumers.evt": `record Other { a string }`,
      "Crm.evt": `record Thing { a string }`,
      "crm.evt": `record «Profile» { a string }
consumer crm.sync { owner crm from billing.payment.received unordered best-effort }`,
      "index.evt": `enum «Size» { S }`,
    });
    expectDiagnostics(result, [
      {
        code: "EVT0318",
        file: "billing.evt",
        at: 0,
        message:
          "`validators/Paymentreceived.v….js` would be generated both for event `PaymentReceived` and for event `Paymentreceived`",
      },
      {
        code: "EVT0318",
        file: "billing.evt",
        at: 1,
        message:
          "`schemas/billing.Payment.received-value/` would be generated both for topic `billing.payment.received` and for topic `billing.Payment.received`",
      },
      {
        code: "EVT0318",
        file: "billing.evt",
        at: 2,
        message:
          "`billing.consumers.ts` would be generated both for the types of `billing.consumers.evt` and for the readers of `billing.evt`",
        help: "rename one of them",
      },
      {
        code: "EVT0318",
        file: "crm.evt",
        at: 0,
        message: "`crm.ts` would be generated both for the types of `Crm.evt` and for the types of `crm.evt`",
        help: "rename one of them: `Crm.ts` and `crm.ts` differ only in case, which macOS and Windows do not tell apart",
      },
      {
        code: "EVT0318",
        file: "index.evt",
        at: 0,
        message: "`index.ts` would be generated both for the wiring and for the types of `index.evt`",
        help: "rename the file or its folder: `index.ts` is where evtc writes the wiring",
      },
    ]);
  });

  it("EVT0318: a module in evtc's own folders, or where a file of the output is, or a folder of one", () => {
    const event = (name: string) => `event «${name}» v1.0 { id string }`;
    const result = checkInline({
      "validators/Foo.v1.0.d.evt": event("Foo"),
      "Topology.JSON/x.evt": event("X"),
      "billing.evt": `${preamble}${topic}`,
      "billing.ts/y.evt": event("Y"),
      "crm/Sync.evt": event("Z"),
      "Crm/other.evt": `record Other { a string }`,
    });
    expectDiagnostics(result, [
      {
        code: "EVT0318",
        file: "Topology.JSON/x.evt",
        at: 0,
        message: "`Topology.JSON` would be generated both for the topology and for the types of `Topology.JSON/x.evt`",
        help: "rename the file or its folder: `topology.json` is where evtc writes the topology",
      },
      {
        code: "EVT0318",
        file: "billing.ts/y.evt",
        at: 0,
        message:
          "`billing.ts` would be generated both for the types of `billing.evt` and for the types of `billing.ts/y.evt`",
      },
      {
        code: "EVT0318",
        file: "validators/Foo.v1.0.d.evt",
        at: 0,
        message:
          "`validators/` would be generated both for the validators and for the types of `validators/Foo.v1.0.d.evt`",
      },
    ]);
  });

  it("EVT0320: a source file whose name an import cannot hold, or in a folder a build never cleans", () => {
    const names = ["#o.evt", "a%41b.evt", "q?x.evt", "c\\d.evt"];
    const files = Object.fromEntries(names.map((name, i) => [name, `record «R${i}» { a string }`]));
    const result = checkInline(files, rulesOff, { place: { directory: "/work", cwd: "/work" } });
    expectDiagnostics(
      result,
      [...names].sort().map((name) => ({
        code: "EVT0320",
        file: name,
        at: 0,
        message: `\`${name}\` cannot name a module: it holds \`${name.match(/[#%?\\]/)![0]}\``,
      })),
    );
    const hidden = checkInline(
      { ".drafts/a.evt": `record «A» { a string }`, "node_modules/b.evt": `record «B» { a string }` },
      rulesOff,
      { place: { directory: "/work", cwd: "/work" } },
    );
    expectDiagnostics(hidden, [
      {
        code: "EVT0320",
        file: ".drafts/a.evt",
        at: 0,
        message:
          "`.drafts/a.evt` cannot name a module: it is in `.drafts/`, where a build never removes what it no longer generates",
      },
      { code: "EVT0320", file: "node_modules/b.evt", at: 0, message: /it is in `node_modules\/`/ },
    ]);
  });

  it("EVT0319: a file outside the project directory, whose module would be written outside the output", () => {
    const files = {
      "a/billing.evt": `${preamble}${topic}`,
      "b/crm.evt": `record «Profile» { a string }`,
      "b/teams.evt": `team ops { contact "o@x.example" }`,
    };
    expectClean(checkInline(files, rulesOff, { place: { directory: "/work", cwd: "/work" } }));
    const outside = checkInline(files, rulesOff, { place: { directory: "/work/a", cwd: "/work" } });
    // A file that generates no module (teams only) is not refused.
    expectDiagnostics(outside, [
      { code: "EVT0319", file: "b/crm.evt", at: 0, message: "`b/crm.evt` is outside the project directory `a`" },
    ]);
  });

  it("resolves enrichment chains of several hops, declared in any order", () => {
    const result = checkInline(`${preamble}${topic}
backend crm.db { owner crm }
consumer crm.last { owner crm from crm.payment.twice unordered guaranteed }
enricher crm.second { owner crm from crm.payment.once lookup crm.db by msisdn publish crm.payment.twice as E2 }
enricher crm.first { owner crm from billing.payment.received lookup crm.db by msisdn cache 1m publish crm.payment.once as E1 }
event E1 v1 extends PaymentReceived { a string }
event E2 v1 extends E1 { b string }`);
    expectClean(result);
    const last = result.model.consumers.get("crm.last")!;
    expect(last.from.event.name).toBe("E2");
    expect(last.from.publisher.kind === "enricher" && last.from.publisher.enricher.from.name).toBe("crm.payment.once");
  });

  it("reports a broken declaration once, not at every reference", () => {
    const result = checkInline(`${preamble}
topic «billing.payment.received» { event PaymentReceived }
consumer crm.x { owner crm from billing.payment.received unordered guaranteed }`);
    expectDiagnostics(result, [{ code: "EVT0401", at: 0, message: "topic `billing.payment.received` has no `owner`" }]);
  });
});

describe("meaning of declarations", () => {
  it("EVT0401: required clauses", () => {
    const result = checkInline(`${preamble}${topic}
domain «d» { }
backend «crm.db» { capacity 1/s }
consumer «crm.x» { owner crm from billing.payment.received }
enricher «crm.e» { owner crm from billing.payment.received }`);
    expectDiagnostics(result, [
      { code: "EVT0401", at: 0, message: "domain `d` has no `owner`" },
      { code: "EVT0401", at: 1, message: "back-end `crm.db` has no `owner`" },
      { code: "EVT0401", at: 2, message: "consumer `crm.x` has no `guaranteed` or `best-effort`", help: /classify/ },
      { code: "EVT0401", at: 2, message: "consumer `crm.x` has no `ordered` or `unordered`", help: /classify/ },
      { code: "EVT0401", at: 3, message: "enricher `crm.e` has no `lookup`" },
      { code: "EVT0401", at: 3, message: "enricher `crm.e` has no `publish`" },
    ]);
  });

  it("EVT0402 and EVT0403: repeated and contradicting clauses", () => {
    const result = checkInline(`${preamble}
topic billing.payment.received { owner billing event PaymentReceived «partitions» 3 public «internal» partitions 4 }
consumer crm.x { owner crm from billing.payment.received ordered «unordered» guaranteed «guaranteed» }`);
    expectDiagnostics(result, [
      { code: "EVT0403", at: 1, message: "`internal` contradicts `public`" },
      { code: "EVT0402", message: "`partitions` is given more than once" },
      { code: "EVT0403", at: 2 },
      { code: "EVT0402", at: 3 },
    ]);
    expect(result.diagnostics[1]!.related[0]!.span.start).toBe(result.marks["main.evt"]!.spans[0]!.start);
  });

  it("EVT0404: an event without a version", () => {
    const result = checkInline(`event «E» { a int }`);
    expectDiagnostics(result, [{ code: "EVT0404", at: 0, help: "write the version after the name: `event E v1.0 {`" }]);
  });

  it("EVT0405: a peak below the average", () => {
    const result = checkInline(`${preamble}
topic billing.payment.received { owner billing event PaymentReceived rate 10/s peak «5/s» }`);
    expectDiagnostics(result, [{ code: "EVT0405", at: 0, message: "peak rate 5/s is below the average rate 10/s" }]);
  });

  it("EVT0104 and EVT0105: bad units and values of the wrong kind", () => {
    const result = checkInline(`${preamble}
topic billing.payment.received { owner billing event PaymentReceived rate «5s» retention «7x» partitions «2/s» maxSize «1MiB/s» }
backend crm.db { owner crm capacity 5/s latency «20» }`);
    expectDiagnostics(result, [
      { code: "EVT0105", at: 0, message: "expected a rate such as `2000/s` or `5k/s`, found duration `5s`" },
      { code: "EVT0104", at: 1, message: /unknown unit `x`/ },
      { code: "EVT0105", at: 2, message: "expected a whole number such as `12`, found rate `2/s`" },
      { code: "EVT0104", at: 3, message: /unknown multiplier `MiB`/ },
      { code: "EVT0105", at: 4, message: "expected a duration such as `200ms` or `7d`, found number `20`" },
    ]);
  });

  it("EVT0406 and EVT0407: constraints that do not apply or contradict", () => {
    const result = checkInline(`event E v1 {
  a int «pattern» "x"
  b string «min» 1
  c string pattern «"(unclosed"»
  d string «minLength 5» maxLength 2
  e int[] «maxLength» 3
  f string minLength «-1»
  g int min «1.5»
}`);
    expectDiagnostics(result, [
      { code: "EVT0406", at: 0, message: "`pattern` does not apply to a field of type `int`" },
      { code: "EVT0406", at: 1 },
      { code: "EVT0407", at: 2, message: /not a valid regular expression/ },
      { code: "EVT0407", at: 3, message: "invalid constraint: `minLength` 5 is above `maxLength` 2" },
      { code: "EVT0406", at: 4 },
      { code: "EVT0407", at: 5 },
      { code: "EVT0407", at: 6 },
    ]);
  });

  it("EVT0407 and EVT0408: bounds and defaults outside the field's type, exactly at a long's ends", () => {
    const huge = "9".repeat(400); // past the largest double: JSON cannot write it
    const result = checkInline(`event E v1 {
  a int min «3000000000»
  b int max «-3000000000»
  c int min «3G»
  d long min «99999999999999999999»
  e long max «9223372036854775808»
  f long min «-9223372036854775809»
  g double min «${huge}»
  h decimal max «${huge}»
  i long = «9223372036854775808»
  j double = «${huge}»
  ok1 int min -2147483648 max 2147483647 = 2147483647
  ok2 long min -9223372036854775808 max 9223372036854775807 = -9223372036854775808
  ok3 long min 2G = 10000000000
  ok4 double min -1.5 max 1000
}`);
    const int = "out of the range of a 32-bit `int`, -2147483648 to 2147483647";
    const long = "out of the range of a 64-bit `long`, -9223372036854775808 to 9223372036854775807";
    expectDiagnostics(result, [
      {
        code: "EVT0407",
        at: 0,
        message: `invalid constraint: \`min\` 3000000000 is ${int}`,
        help: "give a bound within the type's range, or make the field a `long` for larger numbers",
      },
      { code: "EVT0407", at: 1, message: `invalid constraint: \`max\` -3000000000 is ${int}` },
      { code: "EVT0407", at: 2, message: `invalid constraint: \`min\` 3G is ${int}` },
      { code: "EVT0407", at: 3, message: `invalid constraint: \`min\` 99999999999999999999 is ${long}` },
      { code: "EVT0407", at: 4, message: `invalid constraint: \`max\` 9223372036854775808 is ${long}` },
      { code: "EVT0407", at: 5, message: `invalid constraint: \`min\` -9223372036854775809 is ${long}` },
      { code: "EVT0407", at: 6, message: /is too large: past the largest number JavaScript holds/ },
      { code: "EVT0407", at: 7, message: /is too large/ },
      { code: "EVT0408", at: 8, message: `invalid default for a field of type \`long\`: ${long}` },
      { code: "EVT0408", at: 9, message: /^invalid default for a field of type `double`: too large/ },
    ]);
    const fields = new Map(result.model.events.get("E")!.fields.map((f) => [f.name, f]));
    expect(fields.get("a")!.constraints).toEqual({});
    expect(fields.get("ok1")!.constraints).toEqual({ min: -2147483648, max: 2147483647 });
  });

  it("EVT0408: defaults of the wrong type or breaking constraints", () => {
    const result = checkInline(`enum Color { RED }
event E v1 {
  a int = «1.5»
  b string = «5»
  c boolean = «yes»
  d string pattern "^[a-z]+$" = «"ABC"»
  e int max 10 = «11»
  f uuid = «"x"»
  g Color = «"RED"»
  h string[] = «"x"»
  ok1 decimal = 12.50
  ok2 Color = RED
  ok3 boolean = false
  ok4 string maxLength 3 = "abc"
}`);
    expectDiagnostics(result, [
      { code: "EVT0408", at: 0 },
      { code: "EVT0408", at: 1 },
      { code: "EVT0408", at: 2 },
      { code: "EVT0408", at: 3 },
      { code: "EVT0408", at: 4, message: "invalid default for a field of type `int`: above `max` 10" },
      { code: "EVT0408", at: 5 },
      { code: "EVT0408", at: 6 },
      { code: "EVT0408", at: 7 },
    ]);
    const fields = result.model.events.get("E")!.fields;
    expect(fields.filter((f) => f.default !== undefined).map((f) => [f.name, f.default])).toEqual([
      ["ok1", "12.50"],
      ["ok2", "RED"],
      ["ok3", false],
      ["ok4", "abc"],
    ]);
  });

  it("EVT0409: keys must be required scalars", () => {
    const result = checkInline(`${preamble}
event E v1 { o? string  r Profile  s string }
record Profile { x int }
topic billing.a.done { owner billing event E key «o» }
topic billing.b.done { owner billing event E key «r» }
topic billing.c.done { owner billing event E key s }`);
    expectDiagnostics(result, [
      { code: "EVT0409", at: 0, message: "field `o` of type `string (optional)` cannot be a key" },
      { code: "EVT0409", at: 1 },
    ]);
  });

  it("EVT0410: an enriched event must extend the source event", () => {
    const result = checkInline(`${preamble}${topic}
backend crm.db { owner crm }
event Unrelated v1 { a string }
enricher crm.e { owner crm from billing.payment.received lookup crm.db by msisdn publish crm.x.y as «Unrelated» }`);
    expectDiagnostics(result, [{ code: "EVT0410", at: 0, help: /extends PaymentReceived/ }]);
  });

  it("EVT0411: values out of range", () => {
    const result = checkInline(`${preamble}
segment s { replicas 2 minInsync «3» }
topic billing.payment.received { owner billing event PaymentReceived partitions «0» }
consumer crm.x { owner crm from billing.payment.received unordered guaranteed retry «500» }
consumer crm.y { owner crm from billing.payment.received unordered guaranteed retry 3 backoff «10s»..1s }`);
    expectDiagnostics(result, [
      { code: "EVT0411", at: 0 },
      { code: "EVT0411", at: 1, message: "`partitions` must be at least 1, not 0" },
      { code: "EVT0411", at: 2 },
      { code: "EVT0411", at: 3 },
    ]);
  });

  it("EVT0411: values too large for the broker or for JavaScript, before they become Infinity in the topology", () => {
    const huge = "9".repeat(400);
    const result = checkInline(`${preamble}
topic billing.payment.received { owner billing event PaymentReceived partitions «99999999999999999999» retention «${huge}d» }
consumer crm.x { owner crm from billing.payment.received unordered guaranteed concurrency «2147483648» }
consumer crm.y { owner crm from billing.payment.received unordered guaranteed concurrency 2147483647 deadline 9007199254740991ms }`);
    expectDiagnostics(result, [
      { code: "EVT0411", at: 0, message: "`partitions` must be at most 2147483647, not 99999999999999999999" },
      { code: "EVT0411", at: 1, message: /^`retention` must be at most 9007199254740991 milliseconds, not 9{50}/ },
      { code: "EVT0411", at: 2, message: "`concurrency` must be at most 2147483647, not 2147483648" },
    ]);
  });

  it("EVT0411: versions whose numbers JavaScript would round", () => {
    const result = checkInline(`${preamble}
event Huge «v99999999999999999999.5» { a int }
event Minor «v1.9007199254740992» { a int }
event Largest v9007199254740991.9007199254740991 { a int }
topic billing.payment.received { owner billing event PaymentReceived }
consumer crm.x { owner crm from billing.payment.received unordered guaranteed accepts v1, «v99999999999999999999» }`);
    expectDiagnostics(result, [
      {
        code: "EVT0411",
        at: 0,
        message:
          "the major version in `v99999999999999999999.5` is above 9007199254740991, the largest whole number JavaScript holds exactly",
        help: "versions count the changes of a contract: go up one at a time from `v1.0`",
      },
      { code: "EVT0411", at: 1, message: /^the minor version in `v1\.9007199254740992` is above/ },
      { code: "EVT0411", at: 2, message: /^the major version in `v99999999999999999999` is above/ },
    ]);
    expect(result.model.events.get("Largest")?.version).toEqual({ major: 2 ** 53 - 1, minor: 2 ** 53 - 1 });
  });

  it("EVT0412: unknown compatibility mode with a suggestion", () => {
    const result = checkInline(`${preamble}
topic billing.payment.received { owner billing event PaymentReceived compatibility «backwards» }`);
    expectDiagnostics(result, [{ code: "EVT0412", at: 0, help: "did you mean `backward`?" }]);
  });

  it("EVT0413: names of the wrong kind", () => {
    const result = checkInline(`${preamble}
record Profile { x int }
event A v1 { p «PaymentReceived» m «map» s «string<int>» }
event B v1 extends «Profile» { y int }
topic billing.payment.received { owner billing event «Profile» }`);
    expectDiagnostics(result, [
      { code: "EVT0413", at: 0, message: "`PaymentReceived` is an event, not a record, an enum or a built-in type" },
      { code: "EVT0413", at: 1 },
      { code: "EVT0413", at: 2 },
      { code: "EVT0413", at: 3 },
      { code: "EVT0413", at: 4 },
    ]);
  });

  it("EVT0415: arrays and maps nested past the limit, counted as the types say", () => {
    const limit = MAX_TYPE_DEPTH;
    let maps = "int[]";
    for (let i = 1; i < limit; i++) maps = i % 2 === 1 ? `map<${maps}>` : `${maps}[]`;
    const result = checkInline(`event E v1 {
  ok       string${"[]".repeat(limit)}
  okMaps   ${maps}
  arrays   «string${"[]".repeat(limit + 1)}»
  maps     «${maps}[]»
}`);
    expectDiagnostics(result, [
      {
        code: "EVT0415",
        at: 0,
        message: `field \`E.arrays\` nests arrays, maps and records ${limit + 1} deep, over the limit of ${limit}`,
        help: /^flatten the type/,
      },
      { code: "EVT0415", at: 1 },
    ]);
  });

  it("EVT0415: a chain of records each holding the next is reported once, where it passes the limit", () => {
    // R0 holds R1, …, the last holds a string: R<i> nests (length - 1 - i) deep.
    const chain = (length: number, marked?: number) =>
      Array.from({ length }, (_, i) =>
        i === length - 1
          ? `record R${i} { value string }`
          : i === marked
            ? `record R${i} { next «R${i + 1}» }`
            : `record R${i} { next R${i + 1} }`,
      ).join("\n");
    // As deep as allowed: the event's field, one more than R0.
    expectClean(checkInline(`event E v1 { first R0 }\n${chain(MAX_TYPE_DEPTH)}`));
    const length = 1000;
    const frontier = length - 2 - MAX_TYPE_DEPTH; // its field holds a record nesting MAX_TYPE_DEPTH deep
    const result = checkInline(`event E v1 { first R0 }\n${chain(length, frontier)}`);
    expectDiagnostics(result, [
      {
        code: "EVT0415",
        at: 0,
        message: `field \`R${frontier}.next\` nests arrays, maps and records ${MAX_TYPE_DEPTH + 1} deep, over the limit of ${MAX_TYPE_DEPTH}`,
      },
    ]);
    expect(result.diagnostics[0]!.related[0]!.message).toBe(`\`R${frontier + 1}\` nests ${MAX_TYPE_DEPTH} deep`);
  });

  it("EVT0415: records that refer to each other count once each, and a cycle too long is reported once", () => {
    const ring = (length: number, marked: boolean) =>
      Array.from({ length }, (_, i) =>
        i === 0 && marked
          ? `record Ring0 { next? «Ring1[]»  value string }`
          : `record Ring${i} { next? Ring${(i + 1) % length}[]  value string }`,
      ).join("\n");
    // Through the 31 records of the ring, an array and a record each, the last one back into it: 62; with the event
    // field's array and record, 64.
    expectClean(
      checkInline(`event E v1 { ring Ring0[] tree Tree }
record Tree { children Tree[] name string }
${ring(31, false)}`),
    );
    const result = checkInline(`event E v1 { ring Ring0 }\n${ring(40, true)}`);
    expectDiagnostics(result, [
      {
        code: "EVT0415",
        at: 0,
        message:
          "field `Ring0.next` nests arrays, maps and records up to 82 deep through a cycle of records, over the limit of 64",
        help: "`Ring0`, `Ring1`, `Ring2` and 37 more records refer to each other, so a value may pass through each of them in turn: break the cycle, or flatten the records",
      },
    ]);
  });

  it("EVT0415: a type too deep to describe in full is still checked without running out of stack", () => {
    const result = checkInline(`event E v1 { a «string${"[]".repeat(200_000)}» «min» 1 }`);
    expectDiagnostics(result, [
      { code: "EVT0415", at: 0, message: /200000 deep/ },
      { code: "EVT0406", at: 1, message: /^`min` does not apply to a field of type `string\[\]\[\].*…`$/ },
    ]);
  });

  it("EVT0203: owner and event cannot be overridden on an enriched topic", () => {
    const result = checkInline(`${preamble}${topic}
backend crm.db { owner crm }
event En v1 extends PaymentReceived { a string }
enricher crm.e { owner crm from billing.payment.received lookup crm.db by msisdn publish crm.x.y as En { «owner» billing } }`);
    expectDiagnostics(result, [{ code: "EVT0203", at: 0, message: "`owner` is not a clause of `publish`" }]);
  });

  it("EVT0105: accepts takes major versions only", () => {
    const result = checkInline(`${preamble}${topic}
consumer crm.x { owner crm from billing.payment.received unordered guaranteed accepts «v2» «v1.1» v1 }`);
    expectDiagnostics(result, [
      { code: "EVT0411", at: 0, message: "`accepts v2` is ahead of `PaymentReceived`, which is at v1" },
      { code: "EVT0105", at: 1 },
    ]);
  });

  it("EVT0007: an empty file is a warning", () => {
    const result = checkInline({ "empty.evt": "  // only a comment\n", "team.evt": `team t { contact "x" }` });
    expectDiagnostics(result, [{ code: "EVT0007", file: "empty.evt" }]);
    expect(result.diagnostics[0]!.severity).toBe("warning");
  });

  it("keys and look-ups go through required fields only", () => {
    const result = checkInline(`${preamble}
record Inner { id string }
event Ev v1 { c? Inner  tags string[]  id string }
backend crm.db { owner crm }
topic billing.thing.done { owner billing event Ev key «c.id» cardinality «0» }
consumer crm.x { owner crm from billing.thing.done unordered guaranteed lookup crm.db by «tags» lookup crm.db by id }`);
    expectDiagnostics(result, [
      { code: "EVT0409", at: 0, message: "field `c.id` of type `string (optional)` cannot be a key" },
      { code: "EVT0411", at: 1 },
      { code: "EVT0409", at: 2 },
    ]);
  });

  it("reports a second default and unknown generic types", () => {
    const result = checkInline(`event E v1 { a int = 1 «= 2»  b «list»<int> }`);
    expectDiagnostics(result, [
      { code: "EVT0402", at: 0, message: "`=` is given more than once" },
      { code: "EVT0303", at: 1, help: "an array is written `T[]`" },
    ]);
  });
});
