/**
 * The demo's engine: the example's generated pipeline on the embedded bus, fed with synthetic events at the
 * declared rates, with stub handlers and back-ends that take the declared latencies and capacities; a snapshot
 * of what flows every second, and a final one once the readers have caught up.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Counter } from "prom-client";
import type { BusModel, Consumer, Enricher } from "evtc";
import {
  createEmbeddedTransport,
  createRuntime,
  type EventHandler,
  type EvtcRuntime,
  type RuntimeLogger,
} from "evtc/runtime";
import { wiring } from "../../generated/telco/index.js";
import { LookupCache } from "../../src/runtime/cache.js";
import { StubBackend } from "./backends.js";
import { producersOf, TelcoWorld, type Producer } from "./events.js";
import { enricherLookups } from "./lookups.js";
import { seeded, uuid, type Random } from "./random.js";

export interface DemoOptions {
  /** How long events are published. */
  readonly seconds: number;
  /** Publish at the topics' declared peak rates instead of their averages. */
  readonly peak: boolean;
  /** Every rate multiplied by this (after `peak`). */
  readonly scale: number;
  /** Every producer topic at least this many events per second (0: the declared rates as they are). */
  readonly minRate: number;
  /** Publish only these topics (names, or domains such as `billing`); every producer topic when empty. */
  readonly only: readonly string[];
  readonly seed: number;
  /** The probability that a consumer's handler fails an attempt (0: never), to see retries and dead letters. */
  readonly faults: number;
  /** Subscribers in the synthetic population. */
  readonly population: number;
  /** How long the readers get to catch up once publishing stops, before the runtime closes. */
  readonly drainSeconds: number;
  /** Told every second while the demo runs. */
  readonly onSnapshot?: (snapshot: Snapshot) => void;
  /** Stops publishing early (Ctrl-C); the demo still drains and summarises. */
  readonly signal?: AbortSignal;
}

export interface TopicRow {
  readonly topic: string;
  /** `producer`: the demo publishes it; `enricher`: an enricher does. */
  readonly publisher: "producer" | "enricher";
  /** Events per second the demo aims at (producer topics). */
  readonly target?: number;
  /** Events per second: over the last second in a live snapshot, over the run in the final one. */
  readonly rate: number;
  readonly total: number;
  /** Events the runtime refused to publish (invalid, oversized): a bug in the demo's generators. */
  readonly rejected: number;
}

export interface ReaderRow {
  readonly name: string;
  readonly kind: "consumer" | "enricher";
  readonly topic: string;
  readonly ordering: string;
  readonly delivery: string;
  readonly latencyMs?: number;
  readonly deadlineMs?: number;
  /** Events processed per second (as for topics). */
  readonly rate: number;
  readonly processed: number;
  readonly lag: number;
  readonly retries: number;
  readonly failures: number;
  readonly deadLettered: number;
  readonly invalid: number;
  readonly deadlineMisses: number;
}

export interface BackendRow {
  readonly name: string;
  readonly capacity?: number;
  readonly latencyMs?: number;
  /** Calls per second (as for topics); `peakRate` is the busiest second of the run. */
  readonly rate: number;
  readonly peakRate: number;
  readonly calls: number;
  readonly refused: number;
  readonly maxWaitMs: number;
}

/** A look-up behind a cache: an enricher's (counted by the runtime) or a consumer's (counted by its stub handler). */
export interface CacheRow {
  readonly reader: string;
  readonly kind: "consumer" | "enricher";
  readonly backend: string;
  readonly ttlMs?: number;
  /** Look-ups asked of the cache: one per event that got this far. */
  readonly lookups: number;
  /** Calls the cache let through to the back-end. */
  readonly calls: number;
  /** For an enricher: the readers of its enriched topic, each of which would look up for itself without it. */
  readonly readersServed?: number;
}

export interface Snapshot {
  readonly elapsedSeconds: number;
  readonly seconds: number;
  readonly mode: string;
  readonly seed: number;
  readonly topics: readonly TopicRow[];
  readonly readers: readonly ReaderRow[];
  readonly backends: readonly BackendRow[];
  readonly caches: readonly CacheRow[];
  /** Events published so far, and events due by now that could not be sent yet (the producer is behind). */
  readonly published: number;
  readonly behind: number;
  /** The process's resident memory in MB: now in a live snapshot, the most seen in the final one. */
  readonly rssMb: number;
  readonly warnings: number;
  readonly lastWarning?: string;
  /** Batches a transport redelivered because a handler failed them. */
  readonly handlerErrors: number;
}

export interface Summary extends Snapshot {
  /** Whether every reader caught up (no lag) before the runtime closed. */
  readonly drained: boolean;
  /** Seconds from the end of publishing until the readers caught up (or gave up waiting). */
  readonly drainSeconds: number;
}

interface Flow {
  readonly topic: string;
  readonly rate: number;
  readonly produce: Producer;
  sent: number;
  rejected: number;
}

/** At most this many publishes wait for the bus at once; beyond it the producers fall behind schedule. */
const MAX_IN_FLIGHT = 20_000;
const TICK_MS = 20;

/** A mistake in the options (or an example the demo does not know): said in one line, no stack. */
export class DemoError extends Error {
  override readonly name = "DemoError";
}

export async function runDemo(model: BusModel, options: DemoOptions): Promise<Summary> {
  const random = seeded(options.seed);
  const world = new TelcoWorld(random, options.population);
  const faults = seeded(options.seed ^ 0x5eed);

  const backends = new Map([...model.backends.values()].map((b) => [b.name, new StubBackend(b)]));
  const backend = (name: string): StubBackend => {
    const found = backends.get(name);
    if (!found) throw new DemoError(`the example declares no back-end \`${name}\``);
    return found;
  };
  const consumerCaches: ConsumerCache[] = [];
  const handlers: Record<string, EventHandler<unknown>> = {};
  for (const consumer of model.consumers.values()) {
    if (!(consumer.name in wiring.consumers)) throw new DemoError(`consumer \`${consumer.name}\` is not in the generated wiring`);
    handlers[consumer.name] = stubHandler(consumer, backend, consumerCaches, faults, options.faults);
  }
  const lookups = enricherLookups(world, backend);
  for (const enricher of model.enrichers.values()) {
    if (!(enricher.name in lookups)) throw new DemoError(`the demo has no look-up stubs for enricher \`${enricher.name}\``);
  }
  const flows = flowsOf(model, producersOf(world), options);

  const warnings = { count: 0, last: undefined as string | undefined, handlerErrors: 0 };
  const logger: RuntimeLogger = {
    warn: (message, fields) => void ((warnings.count += 1), (warnings.last = describe(message, fields))),
    error: (message, fields) => void ((warnings.count += 1), (warnings.last = describe(message, fields))),
  };
  const bus = createEmbeddedTransport({ onHandlerError: () => void (warnings.handlerErrors += 1) });
  const runtime = createRuntime({ transport: bus, source: "evtc-demo", logger, random: seeded(options.seed ^ 0xbac0ff) });
  try {
    // Readers first, so that the best-effort ones (which start at the end of the log) see the first events.
    await runtime.start(wiring, { handlers, lookups });
    const sampler = new Sampler(runtime, bus, model, flows, backends, consumerCaches, options, warnings);
    return await publishAndDrain(runtime, flows, sampler, random, options);
  } finally {
    await runtime.close();
  }
}

/** The producer topics the demo publishes, at the rates the options make of the declared ones. */
function flowsOf(model: BusModel, producers: Readonly<Record<string, Producer>>, options: DemoOptions): Flow[] {
  const producerTopics = [...model.topics.values()].filter((topic) => topic.publisher.kind === "producer");
  const matches = (topic: string, only: string): boolean => topic === only || topic.startsWith(`${only}.`);
  for (const only of options.only) {
    if (!producerTopics.some((topic) => matches(topic.name, only))) {
      throw new DemoError(`--only \`${only}\` is no producer topic or domain: ${producerTopics.map((t) => t.name).join(", ")}`);
    }
  }
  const flows: Flow[] = [];
  for (const topic of producerTopics) {
    if (options.only.length > 0 && !options.only.some((only) => matches(topic.name, only))) continue;
    const produce = producers[topic.name];
    if (!produce) throw new DemoError(`the demo has no generator for topic \`${topic.name}\``);
    const declared = topic.rate ? (options.peak ? topic.rate.peak : topic.rate.average) : 0;
    flows.push({ topic: topic.name, rate: Math.max(declared * options.scale, options.minRate), produce, sent: 0, rejected: 0 });
  }
  return flows;
}

/**
 * Publishes each flow on schedule — its first event at once, then one every 1/rate seconds — sampling every
 * second; then waits for the readers to catch up and takes the final snapshot.
 */
async function publishAndDrain(
  runtime: EvtcRuntime,
  flows: Flow[],
  sampler: Sampler,
  random: Random,
  options: DemoOptions,
): Promise<Summary> {
  const inFlight = new Set<Promise<unknown>>();
  const started = performance.now();
  const elapsed = (): number => (performance.now() - started) / 1000;
  const due = (flow: Flow, at: number): number => Math.floor(1 + flow.rate * at);
  /** Events due that could not be sent at the last tick: the bus holds too many publishes already. */
  let behind = 0;
  const publishDue = (): void => {
    const at = Math.min(elapsed(), options.seconds);
    behind = 0;
    for (const flow of flows) {
      const target = due(flow, at);
      while (flow.sent < target && inFlight.size < MAX_IN_FLIGHT) {
        flow.sent++;
        const sending = flow.produce(runtime, { id: uuid(random) }).catch(() => void (flow.rejected += 1));
        inFlight.add(sending);
        void sending.finally(() => inFlight.delete(sending));
      }
      behind += target - flow.sent;
    }
  };

  const ticker = setInterval(publishDue, TICK_MS);
  publishDue();
  let nextSample = 1;
  try {
    while (elapsed() < options.seconds && !options.signal?.aborted) {
      await sleep(Math.max(0, Math.min(nextSample, options.seconds) - elapsed()) * 1000, undefined, abortable(options.signal)).catch(
        () => undefined, // aborted: Ctrl-C
      );
      if (elapsed() >= nextSample) {
        nextSample = Math.floor(elapsed()) + 1;
        const snapshot = await sampler.sample(elapsed(), behind); // sampled in any case: the summary's peaks
        options.onSnapshot?.(snapshot);
      }
    }
  } finally {
    clearInterval(ticker);
  }
  if (!options.signal?.aborted) publishDue(); // the events due by the last instant
  const publishedFor = Math.min(elapsed(), options.seconds);
  const behindAtEnd = behind;
  await Promise.allSettled([...inFlight]);

  // Let the readers catch up: every reader's lag at zero, the enriched topics' readers included.
  const drainStarted = performance.now();
  let drained = false;
  while ((performance.now() - drainStarted) / 1000 < options.drainSeconds) {
    if ((await sampler.totalLag()) === 0) {
      drained = true;
      break;
    }
    await sleep(100);
  }
  const drainSeconds = (performance.now() - drainStarted) / 1000;
  const final = await sampler.final(publishedFor, publishedFor + drainSeconds, behindAtEnd);
  return { ...final, drained, drainSeconds };
}

function abortable(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}

function describe(message: string, fields: Readonly<Record<string, unknown>>): string {
  const where = [fields["consumer"], fields["error"] ?? fields["sendError"]].filter((v) => v !== undefined).join(": ");
  return where === "" ? message : `${message} (${where})`;
}

// ---- Stub handlers ------------------------------------------------------------------------------------

/** A consumer's own look-ups, behind the cache its declaration asks for. */
interface ConsumerCache {
  readonly consumer: string;
  readonly backend: string;
  readonly ttlMs?: number;
  lookups: number;
  calls: number;
}

/** Does what the consumer declares: its look-ups through their caches, then its latency; fails at random if asked. */
function stubHandler(
  consumer: Consumer,
  backend: (name: string) => StubBackend,
  caches: ConsumerCache[],
  faults: Random,
  faultRate: number,
): EventHandler<unknown> {
  const lookups = consumer.lookups.map((lookup) => {
    const stats: ConsumerCache = {
      consumer: consumer.name,
      backend: lookup.backend.name,
      ...(lookup.cacheTtlMs !== undefined ? { ttlMs: lookup.cacheTtlMs } : {}),
      lookups: 0,
      calls: 0,
    };
    caches.push(stats);
    return {
      by: lookup.by,
      stats,
      stub: backend(lookup.backend.name),
      cache: new LookupCache<unknown>({ ttlMs: lookup.cacheTtlMs }),
    };
  });
  const latencyMs = consumer.latencyMs ?? 0;
  return async (event) => {
    for (const { by, stats, stub, cache } of lookups) {
      stats.lookups++;
      const found = cache.get(String(valueAt(event, by)), () => {
        stats.calls++;
        return stub.call(() => ({}));
      });
      await found.value;
    }
    if (faultRate > 0 && faults() < faultRate) throw new Error("injected fault (--faults)");
    if (latencyMs > 0) await sleep(latencyMs);
  };
}

function valueAt(event: unknown, path: readonly string[]): unknown {
  let value = event;
  for (const step of path) value = (value as Record<string, unknown> | undefined)?.[step];
  return value;
}

// ---- Sampling -----------------------------------------------------------------------------------------

type Labelled = Map<string, number>;

/** A counter's values summed by the given labels (joined by a space when there are several). */
async function counterValues(runtime: EvtcRuntime, name: string, ...by: string[]): Promise<Labelled> {
  const metric = runtime.metrics.getSingleMetric(name) as Counter | undefined;
  const values: Labelled = new Map();
  if (!metric) return values;
  for (const { labels, value } of (await metric.get()).values) {
    const key = by.map((label) => String(labels[label])).join(" ");
    values.set(key, (values.get(key) ?? 0) + value);
  }
  return values;
}

interface Totals {
  readonly at: number;
  readonly produced: Labelled;
  readonly consumed: Labelled;
  readonly backendCalls: ReadonlyMap<string, number>;
}

class Sampler {
  private previous: Totals = { at: 0, produced: new Map(), consumed: new Map(), backendCalls: new Map() };
  private readonly peakCalls = new Map<string, number>();
  private maxRssMb = 0;
  private readonly readers: readonly (Consumer | Enricher)[];
  private readonly groups: readonly string[];

  constructor(
    private readonly runtime: EvtcRuntime,
    private readonly bus: ReturnType<typeof createEmbeddedTransport>,
    private readonly model: BusModel,
    private readonly flows: readonly Flow[],
    private readonly backends: ReadonlyMap<string, StubBackend>,
    private readonly consumerCaches: readonly ConsumerCache[],
    private readonly options: DemoOptions,
    private readonly warnings: { count: number; last: string | undefined; handlerErrors: number },
  ) {
    this.readers = [...model.enrichers.values(), ...model.consumers.values()];
    this.groups = this.readers.map((r) => (wiring.consumers[r.name] ?? wiring.enrichers[r.name])!.groupId);
  }

  private lags(): Promise<number[]> {
    return Promise.all(this.readers.map((r, i) => this.bus.lag(this.groups[i]!, r.from.name)));
  }

  async totalLag(): Promise<number> {
    const lags = await this.lags();
    return lags.reduce((sum, lag) => sum + lag, 0);
  }

  /** What flowed in the last second. */
  async sample(at: number, behind: number): Promise<Snapshot> {
    const totals = await this.totals(at);
    const rssMb = this.rss();
    const span = Math.max(1e-3, at - this.previous.at);
    const rate = (now: ReadonlyMap<string, number>, before: ReadonlyMap<string, number>, key: string): number =>
      ((now.get(key) ?? 0) - (before.get(key) ?? 0)) / span;
    const snapshot = await this.snapshot(at, behind, rssMb, totals, {
      topic: (name) => rate(totals.produced, this.previous.produced, name),
      reader: (name) => rate(totals.consumed, this.previous.consumed, name),
      backend: (name) => rate(totals.backendCalls, this.previous.backendCalls, name),
    });
    for (const row of snapshot.backends) this.peakCalls.set(row.name, Math.max(this.peakCalls.get(row.name) ?? 0, row.rate));
    this.previous = totals;
    return snapshot;
  }

  /**
   * The whole run: totals, and rates averaged over the time events were published (topics), or over that time
   * and the time the readers took to catch up (readers and back-ends).
   */
  async final(publishedFor: number, ranFor: number, behind: number): Promise<Snapshot> {
    const totals = await this.totals(publishedFor);
    this.rss();
    return this.snapshot(publishedFor, behind, this.maxRssMb, totals, {
      topic: (name) => (totals.produced.get(name) ?? 0) / Math.max(1e-3, publishedFor),
      reader: (name) => (totals.consumed.get(name) ?? 0) / Math.max(1e-3, ranFor),
      backend: (name) => (totals.backendCalls.get(name) ?? 0) / Math.max(1e-3, ranFor),
    });
  }

  private rss(): number {
    const rssMb = Math.round(process.memoryUsage.rss() / 1e6);
    this.maxRssMb = Math.max(this.maxRssMb, rssMb);
    return rssMb;
  }

  private async totals(at: number): Promise<Totals> {
    return {
      at,
      produced: await counterValues(this.runtime, "evtc_events_produced_total", "topic"),
      consumed: await counterValues(this.runtime, "evtc_events_consumed_total", "consumer"),
      backendCalls: new Map([...this.backends].map(([name, stub]) => [name, stub.calls])),
    };
  }

  private async snapshot(
    at: number,
    behind: number,
    rssMb: number,
    totals: Totals,
    rates: { topic(name: string): number; reader(name: string): number; backend(name: string): number },
  ): Promise<Snapshot> {
    const [retries, failures, deadLettered, invalid, misses, enricherLookups, enricherCalls] = await Promise.all([
      counterValues(this.runtime, "evtc_event_retries_total", "consumer"),
      counterValues(this.runtime, "evtc_event_failures_total", "consumer"),
      counterValues(this.runtime, "evtc_events_dead_lettered_total", "consumer"),
      counterValues(this.runtime, "evtc_events_invalid_total", "consumer"),
      counterValues(this.runtime, "evtc_deadline_misses_total", "consumer"),
      Promise.all([
        counterValues(this.runtime, "evtc_cache_hits_total", "enricher", "backend"),
        counterValues(this.runtime, "evtc_cache_misses_total", "enricher", "backend"),
      ]),
      counterValues(this.runtime, "evtc_backend_calls_total", "enricher", "backend"),
    ]);
    const lags = await this.lags();
    const flowOf = new Map(this.flows.map((flow) => [flow.topic, flow]));

    const topics: TopicRow[] = [...this.model.topics.values()].map((topic) => {
      const flow = flowOf.get(topic.name);
      return {
        topic: topic.name,
        publisher: topic.publisher.kind,
        ...(flow ? { target: flow.rate } : {}),
        rate: rates.topic(topic.name),
        total: totals.produced.get(topic.name) ?? 0,
        rejected: flow?.rejected ?? 0,
      };
    });
    const readers: ReaderRow[] = this.readers.map((reader, i) => {
      const isConsumer = "accepts" in reader;
      return {
        name: reader.name,
        kind: isConsumer ? "consumer" : "enricher",
        topic: reader.from.name,
        ordering: reader.ordering,
        delivery: reader.delivery,
        ...(reader.latencyMs !== undefined ? { latencyMs: reader.latencyMs } : {}),
        ...(isConsumer && reader.deadlineMs !== undefined ? { deadlineMs: reader.deadlineMs } : {}),
        rate: rates.reader(reader.name),
        processed: totals.consumed.get(reader.name) ?? 0,
        lag: lags[i]!,
        retries: retries.get(reader.name) ?? 0,
        failures: failures.get(reader.name) ?? 0,
        deadLettered: deadLettered.get(reader.name) ?? 0,
        invalid: invalid.get(reader.name) ?? 0,
        deadlineMisses: misses.get(reader.name) ?? 0,
      };
    });
    const backends: BackendRow[] = [...this.backends.values()].map((stub) => ({
      name: stub.name,
      ...(stub.declaration.capacity !== undefined ? { capacity: stub.declaration.capacity } : {}),
      ...(stub.declaration.latencyMs !== undefined ? { latencyMs: stub.declaration.latencyMs } : {}),
      rate: rates.backend(stub.name),
      peakRate: Math.max(this.peakCalls.get(stub.name) ?? 0, rates.backend(stub.name)),
      calls: stub.calls,
      refused: stub.refused,
      maxWaitMs: stub.maxWaitMs,
    }));
    const [hits, missed] = enricherLookups;
    const caches: CacheRow[] = [
      ...[...this.model.enrichers.values()].flatMap((enricher) =>
        enricher.lookups.map((lookup) => ({
          reader: enricher.name,
          kind: "enricher" as const,
          backend: lookup.backend.name,
          ...(lookup.cacheTtlMs !== undefined ? { ttlMs: lookup.cacheTtlMs } : {}),
          lookups: (hits.get(`${enricher.name} ${lookup.backend.name}`) ?? 0) + (missed.get(`${enricher.name} ${lookup.backend.name}`) ?? 0),
          calls: enricherCalls.get(`${enricher.name} ${lookup.backend.name}`) ?? 0,
          readersServed: [...this.model.consumers.values()].filter((c) => c.from.name === enricher.publishes.name).length,
        })),
      ),
      ...this.consumerCaches.map((cache) => ({
        reader: cache.consumer,
        kind: "consumer" as const,
        backend: cache.backend,
        ...(cache.ttlMs !== undefined ? { ttlMs: cache.ttlMs } : {}),
        lookups: cache.lookups,
        calls: cache.calls,
      })),
    ];
    return {
      elapsedSeconds: at,
      seconds: this.options.seconds,
      mode: modeOf(this.options),
      seed: this.options.seed,
      topics,
      readers,
      backends,
      caches,
      published: this.flows.reduce((sum, flow) => sum + flow.sent, 0),
      behind,
      rssMb,
      warnings: this.warnings.count,
      ...(this.warnings.last !== undefined ? { lastWarning: this.warnings.last } : {}),
      handlerErrors: this.warnings.handlerErrors,
    };
  }
}

function modeOf(options: DemoOptions): string {
  const parts = [options.peak ? "peak rates" : "average rates"];
  if (options.scale !== 1) parts.push(`×${options.scale}`);
  if (options.minRate > 0) parts.push(`at least ${options.minRate}/s per topic`);
  if (options.only.length > 0) parts.push(`only ${options.only.join(", ")}`);
  if (options.faults > 0) parts.push(`${options.faults * 100}% handler faults`);
  return parts.join(", ");
}
