import { replayGroupOf } from "../emit/names.js";
import { messageOf } from "./logger.js";
import type { RuntimeMetrics } from "./metrics.js";
import type { ReplayOptions, ReplayResult } from "./api.js";
import type { ReaderSpec } from "./spec.js";
import type {
  ConsumedRecord,
  OutgoingRecord,
  RecordHeaders,
  Subscription,
  TopicSettings,
  Transport,
} from "./transport.js";

/**
 * Dead letters: what a guaranteed reader could not process goes, unchanged (same key, value and headers), to
 * its dead-letter topic with headers saying where it came from and why; `replayDeadLetters` sends it back.
 */
export const DLQ_HEADERS = {
  /** The topic the record was read from. */
  topic: "evtc_dlq_topic",
  partition: "evtc_dlq_partition",
  offset: "evtc_dlq_offset",
  /** The consumer or enricher that gave up on it. */
  consumer: "evtc_dlq_consumer",
  /** Attempts made at the handler: 0 when the record never reached it (invalid, unaccepted version). */
  attempts: "evtc_dlq_attempts",
  /** Why: the last attempt's error message, or the validation problems (at most 1,000 characters). */
  error: "evtc_dlq_error",
  /** On a replayed record: `<dlq topic>:<partition>:<offset>` it was replayed from. */
  replayedFrom: "evtc_replayed_from",
} as const;

export const DLQ_ERROR_MAX_LENGTH = 1_000;

const DAY_MS = 86_400_000;

/** Dead-letter topic settings, shared with the generated topology (`src/emit/topology.ts`) so the two agree. */
export const DEAD_LETTER_DEFAULTS = {
  /** Failed events are few; one partition keeps them in the order they failed, which makes replay simple. */
  partitions: 1,
  /** 30 days (or the source topic's retention when that is longer): time to notice, fix and replay. */
  retentionMs: 30 * DAY_MS,
  /** Room on top of the source topic's `max.message.bytes` for the failure headers a dead letter carries. */
  headroomBytes: 16 * 1024,
} as const;

/**
 * How `start` creates a dead-letter topic that does not exist yet, as the generated topology declares it
 * (docs/build.md): one partition (records keep their key, and a replay sends them back in the order they
 * failed), the source topic's replication, `delete` cleanup even for a compacted source, 30 days of retention
 * or the source's when longer, and room for the `evtc_dlq_*` headers on top of the source's record size.
 */
export function deadLetterTopicSettings<T>(reader: ReaderSpec<T>): TopicSettings | undefined {
  if (reader.dlqTopic === undefined) return undefined;
  const source = reader.topic;
  const config: Record<string, string> = {
    "cleanup.policy": "delete",
    "retention.ms": String(Math.max(DEAD_LETTER_DEFAULTS.retentionMs, Number(source.config["retention.ms"] ?? 0))),
  };
  const minInsync = source.config["min.insync.replicas"];
  if (minInsync !== undefined) config["min.insync.replicas"] = minInsync;
  const maxBytes = source.config["max.message.bytes"];
  if (maxBytes !== undefined)
    config["max.message.bytes"] = String(Number(maxBytes) + DEAD_LETTER_DEFAULTS.headroomBytes);
  return {
    name: reader.dlqTopic,
    partitions: DEAD_LETTER_DEFAULTS.partitions,
    ...(source.replicationFactor !== undefined ? { replicationFactor: source.replicationFactor } : {}),
    config,
  };
}

export interface DeadLetter {
  readonly dlqTopic: string;
  readonly consumer: string;
  readonly attempts: number;
  /** The error that made the reader give up, or a reason the record was not accepted. */
  readonly error: unknown;
}

/** The record to send to the dead-letter topic for `record`. */
export function deadLetterRecord(record: ConsumedRecord, letter: DeadLetter): OutgoingRecord {
  return {
    topic: letter.dlqTopic,
    key: record.key === null ? null : record.key.toString("utf8"),
    value: record.value,
    headers: {
      ...record.headers,
      [DLQ_HEADERS.topic]: record.topic,
      [DLQ_HEADERS.partition]: String(record.partition),
      [DLQ_HEADERS.offset]: String(record.offset),
      [DLQ_HEADERS.consumer]: letter.consumer,
      [DLQ_HEADERS.attempts]: String(letter.attempts),
      [DLQ_HEADERS.error]: truncate(messageOf(letter.error), DLQ_ERROR_MAX_LENGTH),
    },
  };
}

/**
 * The dead-letter topic a replayed record came from, when it is one: readers of the source topic other than
 * the one that dead-lettered it skip it, so a replay re-runs one reader, not every reader of the topic.
 */
export function replayedFromTopic(headers: RecordHeaders): string | undefined {
  const from = headers[DLQ_HEADERS.replayedFrom];
  return from === undefined ? undefined : from.slice(0, from.indexOf(":") < 0 ? from.length : from.indexOf(":"));
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The record that sends a dead letter back to its source topic: original headers, the DLQ ones replaced. */
function replayRecord(record: ConsumedRecord, sourceTopic: string, from: string): OutgoingRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.headers)) {
    if (!name.startsWith("evtc_dlq_")) headers[name] = value;
  }
  headers[DLQ_HEADERS.replayedFrom] = from;
  return {
    topic: sourceTopic,
    key: record.key === null ? null : record.key.toString("utf8"),
    value: record.value,
    headers,
  };
}

export const DEFAULT_REPLAY_IDLE_MS = 10_000;

/**
 * Reads `reader`'s dead-letter topic in the group `replayGroupOf(reader.groupId)` and sends each record back to
 * the source topic, committing as it goes, so the next replay continues after what this one replayed. Stops at
 * `limit`, once the group has caught up with the topic, when nothing arrived for `idleMs`, or at a record this
 * very replay sent back that failed again (it waits for the next replay instead of looping).
 */
export async function replayDeadLetters<T>(
  transport: Transport,
  metrics: RuntimeMetrics,
  reader: ReaderSpec<T>,
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  const dlqTopic = reader.dlqTopic;
  if (dlqTopic === undefined) throw new Error(`\`${reader.name}\` has no dead-letter topic to replay`);
  const limit = options.limit ?? Infinity;
  const idleMs = options.idleMs ?? DEFAULT_REPLAY_IDLE_MS;
  // The source topic's `max.message.bytes`, for the transport (see `OutgoingRecord`).
  const sourceMax = reader.topic.config["max.message.bytes"];
  const sourceLimit = sourceMax !== undefined ? { maxMessageBytes: Number(sourceMax) } : {};
  const groupId = replayGroupOf(reader.groupId);
  const sentBack = new Set<string>();
  let replayed = 0;
  let finished = false;
  let failure: unknown;
  let idle: NodeJS.Timeout | undefined;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = () => {
      finished = true;
      clearTimeout(idle);
      resolve();
    };
  });
  const keepAlive = (): void => {
    clearTimeout(idle);
    if (!finished) idle = setTimeout(finish, idleMs);
  };
  const caughtUp = async (): Promise<void> => {
    if ((await transport.lag(groupId, dlqTopic)) === 0) finish();
  };

  let subscription: Subscription | undefined;
  try {
    keepAlive();
    subscription = await transport.subscribe(
      { groupId, topic: dlqTopic, fromBeginning: true },
      async (batch, control) => {
        if (finished) return;
        keepAlive();
        let next: number | undefined;
        try {
          for (const record of batch.records) {
            if (finished || !control.isActive()) break;
            const previous = record.headers[DLQ_HEADERS.replayedFrom];
            if (replayed >= limit || (previous !== undefined && sentBack.has(previous))) {
              finish();
              break;
            }
            const from = `${dlqTopic}:${record.partition}:${record.offset}`;
            replayed++;
            try {
              await transport.send([{ ...replayRecord(record, reader.topic.name, from), ...sourceLimit }]);
            } catch (error) {
              replayed--;
              throw error;
            }
            metrics.produced.inc({ topic: reader.topic.name });
            sentBack.add(from);
            next = record.offset + 1;
          }
        } catch (error) {
          failure ??= error;
          finish();
        }
        if (next !== undefined && control.isActive()) await control.commit(next);
        if (replayed >= limit) finish();
        if (!finished) await caughtUp();
      },
    );
    if (limit <= 0) finish();
    else await caughtUp();
    await done;
  } finally {
    clearTimeout(idle);
    await subscription?.close();
  }
  if (failure !== undefined) {
    throw new Error(`replaying \`${dlqTopic}\` stopped after ${replayed} records: ${messageOf(failure)}`, {
      cause: failure,
    });
  }
  return { replayed };
}
