import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createKafkaTransport } from "../../src/runtime/kafka.js";
import { partitionForKey } from "../../src/runtime/murmur2.js";
import type { BatchControl, RecordPosition, Transport } from "../../src/runtime/transport.js";
import { collect, record, sleep, unique, where } from "./helpers.js";

const brokers = [inject("kafkaBrokers")];
let transport: Transport;

beforeAll(() => {
  transport = createKafkaTransport({ brokers, clientId: "evtc-test", logLevel: "error", env: {} });
});

afterAll(async () => {
  await transport.close();
});

describe("send and subscribe", () => {
  it("delivers keys, values and headers where send said they landed", async () => {
    const topic = unique("roundtrip");
    await transport.ensureTopics([{ name: topic, partitions: 3 }]);
    const sent = [
      record(topic, "customer-1", '{"n":1}', { ce_id: "a", ce_type: "PaymentReceived" }),
      record(topic, null, '{"n":2}', { ce_id: "b" }),
      record(topic, "kund-ä-日本", '{"n":3}', {}),
    ];
    const before = Date.now();
    const positions = await transport.send(sent);
    expect(positions.map((p) => p.topic)).toEqual([topic, topic, topic]);

    const consumer = await collect(transport, { groupId: unique("g"), topic, fromBeginning: true }, { commit: true });
    const received = await consumer.waitFor(3);
    await consumer.subscription.close();

    expect(received).toHaveLength(3);
    for (const [i, position] of positions.entries()) {
      const got = received.find((r) => where(r) === where(position));
      expect(got, `record ${i} at ${where(position)}`).toBeDefined();
      expect(got!.value.toString()).toBe(sent[i]!.value.toString());
      expect(got!.key?.toString() ?? null).toBe(sent[i]!.key);
      expect(got!.headers).toEqual(sent[i]!.headers);
      expect(got!.timestamp).toBeGreaterThanOrEqual(before - 1000);
      expect(got!.timestamp).toBeLessThanOrEqual(Date.now() + 1000);
    }
  });

  it("rejects a send to a topic that does not exist, and still sends the others", async () => {
    // kafkajs logs the broker's "unknown topic" answer as an error: expected here.
    const quiet = createKafkaTransport({ brokers, logLevel: "nothing", env: {} });
    try {
      const topic = unique("exists");
      await quiet.ensureTopics([{ name: topic, partitions: 1 }]);
      const [missing, fine] = await Promise.allSettled([
        quiet.send([record(unique("missing"), "k", "x")]),
        quiet.send([record(topic, "k", "y")]),
      ]);
      expect(missing).toMatchObject({
        status: "rejected",
        reason: { message: expect.stringMatching(/does not exist/) },
      });
      expect(fine).toMatchObject({ status: "fulfilled", value: [{ topic, partition: 0, offset: 0 }] });
    } finally {
      await quiet.close();
    }
  });
});

describe("partitioning", () => {
  const keys = [
    ...Array.from({ length: 150 }, (_, i) => `customer-${i}`),
    "",
    "a",
    "ab",
    "abc",
    "21",
    "foobar",
    "kund-ä",
    "日本語のキー",
    "emoji-😀",
    "a-little-bit-longer-string",
  ];

  it("puts keyed records where Java's partitioner (murmur2) puts them, the same key always together", async () => {
    const topic = unique("murmur2");
    const partitions = 12;
    await transport.ensureTopics([{ name: topic, partitions }]);
    const java = await javaPartitions(keys, partitions);

    const twice = [...keys, ...keys];
    const positions = await transport.send(twice.map((key, i) => record(topic, key, `v${i}`)));
    const placed = positions.map((p) => p.partition);
    expect(placed.slice(0, keys.length)).toEqual(java);
    expect(placed.slice(keys.length)).toEqual(java);
    expect(placed.slice(0, keys.length)).toEqual(keys.map((key) => partitionForKey(key, partitions)));
    // The keys spread: murmur2 uses every partition for this many keys.
    expect(new Set(java).size).toBe(partitions);

    // And the records are really there.
    const consumer = await collect(transport, { groupId: unique("g"), topic, fromBeginning: true }, { commit: false });
    const received = await consumer.waitFor(twice.length);
    await consumer.subscription.close();
    for (const r of received) {
      expect(r.partition).toBe(partitionForKey(r.key!.toString(), partitions));
    }
  });
});

describe("coalescing sends", () => {
  it("answers 1,000 concurrent sends with their own distinct offsets, in call order per partition", async () => {
    const topic = unique("coalesce");
    await transport.ensureTopics([{ name: topic, partitions: 6 }]);
    const count = 1000;
    const positions = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        transport.send([record(topic, `key-${i % 37}`, `value-${i}`)]).then((p) => p[0]!),
      ),
    );
    expectDenseOffsets(positions);
    // A key's records share a partition, in the order of the send calls.
    for (let k = 0; k < 37; k++) {
      const mine = positions.filter((_, i) => i % 37 === k);
      expect(new Set(mine.map((p) => p.partition)).size).toBe(1);
      const offsets = mine.map((p) => p.offset);
      expect(offsets).toEqual([...offsets].sort((x, y) => x - y));
    }

    const consumer = await collect(transport, { groupId: unique("g"), topic, fromBeginning: true }, { commit: false });
    const received = await consumer.waitFor(count);
    await consumer.subscription.close();
    const valueAt = new Map(received.map((r) => [where(r), r.value.toString()]));
    positions.forEach((position, i) => expect(valueAt.get(where(position))).toBe(`value-${i}`));

    // The log shows the coalescing: the records were appended in a few record batches, not one per send.
    expect((await recordBatches(topic, count)).size).toBeLessThanOrEqual(6 * 3);
  });

  it("splits a burst into several requests when it exceeds a batch, across topics, and still answers each send", async () => {
    const small = createKafkaTransport({ brokers, logLevel: "error", maxBatchRecords: 7, lingerMs: 1, env: {} });
    try {
      const [a, b] = [unique("split-a"), unique("split-b")];
      await small.ensureTopics([
        { name: a, partitions: 2 },
        { name: b, partitions: 3 },
      ]);
      const sends = Array.from({ length: 60 }, (_, i) =>
        small.send([
          record(i % 2 ? a : b, null, `one-${i}`),
          record(b, `k${i}`, `two-${i}`),
          record(a, `k${i}`, `three-${i}`),
        ]),
      );
      // One send larger than a batch goes alone.
      sends.push(small.send(Array.from({ length: 20 }, (_, i) => record(a, `big-${i}`, `big-${i}`))));
      const answers = await Promise.all(sends);
      for (const [i, answer] of answers.entries()) {
        expect(answer).toHaveLength(i < 60 ? 3 : 20);
      }
      expectDenseOffsets(answers.flat());
    } finally {
      await small.close();
    }
  });

  it("keeps a request's records of a partition within its topic's max.message.bytes, which Kafka holds the partition's batch to", async () => {
    const topic = unique("small-batches");
    const maxMessageBytes = 16_384;
    await transport.ensureTopics([
      { name: topic, partitions: 4, config: { "max.message.bytes": String(maxMessageBytes) } },
    ]);
    // Sixty records of 1 KiB, each well within the limit, sixty times it together: one request would be refused.
    // Two bursts to one partition (one key), the first before the transport has the topic's metadata; then one
    // spread over all four.
    const burst = (key: (i: number) => string) =>
      Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          transport.send([{ ...record(topic, key(i), `${i}`.padEnd(1024, ".")), maxMessageBytes }]).then((p) => p[0]!),
        ),
      );
    const positions = [...(await burst(() => "k")), ...(await burst(() => "k")), ...(await burst((i) => `k${i}`))];
    expectDenseOffsets(positions);
    const batches = await recordBatches(topic, positions.length);
    expect(batches.size).toBeGreaterThanOrEqual(8);
  });

  it("flushes pending sends on close and refuses sends after it", async () => {
    const topic = unique("close");
    const closing = createKafkaTransport({ brokers, logLevel: "error", lingerMs: 200, env: {} });
    await closing.ensureTopics([{ name: topic, partitions: 1 }]);
    const pending = closing.send([record(topic, "k", "late")]);
    await closing.close();
    await expect(pending).resolves.toEqual([{ topic, partition: 0, offset: 0 }]);
    await expect(closing.send([record(topic, "k", "after")])).rejects.toThrow(/closed/);
  });
});

describe("committing", () => {
  it("delivers again to the group what a closed subscription received but did not commit", async () => {
    const topic = unique("commit");
    const groupId = unique("g");
    await transport.ensureTopics([{ name: topic, partitions: 2 }]);
    await transport.send(Array.from({ length: 10 }, (_, i) => record(topic, `k${i}`, `v${i}`)));

    const first = await collect(transport, { groupId, topic, fromBeginning: true }, { commit: false });
    await first.waitFor(10);
    await first.subscription.close();
    expect(await transport.lag(groupId, topic)).toBe(10);

    const second = await collect(transport, { groupId, topic, fromBeginning: true }, { commit: true });
    const again = await second.waitFor(10);
    expect(again.map((r) => r.value.toString()).sort()).toEqual(first.records.map((r) => r.value.toString()).sort());
    await second.subscription.close();
    expect(await transport.lag(groupId, topic)).toBe(0);

    // Committed records stay read: the next subscription of the group gets only what is new.
    await transport.send([record(topic, "k-new", "new")]);
    const third = await collect(transport, { groupId, topic, fromBeginning: true }, { commit: true });
    await third.waitFor(1);
    await sleep(1500);
    await third.subscription.close();
    expect(third.records.map((r) => r.value.toString())).toEqual(["new"]);
  });

  it("resumes after the committed offset when a handler commits part of a batch", async () => {
    const topic = unique("partial");
    const groupId = unique("g");
    await transport.ensureTopics([{ name: topic, partitions: 1 }]);
    await transport.send(Array.from({ length: 6 }, (_, i) => record(topic, "k", `v${i}`)));
    let committed = false;
    const first = await transport.subscribe({ groupId, topic, fromBeginning: true }, async (batch, control) => {
      if (committed) return;
      committed = true;
      // Only the first three records count as done.
      await control.commit(batch.records[0]!.offset + 3);
    });
    while (!committed) await sleep(50);
    await first.close();
    expect(await transport.lag(groupId, topic)).toBe(3);

    const second = await collect(transport, { groupId, topic }, { commit: true });
    const rest = await second.waitFor(3);
    await second.subscription.close();
    expect(rest.map((r) => [r.offset, r.value.toString()])).toEqual([
      [3, "v3"],
      [4, "v4"],
      [5, "v5"],
    ]);
  });

  it("delivers a batch whose handler rejected again, from the last commit, after telling onHandlerError", async () => {
    const errors: string[] = [];
    const retrying = createKafkaTransport({
      brokers,
      logLevel: "error",
      redeliveryDelayMs: 50,
      onHandlerError: (error, batch) => errors.push(`${(error as Error).message} at ${batch.records[0]!.offset}`),
      env: {},
    });
    try {
      const topic = unique("reject");
      await retrying.ensureTopics([{ name: topic, partitions: 1 }]);
      await retrying.send(Array.from({ length: 4 }, (_, i) => record(topic, "k", `v${i}`)));
      const firstOffsets: number[] = [];
      let done = false;
      const subscription = await retrying.subscribe(
        { groupId: unique("g"), topic, fromBeginning: true },
        async (batch, control) => {
          firstOffsets.push(batch.records[0]!.offset);
          if (firstOffsets.length === 1) {
            await control.commit(batch.records[0]!.offset + 1);
            throw new Error("boom");
          }
          await control.commit(batch.records[batch.records.length - 1]!.offset + 1);
          if (batch.records[batch.records.length - 1]!.offset === 3) done = true;
        },
      );
      while (!done) await sleep(20);
      await subscription.close();
      expect(firstOffsets.slice(0, 2)).toEqual([0, 1]);
      expect(errors).toEqual(["boom at 0"]);
    } finally {
      await retrying.close();
    }
  });

  it("waits for the batch in flight on close, which it reports as no longer active", async () => {
    const topic = unique("active");
    await transport.ensureTopics([{ name: topic, partitions: 1 }]);
    await transport.send([record(topic, "k", "v")]);
    let control: BatchControl | undefined;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let finished = false;
    const subscription = await transport.subscribe(
      { groupId: unique("g"), topic, fromBeginning: true },
      async (_, c) => {
        control = c;
        await c.heartbeat();
        await held;
        finished = true;
      },
    );
    while (!control) await sleep(20);
    expect(control.isActive()).toBe(true);
    const closed = subscription.close();
    expect(control.isActive()).toBe(false);
    await sleep(200);
    expect(finished).toBe(false);
    release();
    await closed;
    expect(finished).toBe(true);
  });
});

describe("fetching while batches are handled", () => {
  it("delivers the next records as they come, without sleeping out maxWaitTimeMs after each batch", async () => {
    // kafkajs sleeps maxWaitTimeMs when every partition it reads is paused; a transport that paused each partition
    // while its batch was handled made a consumer that keeps up wait that long after every batch. With a wait twice
    // the collector's, the second record would not come in time. (Not longer: closing waits for the fetch in flight.)
    const patient = createKafkaTransport({ brokers, logLevel: "error", maxWaitTimeMs: 5_000, env: {} });
    try {
      const topic = unique("next");
      await patient.ensureTopics([{ name: topic, partitions: 1 }]);
      const reader = await collect(patient, { groupId: unique("g"), topic, fromBeginning: true }, { commit: true });
      for (let round = 1; round <= 3; round++) {
        await patient.send([record(topic, "k", `v${round}`)]);
        // The first round also waits for the group's first fetch; the later ones only for the record.
        await reader.waitFor(round, round === 1 ? 20_000 : 2_500);
      }
      await reader.subscription.close();
      expect(reader.records.map((r) => r.value.toString())).toEqual(["v1", "v2", "v3"]);
    } finally {
      await patient.close();
    }
  });

  it("goes on reading the other partitions while a batch takes longer than maxWaitTimeMs", async () => {
    const quick = createKafkaTransport({ brokers, logLevel: "error", maxWaitTimeMs: 200, env: {} });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    try {
      const topic = unique("slow");
      await quick.ensureTopics([{ name: topic, partitions: 2 }]);
      const [slowKey, otherKey] = keysForPartitions(2) as [string, string];
      let holding = false;
      const reader = await collect(
        quick,
        { groupId: unique("g"), topic, fromBeginning: true },
        {
          commit: true,
          onBatch: async (records) => {
            if (records[0]!.key?.toString() !== slowKey) return;
            holding = true;
            await held;
          },
        },
      );
      await quick.send([record(topic, slowKey, "slow"), record(topic, otherKey, "other 1")]);
      while (!holding) await sleep(20);
      await reader.waitFor(1, 20_000);
      // The held partition's batch is still in the handler: the other partition's records keep coming.
      for (let i = 2; i <= 4; i++) {
        await quick.send([record(topic, otherKey, `other ${i}`)]);
        await reader.waitFor(i, 20_000);
      }
      expect(reader.records.map((r) => r.value.toString())).toEqual(["other 1", "other 2", "other 3", "other 4"]);
      release();
      await reader.waitFor(5, 20_000);
      await reader.subscription.close();
      expect(reader.records.map((r) => r.value.toString()).sort()).toEqual([
        "other 1",
        "other 2",
        "other 3",
        "other 4",
        "slow",
      ]);
    } finally {
      release();
      await quick.close();
    }
  });
});

/** A key landing in each of the first `count` partitions (of a topic with `count` partitions). */
function keysForPartitions(count: number): string[] {
  const keys: string[] = [];
  for (let partition = 0; partition < count; partition++) {
    for (let i = 0; ; i++) {
      if (partitionForKey(`key-${i}`, count) === partition) {
        keys.push(`key-${i}`);
        break;
      }
    }
  }
  return keys;
}

describe("lag and topics", () => {
  it("counts what a group has not committed, over all partitions", async () => {
    const topic = unique("lag");
    const groupId = unique("g");
    await transport.ensureTopics([{ name: topic, partitions: 3 }]);
    expect(await transport.lag(groupId, topic)).toBe(0);
    await transport.send(Array.from({ length: 30 }, (_, i) => record(topic, `k${i}`, `v${i}`)));
    expect(await transport.lag(groupId, topic)).toBe(30);

    const consumer = await collect(transport, { groupId, topic, fromBeginning: true }, { commit: true });
    await consumer.waitFor(30);
    await consumer.subscription.close();
    expect(await transport.lag(groupId, topic)).toBe(0);

    await transport.send(Array.from({ length: 5 }, (_, i) => record(topic, `k${i}`, `more-${i}`)));
    expect(await transport.lag(groupId, topic)).toBe(5);
  });

  it("creates missing topics with their settings and leaves existing ones as they are", async () => {
    const [a, b] = [unique("ensure-a"), unique("ensure-b")];
    await transport.ensureTopics([{ name: a, partitions: 2, config: { "retention.ms": "3600000" } }]);
    await transport.ensureTopics([{ name: a, partitions: 2, config: { "retention.ms": "3600000" } }]);
    // Existing `a` keeps its two partitions; `b` is created beside it in the same call.
    await transport.ensureTopics([
      { name: a, partitions: 5 },
      { name: b, partitions: 4, replicationFactor: 1 },
    ]);

    const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [a, b] });
      expect(Object.fromEntries(topics.map((t) => [t.name, t.partitions.length]))).toEqual({ [a]: 2, [b]: 4 });
      const [config] = (await admin.describeConfigs({ resources: [{ type: 2, name: a }], includeSynonyms: false }))
        .resources;
      expect(config!.configEntries.find((e) => e.configName === "retention.ms")?.configValue).toBe("3600000");
    } finally {
      await admin.disconnect();
    }
    await expect(transport.send([record(b, "k", "v")])).resolves.toHaveLength(1);
  });
});

describe("topics with production settings on a development broker", () => {
  it("creates them with replication capped by maxReplicationFactor, min.insync.replicas with it", async () => {
    const capped = createKafkaTransport({ brokers, logLevel: "nothing", maxReplicationFactor: 1 });
    const name = unique("capped");
    try {
      // What the generated topology asks for: three replicas, two in sync. One broker cannot give them.
      await capped.ensureTopics([
        { name, partitions: 2, replicationFactor: 3, config: { "min.insync.replicas": "2" } },
      ]);
      await expect(capped.send([record(name, "k", "v")])).resolves.toHaveLength(1);
    } finally {
      await capped.close();
    }
    const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const [config] = (await admin.describeConfigs({ resources: [{ type: 2, name }], includeSynonyms: false }))
        .resources;
      expect(config!.configEntries.find((e) => e.configName === "min.insync.replicas")?.configValue).toBe("1");
    } finally {
      await admin.disconnect();
    }
  });
});

/**
 * The record batches (partition and first offset) that hold a topic's first `count` records, read with a plain
 * kafkajs consumer: kafkajs keeps each record's batch header as `batchContext`.
 */
async function recordBatches(topic: string, count: number): Promise<Set<string>> {
  const consumer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).consumer({ groupId: unique("batches") });
  const batches = new Set<string>();
  let seen = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const context = (message as unknown as { batchContext: { firstOffset: string } }).batchContext;
        batches.add(`${partition}/${context.firstOffset}`);
        seen++;
      },
    });
    const deadline = Date.now() + 30_000;
    while (seen < count && Date.now() < deadline) await sleep(50);
    expect(seen).toBe(count);
    return batches;
  } finally {
    await consumer.disconnect();
  }
}

/** Every position distinct, and each partition's offsets exactly 0..n-1 (the topics are new). */
function expectDenseOffsets(positions: readonly RecordPosition[]): void {
  expect(new Set(positions.map(where)).size).toBe(positions.length);
  const byPartition = new Map<string, number[]>();
  for (const p of positions) {
    const key = `${p.topic}/${p.partition}`;
    byPartition.set(key, [...(byPartition.get(key) ?? []), p.offset]);
  }
  for (const offsets of byPartition.values()) {
    expect(offsets.sort((x, y) => x - y)).toEqual(offsets.map((_, i) => i));
  }
}

/** The partitions Kafka's Java producer picks for `keys` (its BuiltInPartitioner, run on the broker's jars). */
async function javaPartitions(keys: readonly string[], partitions: number): Promise<number[]> {
  const lib = resolve(fileURLToPath(new URL("../../.cache/kafka/lib", import.meta.url)));
  if (!(await readdir(lib)).some((name) => /^kafka-clients-.*\.jar$/.test(name))) {
    throw new Error(`no kafka-clients jar in ${lib}: run scripts/kafka.sh fetch`);
  }
  const dir = await mkdtemp(join(tmpdir(), "evtc-partitions-"));
  try {
    await writeFile(
      join(dir, "Partitions.java"),
      `import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import java.nio.file.*;
import java.util.HexFormat;
public class Partitions {
  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    for (String line : Files.readAllLines(Path.of(args[1])))
      System.out.println(BuiltInPartitioner.partitionForKey(HexFormat.of().parseHex(line.trim()), n));
  }
}
`,
    );
    // Hex, one key a line, so that any key (the empty one too) survives the trip.
    await writeFile(join(dir, "keys.txt"), keys.map((k) => `${Buffer.from(k, "utf8").toString("hex")} \n`).join(""));
    const { stdout } = await promisify(execFile)("java", [
      "-cp",
      join(lib, "*"),
      join(dir, "Partitions.java"),
      String(partitions),
      join(dir, "keys.txt"),
    ]);
    return stdout.trim().split("\n").map(Number);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
