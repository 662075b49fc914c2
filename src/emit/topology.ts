import { DEAD_LETTER_DEFAULTS } from "../runtime/dlq.js";
import { createHash } from "node:crypto";
import { yamlDocument, type YamlMapping } from "./yaml.js";
import { defaultStrimziSettings, isLabelValue, type StrimziAuthentication } from "../config/strimzi.js";
import type { BusModel, Consumer, Enricher, Topic } from "../model/bus.js";
import { generatedHeader, type GeneratedFile } from "./generated-file.js";
import { dlqTopicOf, groupIdOf, principalOf, replayGroupOf } from "./names.js";
import { topicSettings } from "./topic-settings.js";
import { canonical } from "./json-schema.js";

/**
 * The broker topology of a bus: the topics (with their dead-letter topics), the consumer groups and the ACLs
 * each team needs, as a neutral `topology.json` and as Strimzi resources (`KafkaTopic`, `KafkaUser`) that
 * `kubectl apply` takes as they are. Pure: the model in, files out; docs/build.md describes the output.
 */

/**
 * What evtc chooses where the model says nothing, beyond the replication defaults of topic-settings.ts (3 replicas,
 * 2 in sync); docs/build.md documents each one.
 */
export const topologyDefaults = {
  /** What the runtime's `start` also creates a missing dead-letter topic with. */
  deadLetter: DEAD_LETTER_DEFAULTS,
  /** The `strimzi.io/cluster` label and the `KafkaUser` authentication, unless evtc.json says otherwise. */
  ...defaultStrimziSettings,
} as const;

export { isLabelValue, type StrimziAuthentication };

export interface TopologyOptions {
  /** The project's name, recorded in `topology.json` (the build writes the files under `generated/<project>/`). */
  readonly project: string;
  /**
   * The `.evt` files named in the headers, relative to the project directory. When absent, the files that declare
   * the teams, segments, topics, consumers and enrichers, as the model names them (relative when the model was
   * checked from the project directory).
   */
  readonly sources?: readonly string[];
  /** The `strimzi.io/cluster` label of every resource (default `my-cluster`). */
  readonly cluster?: string;
  /** `spec.authentication.type` of every `KafkaUser` (default `tls`). */
  readonly authentication?: StrimziAuthentication;
}

// ---- the topology as data ------------------------------------------------------------------------------

export interface BrokerTopic {
  readonly name: string;
  /** `events` for a declared or enriched topic, `dead-letter` for a reader's DLQ. */
  readonly kind: "events" | "dead-letter";
  /** The owning team: the topic's owner, or for a dead-letter topic the reader's. */
  readonly owner: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Kafka topic configs (`cleanup.policy`, `max.message.bytes`, `min.insync.replicas`, `retention.ms`), as strings. */
  readonly config: Readonly<Record<string, string>>;
  /** The segment the topic is placed on (a dead-letter topic lives on its source topic's). */
  readonly segment?: string;
  /** For a dead-letter topic: the consumer or enricher whose failed events it holds. */
  readonly reader?: string;
  /** For a dead-letter topic: the topic that reader reads. */
  readonly sourceTopic?: string;
}

export interface ConsumerGroup {
  readonly groupId: string;
  /** A consumer's or enricher's own group, or the group that replays its dead-letter topic (`replayDeadLetters`). */
  readonly kind: "consumer" | "enricher" | "dead-letter-replay";
  readonly reader: string;
  readonly owner: string;
  /** The topic the group reads: the reader's, or its dead-letter topic. */
  readonly topic: string;
}

export type AclOperation = "DESCRIBE" | "READ" | "WRITE";

/** One Kafka ACL binding, in Kafka's own vocabulary (`kafka-acls`, the Admin API's `AclBinding`). */
export interface AclBinding {
  readonly principal: string;
  readonly resourceType: "GROUP" | "TOPIC";
  readonly resourceName: string;
  readonly patternType: "LITERAL";
  readonly operation: AclOperation;
  readonly permission: "ALLOW";
  readonly host: "*";
}

export interface TeamPrincipal {
  readonly name: string;
  readonly principal: string;
}

export interface Topology {
  /** Event topics and dead-letter topics, by name. */
  readonly topics: readonly BrokerTopic[];
  /** Every reader's group and, for readers with a dead-letter topic, its replay group; by group id. */
  readonly consumerGroups: readonly ConsumerGroup[];
  /** Sorted by principal, resource type, resource name and operation; no duplicates. */
  readonly acls: readonly AclBinding[];
  /** Every team, with or without ACLs, by name. */
  readonly teams: readonly TeamPrincipal[];
}

/** Code-unit order: the same on every machine, unlike `localeCompare`. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function eventTopic(topic: Topic): BrokerTopic {
  // The broker's settings; the event's own size limit is the generated spec's, not the broker's.
  const { maxSize: _, ...settings } = topicSettings(topic);
  return {
    name: topic.name,
    kind: "events",
    owner: topic.owner.name,
    ...settings,
    ...(topic.segment ? { segment: topic.segment.name } : {}),
  };
}

/** A dead-letter topic lives on its source topic's segment, with its replication, and keeps events longer. */
function deadLetterTopic(reader: Consumer | Enricher): BrokerTopic {
  const source = reader.from;
  const settings = topicSettings(source);
  const dlq = topologyDefaults.deadLetter;
  return {
    name: dlqTopicOf(reader.name),
    kind: "dead-letter",
    owner: reader.owner.name,
    partitions: dlq.partitions,
    replicationFactor: settings.replicationFactor,
    config: {
      ...settings.config,
      "cleanup.policy": "delete",
      // The source's record with the `evtc_dlq_*` headers added, as the runtime creates it (runtime/dlq.ts).
      "max.message.bytes": String(Number(settings.config["max.message.bytes"]) + dlq.headroomBytes),
      "retention.ms": String(Math.max(dlq.retentionMs, source.retentionMs)),
    },
    ...(source.segment ? { segment: source.segment.name } : {}),
    reader: reader.name,
    sourceTopic: source.name,
  };
}

function readersOf(model: BusModel): Array<{ kind: "consumer" | "enricher"; reader: Consumer | Enricher }> {
  return [
    ...[...model.consumers.values()].map((reader) => ({ kind: "consumer" as const, reader })),
    ...[...model.enrichers.values()].map((reader) => ({ kind: "enricher" as const, reader })),
  ].sort((a, b) => compare(a.reader.name, b.reader.name));
}

/**
 * The topology of a checked model (one without errors). Throws when two readers would share a consumer group or
 * a dead-letter topic would take an event topic's name: the checker rejects such a model (EVT0316, see
 * check/broker-names.ts).
 */
export function buildTopology(model: BusModel): Topology {
  const readers = readersOf(model);
  const topics = new Map<string, BrokerTopic>();
  for (const topic of model.topics.values()) topics.set(topic.name, eventTopic(topic));
  for (const { reader } of readers) {
    if (!reader.dlq) continue;
    const dlq = deadLetterTopic(reader);
    if (topics.has(dlq.name))
      throw new Error(`the dead-letter topic of \`${reader.name}\` is already a topic: \`${dlq.name}\``);
    topics.set(dlq.name, dlq);
  }

  const groups = new Map<string, ConsumerGroup>();
  const addGroup = (group: ConsumerGroup) => {
    if (groups.has(group.groupId)) throw new Error(`two readers share the consumer group \`${group.groupId}\``);
    groups.set(group.groupId, group);
  };
  for (const { kind, reader } of readers) {
    const common = { reader: reader.name, owner: reader.owner.name };
    const groupId = groupIdOf(reader.name);
    addGroup({ groupId, kind, ...common, topic: reader.from.name });
    if (reader.dlq) {
      addGroup({
        groupId: replayGroupOf(groupId),
        kind: "dead-letter-replay",
        ...common,
        topic: dlqTopicOf(reader.name),
      });
    }
  }

  const acls = new Map<string, AclBinding>();
  const allow = (team: string, resourceType: AclBinding["resourceType"], name: string, ops: AclOperation[]) => {
    for (const operation of ops) {
      const binding: AclBinding = {
        principal: principalOf(team),
        resourceType,
        resourceName: name,
        patternType: "LITERAL",
        operation,
        permission: "ALLOW",
        host: "*",
      };
      acls.set(aclKey(binding), binding);
    }
  };
  for (const topic of model.topics.values()) {
    const writer = topic.publisher.kind === "enricher" ? topic.publisher.enricher.owner : topic.owner;
    allow(writer.name, "TOPIC", topic.name, ["DESCRIBE", "WRITE"]);
  }
  for (const { reader } of readers) {
    const team = reader.owner.name;
    allow(team, "TOPIC", reader.from.name, ["DESCRIBE", "READ"]);
    allow(team, "GROUP", groupIdOf(reader.name), ["READ"]);
    if (!reader.dlq) continue;
    // Failed events are written to the dead-letter topic, and read back from it in the replay group to replay
    // them. Writing them back to the source topic is left to its writer: see "Replaying dead letters" in docs/build.md.
    allow(team, "TOPIC", dlqTopicOf(reader.name), ["DESCRIBE", "READ", "WRITE"]);
    allow(team, "GROUP", replayGroupOf(groupIdOf(reader.name)), ["READ"]);
  }

  return {
    topics: [...topics.values()].sort((a, b) => compare(a.name, b.name)),
    consumerGroups: [...groups.values()].sort((a, b) => compare(a.groupId, b.groupId)),
    acls: [...acls.entries()].sort(([a], [b]) => compare(a, b)).map(([, binding]) => binding),
    teams: [...model.teams.values()]
      .map((team) => ({ name: team.name, principal: principalOf(team.name) }))
      .sort((a, b) => compare(a.name, b.name)),
  };
}

/** Sorts (and de-duplicates) bindings: by principal, resource type, resource name, then operation. */
function aclKey(b: AclBinding): string {
  return [b.principal, b.resourceType, b.resourceName, b.patternType, b.operation, b.permission, b.host].join("\u0000");
}

// ---- files ---------------------------------------------------------------------------------------------

/** `topology.json`, `strimzi/topics.yaml` and `strimzi/users.yaml`, paths relative to the project's output directory. */
export function emitTopology(model: BusModel, options: TopologyOptions): GeneratedFile[] {
  const topology = buildTopology(model);
  const sources = [...new Set(options.sources ?? sourcesOf(model))];
  const cluster = options.cluster ?? topologyDefaults.cluster;
  if (!isLabelValue(cluster)) {
    throw new RangeError(`\`${cluster}\` is not a valid \`strimzi.io/cluster\` label value`);
  }
  const authentication = options.authentication ?? topologyDefaults.authentication;
  // Each team's bindings, found once: a KafkaUser per team over every binding of the project was quadratic.
  const aclsByPrincipal = new Map<string, AclBinding[]>();
  for (const binding of topology.acls) {
    const bindings = aclsByPrincipal.get(binding.principal);
    if (bindings === undefined) aclsByPrincipal.set(binding.principal, [binding]);
    else bindings.push(binding);
  }
  return [
    { path: "topology.json", content: topologyJson(topology, options.project, sources) },
    {
      path: "strimzi/topics.yaml",
      content: yamlDocuments(
        sources,
        topology.topics.map((t) => kafkaTopic(t, cluster)),
      ),
    },
    {
      path: "strimzi/users.yaml",
      content: yamlDocuments(
        sources,
        topology.teams.map((team) =>
          kafkaUser(team.name, aclsByPrincipal.get(team.principal) ?? [], cluster, authentication),
        ),
      ),
    },
  ];
}

/** The files the topology is generated from: those declaring teams, segments, topics, consumers and enrichers. */
function sourcesOf(model: BusModel): string[] {
  const spans = [
    ...[...model.teams.values()].map((d) => d.nameSpan),
    ...[...model.segments.values()].map((d) => d.nameSpan),
    ...[...model.topics.values()].map((d) => d.nameSpan),
    ...[...model.consumers.values()].map((d) => d.nameSpan),
    ...[...model.enrichers.values()].map((d) => d.nameSpan),
  ];
  return [...new Set(spans.map((s) => s.file.path.replaceAll("\\", "/")))].sort(compare);
}

function topologyJson(topology: Topology, project: string, sources: readonly string[]): string {
  // `$comment` first, so the build finds the marker in the file's first bytes; JSON has no comments.
  const comment = generatedHeader(sources, "#").replace(/^# /, "");
  const body = canonical({ project, ...topology }) as Record<string, unknown>;
  return `${JSON.stringify({ $comment: comment, ...body }, null, 2)}\n`;
}

// ---- Strimzi -------------------------------------------------------------------------------------------

const STRIMZI_API = "kafka.strimzi.io/v1beta2";

const kubernetesNameShape = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * A Kubernetes resource name (a DNS subdomain: lowercase letters, digits, `-` and `.`, at most 253 characters) for
 * a topic or team. Names that already are one are kept; others are lowercased, their other characters turned into
 * `-`, and a short hash of the original appended so that `Billing` and `billing` stay apart.
 */
export function kubernetesName(name: string): string {
  if (name.length <= 253 && kubernetesNameShape.test(name)) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  const base = name
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, "-")
    .split(".")
    .map((part) => part.replace(/^-+|-+$/g, ""))
    .filter((part) => part !== "")
    .join(".")
    .slice(0, 253 - hash.length - 1)
    .replace(/[.-]+$/, "");
  return base === "" ? hash : `${base}-${hash}`;
}

function metadata(name: string, cluster: string) {
  return {
    name: kubernetesName(name),
    labels: { "strimzi.io/cluster": cluster, "app.kubernetes.io/managed-by": "evtc" },
  };
}

function kafkaTopic(topic: BrokerTopic, cluster: string) {
  return {
    apiVersion: STRIMZI_API,
    kind: "KafkaTopic",
    metadata: metadata(topic.name, cluster),
    spec: {
      topicName: topic.name,
      partitions: topic.partitions,
      replicas: topic.replicationFactor,
      config: canonical(topic.config) as Record<string, string>,
    },
  };
}

const strimziOperation: Record<AclOperation, string> = { DESCRIBE: "Describe", READ: "Read", WRITE: "Write" };
const strimziResourceType: Record<AclBinding["resourceType"], string> = { GROUP: "group", TOPIC: "topic" };

/** A team's bindings as Strimzi ACL rules: one rule per resource, with its operations. */
export function strimziAcls(team: string, acls: readonly AclBinding[]) {
  const principal = principalOf(team);
  const rules = new Map<
    string,
    { resource: { type: string; name: string; patternType: string }; operations: string[]; host: string }
  >();
  for (const binding of acls) {
    if (binding.principal !== principal) continue;
    const key = [binding.resourceType, binding.resourceName, binding.patternType, binding.host].join("\u0000");
    let rule = rules.get(key);
    if (!rule) {
      rule = {
        resource: {
          type: strimziResourceType[binding.resourceType],
          name: binding.resourceName,
          patternType: binding.patternType.toLowerCase(),
        },
        operations: [],
        host: binding.host,
      };
      rules.set(key, rule);
    }
    rule.operations.push(strimziOperation[binding.operation]);
  }
  return [...rules.entries()]
    .sort(([a], [b]) => compare(a, b))
    .map(([, rule]) => ({ ...rule, operations: [...new Set(rule.operations)].sort(compare) }));
}

function kafkaUser(team: string, acls: readonly AclBinding[], cluster: string, authentication: StrimziAuthentication) {
  return {
    apiVersion: STRIMZI_API,
    kind: "KafkaUser",
    metadata: metadata(team, cluster),
    spec: {
      authentication: { type: authentication },
      authorization: { type: "simple", acls: strimziAcls(team, acls) },
    },
  };
}

/**
 * Resources as one multi-document YAML file under a header comment (see `yaml.ts`: strings that YAML 1.1, which
 * Kubernetes reads, could take for something else are quoted; long lines are never folded).
 */
function yamlDocuments(sources: readonly string[], resources: readonly YamlMapping[]): string {
  return `${generatedHeader(sources, "#")}\n${resources.map((resource) => `---\n${yamlDocument(resource)}`).join("")}`;
}
