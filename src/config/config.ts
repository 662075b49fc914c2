import { statSync } from "node:fs";
import path from "node:path";
import {
  parseTree,
  findNodeAtLocation,
  printParseErrorCode,
  type Node as JsonNode,
  type ParseError,
} from "jsonc-parser";
import { rulesById } from "../check/rules/index.js";
import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import { SourceFile, span } from "../diagnostics/source.js";
import { didYouMean } from "../diagnostics/suggest.js";
import type { Severity } from "../diagnostics/registry.js";
import { jsonNestingProblem } from "../io/json-nesting.js";
import { displayPath, errnoReason, readTextIfThere } from "../io/read-sources.js";
import type { Policy } from "../compat/differences.js";
import { defaultLoadSettings, type LoadSettings } from "../load/analysis.js";
import { parseQuantity, type QuantityKind } from "../model/units.js";
import { LOCK_FILE } from "../contracts/lock.js";
import { defaultStrimziSettings, isLabelValue, strimziAuthentications, type StrimziSettings } from "./strimzi.js";

export const CONFIG_FILE = "evtc.json";

export type RuleLevel = Severity | "off";

export interface ProjectConfig {
  /** The file it was read from, as displayed; undefined for the defaults. */
  readonly path?: string;
  readonly ruleLevels: ReadonlyMap<string, RuleLevel>;
  /** Confluent's JSON Schema compatibility policy used for schema history checks. */
  readonly compatibilityPolicy: Policy;
  /** The figures of the load analysis (`"load": { … }`). */
  readonly load: LoadSettings;
  /** How the generated Strimzi resources address the cluster (`"strimzi": { … }`). */
  readonly strimzi: StrimziSettings;
}

export const defaultConfig: ProjectConfig = {
  ruleLevels: new Map(),
  compatibilityPolicy: "strict",
  load: defaultLoadSettings,
  strimzi: defaultStrimziSettings,
};

const levels: readonly RuleLevel[] = ["error", "warning", "off"];

/**
 * Reads `evtc.json`: JSON with comments,
 * `{ "rules": { "<rule id>": "error" | "warning" | "off" }, "compatibilityPolicy": "strict" | "lenient",
 *    "load": { "headroom": "30%", "partitionThroughput": "1000/s", "transportLatency": "10ms", "partitionsAtOnce": 4 },
 *    "strimzi": { "cluster": "my-cluster", "authentication": "tls" | "tls-external" | "scram-sha-512" } }`.
 * Problems are diagnostics pointing into the file.
 */
export function parseConfig(file: SourceFile): { config: ProjectConfig; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const at = (node: JsonNode) => span(file, node.offset, node.offset + node.length);
  const ruleLevels = new Map<string, RuleLevel>();
  let compatibilityPolicy: Policy = "strict";
  const load: { -readonly [K in keyof LoadSettings]: LoadSettings[K] } = { ...defaultLoadSettings };
  let strimzi: StrimziSettings = defaultStrimziSettings;
  const result = () => ({ config: { path: file.path, ruleLevels, compatibilityPolicy, load, strimzi }, diagnostics });
  // The parser recurses along the nesting: a file nested deeper than any configuration is refused before it.
  const deep = jsonNestingProblem(file);
  if (deep !== undefined) {
    const help = "`evtc.json` holds a few settings, two levels deep at most: see `evtc explain EVT0010`";
    diagnostics.push(diagnostic("EVT0010", { reason: deep.reason }, { span: deep.span, help }));
    return result();
  }
  const errors: ParseError[] = [];
  const root = parseTree(file.text, errors, { allowTrailingComma: true, disallowComments: false });
  for (const error of errors) {
    diagnostics.push(
      diagnostic(
        "EVT0010",
        {
          reason: printParseErrorCode(error.error)
            .replace(/([a-z])([A-Z])/g, "$1 $2")
            .toLowerCase(),
        },
        {
          span: span(file, error.offset, error.offset + Math.max(1, error.length)),
        },
      ),
    );
  }
  if (!root || errors.length > 0) return result();
  if (root.type !== "object") {
    diagnostics.push(diagnostic("EVT0010", { reason: "the top level must be an object" }, { span: at(root) }));
    return result();
  }
  for (const property of root.children ?? []) {
    const [key, value] = property.children ?? [];
    if (!key || key.value === "rules") continue;
    if (key.value === "load" && value) {
      readLoadSettings(value, load, (reason, node) =>
        diagnostics.push(diagnostic("EVT0010", { reason }, { span: at(node) })),
      );
      continue;
    }
    if (key.value === "strimzi" && value) {
      strimzi = readStrimziSettings(value, (reason, node) =>
        diagnostics.push(diagnostic("EVT0010", { reason }, { span: at(node) })),
      );
      continue;
    }
    if (key.value === "compatibilityPolicy" && value) {
      if (value.value === "strict" || value.value === "lenient") compatibilityPolicy = value.value;
      else {
        diagnostics.push(
          diagnostic(
            "EVT0010",
            { reason: '`"compatibilityPolicy"` must be "strict" or "lenient"' },
            { span: at(value) },
          ),
        );
      }
      continue;
    }
    diagnostics.push(
      diagnostic(
        "EVT0010",
        { reason: `unknown setting \`${String(key.value)}\`` },
        { span: at(key), help: 'the settings are `"rules"`, `"compatibilityPolicy"`, `"load"` and `"strimzi"`' },
      ),
    );
  }
  const rulesNode = findNodeAtLocation(root, ["rules"]);
  if (rulesNode && rulesNode.type !== "object") {
    diagnostics.push(diagnostic("EVT0010", { reason: '`"rules"` must be an object' }, { span: at(rulesNode) }));
  }
  for (const property of rulesNode?.type === "object" ? (rulesNode.children ?? []) : []) {
    const [key, value] = property.children ?? [];
    if (!key || !value) continue;
    const id = String(key.value);
    if (!rulesById.has(id)) {
      diagnostics.push(
        diagnostic(
          "EVT0011",
          { rule: id },
          { span: at(key), help: didYouMean(id, rulesById.keys()) ?? "`evtc rules` lists the rules" },
        ),
      );
      continue;
    }
    if (value.type !== "string" || !levels.includes(value.value as RuleLevel)) {
      diagnostics.push(
        diagnostic(
          "EVT0010",
          { reason: `the level of \`${id}\` must be "error", "warning" or "off"` },
          { span: at(value) },
        ),
      );
      continue;
    }
    ruleLevels.set(id, value.value as RuleLevel);
  }
  return result();
}

const loadKeys: Record<string, { field: keyof LoadSettings; kind: QuantityKind; example: string }> = {
  partitionThroughput: { field: "partitionThroughput", kind: "rate", example: '"1000/s"' },
  transportLatency: { field: "transportLatencyMs", kind: "duration", example: '"10ms"' },
};

function readLoadSettings(
  node: JsonNode,
  load: { -readonly [K in keyof LoadSettings]: LoadSettings[K] },
  fail: (reason: string, node: JsonNode) => void,
): void {
  if (node.type !== "object") return fail('`"load"` must be an object', node);
  for (const property of node.children ?? []) {
    const [key, value] = property.children ?? [];
    if (!key || !value) continue;
    const name = String(key.value);
    if (name === "headroom") {
      const match = typeof value.value === "string" ? /^(\d+(?:\.\d+)?)%$/.exec(value.value) : null;
      const share = match ? Number(match[1]) / 100 : typeof value.value === "number" ? value.value : NaN;
      if (!(share >= 0 && share < 1)) fail('`"headroom"` is a share of capacity such as "30%" or 0.3', value);
      else load.headroom = share;
      continue;
    }
    if (name === "partitionsAtOnce") {
      if (typeof value.value === "number" && Number.isInteger(value.value) && value.value >= 1) {
        load.partitionsAtOnce = value.value;
      } else fail('`"partitionsAtOnce"` is a number of partitions, at least 1, such as 4', value);
      continue;
    }
    const spec = loadKeys[name];
    if (!spec) {
      fail(
        `unknown load setting \`${name}\`; the settings are "headroom", "partitionThroughput", "transportLatency" and "partitionsAtOnce"`,
        key,
      );
      continue;
    }
    const parsed = typeof value.value === "string" ? parseQuantity(value.value) : undefined;
    if (!parsed || "error" in parsed || parsed.kind !== spec.kind || parsed.value <= 0) {
      fail(`\`"${name}"\` takes a ${spec.kind} such as ${spec.example}`, value);
      continue;
    }
    load[spec.field] = parsed.value;
  }
}

function readStrimziSettings(node: JsonNode, fail: (reason: string, node: JsonNode) => void): StrimziSettings {
  if (node.type !== "object") {
    fail('`"strimzi"` must be an object', node);
    return defaultStrimziSettings;
  }
  let { cluster, authentication } = defaultStrimziSettings;
  for (const property of node.children ?? []) {
    const [key, value] = property.children ?? [];
    if (!key || !value) continue;
    const name = String(key.value);
    if (name === "cluster") {
      if (typeof value.value === "string" && isLabelValue(value.value)) cluster = value.value;
      else {
        fail(
          '`"cluster"` is the name of the `Kafka` resource, a Kubernetes label value: up to 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit',
          value,
        );
      }
      continue;
    }
    if (name === "authentication") {
      const known = strimziAuthentications.find((a) => a === value.value);
      if (known !== undefined) authentication = known;
      else fail(`\`"authentication"\` is one of ${strimziAuthentications.map((a) => `"${a}"`).join(", ")}`, value);
      continue;
    }
    fail(`unknown Strimzi setting \`${name}\`; the settings are "cluster" and "authentication"`, key);
  }
  return { cluster, authentication };
}

/** The path of a project's lock file (it may not exist yet). */
export function lockPath(paths: readonly string[], cwd: string): string | undefined {
  const root = projectRoot(paths, cwd);
  return root === undefined ? undefined : path.join(root, LOCK_FILE);
}

/** The directory holding a project's `evtc.json` and `evt.lock`: the first directory named, else the first file's. */
export function projectRoot(paths: readonly string[], cwd: string): string | undefined {
  for (const given of paths) {
    const full = path.resolve(cwd, given);
    try {
      if (statSync(full).isDirectory()) return full;
    } catch {
      // a missing path is reported by the source reader
    }
  }
  const first = paths[0];
  return first === undefined ? undefined : path.dirname(path.resolve(cwd, first));
}

/**
 * The configuration of a project: `--config <file>` when given, else `evtc.json` in the project root (see
 * {@link projectRoot}), else the defaults.
 */
export function findConfig(
  paths: readonly string[],
  cwd: string,
  explicit?: string,
): { config: ProjectConfig; diagnostics: Diagnostic[] } {
  const root = projectRoot(paths, cwd);
  const candidate =
    explicit !== undefined
      ? path.resolve(cwd, explicit)
      : root === undefined
        ? undefined
        : path.join(root, CONFIG_FILE);
  if (candidate === undefined) return { config: defaultConfig, diagnostics: [] };
  const shown = displayPath(candidate, cwd);
  let text: string | undefined;
  try {
    text = readTextIfThere(candidate);
  } catch (error) {
    return {
      config: defaultConfig,
      diagnostics: [diagnostic("EVT0003", { path: shown, reason: errnoReason(error) }, { path: shown })],
    };
  }
  if (text === undefined) {
    // The defaults stand for a missing `evtc.json`, not for a file asked for by name.
    const missing = explicit !== undefined ? [diagnostic("EVT0001", { path: shown }, { path: shown })] : [];
    return { config: defaultConfig, diagnostics: missing };
  }
  return parseConfig(new SourceFile(shown, text));
}
