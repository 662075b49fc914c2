import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/**
 * The runtime's Prometheus metrics (prom-client), registered in the registry a service hands `createRuntime`
 * (a fresh one when it hands none, so two runtimes in one process, or two tests, never collide). Names and
 * labels are listed in docs/runtime.md. Runtimes sharing a registry share its metrics.
 */

type TopicReader = "topic" | "consumer";
type EnricherBackend = "enricher" | "backend";

export interface RuntimeMetrics {
  /** Events published (and records dead-lettered or replayed), by topic written. */
  readonly produced: Counter<"topic">;
  /** Events a reader's handler (or an enricher's look-ups and publish) finished successfully. */
  readonly consumed: Counter<TopicReader>;
  /** Events that ended in failure: dead-lettered after the last attempt (guaranteed) or skipped (best-effort). */
  readonly failures: Counter<TopicReader>;
  /** Attempts made again after a failure. */
  readonly retries: Counter<TopicReader>;
  /** Records sent to a dead-letter topic (failed or invalid). */
  readonly deadLettered: Counter<TopicReader>;
  /** Records that never reached a handler: no envelope, an unaccepted major version, or a rejected value. */
  readonly invalid: Counter<TopicReader>;
  /** Records whose event id the reader had already processed. */
  readonly duplicates: Counter<TopicReader>;
  readonly deadlineMisses: Counter<"consumer">;
  readonly cacheHits: Counter<EnricherBackend>;
  readonly cacheMisses: Counter<EnricherBackend>;
  readonly backendCalls: Counter<EnricherBackend>;
  /** How long one attempt at an event took (handler, or look-ups and publish). */
  readonly processing: Histogram<TopicReader>;
  /** Log end minus committed offset of each running reader, read from the transport when scraped. */
  readonly lag: Gauge<TopicReader>;
}

/** A running reader whose lag the `evtc_consumer_lag` gauge reports while it is registered. */
export interface LagSource {
  readonly topic: string;
  readonly consumer: string;
  read(): Promise<number>;
}

const lagSources = new WeakMap<Registry, Set<LagSource>>();

/** Registers (or finds, when another runtime did) the metrics in `registry`. */
export function runtimeMetrics(registry: Registry): RuntimeMetrics {
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> =>
    (registry.getSingleMetric(name) as Counter<L> | undefined) ??
    new Counter<L>({ name, help, labelNames, registers: [registry] });
  const reader = ["topic", "consumer"] as const;
  const lookup = ["enricher", "backend"] as const;
  return {
    produced: counter("evtc_events_produced_total", "Records written by the runtime, by topic", ["topic"]),
    consumed: counter("evtc_events_consumed_total", "Events a reader processed successfully", reader),
    failures: counter("evtc_event_failures_total", "Events that failed for good (dead-lettered or skipped)", reader),
    retries: counter("evtc_event_retries_total", "Attempts made again after a failure", reader),
    deadLettered: counter("evtc_events_dead_lettered_total", "Records sent to a dead-letter topic", reader),
    invalid: counter("evtc_events_invalid_total", "Records that never reached a handler: invalid or unaccepted", reader),
    duplicates: counter("evtc_events_duplicate_total", "Redelivered events already processed, skipped", reader),
    deadlineMisses: counter("evtc_deadline_misses_total", "Events finished later than the consumer's deadline", [
      "consumer",
    ]),
    cacheHits: counter("evtc_cache_hits_total", "Look-ups answered without a back-end call of their own", lookup),
    cacheMisses: counter("evtc_cache_misses_total", "Look-ups that called the back-end", lookup),
    backendCalls: counter("evtc_backend_calls_total", "Calls of an enricher's look-up functions", lookup),
    processing:
      (registry.getSingleMetric("evtc_processing_seconds") as Histogram<TopicReader> | undefined) ??
      new Histogram({
        name: "evtc_processing_seconds",
        help: "How long one attempt at an event took",
        labelNames: reader,
        buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [registry],
      }),
    lag: (registry.getSingleMetric("evtc_consumer_lag") as Gauge<TopicReader> | undefined) ?? lagGauge(registry),
  };
}

/** Reports `source`'s lag until the returned function is called. */
export function registerLag(registry: Registry, source: LagSource): () => void {
  let sources = lagSources.get(registry);
  if (!sources) lagSources.set(registry, (sources = new Set()));
  sources.add(source);
  return () => void sources.delete(source);
}

function lagGauge(registry: Registry): Gauge<TopicReader> {
  return new Gauge({
    name: "evtc_consumer_lag",
    help: "Records of the topic the reader has not committed yet",
    labelNames: ["topic", "consumer"],
    registers: [registry],
    async collect() {
      this.reset();
      const sources = [...(lagSources.get(registry) ?? [])];
      const values = await Promise.allSettled(sources.map((source) => source.read()));
      values.forEach((value, i) => {
        // A transport that cannot answer right now (closing, broker away) leaves the reader out of this scrape.
        if (value.status === "fulfilled") this.set({ topic: sources[i]!.topic, consumer: sources[i]!.consumer }, value.value);
      });
    },
  });
}
