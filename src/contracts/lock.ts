import { createHash } from "node:crypto";
import {
  findNodeAtLocation,
  parseTree,
  printParseErrorCode,
  type Node as JsonNode,
  type ParseError,
} from "jsonc-parser";
import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import { span, type SourceFile, type Span } from "../diagnostics/source.js";
import type { Json } from "../compat/diff.js";
import { canonical, eventSchema, isCanonical, type JsonValue } from "../emit/json-schema.js";
import type { BusModel } from "../model/bus.js";
import { carriedEvents, isRecord, VERSION_KEY } from "../emit/locked-schemas.js";
import { jsonNestingProblem } from "../io/json-nesting.js";

export const LOCK_FILE = "evt.lock";
const LOCK_VERSION = 1;

/** One published version of an event: its contract schema and the hash that pins it. */
export interface LockedVersion {
  readonly major: number;
  readonly minor: number;
  readonly hash: string;
  readonly schema: Json;
}

/**
 * `evt.lock`: every published version of every event, written by `evtc lock` and committed. Spans into the
 * file let diagnostics point at a recorded version.
 */
export interface Lock {
  readonly file?: SourceFile;
  readonly events: ReadonlyMap<string, readonly LockedVersion[]>;
  /**
   * The events each topic has carried, as `evtc lock` recorded them, the current one last: a topic's schema
   * history (its registry subject, `<topic>-value`) goes on when its event is renamed or replaced, and its older
   * majors stay readable under the events that published them. Undefined for a lock written before evtc
   * recorded topics.
   */
  readonly topics?: ReadonlyMap<string, readonly string[]>;
  /** Where each topic's entry is in the lock file, when it was read from one. */
  readonly topicSpans?: ReadonlyMap<string, Span>;
  /**
   * Set when the file was read as `evtc lock` writes it (two-space JSON, each key once, every hash right):
   * `JSON.parse` of its text then gives exactly these versions, which is how the validator workers read it.
   */
  readonly asWritten?: boolean;
  /** Where a JSON pointer into a recorded schema is in the lock file, when it was read from one. */
  locate(event: string, version: string, pointer?: string): Span | undefined;
}

export const emptyLock: Lock = { events: new Map(), locate: () => undefined };

export function schemaHash(schema: Json): string {
  return textHash(JSON.stringify(canonical(schema as JsonValue)));
}

function textHash(text: string): string {
  return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}

/**
 * Whether `hash` is the schema's `schemaHash`. A schema `evtc lock` wrote, or `eventSchema` built, has its keys
 * sorted already, and its own text is then the text hashed: the copy with sorted keys is made only for one
 * that has not.
 */
export function hashMatches(schema: Json, hash: string): boolean {
  return (isCanonical(schema) ? textHash(JSON.stringify(schema)) : schemaHash(schema)) === hash;
}

export function versionKey(v: { major: number; minor: number }): string {
  return `${v.major}.${v.minor}`;
}

function compareVersions(a: { major: number; minor: number }, b: { major: number; minor: number }): number {
  return a.major - b.major || a.minor - b.minor;
}

export function parseLock(file: SourceFile): { lock: Lock; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const fail = (reason: string, node?: JsonNode) => {
    diagnostics.push(
      diagnostic(
        "EVT0602",
        { reason },
        { span: node ? span(file, node.offset, node.offset + node.length) : span(file, 0, 0) },
      ),
    );
  };
  /** The lock when nothing of the file could be read. */
  const unread = () => ({
    lock: { file, events: new Map(), locate: () => undefined, topicSpans: new Map() } satisfies Lock,
    diagnostics,
  });
  // Two branches that each recorded versions conflict in the lock: one error that says so, not one per marker.
  const conflict = /^(?:<{7}|={7}|>{7})(?: |$)/m.exec(file.text);
  if (conflict !== null) {
    diagnostics.push(
      diagnostic(
        "EVT0602",
        { reason: "it has merge conflict markers" },
        {
          span: span(file, conflict.index, conflict.index + 7),
          help: "take either side (`git checkout --ours evt.lock`), then run `evtc lock`: it records the versions the merged `.evt` files declare, and checks them against the history it keeps",
        },
      ),
    );
    return unread();
  }
  // Before anything parses it: the parsers, and what walks their value, recurse along the nesting.
  const deep = jsonNestingProblem(file);
  if (deep !== undefined) {
    const help =
      "no schema evtc records nests that deep: restore the file from version control and run `evtc lock` again";
    diagnostics.push(diagnostic("EVT0602", { reason: deep.reason }, { span: deep.span, help }));
    return unread();
  }
  const valid = validLock(file);
  if (valid !== undefined) return { lock: valid, diagnostics };
  const errors: ParseError[] = [];
  const root = parseTree(file.text, errors, PARSE_OPTIONS);
  for (const error of errors) {
    diagnostics.push(
      diagnostic(
        "EVT0602",
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
  const events = new Map<string, LockedVersion[]>();
  const locate = locator(file, () => root);
  let topics: Map<string, string[]> | undefined;
  const topicSpans = new Map<string, Span>();
  // What was read, at whichever point reading stopped.
  const read = (): { lock: Lock; diagnostics: Diagnostic[] } => ({
    lock: { file, events, locate, topicSpans, ...(topics !== undefined ? { topics } : {}) },
    diagnostics,
  });
  if (!root || errors.length > 0) return read();
  const version = findNodeAtLocation(root, ["lockVersion"]);
  if (version?.value !== LOCK_VERSION) fail(`\`lockVersion\` must be ${LOCK_VERSION}`, version ?? root);
  const eventsNode = findNodeAtLocation(root, ["events"]);
  if (eventsNode?.type !== "object") {
    fail("`events` must be an object", eventsNode ?? root);
    return read();
  }
  for (const eventProperty of eventsNode.children ?? []) {
    const [nameNode, versionsNode] = eventProperty.children ?? [];
    if (!nameNode || versionsNode?.type !== "object") {
      fail("each event maps versions to their schema", versionsNode ?? eventProperty);
      continue;
    }
    const versions: LockedVersion[] = [];
    for (const versionProperty of versionsNode.children ?? []) {
      const [keyNode, entry] = versionProperty.children ?? [];
      const match = VERSION_KEY.exec(String(keyNode?.value));
      const hash = entry ? findNodeAtLocation(entry, ["hash"]) : undefined;
      const schemaNode = entry ? findNodeAtLocation(entry, ["schema"]) : undefined;
      if (!match || !hash || typeof hash.value !== "string" || !schemaNode) {
        fail('a recorded version is `"<major>.<minor>": { "hash": …, "schema": … }`', versionProperty);
        continue;
      }
      const schema = nodeValue(schemaNode);
      if (!hashMatches(schema, hash.value)) {
        fail(`the schema of \`${String(nameNode.value)}\` v${match[0]} does not match its hash`, hash);
        continue;
      }
      versions.push({ major: Number(match[1]), minor: Number(match[2]), hash: hash.value, schema });
    }
    events.set(String(nameNode.value), versions.sort(compareVersions));
  }
  const topicsNode = findNodeAtLocation(root, ["topics"]);
  if (topicsNode !== undefined) {
    topics = new Map();
    const shape = "`topics` maps each topic to the event it carries, or to the events it has carried (a list)";
    if (topicsNode.type !== "object") fail(shape, topicsNode);
    for (const property of topicsNode.type === "object" ? (topicsNode.children ?? []) : []) {
      const [nameNode, eventNode] = property.children ?? [];
      const events = carriedEvents(eventNode === undefined ? undefined : nodeValue(eventNode));
      if (typeof nameNode?.value !== "string" || events === undefined) {
        fail(shape, property);
        continue;
      }
      topics.set(nameNode.value, events);
      topicSpans.set(nameNode.value, span(file, nameNode.offset, nameNode.offset + nameNode.length));
    }
  }
  return read();
}

const PARSE_OPTIONS = { allowTrailingComma: false, disallowComments: true };

/** Where a JSON pointer into a recorded schema is in the lock file, from its syntax tree (`root`). */
function locator(file: SourceFile, root: () => JsonNode | undefined): Lock["locate"] {
  return (event, version, pointer) => {
    const tree = root();
    if (!tree) return undefined;
    const segments = (pointer ?? "")
      .replace(/^#/, "")
      .split("/")
      .filter((s) => s !== "")
      .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
    for (let n = segments.length; n >= 0; n--) {
      const node = findNodeAtLocation(tree, [
        "events",
        event,
        version,
        ...(pointer === undefined ? [] : ["schema"]),
        ...segments.slice(0, n),
      ]);
      // A property's value node; point at its key, which is what a reader looks for.
      const target = node?.parent?.type === "property" ? node.parent.children![0]! : node;
      if (target) return span(file, target.offset, target.offset + target.length);
    }
    return undefined;
  };
}

/**
 * The lock in `file` when it is exactly as `evtc lock` writes a valid one, read as plain JSON; undefined
 * otherwise, and `parseLock` reads it again as a syntax tree to say what is wrong and where. The tree, with a
 * position for every value, took ten times as long for a large lock (a quarter of a second for a thousand
 * events), and a valid lock needs positions only for a diagnostic about the project: it is parsed then, on
 * first use. Only a text that is its own value written again (two-space JSON, as `formatLock` writes it) is
 * read this way: a key written twice, which `JSON.parse` would take the last of and the tree the first, or a
 * lock formatted by hand, goes the way it always went.
 */
function validLock(file: SourceFile): Lock | undefined {
  let value: unknown;
  try {
    value = JSON.parse(file.text);
  } catch {
    return undefined;
  }
  if (`${JSON.stringify(value, null, 2)}\n` !== file.text) return undefined;
  if (!isRecord(value) || value["lockVersion"] !== LOCK_VERSION || !isRecord(value["events"])) return undefined;
  const events = new Map<string, LockedVersion[]>();
  for (const [name, recorded] of Object.entries(value["events"])) {
    if (!isRecord(recorded)) return undefined;
    const versions: LockedVersion[] = [];
    for (const [key, entry] of Object.entries(recorded)) {
      const match = VERSION_KEY.exec(key);
      if (!match || !isRecord(entry) || typeof entry["hash"] !== "string" || !("schema" in entry)) return undefined;
      const schema = entry["schema"] as Json;
      if (!hashMatches(schema, entry["hash"])) return undefined;
      versions.push({ major: Number(match[1]), minor: Number(match[2]), hash: entry["hash"], schema });
    }
    events.set(name, versions.sort(compareVersions));
  }
  let topics: Map<string, string[]> | undefined;
  if ("topics" in value) {
    if (!isRecord(value["topics"])) return undefined;
    topics = new Map();
    for (const [name, carried] of Object.entries(value["topics"])) {
      const events = carriedEvents(carried);
      if (events === undefined) return undefined;
      topics.set(name, events);
    }
  }
  let tree: JsonNode | undefined;
  const root = () => (tree ??= parseTree(file.text, [], PARSE_OPTIONS));
  let spans: Map<string, Span> | undefined;
  return {
    file,
    events,
    asWritten: true,
    locate: locator(file, root),
    ...(topics !== undefined ? { topics } : {}),
    get topicSpans() {
      spans ??= new Map(
        (findNodeAtLocation(root()!, ["topics"])?.children ?? []).flatMap((property) => {
          const nameNode = property.children?.[0];
          return typeof nameNode?.value === "string"
            ? [[nameNode.value, span(file, nameNode.offset, nameNode.offset + nameNode.length)] as const]
            : [];
        }),
      );
      return spans;
    },
  };
}

function nodeValue(node: JsonNode): Json {
  switch (node.type) {
    case "object":
      return Object.fromEntries(
        (node.children ?? []).map((p) => [String(p.children![0]!.value), nodeValue(p.children![1]!)]),
      );
    case "array":
      return (node.children ?? []).map(nodeValue);
    default:
      return node.value as Json;
  }
}

function byName<T>([a]: [string, T], [b]: [string, T]): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The lock file's text: sorted, two-space JSON with a trailing newline, identical on every machine. */
export function formatLock(
  events: ReadonlyMap<string, readonly LockedVersion[]>,
  topics?: ReadonlyMap<string, readonly string[]>,
): string {
  const sortedEvents = [...events.entries()].sort(byName);
  const body = {
    "//": "Every published version of every event, recorded by `evtc lock`. Commit it; do not edit it by hand.",
    lockVersion: LOCK_VERSION,
    // A topic that has carried one event names it; one whose event was renamed or replaced lists them, oldest first.
    ...(topics !== undefined
      ? {
          topics: Object.fromEntries(
            [...topics.entries()]
              .sort(byName)
              .map(([topic, events]) => [topic, events.length === 1 ? events[0] : events]),
          ),
        }
      : {}),
    events: Object.fromEntries(
      sortedEvents.map(([name, versions]) => [
        name,
        Object.fromEntries(
          [...versions]
            .sort(compareVersions)
            .map((v) => [versionKey(v), { hash: v.hash, schema: canonical(v.schema as JsonValue) }]),
        ),
      ]),
    ),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

/**
 * The lock after publishing the current version of every event — recorded versions are kept as they are, and
 * each event version not yet recorded is added; `added` names them (`PaymentReceived v1.2`) — and, unless
 * `topics` is undefined, the event each topic now carries: `changed` names what differs from the lock's
 * record (`topic billing.payment.received: PaymentReceived`, `topic crm.old.topic removed`), `topics` is the
 * record to write.
 */
export function withCurrentVersionsAndTopics(
  lock: Lock,
  events: Iterable<{ name: string; version: { major: number; minor: number }; schema: Json }>,
  topics: ReadonlyMap<string, string> | undefined,
): {
  events: Map<string, LockedVersion[]>;
  added: string[];
  topics?: Map<string, readonly string[]>;
  changed: string[];
} {
  const versions = currentVersions(lock, events);
  if (topics === undefined) return { ...versions, changed: [] };
  const changed: string[] = [];
  const next = new Map<string, readonly string[]>();
  for (const [topic, event] of [...topics.entries()].sort(byName)) {
    const carried = lock.topics?.get(topic) ?? [];
    if (carried[carried.length - 1] === event) {
      next.set(topic, carried);
      continue;
    }
    next.set(topic, [...carried, event]);
    changed.push(`topic ${topic}: ${event}`);
  }
  for (const topic of [...(lock.topics?.keys() ?? [])].sort()) {
    if (!topics.has(topic)) changed.push(`topic ${topic} removed`);
  }
  return { ...versions, topics: next, changed };
}

/** The event a topic carried when `evtc lock` last ran, if the lock records it. */
export function recordedEventOf(lock: Lock, topic: string): string | undefined {
  const carried = lock.topics?.get(topic);
  return carried?.[carried.length - 1];
}

function currentVersions(
  lock: Lock,
  events: Iterable<{ name: string; version: { major: number; minor: number }; schema: Json }>,
): { events: Map<string, LockedVersion[]>; added: string[] } {
  const next = new Map<string, LockedVersion[]>(
    [...lock.events.entries()].map(([name, versions]) => [name, [...versions]]),
  );
  const added: string[] = [];
  for (const event of events) {
    const versions = next.get(event.name) ?? [];
    if (versions.some((v) => v.major === event.version.major && v.minor === event.version.minor)) continue;
    versions.push({
      ...event.version,
      hash: schemaHash(event.schema),
      schema: canonical(event.schema as JsonValue) as Json,
    });
    versions.sort(compareVersions);
    next.set(event.name, versions);
    added.push(`${event.name} v${versionKey(event.version)}`);
  }
  return { events: next, added: added.sort() };
}

/** What `evtc lock` records of a project: each event's current contract schema, and the event of each topic. */
export function currentContracts(model: BusModel): {
  events: { name: string; version: { major: number; minor: number }; schema: Json }[];
  topics: Map<string, string>;
} {
  return {
    events: [...model.events.values()].map((event) => ({
      name: event.name,
      version: event.version,
      schema: eventSchema(event, { documentation: false }).schema as unknown as Json,
    })),
    topics: new Map([...model.topics.values()].map((topic) => [topic.name, topic.event.name])),
  };
}
