import { describe, expect, it } from "vitest";
import type { LookupFunctions } from "../../src/runtime/spec.js";
import { derivedEventId } from "../../src/runtime/stamp.js";
import {
  compiled,
  enrichedTopic,
  enricherSpec,
  gate,
  harness,
  json,
  metric,
  paymentTopic,
  tap,
  until,
  type EnrichedPayment,
  type Payment,
} from "./runtime-support.js";

const source = paymentTopic("billing.payment.received", 2);
const enriched = enrichedTopic("billing.payment.enriched", 2);

/** A customer database: counts its calls, answers after `delayMs`. */
function customerDb(delayMs = 1) {
  const calls: string[] = [];
  const lookups: LookupFunctions<Payment, EnrichedPayment> = {
    "crm.customer-db": async (account) => {
      calls.push(account);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return { customer: `customer of ${account}`, segment: account.endsWith("0") ? "business" : "consumer" };
    },
  };
  return { calls, lookups };
}

describe("enrichers", () => {
  it("call the back-end once per distinct key within the TTL, whatever the number of events", async () => {
    const enricher = enricherSpec(source, enriched, { name: "billing.payment-customer" });
    const { transport, runtime } = await harness([source, enriched, { name: enricher.dlqTopic!, partitions: 1 }]);
    const out = await tap(transport, enriched.name);
    const accounts = ["acct-0", "acct-1", "acct-2", "acct-3"];
    for (let n = 0; n < 40; n++) await runtime.publish(source, { account: accounts[n % 4]!, amount: n });
    const db = customerDb();
    await runtime.enrich(enricher, db.lookups);
    await until(() => out.length === 40);
    expect(db.calls.sort()).toEqual(accounts);
    const labels = { enricher: enricher.name, backend: "crm.customer-db" };
    expect(await metric(runtime.metrics, "evtc_backend_calls_total", labels)).toBe(4);
    expect(await metric(runtime.metrics, "evtc_cache_misses_total", labels)).toBe(4);
    expect(await metric(runtime.metrics, "evtc_cache_hits_total", labels)).toBe(36);
    expect(
      await metric(runtime.metrics, "evtc_events_consumed_total", { topic: source.name, consumer: enricher.name }),
    ).toBe(40);
    expect(await metric(runtime.metrics, "evtc_events_produced_total", { topic: enriched.name })).toBe(40);
  });

  it("call the back-end again once the TTL has passed", async () => {
    let now = Date.parse("2024-05-01T10:00:00Z");
    const enricher = enricherSpec(source, enriched, {
      name: "billing.payment-ttl",
      lookups: [{ backend: "crm.customer-db", key: (event) => event.account, cacheTtlMs: 20 * 60_000 }],
    });
    const { transport, runtime } = await harness([source, enriched, { name: enricher.dlqTopic!, partitions: 1 }], {
      clock: () => now,
    });
    const out = await tap(transport, enriched.name);
    const db = customerDb();
    await runtime.enrich(enricher, db.lookups);
    await runtime.publish(source, { account: "acct-1", amount: 1 });
    await until(() => out.length === 1);
    now += 19 * 60_000;
    await runtime.publish(source, { account: "acct-1", amount: 2 });
    await until(() => out.length === 2);
    expect(db.calls).toHaveLength(1);
    now += 2 * 60_000;
    await runtime.publish(source, { account: "acct-1", amount: 3 });
    await until(() => out.length === 3);
    expect(db.calls).toHaveLength(2);
  });

  it("keep as many values as their declaration implies (cacheEntries), beyond the runtime's default", async () => {
    const sized = (cacheEntries?: number) =>
      enricherSpec(source, enriched, {
        name: `billing.payment-sized-${cacheEntries ?? "default"}`,
        concurrency: 50,
        lookups: [
          {
            backend: "crm.customer-db",
            key: (event) => event.account,
            cacheTtlMs: 60 * 60_000,
            ...(cacheEntries !== undefined ? { cacheEntries } : {}),
          },
        ],
      });
    // 10,100 accounts, then the first again: the default cache (10,000 values) has evicted it by then.
    const callsForFirstAgain = async (cacheEntries?: number): Promise<number> => {
      const enricher = sized(cacheEntries);
      const { transport, runtime } = await harness([source, enriched, { name: enricher.dlqTopic!, partitions: 1 }]);
      const out = await tap(transport, enriched.name);
      const db = customerDb(0);
      await runtime.enrich(enricher, db.lookups);
      for (let n = 0; n < 10_100; n++) await runtime.publish(source, { account: `acct-${n}`, amount: n });
      await until(() => out.length === 10_100, 60_000);
      await runtime.publish(source, { account: "acct-0", amount: 0 });
      await until(() => out.length === 10_101);
      return db.calls.filter((account) => account === "acct-0").length;
    };
    expect(await callsForFirstAgain()).toBe(2);
    expect(await callsForFirstAgain(10_500)).toBe(1);
  }, 120_000);

  it("coalesce concurrent misses for the same key into one back-end call", async () => {
    const enricher = enricherSpec(source, enriched, { name: "billing.payment-burst", concurrency: 10 });
    const { transport, runtime } = await harness([source, enriched, { name: enricher.dlqTopic!, partitions: 1 }]);
    const out = await tap(transport, enriched.name);
    for (let n = 0; n < 10; n++) await runtime.publish(source, { account: "acct-7", amount: n });
    const answer = gate();
    let calls = 0;
    let waiting = 0;
    await runtime.enrich(enricher, {
      "crm.customer-db": async () => {
        calls++;
        await answer.promise;
        return { customer: "c", segment: "s" };
      },
    });
    // All ten events are in flight, waiting on the one call.
    await until(
      async () => (waiting = await metric(runtime.metrics, "evtc_cache_hits_total", { enricher: enricher.name })) === 9,
    );
    expect(waiting).toBe(9);
    expect(calls).toBe(1);
    answer.open();
    await until(() => out.length === 10);
    expect(calls).toBe(1);
  });

  it("publish the merged event keeping the correlation id, with the source as cause and the same trace", async () => {
    const enricher = enricherSpec(source, enriched, { name: "billing.payment-chain" });
    const { transport, runtime } = await harness([source, enriched, { name: enricher.dlqTopic!, partitions: 1 }]);
    const out = await tap(transport, enriched.name);
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const published = await runtime.publish(
      source,
      { account: "acct-10", amount: 99, note: "card" },
      { correlationId: "order-42", traceparent, time: new Date("2024-05-01T10:00:00Z") },
    );
    const uncorrelated = await runtime.publish(source, { account: "acct-11", amount: 1 });
    await runtime.enrich(enricher, customerDb().lookups);
    await until(() => out.length === 2);
    const [first, second] = [...out].sort((a, b) => json<Payment>(b).amount - json<Payment>(a).amount);
    expect(json<EnrichedPayment>(first!)).toEqual({
      account: "acct-10",
      amount: 99,
      note: "card",
      customer: "customer of acct-10",
      segment: "business",
    });
    expect(first!.key?.toString()).toBe("acct-10");
    expect(first!.headers).toMatchObject({
      ce_id: derivedEventId(enricher.name, published.id),
      ce_type: enriched.name,
      ce_source: "test-service",
      ce_time: "2024-05-01T10:00:00.000Z",
      ce_dataschema: enriched.event.dataschema,
      causationid: published.id,
      correlationid: "order-42",
      traceparent,
    });
    // Without a correlation id, the source event starts the correlation.
    expect(second!.headers).toMatchObject({ causationid: uncorrelated.id, correlationid: uncorrelated.id });
    expect(second!.headers.traceparent).toBeUndefined();
  });

  it("republish a redelivered source event under the same id, so consumers downstream can de-duplicate it", async () => {
    expect(derivedEventId("billing.payment-customer", "evt-1")).toBe(
      derivedEventId("billing.payment-customer", "evt-1"),
    );
    expect(derivedEventId("billing.payment-customer", "evt-1")).not.toBe(derivedEventId("billing.other", "evt-1"));
    expect(derivedEventId("a", "b")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("follow their delivery category when the back-end fails: retries, then the dead-letter topic", async () => {
    const enricher = enricherSpec(source, enriched, {
      name: "billing.payment-flaky",
      retry: { attempts: 2, backoffFromMs: 1, backoffToMs: 2 },
    });
    const { transport, runtime } = await harness([source, enriched, { name: enricher.dlqTopic!, partitions: 1 }]);
    const out = await tap(transport, enriched.name);
    const dead = await tap(transport, enricher.dlqTopic!);
    const failing = await runtime.publish(source, { account: "acct-down", amount: 1 });
    await runtime.publish(source, { account: "acct-up", amount: 2 });
    let calls = 0;
    await runtime.enrich(enricher, {
      "crm.customer-db": async (account) => {
        if (account === "acct-down") {
          calls++;
          throw new Error("customer-db timed out");
        }
        return { customer: "c", segment: "s" };
      },
    });
    await until(() => dead.length === 1 && out.length === 1);
    expect(calls).toBe(3);
    expect(dead[0]!.headers).toMatchObject({
      ce_id: failing.id,
      evtc_dlq_consumer: enricher.name,
      evtc_dlq_attempts: "3",
      evtc_dlq_error: "customer-db timed out",
    });
    expect(await metric(runtime.metrics, "evtc_backend_calls_total", { enricher: enricher.name })).toBe(4);
  });

  it("dead-letter a source event whose enriched event would be invalid", async () => {
    const enricher = enricherSpec(source, enriched, { name: "billing.payment-incomplete" });
    const { transport, runtime } = await harness([source, enriched, { name: enricher.dlqTopic!, partitions: 1 }]);
    const dead = await tap(transport, enricher.dlqTopic!);
    await runtime.publish(source, { account: "acct-1", amount: 1 });
    await runtime.enrich(enricher, { "crm.customer-db": async () => ({ customer: "c" }) });
    await until(() => dead.length === 1);
    expect(dead[0]!.headers.evtc_dlq_error).toBe(
      "invalid `billing.payment.enriched` event, not published:\n  /segment: must be string",
    );
  });

  it("dead-letter a source event whose enriched event would be written invalid, though valid as an object", async () => {
    // The customer is a record here, of an id alone.
    const strict = {
      ...enriched,
      event: {
        ...enriched.event,
        defaults: false,
        validate: compiled<EnrichedPayment>({
          type: "object",
          properties: {
            account: { type: "string" },
            amount: { type: "number" },
            customer: {
              type: "object",
              properties: { id: { type: "string" } },
              required: ["id"],
              additionalProperties: false,
            },
            segment: { type: "string" },
          },
          required: ["account", "amount", "customer", "segment"],
          additionalProperties: false,
        }),
      },
    };
    const enricher = enricherSpec(source, strict, { name: "billing.payment-entity" });
    const { transport, runtime } = await harness([source, strict, { name: enricher.dlqTopic!, partitions: 1 }]);
    const out = await tap(transport, strict.name);
    const dead = await tap(transport, enricher.dlqTopic!);
    // A back-end client's entity: its own fields are the record's, its JSON has one more.
    class Customer {
      readonly id = "c-1";
      toJSON(): unknown {
        return { id: this.id, passwordHash: "5f4dcc3b" };
      }
    }
    await runtime.publish(source, { account: "acct-1", amount: 1 });
    await runtime.enrich(enricher, {
      "crm.customer-db": async () => ({ customer: new Customer() as unknown as string, segment: "s" }),
    });
    await until(() => dead.length + out.length === 1);
    expect(out.map((record) => json(record))).toEqual([]);
    expect(dead[0]!.headers.evtc_dlq_error).toBe(
      "invalid `billing.payment.enriched` event, not published:\n  /customer: must NOT have additional properties",
    );
  });

  it("do not reuse an answer that made the enriched event invalid: the retry and the next event ask again", async () => {
    const enricher = enricherSpec(source, enriched, { name: "billing.payment-half-answer" });
    const { transport, runtime } = await harness([source, enriched, { name: enricher.dlqTopic!, partitions: 1 }]);
    const out = await tap(transport, enriched.name);
    const dead = await tap(transport, enricher.dlqTopic!);
    await runtime.publish(source, { account: "acct-1", amount: 1 });
    // The back-end's first answer lacks a field (a partial outage, say); the ones after are whole.
    let calls = 0;
    await runtime.enrich(enricher, {
      "crm.customer-db": async () => (++calls === 1 ? { customer: "c" } : { customer: "c", segment: "s" }),
    });
    await until(() => out.length === 1);
    expect(calls).toBe(2);
    await runtime.publish(source, { account: "acct-1", amount: 2 });
    await until(() => out.length === 2);
    // The whole answer is cached as usual.
    expect(calls).toBe(2);
    expect(dead).toEqual([]);
    expect(out.map((record) => json(record))).toMatchObject([
      { amount: 1, segment: "s" },
      { amount: 2, segment: "s" },
    ]);
  });

  it("refuse to start without a function for each back-end they look up", async () => {
    const enricher = enricherSpec(source, enriched, { name: "billing.payment-missing" });
    const { runtime } = await harness([source, enriched]);
    await expect(runtime.enrich(enricher, {})).rejects.toThrow(
      "enricher `billing.payment-missing` has no look-up function for `crm.customer-db`",
    );
  });
});
