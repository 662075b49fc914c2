import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Partitioners } from "kafkajs";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  createEmbeddedTransport,
  EmbeddedSendTimeoutError,
  type EmbeddedTransport,
  type EmbeddedTransportOptions,
} from "../../src/runtime/embedded.js";
import { partitionForKey } from "../../src/runtime/murmur2.js";
import type { BatchControl, ConsumedRecord, OutgoingRecord, PartitionBatch } from "../../src/runtime/transport.js";

const open: EmbeddedTransport[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((transport) => transport.close()));
});

async function bus(partitions: number, options: EmbeddedTransportOptions = {}): Promise<EmbeddedTransport> {
  const transport = createEmbeddedTransport(options);
  open.push(transport);
  await transport.ensureTopics([{ name: "t", partitions }]);
  return transport;
}

function rec(key: string | null, value: string, topic = "t"): OutgoingRecord {
  return { topic, key, value: Buffer.from(value), headers: { h: value } };
}

/** A key that murmur2 places in `partition` of a topic with `partitions` partitions. */
function keyFor(partition: number, partitions: number, salt = 0): string {
  for (let i = salt * 10_000; ; i++) if (partitionForKey(`k${i}`, partitions) === partition) return `k${i}`;
}

const text = (record: ConsumedRecord): string => record.value.toString();

/** A handler that records every batch and commits past it. */
function committing(seen: ConsumedRecord[], batches?: PartitionBatch[]) {
  return async (batch: PartitionBatch, control: BatchControl): Promise<void> => {
    batches?.push(batch);
    seen.push(...batch.records);
    await control.commit(batch.records[batch.records.length - 1]!.offset + 1);
  };
}

function gate(): { promise: Promise<void>; open: () => void } {
  let openGate!: () => void;
  const promise = new Promise<void>((resolve) => (openGate = resolve));
  return { promise, open: openGate };
}

describe("topics and sending", () => {
  it("rejects a send to an unknown topic, appending nothing of it", async () => {
    const transport = await bus(1);
    await expect(transport.send([rec("a", "1"), rec("a", "2", "nope")])).rejects.toThrow(
      /unknown topic `nope`.*ensureTopics/,
    );
    expect(await transport.offsets("t")).toEqual([{ partition: 0, start: 0, end: 0 }]);
  });

  it("leaves an existing topic as it is and rejects a partition count that is not positive", async () => {
    const transport = await bus(3);
    await transport.ensureTopics([{ name: "t", partitions: 8 }]);
    expect(await transport.offsets("t")).toHaveLength(3);
    await expect(transport.ensureTopics([{ name: "u", partitions: 0 }])).rejects.toThrow(/positive whole number/);
  });

  it("numbers each partition from offset 0 and stamps the append time", async () => {
    let now = 1_000;
    const transport = await bus(2, { now: () => (now += 10) });
    const k0 = keyFor(0, 2);
    const k1 = keyFor(1, 2);
    const positions = await transport.send([rec(k0, "a"), rec(k1, "b"), rec(k0, "c")]);
    expect(positions).toEqual([
      { topic: "t", partition: 0, offset: 0 },
      { topic: "t", partition: 1, offset: 0 },
      { topic: "t", partition: 0, offset: 1 },
    ]);
    const seen: ConsumedRecord[] = [];
    await transport.subscribe({ groupId: "g", topic: "t", fromBeginning: true }, committing(seen));
    await vi.waitFor(() => expect(seen).toHaveLength(3));
    const byValue = Object.fromEntries(seen.map((r) => [text(r), r]));
    expect(byValue.a).toMatchObject({ partition: 0, offset: 0, timestamp: 1_010, headers: { h: "a" } });
    expect(byValue.b).toMatchObject({ partition: 1, offset: 0, timestamp: 1_020 });
    expect(byValue.c).toMatchObject({ partition: 0, offset: 1, timestamp: 1_030 });
    expect(byValue.a!.key).toEqual(Buffer.from(k0));
  });

  it("places keys where kafkajs's DefaultPartitioner does, and spreads null keys round-robin", async () => {
    const partitioner = Partitioners.DefaultPartitioner();
    const transport = createEmbeddedTransport();
    open.push(transport);
    for (const partitions of [1, 3, 7, 12, 37]) {
      const topic = `t${partitions}`;
      await transport.ensureTopics([{ name: topic, partitions }]);
      const keys = Array.from({ length: 300 }, (_, i) => `${randomUUID()}${"é€😀".slice(0, i % 4)}`.slice(i % 37));
      const positions = await transport.send(keys.map((key) => rec(key, key, topic)));
      const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
        partitionErrorCode: 0,
        partitionId,
        leader: 0,
        replicas: [0],
        isr: [0],
      }));
      const expected = keys.map((key) => partitioner({ topic, partitionMetadata, message: { key, value: null } }));
      expect(positions.map((p) => p.partition)).toEqual(expected);
    }

    const unkeyed = await transport.send(Array.from({ length: 14 }, (_, i) => rec(null, `n${i}`, "t7")));
    const counts = new Array<number>(7).fill(0);
    for (const p of unkeyed) counts[p.partition]!++;
    expect(counts).toEqual(new Array<number>(7).fill(2));
  });

  it("gives every reader its own bytes", async () => {
    const transport = await bus(1);
    const value = Buffer.from("original");
    await transport.send([{ topic: "t", key: null, value, headers: {} }]);
    value.write("mutated!");
    const first: ConsumedRecord[] = [];
    const second: ConsumedRecord[] = [];
    await transport.subscribe({ groupId: "a", topic: "t", fromBeginning: true }, async (batch, control) => {
      batch.records[0]!.value.write("scribble");
      first.push(...batch.records);
      await control.commit(1);
    });
    await vi.waitFor(() => expect(first).toHaveLength(1));
    await transport.subscribe({ groupId: "b", topic: "t", fromBeginning: true }, committing(second));
    await vi.waitFor(() => expect(second).toHaveLength(1));
    expect(text(second[0]!)).toBe("original");
  });
});

describe("delivery", () => {
  it("delivers each partition in order, one batch at a time, different partitions concurrently", async () => {
    const transport = await bus(4, { maxBatchSize: 5 });
    const inFlight = new Map<number, number>();
    let concurrent = 0;
    let maxConcurrent = 0;
    let overlapWithinPartition = false;
    const seen: ConsumedRecord[] = [];
    const batches: PartitionBatch[] = [];
    await transport.subscribe({ groupId: "g", topic: "t" }, async (batch, control) => {
      const busy = (inFlight.get(batch.partition) ?? 0) + 1;
      inFlight.set(batch.partition, busy);
      if (busy > 1) overlapWithinPartition = true;
      maxConcurrent = Math.max(maxConcurrent, ++concurrent);
      await sleep(2);
      batches.push(batch);
      seen.push(...batch.records);
      concurrent--;
      inFlight.set(batch.partition, busy - 1);
      await control.commit(batch.records[batch.records.length - 1]!.offset + 1);
    });
    const keys = Array.from({ length: 20 }, (_, i) => `key-${i}`);
    for (let round = 0; round < 10; round++) {
      await transport.send(keys.map((key) => rec(key, `${key}/${round}`)));
    }
    await vi.waitFor(() => expect(seen).toHaveLength(200));

    expect(overlapWithinPartition).toBe(false);
    expect(maxConcurrent).toBeGreaterThan(1);
    for (const batch of batches) {
      expect(batch.records.length).toBeGreaterThan(0);
      expect(batch.records.length).toBeLessThanOrEqual(5);
      expect(batch.records.every((r, i) => r.offset === batch.records[0]!.offset + i)).toBe(true);
    }
    const ends = await transport.offsets("t");
    for (const { partition, end } of ends) {
      const offsets = seen.filter((r) => r.partition === partition).map((r) => r.offset);
      expect(offsets).toEqual(Array.from({ length: end }, (_, i) => i));
    }
    for (const key of keys) {
      expect(seen.filter((r) => r.key?.toString() === key).map(text)).toEqual(
        Array.from({ length: 10 }, (_, round) => `${key}/${round}`),
      );
    }
  });

  it("starts a new group at the log end, or at the beginning when asked", async () => {
    const transport = await bus(1);
    await transport.send([rec(null, "old")]);
    const latest: ConsumedRecord[] = [];
    const earliest: ConsumedRecord[] = [];
    await transport.subscribe({ groupId: "latest", topic: "t" }, committing(latest));
    await transport.subscribe({ groupId: "earliest", topic: "t", fromBeginning: true }, committing(earliest));
    await transport.send([rec(null, "new")]);
    await vi.waitFor(() => expect(earliest.map(text)).toEqual(["old", "new"]));
    await vi.waitFor(() => expect(latest.map(text)).toEqual(["new"]));
  });

  it("redelivers what a closed subscription did not commit to the group's next subscription", async () => {
    const transport = await bus(1);
    await transport.send(Array.from({ length: 10 }, (_, i) => rec(null, `${i}`)));
    const first: ConsumedRecord[] = [];
    const subscription = await transport.subscribe(
      { groupId: "g", topic: "t", fromBeginning: true },
      async (batch, control) => {
        first.push(...batch.records);
        await control.commit(3); // only the first three were handled
      },
    );
    await vi.waitFor(() => expect(first).toHaveLength(10));
    await subscription.close();
    expect(await transport.committed("g", "t")).toEqual([3]);

    const second: ConsumedRecord[] = [];
    await transport.subscribe({ groupId: "g", topic: "t", fromBeginning: true }, committing(second));
    await vi.waitFor(() => expect(second.map(text)).toEqual(["3", "4", "5", "6", "7", "8", "9"]));
    expect(await transport.committed("g", "t")).toEqual([10]);
  });

  it("delivers a batch again from the last commit when the handler rejects", async () => {
    const errors: unknown[] = [];
    const transport = await bus(1, { redeliveryDelayMs: 5, onHandlerError: (error) => errors.push(error) });
    await transport.send([rec(null, "a"), rec(null, "b"), rec(null, "c")]);
    const deliveries: string[][] = [];
    await transport.subscribe({ groupId: "g", topic: "t", fromBeginning: true }, async (batch, control) => {
      deliveries.push(batch.records.map(text));
      if (deliveries.length === 1) {
        await control.commit(1);
        throw new Error("boom");
      }
      await control.commit(batch.records[batch.records.length - 1]!.offset + 1);
    });
    await vi.waitFor(() => expect(deliveries).toEqual([["a", "b", "c"], ["b", "c"]]));
    expect(errors).toEqual([new Error("boom")]);
  });

  it("keeps groups independent: a handler that never settles holds back only its own group", async () => {
    const transport = await bus(2);
    const stuck = gate();
    let stuckBatches = 0;
    await transport.subscribe({ groupId: "slow", topic: "t" }, async () => {
      stuckBatches++;
      await stuck.promise;
    });
    const fast: ConsumedRecord[] = [];
    await transport.subscribe({ groupId: "fast", topic: "t" }, committing(fast));
    const k0 = keyFor(0, 2);
    for (let i = 0; i < 50; i++) await transport.send([rec(k0, `${i}`)]);
    await vi.waitFor(() => expect(fast).toHaveLength(50));
    expect(fast.map(text)).toEqual(Array.from({ length: 50 }, (_, i) => `${i}`));
    expect(stuckBatches).toBe(1);
    expect(await transport.lag("fast", "t")).toBe(0);
    expect(await transport.lag("slow", "t")).toBe(50);
    stuck.open();
  });

  it("sleeps while there is nothing to deliver instead of spinning", async () => {
    const transport = await bus(8);
    for (let i = 0; i < 8; i++) await transport.subscribe({ groupId: `g${i}`, topic: "t" }, async () => {});
    await sleep(20);
    const before = process.cpuUsage();
    await sleep(300);
    const used = process.cpuUsage(before);
    expect((used.user + used.system) / 1000).toBeLessThan(100);
  });
});

describe("consumer groups with several members", () => {
  it("splits partitions round-robin and hands a leaving member's partitions over with nothing lost", async () => {
    const transport = await bus(4, { maxBatchSize: 3 });
    const keys = [0, 1, 2, 3].map((p) => keyFor(p, 4));
    const sendRound = async (label: string): Promise<void> => {
      for (let i = 0; i < 5; i++) await transport.send(keys.map((key) => rec(key, `${label}${i}`)));
    };
    const a: ConsumedRecord[] = [];
    const b: ConsumedRecord[] = [];
    const all: ConsumedRecord[] = [];
    const member = (into: ConsumedRecord[]) => async (batch: PartitionBatch, control: BatchControl) => {
      into.push(...batch.records);
      all.push(...batch.records);
      await control.commit(batch.records[batch.records.length - 1]!.offset + 1);
    };
    const settled = async (): Promise<void> => vi.waitFor(async () => expect(await transport.lag("g", "t")).toBe(0));

    const subscriptionA = await transport.subscribe({ groupId: "g", topic: "t", fromBeginning: true }, member(a));
    await sendRound("alone");
    await settled();
    await transport.subscribe({ groupId: "g", topic: "t", fromBeginning: true }, member(b));
    await sendRound("pair");
    await settled();
    const pairRecords = (into: ConsumedRecord[]) => into.filter((r) => text(r).startsWith("pair"));
    expect(new Set(pairRecords(a).map((r) => r.partition))).toEqual(new Set([0, 2]));
    expect(new Set(pairRecords(b).map((r) => r.partition))).toEqual(new Set([1, 3]));
    expect(pairRecords(a)).toHaveLength(10);
    expect(pairRecords(b)).toHaveLength(10);

    await subscriptionA.close();
    await sendRound("after");
    await settled();
    expect(a.filter((r) => text(r).startsWith("after"))).toHaveLength(0);
    expect(new Set(b.filter((r) => text(r).startsWith("after")).map((r) => r.partition))).toEqual(
      new Set([0, 1, 2, 3]),
    );
    for (let partition = 0; partition < 4; partition++) {
      const values = all.filter((r) => r.partition === partition).map((r) => `${r.offset}:${text(r)}`);
      expect(values).toEqual(
        ["alone", "pair", "after"].flatMap((label, round) =>
          Array.from({ length: 5 }, (_, i) => `${round * 5 + i}:${label}${i}`),
        ),
      );
    }
    expect(await transport.committed("g", "t")).toEqual([15, 15, 15, 15]);
  });

  it("revokes an in-flight batch on rebalance and lets the new owner start only after it settles", async () => {
    const transport = await bus(2);
    const k1 = keyFor(1, 2);
    await transport.send([rec(k1, "x"), rec(k1, "y")]);
    const release = gate();
    let controlA: BatchControl | undefined;
    await transport.subscribe({ groupId: "g", topic: "t", fromBeginning: true }, async (batch, control) => {
      controlA = control;
      await release.promise;
      expect(control.isActive()).toBe(false);
      await control.commit(1); // it finished "x" before it noticed
    });
    await vi.waitFor(() => expect(controlA?.isActive()).toBe(true));
    const b: ConsumedRecord[] = [];
    await transport.subscribe({ groupId: "g", topic: "t", fromBeginning: true }, committing(b));
    expect(controlA!.isActive()).toBe(false);
    await sleep(30);
    expect(b).toEqual([]); // partition 1 is still being processed by the first member
    release.open();
    await vi.waitFor(() => expect(b.map(text)).toEqual(["y"]));
    expect(b[0]).toMatchObject({ partition: 1, offset: 1 });
  });

  it("ignores a commit made after a batch settled once another member holds the partition", async () => {
    const transport = await bus(2);
    const k1 = keyFor(1, 2);
    await transport.send([rec(k1, "x"), rec(k1, "y")]);
    const kept: BatchControl[] = [];
    await transport.subscribe({ groupId: "g", topic: "t", fromBeginning: true }, async (batch, control) => {
      if (batch.partition === 1) kept.push(control); // settles without committing, keeps the control
    });
    await vi.waitFor(() => expect(kept).toHaveLength(1));
    const b: ConsumedRecord[] = [];
    await transport.subscribe({ groupId: "g", topic: "t", fromBeginning: true }, committing(b));
    await vi.waitFor(() => expect(b.map(text)).toEqual(["x", "y"]));
    await kept[0]!.commit(1);
    expect(await transport.committed("g", "t")).toEqual([0, 2]);
  });
});

describe("replay", () => {
  async function consumed(transport: EmbeddedTransport): Promise<ConsumedRecord[]> {
    const seen: ConsumedRecord[] = [];
    await transport.subscribe({ groupId: "g", topic: "t", fromBeginning: true }, committing(seen));
    return seen;
  }

  it("moves a running group back to an offset and replays from there", async () => {
    const transport = await bus(1);
    await transport.send(Array.from({ length: 10 }, (_, i) => rec(null, `${i}`)));
    const seen = await consumed(transport);
    await vi.waitFor(() => expect(seen).toHaveLength(10));
    await transport.seek("g", "t", { offset: 6 });
    await vi.waitFor(() => expect(seen.map(text).slice(10)).toEqual(["6", "7", "8", "9"]));
    expect(await transport.committed("g", "t")).toEqual([10]);
  });

  it("moves one partition and leaves the others", async () => {
    const transport = await bus(2);
    const [k0, k1] = [keyFor(0, 2), keyFor(1, 2)];
    await transport.send([rec(k0, "a0"), rec(k0, "a1"), rec(k1, "b0"), rec(k1, "b1")]);
    await transport.seek("g", "t", { partition: 1, offset: 1 });
    expect(await transport.committed("g", "t")).toEqual([2, 1]);
    const seen = await consumed(transport);
    await vi.waitFor(() => expect(seen.map(text)).toEqual(["b1"]));
  });

  it("moves a group to the first record at or after a time", async () => {
    let now = 0;
    const transport = await bus(2, { now: () => now });
    const [k0, k1] = [keyFor(0, 2), keyFor(1, 2)];
    for (let i = 0; i < 5; i++) {
      now = 1_000 * (i + 1);
      await transport.send([rec(k0, `p0@${now}`), rec(k1, `p1@${now}`)]);
    }
    await transport.seek("g", "t", { timestamp: 3_500 });
    expect(await transport.committed("g", "t")).toEqual([3, 3]);
    await transport.seek("g", "t", { timestamp: 3_000 });
    expect(await transport.committed("g", "t")).toEqual([2, 2]);
    const seen = await consumed(transport);
    await vi.waitFor(() => expect(seen).toHaveLength(6));
    expect(seen.map(text).sort()).toEqual(["p0@3000", "p0@4000", "p0@5000", "p1@3000", "p1@4000", "p1@5000"]);
    await transport.seek("g", "t", { timestamp: 9_000 });
    expect(await transport.committed("g", "t")).toEqual([5, 5]);
  });

  it("ignores a commit from a batch delivered before the seek", async () => {
    const transport = await bus(1);
    await transport.send(Array.from({ length: 4 }, (_, i) => rec(null, `${i}`)));
    const release = gate();
    const deliveries: string[][] = [];
    await transport.subscribe({ groupId: "g", topic: "t", fromBeginning: true }, async (batch, control) => {
      deliveries.push(batch.records.map(text));
      if (deliveries.length === 1) await release.promise;
      await control.commit(batch.records[batch.records.length - 1]!.offset + 1);
    });
    await vi.waitFor(() => expect(deliveries).toHaveLength(1));
    await transport.seek("g", "t", { offset: 2 });
    release.open();
    await vi.waitFor(() => expect(deliveries).toEqual([["0", "1", "2", "3"], ["2", "3"]]));
    expect(await transport.committed("g", "t")).toEqual([4]);
  });

  it("rejects an offset outside the retained range, moving nothing", async () => {
    const transport = await bus(2);
    await transport.send([rec(keyFor(0, 2), "a")]);
    await expect(transport.seek("g", "t", { offset: 1 })).rejects.toThrow(
      /offset 1 on partition 1 of topic `t`: it retains offsets 0 to 0/,
    );
    await expect(transport.seek("g", "t", { partition: 2, offset: 0 })).rejects.toThrow(/no partition 2/);
    expect(await transport.committed("g", "t")).toEqual([null, null]);
  });
});

describe("back-pressure", () => {
  it("makes a producer faster than its consumer wait, keeping memory bounded and every record in order", async () => {
    const transport = await bus(1, { maxRecordsPerPartition: 4, maxBatchSize: 2 });
    let maxRetained = 0;
    const watchRetained = async (): Promise<void> => {
      const { start, end } = (await transport.offsets("t"))[0]!;
      maxRetained = Math.max(maxRetained, end - start);
    };
    const seen: ConsumedRecord[] = [];
    await transport.subscribe({ groupId: "g", topic: "t" }, async (batch, control) => {
      await watchRetained();
      await sleep(3);
      seen.push(...batch.records);
      await control.commit(batch.records[batch.records.length - 1]!.offset + 1);
    });
    let waited = 0;
    for (let i = 0; i < 60; i++) {
      const pending = transport.send([rec(null, `${i}`)]);
      const state = await Promise.race([pending.then(() => "sent"), sleep(1).then(() => "waiting")]);
      if (state === "waiting") waited++;
      await pending;
      await watchRetained();
    }
    await vi.waitFor(() => expect(seen).toHaveLength(60));
    expect(seen.map(text)).toEqual(Array.from({ length: 60 }, (_, i) => `${i}`));
    expect(maxRetained).toBeLessThanOrEqual(4);
    expect(waited).toBeGreaterThan(10);
    const { start, end } = (await transport.offsets("t"))[0]!;
    expect(end).toBe(60);
    expect(start).toBeGreaterThanOrEqual(56);
  });

  it("rejects a send that waited too long, saying which group holds the records, and drops nothing", async () => {
    const transport = await bus(1, { maxRecordsPerPartition: 2, sendTimeoutMs: 50 });
    await transport.subscribe({ groupId: "never-commits", topic: "t" }, async () => {});
    const started = Date.now();
    const error = await transport.send([rec(null, "a"), rec(null, "b"), rec(null, "c")]).catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(error).toBeInstanceOf(EmbeddedSendTimeoutError);
    expect((error as Error).message).toBe(
      "send timed out after 50 ms: partition 0 of topic `t` holds its maximum of 2 records and group " +
        "`never-commits` has not committed past offset 0; 2 of 3 records were appended, the rest were not sent",
    );
    expect((error as EmbeddedSendTimeoutError).appended).toEqual([
      { topic: "t", partition: 0, offset: 0 },
      { topic: "t", partition: 0, offset: 1 },
    ]);
    expect(await transport.offsets("t")).toEqual([{ partition: 0, start: 0, end: 2 }]);
  });

  it("holds records for a group whose members left, until the group is deleted", async () => {
    const transport = await bus(1, { maxRecordsPerPartition: 2, sendTimeoutMs: 1_000 });
    const subscription = await transport.subscribe({ groupId: "gone", topic: "t" }, async () => {});
    await subscription.close();
    await transport.send([rec(null, "a"), rec(null, "b")]);
    let sent = false;
    const pending = transport.send([rec(null, "c")]).then((positions) => ((sent = true), positions));
    await sleep(30);
    expect(sent).toBe(false);
    await transport.deleteGroup("gone");
    expect(await pending).toEqual([{ topic: "t", partition: 0, offset: 2 }]);
    expect(await transport.offsets("t")).toEqual([{ partition: 0, start: 1, end: 3 }]);
  });

  it("frees room as soon as the slowest group commits", async () => {
    const transport = await bus(1, { maxRecordsPerPartition: 2, sendTimeoutMs: 1_000 });
    await transport.seek("a", "t", { offset: 0 });
    await transport.seek("b", "t", { offset: 0 });
    await transport.send([rec(null, "a"), rec(null, "b")]);
    await transport.seek("a", "t", { offset: 2 });
    let sent = false;
    const pending = transport.send([rec(null, "c")]).then(() => (sent = true));
    await sleep(20);
    expect(sent).toBe(false);
    await transport.seek("b", "t", { offset: 1 });
    await pending;
    expect(await transport.offsets("t")).toEqual([{ partition: 0, start: 1, end: 3 }]);
  });

  it("trims the oldest records of a full partition no group has a position on", async () => {
    const transport = await bus(1, { maxRecordsPerPartition: 3, sendTimeoutMs: 0 });
    await transport.send(Array.from({ length: 5 }, (_, i) => rec(null, `${i}`)));
    expect(await transport.offsets("t")).toEqual([{ partition: 0, start: 2, end: 5 }]);
    const seen: ConsumedRecord[] = [];
    await transport.subscribe({ groupId: "late", topic: "t", fromBeginning: true }, committing(seen));
    await vi.waitFor(() => expect(seen.map(text)).toEqual(["2", "3", "4"]));
  });
});

describe("lag", () => {
  it("sums end offsets minus committed offsets, counting everything retained for a group without a position", async () => {
    const transport = await bus(3);
    const keys = [0, 1, 2].map((p) => keyFor(p, 3));
    await transport.send([...Array(4)].map((_, i) => rec(keys[0]!, `${i}`)));
    await transport.send([...Array(2)].map((_, i) => rec(keys[1]!, `${i}`)));
    await transport.send([rec(keys[2]!, "0")]);
    expect(await transport.lag("nobody", "t")).toBe(7);
    await transport.seek("g", "t", { timestamp: 0 });
    expect(await transport.lag("g", "t")).toBe(7);
    await transport.seek("g", "t", { partition: 0, offset: 3 });
    expect(await transport.lag("g", "t")).toBe(4);
    await transport.seek("g", "t", { partition: 1, offset: 2 });
    expect(await transport.lag("g", "t")).toBe(2);
    await expect(transport.lag("g", "nope")).rejects.toThrow(/unknown topic `nope`/);
  });
});

describe("close", () => {
  it("waits for batches in flight, then rejects later sends and subscriptions", async () => {
    const transport = await bus(1);
    await transport.send([rec(null, "a")]);
    const release = gate();
    const events: string[] = [];
    let active: boolean | undefined;
    await transport.subscribe({ groupId: "g", topic: "t", fromBeginning: true }, async (_batch, control) => {
      events.push("handling");
      await release.promise;
      active = control.isActive();
      await control.commit(1);
      events.push("handled");
    });
    await vi.waitFor(() => expect(events).toEqual(["handling"]));
    const closed = transport.close().then(() => events.push("closed"));
    await sleep(20);
    expect(events).toEqual(["handling"]);
    release.open();
    await closed;
    expect(events).toEqual(["handling", "handled", "closed"]);
    expect(active).toBe(false);
    expect(await transport.committed("g", "t")).toEqual([1]);
    await expect(transport.send([rec(null, "b")])).rejects.toThrow(/embedded transport is closed/);
    await expect(transport.subscribe({ groupId: "h", topic: "t" }, async () => {})).rejects.toThrow(/closed/);
  });

  it("rejects a send still waiting for room", async () => {
    const transport = await bus(1, { maxRecordsPerPartition: 1 });
    await transport.seek("g", "t", { offset: 0 });
    await transport.send([rec(null, "a")]);
    const pending = transport.send([rec(null, "b")]);
    await transport.close();
    await expect(pending).rejects.toThrow(/closed while the send waited for room in topic `t`/);
  });
});
