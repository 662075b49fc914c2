import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { yamlDocument, yamlScalar, type YamlMapping } from "../../src/emit/yaml.js";

/** What the `yaml` library reads back from a document, as Kubernetes (YAML 1.1) and as YAML 1.2. */
function readBack(text: string, version: "1.1" | "1.2"): unknown[] {
  const documents = parseAllDocuments(text, { version });
  if (!Array.isArray(documents)) throw new Error("no documents");
  for (const document of documents) expect(document.errors).toEqual([]);
  return documents.map((d) => d.toJS());
}

const tricky = [
  "no", "No", "yes", "on", "OFF", "y", "n", "true", "null", "~", "", " ", "-", "- item", "a: b", "#not a comment",
  "12", "0x1F", "1e3", "1_000", "12:30", "2026-12-01", ".inf", "0o17", "@at", "`tick", "&anchor", "*alias", "!tag",
  "%directive", "'single'", '"double"', "back\\slash", "line\nbreak", "tab\there", "ünïcödé", "trailing ", "{a}", "[a]",
  "kafka.strimzi.io/v1beta2", "bi.case-analytics.dlq", "cleanup.policy", "my-cluster",
];

describe("the YAML writer", () => {
  it("writes every string so that YAML 1.1 and 1.2 read the same string back", () => {
    const resource: YamlMapping = Object.fromEntries(tricky.map((s, i) => [`k${i}`, s]));
    const text = `---\n${yamlDocument(resource)}`;
    expect(readBack(text, "1.1")).toEqual([resource]);
    expect(readBack(text, "1.2")).toEqual([resource]);
    const keyed: YamlMapping = Object.fromEntries(tricky.map((s, i) => [s, i]));
    expect(readBack(yamlDocument(keyed), "1.1")).toEqual([keyed]);
  });

  it("writes names as they read, and quotes only what needs it", () => {
    expect(yamlScalar("bi.case-analytics.dlq")).toBe("bi.case-analytics.dlq");
    expect(yamlScalar("kafka.strimzi.io/v1beta2")).toBe("kafka.strimzi.io/v1beta2");
    expect(yamlScalar("no")).toBe('"no"');
    expect(yamlScalar("49152")).toBe('"49152"');
    expect(yamlScalar(49152)).toBe("49152");
    expect(yamlScalar(true)).toBe("true");
  });

  it("nests mappings and sequences in block style, empty ones in flow style", () => {
    const resource: YamlMapping = {
      kind: "KafkaUser",
      spec: { acls: [{ resource: { type: "topic", name: "a.b.c" }, operations: ["Read", "Write"], host: "*" }], empty: [], none: {} },
      matrix: [[1, 2], [], [{ a: 1 }]],
    };
    const text = yamlDocument(resource);
    expect(text).toBe(
      [
        "kind: KafkaUser",
        "spec:",
        "  acls:",
        "    - resource:",
        "        type: topic",
        "        name: a.b.c",
        "      operations:",
        "        - Read",
        "        - Write",
        '      host: "*"',
        "  empty: []",
        "  none: {}",
        "matrix:",
        "  - - 1",
        "    - 2",
        "  - []",
        "  - - a: 1",
        "",
      ].join("\n"),
    );
    expect(readBack(text, "1.1")).toEqual([resource]);
  });
});
