import { compareSchemas, type Json } from "../compat/diff.js";
import { checkCompatibility, type DirectedDifference } from "../compat/modes.js";
import { isCompatibleChange, type Policy } from "../compat/differences.js";
import { recordedEventOf, versionKey, type Lock, type LockedVersion } from "../contracts/lock.js";
import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { Span } from "../diagnostics/source.js";
import { eventSchema, sameJson, type SchemaOrigins } from "../emit/json-schema.js";
import type { BusModel, CompatibilityMode, EventType } from "../model/bus.js";

/** The span of the deepest part of the new schema a pointer reaches (`#/properties/a/maxLength` → field `a`). */
function originOf(origins: SchemaOrigins, pointer: string): Span | undefined {
  const segments = pointer
    .replace(/^#/, "")
    .split("/")
    .filter((s) => s !== "");
  for (let n = segments.length; n > 0; n--) {
    const found = origins.get(`/${segments.slice(0, n).join("/")}`);
    if (found) return found;
  }
  return undefined;
}

function versionSpan(event: EventType): Span {
  return event.declaration.version?.span ?? event.nameSpan;
}

function describeChange(
  type: string,
  detail: string | undefined,
  pointer: string,
  direction: string,
  mode: string,
): string {
  const words = type.toLowerCase().replace(/_/g, " ");
  const where = pointer === "#" ? "" : ` at \`${pointer}\``;
  if (direction === "forward") {
    // A forward check compares the schemas the other way round (the old one reads the new one's data), so its
    // change types name the change from the new schema to the old: said here as the user made it, old to new.
    const made = words.replace(
      /removed from|added to|removed|added|increased|decreased|extended|narrowed|reduced|expanded/g,
      (w) => opposite[w]!,
    );
    const [from, to] = (detail ?? "").split(" → ");
    const shown = detail === undefined ? "" : to !== undefined ? ` (${to} → ${from})` : ` (${detail})`;
    return `${made}${shown}${where}, which consumers still at the published version cannot read`;
  }
  const how = mode.startsWith("full") ? " (backward)" : "";
  return `${words}${detail ? ` (${detail})` : ""}${where}${how}`;
}

const opposite: Readonly<Record<string, string>> = {
  "removed from": "added to",
  "added to": "removed from",
  removed: "added",
  added: "removed",
  increased: "decreased",
  decreased: "increased",
  extended: "narrowed",
  narrowed: "extended",
  reduced: "expanded",
  expanded: "reduced",
};

/**
 * What changed in a published version, and the version to publish the change as: the next minor when it keeps
 * to every mode of the topics that carry the event, the next major otherwise. A change the comparison cannot see
 * is in what JSON Schema treats as a set (the order of `required` or of an enum's members).
 */
function newVersionHelp(model: BusModel, event: EventType, published: Json, schema: Json, policy: Policy): string {
  const minor = `v${event.version.major}.${event.version.minor + 1}`;
  const major = `v${event.version.major + 1}.0`;
  const changes = compareSchemas(published, schema, policy);
  if (changes.length === 0) {
    return `only the order of fields or enum members differs from what was published: restore it, or publish the change as \`${minor}\``;
  }
  const modes = [...new Set([...model.topics.values()].filter((t) => t.event === event).map((t) => t.compatibility))];
  const compatible = modes.every((mode) => checkCompatibility([published], schema, mode, policy).compatible);
  const shown = changes.slice(0, 3).map((d) => describeChange(d.type, d.detail, d.path, "backward", "backward"));
  const more = changes.length > 3 ? ` and ${changes.length - 3} more` : "";
  return `changed: ${shown.join("; ")}${more} — publish it as \`${compatible ? minor : major}\`${compatible ? "" : " (a breaking change)"}`;
}

/**
 * The version to declare for an event whose declared version is below the latest published (EVT0604): the latest
 * itself when the schema is what it recorded, else the one after it, minor when the change keeps to every mode
 * of the topics that carry the event.
 */
function nextVersionHelp(
  model: BusModel,
  event: EventType,
  recorded: readonly LockedVersion[],
  schema: Json,
  policy: Policy,
): string {
  const latest = recorded[recorded.length - 1]!;
  if (sameJson(schema, latest.schema)) return `declare \`v${versionKey(latest)}\`: this schema is what it published`;
  const line = recorded.filter((v) => v.major === latest.major).map((v) => v.schema as Json);
  const modes = [...new Set([...model.topics.values()].filter((t) => t.event === event).map((t) => t.compatibility))];
  const compatible = modes.every((mode) => checkCompatibility(line, schema, mode, policy).compatible);
  return compatible
    ? `versions only go up: declare \`v${latest.major}.${latest.minor + 1}\``
    : `versions only go up: declare \`v${latest.major + 1}.0\` (the change breaks v${latest.major})`;
}

/**
 * Checks the declared events against the published history in `evt.lock`: recorded versions are immutable,
 * versions only go up, a new version stays compatible with its major line under each carrying topic's mode,
 * and consumers acknowledge new major versions of public topics.
 */
export function checkContracts(model: BusModel, lock: Lock, policy: Policy): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const event of model.events.values()) {
    const recorded = lock.events.get(event.name) ?? [];
    if (recorded.length === 0) continue;
    const current = eventSchema(event, { documentation: false });
    const schema = current.schema as unknown as Json;
    const key = versionKey(event.version);
    const same = recorded.find((v) => versionKey(v) === key);
    const published = (v: { major: number; minor: number }, pointer?: string) => {
      const at = lock.locate(event.name, versionKey(v), pointer);
      return at ? [{ span: at, message: `published v${versionKey(v)}` }] : [];
    };
    if (same) {
      // Every version the lock holds matches its hash (\`parseLock\`): the same schema is the same hash.
      if (!sameJson(schema, same.schema)) {
        diagnostics.push(
          diagnostic(
            "EVT0603",
            { event: event.name, version: key },
            {
              span: versionSpan(event),
              related: published(same),
              help: newVersionHelp(model, event, same.schema as Json, schema, policy),
            },
          ),
        );
      }
      continue;
    }
    const latest = recorded[recorded.length - 1]!;
    if (
      event.version.major < latest.major ||
      (event.version.major === latest.major && event.version.minor < latest.minor)
    ) {
      diagnostics.push(
        diagnostic(
          "EVT0604",
          { event: event.name, version: key, latest: versionKey(latest) },
          {
            span: versionSpan(event),
            related: published(latest),
            help: nextVersionHelp(model, event, recorded, schema, policy),
          },
        ),
      );
      continue;
    }
    const line = recorded.filter((v) => v.major === event.version.major);
    if (line.length === 0) continue; // a new major version may break; its consumers acknowledge it below
    const modes = new Set<CompatibilityMode>(
      [...model.topics.values()].filter((t) => t.event === event).map((t) => t.compatibility),
    );
    for (const mode of [...modes].sort()) {
      const result = checkCompatibility(
        line.map((v) => v.schema),
        schema,
        mode,
        policy,
      );
      for (const verdict of result.verdicts) {
        const against = line[verdict.against]!;
        // Where a change is in the new schema and in the published one, and how it reads.
        const located = (d: DirectedDifference) => {
          const newPointer = d.direction === "backward" ? d.updatePath : d.originalPath;
          const oldPointer = d.direction === "backward" ? d.originalPath : d.updatePath;
          return {
            change: describeChange(d.type, d.detail, d.path, d.direction, mode),
            span: originOf(current.origins, newPointer) ?? versionSpan(event),
            related: published(against, oldPointer),
          };
        };
        for (const d of verdict.differences.filter((x) => !x.compatible)) {
          const { change, span, related } = located(d);
          diagnostics.push(
            diagnostic(
              "EVT0605",
              { event: event.name, version: key, change, mode, against: versionKey(against) },
              { span, related, help: `make the change compatible, or publish it as \`v${event.version.major + 1}.0\`` },
            ),
          );
        }
        // LENIENT accepts these because readers ignore what they do not know; evtc's readers validate with
        // closed schemas, so a reader refuses the events written with a property its version does not have.
        if (policy !== "lenient") continue;
        for (const d of verdict.differences.filter((x) => x.compatible && !isCompatibleChange(x.type, "strict"))) {
          const { change, span, related } = located(d);
          diagnostics.push(
            diagnostic(
              "EVT0610",
              { event: event.name, version: key, change, against: versionKey(against) },
              {
                span,
                related,
                help:
                  d.direction === "backward"
                    ? "a consumer at this version refuses the older events: deploy the producers first and let those events age out of the topic before the consumers move, or publish it as a new major version"
                    : "consumers still at the older version refuse these events: move every consumer to this version before any producer publishes it, or publish it as a new major version",
              },
            ),
          );
        }
      }
    }
  }
  diagnostics.push(...checkTopicHistories(model, lock, policy));
  diagnostics.push(...checkAcknowledgements(model, lock));
  return diagnostics;
}

/**
 * A topic's schema history is the topic's, whatever its event is called: its registry subject (`<topic>-value`)
 * holds every version published on it. A topic whose event was renamed or replaced since `evtc lock` last ran
 * is checked against the versions of the event it carried, under its mode, unless the new event starts a new
 * major version (which its consumers then acknowledge, EVT0606). A topic that was recorded and is gone is worth
 * a warning: readers outside the project may still expect it.
 */
function checkTopicHistories(model: BusModel, lock: Lock, policy: Policy): Diagnostic[] {
  if (lock.topics === undefined) return [];
  const diagnostics: Diagnostic[] = [];
  for (const topic of model.topics.values()) {
    const before = recordedEventOf(lock, topic.name);
    if (before === undefined || before === topic.event.name) continue;
    const history = lock.events.get(before) ?? [];
    const latest = history[history.length - 1];
    if (latest === undefined || topic.event.version.major > latest.major) continue;
    const line = history.filter((v) => v.major === latest.major);
    const schema = eventSchema(topic.event, { documentation: false }).schema as unknown as Json;
    const result = checkCompatibility(
      line.map((v) => v.schema),
      schema,
      topic.compatibility,
      policy,
    );
    const first = result.verdicts.flatMap((v) => v.differences).find((d) => !d.compatible);
    if (first === undefined) continue;
    diagnostics.push(
      diagnostic(
        "EVT0607",
        {
          topic: topic.name,
          before,
          version: versionKey(latest),
          event: topic.event.name,
          mode: topic.compatibility,
          change: describeChange(first.type, first.detail, first.path, first.direction, topic.compatibility),
        },
        {
          span: topic.nameSpan,
          related: [{ span: versionSpan(topic.event), message: `\`${topic.event.name}\` is declared here` }],
          help: `make \`${topic.event.name}\` compatible with \`${before}\`, publish it as \`v${latest.major + 1}.0\`, or publish it on a new topic`,
        },
      ),
    );
  }
  for (const [name, carried] of [...lock.topics.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (model.topics.has(name)) continue;
    const before = carried[carried.length - 1]!;
    diagnostics.push(
      diagnostic(
        "EVT0608",
        { topic: name, event: before },
        {
          ...(lock.topicSpans?.has(name) ? { span: lock.topicSpans.get(name)! } : {}),
          ...(lock.file ? { path: lock.file.path } : {}),
          help: "if it is retired on purpose, `evtc lock` records that it is gone",
        },
      ),
    );
  }
  return diagnostics;
}

function checkAcknowledgements(model: BusModel, lock: Lock): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const consumer of model.consumers.values()) {
    const topic = consumer.from;
    const major = topic.event.version.major;
    // The majors published on the topic: its event's, and those of the events it carried before a rename.
    const carried = new Set([topic.event.name, ...(lock.topics?.get(topic.name) ?? [])]);
    const recordedMajors = new Set([...carried].flatMap((event) => lock.events.get(event) ?? []).map((v) => v.major));
    const newMajor = recordedMajors.size > 0 && !recordedMajors.has(major);
    const acceptsCurrent = consumer.accepts.includes(major);
    const unacknowledged = topic.visibility === "public" && newMajor && !consumer.acceptsDeclared;
    if ((consumer.acceptsDeclared && !acceptsCurrent) || unacknowledged) {
      const clause = consumer.declaration.clauses.find((c) => c.keyword === "accepts");
      const accepted = [
        ...new Set([...(consumer.acceptsDeclared ? consumer.accepts : [...recordedMajors]), major]),
      ].sort((a, b) => a - b);
      diagnostics.push(
        diagnostic(
          "EVT0606",
          { reader: consumer.name, event: topic.event.name, major, topic: topic.name },
          {
            span: clause?.span ?? consumer.nameSpan,
            help: `once the consumer handles v${major}, say so: \`accepts ${accepted.map((v) => `v${v}`).join(", ")}\``,
          },
        ),
      );
    }
    // An older major is read with the validator of its published schema: one never recorded could not be read.
    const clause = consumer.declaration.clauses.find((c) => c.keyword === "accepts");
    for (const older of consumer.accepts.filter((m) => m !== major && !recordedMajors.has(m))) {
      diagnostics.push(
        diagnostic(
          "EVT0609",
          { reader: consumer.name, major: older, event: topic.event.name, topic: topic.name },
          {
            span: clause?.span ?? consumer.nameSpan,
            help: `drop v${older} from \`accepts\`: events of a major version are read with its schema in \`evt.lock\`, which \`evtc lock\` records while it is current`,
          },
        ),
      );
    }
  }
  return diagnostics;
}
