import { afterAll, beforeAll, expect, it } from "vitest";
import { createKafkaTransport } from "../../src/runtime/kafka.js";
import type { RecordPosition, Transport } from "../../src/runtime/transport.js";
import { startBroker, type KafkaBroker } from "../support/kafka.js";
import { collect, record, sleep, unique, where } from "./helpers.js";

// A broker of its own: stopping the shared one would disturb the files running beside this one.
let broker: KafkaBroker;
let transport: Transport;

beforeAll(async () => {
  broker = await startBroker();
  // The broker's absence is expected here: kafkajs's connection errors would only be noise.
  // A short session: after the restart the group waits for members it lost track of until their session ends.
  transport = createKafkaTransport({
    brokers: [broker.bootstrap],
    logLevel: "nothing",
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 1_000,
    env: {},
  });
});

afterAll(async () => {
  await transport?.close();
  await broker?.destroy();
});

it("loses no acknowledged record when the broker restarts mid-stream", async () => {
  const topic = unique("restart");
  await transport.ensureTopics([{ name: topic, partitions: 3 }]);

  // A consumer reads across the restart, committing as it goes.
  const live = await collect(transport, { groupId: unique("live"), topic, fromBeginning: true }, { commit: true });

  const acknowledged = new Map<string, string>();
  const failures: unknown[] = [];
  let restarted = false;
  const restart = (async () => {
    await sleep(1000);
    await broker.restart();
    restarted = true;
  })();

  // Rounds of concurrent sends before, during and after the restart.
  let rounds = 0;
  let roundsAfter = 0;
  while (roundsAfter < 3) {
    const afterRestart = restarted;
    const round = rounds++;
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        transport.send([record(topic, `key-${i % 7}`, `r${round}-${i}`)]).then(
          ([position]: readonly RecordPosition[]) => acknowledged.set(where(position!), `r${round}-${i}`),
          (error: unknown) => failures.push(error),
        ),
      ),
    );
    if (afterRestart) roundsAfter++;
    await sleep(100);
  }
  await restart;

  // The idempotent producer retries through the outage: every send is acknowledged, none lost or doubled.
  expect(failures).toEqual([]);
  expect(acknowledged.size).toBe(rounds * 25);

  // Everything acknowledged is in the log, where send said, for a new group reading from the beginning…
  const fresh = await collect(transport, { groupId: unique("fresh"), topic, fromBeginning: true }, { commit: false });
  const all = await fresh.waitFor(acknowledged.size, 60_000);
  await fresh.subscription.close();
  const logged = new Map(all.map((r) => [where(r), r.value.toString()]));
  expect(logged.size).toBe(acknowledged.size);
  for (const [position, value] of acknowledged) expect(logged.get(position), position).toBe(value);

  // …and the consumer that read across the restart got all of it too (some perhaps twice: what it had not
  // committed when the broker went away).
  const deadline = Date.now() + 60_000;
  const seen = (): Set<string> => new Set(live.records.map(where));
  while (seen().size < acknowledged.size && Date.now() < deadline) await sleep(200);
  await live.subscription.close();
  expect(seen()).toEqual(new Set(acknowledged.keys()));
}, 180_000);
