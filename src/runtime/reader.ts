import { ROOT_CONTEXT, type Context } from "@opentelemetry/api";
import { setMaxListeners } from "node:events";
import type { EventContext, RunningReader } from "./api.js";
import { backoffDelayMs, DEFAULT_RETRY, sleep } from "./backoff.js";
import { deadLetterRecord, deadLetterTopicSettings, DLQ_HEADERS, replayedFromTopic } from "./dlq.js";
import { ENVELOPE_HEADERS } from "./envelope.js";
import type { IdempotencyStore } from "./idempotency.js";
import { messageOf, type RuntimeLogger } from "./logger.js";
import { registerLag, type RuntimeMetrics } from "./metrics.js";
import { OffsetTracker } from "./offsets.js";
import type { ReaderSpec, RetrySpec } from "./spec.js";
import { describeProblems, readEnvelope, sizeProblem, type ReadEnvelope } from "./stamp.js";
import { contextFrom, inSpan } from "./tracing.js";
import type { Registry } from "prom-client";
import type { BatchControl, BatchHandler, ConsumedRecord, PartitionBatch, Transport } from "./transport.js";

/**
 * Reading a topic with the semantics of a reader's category — shared by consumers (their handler) and
 * enrichers (look-ups, merge, publish):
 *
 * - ordered: a partition's records one after another, so events of a key keep their order; a record being
 *   retried holds back its own partition only; up to `concurrency` partitions at once;
 * - unordered: up to `concurrency` records of a partition at once, committing only up to the lowest record not
 *   yet finished;
 * - guaranteed: retries with backoff, then the dead-letter topic; the offset moves past a record only once it
 *   is processed or dead-lettered;
 * - best-effort: one attempt; a failure is counted and logged (and dead-lettered if the reader declares a
 *   dead-letter topic, without waiting for it), and the reader moves on.
 *
 * Whatever the category, a record whose envelope cannot be read, whose major version the reader does not
 * accept, or whose value the version's validator rejects never reaches the processing, and an event whose id
 * the idempotency store has seen completed is skipped.
 */

/** An event processed later than its consumer's deadline (age measured from `ce_time`). */
export interface DeadlineMiss {
  readonly consumer: string;
  readonly id: string;
  readonly ageMs: number;
  readonly deadlineMs: number;
}

export interface ReaderDeps {
  readonly transport: Transport;
  readonly metrics: RuntimeMetrics;
  readonly registry: Registry;
  readonly idempotency: IdempotencyStore;
  readonly logger: RuntimeLogger;
  readonly now: () => number;
  readonly random: () => number;
  /** How long an idempotency claim holds before another worker may take the event over. */
  readonly claimLeaseMs: number;
  readonly onDeadlineMiss?: ((miss: DeadlineMiss) => void) | undefined;
  /** Where a reader whose group has no committed offset starts; by category when absent. */
  readonly fromBeginning?: boolean | undefined;
}

/** What a reader does with one accepted event; `trace` is the context of its processing span. */
export type ProcessEvent<T> = (event: T, context: EventContext, trace: Context) => Promise<void>;

/** A reader's spec as `startReader` takes it: consumers have a deadline, enrichers none. */
export type ReadableSpec<T> = ReaderSpec<T> & { readonly deadlineMs?: number | undefined };

/**
 * Where a reader whose group has no committed offset yet starts: guaranteed readers at the oldest retained
 * record (they must not miss what was published before they first ran), best-effort ones at the end.
 */
export function startsFromBeginning<T>(spec: ReaderSpec<T>): boolean {
  return spec.delivery === "guaranteed";
}

type Outcome = "finished" | "abandoned";

/** Backoff while another worker holds an event's idempotency claim. */
const BUSY_BACKOFF: RetrySpec = { attempts: Infinity, backoffFromMs: 20, backoffToMs: 1_000 };

export async function startReader<T>(spec: ReadableSpec<T>, process: ProcessEvent<T>, deps: ReaderDeps): Promise<RunningReader> {
  checkSpec(spec);
  const reader = new Reader(spec, process, deps);
  const subscription = await deps.transport.subscribe(
    {
      groupId: spec.groupId,
      topic: spec.topic.name,
      fromBeginning: deps.fromBeginning ?? startsFromBeginning(spec),
      // An ordered reader handles up to `concurrency` partitions at once; an unordered one that many records of
      // each partition, and as many partitions as the transport hands out.
      ...(spec.ordering === "ordered" ? { partitionsAtOnce: spec.concurrency } : {}),
    },
    reader.handleBatch,
  );
  const unregisterLag = registerLag(deps.registry, {
    topic: spec.topic.name,
    consumer: spec.name,
    read: () => deps.transport.lag(spec.groupId, spec.topic.name),
  });
  let stopping: Promise<void> | undefined;
  return {
    name: spec.name,
    stop: () =>
      (stopping ??= (async () => {
        unregisterLag();
        await reader.drain();
        await subscription.close();
      })()),
  };
}

function checkSpec<T>(spec: ReadableSpec<T>): void {
  if (spec.delivery === "guaranteed" && !spec.dlqTopic) {
    throw new Error(`guaranteed reader \`${spec.name}\` has no dead-letter topic (\`dlqTopic\`)`);
  }
  if (!Number.isInteger(spec.concurrency) || spec.concurrency < 1) {
    throw new RangeError(`reader \`${spec.name}\` needs a concurrency of at least 1, not ${spec.concurrency}`);
  }
}

/** A record that could not be finished (its dead letter could not be sent): the batch fails, to be redelivered. */
class BlockedRecordError extends Error {
  override readonly name = "BlockedRecordError";
}

class Reader<T> {
  private stopping = false;
  private readonly abort = new AbortController();
  private readonly batches = new Set<Promise<void>>();
  private readonly partitionSlots: Semaphore;
  private readonly labels: { readonly topic: string; readonly consumer: string };
  private readonly retry: RetrySpec;
  /** The dead-letter topic's `max.message.bytes`, for the transport (see `OutgoingRecord`). */
  private readonly deadLetterLimit: { readonly maxMessageBytes?: number };

  constructor(
    private readonly spec: ReadableSpec<T>,
    private readonly process: ProcessEvent<T>,
    private readonly deps: ReaderDeps,
  ) {
    // Every event waiting for a retry listens for the stop; there may be many, and each listener goes with its timer.
    setMaxListeners(0, this.abort.signal);
    this.partitionSlots = new Semaphore(spec.ordering === "ordered" ? spec.concurrency : Infinity);
    this.labels = { topic: spec.topic.name, consumer: spec.name };
    const limit = deadLetterTopicSettings(spec)?.config?.["max.message.bytes"];
    this.deadLetterLimit = limit !== undefined ? { maxMessageBytes: Number(limit) } : {};
    this.retry = spec.delivery === "guaranteed" ? (spec.retry ?? DEFAULT_RETRY) : { ...DEFAULT_RETRY, attempts: 0 };
  }

  /** Stops taking records, lets those in flight finish (a retry waiting gives up), commits what finished. */
  async drain(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    while (this.batches.size > 0) await Promise.allSettled([...this.batches]);
  }

  readonly handleBatch: BatchHandler = async (batch, control) => {
    if (this.stopping || !control.isActive()) return;
    const work = this.spec.ordering === "ordered" ? this.ordered(batch, control) : this.unordered(batch, control);
    this.batches.add(work);
    try {
      await work;
    } finally {
      this.batches.delete(work);
    }
  };

  private async ordered(batch: PartitionBatch, control: BatchControl): Promise<void> {
    await this.partitionSlots.acquire();
    const committer = new Committer(control, this.deps.logger, this.labels);
    try {
      for (const record of batch.records) {
        if (this.cancelled(control)) break;
        if ((await this.handle(record, control)) === "abandoned") break;
        committer.advance(record.offset + 1);
      }
    } finally {
      await committer.flush();
      this.partitionSlots.release();
    }
  }

  private async unordered(batch: PartitionBatch, control: BatchControl): Promise<void> {
    const tracker = new OffsetTracker();
    for (const record of batch.records) tracker.add(record.offset);
    const committer = new Committer(control, this.deps.logger, this.labels);
    const running = new Set<Promise<void>>();
    let blocked: unknown;
    for (const record of batch.records) {
      while (running.size >= this.spec.concurrency) await Promise.race(running);
      if (blocked !== undefined || this.cancelled(control)) break;
      const task: Promise<void> = this.handle(record, control)
        .then(
          (outcome) => {
            if (outcome !== "finished") return;
            tracker.finish(record.offset);
            committer.advance(tracker.committable());
          },
          (error: unknown) => void (blocked ??= error),
        )
        .finally(() => running.delete(task));
      running.add(task);
    }
    await Promise.all(running);
    await committer.flush();
    if (blocked !== undefined) throw blocked;
  }

  private cancelled(control: BatchControl): boolean {
    return this.stopping || !control.isActive();
  }

  /** One record, from envelope to commit-ready; rejects (a `BlockedRecordError`) only if it cannot be finished. */
  private async handle(record: ConsumedRecord, control: BatchControl): Promise<Outcome> {
    if (this.cancelled(control)) return "abandoned";
    const replayedFrom = replayedFromTopic(record.headers);
    // A record replayed from another reader's dead-letter topic is that reader's business.
    if (replayedFrom !== undefined && replayedFrom !== this.spec.dlqTopic) return "finished";
    const accepted = this.accept(record);
    if (!accepted.ok) {
      this.deps.metrics.invalid.inc(this.labels);
      return this.giveUp(record, control, accepted.reason, 0, "invalid");
    }
    const { event, envelope } = accepted;
    // A replay of one of this reader's dead letters is a new chance for the event, not a duplicate of it: it is
    // de-duplicated as that replay (a dead letter is replayed once), apart from the event's first delivery.
    const replay = record.headers[DLQ_HEADERS.replayedFrom];
    const id = replay === undefined ? envelope.id : `${envelope.id} replayed from ${replay}`;
    let claimed = false;
    let lastError: unknown;
    const attempts = 1 + this.retry.attempts;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        await control.heartbeat();
        if (!claimed) {
          // A store that fails counts as a failed attempt: the next attempt claims again.
          const claim = await this.claim(id, control);
          if (claim === "abandoned") return "abandoned";
          if (claim === "done") {
            this.deps.metrics.duplicates.inc(this.labels);
            return "finished";
          }
          claimed = true;
        }
        await this.attempt(record, event, envelope, attempt);
        await this.complete(id);
        this.deps.metrics.consumed.inc(this.labels);
        this.checkDeadline(envelope);
        return "finished";
      } catch (error) {
        lastError = error;
        if (this.cancelled(control)) return this.abandon(id, claimed);
        if (attempt === attempts) break;
        this.deps.metrics.retries.inc(this.labels);
        this.deps.logger.warn("event failed, retrying", { ...this.where(record, envelope.id), attempt, error: messageOf(error) });
        const slept = await sleep(backoffDelayMs(this.retry, attempt, this.deps.random), this.abort.signal);
        if (!slept || this.cancelled(control)) return this.abandon(id, claimed);
      }
    }
    // The claim is kept while the event is dead-lettered. Once it is (or skipped), the event is settled like a
    // handled one: delivered again (a rebalance before the commit, a producer's retry), it is a duplicate, not a
    // second run of the handler and a second dead letter; the way back is the replay. Counted as a failure
    // once settled: a dead letter that could not be sent leaves the record to be delivered again, not a failure.
    let outcome: Outcome;
    try {
      outcome = await this.giveUp(record, control, lastError, attempts, "failed");
    } catch (error) {
      if (claimed) await this.release(id);
      throw error;
    }
    if (outcome === "abandoned") return this.abandon(id, claimed);
    this.deps.metrics.failures.inc(this.labels);
    if (claimed) await this.complete(id);
    this.checkDeadline(envelope);
    return outcome;
  }

  private async attempt(record: ConsumedRecord, event: T, envelope: ReadEnvelope, attempt: number): Promise<void> {
    const context: EventContext = {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      id: envelope.id,
      time: envelope.time,
      version: envelope.version,
      major: envelope.major,
      headers: record.headers,
      attempt,
    };
    const parent = contextFrom(record.headers[ENVELOPE_HEADERS.traceparent], ROOT_CONTEXT);
    const started = performance.now();
    try {
      await inSpan(
        `process ${record.topic}`,
        "consumer",
        parent,
        {
          "messaging.system": "kafka",
          "messaging.operation.type": "process",
          "messaging.destination.name": record.topic,
          "messaging.consumer.group.name": this.spec.groupId,
          "messaging.message.id": envelope.id,
          "messaging.destination.partition.id": String(record.partition),
          "messaging.kafka.offset": record.offset,
        },
        (trace) => this.process(event, context, trace),
      );
    } finally {
      this.deps.metrics.processing.observe(this.labels, (performance.now() - started) / 1000);
    }
  }

  /** Reads the envelope, picks the validator of the event's major version and validates the value. */
  private accept(
    record: ConsumedRecord,
  ): { ok: true; event: T; envelope: ReadEnvelope } | { ok: false; reason: string } {
    const read = readEnvelope(record.headers, record.timestamp);
    if (!read.ok) return read;
    const { envelope } = read;
    const validate = this.spec.accepts[envelope.major];
    if (validate === undefined) {
      const accepted = Object.keys(this.spec.accepts).join(", ") || "none";
      return {
        ok: false,
        reason: `version ${envelope.version} is not accepted: \`${this.spec.name}\` reads major versions ${accepted}`,
      };
    }
    const oversize = sizeProblem(this.spec.topic, record.value.length);
    if (oversize !== undefined) return { ok: false, reason: `the value ${oversize.message}` };
    let value: unknown;
    try {
      value = JSON.parse(record.value.toString("utf8"));
    } catch (error) {
      return { ok: false, reason: `the value is not JSON: ${messageOf(error)}` };
    }
    if (!validate(value)) {
      return { ok: false, reason: `invalid version ${envelope.version} event:\n${describeProblems(validate.errors)}` };
    }
    return { ok: true, event: value, envelope };
  }

  /** Claims the event in the idempotency store, waiting while another worker holds it. */
  private async claim(id: string, control: BatchControl): Promise<"claimed" | "done" | "abandoned"> {
    for (let wait = 1; ; wait++) {
      const result = await this.deps.idempotency.claim(this.spec.name, id, this.deps.claimLeaseMs);
      if (result !== "busy") return result;
      if (!(await sleep(backoffDelayMs(BUSY_BACKOFF, wait, this.deps.random), this.abort.signal))) return "abandoned";
      if (this.cancelled(control)) return "abandoned";
    }
  }

  private async complete(id: string): Promise<void> {
    try {
      await this.deps.idempotency.complete(this.spec.name, id);
    } catch (error) {
      // The effect happened and the offset moves on; only a later duplicate delivery could repeat it.
      this.deps.logger.warn("idempotency store failed to record a processed event", {
        consumer: this.spec.name,
        id,
        error: messageOf(error),
      });
    }
  }

  private async release(id: string): Promise<void> {
    try {
      await this.deps.idempotency.release(this.spec.name, id);
    } catch (error) {
      // The claim expires after its lease; until then a redelivery of the event waits for it.
      this.deps.logger.warn("idempotency store failed to release a claim", { consumer: this.spec.name, id, error: messageOf(error) });
    }
  }

  private async abandon(id: string, claimed: boolean): Promise<Outcome> {
    if (claimed) await this.release(id);
    return "abandoned";
  }

  /**
   * The end of a record that failed (or was never accepted). A guaranteed reader dead-letters it, and the offset
   * moves past it only once the dead letter is sent. A best-effort reader counts, logs and skips it — after one
   * try at its dead-letter topic, if it declares one.
   */
  private async giveUp(
    record: ConsumedRecord,
    control: BatchControl,
    error: unknown,
    attempts: number,
    why: "failed" | "invalid",
  ): Promise<Outcome> {
    const where = { ...this.where(record, record.headers[ENVELOPE_HEADERS.id]), error: messageOf(error) };
    const dlqTopic = this.spec.dlqTopic;
    const guaranteed = this.spec.delivery === "guaranteed";
    if (dlqTopic === undefined) {
      this.deps.logger.warn(why === "invalid" ? "invalid event skipped" : "event failed, skipped (best-effort)", where);
      return "finished";
    }
    const letter = {
      ...deadLetterRecord(record, { dlqTopic, consumer: this.spec.name, attempts, error }),
      ...this.deadLetterLimit,
    };
    const tries = guaranteed ? Math.max(3, this.retry.attempts + 1) : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.deps.transport.send([letter]);
        this.deps.metrics.deadLettered.inc(this.labels);
        this.deps.metrics.produced.inc({ topic: dlqTopic });
        this.deps.logger.warn(why === "invalid" ? "invalid event dead-lettered" : "event failed, dead-lettered", {
          ...where,
          dlqTopic,
          attempts,
        });
        return "finished";
      } catch (sendError) {
        const fields = { ...where, dlqTopic, attempt, sendError: messageOf(sendError) };
        if (!guaranteed) {
          this.deps.logger.warn("could not send to the dead-letter topic; skipped (best-effort)", fields);
          return "finished";
        }
        this.deps.logger.error("could not send to the dead-letter topic; the record stays uncommitted", fields);
        if (this.cancelled(control)) return "abandoned";
        if (attempt >= tries) {
          throw new BlockedRecordError(
            `record ${record.offset} of partition ${record.partition} of \`${record.topic}\` could not be dead-lettered ` +
              `to \`${dlqTopic}\`: ${messageOf(sendError)}`,
            { cause: sendError },
          );
        }
        const slept = await sleep(backoffDelayMs(this.retry, attempt, this.deps.random), this.abort.signal);
        if (!slept || this.cancelled(control)) return "abandoned";
      }
    }
  }

  private checkDeadline(envelope: ReadEnvelope): void {
    const deadlineMs = this.spec.deadlineMs;
    if (deadlineMs === undefined) return;
    const ageMs = this.deps.now() - envelope.time.getTime();
    if (ageMs <= deadlineMs) return;
    this.deps.metrics.deadlineMisses.inc({ consumer: this.spec.name });
    try {
      this.deps.onDeadlineMiss?.({ consumer: this.spec.name, id: envelope.id, ageMs, deadlineMs });
    } catch (error) {
      this.deps.logger.warn("onDeadlineMiss threw", { consumer: this.spec.name, id: envelope.id, error: messageOf(error) });
    }
  }

  private where(record: ConsumedRecord, id: string | undefined): Record<string, unknown> {
    return { consumer: this.spec.name, topic: record.topic, partition: record.partition, offset: record.offset, id };
  }
}

/**
 * Commits a partition's position as records finish, one commit in flight at a time: while one is on its way
 * the newest position waits, so a fast stream of finishing records makes few commits.
 */
class Committer {
  private target: number | undefined;
  private committed: number | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly control: BatchControl,
    private readonly logger: RuntimeLogger,
    private readonly labels: Readonly<Record<string, string>>,
  ) {}

  advance(next: number | undefined): void {
    if (next === undefined || (this.target !== undefined && next <= this.target)) return;
    this.target = next;
    if (!this.running) this.startLoop();
  }

  /** Waits until the newest position is committed (or cannot be: the partition was revoked). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
    if (this.target !== this.committed && this.control.isActive()) await this.startLoop();
  }

  /**
   * Starts committing. `running` is cleared once the loop has settled, never before it is set: a loop that
   * ends at once (the partition was revoked) would otherwise clear it first and stay set forever after, and
   * `flush` would wait on it in an endless chain of microtasks, blocking the event loop. A position that came
   * while the loop was ending starts the next one.
   */
  private startLoop(): Promise<void> {
    const loop: Promise<void> = this.commitLoop().then((failed) => {
      if (this.running === loop) this.running = undefined;
      if (!failed && !this.running && this.target !== this.committed && this.control.isActive()) void this.startLoop();
    });
    this.running = loop;
    return loop;
  }

  /** Commits until the newest position is committed or the partition revoked; true when a commit failed. */
  private async commitLoop(): Promise<boolean> {
    while (this.target !== undefined && this.target !== this.committed && this.control.isActive()) {
      const target = this.target;
      try {
        await this.control.commit(target);
        this.committed = target;
      } catch (error) {
        // The next commit covers this one; if none comes, the records are redelivered and de-duplicated.
        this.logger.warn("commit failed", { ...this.labels, offset: target, error: messageOf(error) });
        return true;
      }
    }
    return false;
  }
}

/** Counts slots; `Infinity` means no limit. */
class Semaphore {
  private readonly waiting: (() => void)[] = [];

  constructor(private free: number) {}

  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}
