import type { Topic } from "../model/bus.js";

/**
 * The broker settings of a topic, derived once for the topology, the Strimzi resources and the generated
 * topic specs (which the runtime uses to create missing topics). Defaults follow what Kafka operators run in
 * production: three replicas, two in sync before a write is acknowledged.
 */
export const DEFAULT_REPLICATION_FACTOR = 3;
export const DEFAULT_MIN_INSYNC_REPLICAS = 2;

export interface TopicSettings {
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Kafka topic configs, keys sorted. */
  readonly config: Readonly<Record<string, string>>;
}

export function topicSettings(topic: Topic): TopicSettings {
  const replicationFactor = topic.segment?.replicas ?? DEFAULT_REPLICATION_FACTOR;
  const minInsync = Math.min(topic.segment?.minInsync ?? DEFAULT_MIN_INSYNC_REPLICAS, replicationFactor);
  return {
    partitions: topic.partitions,
    replicationFactor,
    config: {
      "cleanup.policy": topic.compacted ? "compact" : "delete",
      "max.message.bytes": String(topic.maxSizeBytes),
      "min.insync.replicas": String(minInsync),
      "retention.ms": String(topic.retentionMs),
    },
  };
}
