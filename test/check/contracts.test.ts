import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../src/config/config.js";
import {
  currentContracts,
  emptyLock,
  formatLock,
  parseLock,
  withCurrentVersionsAndTopics,
  type Lock,
} from "../../src/contracts/lock.js";
import { SourceFile } from "../../src/diagnostics/source.js";
import { checkSources } from "../../src/program.js";
import { mark } from "../support/inline.js";
import { rules } from "../../src/check/rules/index.js";
import { reversedKeys } from "../support/json.js";

const config = { ...defaultConfig, ruleLevels: new Map(rules.map((r) => [r.id, "off" as const])) };

function project(events: string, consumers = ""): string {
  return `
team billing { contact "billing@operator.example" }
team crm { contact "crm@operator.example" }
domain billing { owner billing }
domain crm { owner crm }
${events}
topic billing.payment.received { owner billing event PaymentReceived key msisdn public compatibility backward }
consumer crm.dunning { owner crm from billing.payment.received unordered guaranteed }
${consumers}`;
}

/**
 * Checks `source` and returns the lock `evtc lock` would write for it, read back as a file; with `topics`, the
 * event of each topic is recorded too, as `evtc lock` does (without, the lock is one written before it did).
 */
function publish(source: string, previous: Lock = emptyLock, { topics = false } = {}): Lock {
  const result = checkSources([new SourceFile("bus.evt", source)], [], config, previous);
  expect(result.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
  const current = currentContracts(result.model);
  const next = withCurrentVersionsAndTopics(previous, current.events, topics ? current.topics : undefined);
  const parsed = parseLock(new SourceFile("evt.lock", formatLock(next.events, next.topics)));
  expect(parsed.diagnostics).toEqual([]);
  return parsed.lock;
}

function check(source: string, lock: Lock) {
  const marked = mark(source);
  const result = checkSources([new SourceFile("bus.evt", marked.text)], [], config, lock);
  return { result, spans: marked.spans };
}

const v1_1 = `event PaymentReceived v1.1 {
  paymentId uuid
  msisdn    string maxLength 15
  /// The amount.
  amount    decimal
}`;

describe("the lock file", () => {
  it("records contract schemas deterministically and reads them back", () => {
    const lock = publish(project(v1_1));
    expect([...lock.events.keys()]).toEqual(["PaymentReceived"]);
    expect(lock.events.get("PaymentReceived")!.map((v) => `${v.major}.${v.minor}`)).toEqual(["1.1"]);
    const again = formatLock(lock.events);
    expect(formatLock(publish(project(v1_1)).events)).toBe(again);
    expect(again).not.toContain("The amount."); // documentation is not part of the contract
  });

  it("rejects a lock whose schema does not match its hash", () => {
    const text = formatLock(publish(project(v1_1)).events).replace('"maxLength": 15', '"maxLength": 16');
    const { diagnostics } = parseLock(new SourceFile("evt.lock", text));
    expect(diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["EVT0602", "invalid `evt.lock`: the schema of `PaymentReceived` v1.1 does not match its hash"],
    ]);
    expect(parseLock(new SourceFile("evt.lock", "{ not json")).diagnostics[0]!.code).toBe("EVT0602");
    // Conflict markers from a merge: one error at the first, saying what to do, not one per line they break.
    const lines = formatLock(publish(project(v1_1)).events).split("\n");
    const conflicted = [
      ...lines.slice(0, 3),
      "<<<<<<< HEAD",
      ...lines.slice(3, 6),
      "=======",
      ">>>>>>> topup",
      ...lines.slice(6),
    ];
    const merged = parseLock(new SourceFile("evt.lock", conflicted.join("\n"))).diagnostics;
    expect(merged.map((d) => [d.code, d.message, d.span?.start])).toEqual([
      ["EVT0602", "invalid `evt.lock`: it has merge conflict markers", conflicted.slice(0, 3).join("\n").length + 1],
    ]);
    expect(merged[0]!.help).toMatch(/^take either side .*then run `evtc lock`/);
  });

  it("reads a lock whose keys another tool reordered, and says what is wrong with one it cannot read", () => {
    const text = formatLock(publish(project(v1_1), emptyLock, { topics: true }).events);
    const reordered = JSON.stringify(reversedKeys(JSON.parse(text)), null, 4);
    expect(reordered.indexOf('"type"')).toBeLessThan(reordered.indexOf('"additionalProperties"'));
    const read = parseLock(new SourceFile("evt.lock", reordered));
    expect(read.diagnostics).toEqual([]);
    expect(formatLock(read.lock.events)).toBe(text);
    const span = read.lock.locate("PaymentReceived", "1.1", "#/properties/msisdn/maxLength")!;
    expect(reordered.slice(span.start, span.end)).toBe('"maxLength"');

    const unknownVersion = text.replace('"lockVersion": 1', '"lockVersion": 0');
    const older = parseLock(new SourceFile("evt.lock", unknownVersion)).diagnostics;
    expect(older.map((d) => [d.code, d.message, unknownVersion.slice(d.span!.start, d.span!.end)])).toEqual([
      ["EVT0602", "invalid `evt.lock`: `lockVersion` must be 1", "0"],
    ]);
  });

  it("reads a key written twice, and a hash of keys in another order, as it always did: as mistakes", () => {
    const text = formatLock(publish(project(v1_1)).events);
    const hash = /"hash": "(sha256:[0-9a-f]+)"/.exec(text)![1]!;
    // JSON.parse would keep the second; the lock is read as the tree reads it, the first.
    const twice = text.replace(`"hash": "${hash}"`, `"hash": "sha256:0", "hash": "${hash}"`);
    expect(parseLock(new SourceFile("evt.lock", twice)).diagnostics.map((d) => d.message)).toEqual([
      "invalid `evt.lock`: the schema of `PaymentReceived` v1.1 does not match its hash",
    ]);
    // A schema's keys in another order, hashed as they stand: not the hash `evtc lock` writes. (The file is
    // otherwise as `evtc lock` writes one.)
    const lock = JSON.parse(text) as { events: Record<string, Record<string, { hash: string; schema: object }>> };
    const recorded = lock.events["PaymentReceived"]!["1.1"]!;
    recorded.schema = Object.fromEntries(Object.entries(recorded.schema).reverse());
    recorded.hash = `sha256:${createHash("sha256").update(JSON.stringify(recorded.schema)).digest("hex")}`;
    const rehashed = `${JSON.stringify(lock, null, 2)}\n`;
    expect(parseLock(new SourceFile("evt.lock", rehashed)).diagnostics.map((d) => d.message)).toEqual([
      "invalid `evt.lock`: the schema of `PaymentReceived` v1.1 does not match its hash",
    ]);
  });

  it("keeps recorded versions and adds the new ones", () => {
    const first = publish(project(v1_1));
    const second = publish(
      project(v1_1.replace("v1.1", "v1.2").replace("amount    decimal", "amount decimal\n  note? string")),
      first,
    );
    expect(second.events.get("PaymentReceived")!.map((v) => `${v.major}.${v.minor}`)).toEqual(["1.1", "1.2"]);
  });
});

describe("schema history checks", () => {
  const published = publish(project(v1_1));

  it("accepts the published version unchanged, and documentation changes", () => {
    const { result } = check(project(v1_1.replace("The amount.", "How much was paid.")), published);
    expect(result.diagnostics).toEqual([]);
  });

  it("never records a bound beyond a double, which JSON writes as null: the check refuses it (EVT0407)", () => {
    const huge = `event PaymentReceived v1.0 { paymentId uuid  msisdn string maxLength 15  ratio double max 1${"0".repeat(400)} }`;
    const { result } = check(project(huge), emptyLock);
    expect(result.diagnostics.map((d) => [d.code, d.message])).toEqual([
      [
        "EVT0407",
        "invalid constraint: `max` 10000000000000000000… (401 characters) is too large: past the largest number JavaScript holds, about 1.8e308",
      ],
    ]);
  });

  it("EVT0603: a published version changed in place", () => {
    const { result, spans } = check(
      project(v1_1.replace("v1.1", "«v1.1»").replace("maxLength 15", "maxLength 16")),
      published,
    );
    expect(result.diagnostics.map((d) => [d.code, d.span?.start, d.help])).toEqual([
      [
        "EVT0603",
        spans[0]!.start,
        "changed: max length increased (15 → 16) at `#/properties/msisdn/maxLength` — publish it as `v1.2`",
      ],
    ]);
    const related = result.diagnostics[0]!.related[0]!;
    expect([related.span.file.path, related.span.file.text.slice(related.span.start, related.span.end)]).toEqual([
      "evt.lock",
      '"1.1"',
    ]);
  });

  it("EVT0603 says when a change in place is breaking, and when only an order changed", () => {
    const narrowed = check(project(v1_1.replace("maxLength 15", "maxLength 12")), published).result;
    expect(narrowed.diagnostics.map((d) => d.help)).toEqual([
      "changed: max length decreased (15 → 12) at `#/properties/msisdn/maxLength` — publish it as `v2.0` (a breaking change)",
    ]);
    const swapped = v1_1.replace(
      "paymentId uuid\n  msisdn    string maxLength 15",
      "msisdn string maxLength 15\n  paymentId uuid",
    );
    expect(swapped).not.toBe(v1_1);
    const reordered = check(project(swapped), published).result;
    expect(reordered.diagnostics.map((d) => [d.code, d.help])).toEqual([
      [
        "EVT0603",
        "only the order of fields or enum members differs from what was published: restore it, or publish the change as `v1.2`",
      ],
    ]);
  });

  it("EVT0604: a version below the published one", () => {
    const { result } = check(project(v1_1.replace("v1.1", "v1.0")), published);
    expect(result.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["EVT0604", "`PaymentReceived` is at v1.0, below v1.1 already published"],
    ]);
    // What to declare instead: the published version when the schema is its, else the next one.
    expect(result.diagnostics[0]!.help).toBe("declare `v1.1`: this schema is what it published");
    const added = (version: string, field: string) =>
      check(
        project(v1_1.replace("v1.1", version).replace("amount    decimal", `amount decimal\n  ${field}`)),
        published,
      ).result.diagnostics[0]!.help;
    expect(added("v1.0", "note? string")).toBe("versions only go up: declare `v1.2`");
    expect(added("v1.0", "note string")).toBe("versions only go up: declare `v2.0` (the change breaks v1)");
  });

  it("a compatible minor version: an optional field added", () => {
    const { result } = check(
      project(v1_1.replace("v1.1", "v1.2").replace("amount    decimal", "amount decimal\n  note? string")),
      published,
    );
    expect(result.diagnostics).toEqual([]);
  });

  it("EVT0605: a breaking minor version points at what changed in the field and at the published schema", () => {
    const source = project(
      v1_1.replace("v1.1", "v1.2").replace("msisdn    string maxLength 15", "msisdn    string «maxLength 12»"),
    );
    const { result, spans } = check(source, published);
    expect(result.diagnostics.map((d) => [d.code, d.message, d.span?.start])).toEqual([
      [
        "EVT0605",
        "`PaymentReceived` v1.2 breaks backward compatibility with v1.1: max length decreased (15 → 12) at `#/properties/msisdn/maxLength`",
        spans[0]!.start,
      ],
    ]);
    const related = result.diagnostics[0]!.related[0]!;
    expect(related.span.file.text.slice(related.span.start, related.span.end)).toBe('"maxLength"');
    // A type that changed: at the type.
    const retyped = check(
      project(v1_1.replace("v1.1", "v1.2").replace("amount    decimal", "amount    «int»")),
      published,
    );
    expect(retyped.result.diagnostics.map((d) => [d.code, d.span?.start])).toEqual([
      ["EVT0605", retyped.spans[0]!.start],
    ]);
  });

  it("EVT0605: a required field added, and a field removed", () => {
    const source = project(v1_1.replace("v1.1", "v1.2").replace("amount    decimal", "channel string"));
    const { result } = check(source, published);
    expect(result.diagnostics.map((d) => d.message.replace(/.*: /, ""))).toEqual([
      "required property removed from closed content model (amount) at `#/properties/amount`",
      "required property added to unopen content model (channel) at `#/properties/channel`",
    ]);
  });

  it("checks the mode of the topic carrying the event, and the project's policy", () => {
    const forward = project(
      v1_1.replace("v1.1", "v1.2").replace("amount    decimal", "amount decimal\n  note? string"),
    ).replace("compatibility backward", "compatibility full");
    const strict = check(forward, published).result.diagnostics;
    expect(strict.map((d) => [d.code, d.message])).toEqual([
      [
        "EVT0605",
        "`PaymentReceived` v1.2 breaks full compatibility with v1.1: optional property added to closed content model (note) " +
          "at `#/properties/note`, which consumers still at the published version cannot read",
      ],
    ]);
    const lenient = checkSources(
      [new SourceFile("bus.evt", forward)],
      [],
      { ...config, compatibilityPolicy: "lenient" },
      published,
    );
    // Accepted, with a warning: evtc's readers are closed, so consumers still at v1.1 refuse events with `note`.
    expect(lenient.diagnostics.map((d) => [d.code, d.severity, d.help])).toEqual([
      [
        "EVT0610",
        "warning",
        "consumers still at the older version refuse these events: move every consumer to this version before any producer publishes it, or publish it as a new major version",
      ],
    ]);
    const withNote = v1_1.replace("amount    decimal", "amount decimal\n  note? string");
    const lenientRemoval = checkSources(
      [new SourceFile("bus.evt", project(v1_1.replace("v1.1", "v1.2")))],
      [],
      { ...config, compatibilityPolicy: "lenient" },
      publish(project(withNote)),
    );
    expect(lenientRemoval.diagnostics.map((d) => [d.code, d.message])).toEqual([
      [
        "EVT0610",
        "`PaymentReceived` v1.2 is compatible with v1.1 only under LENIENT, and evtc's readers are strict: optional property removed from closed content model (note) at `#/properties/note`",
      ],
    ]);
  });

  it("a major version may break, but every consumer of a public topic acknowledges it (EVT0606)", () => {
    const v2 = v1_1.replace("v1.1", "v2.0").replace("msisdn    string maxLength 15", "msisdn string maxLength 12");
    const { result } = check(project(v2), published);
    expect(result.diagnostics.map((d) => [d.code, d.message, d.help])).toEqual([
      [
        "EVT0606",
        "`crm.dunning` does not accept v2 of `PaymentReceived`, published on `billing.payment.received`",
        "once the consumer handles v2, say so: `accepts v1, v2`",
      ],
    ]);
    const acknowledged = project(v2).replace("unordered guaranteed }", "unordered guaranteed accepts v1, v2 }");
    expect(check(acknowledged, published).result.diagnostics).toEqual([]);
  });

  it("EVT0606: a consumer that lists its versions must include the current one", () => {
    const source = project(
      v1_1,
      "consumer crm.ledger { owner crm from billing.payment.received unordered guaranteed accepts v1 }",
    ).replace("v1.1", "v2.0");
    const result = checkSources([new SourceFile("bus.evt", source)], [], config, emptyLock);
    // v1 was never recorded either: there is no schema to read its events with (EVT0609).
    expect(result.diagnostics.map((d) => d.code)).toEqual(["EVT0606", "EVT0609"]);
  });

  it("EVT0609: an older major that evt.lock does not record cannot be accepted", () => {
    const source = project(
      v1_1.replace("v1.1", "v3.0"),
      "consumer crm.ledger { owner crm from billing.payment.received unordered guaranteed accepts v2, v3 }",
    );
    const { result } = check(source, published);
    expect(result.diagnostics.filter((d) => d.code === "EVT0609").map((d) => [d.code, d.message])).toEqual([
      [
        "EVT0609",
        "`crm.ledger` accepts v2 of `PaymentReceived`, but no v2 was published on `billing.payment.received` (`evt.lock`)",
      ],
    ]);
  });
});

describe("a topic's history, whatever its event is called", () => {
  const published = publish(project(v1_1), emptyLock, { topics: true });
  const renamed = (event: string) =>
    project(event.replace("PaymentReceived", "PaymentBooked")).replace(
      "event PaymentReceived key",
      "event PaymentBooked key",
    );

  it("records the event of each topic in evt.lock", () => {
    expect([...published.topics!]).toEqual([["billing.payment.received", ["PaymentReceived"]]]);
    const text = formatLock(published.events, published.topics);
    expect(text).toContain('"topics": {\n    "billing.payment.received": "PaymentReceived"\n  }');
  });

  it("lets a renamed event that keeps the contract through", () => {
    const { result } = check(renamed(v1_1.replace("v1.1", "v1.0")), published);
    expect(result.diagnostics).toEqual([]);
  });

  it("EVT0607: checks a renamed or replaced event against what the topic carried", () => {
    const { result } = check(renamed(v1_1.replace("v1.1", "v1.0").replace("maxLength 15", "maxLength 12")), published);
    expect(result.diagnostics.map((d) => [d.code, d.message, d.help])).toEqual([
      [
        "EVT0607",
        "topic `billing.payment.received` carried `PaymentReceived` (v1.1 published); `PaymentBooked` breaks backward " +
          "compatibility with it: max length decreased (15 → 12) at `#/properties/msisdn/maxLength`",
        "make `PaymentBooked` compatible with `PaymentReceived`, publish it as `v2.0`, or publish it on a new topic",
      ],
    ]);
  });

  it("takes a renamed event at a new major as a new major of the topic: its consumers acknowledge it", () => {
    const { result } = check(renamed(v1_1.replace("v1.1", "v2.0").replace("maxLength 15", "maxLength 12")), published);
    expect(result.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["EVT0606", "`crm.dunning` does not accept v2 of `PaymentBooked`, published on `billing.payment.received`"],
    ]);
  });

  it("EVT0608: warns of a recorded topic that is gone, pointing at its entry in evt.lock", () => {
    const withoutTopic = project(v1_1)
      .replace(/topic billing\.payment\.received \{[^}]*\}/, "")
      .replace(/consumer crm\.dunning \{[^}]*\}/, "");
    const { result } = check(withoutTopic, published);
    const gone = result.diagnostics.filter((d) => d.code === "EVT0608");
    expect(gone.map((d) => [d.severity, d.message])).toEqual([
      [
        "warning",
        "topic `billing.payment.received` (carrying `PaymentReceived`) is recorded in `evt.lock` but no longer declared",
      ],
    ]);
    expect(gone[0]!.span?.file.text.slice(gone[0]!.span.start, gone[0]!.span.end)).toBe('"billing.payment.received"');
  });
});
