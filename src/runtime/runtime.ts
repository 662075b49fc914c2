import { randomUUID } from "node:crypto";
import { type Context } from "@opentelemetry/api";
import { Registry } from "prom-client";
import type {
  EventHandler,
  PublishedEvent,
  PublishOptions,
  ReplayOptions,
  ReplayResult,
  RunningReader,
  Runtime,
  Services,
} from "./api.js";
import { DEFAULT_CACHE_MAX_ENTRIES, LookupCache } from "./cache.js";
import { deadLetterTopicSettings, replayDeadLetters } from "./dlq.js";
import { ENVELOPE_HEADERS } from "./envelope.js";
import { MemoryIdempotencyStore, type IdempotencyStore } from "./idempotency.js";
import { consoleLogger, type RuntimeLogger } from "./logger.js";
import { runtimeMetrics, type RuntimeMetrics } from "./metrics.js";
import { startReader, type DeadlineMiss, type ProcessEvent, type ReaderDeps } from "./reader.js";
import type { ConsumerSpec, EnricherSpec, LookupFunctions, ReaderSpec, TopicSpec, Wiring } from "./spec.js";
import { derivedEventId, InvalidEventError, sizeProblem, stampHeaders } from "./stamp.js";
import { contextFrom, inSpan, traceparentOf } from "./tracing.js";
import type { RecordPosition, TopicSettings, Transport } from "./transport.js";

export interface RuntimeOptions {
  readonly transport: Transport;
  /** The producing service, stamped as `ce_source` on everything it publishes (e.g. `billing-service`). */
  readonly source: string;
  /** Where the metrics are registered; a registry of its own when absent (expose it with `runtime.metrics`). */
  readonly metrics?: Registry;
  /** De-duplication by event id; an in-memory store (24 h, 100,000 ids) when absent. */
  readonly idempotency?: IdempotencyStore;
  /** How long an idempotency claim holds before another worker may take the event over (5 minutes). */
  readonly claimLeaseMs?: number;
  /** Milliseconds since the epoch, for `ce_time`, deadlines and cache TTLs; `Date.now` when absent. */
  readonly clock?: () => number;
  /** Uniform in [0, 1), for backoff jitter; `Math.random` when absent. */
  readonly random?: () => number;
  readonly logger?: RuntimeLogger;
  /** Called (besides `evtc_deadline_misses_total`) when a consumer finishes an event later than its deadline. */
  readonly onDeadlineMiss?: (miss: DeadlineMiss) => void;
  /**
   * Where a reader whose consumer group has no committed offset starts: by default guaranteed readers at the
   * oldest retained record, best-effort readers at the end of the log.
   */
  readonly fromBeginning?: boolean;
  /**
   * Values kept per look-up cache, for every look-up. When absent, each cache holds what its declaration implies
   * (`cacheEntries` in its spec: the keys that circulate within its TTL at the declared peak), at least 10,000. A
   * smaller cache evicts values before their TTL, and the back-end gets more calls than `evtc load` estimated.
   */
  readonly cacheMaxEntries?: number;
}

/** A runtime, with the registry its metrics are in. */
export interface EvtcRuntime extends Runtime {
  readonly metrics: Registry;
}

export const DEFAULT_CLAIM_LEASE_MS = 5 * 60 * 1000;

export function createRuntime(options: RuntimeOptions): EvtcRuntime {
  return new RuntimeImpl(options);
}

class RuntimeImpl implements EvtcRuntime {
  readonly metrics: Registry;
  private readonly transport: Transport;
  private readonly counters: RuntimeMetrics;
  private readonly deps: ReaderDeps;
  private readonly readers = new Set<RunningReader>();
  private readonly sends = new Set<Promise<unknown>>();
  private closing: Promise<void> | undefined;

  constructor(private readonly options: RuntimeOptions) {
    if (options.source === "") throw new Error("createRuntime needs a `source` (the service, stamped as `ce_source`)");
    this.transport = options.transport;
    this.metrics = options.metrics ?? new Registry();
    this.counters = runtimeMetrics(this.metrics);
    this.deps = {
      transport: this.transport,
      metrics: this.counters,
      registry: this.metrics,
      idempotency: options.idempotency ?? new MemoryIdempotencyStore({ now: options.clock ?? Date.now }),
      logger: options.logger ?? consoleLogger,
      now: options.clock ?? Date.now,
      random: options.random ?? Math.random,
      claimLeaseMs: options.claimLeaseMs ?? DEFAULT_CLAIM_LEASE_MS,
      onDeadlineMiss: options.onDeadlineMiss,
      fromBeginning: options.fromBeginning,
    };
  }

  publish<T>(topic: TopicSpec<T>, event: T, options: PublishOptions = {}): Promise<PublishedEvent> {
    return this.publishIn(topic, event, options, undefined);
  }

  /** Publishes in the trace of `parent` (an enricher's processing span), else of the options or active context. */
  private async publishIn<T>(
    topic: TopicSpec<T>,
    event: T,
    options: PublishOptions,
    parent: Context | undefined,
  ): Promise<PublishedEvent> {
    this.assertOpen();
    const sent = validated(topic, event);
    // The key too is read from what is sent, not from the caller's object.
    event = sent.event;
    const id = options.id ?? randomUUID();
    const time = options.time ?? new Date(this.deps.now());
    const key = topic.key ? topic.key(event) : null;
    const value = Buffer.from(sent.text, "utf8");
    // Defaults filled in may have made it larger.
    const oversize = sizeProblem(topic, value.length);
    if (oversize !== undefined) throw new InvalidEventError(topic.name, [oversize]);
    const attributes = {
      "messaging.system": "kafka",
      "messaging.operation.type": "send",
      "messaging.destination.name": topic.name,
      "messaging.message.id": id,
    };
    const position = await inSpan(
      `publish ${topic.name}`,
      "producer",
      parent ?? contextFrom(options.traceparent),
      attributes,
      async (ctx) => {
        const headers = stampHeaders({
          id,
          type: topic.name,
          source: this.options.source,
          time,
          dataschema: topic.event.dataschema,
          correlationId: options.correlationId,
          causationId: options.causationId,
          // The producer span's context where an SDK propagates one; otherwise the trace context handed in.
          traceparent: traceparentOf(ctx) ?? options.traceparent,
        });
        const limit = topic.config["max.message.bytes"];
        const record = {
          topic: topic.name,
          key,
          value,
          headers,
          ...optional("maxMessageBytes", limit === undefined ? undefined : Number(limit)),
        };
        const [landed] = await this.send(this.transport.send([record]));
        return landed as RecordPosition;
      },
    );
    this.counters.produced.inc({ topic: topic.name });
    return { ...position, id };
  }

  async consume<T>(consumer: ConsumerSpec<T>, handler: EventHandler<T>): Promise<RunningReader> {
    this.assertOpen();
    return this.track(await startReader(consumer, (event, context) => handler(event, context), this.deps));
  }

  async enrich<In, Out>(enricher: EnricherSpec<In, Out>, lookups: LookupFunctions<In, Out>): Promise<RunningReader> {
    this.assertOpen();
    const missing = enricher.lookups.filter((lookup) => typeof lookups[lookup.backend] !== "function");
    if (missing.length > 0) {
      throw new Error(
        `enricher \`${enricher.name}\` has no look-up function for ${missing.map((l) => `\`${l.backend}\``).join(", ")}`,
      );
    }
    return this.track(await startReader(enricher, this.enrichment(enricher, lookups), this.deps));
  }

  /**
   * What an enricher does with each event: every look-up through its cache, the parts merged onto the event,
   * and the enriched event published under an id derived from the source's, in the same correlation and trace.
   */
  private enrichment<In, Out>(enricher: EnricherSpec<In, Out>, lookups: LookupFunctions<In, Out>): ProcessEvent<In> {
    const labelled = enricher.lookups.map((lookup) => ({
      lookup,
      call: lookups[lookup.backend]!,
      labels: { enricher: enricher.name, backend: lookup.backend },
      cache: new LookupCache<Partial<unknown>>({
        ttlMs: lookup.cacheTtlMs,
        now: this.deps.now,
        // The runtime's option caps every cache; else each holds what its look-up's declaration implies.
        ...(this.options.cacheMaxEntries !== undefined
          ? { maxEntries: this.options.cacheMaxEntries }
          : lookup.cacheEntries !== undefined
            ? { maxEntries: Math.max(lookup.cacheEntries, DEFAULT_CACHE_MAX_ENTRIES) }
            : {}),
      }),
    }));
    return async (event, context, trace) => {
      const answers = await Promise.all(
        labelled.map(async ({ lookup, call, labels, cache }) => {
          const key = lookup.key(event);
          const found = cache.get(key, () => {
            this.counters.backendCalls.inc(labels);
            return call(key, event);
          });
          (found.source === "miss" ? this.counters.cacheMisses : this.counters.cacheHits).inc(labels);
          return { cache, key, value: await found.value };
        }),
      );
      const enriched = Object.assign({}, event, ...answers.map((answer) => answer.value)) as Out;
      try {
        await this.publishIn(
          enricher.publishes,
          enriched,
          {
            id: derivedEventId(enricher.name, context.id),
            time: context.time,
            causationId: context.id,
            correlationId: context.headers[ENVELOPE_HEADERS.correlationId] ?? context.id,
            ...optional("traceparent", context.headers[ENVELOPE_HEADERS.traceparent]),
          },
          trace,
        );
      } catch (error) {
        // An answer that made the enriched event invalid (a field missing, a wrong type) would otherwise be reused
        // for every event of its key until the TTL ends, each dead-lettered: the retry asks the back-end again.
        if (error instanceof InvalidEventError) for (const { cache, key, value } of answers) cache.forget(key, value);
        throw error;
      }
    };
  }

  async start(wiring: Wiring, services: Services): Promise<readonly RunningReader[]> {
    this.assertOpen();
    const { consumers, enrichers } = selectReaders(wiring, services);
    await this.transport.ensureTopics(topicsOf(wiring, services.team));
    const started: RunningReader[] = [];
    try {
      for (const consumer of consumers) started.push(await this.consume(consumer, services.handlers![consumer.name]!));
      for (const enricher of enrichers) started.push(await this.enrich(enricher, services.lookups![enricher.name]!));
    } catch (error) {
      await Promise.allSettled(started.map((reader) => reader.stop()));
      throw error;
    }
    return started;
  }

  replayDeadLetters<T>(reader: ReaderSpec<T>, options?: ReplayOptions): Promise<ReplayResult> {
    this.assertOpen();
    return replayDeadLetters(this.transport, this.counters, reader, options);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.readers].map((reader) => reader.stop()));
      await Promise.allSettled([...this.sends]);
      await this.transport.close();
    })();
    return this.closing;
  }

  private track(reader: RunningReader): RunningReader {
    this.readers.add(reader);
    return {
      name: reader.name,
      stop: async () => {
        await reader.stop();
        this.readers.delete(reader);
      },
    };
  }

  private send<R>(sending: Promise<R>): Promise<R> {
    this.sends.add(sending);
    const settle = (): void => void this.sends.delete(sending);
    sending.then(settle, settle);
    return sending;
  }

  private assertOpen(): void {
    if (this.closing) throw new Error("the evtc runtime is closed");
  }
}

/**
 * The event as it will be sent, valid for its topic, else an `InvalidEventError`, and its JSON. Its size is
 * checked first, so that no pattern of the validator runs on a value larger than the topic takes. What is
 * validated is the event read back from its JSON, never the caller's object: `JSON.stringify` writes what a
 * `toJSON` returns and leaves out properties that are not enumerable, while the validator reads the object's own
 * properties, so an object could pass and be sent invalid. The copy is also where the validator fills in the
 * defaults of the fields the event leaves out: the caller's event is never changed.
 */
function validated<T>(topic: TopicSpec<T>, event: T): { event: T; text: string } {
  let text: string | undefined;
  try {
    text = JSON.stringify(event);
  } catch (error) {
    const message = `cannot be written as JSON: ${(error as Error).message}`;
    throw new InvalidEventError(topic.name, [{ instancePath: "", message }]);
  }
  if (text === undefined) throw new InvalidEventError(topic.name, [{ instancePath: "", message: "must be object" }]);
  const oversize = sizeProblem(topic, Buffer.byteLength(text, "utf8"));
  if (oversize !== undefined) throw new InvalidEventError(topic.name, [oversize]);
  const sent: unknown = JSON.parse(text);
  if (!topic.event.validate(sent)) throw new InvalidEventError(topic.name, topic.event.validate.errors ?? []);
  // Only an event with defaults can have been changed by the validator; any other is sent as first written. A
  // changed copy holds JSON values alone, so its JSON too reads back as what was validated.
  return { event: sent, text: topic.event.defaults === false ? text : JSON.stringify(sent) };
}

/** Whether a topic or reader is the team's (every one when no team is given). */
function ownedBy(team: string | undefined): (owned: { readonly owner: string }) => boolean {
  return (owned) => team === undefined || owned.owner === team;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/**
 * The readers `start` runs: those of `services.team` (every reader when absent) that have a handler or look-ups.
 * A reader of the team without one, or a handler for no declared reader, is a mistake reported before anything
 * starts; handlers for readers of other teams are left alone.
 */
function selectReaders(
  wiring: Wiring,
  services: Services,
): {
  consumers: ConsumerSpec<unknown>[];
  enrichers: EnricherSpec<unknown, unknown>[];
} {
  const handlers = services.handlers ?? {};
  const lookups = services.lookups ?? {};
  const problems: string[] = [];
  const mine = ownedBy(services.team);
  const consumers = Object.values(wiring.consumers).filter((consumer) => {
    if (!mine(consumer)) return false;
    if (handlers[consumer.name]) return true;
    if (services.team !== undefined)
      problems.push(`consumer \`${consumer.name}\` of team \`${services.team}\` has no handler`);
    return false;
  });
  const enrichers = Object.values(wiring.enrichers).filter((enricher) => {
    if (!mine(enricher)) return false;
    if (lookups[enricher.name]) return true;
    if (services.team !== undefined) {
      problems.push(`enricher \`${enricher.name}\` of team \`${services.team}\` has no look-up functions`);
    }
    return false;
  });
  const consumerNames = new Set(Object.values(wiring.consumers).map((c) => c.name));
  const enricherNames = new Set(Object.values(wiring.enrichers).map((e) => e.name));
  for (const name of Object.keys(handlers)) {
    if (!consumerNames.has(name))
      problems.push(`handler \`${name}\` is for no consumer of project \`${wiring.project}\``);
  }
  for (const name of Object.keys(lookups)) {
    if (!enricherNames.has(name))
      problems.push(`look-ups \`${name}\` are for no enricher of project \`${wiring.project}\``);
  }
  if (problems.length > 0) throw new Error(`cannot start:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  return { consumers, enrichers };
}

/**
 * The topics `start` makes sure of: for a team, the topics it owns and those its readers read, write to and
 * dead-letter into, which the generated ACLs let its principal see; without a team, every topic of the wiring
 * with the dead-letter topics of its readers. A team's principal cannot see other teams' topics on a secured
 * cluster, where each would look missing and be created, which no team may do.
 */
function topicsOf(wiring: Wiring, team: string | undefined): TopicSettings[] {
  const settings = new Map<string, TopicSettings>();
  const add = (topic: TopicSpec<unknown>): void => {
    if (settings.has(topic.name)) return;
    settings.set(topic.name, {
      name: topic.name,
      partitions: topic.partitions,
      config: topic.config,
      ...optional("replicationFactor", topic.replicationFactor),
    });
  };
  const mine = ownedBy(team);
  for (const topic of Object.values(wiring.topics)) if (mine(topic)) add(topic);
  const enrichers = Object.values(wiring.enrichers).filter(mine);
  const readers: ReaderSpec<unknown>[] = [...Object.values(wiring.consumers).filter(mine), ...enrichers];
  for (const enricher of enrichers) add(enricher.publishes);
  for (const reader of readers) {
    add(reader.topic);
    const deadLetters = deadLetterTopicSettings(reader);
    if (deadLetters !== undefined && !settings.has(deadLetters.name)) settings.set(deadLetters.name, deadLetters);
  }
  return [...settings.values()];
}
