import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { GENERATED_MARKER, type GeneratedFile } from "../../src/emit/generated-file.js";
import { principalOf } from "../../src/emit/names.js";
import {
  buildTopology,
  emitTopology,
  kubernetesName,
  type AclBinding,
  type BrokerTopic,
  type TopologyOptions,
} from "../../src/emit/topology.js";
import type { BusModel } from "../../src/model/bus.js";
import { checkPaths } from "../../src/program.js";
import { checkInline, expectClean } from "../support/inline.js";

const DAY = 86_400_000;

/** A small bus, one declaration per entry, so that tests can reorder them. */
const declarations = [
  `team billing { contact "billing@operator.example" }`,
  `team crm { contact "crm@operator.example" }`,
  `team bi { contact "bi@operator.example" }`,
  `team audit { contact "audit@operator.example" }`,
  `domain billing { owner billing }`,
  `domain crm { owner crm }`,
  `domain bi { owner bi }`,
  `event PaymentReceived v1.0 { paymentId uuid  msisdn string  amount decimal }`,
  `event PaymentEnriched v1.0 extends PaymentReceived { segment string }`,
  `event BalanceChanged v1.0 { msisdn string  balance decimal }`,
  `segment durable { replicas 5 minInsync 3 }`,
  `segment single { replicas 1 }`,
  `topic billing.payment.received {
    owner billing  event PaymentReceived  key msisdn
    partitions 6  retention 3d  maxSize 256KiB  segment durable
  }`,
  `topic billing.payment.refunded { owner billing  event PaymentReceived }`,
  `topic billing.balance.changed {
    owner billing  event BalanceChanged  key msisdn  compacted  retention 52w  segment single
  }`,
  `backend crm.customer-db { owner crm capacity 400/s latency 20ms }`,
  `enricher crm.payment-customer {
    owner crm  from billing.payment.received
    lookup crm.customer-db by msisdn
    publish billing.payment.enriched as PaymentEnriched { partitions 12 }
  }`,
  `consumer crm.payment-sync { owner crm  from billing.payment.enriched  ordered guaranteed }`,
  `consumer crm.balance-sync { owner crm  from billing.balance.changed  unordered guaranteed }`,
  `consumer bi.revenue { owner bi  from billing.payment.received  unordered best-effort }`,
  `consumer bi.refunds { owner bi  from billing.payment.refunded  unordered best-effort dlq }`,
];

function model(decls: readonly string[] = declarations): BusModel {
  const result = checkInline(decls.join("\n"));
  expectClean(result);
  return result.model;
}

const options: TopologyOptions = { project: "shop", sources: ["main.evt"] };

function file(files: readonly GeneratedFile[], name: string): string {
  const found = files.find((f) => f.path === name);
  if (!found) throw new Error(`no ${name} among ${files.map((f) => f.path).join(", ")}`);
  return found.content;
}

function topic(topics: readonly BrokerTopic[], name: string): BrokerTopic {
  const found = topics.find((t) => t.name === name);
  if (!found) throw new Error(`no topic ${name}`);
  return found;
}

function acl(principal: string, resourceType: AclBinding["resourceType"], name: string, op: AclBinding["operation"]) {
  return {
    principal: principalOf(principal),
    resourceType,
    resourceName: name,
    patternType: "LITERAL",
    operation: op,
    permission: "ALLOW",
    host: "*",
  };
}

function yamlResources(content: string): Array<Record<string, any>> {
  const documents = parseAllDocuments(content);
  if (!Array.isArray(documents)) throw new Error("no documents");
  for (const document of documents) expect(document.errors).toEqual([]);
  return documents.map((document) => document.toJS() as Record<string, any>);
}

describe("topics", () => {
  const { topics } = buildTopology(model());

  it("take partitions, replication and min.insync.replicas from the segment, config from the topic", () => {
    expect(topic(topics, "billing.payment.received")).toEqual({
      name: "billing.payment.received",
      kind: "events",
      owner: "billing",
      partitions: 6,
      replicationFactor: 5,
      segment: "durable",
      config: {
        "cleanup.policy": "delete",
        // maxSize 256KiB, with room for the record's key and headers on top.
        "max.message.bytes": String(256 * 1024 + 16 * 1024),
        "min.insync.replicas": "3",
        "retention.ms": String(3 * DAY),
      },
    });
  });

  it("fall back to 3 replicas, 2 in sync, Kafka's 7-day retention and 1 MiB events", () => {
    expect(topic(topics, "billing.payment.refunded")).toEqual({
      name: "billing.payment.refunded",
      kind: "events",
      owner: "billing",
      partitions: 1,
      replicationFactor: 3,
      config: {
        "cleanup.policy": "delete",
        "max.message.bytes": String(1024 * 1024 + 16 * 1024),
        "min.insync.replicas": "2",
        "retention.ms": String(7 * DAY),
      },
    });
  });

  it("are compacted when declared so, and never need more copies in sync than they have", () => {
    const balance = topic(topics, "billing.balance.changed");
    expect(balance.config["cleanup.policy"]).toBe("compact");
    expect(balance.replicationFactor).toBe(1);
    expect(balance.config["min.insync.replicas"]).toBe("1");
    for (const t of topics) {
      expect(Number(t.config["min.insync.replicas"]), t.name).toBeLessThanOrEqual(t.replicationFactor);
    }
  });

  it("include enriched topics, owned by the enricher's team and on the source's segment", () => {
    expect(topic(topics, "billing.payment.enriched")).toMatchObject({
      kind: "events",
      owner: "crm",
      partitions: 12,
      replicationFactor: 5,
      segment: "durable",
    });
  });
});

describe("dead-letter topics", () => {
  const { topics } = buildTopology(model());
  const dlqs = topics.filter((t) => t.kind === "dead-letter");

  it("exist for every guaranteed reader and for best-effort readers that ask with `dlq`", () => {
    expect(dlqs.map((t) => t.name)).toEqual([
      "bi.refunds.dlq",
      "crm.balance-sync.dlq",
      "crm.payment-customer.dlq",
      "crm.payment-sync.dlq",
    ]);
    expect(topics.map((t) => t.name)).not.toContain("bi.revenue.dlq");
  });

  it("have one partition, the reader's team, 30 days (or the source's longer retention) and delete", () => {
    expect(topic(topics, "crm.payment-sync.dlq")).toEqual({
      name: "crm.payment-sync.dlq",
      kind: "dead-letter",
      owner: "crm",
      partitions: 1,
      replicationFactor: 5,
      segment: "durable",
      reader: "crm.payment-sync",
      sourceTopic: "billing.payment.enriched",
      config: {
        "cleanup.policy": "delete",
        // The source's, and as much again for the dead-letter headers.
        "max.message.bytes": String(256 * 1024 + 16 * 1024 + 16 * 1024),
        "min.insync.replicas": "3",
        "retention.ms": String(30 * DAY),
      },
    });
    const ofCompacted = topic(topics, "crm.balance-sync.dlq");
    expect(ofCompacted.config["cleanup.policy"]).toBe("delete");
    expect(ofCompacted.config["retention.ms"]).toBe(String(52 * 7 * DAY));
    expect(topic(topics, "bi.refunds.dlq")).toMatchObject({ owner: "bi", replicationFactor: 3 });
  });
});

describe("consumer groups", () => {
  const groups = buildTopology(model()).consumerGroups;
  const row = (g: (typeof groups)[number]) => [g.groupId, g.kind, g.reader, g.owner, g.topic];

  it("one per consumer and enricher, with the topic it reads and its owner", () => {
    expect(groups.filter((g) => g.kind !== "dead-letter-replay").map(row)).toEqual([
      ["bi.refunds", "consumer", "bi.refunds", "bi", "billing.payment.refunded"],
      ["bi.revenue", "consumer", "bi.revenue", "bi", "billing.payment.received"],
      ["crm.balance-sync", "consumer", "crm.balance-sync", "crm", "billing.balance.changed"],
      ["crm.payment-customer", "enricher", "crm.payment-customer", "crm", "billing.payment.received"],
      ["crm.payment-sync", "consumer", "crm.payment-sync", "crm", "billing.payment.enriched"],
    ]);
  });

  it("and one that replays each dead-letter topic", () => {
    expect(groups.filter((g) => g.kind === "dead-letter-replay").map(row)).toEqual([
      ["bi.refunds.replay", "dead-letter-replay", "bi.refunds", "bi", "bi.refunds.dlq"],
      ["crm.balance-sync.replay", "dead-letter-replay", "crm.balance-sync", "crm", "crm.balance-sync.dlq"],
      ["crm.payment-customer.replay", "dead-letter-replay", "crm.payment-customer", "crm", "crm.payment-customer.dlq"],
      ["crm.payment-sync.replay", "dead-letter-replay", "crm.payment-sync", "crm", "crm.payment-sync.dlq"],
    ]);
    expect(groups.map((g) => g.groupId)).toEqual(groups.map((g) => g.groupId).sort());
  });
});

describe("ACLs", () => {
  const { acls } = buildTopology(model());
  const of = (team: string) => acls.filter((a) => a.principal === principalOf(team));

  it("let the owner write and describe a producer-published topic", () => {
    expect(acls).toContainEqual(acl("billing", "TOPIC", "billing.payment.received", "WRITE"));
    expect(acls).toContainEqual(acl("billing", "TOPIC", "billing.payment.received", "DESCRIBE"));
  });

  it("let the enricher's team, not the source's owner, write an enriched topic", () => {
    expect(acls).toContainEqual(acl("crm", "TOPIC", "billing.payment.enriched", "WRITE"));
    expect(acls).toContainEqual(acl("crm", "TOPIC", "billing.payment.enriched", "DESCRIBE"));
    expect(of("billing").map((a) => a.resourceName)).not.toContain("billing.payment.enriched");
  });

  it("let readers read and describe their topic, read their groups, and write and read their DLQ", () => {
    expect(of("bi")).toEqual([
      acl("bi", "GROUP", "bi.refunds", "READ"),
      acl("bi", "GROUP", "bi.refunds.replay", "READ"),
      acl("bi", "GROUP", "bi.revenue", "READ"),
      acl("bi", "TOPIC", "bi.refunds.dlq", "DESCRIBE"),
      acl("bi", "TOPIC", "bi.refunds.dlq", "READ"),
      acl("bi", "TOPIC", "bi.refunds.dlq", "WRITE"),
      acl("bi", "TOPIC", "billing.payment.received", "DESCRIBE"),
      acl("bi", "TOPIC", "billing.payment.received", "READ"),
      acl("bi", "TOPIC", "billing.payment.refunded", "DESCRIBE"),
      acl("bi", "TOPIC", "billing.payment.refunded", "READ"),
    ]);
  });

  it("do not let a reader write its source topic, even to replay dead letters", () => {
    const writes = acls.filter((a) => a.operation === "WRITE" && !a.resourceName.endsWith(".dlq"));
    expect(writes.map((a) => [a.principal, a.resourceName])).toEqual([
      ["User:billing", "billing.balance.changed"],
      ["User:billing", "billing.payment.received"],
      ["User:billing", "billing.payment.refunded"],
      ["User:crm", "billing.payment.enriched"],
    ]);
  });

  it("give a team with nothing to read or write no ACLs", () => {
    expect(of("audit")).toEqual([]);
  });

  it("are sorted and without duplicates", () => {
    const keys = acls.map((a) => JSON.stringify([a.principal, a.resourceType, a.resourceName, a.operation]));
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual(keys);
  });
});

describe("topology.json", () => {
  it("holds the topology with sorted keys, the project and a leading `$comment` marker", () => {
    const content = file(emitTopology(model(), options), "topology.json");
    expect(content.endsWith("}\n")).toBe(true);
    expect(content.split("\n")[1]).toBe(`  "$comment": "${GENERATED_MARKER} from main.evt — do not edit",`);
    const json = JSON.parse(content) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(["$comment", "acls", "consumerGroups", "project", "teams", "topics"]);
    expect(json.project).toBe("shop");
    const { acls, consumerGroups, teams, topics } = buildTopology(model());
    expect(json).toMatchObject({ acls, consumerGroups, teams, topics });
    expect(Object.keys((json.topics as object[])[0]!)).toEqual([...Object.keys((json.topics as object[])[0]!)].sort());
  });

  it("names the sources given, sorted and once each, or else the files of the model", () => {
    const given = emitTopology(model(), { project: "shop", sources: ["teams.evt", "billing.evt", "teams.evt"] });
    expect(file(given, "topology.json")).toContain(`"${GENERATED_MARKER} from billing.evt, teams.evt — do not edit"`);
    const defaulted = emitTopology(model(), { project: "shop" });
    expect(file(defaulted, "strimzi/topics.yaml").split("\n")[0]).toBe(
      `# ${GENERATED_MARKER} from main.evt — do not edit`,
    );
  });
});

describe("output", () => {
  it("is byte-identical across runs and whatever the order of declarations", () => {
    const first = emitTopology(model(), options);
    expect(emitTopology(model(), options)).toEqual(first);
    expect(emitTopology(model([...declarations].reverse()), options)).toEqual(first);
    const rotated = [...declarations.slice(9), ...declarations.slice(0, 9)];
    expect(emitTopology(model(rotated), options)).toEqual(first);
  });

  it("is three files, each with the generated marker on its first line", () => {
    const files = emitTopology(model(), options);
    expect(files.map((f) => f.path)).toEqual(["topology.json", "strimzi/topics.yaml", "strimzi/users.yaml"]);
    for (const f of files) {
      const firstLines = f.content.split("\n").slice(0, 2).join("\n");
      expect(firstLines, f.path).toContain(GENERATED_MARKER);
      expect(Buffer.from(f.content).subarray(0, 200).toString("utf8"), f.path).toContain(GENERATED_MARKER);
    }
  });
});

describe("Strimzi resources", () => {
  const bus = model();
  const topology = buildTopology(bus);
  const files = emitTopology(bus, options);

  it("one KafkaTopic per topic and dead-letter topic, with partitions, replicas and config", () => {
    const resources = yamlResources(file(files, "strimzi/topics.yaml"));
    expect(resources.map((r) => r.metadata.name)).toEqual(topology.topics.map((t) => t.name));
    for (const [i, resource] of resources.entries()) {
      const t = topology.topics[i]!;
      expect(resource).toEqual({
        apiVersion: "kafka.strimzi.io/v1beta2",
        kind: "KafkaTopic",
        metadata: {
          name: t.name,
          labels: { "strimzi.io/cluster": "my-cluster", "app.kubernetes.io/managed-by": "evtc" },
        },
        spec: { topicName: t.name, partitions: t.partitions, replicas: t.replicationFactor, config: t.config },
      });
    }
  });

  it("one KafkaUser per team, with TLS authentication and simple authorization", () => {
    const resources = yamlResources(file(files, "strimzi/users.yaml"));
    expect(resources.map((r) => [r.kind, r.metadata.name])).toEqual(
      ["audit", "bi", "billing", "crm"].map((team) => ["KafkaUser", team]),
    );
    const bi = resources.find((r) => r.metadata.name === "bi")!;
    expect(bi.spec.authentication).toEqual({ type: "tls" });
    expect(bi.spec.authorization.type).toBe("simple");
    expect(bi.spec.authorization.acls[0]).toEqual({
      resource: { type: "group", name: "bi.refunds", patternType: "literal" },
      operations: ["Read"],
      host: "*",
    });
    expect(bi.spec.authorization.acls).toContainEqual({
      resource: { type: "topic", name: "bi.refunds.dlq", patternType: "literal" },
      operations: ["Describe", "Read", "Write"],
      host: "*",
    });
    expect(resources.find((r) => r.metadata.name === "audit")!.spec.authorization.acls).toEqual([]);
  });

  it("KafkaUser ACLs are exactly topology.json's", () => {
    const json = JSON.parse(file(files, "topology.json")) as { acls: AclBinding[] };
    const fromYaml = yamlResources(file(files, "strimzi/users.yaml")).flatMap((user) =>
      (user.spec.authorization.acls as Array<Record<string, any>>).flatMap((rule) =>
        (rule.operations as string[]).map((operation) => ({
          principal: principalOf(user.metadata.name),
          resourceType: rule.resource.type.toUpperCase(),
          resourceName: rule.resource.name,
          patternType: rule.resource.patternType.toUpperCase(),
          operation: operation.toUpperCase(),
          permission: "ALLOW",
          host: rule.host,
        })),
      ),
    );
    const order = (list: ReadonlyArray<Record<keyof AclBinding, string>>) =>
      list
        .map((a) =>
          [a.principal, a.resourceType, a.resourceName, a.patternType, a.operation, a.permission, a.host].join(" "),
        )
        .sort();
    expect(order(fromYaml)).toEqual(order(json.acls));
  });

  it("take the cluster label and authentication from the options", () => {
    const custom = emitTopology(bus, { ...options, cluster: "bus-prod", authentication: "scram-sha-512" });
    const all = [
      ...yamlResources(file(custom, "strimzi/topics.yaml")),
      ...yamlResources(file(custom, "strimzi/users.yaml")),
    ];
    for (const r of all) expect(r.metadata.labels["strimzi.io/cluster"]).toBe("bus-prod");
    expect(all.find((r) => r.kind === "KafkaUser")!.spec.authentication).toEqual({ type: "scram-sha-512" });
    expect(() => emitTopology(bus, { ...options, cluster: "not a label" })).toThrow(/strimzi\.io\/cluster/);
  });

  it("get valid Kubernetes names, and YAML 1.1 words stay strings for kubectl", () => {
    expect(kubernetesName("billing.payment.received")).toBe("billing.payment.received");
    const odd = kubernetesName("Billing_Ops");
    expect(odd).toMatch(/^billing-ops-[0-9a-f]{8}$/);
    expect(odd).not.toBe(kubernetesName("billing_Ops"));
    expect(kubernetesName("x".repeat(300)).length).toBeLessThanOrEqual(253);

    const yes = model([
      `team on { contact "on@operator.example" }`,
      `team Billing_Ops { contact "b@operator.example" }`,
    ]);
    const users = file(emitTopology(yes, options), "strimzi/users.yaml");
    expect(users).toContain(`name: "on"`);
    expect(yamlResources(users).map((r) => r.metadata.name)).toEqual([odd, "on"]);
  });
});

describe("broker names that would collide", () => {
  it("are refused by the check (EVT0316), and by the topology for a model that skipped it", () => {
    const clash = [
      ...declarations,
      `enricher bi.revenue {
        owner bi  from billing.payment.received
        lookup crm.customer-db by msisdn
        publish bi.payment.enriched as PaymentEnriched
      }`,
    ];
    const result = checkInline(clash.join("\n"));
    expect(result.diagnostics.map((d) => d.code)).toEqual(["EVT0316"]);
    expect(() => buildTopology(result.model)).toThrow(/consumer group `bi\.revenue`/);
  });
});

describe("examples/telco", () => {
  const repo = path.resolve(import.meta.dirname, "../..");
  const result = checkPaths([path.join(repo, "examples", "telco")], repo);

  it("has a consistent topology: every ACL names a topic or group the topology holds", () => {
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const topology = buildTopology(result.model);
    const topics = new Set(topology.topics.map((t) => t.name));
    const groups = new Set(topology.consumerGroups.map((g) => g.groupId));
    for (const a of topology.acls) {
      expect(a.resourceType === "TOPIC" ? topics : groups, a.resourceName).toContain(a.resourceName);
    }
    for (const reader of [...result.model.consumers.values(), ...result.model.enrichers.values()]) {
      expect(topics.has(`${reader.name}.dlq`), reader.name).toBe(reader.dlq);
    }
    for (const t of topology.topics) {
      expect(Number(t.config["min.insync.replicas"]), t.name).toBeLessThanOrEqual(t.replicationFactor);
    }
  });
});
