import { describe, expect, it } from "vitest";
import {
  analyzeLoad,
  breakingFactor,
  defaultLoadSettings,
  loadReportFor,
  ttlHitRatio,
} from "../../src/load/analysis.js";
import { renderLoadReport } from "../../src/load/report.js";
import { emitProject } from "../../src/emit/build.js";
import { emptyLock } from "../../src/contracts/lock.js";
import { expectDiagnostics, lintInline } from "../support/inline.js";
import { parseConfig } from "../../src/config/config.js";
import { SourceFile } from "../../src/diagnostics/source.js";

const teams = `
team billing { contact "billing@operator.example" }
team crm { contact "crm@operator.example" }
team bi { contact "bi@operator.example" }
team cdp { contact "cdp@operator.example" }
domain billing { owner billing }
domain crm { owner crm }
domain bi { owner bi }
domain cdp { owner cdp }
event PaymentReceived v1.0 { paymentId uuid  msisdn string  amount decimal }
event PaymentEnriched v1.0 extends PaymentReceived { segment string }
topic billing.payment.received {
  owner billing
  event PaymentReceived
  key msisdn cardinality 100k
  rate 100/s peak 500/s
  partitions 12
}
backend crm.customer-db { owner crm capacity 400/s latency 20ms }
`;

/** The seed case study: four consumers of one payment event each look the customer up in the CRM. */
const avalanche = `${teams}
consumer crm.dunning      { owner crm from billing.payment.received unordered guaranteed «lookup crm.customer-db by msisdn» concurrency 3 }
consumer crm.loyalty      { owner crm from billing.payment.received unordered guaranteed «lookup crm.customer-db by msisdn» concurrency 3 }
consumer bi.revenue       { owner bi  from billing.payment.received unordered guaranteed «lookup crm.customer-db by msisdn» concurrency 3 }
consumer cdp.churn-signal { owner cdp from billing.payment.received unordered guaranteed «lookup crm.customer-db by msisdn» concurrency 3 }
`;

/** The same bus after the fix: one enricher with a 20-minute cache, the consumers read the enriched topic. */
const enriched = `${teams}
domain payments-enriched { owner crm }
enricher crm.payment-customer {
  owner crm
  from billing.payment.received
  lookup crm.customer-db by msisdn cache 20m
  publish payments-enriched.payment.enriched as PaymentEnriched
}
consumer crm.dunning      { owner crm from payments-enriched.payment.enriched unordered guaranteed }
consumer crm.loyalty      { owner crm from payments-enriched.payment.enriched unordered guaranteed }
consumer bi.revenue       { owner bi  from payments-enriched.payment.enriched unordered guaranteed }
consumer cdp.churn-signal { owner cdp from payments-enriched.payment.enriched unordered guaranteed }
consumer bi.payment-count { owner bi from billing.payment.received unordered best-effort }
`;

describe("the cache model", () => {
  it("estimates a TTL cache's hit ratio as x/(1+x), x = rate × TTL / keys", () => {
    // 500/s × 1200 s / 100,000 keys = 6 requests per key per TTL: 6 of 7 hit.
    expect(ttlHitRatio(500, 20 * 60_000, 100_000)).toBeCloseTo(6 / 7, 12);
    expect(ttlHitRatio(100, 20 * 60_000, 100_000)).toBeCloseTo(1.2 / 2.2, 12);
  });

  it("takes the cardinality from the look-up when it is not by the topic's key", () => {
    const byAccount = `${teams}
domain payments-enriched { owner crm }
event PaymentByAccount v1.0 { paymentId uuid  accountId string  msisdn string }
event PaymentByAccountEnriched v1.0 extends PaymentByAccount { segment string }
topic billing.payment.booked { owner billing event PaymentByAccount key accountId rate 100/s peak 500/s expectedConsumers 2 }
enricher crm.booked-customer {
  owner crm
  from billing.payment.booked
  lookup crm.customer-db by msisdn cache 20m CARDINALITY
  publish payments-enriched.booked.enriched as PaymentByAccountEnriched { expectedConsumers 2 }
}
`;
    const estimate = (source: string) => {
      const report = analyzeLoad(lintInline(source).model);
      return report.backends.find((b) => b.backend.name === "crm.customer-db")!.lookups[0]!;
    };
    const unknown = estimate(byAccount.replace(" CARDINALITY", ""));
    expect(unknown.cache!.hitPeak).toBe(0);
    expect(unknown.cache!.assumption).toContain("declare how many distinct `msisdn` values circulate");
    const declared = estimate(byAccount.replace("CARDINALITY", "cardinality 100k"));
    expect(declared.cache!.cardinality).toBe(100_000);
    expect(declared.load.peak).toBeCloseTo(500 / 7, 9); // as in the seed: 6 of 7 hit at 500/s
  });

  it("says how many values a cache holds at peak, and sizes an enricher's runtime cache to it", async () => {
    const result = lintInline(enriched);
    const lookup = analyzeLoad(result.model).backends.find((b) => b.backend.name === "crm.customer-db")!.lookups[0]!;
    // 100,000 keys, each cached 6/7 of the time at 500/s: a cache of 10,000 values would evict them long before
    // their 20 minutes, and hit about a tenth as often as estimated.
    expect(lookup.cache!.entriesAtPeak).toBe(Math.ceil((100_000 * 6) / 7));
    const text = renderLoadReport(analyzeLoad(result.model), "text");
    expect(text).toContain("it holds about 85,715 values at peak (the runtime's cache is sized to it)");
    const files = await emitProject({
      model: result.model,
      lock: emptyLock,
      project: "p",
      projectDir: ".",
      cwd: ".",
      compileWorkers: 0,
    });
    const readers = files
      .filter((f) => f.path.endsWith(".consumers.ts"))
      .map((f) => f.content)
      .join("\n");
    expect(readers).toContain(`cacheEntries: ${Math.ceil(Math.ceil((100_000 * 6) / 7) * 1.1)},`);
  });

  it("finds the growth factor at which a monotone load breaks", () => {
    expect(breakingFactor((f) => 50 * f > 400)).toBeCloseTo(8, 5);
    expect(breakingFactor(() => false)).toBe(Infinity);
  });
});

describe("the seed scenario", () => {
  it("reports the CRM overload with each consumer's share and proposes the enricher", () => {
    const result = lintInline(avalanche);
    expectDiagnostics(result, [
      { code: "EVT0701", message: "back-end `crm.customer-db` gets 2,000/s at peak, over its capacity of 400/s" },
    ]);
    const [overload] = result.diagnostics;
    expect(overload!.related.map((r) => r.message)).toEqual([
      "500/s (25%) from `bi.revenue`",
      "500/s (25%) from `cdp.churn-signal`",
      "500/s (25%) from `crm.dunning`",
      "500/s (25%) from `crm.loyalty`",
    ]);
    // One look-up per event at 500/s behind a 20-minute cache over 100,000 keys: 500 × (1 − 6/7) = 71.4/s.
    expect(overload!.help).toBe(
      "add `enricher crm.payment-received-customer-db { owner crm  from billing.payment.received  lookup crm.customer-db by msisdn " +
        "cache 20m  publish crm.payment-received.enriched as … }` and let `bi.revenue`, `cdp.churn-signal`, `crm.dunning`, " +
        "`crm.loyalty` read `crm.payment-received.enriched` instead: peak load 2,000/s → 71.4/s, with an estimated 86% cache hit ratio",
    );
  });

  it("proposes an enricher that holds when applied as written", () => {
    const help = lintInline(avalanche).diagnostics[0]!.help!;
    const declaration = /add `(enricher [^`]*)`/.exec(help)![1]!.replace("as …", "as PaymentEnriched");
    const readers = [...help.matchAll(/`([a-z]+\.[a-z-]+)`(?=,| read)/g)].map((m) => m[1]!);
    const enrichedTopic = /read `([^`]+)` instead/.exec(help)![1]!;
    // The consumers read the enriched topic instead, without looking up themselves.
    const moved = avalanche
      .replace(/«lookup crm\.customer-db by msisdn»/g, "")
      .replace(/from billing\.payment\.received/g, `from ${enrichedTopic}`);
    expect(readers).toEqual(["bi.revenue", "cdp.churn-signal", "crm.dunning", "crm.loyalty"]);
    // No error, the overload gone; only the source topic, now read by the enricher alone, is worth a warning.
    const applied = lintInline(`${moved}\n${declaration}\n`).diagnostics;
    expect(applied.map((d) => `${d.severity} ${d.code}`)).toEqual(["warning EVT0508"]);
  });

  it("holds after introducing the enricher with a 20-minute cache, and shows the reduction", () => {
    const result = lintInline(enriched);
    expect(result.diagnostics).toEqual([]);
    const report = analyzeLoad(result.model);
    const crm = report.backends.find((b) => b.backend.name === "crm.customer-db")!;
    expect(crm.naive.peak).toBe(2000); // what the four consumers would send on their own, uncached
    expect(crm.load.peak).toBeCloseTo(500 / 7, 9);
    expect(crm.load.average).toBeCloseTo(100 / 2.2, 9);
    expect(crm.headroom).toBeCloseTo(1 - 500 / 7 / 400, 9);
    // The cache bounds the load at keys / TTL = 83.3/s, below capacity at any rate.
    expect(crm.growthFactor).toBe(Infinity);
    const text = renderLoadReport(report, "text");
    expect(text).toMatch(/\ncrm\.customer-db +1 +2,000\/s +71\.4\/s +45\.5\/s +400\/s +82% +never\n/);
  });

  it("shows at which growth the avalanche bus broke", () => {
    const report = analyzeLoad(lintInline(avalanche.replace(/«|»/g, "")).model);
    const crm = report.backends.find((b) => b.backend.name === "crm.customer-db")!;
    expect(crm.growthFactor).toBeCloseTo(0.2, 6); // 400 / 2,000: it broke at a fifth of today's rates
    const doubled = analyzeLoad(lintInline(avalanche.replace(/«|»/g, "")).model, defaultLoadSettings, 2);
    expect(doubled.backends.find((b) => b.backend.name === "crm.customer-db")!.load.peak).toBe(4000);
  });
});

describe("load checks", () => {
  it("load/shared-lookup: two consumers sharing a look-up, while capacity holds", () => {
    const result = lintInline(`${teams}
consumer crm.dunning { owner crm from billing.payment.received unordered guaranteed lookup crm.customer-db by msisdn cache 20m }
consumer crm.loyalty { owner crm from billing.payment.received unordered guaranteed «lookup crm.customer-db by msisdn cache 20m» }`);
    expectDiagnostics(result, [
      {
        code: "EVT0702",
        at: 0,
        message: "`crm.dunning` and `crm.loyalty` of `billing.payment.received` each look up `crm.customer-db`",
      },
    ]);
    expect(result.diagnostics[0]!.help).toMatch(/peak load 143\/s → 71.4\/s/);
  });

  it("proposes an enricher that applies cleanly: the look-ups' cardinality, ordered for ordered readers", () => {
    const result = lintInline(`${teams.replace("capacity 400/s", "capacity 5/s")}
consumer crm.dunning { owner crm from billing.payment.received ordered guaranteed lookup crm.customer-db by paymentId cache 5m cardinality 1k }
consumer crm.loyalty { owner crm from billing.payment.received unordered guaranteed lookup crm.customer-db by paymentId cache 5m cardinality 1k }`);
    const [overload] = result.diagnostics;
    expect(overload!.code).toBe("EVT0701");
    // 1,000 keys, 500/s, 20 minutes: x = 600, the enricher's look-ups 500/601 a second.
    expect(overload!.help).toBe(
      "add `enricher crm.payment-received-customer-db { owner crm  from billing.payment.received  ordered  " +
        "lookup crm.customer-db by paymentId cache 20m cardinality 1k  publish crm.payment-received.enriched as … }` " +
        "and let `crm.dunning`, `crm.loyalty` read `crm.payment-received.enriched` instead: peak load 6.62/s → 0.83/s, " +
        "with an estimated 100% cache hit ratio",
    );
  });

  it("does not take one reader's look-up written twice for a shared one", () => {
    const result = lintInline(`${teams}
consumer crm.dunning { owner crm from billing.payment.received unordered guaranteed lookup crm.customer-db by msisdn cache 20m lookup crm.customer-db by msisdn cache 20m }
consumer crm.audit { owner crm from billing.payment.received unordered best-effort }`);
    expect(result.diagnostics.filter((d) => d.code === "EVT0702")).toEqual([]);
  });

  it("asks for the keys in circulation when a cache cannot count without them", () => {
    const result = lintInline(`${teams.replace("key msisdn cardinality 100k", "key msisdn")}
consumer crm.dunning { owner crm from billing.payment.received unordered guaranteed lookup crm.customer-db by msisdn }
consumer crm.audit { owner crm from billing.payment.received unordered best-effort }`);
    expect(result.diagnostics.find((d) => d.code === "EVT0701")!.help).toBe(
      "cache the look-up of `crm.dunning` (`cache 20m`) and declare how many `msisdn` values circulate " +
        "(`cardinality N`) so that its hits count, or raise the capacity of `crm.customer-db`",
    );
  });

  it("works out no growth factor for a back-end it does not warn about, shared look-ups included", () => {
    const result = lintInline(`${teams}
consumer crm.dunning { owner crm from billing.payment.received unordered guaranteed lookup crm.customer-db by msisdn cache 20m }
consumer crm.loyalty { owner crm from billing.payment.received unordered guaranteed lookup crm.customer-db by msisdn cache 20m }`);
    expect(result.diagnostics.map((d) => d.code)).toEqual(["EVT0702"]);
    const backend = loadReportFor(result.model, defaultLoadSettings).backends[0]!;
    // Still the getter that computes it when read: a search over rates nobody asked for was not run.
    expect(Object.getOwnPropertyDescriptor(backend, "growthFactor")?.get).toBeTypeOf("function");
  });

  it("load/partitions: an ordered reader needs rate × time per event partitions", () => {
    const result = lintInline(`${teams.replace("capacity 400/s", "capacity 1000/s")}
consumer crm.ledger { owner crm from billing.payment.received ordered guaranteed latency 20ms concurrency 20 lookup crm.customer-db by msisdn cache 1s }
consumer crm.audit { owner crm from billing.payment.received unordered best-effort }`);
    // 500/s × (20ms + 20ms × (1 − hit)) with a 1-second cache over 100,000 keys (hit = 0.005/1.005).
    const hit = 0.005 / 1.005;
    const needed = Math.ceil((500 * (20 + 20 * (1 - hit))) / 1000);
    expect(needed).toBe(20);
    expectDiagnostics(result, [
      {
        code: "EVT0703",
        message: /has 12 partitions but needs 20: ordered `crm.ledger` takes 39.9ms per event at 500\/s$/,
      },
    ]);
  });

  it("load/deadline: the budget hop by hop", () => {
    const result = lintInline(`${enriched.replace("cache 20m", "cache 20m\n  latency 5ms\n  ordered\n  concurrency 12")}
consumer crm.collections { owner crm from payments-enriched.payment.enriched ordered guaranteed latency 15ms concurrency 12 «deadline 30ms» }`);
    expectDiagnostics(result, [
      { code: "EVT0704", at: 0, message: "`crm.collections` must handle events within 30ms, but its chain takes 60ms" },
    ]);
    expect(result.diagnostics[0]!.help).toBe(
      "budget, with every cache missing: 10ms broker to enricher `crm.payment-customer` + 5ms `crm.payment-customer` processing + " +
        "20ms `crm.payment-customer` look-up on `crm.customer-db` + 10ms broker to consumer `crm.collections` + " +
        "15ms `crm.collections` processing = 60ms",
    );
  });

  it("load/partitions: an ordered enricher's time per event counts its slowest look-up, as the runtime makes them together", () => {
    const source = `${enriched
      .replace(
        "lookup crm.customer-db by msisdn cache 20m",
        "lookup crm.customer-db by msisdn\n  lookup crm.product-db by paymentId\n  ordered\n  concurrency 12",
      )
      .replace(
        "backend crm.customer-db",
        "backend crm.product-db { owner crm capacity 5000/s latency 20ms }\nbackend crm.customer-db",
      )
      .replace("capacity 400/s", "capacity 4000/s")}`;
    const topic = analyzeLoad(lintInline(source).model).topics.find(
      (t) => t.topic.name === "billing.payment.received",
    )!;
    // 500/s × max(20ms, 20ms): 10 partitions' worth, not 20.
    expect(topic.orderedWork.map((w) => [w.reader.name, w.serviceMs])).toEqual([["crm.payment-customer", 20]]);
    expect(topic.neededForOrdering).toBe(10);
  });

  it("load/deadline: an enricher's look-ups are made at the same time, a consumer's one after the other", () => {
    const twoLookups = `${enriched
      .replace("cache 20m", "cache 20m\n  lookup crm.product-db by paymentId cache 1m cardinality 1k\n  ordered")
      .replace(
        "backend crm.customer-db",
        "backend crm.product-db { owner crm capacity 5000/s latency 40ms }\nbackend crm.customer-db",
      )}
consumer crm.collections { owner crm from payments-enriched.payment.enriched ordered guaranteed latency 15ms deadline 80ms }`;
    const report = analyzeLoad(lintInline(twoLookups).model);
    const chain = report.consumers.find((c) => c.consumer.name === "crm.collections")!;
    // 10 + max(20, 40) + 10 + 15: the slowest look-up, not both.
    expect(chain.totalMs).toBe(75);
    expect(chain.steps.map((s) => s.label)).toContain(
      "`crm.payment-customer` look-ups on `crm.customer-db`, `crm.product-db`, at the same time",
    );
  });

  it("load/headroom: under 30% left at peak, with the growth factor", () => {
    const result = lintInline(`${teams.replace("capacity 400/s", "capacity 600/s")}
consumer crm.dunning { owner crm from billing.payment.received unordered guaranteed lookup crm.customer-db by msisdn concurrency 3 }
consumer crm.audit { owner crm from billing.payment.received unordered best-effort }`);
    expectDiagnostics(result, [
      {
        code: "EVT0705",
        message:
          "back-end `crm.customer-db` uses 500/s of 600/s at peak: headroom 17% is below 30% (it breaks at ×1.2 today's rates)",
      },
    ]);
  });

  it("load/headroom: exactly the margin is enough, and an ordered reader's work is named when it uses the partitions", () => {
    // 2.1/s of 3/s leaves 30% — as a double, 0.29999…
    const exact =
      lintInline(`${teams.replace("capacity 400/s", "capacity 3/s").replace("rate 100/s peak 500/s", "rate 1/s peak 2.1/s")}
consumer crm.dunning { owner crm from billing.payment.received unordered guaranteed lookup crm.customer-db by msisdn }
consumer crm.audit { owner crm from billing.payment.received unordered best-effort }`);
    expect(exact.diagnostics.filter((d) => d.code === "EVT0705")).toEqual([]);
    const ordered =
      lintInline(`${teams.replace("rate 100/s peak 500/s", "rate 10/s peak 50/s").replace("partitions 12", "partitions 6")}
consumer crm.ledger { owner crm from billing.payment.received ordered guaranteed latency 100ms concurrency 6 }
consumer crm.audit { owner crm from billing.payment.received unordered best-effort }`);
    expect(ordered.diagnostics.map((d) => [d.code, d.message])).toEqual([
      [
        "EVT0705",
        "topic `billing.payment.received` uses 5 of its 6 partitions in ordered work (`crm.ledger` takes 100ms per event at 50/s) " +
          "at peak: headroom 17% is below 30% (it breaks at ×1.2 today's rates)",
      ],
    ]);
  });

  it("load/unordered-capacity: an unordered reader limited by its concurrency on the partitions it handles at once", () => {
    const consumer = (clauses: string) =>
      `consumer crm.scoring { owner crm from billing.payment.received unordered guaranteed latency 10ms ${clauses} }`;
    const audit = "consumer crm.audit { owner crm from billing.payment.received unordered best-effort }";
    // 500/s × 10ms: 5 events in processing at peak; one at a time on each of 4 partitions at once is 4.
    const undeclared = lintInline(`${teams}
consumer «crm.scoring» { owner crm from billing.payment.received unordered guaranteed latency 10ms }
${audit}`);
    expectDiagnostics(undeclared, [
      {
        code: "EVT0708",
        at: 0,
        message:
          "unordered `crm.scoring` can process 4 events at once (its `concurrency`, 1 when not declared, on each of " +
          "the 4 partitions it handles at once), but has 5 events in processing at peak (10ms per event at 500/s)",
        help:
          "declare `concurrency 2`, or have the service handle more partitions at once (the Kafka transport's " +
          '`partitionsConsumedConcurrently`; say so to this check with `"partitionsAtOnce"` in evtc.json\'s `"load"`)',
      },
    ]);
    expect(lintInline(`${teams}\n${consumer("concurrency 2")}\n${audit}`).diagnostics).toEqual([]);
    // Fewer partitions than the transport would take at once: they are the limit, and the help needs no setting.
    const twoPartitions =
      lintInline(`${teams.replace("partitions 12", "partitions 2").replace("rate 100/s peak 500/s", "rate 100/s peak 300/s")}
consumer crm.scoring { owner crm from billing.payment.received unordered guaranteed latency 10ms «concurrency 1» }
${audit}`);
    expectDiagnostics(twoPartitions, [
      {
        code: "EVT0708",
        at: 0,
        message:
          "unordered `crm.scoring` can process 2 events at once (its `concurrency`, 1, on each of the 2 partitions " +
          "of `billing.payment.received`), but has 3 events in processing at peak (10ms per event at 300/s)",
        help: "declare `concurrency 2`",
      },
    ]);
    // One partition, one event at a time: said in the singular.
    const onePartition =
      lintInline(`${teams.replace("partitions 12", "partitions 1").replace("rate 100/s peak 500/s", "rate 100/s peak 300/s")}
${consumer("")}
${audit}`);
    expect(onePartition.diagnostics.map((d) => d.message)).toEqual([
      "unordered `crm.scoring` can process 1 event at once (its `concurrency`, 1 when not declared, on the one " +
        "partition of `billing.payment.received`), but has 3 events in processing at peak (10ms per event at 300/s)",
    ]);
    // A service that handles 8 partitions at once, said in evtc.json: enough.
    const settings = parseConfig(new SourceFile("evtc.json", `{ "load": { "partitionsAtOnce": 8 } }`));
    expect(settings.diagnostics).toEqual([]);
    expect(lintInline(`${teams}\n${consumer("")}\n${audit}`, settings.config).diagnostics).toEqual([]);
  });

  it("load/ordered-capacity: an ordered reader limited by its concurrency, or by the keys of its topic", () => {
    const limitedByConcurrency = lintInline(`${teams.replace("capacity 400/s", "capacity 1000/s")}
consumer crm.ledger { owner crm from billing.payment.received ordered guaranteed latency 10ms «concurrency 2» }
consumer crm.audit { owner crm from billing.payment.received unordered best-effort }`);
    expectDiagnostics(limitedByConcurrency, [
      {
        code: "EVT0707",
        at: 0,
        message:
          "ordered `crm.ledger` can process 2 partitions at once (its `concurrency`), but has 5 events in processing at peak (10ms per event at 500/s)",
      },
    ]);
    expect(limitedByConcurrency.diagnostics[0]!.help).toBe("declare `concurrency 5`");
    const limitedByKeys = lintInline(`${teams.replace("key msisdn cardinality 100k", "key msisdn cardinality 3")}
consumer crm.ledger { owner crm from billing.payment.received ordered guaranteed latency 10ms concurrency 12 }
consumer crm.audit { owner crm from billing.payment.received unordered best-effort }`);
    expect(limitedByKeys.diagnostics.map((d) => [d.code, d.message])).toEqual([
      [
        "EVT0707",
        "ordered `crm.ledger` can process 3 events at once (one per key of `billing.payment.received`), but has 5 events in processing at peak (10ms per event at 500/s)",
      ],
    ]);
    // Concurrency is the limit, and the keys would be next: the help says both.
    const thenKeys = lintInline(`${teams.replace("key msisdn cardinality 100k", "key msisdn cardinality 4")}
consumer crm.ledger { owner crm from billing.payment.received ordered guaranteed latency 10ms concurrency 2 }
consumer crm.audit { owner crm from billing.payment.received unordered best-effort }`);
    expect(thenKeys.diagnostics.map((d) => d.help)).toEqual([
      "declare `concurrency 4`; the 4 keys of `billing.payment.received` allow no more, and `crm.ledger` would still " +
        "fall behind: make it faster, unordered, or key the topic by a field with more values",
    ]);
    // Enough concurrency and keys: the partitions are the limit, which is EVT0703's to say.
    const enough = lintInline(`${teams.replace("capacity 400/s", "capacity 1000/s")}
consumer crm.ledger { owner crm from billing.payment.received ordered guaranteed latency 10ms concurrency 12 }
consumer crm.audit { owner crm from billing.payment.received unordered best-effort }`);
    expect(enough.diagnostics).toEqual([]);
  });

  it("load/declared-figures: a looked-up back-end without capacity, a topic without rate", () => {
    const result = lintInline(`${teams.replace("rate 100/s peak 500/s", "").replace("capacity 400/s ", "")}
consumer crm.dunning { owner crm from billing.payment.received unordered guaranteed lookup crm.customer-db by msisdn }
consumer crm.audit { owner crm from billing.payment.received unordered best-effort }`);
    expect(result.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ["EVT0706", "topic `billing.payment.received` declares no `rate`, so its load cannot be checked"],
      ["EVT0706", "back-end `crm.customer-db` declares no `capacity`, so its load cannot be checked"],
    ]);
  });
});

describe("the report", () => {
  it("shows what each reader can have in processing at once, as EVT0707 and EVT0708 count it", () => {
    const result = lintInline(`${teams.replace("key msisdn cardinality 100k", "key msisdn cardinality 3")}
consumer crm.scoring { owner crm from billing.payment.received unordered guaranteed latency 10ms }
consumer crm.ledger { owner crm from billing.payment.received ordered guaranteed latency 10ms concurrency 8 }
consumer crm.audit { owner crm from billing.payment.received unordered best-effort }`);
    // The two readers short of capacity are the two the rules warn of.
    expect(result.diagnostics.map((d) => d.code).sort()).toEqual(["EVT0707", "EVT0708"]);
    const report = analyzeLoad(result.model);
    const text = renderLoadReport(report, "text");
    expect(text).toContain(
      "\nReaders\nreader       topic                     ordering   per event  in processing  at once  headroom  breaks at\n",
    );
    // 500/s × 10ms = 5 in processing; unordered: 1 × 4 partitions at once; ordered: one per key, 3 keys.
    expect(text).toMatch(/\ncrm\.scoring +billing\.payment\.received +unordered +10ms +5 +4 +-25% +×0\.8\n/);
    expect(text).toMatch(/\ncrm\.ledger +billing\.payment\.received +ordered +10ms +5 +3 +-67% +×0\.6\n/);
    expect(text).toMatch(/\ncrm\.audit +billing\.payment\.received +unordered +0ms +0 +4 +100% +never\n/);
    const json = JSON.parse(renderLoadReport(report, "json")) as {
      readers: Array<{ name: string; atOnce: number; inProcessing: number }>;
    };
    expect(json.readers.find((r) => r.name === "crm.ledger")).toMatchObject({ atOnce: 3, inProcessing: 5 });
  });

  it("renders JSON and Markdown for tools and pull requests", () => {
    const report = analyzeLoad(lintInline(enriched).model, defaultLoadSettings, 3);
    const json = JSON.parse(renderLoadReport(report, "json")) as {
      scale: number;
      backends: Array<{ name: string; load: { peak: number } }>;
    };
    expect(json.scale).toBe(3);
    expect(json.backends[0]!.load.peak).toBeCloseTo((1500 * 1) / (1 + (1500 * 1200) / 100_000), 9);
    const markdown = renderLoadReport(report, "markdown");
    expect(markdown).toMatch(/^## Load report\n\nLoad at 3 × today's declared rates/);
    expect(markdown).toContain(
      "| back-end | look-ups | naive peak | peak | average | capacity | headroom | breaks at |",
    );
  });
});
