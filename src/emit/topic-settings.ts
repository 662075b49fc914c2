import type { Topic } from "../model/bus.js";

/**
 * The broker settings of a topic, derived once for the topology, the Strimzi resources and the generated
 * topic specs (which the runtime uses to create missing topics). Defaults follow what Kafka operators run in
 * production: three replicas, two in sync before a write is acknowledged.
 */
export const DEFAULT_REPLICATION_FACTOR = 3;
export const DEFAULT_MIN_INSYNC_REPLICAS = 2;

/**
 * What a topic's `max.message.bytes` allows beyond its `maxSize`: Kafka holds a whole record — key, headers (the
 * envelope: some 300 bytes and more with long topic names), record and batch overhead — to it, while `maxSize`
 * is the event's own size, which the runtime enforces. The dead-letter topics add as much again for their
 * headers.
 */
export const ENVELOPE_HEADROOM_BYTES = 16 * 1024;

export interface TopicSettings {
  readonly partitions: number;
  readonly replicationFactor: number;
  /** The largest event value, in bytes: the declared `maxSize`. */
  readonly maxSize: number;
  /** Kafka topic configs, keys sorted. */
  readonly config: Readonly<Record<string, string>>;
}

export function topicSettings(topic: Topic): TopicSettings {
  const replicationFactor = topic.segment?.replicas ?? DEFAULT_REPLICATION_FACTOR;
  const minInsync = Math.min(topic.segment?.minInsync ?? DEFAULT_MIN_INSYNC_REPLICAS, replicationFactor);
  return {
    partitions: topic.partitions,
    replicationFactor,
    maxSize: topic.maxSizeBytes,
    config: {
      "cleanup.policy": topic.compacted ? "compact" : "delete",
      "max.message.bytes": String(topic.maxSizeBytes + ENVELOPE_HEADROOM_BYTES),
      "min.insync.replicas": String(minInsync),
      "retention.ms": String(topic.retentionMs),
    },
  };
}
