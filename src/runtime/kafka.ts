import type { ConnectionOptions } from "node:tls";
import {
  Kafka,
  Partitioners,
  logLevel as KafkaJsLogLevel,
  type Admin,
  type Consumer,
  type ConsumerRunConfig,
  type EachBatchPayload,
  type IHeaders,
  type KafkaConfig,
  type KafkaMessage,
  type Message,
  type PartitionMetadata,
  type Producer,
  type RecordMetadata,
} from "kafkajs";
import type {
  BatchControl,
  BatchHandler,
  ConsumedRecord,
  OutgoingRecord,
  PartitionBatch,
  RecordHeaders,
  RecordPosition,
  Subscription,
  SubscriptionOptions,
  TopicSettings,
  Transport,
} from "./transport.js";

/**
 * The Kafka transport: `Transport` on kafkajs.
 *
 * Configuration comes from the options, and for what they leave out from the environment:
 *
 * | option     | environment                                   | meaning                                          |
 * |------------|-----------------------------------------------|--------------------------------------------------|
 * | `brokers`  | `KAFKA_BROKERS`                               | bootstrap `host:port` list, comma-separated (required) |
 * | `clientId` | `KAFKA_CLIENT_ID`                             | the client id brokers log and quota on (`evtc`)  |
 * | `sasl`     | `KAFKA_SASL_MECHANISM`, `KAFKA_SASL_USERNAME`, `KAFKA_SASL_PASSWORD` | `plain`, `scram-sha-256` or `scram-sha-512` |
 * | `tls`      | `KAFKA_TLS=1`                                 | TLS with Node's trusted CAs (options: any `tls` options) |
 * | `logLevel` | `KAFKA_LOG_LEVEL`                             | kafkajs's own logging: `nothing`, `error`, `warn` (default), `info`, `debug` |
 * | `maxReplicationFactor` | `KAFKA_MAX_REPLICATION_FACTOR`    | caps the replication of topics `ensureTopics` creates (1 on a one-broker development cluster) |
 *
 * Producing: one idempotent producer with acks=all. kafkajs has no `linger.ms`, so the transport coalesces the
 * `send` calls made within `lingerMs` (5 ms) — or while the previous request is in flight — into one request of
 * at most `maxBatchRecords` records and `maxBatchBytes` bytes; each caller gets the positions of its own records.
 * The transport chooses each record's partition itself with kafkajs's `DefaultPartitioner` (Java's murmur2 for
 * keyed records, round robin for the others) before sending, so a retried request cannot move a record and
 * every record's offset is its partition's base offset plus its place in the partition's batch. A send not
 * acknowledged within `deliveryTimeoutMs` (2 minutes) is rejected; like Java's `delivery.timeout.ms`, the
 * record may still have been written.
 *
 * Consuming: one kafkajs consumer per subscription, offsets committed only when the handler commits, so
 * whatever was delivered but not committed is delivered again after a restart or a rebalance — and, after
 * `redeliveryDelayMs`, from the last commit when a handler rejects (reported to `onHandlerError`), as on the
 * embedded bus.
 */

export type KafkaLogLevel = "nothing" | "error" | "warn" | "info" | "debug";
export type KafkaSaslMechanism = "plain" | "scram-sha-256" | "scram-sha-512";

/** SASL credentials; one type per mechanism, as kafkajs takes them. */
export type KafkaSasl = {
  readonly [M in KafkaSaslMechanism]: { readonly mechanism: M; readonly username: string; readonly password: string };
}[KafkaSaslMechanism];

export interface KafkaTransportOptions {
  /** Bootstrap brokers, `host:port`; default `KAFKA_BROKERS`. */
  readonly brokers?: readonly string[];
  /** Default `KAFKA_CLIENT_ID`, then `evtc`. */
  readonly clientId?: string;
  /** Default from `KAFKA_SASL_MECHANISM`, `KAFKA_SASL_USERNAME` and `KAFKA_SASL_PASSWORD`. */
  readonly sasl?: KafkaSasl;
  /** `true` for TLS with Node's trusted CAs, or Node's TLS options (CA, client certificate…); default `KAFKA_TLS=1`. */
  readonly tls?: boolean | ConnectionOptions;
  /** kafkajs's own logging; default `KAFKA_LOG_LEVEL`, then `warn`. */
  readonly logLevel?: KafkaLogLevel;
  /**
   * The most replicas a topic created by `ensureTopics` gets, `min.insync.replicas` capped to match; default
   * `KAFKA_MAX_REPLICATION_FACTOR`, then none. The generated topology asks for production figures (3 and 2),
   * which a one-broker development cluster cannot give: set 1 there.
   */
  readonly maxReplicationFactor?: number;
  /** How long a send waits for others to share its request, in milliseconds (default 5). */
  readonly lingerMs?: number;
  /** The most records in one request (default 1,000): a full batch is sent without waiting. */
  readonly maxBatchRecords?: number;
  /** The most bytes of keys, values and headers in one request (default 900 KiB, under the broker's 1 MB). */
  readonly maxBatchBytes?: number;
  /** How long a send may wait for its acknowledgement before it is rejected (default 120,000 ms). */
  readonly deliveryTimeoutMs?: number;
  /**
   * How many partitions a subscription processes at once (default 4); an ordered reader whose `concurrency` is
   * higher gets that many.
   */
  readonly partitionsConsumedConcurrently?: number;
  /** Consumer group session timeout (default 30,000 ms); heartbeats every `heartbeatIntervalMs` (3,000). */
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /**
   * How long a fetch waits for records before it returns empty (default 500 ms), and how long a batch being
   * handled may hold kafkajs's fetch loop before its partition is paused.
   */
  readonly maxWaitTimeMs?: number;
  /** Wait before a batch whose handler rejected is delivered again from the last commit (default 500 ms). */
  readonly redeliveryDelayMs?: number;
  /** Told when a handler rejects, before the batch is delivered again (default: `console.error`). */
  readonly onHandlerError?: (error: unknown, batch: PartitionBatch) => void;
  /** Where the defaults come from; `process.env` when absent. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The options with the environment applied and every default filled in. */
export interface ResolvedKafkaOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly sasl: KafkaSasl | undefined;
  readonly tls: boolean | ConnectionOptions;
  readonly logLevel: KafkaLogLevel;
  readonly maxReplicationFactor: number | undefined;
  readonly lingerMs: number;
  readonly maxBatchRecords: number;
  readonly maxBatchBytes: number;
  readonly deliveryTimeoutMs: number;
  readonly partitionsConsumedConcurrently: number;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly maxWaitTimeMs: number;
  readonly redeliveryDelayMs: number;
  readonly onHandlerError: (error: unknown, batch: PartitionBatch) => void;
}

const LOG_LEVELS: Readonly<Record<KafkaLogLevel, KafkaJsLogLevel>> = {
  nothing: KafkaJsLogLevel.NOTHING,
  error: KafkaJsLogLevel.ERROR,
  warn: KafkaJsLogLevel.WARN,
  info: KafkaJsLogLevel.INFO,
  debug: KafkaJsLogLevel.DEBUG,
};

const SASL_MECHANISMS: readonly KafkaSaslMechanism[] = ["plain", "scram-sha-256", "scram-sha-512"];

/** `KAFKA_TLS`: on or off, never a silent off for a value meant as on (`on`, `enabled`). */
function tlsFromEnv(text: string | undefined): boolean {
  const value = (text ?? "").trim().toLowerCase();
  if (["", "0", "false", "no", "off"].includes(value)) return false;
  if (["1", "true", "yes", "on"].includes(value)) return true;
  throw new Error(`unknown KAFKA_TLS \`${text}\`: use 1, true, yes or on (0, false, no or off for none)`);
}

function optionalCount(text: string | undefined): number | undefined {
  return text === undefined || text.trim() === "" ? undefined : Number(text);
}

/** Applies the environment and the defaults to `options`; throws on a missing or malformed setting. */
export function resolveKafkaOptions(options: KafkaTransportOptions = {}): ResolvedKafkaOptions {
  const env = options.env ?? process.env;
  const brokers = options.brokers ?? splitList(env["KAFKA_BROKERS"]);
  if (brokers.length === 0) {
    throw new Error("no Kafka brokers: pass `brokers` or set KAFKA_BROKERS (host:port, comma-separated)");
  }
  const logLevel = options.logLevel ?? (env["KAFKA_LOG_LEVEL"]?.toLowerCase() || "warn");
  if (!(logLevel in LOG_LEVELS)) {
    throw new Error(`unknown KAFKA_LOG_LEVEL \`${logLevel}\`: use ${Object.keys(LOG_LEVELS).join(", ")}`);
  }
  const maxReplication = options.maxReplicationFactor ?? optionalCount(env["KAFKA_MAX_REPLICATION_FACTOR"]);
  if (maxReplication !== undefined && !(Number.isInteger(maxReplication) && maxReplication >= 1)) {
    throw new Error(`KAFKA_MAX_REPLICATION_FACTOR must be a whole number of at least 1, not \`${maxReplication}\``);
  }
  return {
    brokers,
    clientId: options.clientId ?? (env["KAFKA_CLIENT_ID"] || "evtc"),
    maxReplicationFactor: maxReplication,
    sasl: options.sasl ?? saslFromEnv(env),
    tls: options.tls ?? tlsFromEnv(env["KAFKA_TLS"]),
    logLevel: logLevel as KafkaLogLevel,
    lingerMs: options.lingerMs ?? 5,
    maxBatchRecords: options.maxBatchRecords ?? 1000,
    maxBatchBytes: options.maxBatchBytes ?? 900 * 1024,
    deliveryTimeoutMs: options.deliveryTimeoutMs ?? 120_000,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 4,
    sessionTimeoutMs: options.sessionTimeoutMs ?? 30_000,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 3_000,
    maxWaitTimeMs: options.maxWaitTimeMs ?? 500,
    redeliveryDelayMs: options.redeliveryDelayMs ?? 500,
    onHandlerError:
      options.onHandlerError ??
      ((error, batch) =>
        console.error(
          `evtc Kafka transport: a handler rejected a batch of partition ${batch.partition} of topic \`${batch.topic}\`; ` +
            `it is delivered again from the last commit`,
          error,
        )),
  };
}

function splitList(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

function saslFromEnv(env: Readonly<Record<string, string | undefined>>): KafkaSasl | undefined {
  const mechanism = env["KAFKA_SASL_MECHANISM"]?.toLowerCase();
  if (!mechanism) return undefined;
  if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
    throw new Error(`unknown KAFKA_SASL_MECHANISM \`${mechanism}\`: use ${SASL_MECHANISMS.join(", ")}`);
  }
  const username = env["KAFKA_SASL_USERNAME"];
  const password = env["KAFKA_SASL_PASSWORD"];
  if (username === undefined || password === undefined) {
    throw new Error("KAFKA_SASL_MECHANISM is set: set KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD too");
  }
  // Checked against SASL_MECHANISMS above.
  return { mechanism, username, password } as KafkaSasl;
}

/** Creates the transport; it connects on first use. */
export function createKafkaTransport(options: KafkaTransportOptions = {}): Transport {
  return new KafkaTransport(resolveKafkaOptions(options));
}

/** One caller's `send`, waiting to be sent or acknowledged. */
interface PendingSend {
  readonly records: readonly OutgoingRecord[];
  readonly bytes: number;
  settled: boolean;
  resolve(positions: readonly RecordPosition[]): void;
  reject(error: Error): void;
  readonly timer: NodeJS.Timeout;
}

/** Where the records of one topic partition stand in a request. */
interface PartitionSlots {
  readonly topic: string;
  readonly partition: number;
  /** The callers' records in the order they are sent: the n-th one lands at base offset + n. */
  readonly slots: Array<{ readonly send: number; readonly record: number }>;
}

const METADATA_MAX_AGE_MS = 300_000;
// Per record: roughly what a record adds to a batch besides its key, value and headers.
const RECORD_OVERHEAD_BYTES = 32;
/** A header's two length varints (zigzag), at most 2 bytes each for names and values under 8 KiB. */
const HEADER_OVERHEAD_BYTES = 4;
/** The header of a record batch (message format v2), which `max.message.bytes` counts too. */
const RECORD_BATCH_OVERHEAD_BYTES = 61;

class KafkaTransport implements Transport {
  private readonly kafka: Kafka;
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private producer: Promise<Producer> | undefined;
  private admin: Promise<Admin> | undefined;
  private readonly metadata = new Map<string, { at: number; partitions: Promise<PartitionMetadata[]> }>();
  private readonly subscriptions = new Set<KafkaSubscription>();
  private readonly queue: PendingSend[] = [];
  private readonly unsettled = new Set<Promise<unknown>>();
  private queuedRecords = 0;
  private queuedBytes = 0;
  private linger: NodeJS.Timeout | undefined;
  private inFlight = false;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: ResolvedKafkaOptions) {
    const config: KafkaConfig = {
      brokers: [...options.brokers],
      clientId: options.clientId,
      ssl: options.tls,
      logLevel: LOG_LEVELS[options.logLevel],
      // Reconnect quickly after a broker restart; kafkajs waits up to 30 s between attempts by default.
      retry: { initialRetryTime: 100, maxRetryTime: 5_000, retries: 8 },
    };
    if (options.sasl) config.sasl = { ...options.sasl };
    this.kafka = new Kafka(config);
  }

  // --- topics and lag ---------------------------------------------------------------------------------------

  async ensureTopics(topics: readonly TopicSettings[]): Promise<void> {
    if (topics.length === 0) return;
    const admin = await this.connectAdmin();
    const existing = new Set(await admin.listTopics());
    const missing = new Map<string, TopicSettings>();
    for (const topic of topics) if (!existing.has(topic.name)) missing.set(topic.name, topic);
    if (missing.size > 0) {
      // Resolves false when another client created them all first; an error names any other failure.
      await admin.createTopics({
        waitForLeaders: true,
        topics: [...missing.values()].map((topic) => this.creatable(topic)),
      });
    }
    for (const topic of topics) this.metadata.delete(topic.name);
  }

  /** A topic as `createTopics` takes it, its replication capped by `maxReplicationFactor`. */
  private creatable(topic: TopicSettings) {
    const cap = this.options.maxReplicationFactor;
    const config: Record<string, string> = { ...topic.config };
    let replicationFactor = topic.replicationFactor ?? -1;
    if (cap !== undefined) {
      replicationFactor = replicationFactor === -1 ? cap : Math.min(replicationFactor, cap);
      const minInsync = config["min.insync.replicas"];
      if (minInsync !== undefined && Number(minInsync) > replicationFactor) {
        config["min.insync.replicas"] = String(replicationFactor);
      }
    }
    return {
      topic: topic.name,
      numPartitions: topic.partitions,
      replicationFactor,
      configEntries: Object.entries(config).map(([name, value]) => ({ name, value })),
    };
  }

  async lag(groupId: string, topic: string): Promise<number> {
    const admin = await this.connectAdmin();
    const [ends, groups] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    const committed = new Map<number, number>();
    for (const entry of groups.find((group) => group.topic === topic)?.partitions ?? []) {
      committed.set(entry.partition, Number(entry.offset));
    }
    let lag = 0;
    for (const end of ends) {
      const position = committed.get(end.partition) ?? -1;
      // Without a committed offset, the group has everything still in the log ahead of it.
      const from = position >= 0 ? position : Number(end.low);
      lag += Math.max(0, Number(end.high) - from);
    }
    return lag;
  }

  // --- producing ----------------------------------------------------------------------------------------------

  send(records: readonly OutgoingRecord[]): Promise<readonly RecordPosition[]> {
    if (this.closing) return Promise.reject(new Error("the Kafka transport is closed"));
    if (records.length === 0) return Promise.resolve([]);
    const promise = new Promise<readonly RecordPosition[]>((resolve, reject) => {
      const bytes = records.reduce((sum, record) => sum + recordBytes(record), 0);
      const pending: PendingSend = {
        records,
        bytes,
        settled: false,
        resolve: (positions) => {
          if (pending.settled) return;
          pending.settled = true;
          clearTimeout(pending.timer);
          resolve(positions);
        },
        reject: (error) => {
          if (pending.settled) return;
          pending.settled = true;
          clearTimeout(pending.timer);
          reject(error);
        },
        timer: setTimeout(() => this.expire(pending), this.options.deliveryTimeoutMs),
      };
      this.queue.push(pending);
      this.queuedRecords += records.length;
      this.queuedBytes += bytes;
      this.schedule();
    });
    const tracked = promise.then(
      () => undefined,
      () => undefined,
    );
    this.unsettled.add(tracked);
    void tracked.then(() => this.unsettled.delete(tracked));
    return promise;
  }

  private expire(pending: PendingSend): void {
    const queued = this.queue.indexOf(pending);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.queuedRecords -= pending.records.length;
      this.queuedBytes -= pending.bytes;
      pending.reject(new Error(`not sent to Kafka within ${this.options.deliveryTimeoutMs} ms`));
    } else {
      pending.reject(
        new Error(`not acknowledged by Kafka within ${this.options.deliveryTimeoutMs} ms; it may still be written`),
      );
    }
  }

  /** Sends now when a batch is full, else after the linger time; never while a request is in flight. */
  private schedule(): void {
    if (this.inFlight || this.queue.length === 0) return;
    const full = this.queuedRecords >= this.options.maxBatchRecords || this.queuedBytes >= this.options.maxBatchBytes;
    if (full) {
      clearTimeout(this.linger);
      this.linger = undefined;
      this.drain();
    } else if (!this.linger) {
      this.linger = setTimeout(() => {
        this.linger = undefined;
        this.drain();
      }, this.options.lingerMs);
    }
  }

  /** Takes what fits in one request off the queue and sends it; what queues meanwhile goes right after. */
  private drain(): void {
    if (this.inFlight || this.queue.length === 0) return;
    const batch: PendingSend[] = [];
    let records = 0;
    let bytes = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      const fits =
        records + next.records.length <= this.options.maxBatchRecords &&
        bytes + next.bytes <= this.options.maxBatchBytes;
      // A send is never split; one larger than a batch goes alone.
      if (batch.length > 0 && !fits) break;
      this.queue.shift();
      batch.push(next);
      records += next.records.length;
      bytes += next.bytes;
    }
    this.queuedRecords -= records;
    this.queuedBytes -= bytes;
    this.inFlight = true;
    void this.sendBatch(batch).finally(() => {
      this.inFlight = false;
      // Whatever queued during the request has waited at least as long as the linger time: send it now.
      if (this.queue.length > 0) this.drain();
    });
  }

  /** Puts sends taken for a request back at the front of the queue, in their order, for the next request. */
  private requeue(sends: readonly PendingSend[]): void {
    this.queue.unshift(...sends);
    for (const pending of sends) {
      this.queuedRecords += pending.records.length;
      this.queuedBytes += pending.bytes;
    }
  }

  /**
   * Sends one request for `batch` and answers each caller. Partitions are chosen once, before the first
   * attempt; a failed attempt is repeated as it was — same records, same partitions, so the idempotent producer
   * can recognise a repeat of a request that had in fact been written — until it succeeds, fails for good, or
   * every caller's delivery timeout has passed.
   */
  private async sendBatch(batch: readonly PendingSend[]): Promise<void> {
    const metadata = await this.metadataFor(batch);
    const ready = batch.flatMap((pending, index) => (pending.settled ? [] : [{ pending, index }]));
    if (ready.length === 0) return;

    // Each record's partition, and the bytes of each partition of a topic whose records say its
    // `max.message.bytes`: the broker refuses a partition's batch above it (even of small records:
    // MESSAGE_TOO_LARGE, not retried), and kafkajs does not split one as Java's producer does. The first send that
    // would take a partition over it goes back to the front of the queue with every send after it (a partition's
    // records keep their order), for the next request; the first send of a request always goes.
    const placed: { pending: PendingSend; index: number; messages: Message[] }[] = [];
    const limitedBytes = new Map<string, number>();
    for (const [position, { pending, index }] of ready.entries()) {
      const messages: Message[] = [];
      const added = new Map<string, number>();
      let overflows = false;
      for (const record of pending.records) {
        const message: Message = { key: record.key, value: record.value, headers: { ...record.headers } };
        message.partition = this.partitioner({
          topic: record.topic,
          partitionMetadata: metadata.get(record.topic)!,
          message,
        });
        messages.push(message);
        if (record.maxMessageBytes === undefined) continue;
        const id = `${message.partition}:${record.topic}`;
        const total = (added.get(id) ?? limitedBytes.get(id) ?? 0) + recordBytes(record);
        added.set(id, total);
        if (total > record.maxMessageBytes - RECORD_BATCH_OVERHEAD_BYTES) overflows = true;
      }
      if (overflows && placed.length > 0) {
        this.requeue(ready.slice(position).map((entry) => entry.pending));
        break;
      }
      for (const [id, total] of added) limitedBytes.set(id, total);
      placed.push({ pending, index, messages });
    }

    const topicMessages = new Map<string, Message[]>();
    const partitions = new Map<string, PartitionSlots>();
    for (const { pending, index, messages } of placed) {
      pending.records.forEach((record, recordIndex) => {
        const message = messages[recordIndex]!;
        const partition = message.partition!;
        const forTopic = topicMessages.get(record.topic) ?? [];
        forTopic.push(message);
        topicMessages.set(record.topic, forTopic);
        const id = `${partition}:${record.topic}`;
        let slots = partitions.get(id);
        if (!slots) partitions.set(id, (slots = { topic: record.topic, partition, slots: [] }));
        slots.slots.push({ send: index, record: recordIndex });
      });
    }
    const sent = placed.map(({ pending, index }) => ({ pending, index }));

    let response: RecordMetadata[];
    for (let attempt = 0; ; attempt++) {
      try {
        const producer = await this.connectProducer();
        response = await producer.sendBatch({
          acks: -1,
          topicMessages: [...topicMessages].map(([topic, messages]) => ({ topic, messages })),
        });
        break;
      } catch (error) {
        if (!retriable(error) || sent.every(({ pending }) => pending.settled)) {
          for (const topic of topicMessages.keys()) this.metadata.delete(topic);
          for (const { pending } of sent) pending.reject(asError(error));
          return;
        }
        // kafkajs gave up reconnecting (a broker restart takes longer than its retries): try again.
        await delay(Math.min(200 * 2 ** attempt, 2_000));
      }
    }

    const positions = new Map<number, Array<RecordPosition | undefined>>(
      sent.map(({ index, pending }) => [
        index,
        new Array<RecordPosition | undefined>(pending.records.length).fill(undefined),
      ]),
    );
    const problems: string[] = [];
    for (const slots of partitions.values()) {
      const answer = response.find((entry) => entry.topicName === slots.topic && entry.partition === slots.partition);
      const base = answer?.baseOffset ?? answer?.offset;
      if (answer === undefined || base === undefined || answer.errorCode !== 0) {
        problems.push(`${slots.topic}/${slots.partition}`);
        continue;
      }
      slots.slots.forEach((slot, n) => {
        positions.get(slot.send)![slot.record] = {
          topic: slots.topic,
          partition: slots.partition,
          offset: Number(base) + n,
        };
      });
    }
    for (const { pending, index } of sent) {
      const mine = positions.get(index)!;
      if (mine.every((position) => position !== undefined)) pending.resolve(mine);
      else pending.reject(new Error(`Kafka did not acknowledge ${problems.join(", ")}`));
    }
  }

  /**
   * The partitions of every topic `batch` sends to. A send to a topic that does not exist (or whose metadata
   * fails for good) is rejected alone; while the brokers cannot be reached, it waits and asks again.
   */
  private async metadataFor(batch: readonly PendingSend[]): Promise<Map<string, PartitionMetadata[]>> {
    const metadata = new Map<string, PartitionMetadata[]>();
    for (const pending of batch) {
      for (let attempt = 0; !pending.settled; attempt++) {
        try {
          for (const record of pending.records) {
            if (!metadata.has(record.topic)) metadata.set(record.topic, await this.partitionsOf(record.topic));
          }
          break;
        } catch (error) {
          if (!retriable(error)) pending.reject(asError(error));
          else await delay(Math.min(200 * 2 ** attempt, 2_000));
        }
      }
    }
    return metadata;
  }

  private partitionsOf(topic: string): Promise<PartitionMetadata[]> {
    const cached = this.metadata.get(topic);
    if (cached && Date.now() - cached.at < METADATA_MAX_AGE_MS) return cached.partitions;
    const partitions = (async () => {
      const admin = await this.connectAdmin();
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] }).catch((error: unknown) => {
        throw rootCause(error).type === "UNKNOWN_TOPIC_OR_PARTITION" ? missingTopic(topic) : error;
      });
      const found = topics.find((entry) => entry.name === topic);
      if (!found || found.partitions.length === 0) throw missingTopic(topic);
      return found.partitions;
    })();
    this.metadata.set(topic, { at: Date.now(), partitions });
    partitions.catch(() => {
      if (this.metadata.get(topic)?.partitions === partitions) this.metadata.delete(topic);
    });
    return partitions;
  }

  // --- consuming ----------------------------------------------------------------------------------------------

  async subscribe(options: SubscriptionOptions, handler: BatchHandler): Promise<Subscription> {
    if (this.closing) throw new Error("the Kafka transport is closed");
    const subscription = new KafkaSubscription(
      this.kafka.consumer({
        groupId: options.groupId,
        allowAutoTopicCreation: false,
        sessionTimeout: this.options.sessionTimeoutMs,
        heartbeatInterval: this.options.heartbeatIntervalMs,
        maxWaitTimeInMs: this.options.maxWaitTimeMs,
      }),
      handler,
      this.options,
      Math.max(this.options.partitionsConsumedConcurrently, options.partitionsAtOnce ?? 0),
      () => this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    try {
      await subscription.start(options);
    } catch (error) {
      await subscription.close().catch(() => undefined);
      throw error;
    }
    return subscription;
  }

  // --- lifecycle ----------------------------------------------------------------------------------------------

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    // Pending sends go out now; each settles, at the latest, at its delivery timeout.
    clearTimeout(this.linger);
    this.linger = undefined;
    this.drain();
    await Promise.all(this.unsettled);
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    const clients = [this.producer, this.admin].filter((client) => client !== undefined);
    await Promise.all(clients.map(async (client) => (await client.catch(() => undefined))?.disconnect()));
  }

  private connectProducer(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.kafka.producer({
        idempotent: true,
        allowAutoTopicCreation: false,
        // Stated, not left to the default: Java's murmur2 placement of keys (kafkajs 2's default partitioner).
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      this.producer = producer.connect().then(() => producer);
      this.producer.catch(() => (this.producer = undefined));
    }
    return this.producer;
  }

  private connectAdmin(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      this.admin = admin.connect().then(() => admin);
      this.admin.catch(() => (this.admin = undefined));
    }
    return this.admin;
  }
}

class KafkaSubscription implements Subscription {
  private closing: Promise<void> | undefined;
  /** Bumped at every rebalance, join and crash: a batch from an earlier generation is no longer active. */
  private generation = 0;
  /** The last batch of each partition, so a partition's next batch starts only after it settles. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();
  /**
   * Where each partition is read again from after a handler rejects: its last commit in this generation, else
   * the first offset this generation delivered (which is where the group's committed position was).
   */
  private readonly restartAt = new Map<string, { generation: number; offset: number }>();
  /** Batches being handled, and those waiting for one of them to finish (see `inSlot`). */
  private handling = 0;
  private readonly waitingForSlot: Array<() => void> = [];
  private runConfig: ConsumerRunConfig | undefined;
  /** Running the consumer again after kafkajs left it stopped (see the CRASH listener). */
  private restarting: Promise<void> | undefined;
  private stopped = false;
  /** Resolves when the subscription starts closing (ends the wait of `runAgain`). */
  private readonly closed: Promise<void>;
  private markClosed!: () => void;

  constructor(
    private readonly consumer: Consumer,
    private readonly handler: BatchHandler,
    private readonly options: Pick<ResolvedKafkaOptions, "redeliveryDelayMs" | "onHandlerError" | "maxWaitTimeMs">,
    /** How many batches (of different partitions) are handled at once. */
    private readonly concurrency: number,
    private readonly onClosed: () => void,
  ) {
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
    const bump = (): void => {
      this.generation++;
    };
    consumer.on(consumer.events.REBALANCING, bump);
    consumer.on(consumer.events.GROUP_JOIN, bump);
    consumer.on(consumer.events.CRASH, (event) => {
      bump();
      // kafkajs restarts a crashed consumer only after errors it deems passing. Not finding the group coordinator
      // while the brokers are away is not one of them (tulios/kafkajs#1445): the consumer would stay stopped, and
      // the subscription would end without a word. It is run again until it joins or the subscription closes.
      if (event.payload.restart || this.closing) return;
      this.stopped = true;
      this.restarting ??= this.runAgain();
    });
  }

  async start(options: SubscriptionOptions): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [options.topic], fromBeginning: options.fromBeginning ?? false });
    this.runConfig = {
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.concurrency,
      eachBatch: (payload) => this.onBatch(payload),
    };
    // Resolves once the consumer has joined the group.
    await this.consumer.run(this.runConfig);
  }

  /** Runs the stopped consumer again (it keeps its subscription), waiting longer after each failure. */
  private async runAgain(): Promise<void> {
    try {
      for (let attempt = 0; ; attempt++) {
        let timer: NodeJS.Timeout | undefined;
        const wait = new Promise((resolve) => (timer = setTimeout(resolve, Math.min(500 * 2 ** attempt, 5_000))));
        await Promise.race([wait, this.closed]);
        clearTimeout(timer);
        if (this.closing) return;
        try {
          this.stopped = false;
          await this.consumer.connect();
          // Resolves once the consumer has joined the group — or crashed again, which sets `stopped`.
          await this.consumer.run(this.runConfig);
          if (!this.stopped) return;
        } catch {
          // The brokers are still away: try again later.
        }
      }
    } finally {
      this.restarting = undefined;
    }
  }

  /**
   * Hands a batch to the handler without holding kafkajs's fetch loop for long. kafkajs fetches from a broker
   * again only once every batch of its previous fetch from that broker has been handled: awaited for as long as it
   * takes, a batch whose records are being retried would hold back every partition that broker leads, not its own
   * partition only. So a batch that can start at once is awaited for at most `maxWaitTimeMs`; one that takes
   * longer, or has to wait for a slot or for its partition's previous batch, has its partition paused — left out
   * of fetches — until it settles, while kafkajs goes on fetching the others and heartbeating.
   * Pausing every batch at once instead would leave kafkajs, when every partition it fetched is being handled,
   * with nothing to fetch, and it then sleeps `maxWaitTimeMs` before it looks again (kafkajs 2.2's
   * `ConsumerGroup.fetch`), however soon the batches settle: a consumer that keeps up waited that long after each
   * round. Holding the fetch loop that long for a batch being handled costs no more than that sleep. At most
   * `concurrency` batches are handled at once.
   */
  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0) return;
    // While closing, nothing new is handed out (nor marked read): it is delivered again after a restart.
    if (this.closing) {
      payload.pause();
      return;
    }
    const { topic, partition } = batch;
    const generation = this.generation;
    const isActive = (): boolean =>
      !this.closing && generation === this.generation && payload.isRunning() && !payload.isStale();
    const key = `${partition}:${topic}`;
    const records = batch.messages.map((message) => consumedRecord(topic, partition, message));
    if (this.restartAt.get(key)?.generation !== generation) {
      this.restartAt.set(key, { generation, offset: records[0]!.offset });
    }
    const control: BatchControl = {
      commit: async (nextOffset) => {
        await this.consumer.commitOffsets([{ topic, partition, offset: String(nextOffset) }]);
        const restart = this.restartAt.get(key);
        if (restart?.generation === generation) restart.offset = nextOffset;
      },
      // kafkajs's fetch loop, held by a batch for `maxWaitTimeMs` at most, keeps the membership alive.
      heartbeat: async () => {},
      isActive,
    };

    // A partition's batches follow one another also across a rebalance or a restart of the kafkajs consumer,
    // which may hand the partition out again while an earlier batch of it is still being handled.
    const previous = this.chains.get(key);
    // A batch that cannot start at once (its partition's previous batch, or every slot, is still busy) is not
    // held: it would hold the fetch loop while it waits, not while it is handled.
    const waits = previous !== undefined || this.handling >= this.concurrency;
    const settled = (previous ?? Promise.resolve())
      .then(() => this.inSlot(() => this.handler({ topic, partition, records }, control)))
      .then(
        () => {
          // The fetch position moves past the batch; the committed offset moves only when the handler commits.
          if (isActive()) payload.resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
        },
        async (error: unknown) => {
          // As on the embedded bus: report, wait, and read the partition again from the last commit.
          try {
            this.options.onHandlerError(error, { topic, partition, records });
          } catch {
            // A failing error hook must not stop delivery.
          }
          await delay(this.options.redeliveryDelayMs);
          if (isActive()) payload.resolveOffset(String(this.restartAt.get(key)!.offset - 1));
        },
      );
    this.chains.set(key, settled);
    this.inFlight.add(settled);
    void settled.then(() => {
      this.inFlight.delete(settled);
      if (this.chains.get(key) === settled) this.chains.delete(key);
    });
    if (waits || !(await settlesWithin(settled, this.options.maxWaitTimeMs))) {
      const resume = payload.pause();
      void settled.then(resume, resume);
    }
  }

  /** Runs `work` once fewer than `concurrency` batches are being handled. */
  private async inSlot(work: () => Promise<void>): Promise<void> {
    if (this.handling < this.concurrency) this.handling++;
    // A slot is handed over by the batch that frees it.
    else await new Promise<void>((resolve) => this.waitingForSlot.push(resolve));
    try {
      await work();
    } finally {
      const next = this.waitingForSlot.shift();
      if (next) next();
      else this.handling--;
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        this.markClosed();
        await this.restarting;
        await Promise.all(this.inFlight);
        // Stops fetching and leaves the group; commits nothing (autoCommit is off).
        await this.consumer.disconnect();
      } finally {
        this.onClosed();
      }
    })();
    return this.closing;
  }
}

function consumedRecord(topic: string, partition: number, message: KafkaMessage): ConsumedRecord {
  return {
    topic,
    partition,
    offset: Number(message.offset),
    key: message.key ?? null,
    // A tombstone (null value) reads as an empty value.
    value: message.value ?? Buffer.alloc(0),
    headers: decodeHeaders(message.headers),
    timestamp: Number(message.timestamp),
  };
}

/** Header values as UTF-8 strings; of a header repeated under one name, the last (Java's `lastHeader`). */
function decodeHeaders(headers: IHeaders | undefined): RecordHeaders {
  const decoded: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) decoded[name] = Buffer.isBuffer(last) ? last.toString("utf8") : String(last);
  }
  return decoded;
}

function recordBytes(record: OutgoingRecord): number {
  let bytes = RECORD_OVERHEAD_BYTES + record.value.length;
  if (record.key !== null) bytes += Buffer.byteLength(record.key);
  for (const [name, value] of Object.entries(record.headers)) {
    bytes += HEADER_OVERHEAD_BYTES + Buffer.byteLength(name) + Buffer.byteLength(value);
  }
  return bytes;
}

/** The error kafkajs's wrappers (retries exceeded, non-retriable…) were caused by. */
function rootCause(error: unknown): { retriable?: boolean; type?: string } {
  let cause = error as { cause?: unknown; retriable?: boolean; type?: string } | undefined;
  while (cause?.cause) cause = cause.cause as typeof cause;
  return cause ?? {};
}

/** Whether trying again may succeed: what kafkajs calls retriable at the root, a lost connection above all. */
function retriable(error: unknown): boolean {
  return rootCause(error).retriable === true;
}

function missingTopic(topic: string): Error {
  return Object.assign(new Error(`topic \`${topic}\` does not exist`), { retriable: false });
}

/** Whether `work` settles, either way, within `ms`; the timer is cleared as soon as it does. */
async function settlesWithin(work: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
