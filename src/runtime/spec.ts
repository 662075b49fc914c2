/**
 * What generated code hands the runtime: plain, frozen descriptions of topics, consumers and enrichers, with
 * the validators and key accessors evtc compiled for them. Generated code only *describes*; everything with
 * behaviour (envelopes, retries, DLQs, caches, metrics) lives in the runtime, behind these types.
 */

/** A validation problem, in the shape ajv reports it (`instancePath` is a JSON pointer into the event). */
export interface ValidationProblem {
  readonly instancePath: string;
  readonly message?: string | undefined;
}

/**
 * A validator compiled at build time (ajv standalone). Like ajv's own functions it is a type guard and leaves
 * the problems of the last call in `errors`.
 */
export interface EventValidator<T> {
  (data: unknown): data is T;
  errors?: readonly ValidationProblem[] | null;
}

export interface EventVersionSpec<T> {
  /** The event's name in the `.evt` files, e.g. `PaymentReceived`. */
  readonly name: string;
  /** `major.minor`, e.g. `1.1`. */
  readonly version: string;
  readonly major: number;
  /** The `ce_dataschema` value: which schema version the value follows (`<topic>-value/<name>/<version>`). */
  readonly dataschema: string;
  readonly validate: EventValidator<T>;
  /**
   * Whether a field of the event (or of a record in it) has a default, which the validator fills into an event
   * that leaves the field out. Absent in specs of earlier builds: taken as true.
   */
  readonly defaults?: boolean;
}

export interface TopicSpec<T> {
  readonly name: string;
  /** The current version: what producers publish. */
  readonly event: EventVersionSpec<T>;
  /**
   * Derives the partition key from an event (absent for a topic without a key). A method, so that the spec of
   * a topic of `T` also serves a reader of `T | OlderT` (a consumer accepting two major versions).
   */
  key?(event: T): string;
  readonly partitions: number;
  /** Replication factor and `min.insync.replicas` from the topic's segment, when declared. */
  readonly replicationFactor?: number;
  /**
   * The largest event value in bytes (the declared `maxSize`); `max.message.bytes` in `config` leaves room above
   * it for the key and headers. Absent in specs of earlier builds: `max.message.bytes` is the limit then.
   */
  readonly maxSize?: number;
  readonly config: Readonly<Record<string, string>>;
  /** The team that owns (and alone publishes) the topic. */
  readonly owner: string;
}

export type Ordering = "ordered" | "unordered";
export type Delivery = "guaranteed" | "best-effort";

export interface RetrySpec {
  /** Attempts after the first one. */
  readonly attempts: number;
  /** Exponential backoff between attempts, from the first delay to the cap. */
  readonly backoffFromMs: number;
  readonly backoffToMs: number;
}

/** What consumers and enrichers share: both read a topic in their own consumer group. */
export interface ReaderSpec<T> {
  readonly name: string;
  readonly owner: string;
  readonly groupId: string;
  readonly topic: TopicSpec<T>;
  /**
   * Every version of the topic's event the reader accepts, by major version; an event of any other major
   * version, or one its version's validator rejects, never reaches the handler.
   */
  readonly accepts: Readonly<Record<number, EventValidator<T>>>;
  readonly ordering: Ordering;
  readonly delivery: Delivery;
  /** Absent: no retries (best-effort), or the runtime's default policy (guaranteed). */
  readonly retry?: RetrySpec;
  /** The dead-letter topic (`<topic>.dlq.<reader>` style, see topology): always set for guaranteed delivery. */
  readonly dlqTopic?: string;
  /** Events processed at once within a partition (unordered), or partitions at once (ordered). */
  readonly concurrency: number;
}

export interface ConsumerSpec<T> extends ReaderSpec<T> {
  readonly kind: "consumer";
  /** Event age (now minus `ce_time`) within which the consumer must have finished an event. */
  readonly deadlineMs?: number;
}

export interface LookupSpec<In> {
  /** The back-end looked up, e.g. `crm.customer-db`. */
  readonly backend: string;
  /** The cache key for an event: the value of the `by` field. */
  readonly key: (event: In) => string;
  /** How long a looked-up value is reused; absent means every event calls the back-end. */
  readonly cacheTtlMs?: number;
  /**
   * How many values the cache holds: the keys that circulate within a TTL at the declared peak rate, plus a
   * tenth, so that a value is not evicted before its TTL (evtc's load analysis assumes it is not). Absent when
   * the declaration does not say how many keys circulate: the runtime's default then.
   */
  readonly cacheEntries?: number;
}

export interface EnricherSpec<In, Out> extends ReaderSpec<In> {
  readonly kind: "enricher";
  readonly lookups: readonly LookupSpec<In>[];
  /** The enriched topic the enricher publishes. */
  readonly publishes: TopicSpec<Out>;
}

/** The fields an enricher adds: the enriched event minus what it inherits from the source event. */
export type Additions<In, Out> = Omit<Out, keyof In>;

/**
 * What a service supplies to run an enricher: one function per back-end it looks up, returning part of the
 * additions. The runtime caches each result by the look-up key for the declared TTL, merges the parts onto the
 * source event and validates the enriched event before it is published.
 */
export type LookupFunctions<In, Out> = {
  readonly [backend: string]: (key: string, event: In) => Promise<Partial<Additions<In, Out>>>;
};

/** Every topic, consumer and enricher of a project: what `start` needs to run the part a service owns. */
export interface Wiring {
  readonly project: string;
  // `any` because one wiring holds many event types; each entry stays precisely typed where it is declared.
  /* eslint-disable @typescript-eslint/no-explicit-any */
  readonly topics: Readonly<Record<string, TopicSpec<any>>>;
  readonly consumers: Readonly<Record<string, ConsumerSpec<any>>>;
  readonly enrichers: Readonly<Record<string, EnricherSpec<any, any>>>;
  /* eslint-enable @typescript-eslint/no-explicit-any */
}
