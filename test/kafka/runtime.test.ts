import { expect, inject, it } from "vitest";
import { createKafkaTransport } from "../../src/runtime/kafka.js";
import { silentLogger } from "../../src/runtime/logger.js";
import { createRuntime } from "../../src/runtime/runtime.js";
import { consumerSpec, gate, keyIn, paymentTopic, until } from "../runtime/runtime-support.js";
import { unique } from "./helpers.js";

/** The runtime's reader semantics that depend on the transport, on a real broker. */

it("handles as many partitions at once as an ordered reader's concurrency, above the transport's default of 4", async () => {
  const transport = createKafkaTransport({ brokers: [inject("kafkaBrokers")], logLevel: "error", env: {} });
  const runtime = createRuntime({ transport, source: "test", logger: silentLogger, fromBeginning: true });
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
