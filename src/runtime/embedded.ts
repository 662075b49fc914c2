import { setImmediate as nextTurn } from "node:timers/promises";
import { partitionForKey } from "./murmur2.js";
import type {
  BatchControl,
  BatchHandler,
  ConsumedRecord,
  OutgoingRecord,
  PartitionBatch,
  RecordPosition,
  Subscription,
  SubscriptionOptions,
  TopicSettings,
  Transport,
} from "./transport.js";

/** Options of {@link createEmbeddedTransport}; every one has a default. */
export interface EmbeddedTransportOptions {
  /** Records retained per partition before `send` has to wait for the slowest group (default 100,000). */
  readonly maxRecordsPerPartition?: number;
  /** How long one `send` may wait for room before it rejects (default 30,000 ms). */
  readonly sendTimeoutMs?: number;
  /** The most records delivered in one batch (default 100). */
  readonly maxBatchSize?: number;
  /** Wait before a batch whose handler rejected is delivered again from the last commit (default 500 ms). */
  readonly redeliveryDelayMs?: number;
  /** The clock stamping appended records, in milliseconds since the epoch (default `Date.now`). */
  readonly now?: () => number;
  /** Told when a handler rejects, before the batch is delivered again (default: `console.error`). */
  readonly onHandlerError?: (error: unknown, batch: PartitionBatch) => void;
}

/**
 * Where `seek` moves a group: every partition to an offset, one partition to an offset, or every partition to
 * its first record appended at or after a time (the log end where there is none).
 */
export type SeekTarget =
  | { readonly offset: number }
  | { readonly partition: number; readonly offset: number }
  | { readonly timestamp: number };

export interface PartitionOffsets {
  readonly partition: number;
  /** The offset of the oldest retained record (the end offset when the partition is empty). */
  readonly start: number;
  /** The offset the next record will get. */
  readonly end: number;
}

/** The embedded bus: a {@link Transport} plus what only an in-memory broker can offer. */
export interface EmbeddedTransport extends Transport {
  /**
   * Moves a group's committed position on a topic, to replay or to skip. Offsets must lie between a partition's
   * start and end. Members of the group that are running stop their batches in flight (`isActive()` turns
   * false, their commits are ignored) and continue from the new position.
   */
  seek(groupId: string, topic: string, target: SeekTarget): Promise<void>;
  /** The retained range of each partition of a topic. */
  offsets(topic: string): Promise<readonly PartitionOffsets[]>;
  /** A group's committed offset per partition, `null` where it has no position. */
  committed(groupId: string, topic: string): Promise<readonly (number | null)[]>;
  /** Forgets a group without members on every topic, releasing the records it held back. */
  deleteGroup(groupId: string): Promise<void>;
}

/** `send` waited `sendTimeoutMs` for room in a full partition; `appended` are the records that did land. */
export class EmbeddedSendTimeoutError extends Error {
  override readonly name = "EmbeddedSendTimeoutError";
  constructor(
    message: string,
    readonly appended: readonly RecordPosition[],
  ) {
    super(message);
  }
}

/**
 * The embedded bus: an in-memory broker in the process, the runtime's default transport. Tests, local
 * development and single-process deployments run on it with the semantics they will meet on Kafka —
 * partitioned logs, keys placed by murmur2 as Kafka places them, consumer groups with committed offsets and
 * redelivery, rebalancing — and without a broker to start. Records without a key go round-robin over the
 * partitions. Topics exist only once `ensureTopics` created them.
 *
 * **Groups.** A group that has no committed offset starts at the log end, or at the oldest retained record
 * with `fromBeginning`. The members of a group split the partitions round-robin in the order they joined; when
 * one joins or leaves, a partition that moves is revoked (`isActive()` turns false for its batch in flight)
 * and its new owner starts from the committed offset once that batch has settled. Every group reads at its own
 * pace: a stuck handler holds back its own partition only.
 *
 * **Retention and back-pressure.** Each partition keeps at most `maxRecordsPerPartition` records. Records are
 * not removed when they are consumed, only when room is needed, so a group can replay (`seek`) whatever is
 * still retained. When a partition is full, the oldest records are trimmed if every group with a position on
 * the topic has committed past them; otherwise `send` waits until the slowest such group commits, and rejects
 * with an {@link EmbeddedSendTimeoutError} naming that group after `sendTimeoutMs`. A record is never dropped
 * before a group that has a position on the topic has committed past it: memory stays bounded by slowing the
 * producer down (as Kafka's Java producer blocks for `max.block.ms` when its buffer is full, then throws)
 * rather than by losing events. A group has a position on a topic
 * once it has subscribed to it (its start position counts as committed), or been moved by `seek`, and keeps
 * it after its members leave, until `deleteGroup`; a group that never comes back therefore holds back
 * producers, and the timeout error says which one. When no group has a position on the topic, a full
 * partition drops its oldest record for each new one, like Kafka's size-based retention: a group that
 * subscribes later, `fromBeginning`, starts at the oldest record still retained.
 */
export function createEmbeddedTransport(options: EmbeddedTransportOptions = {}): EmbeddedTransport {
  return new EmbeddedBus(options);
}

const DEFAULTS = {
  maxRecordsPerPartition: 100_000,
  sendTimeoutMs: 30_000,
  maxBatchSize: 100,
  redeliveryDelayMs: 500,
};

/** One partition's records from `start` on, in a deque that trims from the front in amortised O(1). */
class PartitionLog {
  private records: ConsumedRecord[] = [];
  private head = 0;
  start = 0;
  /** Wakes the members sleeping until something is appended. */
  readonly sleepers = new Set<() => void>();
  /** Sends waiting for room, first come first served. */
  readonly waiting: PendingAppend[] = [];

  get end(): number {
    return this.start + this.size;
  }

  get size(): number {
    return this.records.length - this.head;
  }

  append(record: ConsumedRecord): void {
    this.records.push(record);
    for (const wake of [...this.sleepers]) wake();
  }

  read(from: number, max: number): ConsumedRecord[] {
    const first = this.head + (from - this.start);
    return this.records.slice(first, Math.min(first + max, this.records.length));
  }

  trimTo(offset: number): void {
    const count = Math.min(offset, this.end) - this.start;
    if (count <= 0) return;
    this.head += count;
    this.start += count;
    if (this.head > 1024 && this.head * 2 > this.records.length) {
      this.records = this.records.slice(this.head);
      this.head = 0;
    }
  }

  /** The first retained record appended at or after `timestamp`, or the end. */
  offsetForTimestamp(timestamp: number): number {
    for (let i = this.head; i < this.records.length; i++) {
      if (this.records[i]!.timestamp >= timestamp) return this.start + (i - this.head);
    }
    return this.end;
  }
}

interface PendingAppend {
  readonly record: OutgoingRecord;
  readonly resolve: (position: RecordPosition) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

interface TopicState {
  readonly name: string;
  readonly logs: readonly PartitionLog[];
  readonly groups: Map<string, GroupState>;
  roundRobin: number;
}

/** A group's state on one topic: its committed offsets, its members and who reads which partition. */
class GroupState {
  readonly committed: number[];
  /** Bumped by `seek`: commits from batches delivered before it are ignored. */
  readonly epochs: number[];
  readonly members: Member[] = [];
  /** The reader of each partition, if a member holds it. */
  readonly readers: (PartitionReader | undefined)[];
  /** Settles when the last reader of each partition has finished: its successor starts after it. */
  readonly handoffs: Promise<void>[];

  constructor(
    readonly bus: EmbeddedBus,
    readonly id: string,
    readonly topic: TopicState,
    start: (log: PartitionLog) => number,
  ) {
    this.committed = topic.logs.map(start);
    this.epochs = topic.logs.map(() => 0);
    this.readers = topic.logs.map(() => undefined);
    this.handoffs = topic.logs.map(() => Promise.resolve());
  }

  /** Assigns partitions round-robin among the members in the order they joined; moved partitions restart. */
  rebalance(): void {
    for (let partition = 0; partition < this.topic.logs.length; partition++) {
      const owner = this.members.length > 0 ? this.members[partition % this.members.length] : undefined;
      if (this.readers[partition]?.member !== owner) this.restart(partition, owner);
    }
  }

  /** Stops the partition's reader; `owner` (if any) continues from the committed offset once it has finished. */
  restart(partition: number, owner: Member | undefined): void {
    this.readers[partition]?.stop();
    const reader = owner ? new PartitionReader(this, owner, partition, this.handoffs[partition]!) : undefined;
    this.readers[partition] = reader;
    if (reader) this.handoffs[partition] = reader.done;
  }
}

class Member implements Subscription {
  private closing: Promise<void> | undefined;

  constructor(
    readonly group: GroupState,
    readonly handler: BatchHandler,
  ) {}

  close(): Promise<void> {
    this.closing ??= this.leave();
    return this.closing;
  }

  private async leave(): Promise<void> {
    const group = this.group;
    const mine = group.readers.filter((reader) => reader?.member === this);
    for (const reader of mine) reader?.stop();
    group.members.splice(group.members.indexOf(this), 1);
    // The others take over the partitions once this member's batches in flight have settled.
    group.rebalance();
    await Promise.all(mine.map((reader) => reader?.done));
  }
}

/** Delivers one partition to one member, a batch at a time, until stopped. */
class PartitionReader {
  private active = true;
  private wake: (() => void) | undefined;
  readonly done: Promise<void>;
  private readonly epoch: number;

  constructor(
    private readonly group: GroupState,
    readonly member: Member,
    private readonly partition: number,
    after: Promise<void>,
  ) {
    this.epoch = group.epochs[partition]!;
    this.done = this.run(after);
  }

  stop(): void {
    this.active = false;
    this.wake?.();
  }

  private async run(after: Promise<void>): Promise<void> {
    await after;
    const { bus, topic } = this.group;
    const log = topic.logs[this.partition]!;
    let position = Math.max(this.group.committed[this.partition]!, log.start);
    while (this.active) {
      if (position >= log.end) {
        await this.sleep(log);
        continue;
      }
      // One batch per turn of the event loop: a fast handler never starves I/O or timers.
      await nextTurn();
      if (!this.active) break;
      position = Math.max(position, log.start);
      const records = log.read(position, bus.maxBatchSize).map(copyRecord);
      if (records.length === 0) continue;
      const batch: PartitionBatch = { topic: topic.name, partition: this.partition, records };
      const delivery = { settled: false };
      let failed = false;
      try {
        await this.member.handler(batch, this.control(log, delivery));
      } catch (error) {
        failed = true;
        bus.reportHandlerError(error, batch);
      }
      delivery.settled = true;
      if (!failed) {
        position = records[records.length - 1]!.offset + 1;
      } else {
        if (this.active) await this.sleep(undefined, bus.redeliveryDelayMs);
        position = this.group.committed[this.partition]!;
      }
    }
  }

  private control(log: PartitionLog, delivery: { readonly settled: boolean }): BatchControl {
    const { group, partition } = this;
    return {
      commit: async (nextOffset) => {
        if (!Number.isInteger(nextOffset) || nextOffset < log.start || nextOffset > log.end) {
          throw new RangeError(
            `cannot commit offset ${nextOffset} on partition ${partition} of topic \`${group.topic.name}\`: ` +
              `it must lie between ${log.start} and ${log.end}`,
          );
        }
        // A seek since this batch was delivered moved the group: the batch no longer speaks for it. Nor does a
        // batch that has settled once another reader holds the partition. A revoked or closing reader's batch
        // still in flight may commit: its successor starts only after it settles.
        if (this.epoch !== group.epochs[partition]) return;
        if (delivery.settled && group.readers[partition] !== this) return;
        group.committed[partition] = nextOffset;
        group.bus.makeRoom(group.topic, partition);
      },
      heartbeat: async () => {},
      isActive: () => this.active,
    };
  }

  /** Until something is appended to `log`, `ms` pass, or the reader is stopped. */
  private sleep(log: PartitionLog | undefined, ms?: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        log?.sleepers.delete(wake);
        this.wake = undefined;
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(wake, ms);
      this.wake = wake;
      log?.sleepers.add(wake);
    });
  }
}

function copyRecord(record: ConsumedRecord): ConsumedRecord {
  // Every reader gets its own bytes, as from a broker: a handler that mutates a buffer harms no one else.
  return {
    ...record,
    key: record.key && Buffer.from(record.key),
    value: Buffer.from(record.value),
  };
}

class EmbeddedBus implements EmbeddedTransport {
  private readonly topics = new Map<string, TopicState>();
  private closing: Promise<void> | undefined;
  readonly maxRecordsPerPartition: number;
  readonly sendTimeoutMs: number;
  readonly maxBatchSize: number;
  readonly redeliveryDelayMs: number;
  private readonly now: () => number;
  private readonly onHandlerError: (error: unknown, batch: PartitionBatch) => void;

  constructor(options: EmbeddedTransportOptions) {
    this.maxRecordsPerPartition = positiveInteger("maxRecordsPerPartition", options.maxRecordsPerPartition);
    this.maxBatchSize = positiveInteger("maxBatchSize", options.maxBatchSize);
    this.sendTimeoutMs = nonNegative("sendTimeoutMs", options.sendTimeoutMs);
    this.redeliveryDelayMs = nonNegative("redeliveryDelayMs", options.redeliveryDelayMs);
    this.now = options.now ?? Date.now;
    this.onHandlerError =
      options.onHandlerError ??
      ((error, batch) =>
        console.error(
          `evtc embedded bus: a handler rejected a batch of partition ${batch.partition} of topic \`${batch.topic}\`; ` +
            `it is delivered again from the last commit`,
          error,
        ));
  }

  reportHandlerError(error: unknown, batch: PartitionBatch): void {
    try {
      this.onHandlerError(error, batch);
    } catch {
      // A failing error hook must not stop delivery: the batch is delivered again either way.
    }
  }

  async ensureTopics(topics: readonly TopicSettings[]): Promise<void> {
    this.assertOpen();
    for (const settings of topics) {
      if (!Number.isInteger(settings.partitions) || settings.partitions < 1) {
        throw new RangeError(`topic \`${settings.name}\` needs a positive whole number of partitions, not ${settings.partitions}`);
      }
    }
    for (const { name, partitions } of topics) {
      if (this.topics.has(name)) continue;
      const logs = Array.from({ length: partitions }, () => new PartitionLog());
      this.topics.set(name, { name, logs, groups: new Map(), roundRobin: 0 });
    }
  }

  async send(records: readonly OutgoingRecord[]): Promise<readonly RecordPosition[]> {
    this.assertOpen();
    const targets = records.map((record) => this.topic(record.topic));
    const deadline = Date.now() + this.sendTimeoutMs;
    const appended: RecordPosition[] = [];
    for (const [i, record] of records.entries()) {
      const topic = targets[i]!;
      const partition =
        record.key === null
          ? topic.roundRobin++ % topic.logs.length
          : partitionForKey(record.key, topic.logs.length);
      try {
        appended.push(await this.append(topic, partition, record, deadline));
      } catch (error) {
        if (!(error instanceof Error) || this.closing) throw error;
        throw new EmbeddedSendTimeoutError(
          `send timed out after ${this.sendTimeoutMs} ms: ${error.message}; ` +
            `${appended.length} of ${records.length} records were appended, the rest were not sent`,
          appended,
        );
      }
    }
    return appended;
  }

  async subscribe(options: SubscriptionOptions, handler: BatchHandler): Promise<Subscription> {
    this.assertOpen();
    const topic = this.topic(options.topic);
    const group = this.group(topic, options.groupId, (log) => (options.fromBeginning ? log.start : log.end));
    const member = new Member(group, handler);
    group.members.push(member);
    group.rebalance();
    return member;
  }

  async lag(groupId: string, topic: string): Promise<number> {
    const state = this.topic(topic);
    const group = state.groups.get(groupId);
    // Without a position, everything retained counts as lag: a backlog is never hidden.
    return state.logs.reduce((sum, log, p) => sum + Math.max(0, log.end - (group?.committed[p] ?? log.start)), 0);
  }

  async seek(groupId: string, topicName: string, target: SeekTarget): Promise<void> {
    this.assertOpen();
    const topic = this.topic(topicName);
    const moves = new Map<number, number>();
    if ("timestamp" in target) {
      if (!Number.isFinite(target.timestamp)) throw new RangeError(`cannot seek to timestamp ${target.timestamp}`);
      topic.logs.forEach((log, p) => moves.set(p, log.offsetForTimestamp(target.timestamp)));
    } else if ("partition" in target) {
      if (!Number.isInteger(target.partition) || topic.logs[target.partition] === undefined) {
        throw new RangeError(`topic \`${topicName}\` has no partition ${target.partition}`);
      }
      moves.set(target.partition, target.offset);
    } else {
      topic.logs.forEach((_, p) => moves.set(p, target.offset));
    }
    for (const [p, offset] of moves) {
      const log = topic.logs[p]!;
      if (!Number.isInteger(offset) || offset < log.start || offset > log.end) {
        throw new RangeError(
          `cannot seek group \`${groupId}\` to offset ${offset} on partition ${p} of topic \`${topicName}\`: ` +
            `it retains offsets ${log.start} to ${log.end}`,
        );
      }
    }
    const group = this.group(topic, groupId, (log) => log.end);
    for (const [p, offset] of moves) {
      group.committed[p] = offset;
      group.epochs[p]!++;
      const reader = group.readers[p];
      if (reader) group.restart(p, reader.member);
      this.makeRoom(topic, p);
    }
  }

  async offsets(topic: string): Promise<readonly PartitionOffsets[]> {
    return this.topic(topic).logs.map((log, partition) => ({ partition, start: log.start, end: log.end }));
  }

  async committed(groupId: string, topic: string): Promise<readonly (number | null)[]> {
    const state = this.topic(topic);
    const group = state.groups.get(groupId);
    return state.logs.map((_, p) => group?.committed[p] ?? null);
  }

  async deleteGroup(groupId: string): Promise<void> {
    for (const topic of this.topics.values()) {
      if ((topic.groups.get(groupId)?.members.length ?? 0) > 0) {
        throw new Error(`cannot delete group \`${groupId}\`: it still has members on topic \`${topic.name}\``);
      }
    }
    for (const topic of this.topics.values()) {
      if (topic.groups.delete(groupId)) topic.logs.forEach((_, p) => this.makeRoom(topic, p));
    }
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    const members: Member[] = [];
    for (const topic of this.topics.values()) {
      for (const log of topic.logs) {
        for (const pending of log.waiting.splice(0)) {
          clearTimeout(pending.timer);
          pending.reject(new Error(`the embedded transport closed while the send waited for room in topic \`${topic.name}\``));
        }
      }
      for (const group of topic.groups.values()) members.push(...group.members);
    }
    await Promise.all(members.map((member) => member.close()));
  }

  private assertOpen(): void {
    if (this.closing) throw new Error("the embedded transport is closed");
  }

  private topic(name: string): TopicState {
    const topic = this.topics.get(name);
    if (!topic) {
      throw new Error(
        `unknown topic \`${name}\`: the embedded bus does not create topics on first use ` +
          `(like Kafka with auto.create.topics.enable=false); create it with ensureTopics first`,
      );
    }
    return topic;
  }

  private group(topic: TopicState, id: string, start: (log: PartitionLog) => number): GroupState {
    if (id === "") throw new Error("a consumer group needs a non-empty id");
    let group = topic.groups.get(id);
    if (!group) {
      group = new GroupState(this, id, topic, start);
      topic.groups.set(id, group);
    }
    return group;
  }

  private append(topic: TopicState, partition: number, record: OutgoingRecord, deadline: number): Promise<RecordPosition> {
    const log = topic.logs[partition]!;
    if (log.waiting.length === 0) {
      if (log.size >= this.maxRecordsPerPartition) this.trim(topic, partition, 1);
      if (log.size < this.maxRecordsPerPartition) return Promise.resolve(this.appendNow(topic, partition, record));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        log.waiting.splice(log.waiting.indexOf(pending), 1);
        reject(new Error(this.fullPartition(topic, partition)));
      }, Math.max(0, deadline - Date.now()));
      const pending: PendingAppend = { record, resolve, reject, timer };
      log.waiting.push(pending);
    });
  }

  private appendNow(topic: TopicState, partition: number, record: OutgoingRecord): RecordPosition {
    const log = topic.logs[partition]!;
    const offset = log.end;
    log.append({
      topic: topic.name,
      partition,
      offset,
      key: record.key === null ? null : Buffer.from(record.key, "utf8"),
      value: Buffer.from(record.value),
      headers: Object.freeze({ ...record.headers }),
      timestamp: this.now(),
    });
    return { topic: topic.name, partition, offset };
  }

  /** Trims what every group with a position has committed past (anything, when none has), up to `extra` free slots. */
  private trim(topic: TopicState, partition: number, extra: number): void {
    const log = topic.logs[partition]!;
    const wanted = log.size + extra - this.maxRecordsPerPartition;
    if (wanted > 0) log.trimTo(Math.min(this.retentionFloor(topic, partition), log.start + wanted));
  }

  /** Appends the sends waiting for room in a partition, in the order they came, as far as room can be made. */
  makeRoom(topic: TopicState, partition: number): void {
    const log = topic.logs[partition]!;
    if (log.waiting.length === 0) return;
    this.trim(topic, partition, log.waiting.length);
    while (log.waiting.length > 0 && log.size < this.maxRecordsPerPartition) {
      const { record, resolve, timer } = log.waiting.shift()!;
      clearTimeout(timer);
      resolve(this.appendNow(topic, partition, record));
    }
  }

  /** The lowest committed offset of the groups with a position on the topic: nothing below it is needed. */
  private retentionFloor(topic: TopicState, partition: number): number {
    let floor = Infinity;
    for (const group of topic.groups.values()) floor = Math.min(floor, group.committed[partition]!);
    return floor;
  }

  private fullPartition(topic: TopicState, partition: number): string {
    const log = topic.logs[partition]!;
    const slowest = [...topic.groups.values()].reduce<GroupState | undefined>(
      (min, group) => (min === undefined || group.committed[partition]! < min.committed[partition]! ? group : min),
      undefined,
    );
    return (
      `partition ${partition} of topic \`${topic.name}\` holds its maximum of ${this.maxRecordsPerPartition} records ` +
      `and group \`${slowest?.id}\` has not committed past offset ${log.start}`
    );
  }
}

function positiveInteger(name: keyof typeof DEFAULTS, value: number | undefined): number {
  const result = value ?? DEFAULTS[name];
  if (!Number.isInteger(result) || result < 1) throw new RangeError(`${name} must be a positive whole number, not ${value}`);
  return result;
}

function nonNegative(name: keyof typeof DEFAULTS, value: number | undefined): number {
  const result = value ?? DEFAULTS[name];
  if (!(result >= 0)) throw new RangeError(`${name} must be zero or more, not ${value}`);
  return result;
}
