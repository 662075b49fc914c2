import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { EventContext } from "../../src/runtime/api.js";
import { createEmbeddedTransport } from "../../src/runtime/embedded.js";
import { silentLogger } from "../../src/runtime/logger.js";
import { createRuntime } from "../../src/runtime/runtime.js";
import type { ConsumerSpec, Wiring } from "../../src/runtime/spec.js";
import {
  consumerSpec,
  enrichedTopic,
  enrichedV1,
  enricherSpec,
  gate,
  harness,
  metric,
  paymentTopic,
  tap,
  until,
  type EnrichedPayment,
} from "./runtime-support.js";

const source = paymentTopic("billing.payment.received", 3);
const enriched = enrichedTopic("billing.payment.enriched", 2);
const history = consumerSpec(source, { name: "crm.payment-history", owner: "crm" });
const board = consumerSpec(source, { name: "bi.revenue-board", owner: "bi", delivery: "best-effort", dlqTopic: undefined });
const customer = enricherSpec(source, enriched, { name: "billing.payment-customer", owner: "billing" });
const agentDesktop = {
  ...consumerSpec(source, { name: "contact-centre.agent-desktop", owner: "contact-centre", ordering: "ordered" }),
  topic: enriched,
  accepts: { 1: enrichedV1 },
} as ConsumerSpec<EnrichedPayment>;

const wiring: Wiring = {
  project: "test",
  topics: { [source.name]: source, [enriched.name]: enriched },
  consumers: { [history.name]: history, [board.name]: board, [agentDesktop.name]: agentDesktop },
  enrichers: { [customer.name]: customer },
};

const customerDb = {
  "crm.customer-db": async (account: string) => ({ customer: `customer of ${account}`, segment: "consumer" }),
};

describe("start", () => {
  it("creates the topics a team reads and dead-letters into, then runs what the team owns", async () => {
    const { transport, runtime } = await harness([]);
    const readers = await runtime.start(wiring, { team: "crm", handlers: { [history.name]: async () => {} } });
    expect(readers.map((reader) => reader.name)).toEqual([history.name]);
    const partitions = async (topic: string) => (await transport.offsets(topic)).length;
    expect(await partitions(source.name)).toBe(3);
    // Dead-letter topics have one partition, as the generated topology declares them.
    expect(await partitions(history.dlqTopic!)).toBe(1);
    // Other teams' topics: their principals' to see, not crm's.
    for (const topic of [enriched.name, customer.dlqTopic!, agentDesktop.dlqTopic!]) {
      await expect(transport.offsets(topic)).rejects.toThrow(/unknown topic/);
    }
  });

  it("creates every topic of the wiring and its dead-letter topics when no team is given", async () => {
    const { transport, runtime } = await harness([]);
    await runtime.start(wiring, { handlers: { [history.name]: async () => {} } });
    const partitions = async (topic: string) => (await transport.offsets(topic)).length;
    expect(await partitions(source.name)).toBe(3);
    expect(await partitions(enriched.name)).toBe(2);
    expect(await partitions(history.dlqTopic!)).toBe(1);
    expect(await partitions(customer.dlqTopic!)).toBe(1);
    expect(await partitions(agentDesktop.dlqTopic!)).toBe(1);
    await expect(transport.offsets("bi.revenue-board.dlq")).rejects.toThrow(/unknown topic/);
  });

  it("runs a chain end to end: producer, enricher, consumer of the enriched topic", async () => {
    const { runtime } = await harness([]);
    const seen: [EnrichedPayment, EventContext][] = [];
    await runtime.start(wiring, {
      handlers: { [agentDesktop.name]: async (event: EnrichedPayment, context) => void seen.push([event, context]) },
      lookups: { [customer.name]: customerDb },
    });
    const published = await runtime.publish(source, { account: "acct-1", amount: 5 }, { correlationId: "order-1" });
    await until(() => seen.length === 1);
    const [event, context] = seen[0]!;
    expect(event).toEqual({ account: "acct-1", amount: 5, customer: "customer of acct-1", segment: "consumer" });
    expect(context.headers).toMatchObject({ causationid: published.id, correlationid: "order-1" });
  });

  it("reports every reader of the team without a handler, and handlers for no reader, before starting anything", async () => {
    const { runtime } = await harness([]);
    await expect(runtime.start(wiring, { team: "billing", handlers: {} })).rejects.toThrow(
      "cannot start:\n  enricher `billing.payment-customer` of team `billing` has no look-up functions",
    );
    await expect(
      runtime.start(wiring, { team: "crm", handlers: { "crm.payment-histroy": async () => {} } }),
    ).rejects.toThrow(
      "cannot start:\n" +
        "  consumer `crm.payment-history` of team `crm` has no handler\n" +
        "  handler `crm.payment-histroy` is for no consumer of project `test`",
    );
  });
});

describe("dead-letter replay", () => {
  const single = paymentTopic("billing.refund.issued", 1);
  const refunds = consumerSpec(single, { name: "crm.refunds", retry: { attempts: 0, backoffFromMs: 1, backoffToMs: 1 } });
  const audit = consumerSpec(single, { name: "finance.refund-audit" });

  async function broken() {
    const bus = await harness([single, { name: refunds.dlqTopic!, partitions: 1 }, { name: audit.dlqTopic!, partitions: 1 }]);
    const state = { failing: true, handled: [] as EventContext[], audited: [] as string[] };
    await bus.runtime.consume(refunds, async (_event, context) => {
      if (state.failing) throw new Error("ledger offline");
      state.handled.push(context);
    });
    await bus.runtime.consume(audit, async (_event, context) => void state.audited.push(context.id));
    const dead = await tap(bus.transport, refunds.dlqTopic!);
    const ids: string[] = [];
    for (let n = 0; n < 3; n++) ids.push((await bus.runtime.publish(single, { account: `k${n}`, amount: n })).id);
    await until(() => dead.length === 3 && state.audited.length === 3);
    return { ...bus, state, dead, ids };
  }

  it("sends dead letters back through the reader that failed them, once", async () => {
    const { runtime, transport, state, ids } = await broken();
    state.failing = false;
    expect(await runtime.replayDeadLetters(refunds, { idleMs: 2_000 })).toEqual({ replayed: 3 });
    await until(() => state.handled.length === 3);
    expect(state.handled.map((context) => context.id).sort()).toEqual([...ids].sort());
    expect(state.handled.map((context) => context.headers.evtc_replayed_from).sort()).toEqual([
      `${refunds.dlqTopic}:0:0`,
      `${refunds.dlqTopic}:0:1`,
      `${refunds.dlqTopic}:0:2`,
    ]);
    expect(Object.keys(state.handled[0]!.headers).filter((name) => name.startsWith("evtc_dlq_"))).toEqual([]);
    // The other reader of the topic skips the replayed records: it had processed them.
    await until(async () => (await transport.committed(audit.groupId, single.name))[0] === 6);
    expect(state.audited).toHaveLength(3);
    // Nothing is left to replay.
    expect(await runtime.replayDeadLetters(refunds, { idleMs: 2_000 })).toEqual({ replayed: 0 });
  });

  it("replays at most `limit` records, the next replay continuing after them", async () => {
    const { runtime, state } = await broken();
    state.failing = false;
    expect(await runtime.replayDeadLetters(refunds, { limit: 2, idleMs: 2_000 })).toEqual({ replayed: 2 });
    expect(await runtime.replayDeadLetters(refunds, { idleMs: 2_000 })).toEqual({ replayed: 1 });
    await until(() => state.handled.length === 3);
  });

  it("leaves records that fail again in the dead-letter topic for the next replay", async () => {
    const { runtime, state, dead } = await broken();
    expect(await runtime.replayDeadLetters(refunds, { idleMs: 2_000 })).toEqual({ replayed: 3 });
    await until(() => dead.length === 6);
    expect(dead.slice(3).map((record) => record.headers.evtc_replayed_from)).toEqual(
      expect.arrayContaining([`${refunds.dlqTopic}:0:0`]),
    );
    state.failing = false;
    expect(await runtime.replayDeadLetters(refunds, { idleMs: 2_000 })).toEqual({ replayed: 3 });
    await until(() => state.handled.length === 3);
  });

  it("refuses a reader without a dead-letter topic", async () => {
    const { runtime } = await harness([single]);
    await expect(runtime.replayDeadLetters(board)).rejects.toThrow("`bi.revenue-board` has no dead-letter topic to replay");
  });
});

describe("metrics", () => {
  it("registers every metric, and reports a running reader's lag from the transport", async () => {
    const single = paymentTopic("billing.refund.issued", 1);
    const slow = consumerSpec(single, { name: "crm.slow" });
    const { runtime } = await harness([single, { name: slow.dlqTopic!, partitions: 1 }]);
    for (let n = 0; n < 5; n++) await runtime.publish(single, { account: `k${n}`, amount: n });
    const release = gate();
    await runtime.consume(slow, async () => release.promise);
    const labels = { topic: single.name, consumer: slow.name };
    await until(async () => (await metric(runtime.metrics, "evtc_consumer_lag", labels)) === 5);
    release.open();
    await until(async () => (await metric(runtime.metrics, "evtc_consumer_lag", labels)) === 0);
    const exposition = await runtime.metrics.metrics();
    for (const name of [
      "evtc_events_produced_total",
      "evtc_events_consumed_total",
      "evtc_event_failures_total",
      "evtc_event_retries_total",
      "evtc_events_dead_lettered_total",
      "evtc_events_invalid_total",
      "evtc_events_duplicate_total",
      "evtc_deadline_misses_total",
      "evtc_cache_hits_total",
      "evtc_cache_misses_total",
      "evtc_backend_calls_total",
      "evtc_processing_seconds",
      "evtc_consumer_lag",
    ]) {
      expect(exposition).toContain(`# TYPE ${name} `);
    }
    expect(exposition).toContain(`evtc_events_consumed_total{topic="${single.name}",consumer="${slow.name}"} 5`);
  });

  it("lets runtimes share a registry", async () => {
    const registry = new Registry();
    const single = paymentTopic("billing.refund.issued", 1);
    const runtimes = [];
    for (const service of ["billing", "crm"]) {
      const transport = createEmbeddedTransport();
      await transport.ensureTopics([{ name: single.name, partitions: 1 }]);
      runtimes.push(createRuntime({ transport, source: service, metrics: registry, logger: silentLogger }));
    }
    try {
      for (const runtime of runtimes) await runtime.publish(single, { account: "a", amount: 1 });
      expect(await metric(registry, "evtc_events_produced_total", { topic: single.name })).toBe(2);
    } finally {
      await Promise.all(runtimes.map((runtime) => runtime.close()));
    }
  });
});

describe("close", () => {
  it("stops the readers, then closes the transport", async () => {
    const single = paymentTopic("billing.refund.issued", 1);
    const reader = consumerSpec(single, { name: "crm.closing" });
    const { runtime, transport } = await harness([single, { name: reader.dlqTopic!, partitions: 1 }]);
    const handled: string[] = [];
    await runtime.consume(reader, async (_event, context) => void handled.push(context.id));
    const published = await runtime.publish(single, { account: "a", amount: 1 });
    await until(() => handled.length === 1);
    await runtime.close();
    expect(handled).toEqual([published.id]);
    await expect(transport.send([])).rejects.toThrow(/closed/);
    await expect(runtime.consume(reader, async () => {})).rejects.toThrow("the evtc runtime is closed");
  });
});
