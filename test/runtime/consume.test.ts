import { describe, expect, it } from "vitest";
import type { EventContext } from "../../src/runtime/api.js";
import { MemoryIdempotencyStore } from "../../src/runtime/idempotency.js";
import type { OutgoingRecord } from "../../src/runtime/transport.js";
import {
  consumerSpec,
  gate,
  harness,
  json,
  keyIn,
  metric,
  paymentTopic,
  paymentV1,
  paymentV2,
  tap,
  text,
  until,
  type Payment,
} from "./runtime-support.js";

const topic = paymentTopic("billing.payment.received", 2);
const single = paymentTopic("billing.refund.issued", 1);

/** A handler log: `account:amount` per handled event, in the order the handler finished them. */
function log(): { handled: string[]; entry: (event: Payment) => string } {
  return { handled: [], entry: (event) => `${event.account}:${event.amount}` };
}

describe("ordered consumers", () => {
  it("keep per-key order while a record is retried, and other partitions go on meanwhile", async () => {
    const consumer = consumerSpec(topic, {
      name: "crm.payment-history",
      ordering: "ordered",
      concurrency: 2,
      retry: { attempts: 3, backoffFromMs: 1, backoffToMs: 5 },
    });
    const { runtime } = await harness([topic, { name: consumer.dlqTopic!, partitions: 2 }]);
    const a = keyIn(0, 2);
    const b = keyIn(1, 2);
    for (let n = 1; n <= 3; n++) await runtime.publish(topic, { account: a, amount: n });
    for (let n = 1; n <= 3; n++) await runtime.publish(topic, { account: b, amount: n });
    const { handled, entry } = log();
    const bDone = gate();
    const attempts: number[] = [];
    await runtime.consume(consumer, async (event, context) => {
      if (event.account === a && event.amount === 2) {
        attempts.push(context.attempt);
        if (context.attempt === 1) throw new Error("back-end busy");
        // The second attempt waits until the other partition is done: were it blocked, this would never end.
        if (context.attempt === 2) {
          await bDone.promise;
          throw new Error("still busy");
        }
      }
      handled.push(entry(event));
      if (event.account === b && event.amount === 3) bDone.open();
    });
    await until(() => handled.length === 6);
    expect(handled.filter((h) => h.startsWith(a))).toEqual([`${a}:1`, `${a}:2`, `${a}:3`]);
    expect(handled.filter((h) => h.startsWith(b))).toEqual([`${b}:1`, `${b}:2`, `${b}:3`]);
    expect(handled.indexOf(`${b}:3`)).toBeLessThan(handled.indexOf(`${a}:2`));
    expect(attempts).toEqual([1, 2, 3]);
    expect(await metric(runtime.metrics, "evtc_event_retries_total", { consumer: consumer.name })).toBe(2);
    expect(
      await metric(runtime.metrics, "evtc_events_consumed_total", { topic: topic.name, consumer: consumer.name }),
    ).toBe(6);
  });

  it("handle one record of a partition at a time", async () => {
    const consumer = consumerSpec(single, { name: "crm.refunds", ordering: "ordered", concurrency: 4 });
    const { runtime } = await harness([single, { name: consumer.dlqTopic!, partitions: 1 }]);
    for (let n = 0; n < 20; n++) await runtime.publish(single, { account: `k${n % 3}`, amount: n });
    let inFlight = 0;
    let most = 0;
    const amounts: number[] = [];
    await runtime.consume(consumer, async (event) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      amounts.push(event.amount);
      inFlight--;
    });
    await until(() => amounts.length === 20);
    expect(most).toBe(1);
    expect(amounts).toEqual([...Array(20).keys()]);
  });
});

describe("unordered consumers", () => {
  it("run at most `concurrency` records at once and commit only up to the lowest unfinished one", async () => {
    const consumer = consumerSpec(single, { name: "bi.refund-facts", concurrency: 3 });
    const { transport, runtime } = await harness([single, { name: consumer.dlqTopic!, partitions: 1 }]);
    for (let n = 0; n < 10; n++) await runtime.publish(single, { account: `k${n}`, amount: n });
    const first = gate();
    let inFlight = 0;
    let most = 0;
    const done = new Set<number>();
    await runtime.consume(consumer, async (event) => {
      most = Math.max(most, ++inFlight);
      if (event.amount === 0) await first.promise;
      else await new Promise((resolve) => setTimeout(resolve, 2));
      done.add(event.amount);
      inFlight--;
    });
    // Everything after the first record finishes while it is held: the commit stays below it.
    await until(() => done.size === 9);
    expect(done.has(0)).toBe(false);
    expect(most).toBe(3);
    expect(await transport.committed(consumer.groupId, single.name)).toEqual([0]);
    first.open();
    await until(async () => (await transport.committed(consumer.groupId, single.name))[0] === 10);
    expect(most).toBe(3);
  });
});

describe("guaranteed consumers", () => {
  it("retry, then dead-letter the original record with its headers and go on with the next events", async () => {
    const consumer = consumerSpec(single, {
      name: "crm.refund-cases",
      retry: { attempts: 2, backoffFromMs: 1, backoffToMs: 2 },
    });
    const { transport, runtime } = await harness([single, { name: consumer.dlqTopic!, partitions: 1 }]);
    const dead = await tap(transport, consumer.dlqTopic!);
    const source = await tap(transport, single.name);
    const poison = await runtime.publish(single, { account: "poison", amount: 1 }, { correlationId: "c-1" });
    await runtime.publish(single, { account: "ok", amount: 2 });
    await runtime.publish(single, { account: "ok", amount: 3 });
    const attempts: number[] = [];
    const handled: number[] = [];
    await runtime.consume(consumer, async (event, context) => {
      if (event.account === "poison") {
        attempts.push(context.attempt);
        throw new Error(`cannot open a case: ${"x".repeat(5_000)}`);
      }
      handled.push(event.amount);
    });
    await until(() => dead.length === 1 && handled.length === 2);
    expect(attempts).toEqual([1, 2, 3]);
    expect(handled).toEqual([2, 3]);
    const letter = dead[0]!;
    const original = source.find((record) => record.offset === poison.offset)!;
    expect(letter.key?.toString()).toBe("poison");
    expect(text(letter)).toBe(text(original));
    expect(letter.headers).toEqual({
      ...original.headers,
      evtc_dlq_topic: single.name,
      evtc_dlq_partition: "0",
      evtc_dlq_offset: String(poison.offset),
      evtc_dlq_consumer: consumer.name,
      evtc_dlq_attempts: "3",
      evtc_dlq_error: expect.stringMatching(/^cannot open a case: x+…$/),
    });
    expect(letter.headers.evtc_dlq_error).toHaveLength(1_000);
    expect(letter.headers.correlationid).toBe("c-1");
    await until(async () => (await transport.committed(consumer.groupId, single.name))[0] === 3);
    const labels = { topic: single.name, consumer: consumer.name };
    expect(await metric(runtime.metrics, "evtc_event_retries_total", labels)).toBe(2);
    expect(await metric(runtime.metrics, "evtc_event_failures_total", labels)).toBe(1);
    expect(await metric(runtime.metrics, "evtc_events_dead_lettered_total", labels)).toBe(1);
    expect(await metric(runtime.metrics, "evtc_events_consumed_total", labels)).toBe(2);
    expect(await metric(runtime.metrics, "evtc_processing_seconds", labels, "_count")).toBe(5);
  });

  it("do not let a poison event hold back other keys, and continue its own partition once it is dead-lettered", async () => {
    const consumer = consumerSpec(topic, {
      name: "crm.dunning",
      ordering: "ordered",
      concurrency: 2,
      retry: { attempts: 4, backoffFromMs: 20, backoffToMs: 20 },
    });
    const { transport, runtime } = await harness([topic, { name: consumer.dlqTopic!, partitions: 2 }]);
    const dead = await tap(transport, consumer.dlqTopic!);
    const poisoned = keyIn(0, 2, "poisoned");
    const other = keyIn(1, 2, "other");
    await runtime.publish(topic, { account: poisoned, amount: 1 });
    await runtime.publish(topic, { account: poisoned, amount: 2 });
    for (let n = 1; n <= 5; n++) await runtime.publish(topic, { account: other, amount: n });
    const handled: string[] = [];
    let poisonAttempts = 0;
    let poisonAttemptsWhenOtherDone: number | undefined;
    const otherDone = gate();
    await runtime.consume(consumer, async (event) => {
      if (event.account === poisoned && event.amount === 1) {
        // The second attempt fails only once the other key is done: were it held back, this would never end.
        if (++poisonAttempts === 2) await otherDone.promise;
        throw new Error("poison");
      }
      handled.push(`${event.account}:${event.amount}`);
      if (event.account === other && event.amount === 5) {
        poisonAttemptsWhenOtherDone = poisonAttempts;
        otherDone.open();
      }
    });
    await until(() => handled.length === 6 && dead.length === 1);
    // The other key was done while the poison event was still being retried.
    expect(poisonAttemptsWhenOtherDone).toBeLessThanOrEqual(2);
    expect(handled.filter((h) => h.startsWith(other))).toHaveLength(5);
    expect(handled[handled.length - 1]).toBe(`${poisoned}:2`);
    expect(poisonAttempts).toBe(5);
    expect(json<Payment>(dead[0]!)).toEqual({ account: poisoned, amount: 1 });
  });

  it("keep a record uncommitted while its dead letter cannot be sent, and dead-letter it once it can", async () => {
    const consumer = consumerSpec(single, {
      name: "crm.refund-audit",
      retry: { attempts: 0, backoffFromMs: 1, backoffToMs: 1 },
    });
    // The dead-letter topic does not exist yet: sending to it fails.
    const { transport, runtime, warnings } = await harness([single]);
    await runtime.publish(single, { account: "a", amount: 1 });
    await runtime.publish(single, { account: "b", amount: 2 });
    await runtime.consume(consumer, async (event) => {
      if (event.account === "a") throw new Error("refused");
    });
    await until(() => warnings.filter((w) => w.startsWith("could not send to the dead-letter topic")).length >= 4);
    expect(await transport.committed(consumer.groupId, single.name)).toEqual([0]);
    await transport.ensureTopics([{ name: consumer.dlqTopic!, partitions: 1 }]);
    const dead = await tap(transport, consumer.dlqTopic!);
    await until(() => dead.length >= 1);
    await until(async () => (await transport.committed(consumer.groupId, single.name))[0] === 2);
    expect(json<Payment>(dead[0]!)).toEqual({ account: "a", amount: 1 });
    // One event failed for good, however many times its dead letter could not be sent.
    const labels = { topic: single.name, consumer: consumer.name };
    expect(await metric(runtime.metrics, "evtc_event_failures_total", labels)).toBe(1);
    expect(await metric(runtime.metrics, "evtc_events_dead_lettered_total", labels)).toBe(1);
  });

  it("take a dead-lettered event delivered again for a duplicate: no second run, no second dead letter", async () => {
    const consumer = consumerSpec(single, {
      name: "crm.refund-notes",
      retry: { attempts: 1, backoffFromMs: 1, backoffToMs: 1 },
    });
    const { transport, runtime } = await harness([single, { name: consumer.dlqTopic!, partitions: 1 }]);
    const dead = await tap(transport, consumer.dlqTopic!);
    const source = await tap(transport, single.name);
    await runtime.publish(single, { account: "a", amount: 1 });
    let attempts = 0;
    await runtime.consume(consumer, async () => {
      attempts++;
      throw new Error("refused");
    });
    await until(() => dead.length === 1);
    // The same record again, as after a rebalance before its commit or a producer's retry.
    const [original] = source;
    await transport.send([
      { topic: single.name, key: original!.key!.toString(), value: original!.value, headers: original!.headers },
    ]);
    await until(async () => (await transport.committed(consumer.groupId, single.name))[0] === 2);
    expect(attempts).toBe(2);
    expect(dead).toHaveLength(1);
    const labels = { topic: single.name, consumer: consumer.name };
    expect(await metric(runtime.metrics, "evtc_events_duplicate_total", labels)).toBe(1);
    expect(await metric(runtime.metrics, "evtc_event_failures_total", labels)).toBe(1);
  });

  it("take the runtime's default retry policy when they declare none", async () => {
    const { retry: _retry, ...withoutRetry } = consumerSpec(single, { name: "crm.default-retry" });
    const { transport, runtime } = await harness([single, { name: withoutRetry.dlqTopic!, partitions: 1 }], {
      random: () => 0,
    });
    const dead = await tap(transport, withoutRetry.dlqTopic!);
    await runtime.publish(single, { account: "a", amount: 1 });
    const attempts: number[] = [];
    await runtime.consume(withoutRetry, async (_event, context) => {
      attempts.push(context.attempt);
      throw new Error("down");
    });
    await until(() => dead.length === 1);
    expect(attempts).toEqual([1, 2, 3, 4, 5, 6]);
    expect(dead[0]!.headers.evtc_dlq_attempts).toBe("6");
  });
});

describe("best-effort consumers", () => {
  it("make one attempt, count and log the failure, and move on", async () => {
    const consumer = consumerSpec(single, { name: "bi.refund-dashboard", delivery: "best-effort" });
    const { retry: _r, dlqTopic: _d, ...bestEffort } = consumer;
    const { transport, runtime, warnings } = await harness([single], { fromBeginning: true });
    await runtime.publish(single, { account: "broken", amount: 1 });
    await runtime.publish(single, { account: "fine", amount: 2 });
    let brokenCalls = 0;
    const handled: string[] = [];
    await runtime.consume(bestEffort, async (event) => {
      if (event.account === "broken") {
        brokenCalls++;
        throw new Error("no dashboard today");
      }
      handled.push(event.account);
    });
    await until(async () => (await transport.committed(consumer.groupId, single.name))[0] === 2);
    expect(brokenCalls).toBe(1);
    expect(handled).toEqual(["fine"]);
    expect(warnings).toContain("event failed, skipped (best-effort)");
    const labels = { topic: single.name, consumer: consumer.name };
    expect(await metric(runtime.metrics, "evtc_event_failures_total", labels)).toBe(1);
    expect(await metric(runtime.metrics, "evtc_event_retries_total", labels)).toBe(0);
  });
});

describe("best-effort consumers with a dead-letter topic", () => {
  it("dead-letter a failure after one attempt, and skip it when the dead-letter topic cannot be written", async () => {
    const consumer = consumerSpec(single, { name: "bi.refund-archive", delivery: "best-effort" });
    const { transport, runtime } = await harness([single, { name: consumer.dlqTopic!, partitions: 1 }], {
      fromBeginning: true,
    });
    const dead = await tap(transport, consumer.dlqTopic!);
    await runtime.publish(single, { account: "broken", amount: 1 });
    await runtime.publish(single, { account: "fine", amount: 2 });
    let calls = 0;
    await runtime.consume(consumer, async (event) => {
      if (event.account === "broken") {
        calls++;
        throw new Error("archive full");
      }
    });
    await until(() => dead.length === 1);
    await until(async () => (await transport.committed(consumer.groupId, single.name))[0] === 2);
    expect(calls).toBe(1);
    expect(dead[0]!.headers).toMatchObject({ evtc_dlq_attempts: "1", evtc_dlq_error: "archive full" });

    const unwritable = consumerSpec(single, {
      name: "bi.refund-scratch",
      delivery: "best-effort",
      dlqTopic: "missing.dlq",
    });
    await runtime.consume(unwritable, async (event) => {
      if (event.account === "broken") throw new Error("no");
    });
    await until(async () => (await transport.committed(unwritable.groupId, single.name))[0] === 2);
    expect(await metric(runtime.metrics, "evtc_event_failures_total", { consumer: unwritable.name })).toBe(1);
  });
});

describe("where a new consumer group starts", () => {
  it("is the oldest retained event for a guaranteed reader and the end of the log for a best-effort one", async () => {
    const guaranteed = consumerSpec(single, { name: "crm.from-the-start" });
    const {
      retry: _r,
      dlqTopic: _d,
      ...bestEffort
    } = consumerSpec(single, {
      name: "bi.from-now-on",
      delivery: "best-effort",
    });
    const { runtime } = await harness([single, { name: guaranteed.dlqTopic!, partitions: 1 }]);
    await runtime.publish(single, { account: "before", amount: 1 });
    const seen: string[] = [];
    await runtime.consume(guaranteed, async (event) => void seen.push(`guaranteed:${event.account}`));
    await runtime.consume(bestEffort, async (event) => void seen.push(`best-effort:${event.account}`));
    await until(() => seen.length === 1);
    await runtime.publish(single, { account: "after", amount: 2 });
    await until(() => seen.length === 3);
    expect(seen.sort()).toEqual(["best-effort:after", "guaranteed:after", "guaranteed:before"]);
  });
});

describe("validation on consume", () => {
  function raw(headers: Record<string, string>, value: string): OutgoingRecord {
    return { topic: single.name, key: "k", value: Buffer.from(value), headers };
  }
  const envelope = (version: string): Record<string, string> => ({
    ce_id: `id-${version}-${Math.random()}`,
    ce_dataschema: `${single.name}-value/PaymentReceived/${version}`,
    ce_time: new Date().toISOString(),
  });
  const bad = [
    raw({ ce_dataschema: `${single.name}-value/PaymentReceived/1.0` }, `{"account":"a","amount":1}`),
    raw({ ce_id: "x" }, `{"account":"a","amount":1}`),
    raw(envelope("3.0"), `{"account":"a","amount":1}`),
    raw(envelope("1.0"), `{"account":"a","amount":-1}`),
    raw(envelope("1.0"), `not json`),
  ];

  it("dead-letters, for a guaranteed reader, what has no envelope, an unaccepted version or an invalid value", async () => {
    const consumer = consumerSpec(single, { name: "crm.refund-validation", accepts: { 1: paymentV1, 2: paymentV2 } });
    const { transport, runtime } = await harness([single, { name: consumer.dlqTopic!, partitions: 1 }]);
    const dead = await tap(transport, consumer.dlqTopic!);
    await transport.send(bad);
    await runtime.publish(single, { account: "good", amount: 1 });
    await transport.send([raw(envelope("2.1"), `{"account":"v2","amount":250}`)]);
    const handled: [string, string, number][] = [];
    await runtime.consume(
      consumer,
      async (event, context) => void handled.push([event.account, context.version, context.major]),
    );
    await until(() => dead.length === 5 && handled.length === 2);
    // The major version says which of the accepted versions the event was read as.
    expect(handled).toEqual([
      ["good", "1.0", 1],
      ["v2", "2.1", 2],
    ]);
    expect(dead.map((record) => record.headers.evtc_dlq_error)).toEqual([
      "the record has no `ce_id` header",
      "the record has no `ce_dataschema` header: its version is unknown",
      "version 3.0 is not accepted: `crm.refund-validation` reads major versions 1, 2",
      "invalid version 1.0 event:\n  /amount: must be >= 0",
      expect.stringMatching(/^the value is not JSON: /),
    ]);
    expect(dead.every((record) => record.headers.evtc_dlq_attempts === "0")).toBe(true);
    const labels = { topic: single.name, consumer: consumer.name };
    expect(await metric(runtime.metrics, "evtc_events_invalid_total", labels)).toBe(5);
    expect(await metric(runtime.metrics, "evtc_events_dead_lettered_total", labels)).toBe(5);
  });

  it("dead-letters a value over the topic's maximum size before parsing or validating it", async () => {
    const small = { ...single, config: { "max.message.bytes": "64" } };
    const consumer = consumerSpec(small, { name: "crm.refund-size" });
    const { transport, runtime } = await harness([small, { name: consumer.dlqTopic!, partitions: 1 }]);
    const dead = await tap(transport, consumer.dlqTopic!);
    // Sent past the runtime (another producer): the reader is the last line of defence.
    const large = JSON.stringify({ account: "x".repeat(200), amount: 1 });
    await transport.send([raw(envelope("1.0"), large)]);
    await runtime.publish(small, { account: "ok", amount: 1 });
    const handled: string[] = [];
    await runtime.consume(consumer, async (event) => void handled.push(event.account));
    await until(() => dead.length === 1 && handled.length === 1);
    expect(handled).toEqual(["ok"]);
    expect(dead[0]!.headers.evtc_dlq_error).toBe(
      `the value is ${large.length} bytes, over the topic's maximum size of 64 bytes`,
    );
  });

  it("counts and skips them for a best-effort reader", async () => {
    const {
      retry: _r,
      dlqTopic: _d,
      ...consumer
    } = consumerSpec(single, {
      name: "bi.refund-validation",
      delivery: "best-effort",
    });
    const { transport, runtime } = await harness([single], { fromBeginning: true });
    await transport.send(bad);
    await runtime.publish(single, { account: "good", amount: 1 });
    const handled: string[] = [];
    await runtime.consume(consumer, async (event) => void handled.push(event.account));
    await until(async () => (await transport.committed(consumer.groupId, single.name))[0] === 6);
    expect(handled).toEqual(["good"]);
    expect(await metric(runtime.metrics, "evtc_events_invalid_total", { consumer: consumer.name })).toBe(5);
  });
});

describe("idempotency", () => {
  it("absorbs an event delivered twice (a producer retry) and a redelivery after a rewind", async () => {
    const consumer = consumerSpec(single, { name: "crm.credit-notes" });
    const { transport, runtime } = await harness([single, { name: consumer.dlqTopic!, partitions: 1 }]);
    await runtime.publish(single, { account: "a", amount: 1 }, { id: "evt-1" });
    await runtime.publish(single, { account: "a", amount: 1 }, { id: "evt-1" });
    await runtime.publish(single, { account: "b", amount: 2 }, { id: "evt-2" });
    const effects: string[] = [];
    await runtime.consume(consumer, async (_event, context) => void effects.push(context.id));
    await until(async () => (await transport.committed(consumer.groupId, single.name))[0] === 3);
    expect(effects.sort()).toEqual(["evt-1", "evt-2"]);
    await transport.seek(consumer.groupId, single.name, { offset: 0 });
    await until(
      async () => (await metric(runtime.metrics, "evtc_events_duplicate_total", { consumer: consumer.name })) === 4,
    );
    expect(effects.sort()).toEqual(["evt-1", "evt-2"]);
  });

  it("loses nothing when a reader stops mid-processing: the next member of the group gets the uncommitted events", async () => {
    const consumer = consumerSpec(single, { name: "crm.statements", concurrency: 3 });
    const store = new MemoryIdempotencyStore();
    const { transport, runtime } = await harness([single, { name: consumer.dlqTopic!, partitions: 1 }], {
      idempotency: store,
    });
    const ids: string[] = [];
    for (let n = 0; n < 12; n++) ids.push((await runtime.publish(single, { account: `k${n}`, amount: n })).id);
    const effects: string[] = [];
    const stuck = gate();
    const crashed = gate();
    const first = await runtime.consume(consumer, async (event, context) => {
      if (event.amount === 2) {
        // Crashes mid-event: the handler fails while the reader is stopping, so the event is given up.
        crashed.open();
        await stuck.promise;
        throw new Error("process killed");
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
      effects.push(context.id);
    });
    await crashed.promise;
    await until(() => effects.length >= 4);
    const stopping = first.stop();
    stuck.open();
    await stopping;
    // The commit stopped below the event that never finished, whatever came after it.
    expect((await transport.committed(consumer.groupId, single.name))[0]).toBe(2);
    expect(effects).not.toContain(ids[2]);
    const doneBeforeStop = effects.length;
    expect(doneBeforeStop).toBeGreaterThan(2);
    await runtime.consume(consumer, async (_event, context) => void effects.push(context.id));
    await until(async () => (await transport.committed(consumer.groupId, single.name))[0] === 12);
    expect([...effects].sort()).toEqual([...ids].sort());
    // Each event had its effect once: those finished beyond the commit came again and were recognised.
    expect(effects).toHaveLength(12);
    expect(await metric(runtime.metrics, "evtc_events_duplicate_total", { consumer: consumer.name })).toBe(
      doneBeforeStop - 2,
    );
  });
});

describe("an idempotency store that fails", () => {
  it("counts as a failed attempt: the event is claimed again and handled once", async () => {
    const consumer = consumerSpec(single, { name: "crm.flaky-store" });
    const memory = new MemoryIdempotencyStore();
    let claims = 0;
    const flaky = {
      claim: async (reader: string, id: string, leaseMs: number) => {
        if (++claims === 1) throw new Error("redis: connection reset");
        return memory.claim(reader, id, leaseMs);
      },
      complete: (reader: string, id: string) => memory.complete(reader, id),
      release: (reader: string, id: string) => memory.release(reader, id),
    };
    const { runtime } = await harness([single, { name: consumer.dlqTopic!, partitions: 1 }], { idempotency: flaky });
    await runtime.publish(single, { account: "a", amount: 1 });
    const attempts: number[] = [];
    await runtime.consume(consumer, async (_event, context) => void attempts.push(context.attempt));
    await until(() => attempts.length === 1);
    expect(attempts).toEqual([2]);
    expect(await metric(runtime.metrics, "evtc_event_retries_total", { consumer: consumer.name })).toBe(1);
  });
});

describe("deadlines", () => {
  it("count a miss and call the hook for an event finished later than the deadline", async () => {
    const consumer = consumerSpec(single, { name: "contact-centre.payment-status", deadlineMs: 1_000 });
    const misses: unknown[] = [];
    const { transport, runtime } = await harness([single, { name: consumer.dlqTopic!, partitions: 1 }], {
      onDeadlineMiss: (miss) => void misses.push(miss),
    });
    const late = await runtime.publish(single, { account: "a", amount: 1 }, { time: new Date(Date.now() - 60_000) });
    await runtime.publish(single, { account: "b", amount: 2 });
    await runtime.consume(consumer, async () => {});
    await until(async () => (await transport.committed(consumer.groupId, single.name))[0] === 2);
    expect(misses).toEqual([
      { consumer: consumer.name, id: late.id, ageMs: expect.any(Number) as number, deadlineMs: 1_000 },
    ]);
    expect((misses[0] as { ageMs: number }).ageMs).toBeGreaterThanOrEqual(60_000);
    expect(await metric(runtime.metrics, "evtc_deadline_misses_total", { consumer: consumer.name })).toBe(1);
  });
});

describe("stopping", () => {
  it("lets a handler in flight finish and commits it", async () => {
    const consumer = consumerSpec(single, { name: "crm.drain" });
    const { transport, runtime } = await harness([single, { name: consumer.dlqTopic!, partitions: 1 }]);
    await runtime.publish(single, { account: "a", amount: 1 });
    const started = gate();
    const release = gate();
    const contexts: EventContext[] = [];
    const reader = await runtime.consume(consumer, async (_event, context) => {
      started.open();
      await release.promise;
      contexts.push(context);
    });
    await started.promise;
    const stopping = reader.stop();
    release.open();
    await stopping;
    expect(contexts).toHaveLength(1);
    expect(await transport.committed(consumer.groupId, single.name)).toEqual([1]);
  });
});
