import { expect, inject, it } from "vitest";
import { createKafkaTransport } from "../../src/runtime/kafka.js";
import { silentLogger } from "../../src/runtime/logger.js";
import { createRuntime } from "../../src/runtime/runtime.js";
import { consumerSpec, gate, keyIn, paymentTopic, until } from "../runtime/runtime-support.js";
import { unique } from "./helpers.js";
import { ENVELOPE_HEADROOM_BYTES } from "../../src/emit/topic-settings.js";

/** The runtime's semantics that depend on the transport, on a real broker. */

/** A runtime on a Kafka transport of its own, closed after the test. */
function kafkaRuntime(fromBeginning = false) {
  const transport = createKafkaTransport({ brokers: [inject("kafkaBrokers")], logLevel: "error", env: {} });
  return { transport, runtime: createRuntime({ transport, source: "test", logger: silentLogger, fromBeginning }) };
}

it("handles as many partitions at once as an ordered reader's concurrency, above the transport's default of 4", async () => {
  const { transport, runtime } = kafkaRuntime(true);
  const release = gate();
  try {
    const partitions = 6;
    const topic = paymentTopic(unique("ordered"), partitions);
    const reader = consumerSpec(topic, { name: unique("g"), ordering: "ordered", concurrency: partitions });
    let inFlight = 0;
    let most = 0;
    let handled = 0;
    await transport.ensureTopics([{ name: topic.name, partitions }]);
    await runtime.consume(reader, async () => {
      most = Math.max(most, ++inFlight);
      await release.promise;
      inFlight--;
      handled++;
    });
    for (let partition = 0; partition < partitions; partition++) {
      await runtime.publish(topic, { account: keyIn(partition, partitions), amount: partition });
    }
    await until(() => most === partitions, 30_000, `${partitions} partitions handled at once (at most ${most} were)`);
    release.open();
    await until(() => handled === partitions, 30_000, "every event handled");
    expect(most).toBe(partitions);
  } finally {
    release.open();
    await runtime.close();
  }
}, 60_000);

it("publishes a burst to a topic with a small maxSize: the records of one request stay within its limit", async () => {
  const { transport, runtime } = kafkaRuntime();
  try {
    const declared = paymentTopic(unique("small"), 1);
    const topic = { ...declared, config: { ...declared.config, "max.message.bytes": "16384" } };
    await transport.ensureTopics([{ name: topic.name, partitions: 1, config: topic.config }]);
    // Each event is some 1.2 KiB with its envelope; sixty of them are far more than one batch may hold.
    const note = "n".repeat(1000);
    const published = await Promise.all(
      Array.from({ length: 60 }, (_, i) => runtime.publish(topic, { account: "acct-1", amount: i, note })),
    );
    expect(new Set(published.map((p) => p.offset)).size).toBe(60);
  } finally {
    await runtime.close();
  }
}, 60_000);

it("publishes an event of exactly its topic's maxSize: the broker's limit leaves room for the key and headers", async () => {
  const { transport, runtime } = kafkaRuntime();
  try {
    const maxSize = 16_384;
    const declared = paymentTopic(unique("full"), 1);
    // As the build writes a topic's spec (src/emit/topic-settings.ts).
    const topic = {
      ...declared,
      maxSize,
      config: { ...declared.config, "max.message.bytes": String(maxSize + ENVELOPE_HEADROOM_BYTES) },
    };
    await transport.ensureTopics([{ name: topic.name, partitions: 1, config: topic.config }]);
    const event = (noteLength: number) => ({ account: "acct-1", amount: 1, note: "n".repeat(noteLength) });
    const overhead = JSON.stringify(event(0)).length;
    const full = event(maxSize - overhead);
    expect(Buffer.byteLength(JSON.stringify(full))).toBe(maxSize);
    await expect(runtime.publish(topic, full)).resolves.toMatchObject({ topic: topic.name });
    await expect(runtime.publish(topic, event(maxSize - overhead + 1))).rejects.toThrow(
      `is ${maxSize + 1} bytes, over the topic's maximum size of ${maxSize} bytes`,
    );
  } finally {
    await runtime.close();
  }
}, 60_000);
