import type { Json } from "../compat/diff.js";
import type { Lock, LockedVersion } from "../contracts/lock.js";
import type { BusModel } from "../model/bus.js";
import { docText, propertyName, stringLiteral } from "./identifiers.js";
import type { OlderVersion } from "./typescript.js";
import type { Doc } from "./doc.js";
import { objectType, type PropertySignature } from "./ts-syntax.js";

/**
 * Consumers may accept an event's older major versions while producers migrate (`accepts v1, v2`). Only the
 * current version is in the `.evt` files; the older ones are in `evt.lock`, as the contract schemas evtc
 * itself wrote. This turns such a schema back into a TypeScript type, for the handler's union type.
 */

type Schema = { readonly [key: string]: Json };

function asSchema(value: Json | undefined): Schema | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Schema) : undefined;
}

class SchemaToType {
  private readonly expanding = new Set<string>();

  constructor(private readonly definitions: Schema) {}

  /** The definition a `$ref` names, or undefined when the schema is no reference. */
  private static referenced(schema: Schema): string | undefined {
    const ref = schema["$ref"];
    return typeof ref === "string" ? ref.replace(/^#\/definitions\//, "") : undefined;
  }

  /** The schema a `$ref` points to (itself when it is none). */
  private resolve(schema: Schema): Schema {
    const name = SchemaToType.referenced(schema);
    return name === undefined ? schema : (asSchema(this.definitions[name]) ?? {});
  }

  type(schema: Schema): Doc {
    const name = SchemaToType.referenced(schema);
    if (name !== undefined) {
      const target = asSchema(this.definitions[name]);
      // A record that contains itself would expand forever: its inner occurrence is left untyped.
      if (target === undefined || this.expanding.has(name)) return "unknown";
      this.expanding.add(name);
      const type = this.type(target);
      this.expanding.delete(name);
      return type;
    }
    const members = schema["enum"];
    if (Array.isArray(members)) return members.map((m) => stringLiteral(String(m))).join(" | ");
    switch (schema["type"]) {
      case "string":
        return "string";
      case "integer":
      case "number":
        return "number";
      case "boolean":
        return "boolean";
      case "array": {
        const items = asSchema(schema["items"]);
        if (items === undefined) return "readonly unknown[]";
        // Parentheses only where TypeScript needs them, as prettier leaves them: around a union or an array.
        const target = this.resolve(items);
        const compound = (Array.isArray(target["enum"]) && target["enum"].length > 1) || target["type"] === "array";
        return compound ? ["readonly (", this.type(items), ")[]"] : ["readonly ", this.type(items), "[]"];
      }
      case "object":
        return this.object(schema);
      default:
        return "unknown";
    }
  }

  object(schema: Schema): Doc {
    const properties = asSchema(schema["properties"]);
    if (properties === undefined) {
      const values = asSchema(schema["additionalProperties"]);
      return objectType([{ name: "[key: string]", type: values ? this.type(values) : "unknown" }]);
    }
    const required = new Set(Array.isArray(schema["required"]) ? schema["required"].map(String) : []);
    const members = Object.keys(properties)
      .sort()
      .map((name): PropertySignature => {
        const property = asSchema(properties[name]) ?? {};
        return { name: propertyName(name), optional: !required.has(name), type: this.type(property) };
      });
    return objectType(members);
  }
}

function latestOfMajor(versions: readonly LockedVersion[], major: number): LockedVersion | undefined {
  return versions.filter((v) => v.major === major).sort((a, b) => b.minor - a.minor)[0];
}

export function olderVersionsOf(model: BusModel, lock: Lock): OlderVersion[] {
  const wanted = new Map<string, Set<number>>();
  /** Per event, the events its topic carried before it was renamed (`evt.lock`'s topics, latest first). */
  const formerly = new Map<string, readonly string[]>();
  for (const consumer of model.consumers.values()) {
    const event = consumer.from.event;
    const previous = [...(lock.topics?.get(consumer.from.name) ?? [])].reverse().filter((e) => e !== event.name);
    if (previous.length > 0 && !formerly.has(event.name)) formerly.set(event.name, previous);
    for (const major of consumer.accepts) {
      if (major === event.version.major) continue;
      const majors = wanted.get(event.name) ?? new Set<number>();
      majors.add(major);
      wanted.set(event.name, majors);
    }
  }
  const older: OlderVersion[] = [];
  for (const [event, majors] of [...wanted.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const major of [...majors].sort((a, b) => a - b)) {
      // The event's own versions first, then those of the events its topic carried before, latest first.
      const source = [event, ...(formerly.get(event) ?? [])].find(
        (name) => latestOfMajor(lock.events.get(name) ?? [], major) !== undefined,
      );
      const locked = source === undefined ? undefined : latestOfMajor(lock.events.get(source) ?? [], major);
      const schema = asSchema(locked?.schema);
      // Refused by the check (EVT0609) before a build gets here.
      if (source === undefined || locked === undefined || schema === undefined) continue;
      const version = `${locked.major}.${locked.minor}`;
      older.push({
        version: { event, version, major },
        schema,
        recorded: { event: source, major: locked.major, minor: locked.minor },
        docs: `${docText(
          source === event
            ? `${event} as it was in v${version}, still accepted by some consumers.`
            : `${event} v${major}: ${source} v${version}, which its topic carried before ${event}, still accepted by some consumers.`,
        )}\n\n@generated from evt.lock, event ${source} v${version}`,
        type: new SchemaToType(asSchema(schema["definitions"]) ?? {}).object(schema),
      });
    }
  }
  return older;
}
