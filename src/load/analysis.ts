import type { Backend, BusModel, Consumer, Enricher, Lookup, Topic } from "../model/bus.js";
import { readersByTopic, type TopicReader } from "../model/queries.js";
import { formatNumber } from "./numbers.js";

/**
 * The fan-out load model: what the declared rates, look-ups, caches, partitions and latencies imply for every
 * back-end, topic and consumer. Everything is computed from the `.evt` declarations; nothing is measured.
 */
export interface LoadSettings {
  /** Warn when less than this share of a capacity is left at peak (0.3 = 30%). */
  readonly headroom: number;
  /** Events per second one partition carries (producer and broker side). */
  readonly partitionThroughput: number;
  /** One hop through the broker: produce, replicate, fetch. */
  readonly transportLatencyMs: number;
  /**
   * Partitions one running reader handles at once when it is unordered: the Kafka transport's
   * `partitionsConsumedConcurrently`, 4 unless a service sets it otherwise.
   */
  readonly partitionsAtOnce: number;
}

export const defaultLoadSettings: LoadSettings = {
  headroom: 0.3,
  partitionThroughput: 1000,
  transportLatencyMs: 10,
  partitionsAtOnce: 4,
};

export interface Rates {
  readonly average: number;
  readonly peak: number;
}

/** How a look-up's cache hit ratio is estimated, so the report can show the assumption. */
export interface CacheEstimate {
  readonly ttlMs: number;
  /** Distinct keys in circulation (the topic's `key … cardinality`), when known. */
  readonly cardinality?: number;
  readonly hitAverage: number;
  readonly hitPeak: number;
  /** How many values the cache holds at peak (each key cached a fraction `hitPeak` of the time), when known. */
  readonly entriesAtPeak?: number;
  /** Why the estimate is what it is, in words. */
  readonly assumption: string;
}

export interface LookupLoad {
  readonly reader: TopicReader;
  readonly lookup: Lookup;
  readonly topic: Topic;
  readonly rates: Rates;
  readonly cache?: CacheEstimate;
  /** Requests per second reaching the back-end through this look-up, after the cache. */
  readonly load: Rates;
}

export interface BackendLoad {
  readonly backend: Backend;
  readonly lookups: readonly LookupLoad[];
  /** Every consumer doing every look-up of its chain itself, without caches (the avalanche). */
  readonly naive: Rates;
  /** As declared: look-ups done once by enrichers, caches applied. */
  readonly load: Rates;
  readonly capacity?: number;
  /** 1 − peak load / capacity. */
  readonly headroom?: number;
  /** The factor by which all rates may grow before the peak load exceeds capacity (Infinity: never). */
  readonly growthFactor?: number;
}

export interface TopicLoad {
  readonly topic: Topic;
  readonly rates?: Rates;
  readonly partitions: number;
  readonly neededForThroughput: number;
  /** Partitions the slowest ordered reader needs to keep up at peak (each partition is processed in sequence). */
  readonly neededForOrdering: number;
  readonly orderedBottleneck?: { readonly reader: TopicReader; readonly serviceMs: number };
  /** The partitions' worth of work the slowest ordered reader has at peak, before rounding up (0: none). */
  readonly orderingDemand: number;
  /**
   * Each ordered reader's work at peak: the events it has in processing at once on average (Little's law: rate ×
   * time per event), each partition's one at a time.
   */
  readonly orderedWork: readonly ReaderWork[];
  /** The same for each unordered reader, which has many events of a partition in processing at once. */
  readonly unorderedWork: readonly ReaderWork[];
  readonly needed: number;
  /** 1 − the partitions' worth of work at peak (throughput or ordered processing, the larger) / partitions. */
  readonly headroom?: number;
  readonly growthFactor?: number;
}

/** A reader's work at peak: the events it has in processing at once on average (rate × time per event). */
export interface ReaderWork {
  readonly reader: TopicReader;
  readonly serviceMs: number;
  readonly demand: number;
  /**
   * The events it can have in processing at once: an ordered reader one per partition, on at most `concurrency`
   * partitions, and one per key (EVT0707); an unordered one `concurrency` per partition, on the partitions its
   * transport hands it at once (`partitionsAtOnce`, EVT0708). It keeps up while `demand` is no more.
   */
  readonly atOnce: number;
}

export interface LatencyStep {
  readonly label: string;
  readonly ms: number;
}

export interface ConsumerLatency {
  readonly consumer: Consumer;
  /** Hop by hop, worst case (every cache missing), from the producer to the consumer's handler. */
  readonly steps: readonly LatencyStep[];
  readonly totalMs: number;
  readonly deadlineMs?: number;
}

export interface LoadReport {
  readonly scale: number;
  readonly settings: LoadSettings;
  readonly backends: readonly BackendLoad[];
  readonly topics: readonly TopicLoad[];
  readonly consumers: readonly ConsumerLatency[];
}

export function topicRates(topic: Topic, scale: number): Rates | undefined {
  return topic.rate ? { average: topic.rate.average * scale, peak: topic.rate.peak * scale } : undefined;
}

/**
 * A TTL cache in front of a back-end, with requests for each of K keys arriving at random (Poisson) at rate
 * λ/K: after a miss the entry lives T, during which λT/K further requests hit, then the next one misses again.
 * Hit ratio = x / (1 + x) with x = λT/K.
 */
export function ttlHitRatio(rate: number, ttlMs: number, cardinality: number): number {
  const x = (rate * (ttlMs / 1000)) / cardinality;
  return x / (1 + x);
}

/**
 * How many values a look-up's cache holds at the declared peak rate, so that it keeps each for its whole TTL:
 * with the hit ratio's model, each of K keys is cached a fraction x/(1+x) of the time. Undefined without a TTL,
 * a rate or a cardinality (no hits are assumed then). The runtime sizes the cache from it (`cacheEntries` in the
 * generated spec); a smaller cache evicts values before their TTL and hits far less than estimated here.
 */
export function cacheWorkingSet(lookup: Lookup, topic: Topic): number | undefined {
  if (lookup.cacheTtlMs === undefined || topic.rate === undefined) return undefined;
  const cardinality = lookupCardinality(lookup, topic);
  if (cardinality === undefined) return undefined;
  return Math.ceil(cardinality * ttlHitRatio(topic.rate.peak, lookup.cacheTtlMs, cardinality));
}

/** Whether a look-up by the field at `by` is by the topic's key, whose cardinality then applies to it. */
export function isByKey(topic: Topic, by: readonly string[]): boolean {
  return topic.key !== undefined && topic.key.path.join(".") === by.join(".");
}

/** The look-up's own cardinality first; else the topic's key cardinality, when the look-up is by the key. */
export function lookupCardinality(lookup: Lookup, topic: Topic): number | undefined {
  return lookup.cardinality ?? (isByKey(topic, lookup.by) ? topic.key!.cardinality : undefined);
}

function cacheEstimate(lookup: Lookup, topic: Topic, rates: Rates): CacheEstimate | undefined {
  if (lookup.cacheTtlMs === undefined) return undefined;
  const byKey = isByKey(topic, lookup.by);
  const cardinality = lookupCardinality(lookup, topic);
  if (cardinality === undefined) {
    const by = lookup.by.join(".");
    return {
      ttlMs: lookup.cacheTtlMs,
      hitAverage: 0,
      hitPeak: 0,
      assumption: byKey
        ? `no hits assumed: declare \`key ${by} cardinality N\` on \`${topic.name}\` to estimate them`
        : `no hits assumed: declare how many distinct \`${by}\` values circulate (\`cache … cardinality N\` on the look-up)`,
    };
  }
  const hitAverage = ttlHitRatio(rates.average, lookup.cacheTtlMs, cardinality);
  const hitPeak = ttlHitRatio(rates.peak, lookup.cacheTtlMs, cardinality);
  return {
    ttlMs: lookup.cacheTtlMs,
    cardinality,
    hitAverage,
    hitPeak,
    entriesAtPeak: Math.ceil(cardinality * hitPeak),
    assumption: `hit ratio x/(1+x), x = rate × TTL / ${formatNumber(cardinality)} keys (random arrivals per key)`,
  };
}

function lookupLoad(reader: TopicReader, lookup: Lookup, scale: number): LookupLoad | undefined {
  const rates = topicRates(reader.from, scale);
  if (!rates) return undefined;
  const cache = cacheEstimate(lookup, reader.from, rates);
  return {
    reader,
    lookup,
    topic: reader.from,
    rates,
    ...(cache ? { cache } : {}),
    load: { average: rates.average * (1 - (cache?.hitAverage ?? 0)), peak: rates.peak * (1 - (cache?.hitPeak ?? 0)) },
  };
}

/** The enrichers a topic passes through on its way from its producer, nearest first. */
export function enrichersUpstream(topic: Topic): Enricher[] {
  const chain: Enricher[] = [];
  for (let t: Topic = topic; t.publisher.kind === "enricher"; t = t.publisher.enricher.from) {
    if (chain.includes(t.publisher.enricher)) break;
    chain.push(t.publisher.enricher);
  }
  return chain;
}

function sum(values: Iterable<Rates>): Rates {
  let average = 0;
  let peak = 0;
  for (const v of values) {
    average += v.average;
    peak += v.peak;
  }
  return { average, peak };
}

type ReaderLookup = { readonly reader: TopicReader; readonly lookup: Lookup };

/** Every look-up of every consumer and enricher, grouped by back-end once (not searched for per back-end). */
function lookupsByBackend(model: BusModel): Map<Backend, ReaderLookup[]> {
  const byBackend = new Map<Backend, ReaderLookup[]>();
  for (const reader of [...model.consumers.values(), ...model.enrichers.values()]) {
    for (const lookup of reader.lookups) {
      const list = byBackend.get(lookup.backend) ?? [];
      list.push({ reader, lookup });
      byBackend.set(lookup.backend, list);
    }
  }
  return byBackend;
}

/**
 * Naive, per back-end: every consumer does every look-up of its chain (its own and its enrichers') itself,
 * uncached. One pass over the readers at the end of a chain, adding to each back-end they would call.
 */
function naiveLoads(
  model: BusModel,
  readers: ReadonlyMap<string, readonly TopicReader[]>,
  scale: number,
): Map<Backend, Rates> {
  const totals = new Map<Backend, Rates>();
  const ends: TopicReader[] = [
    ...model.consumers.values(),
    ...[...model.enrichers.values()].filter((e) => (readers.get(e.publishes.name) ?? []).length === 0),
  ];
  for (const reader of ends) {
    const rates = topicRates(reader.from, scale);
    if (!rates) continue;
    const calls = new Map<Backend, number>();
    for (const lookup of [reader, ...enrichersUpstream(reader.from)].flatMap((r) => r.lookups)) {
      calls.set(lookup.backend, (calls.get(lookup.backend) ?? 0) + 1);
    }
    for (const [backend, count] of calls) {
      const total = totals.get(backend) ?? { average: 0, peak: 0 };
      totals.set(backend, { average: total.average + rates.average * count, peak: total.peak + rates.peak * count });
    }
  }
  return totals;
}

function backendPeak(lookups: readonly ReaderLookup[], scale: number): number {
  let peak = 0;
  for (const { reader, lookup } of lookups) peak += lookupLoad(reader, lookup, scale)?.load.peak ?? 0;
  return peak;
}

/** The smallest factor on all rates at which `exceeds(factor)` becomes true (Infinity when it never does). */
export function breakingFactor(exceeds: (factor: number) => boolean): number {
  const limit = 1e9;
  if (!exceeds(limit)) return Infinity;
  let low = 0;
  let high = limit;
  for (let i = 0; i < 200 && high - low > 1e-6 * Math.max(1, low); i++) {
    const mid = (low + high) / 2;
    if (exceeds(mid)) high = mid;
    else low = mid;
  }
  return high;
}

function serviceMs(reader: TopicReader, rates: Rates | undefined, scale: number): number {
  const lookups = reader.lookups.map((lookup) => {
    const hit = rates ? (lookupLoad(reader, lookup, scale)?.cache?.hitPeak ?? 0) : 0;
    return (lookup.backend.latencyMs ?? 0) * (1 - hit);
  });
  // An enricher's look-ups are made at the same time (the chain latency takes the slowest too); a consumer's are
  // its handler's, one after the other.
  const waiting = "publishes" in reader ? Math.max(0, ...lookups) : lookups.reduce((total, ms) => total + ms, 0);
  return (reader.latencyMs ?? 0) + waiting;
}

function partitionNeeds(topic: Topic, readers: readonly TopicReader[], settings: LoadSettings, scale: number) {
  const rates = topicRates(topic, scale);
  if (!rates)
    return {
      neededForThroughput: 1,
      neededForOrdering: 1,
      needed: 1,
      demand: 0,
      orderingDemand: 0,
      orderedWork: [],
      unorderedWork: [],
    };
  // Partitions' worth of work at peak, before rounding up: throughput on one side, ordered readers on the other.
  const throughputDemand = rates.peak / settings.partitionThroughput;
  let orderingDemand = 0;
  let bottleneck: { reader: TopicReader; serviceMs: number } | undefined;
  const orderedWork: ReaderWork[] = [];
  const unorderedWork: ReaderWork[] = [];
  for (const reader of readers) {
    const ms = serviceMs(reader, rates, scale);
    // Little's law: a partition handled in sequence completes 1000/ms events per second.
    const demand = (rates.peak * ms) / 1000;
    const concurrency = reader.concurrency ?? 1;
    if (reader.ordering !== "ordered") {
      const atOnce = concurrency * Math.min(topic.partitions, settings.partitionsAtOnce);
      unorderedWork.push({ reader, serviceMs: ms, demand, atOnce });
      continue;
    }
    const atOnce = Math.min(concurrency, topic.partitions, topic.key?.cardinality ?? Infinity);
    orderedWork.push({ reader, serviceMs: ms, demand, atOnce });
    if (bottleneck === undefined || demand > orderingDemand) {
      orderingDemand = Math.max(orderingDemand, demand);
      bottleneck = { reader, serviceMs: ms };
    }
  }
  const neededForThroughput = Math.max(1, Math.ceil(throughputDemand - 1e-9));
  const neededForOrdering = Math.max(1, Math.ceil(orderingDemand - 1e-9));
  return {
    rates,
    neededForThroughput,
    neededForOrdering,
    needed: Math.max(neededForThroughput, neededForOrdering),
    demand: Math.max(throughputDemand, orderingDemand),
    orderingDemand,
    orderedWork,
    unorderedWork,
    ...(bottleneck ? { orderedBottleneck: bottleneck } : {}),
  };
}

function consumerLatency(consumer: Consumer, settings: LoadSettings): ConsumerLatency {
  const steps: LatencyStep[] = [];
  const hops = [...enrichersUpstream(consumer.from)].reverse();
  for (const reader of [...hops, consumer] as TopicReader[]) {
    const kind = reader === consumer ? "consumer" : "enricher";
    steps.push({ label: `broker to ${kind} \`${reader.name}\``, ms: settings.transportLatencyMs });
    if (reader.latencyMs !== undefined) steps.push({ label: `\`${reader.name}\` processing`, ms: reader.latencyMs });
    if (kind === "enricher" && reader.lookups.length > 1) {
      // The runtime makes an enricher's look-ups at the same time (one waits for the slowest); a consumer's are
      // its handler's business, counted one after the other.
      const names = reader.lookups.map((lookup) => `\`${lookup.backend.name}\``).join(", ");
      steps.push({
        label: `\`${reader.name}\` look-ups on ${names}, at the same time`,
        ms: Math.max(...reader.lookups.map((lookup) => lookup.backend.latencyMs ?? 0)),
      });
      continue;
    }
    for (const lookup of reader.lookups) {
      steps.push({
        label: `\`${reader.name}\` look-up on \`${lookup.backend.name}\``,
        ms: lookup.backend.latencyMs ?? 0,
      });
    }
  }
  return {
    consumer,
    steps,
    totalMs: steps.reduce((total, step) => total + step.ms, 0),
    ...(consumer.deadlineMs !== undefined ? { deadlineMs: consumer.deadlineMs } : {}),
  };
}

/**
 * Gives `object` the property `key`, worked out the first time it is read. A growth factor is a search over
 * rates (some fifty load computations): `evtc check` reads it only for the few topics and back-ends it warns
 * about, and a large project's check was spending a tenth of its time on the thousands it never shows.
 */
function computedWhenRead<T extends object>(object: T, key: keyof T & string, compute: () => number): void {
  Object.defineProperty(object, key, {
    enumerable: true,
    configurable: true,
    get() {
      const value = compute();
      Object.defineProperty(object, key, { value, enumerable: true, configurable: false, writable: false });
      return value;
    },
  });
}

export function analyzeLoad(model: BusModel, settings: LoadSettings = defaultLoadSettings, scale = 1): LoadReport {
  const readers = readersByTopic(model);
  const byBackend = lookupsByBackend(model);
  const naive = naiveLoads(model, readers, scale);
  const backends: BackendLoad[] = [];
  for (const backend of model.backends.values()) {
    const backendLookups = byBackend.get(backend) ?? [];
    const lookups = backendLookups
      .map(({ reader, lookup }) => lookupLoad(reader, lookup, scale))
      .filter((l): l is LookupLoad => l !== undefined)
      .sort((a, b) => b.load.peak - a.load.peak || (a.reader.name < b.reader.name ? -1 : 1));
    const load = sum(lookups.map((l) => l.load));
    const capacity = backend.capacity;
    const entry: BackendLoad = {
      backend,
      lookups,
      naive: naive.get(backend) ?? { average: 0, peak: 0 },
      load,
      ...(capacity !== undefined ? { capacity, headroom: 1 - load.peak / capacity } : {}),
    };
    if (capacity !== undefined)
      computedWhenRead(entry, "growthFactor", () =>
        breakingFactor((f) => backendPeak(backendLookups, scale * f) > capacity),
      );
    backends.push(entry);
  }
  const topics: TopicLoad[] = [...model.topics.values()].map((topic) => {
    const topicReaders = readers.get(topic.name) ?? [];
    const needs = partitionNeeds(topic, topicReaders, settings, scale);
    const rates = topicRates(topic, scale);
    const { demand, ...figures } = needs;
    const entry: TopicLoad = {
      topic,
      partitions: topic.partitions,
      ...figures,
      ...(rates ? { headroom: 1 - demand / topic.partitions } : {}),
    };
    if (rates)
      computedWhenRead(entry, "growthFactor", () =>
        breakingFactor((f) => partitionNeeds(topic, topicReaders, settings, scale * f).needed > topic.partitions),
      );
    return entry;
  });
  const consumers = [...model.consumers.values()].map((c) => consumerLatency(c, settings));
  return { scale, settings, backends, topics, consumers };
}

const reports = new WeakMap<BusModel, Map<string, LoadReport>>();

/** The report at today's rates, computed once per model and settings (several rules read it). */
export function loadReportFor(model: BusModel, settings: LoadSettings): LoadReport {
  let bySettings = reports.get(model);
  if (!bySettings) reports.set(model, (bySettings = new Map()));
  const key = JSON.stringify(settings);
  let report = bySettings.get(key);
  if (!report) bySettings.set(key, (report = analyzeLoad(model, settings)));
  return report;
}
