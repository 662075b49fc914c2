/**
 * The one interface between the runtime and a broker. The embedded bus and Kafka (kafkajs) both implement
 * it; producers, consumers and enrichers — and the code evtc generates — never know which one they run on.
 *
 * Offsets are numbers: Kafka's are 64-bit, but a partition would need 2^53 records to overflow one.
 */

export interface RecordHeaders {
  readonly [name: string]: string;
}

export interface OutgoingRecord {
  readonly topic: string;
  /** The partition key; records with the same key land in the same partition (murmur2, as Kafka does). */
  readonly key: string | null;
  readonly value: Buffer;
  readonly headers: RecordHeaders;
  /**
   * The topic's `max.message.bytes`, when the sender knows it. Kafka holds a whole batch of a partition's records
   * to it, not each record: a transport that sends records together sends no more of this topic's at once.
   */
  readonly maxMessageBytes?: number;
}

export interface RecordPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

export interface ConsumedRecord extends RecordPosition {
  readonly key: Buffer | null;
  readonly value: Buffer;
  readonly headers: RecordHeaders;
  /** When the broker appended the record, in milliseconds since the epoch. */
  readonly timestamp: number;
}

export interface TopicSettings {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor?: number;
  readonly config?: Readonly<Record<string, string>>;
}

export interface SubscriptionOptions {
  readonly groupId: string;
  readonly topic: string;
  /** Where a group without a committed offset starts: the beginning of the log, or its end (the default). */
  readonly fromBeginning?: boolean;
  /**
   * How many partitions' batches the subscriber handles at once (an ordered reader's `concurrency`): a transport
   * that limits how many it hands out together hands out at least this many.
   */
  readonly partitionsAtOnce?: number;
}

export interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  /** In offset order; never empty. */
  readonly records: readonly ConsumedRecord[];
}

export interface BatchControl {
  /** Commits the group's position in this partition: `nextOffset` is the offset of the next record to read. */
  commit(nextOffset: number): Promise<void>;
  /** Keeps the group membership alive during long processing (a no-op where the transport needs none). */
  heartbeat(): Promise<void>;
  /** False once the subscription is closing or the partition was revoked: stop and do not commit. */
  isActive(): boolean;
}

/**
 * Receives the records of one partition at a time. The transport delivers the next batch of a partition only
 * after the previous one's promise settles, so a partition is never processed twice at once; batches of
 * different partitions may be processed concurrently. Records after the last committed offset are delivered
 * again after a restart or a rebalance. A handler that rejects gets its partition delivered again from the last
 * committed offset, after a pause: the runtime rejects a batch when a record can be neither processed nor
 * dead-lettered (a dead-letter topic that cannot be written), so that it is neither skipped nor lost.
 */
export type BatchHandler = (batch: PartitionBatch, control: BatchControl) => Promise<void>;

export interface Subscription {
  /** Stops fetching, waits for batches in flight, leaves the group. */
  close(): Promise<void>;
}

export interface Transport {
  /** Creates the topics that do not exist yet (existing ones are left as they are). */
  ensureTopics(topics: readonly TopicSettings[]): Promise<void>;
  /** Resolves once every record is durably acknowledged (acks=all on Kafka), with where each one landed. */
  send(records: readonly OutgoingRecord[]): Promise<readonly RecordPosition[]>;
  subscribe(options: SubscriptionOptions, handler: BatchHandler): Promise<Subscription>;
  /** Log end offset minus committed offset, summed over the topic's partitions. */
  lag(groupId: string, topic: string): Promise<number>;
  close(): Promise<void>;
}
