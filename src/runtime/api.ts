import type { RecordHeaders, RecordPosition } from "./transport.js";
import type { ConsumerSpec, EnricherSpec, LookupFunctions, TopicSpec, Wiring } from "./spec.js";

/**
 * What services (and the code evtc generates) call. `createRuntime` in `runtime.ts` returns one; the
 * generated `publish…` functions, consumer and enricher definitions are thin, typed calls into it.
 */

export interface PublishOptions {
  /** The event id (`ce_id`); a fresh UUID when absent. Consumers de-duplicate on it. */
  readonly id?: string;
  /** When the event happened (`ce_time`); now when absent. */
  readonly time?: Date;
  /** The event that caused this one (kept in a `causationid` header); an enricher sets it to its source. */
  readonly causationId?: string;
  /** Groups the events of one business transaction (`correlationid` header); inherited through enrichers. */
  readonly correlationId?: string;
  /** W3C trace context to continue; otherwise the active OpenTelemetry context, if any. */
  readonly traceparent?: string;
}

export interface PublishedEvent extends RecordPosition {
  readonly id: string;
}

/** What a handler learns about the event besides its value. */
export interface EventContext extends RecordPosition {
  readonly id: string;
  readonly time: Date;
  /** The event's version, from `ce_dataschema` (`1.1`). */
  readonly version: string;
  /** Its major version (`1`): which of a consumer's `accepts` it was read as. */
  readonly major: number;
  readonly headers: RecordHeaders;
  /** 1 for the first delivery to the handler, 2 for the first retry… */
  readonly attempt: number;
}

export type EventHandler<T> = (event: T, context: EventContext) => Promise<void>;

export interface RunningReader {
  readonly name: string;
  /** Stops fetching, lets events in flight finish (or give up), commits, leaves the group. */
  stop(): Promise<void>;
}

/** A service's handlers and look-ups, by consumer and enricher name, for `start`. */
export interface Services {
  /** Start only what this team owns (all declared consumers and enrichers with a handler when absent). */
  readonly team?: string;
  // Handlers of many event types side by side: each is checked against its definition by the generated
  // `handlers` type of the project, not here.
  /* eslint-disable @typescript-eslint/no-explicit-any */
  readonly handlers?: Readonly<Record<string, EventHandler<any>>>;
  readonly lookups?: Readonly<Record<string, LookupFunctions<any, any>>>;
  /* eslint-enable @typescript-eslint/no-explicit-any */
}

export interface ReplayOptions {
  /** Replay at most this many records (all when absent). */
  readonly limit?: number;
  /** Stop when no record arrived for this long (10 s when absent): the end of a topic a transport cannot see. */
  readonly idleMs?: number;
}

export interface ReplayResult {
  /** Records sent back to the source topic. */
  readonly replayed: number;
}

export interface Runtime {
  /** Validates, keys, stamps the envelope and sends; rejects (sending nothing) when the event is invalid. */
  publish<T>(topic: TopicSpec<T>, event: T, options?: PublishOptions): Promise<PublishedEvent>;
  consume<T>(consumer: ConsumerSpec<T>, handler: EventHandler<T>): Promise<RunningReader>;
  enrich<In, Out>(enricher: EnricherSpec<In, Out>, lookups: LookupFunctions<In, Out>): Promise<RunningReader>;
  /** Creates the wiring's topics (and DLQs) where missing, then starts every reader the services supply. */
  start(wiring: Wiring, services: Services): Promise<readonly RunningReader[]>;
  /**
   * Sends the records of a reader's dead-letter topic back to its source topic, with their original headers and
   * `evtc_replayed_from`, so they flow through that reader again (other readers of the topic skip them). Each
   * record is replayed once: the replay's own consumer group commits as it goes.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  replayDeadLetters(reader: ConsumerSpec<any> | EnricherSpec<any, any>, options?: ReplayOptions): Promise<ReplayResult>;
  /** Stops every reader, flushes pending sends, closes the transport. */
  close(): Promise<void>;
}
