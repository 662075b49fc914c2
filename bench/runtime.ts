/**
 * Events per second and CPU time per event of the runtime, on the embedded bus and on Kafka, for the example's
 * generated producer and consumer against what they are built on.
 *
 *   npm run build && npm run bench:runtime -- [--events 20000] [--runs 3] [--window 1000] [--no-kafka]
 *
 * Each variant publishes N `PaymentReceived` events of the telco example (12 partitions, keyed by account), then
 * consumes them in a consumer group:
 *
 * - generated: `publishBillingPaymentReceived` (validation, CloudEvents envelope, metrics) and the generated
 *   `bi.revenue-dashboard` consumer (unordered, guaranteed, concurrency 4: envelope and version check, validation,
 *   idempotency claims, metrics, commits at the lowest unfinished record) with a handler that does nothing;
 * - transport: the same JSON events through the evtc transport alone (`send`, then `subscribe` parsing each value
 *   and committing each batch) — what the generated code costs on top of it is the difference;
 * - kafkajs (Kafka only): plain kafkajs doing the same work — an idempotent producer with acks=all sending batches
 *   of `--window` events one request at a time, a consumer in a group parsing each value, partitions handled 4 at
 *   once, offsets committed by kafkajs; once without headers, once with the seven CloudEvents headers the runtime
 *   puts on each record (what they cost kafkajs is most of what the envelope costs on Kafka).
 *
 * Publishing keeps `--window` publishes in flight (the Kafka transport coalesces them into requests). "events/s"
 * is wall-clock throughput: produce from the first send to the last acknowledgement, consume from the first event
 * delivered to the last one handled; "first after" is how long the consumer took to deliver its first event
 * (joining the group, on Kafka). "µs/event" is this process's CPU time (user + system, every thread) over the
 * phase divided by N — the broker's own CPU is not in it. Each figure is the median of `--runs` runs, after a
 * warm-up run of a tenth of N that is not counted.
 *
 * Kafka: the broker named by `--brokers` or KAFKA_BROKERS, else a single-node broker of its own started with
 * `scripts/kafka.sh up` in a temporary state directory (Java and the jars Maven fetched; see docs/runtime.md) and
 * deleted at the end. Topics are created with replication factor 1; each run reads in a fresh consumer group
 * placed at the offsets where that run's events begin. When no broker can be started the Kafka half is skipped,
 * saying why.
 *
 * The table is markdown, on stdout; progress goes to stderr.
 */
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { Kafka, logLevel, Partitioners, type Admin } from "kafkajs";
import {
  createEmbeddedTransport,
  createKafkaTransport,
  createRuntime,
  silentLogger,
  type EvtcRuntime,
  type Transport,
} from "evtc/runtime";
import {
  biRevenueDashboardConsumer,
  billingPaymentReceivedTopic,
  publishBillingPaymentReceived,
  type PaymentReceived,
} from "../generated/telco/index.js";
import { TelcoWorld } from "../scripts/demo/events.js";
import { seeded } from "../scripts/demo/random.js";
import { startBroker, type KafkaBroker } from "../test/support/kafka.js";

const { values: args } = parseArgs({
  options: {
    events: { type: "string", default: "20000" },
    runs: { type: "string", default: "3" },
    window: { type: "string", default: "1000" },
    brokers: { type: "string" },
    "no-kafka": { type: "boolean", default: false },
  },
});
const EVENTS = Number(args.events);
const RUNS = Number(args.runs);
const WINDOW = Number(args.window);
const PARTITIONS = billingPaymentReceivedTopic.partitions;
const log = (line: string): void => void process.stderr.write(`${line}\n`);

// ---- Measuring -------------------------------------------------------------------------------------------

interface Phase {
  /** Events per second. */
  readonly rate: number;
  /** CPU microseconds per event. */
  readonly cpuUs: number;
  /** Milliseconds until the first event was delivered (consume only). */
  readonly firstMs?: number;
}

interface Measured {
  readonly produce: Phase;
  readonly consume: Phase;
}

async function measure(events: number, work: () => Promise<{ first?: number; last?: number }>): Promise<Phase> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const { first = started, last = performance.now() } = await work();
  const used = process.cpuUsage(cpu);
  return {
    rate: events / (Math.max(1e-3, last - first) / 1000),
    cpuUs: (used.user + used.system) / events,
    ...(first !== started ? { firstMs: first - started } : {}),
  };
}

/** Sends every item, `window` at a time at most. */
async function inWindow<T>(items: readonly T[], window: number, send: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await send(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(window, items.length) }, worker));
}

/** Counts handled events; `done` resolves with the first and last times once `expected` were seen. */
function tally(expected: number): { hit(count?: number): void; done: Promise<{ first: number; last: number }> } {
  let count = 0;
  let first = 0;
  let finish: (times: { first: number; last: number }) => void = () => {};
  const done = new Promise<{ first: number; last: number }>((resolve) => (finish = resolve));
  return {
    hit(n = 1) {
      if (count === 0) first = performance.now();
      count += n;
      if (count === expected) finish({ first, last: performance.now() });
    },
    done,
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function medianPhase(phases: readonly Phase[]): Phase {
  const firsts = phases.flatMap((p) => (p.firstMs !== undefined ? [p.firstMs] : []));
  return {
    rate: median(phases.map((p) => p.rate)),
    cpuUs: median(phases.map((p) => p.cpuUs)),
    ...(firsts.length > 0 ? { firstMs: median(firsts) } : {}),
  };
}

// ---- The events ------------------------------------------------------------------------------------------

const world = new TelcoWorld(seeded(42));
function payments(count: number): PaymentReceived[] {
  return Array.from({ length: count }, () => world.payment());
}

const json = (event: PaymentReceived): Buffer => Buffer.from(JSON.stringify(event), "utf8");

// ---- Variants --------------------------------------------------------------------------------------------

/** One way of producing and consuming; `run` is the run's number, for names that must not repeat. */
interface Variant {
  readonly bus: "embedded" | "Kafka";
  readonly name: string;
  run(events: readonly PaymentReceived[], run: number): Promise<Measured>;
}

/** The generated publish function and consumer, on the runtime over `transport`. */
function generatedOn(runtime: EvtcRuntime, groupId: string, placeGroup: () => Promise<void>) {
  return async (events: readonly PaymentReceived[]): Promise<Measured> => {
    const produce = await measure(events.length, async () => {
      await inWindow(events, WINDOW, (event) => publishBillingPaymentReceived(runtime, event));
      return {};
    });
    await placeGroup();
    const count = tally(events.length);
    let reader: Awaited<ReturnType<EvtcRuntime["consume"]>> | undefined;
    const consume = await measure(events.length, async () => {
      reader = await runtime.consume({ ...biRevenueDashboardConsumer, groupId }, async () => count.hit());
      return count.done;
    });
    await reader?.stop();
    await runtime.close();
    return { produce, consume };
  };
}

/** The same JSON events through the transport alone. */
function transportOn(transport: Transport, topic: string, groupId: string, placeGroup: () => Promise<void>) {
  return async (events: readonly PaymentReceived[]): Promise<Measured> => {
    const produce = await measure(events.length, async () => {
      await inWindow(events, WINDOW, (event) =>
        transport.send([{ topic, key: event.accountId, value: json(event), headers: {} }]),
      );
      return {};
    });
    await placeGroup();
    const count = tally(events.length);
    let subscription: Awaited<ReturnType<Transport["subscribe"]>> | undefined;
    const consume = await measure(events.length, async () => {
      subscription = await transport.subscribe({ groupId, topic, fromBeginning: true }, async (batch, control) => {
        for (const record of batch.records) JSON.parse(record.value.toString("utf8"));
        await control.commit(batch.records[batch.records.length - 1]!.offset + 1);
        count.hit(batch.records.length);
      });
      return count.done;
    });
    await subscription?.close();
    await transport.close();
    return { produce, consume };
  };
}

const embedded: Variant[] = [
  {
    bus: "embedded",
    name: "transport alone",
    async run(events) {
      const bus = createEmbeddedTransport();
      await bus.ensureTopics([{ name: "bench.payments", partitions: PARTITIONS }]);
      return transportOn(bus, "bench.payments", "bench", async () => {})(events);
    },
  },
  {
    bus: "embedded",
    name: "generated publish + `bi.revenue-dashboard`",
    async run(events) {
      const bus = createEmbeddedTransport();
      await bus.ensureTopics([{ name: billingPaymentReceivedTopic.name, partitions: PARTITIONS }]);
      const runtime = createRuntime({ transport: bus, source: "bench", logger: silentLogger });
      return generatedOn(runtime, biRevenueDashboardConsumer.groupId, async () => {})(events);
    },
  },
];

/** The CloudEvents headers the runtime stamps on a payment, made the same way (for plain kafkajs to carry). */
function cloudEventsHeaders(): Record<string, string> {
  return {
    ce_id: randomUUID(),
    ce_type: billingPaymentReceivedTopic.name,
    ce_source: "bench",
    ce_time: new Date().toISOString(),
    ce_specversion: "1.0",
    ce_dataschema: billingPaymentReceivedTopic.event.dataschema,
    "content-type": "application/json",
  };
}

type Placement = (topic: string, groupId: string) => Promise<() => Promise<void>>;

/** Plain kafkajs: batches of `--window` events, one request at a time; a consumer parsing each value. */
function plainKafkajs(brokers: readonly string[], placement: Placement, headers: boolean): Variant {
  return {
    bus: "Kafka",
    name: headers ? "plain kafkajs, with the CloudEvents headers" : "plain kafkajs",
    async run(events, run) {
      const topic = "bench.plain.payments";
      const groupId = `bench-plain-${run}`;
      const place = await placement(topic, groupId);
      const kafka = new Kafka({ brokers: [...brokers], clientId: "evtc-bench-plain", logLevel: logLevel.ERROR });
      const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      const produce = await measure(events.length, async () => {
        for (let i = 0; i < events.length; i += WINDOW) {
          const messages = events
            .slice(i, i + WINDOW)
            .map((event) => ({ key: event.accountId, value: json(event), ...(headers ? { headers: cloudEventsHeaders() } : {}) }));
          await producer.send({ topic, acks: -1, messages });
        }
        return {};
      });
      await producer.disconnect();
      await place();
      const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500 });
      const count = tally(events.length);
      const consume = await measure(events.length, async () => {
        await consumer.connect();
        await consumer.subscribe({ topics: [topic] });
        await consumer.run({
          partitionsConsumedConcurrently: 4,
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) {
              JSON.parse(message.value!.toString("utf8"));
              if (headers) for (const value of Object.values(message.headers ?? {})) String(value);
            }
            count.hit(batch.messages.length);
          },
        });
        return count.done;
      });
      await consumer.disconnect();
      return { produce, consume };
    },
  };
}

function kafkaVariants(brokers: readonly string[], admin: Admin): Variant[] {
  const kafkaOptions = { brokers, clientId: "evtc-bench", logLevel: "error" as const };
  /** Before a run produces: the end offsets; after: a fresh group placed there, so it reads this run's events. */
  const placement: Placement = async (topic, groupId) => {
    const ends = await admin.fetchTopicOffsets(topic);
    return () =>
      admin.setOffsets({ groupId, topic, partitions: ends.map(({ partition, high }) => ({ partition, offset: high })) });
  };
  return [
    plainKafkajs(brokers, placement, false),
    plainKafkajs(brokers, placement, true),
    {
      bus: "Kafka",
      name: "transport alone",
      async run(events, run) {
        const topic = "bench.transport.payments";
        const groupId = `bench-transport-${run}`;
        return transportOn(createKafkaTransport(kafkaOptions), topic, groupId, await placement(topic, groupId))(events);
      },
    },
    {
      bus: "Kafka",
      name: "generated publish + `bi.revenue-dashboard`",
      async run(events, run) {
        const groupId = `${biRevenueDashboardConsumer.groupId}.bench-${run}`;
        const transport = createKafkaTransport(kafkaOptions);
        const runtime = createRuntime({ transport, source: "bench", logger: silentLogger });
        const place = await placement(billingPaymentReceivedTopic.name, groupId);
        return generatedOn(runtime, groupId, place)(events);
      },
    },
  ];
}

async function bench(variants: readonly Variant[], firstRun: number): Promise<Map<Variant, Measured>> {
  const results = new Map<Variant, Measured>();
  let run = firstRun;
  for (const variant of variants) {
    log(`${variant.bus}, ${variant.name}: warm-up`);
    await variant.run(payments(Math.max(1, Math.round(EVENTS / 10))), run++);
    const runs: Measured[] = [];
    for (let i = 1; i <= RUNS; i++) {
      const measured = await variant.run(payments(EVENTS), run++);
      log(
        `${variant.bus}, ${variant.name}: run ${i}: produce ${Math.round(measured.produce.rate)}/s, ` +
          `consume ${Math.round(measured.consume.rate)}/s`,
      );
      runs.push(measured);
    }
    results.set(variant, {
      produce: medianPhase(runs.map((r) => r.produce)),
      consume: medianPhase(runs.map((r) => r.consume)),
    });
  }
  return results;
}

// ---- Kafka -------------------------------------------------------------------------------------------------

interface Broker {
  readonly brokers: readonly string[];
  readonly admin: Admin;
  close(): Promise<void>;
}

/** The broker the options or KAFKA_BROKERS name, else one of our own; undefined (having said why) when none. */
async function kafkaBroker(): Promise<Broker | undefined> {
  let started: KafkaBroker | undefined;
  let brokers = (args.brokers ?? process.env["KAFKA_BROKERS"] ?? "").split(",").filter((b) => b !== "");
  if (brokers.length === 0) {
    log("Kafka: starting a broker with scripts/kafka.sh up…");
    try {
      started = await startBroker();
      brokers = [started.bootstrap];
    } catch (error) {
      log(`Kafka half skipped: no broker could be started: ${(error as Error).message.split("\n").slice(0, 3).join(" ")}`);
      return undefined;
    }
  }
  const admin = new Kafka({ brokers, clientId: "evtc-bench-admin", logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    const topics = [billingPaymentReceivedTopic.name, "bench.plain.payments", "bench.transport.payments"];
    await admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: 1 })),
    });
    // A new topic answers "not the leader" for a moment, until its partitions have a leader.
    for (const topic of topics) await retrying(() => admin.fetchTopicOffsets(topic));
  } catch (error) {
    log(`Kafka half skipped: the broker at ${brokers.join(",")} does not answer: ${(error as Error).message}`);
    await admin.disconnect().catch(() => undefined);
    await started?.destroy();
    return undefined;
  }
  return {
    brokers,
    admin,
    async close() {
      await admin.disconnect();
      await started?.destroy();
    },
  };
}

async function retrying<T>(work: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

// ---- Report ------------------------------------------------------------------------------------------------

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const fixed = (n: number): string => (n >= 100 ? integer.format(n) : n.toFixed(1));

function table(results: ReadonlyMap<Variant, Measured>): string {
  const lines = [
    "| bus | producer / consumer | produce events/s | produce µs/event | consume events/s | consume µs/event | first after |",
    "|---|---|--:|--:|--:|--:|--:|",
  ];
  for (const [variant, { produce, consume }] of results) {
    lines.push(
      `| ${variant.bus} | ${variant.name} | ${integer.format(produce.rate)} | ${fixed(produce.cpuUs)} | ` +
        `${integer.format(consume.rate)} | ${fixed(consume.cpuUs)} | ${consume.firstMs !== undefined ? `${integer.format(consume.firstMs)} ms` : "–"} |`,
    );
  }
  return lines.join("\n");
}

/** The generated code's CPU per event on top of a base variant of the same bus. */
function overhead(results: ReadonlyMap<Variant, Measured>, bus: Variant["bus"], base: string): string | undefined {
  const of = (name: string) => [...results].find(([v]) => v.bus === bus && v.name === name)?.[1];
  const generated = [...results].find(([v]) => v.bus === bus && v.name.startsWith("generated"))?.[1];
  const reference = of(base);
  if (!generated || !reference) return undefined;
  const diff = (a: number, b: number): string => `${a - b >= 0 ? "+" : "−"}${fixed(Math.abs(a - b))} µs`;
  return (
    `- ${bus}: the generated code over ${base}: ${diff(generated.produce.cpuUs, reference.produce.cpuUs)} per event ` +
    `published, ${diff(generated.consume.cpuUs, reference.consume.cpuUs)} per event consumed`
  );
}

const started = Date.now();
log(`bench/runtime: ${integer.format(EVENTS)} events × ${RUNS} runs, window ${WINDOW}, node ${process.version}`);
const results = await bench(embedded, 1);
let kafkaNote = "";
if (args["no-kafka"]) {
  kafkaNote = "Kafka half skipped (--no-kafka).";
} else {
  const broker = await kafkaBroker();
  if (broker === undefined) kafkaNote = "Kafka half skipped: no broker could be started (see above).";
  else {
    // Ctrl-C: the broker we started goes too.
    const interrupted = (): void => void broker.close().finally(() => process.exit(130));
    process.once("SIGINT", interrupted);
    try {
      for (const [variant, measured] of await bench(kafkaVariants(broker.brokers, broker.admin), 1)) results.set(variant, measured);
    } catch (error) {
      kafkaNote = `Kafka half failed: ${(error as Error).stack ?? String(error)}`;
    } finally {
      process.off("SIGINT", interrupted);
      await broker.close();
    }
  }
}
const notes = [
  overhead(results, "embedded", "transport alone"),
  overhead(results, "Kafka", "transport alone"),
  overhead(results, "Kafka", "plain kafkajs"),
  overhead(results, "Kafka", "plain kafkajs, with the CloudEvents headers"),
].filter((n) => n !== undefined);
process.stdout.write(
  `${table(results)}\n\n${notes.join("\n")}\n${kafkaNote ? `\n${kafkaNote}\n` : ""}` +
    `\n${integer.format(EVENTS)} events per run, median of ${RUNS} runs, ${WINDOW} publishes in flight; ` +
    `${Math.round((Date.now() - started) / 1000)} s in all.\n`,
);
