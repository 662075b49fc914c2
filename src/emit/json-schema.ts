import type { Span } from "../diagnostics/source.js";
import type { EnumType, EventType, Field, FieldType, RecordType } from "../model/bus.js";
import type { ConstraintKind } from "../syntax/ast.js";

/**
 * JSON Schema (draft-07, what schema registries and ajv support best) for an event version.
 *
 * Objects are closed (`additionalProperties: false`) so that adding an optional field is the compatible
 * change users expect under Confluent's rules. Records and enums are shared `definitions`, referred to by
 * local `$ref`. The *contract* form leaves out documentation (`description`, `deprecated`, `title`): it is what
 * the lock file records and hashes, so that fixing a typo in a doc comment is not a new contract.
 */
export type JsonSchema = { readonly [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export interface SchemaOptions {
  /** Include `title`, `description` and `deprecated` (for emitted files, not for the lock). */
  readonly documentation: boolean;
}

export const DRAFT_07 = "http://json-schema.org/draft-07/schema#";

const INT32 = { minimum: -2147483648, maximum: 2147483647 };
const DECIMAL_PATTERN = "^-?(0|[1-9][0-9]*)(\\.[0-9]+)?$";

/** Where each part of a schema came from: JSON pointer → span of the field that produced it. */
export type SchemaOrigins = Map<string, Span>;

/** The keywords a field's type writes into its schema. */
const TYPE_KEYWORDS = ["type", "format", "contentEncoding", "enum", "items", "additionalProperties", "$ref"] as const;
/** The keywords each constraint writes (a decimal's bounds are evtc's own). */
const CONSTRAINT_KEYWORDS: Record<ConstraintKind, readonly string[]> = {
  pattern: ["pattern"],
  min: ["minimum", "x-evtc-minimum"],
  max: ["maximum", "x-evtc-maximum"],
  minLength: ["minLength"],
  maxLength: ["maxLength"],
  minItems: ["minItems"],
  maxItems: ["maxItems"],
};

class SchemaBuilder {
  readonly definitions = new Map<string, JsonSchema>();
  /** Each field's pointer, in the order written: `origins` is worked out from them only when asked for. */
  private readonly placed: [string, Field][] = [];
  private originsFound: SchemaOrigins | undefined;

  constructor(private readonly options: SchemaOptions) {}

  private docs(docs: readonly string[], deprecated: string | undefined): Record<string, JsonValue> {
    if (!this.options.documentation) return {};
    return {
      ...(docs.length > 0 ? { description: docs.join("\n") } : {}),
      ...(deprecated !== undefined ? { deprecated: true } : {}),
    };
  }

  private enumSchema(type: EnumType): JsonSchema {
    return { type: "string", enum: type.members.map((m) => m.name), ...this.docs(type.docs, type.deprecated) };
  }

  private reference(name: string, build: () => JsonSchema): JsonSchema {
    if (!this.definitions.has(name)) {
      this.definitions.set(name, {}); // placeholder first: records may refer to themselves
      this.definitions.set(name, build());
    }
    return { $ref: `#/definitions/${name}` };
  }

  type(type: FieldType, field: Field, pointer: string): JsonSchema {
    switch (type.kind) {
      case "enum":
        return this.reference(type.enum.name, () => this.enumSchema(type.enum));
      case "record":
        return this.reference(type.record.name, () =>
          this.recordSchema(type.record, `/definitions/${type.record.name}`),
        );
      case "array":
        return {
          type: "array",
          items: this.type(type.items, field, `${pointer}/items`),
          ...(field.type === type && field.constraints.minItems !== undefined
            ? { minItems: field.constraints.minItems }
            : {}),
          ...(field.type === type && field.constraints.maxItems !== undefined
            ? { maxItems: field.constraints.maxItems }
            : {}),
        };
      case "map":
        return {
          type: "object",
          additionalProperties: this.type(type.values, field, `${pointer}/additionalProperties`),
        };
      case "builtin": {
        const own = field.type === type ? field.constraints : {};
        switch (type.name) {
          case "string":
            return {
              type: "string",
              ...(own.minLength !== undefined ? { minLength: own.minLength } : {}),
              ...(own.maxLength !== undefined ? { maxLength: own.maxLength } : {}),
              ...(own.pattern !== undefined ? { pattern: own.pattern } : {}),
            };
          case "int":
            return { type: "integer", minimum: own.min ?? INT32.minimum, maximum: own.max ?? INT32.maximum };
          case "long":
          case "double": {
            const base = type.name === "long" ? "integer" : "number";
            return {
              type: base,
              ...(own.min !== undefined ? { minimum: own.min } : {}),
              ...(own.max !== undefined ? { maximum: own.max } : {}),
            };
          }
          case "decimal":
            // Exact digits travel as a string; the bounds are checked by evtc's validators.
            return {
              type: "string",
              pattern: DECIMAL_PATTERN,
              ...(own.min !== undefined ? { "x-evtc-minimum": own.min } : {}),
              ...(own.max !== undefined ? { "x-evtc-maximum": own.max } : {}),
            };
          case "boolean":
            return { type: "boolean" };
          case "uuid":
            return { type: "string", format: "uuid" };
          case "timestamp":
            return { type: "string", format: "date-time" };
          case "date":
            return { type: "string", format: "date" };
          case "duration":
            return { type: "string", format: "duration" };
          case "bytes":
            return { type: "string", contentEncoding: "base64" };
        }
      }
    }
  }

  fields(fields: readonly Field[], pointer: string): JsonSchema {
    const entries: [string, JsonSchema][] = [];
    for (const field of fields) {
      const at = `${pointer}/properties/${field.name}`;
      this.placed.push([at, field]);
      entries.push([
        field.name,
        {
          ...this.type(field.type, field, at),
          ...(field.default !== undefined ? { default: field.default } : {}),
          ...this.docs(field.docs, field.deprecated),
        },
      ]);
    }
    // `fromEntries` defines own properties: a field called `__proto__` stays a field, not a prototype.
    const properties = Object.fromEntries(entries);
    const required = fields.filter((f) => !f.optional).map((f) => f.name);
    return {
      type: "object",
      properties,
      ...(required.length > 0 ? { required } : {}),
      additionalProperties: false,
    };
  }

  /**
   * Where each part of the schema came from. Only a contract check that finds a difference asks, so a build
   * (thousands of schemas, a dozen keywords a field) does not spend time on it.
   */
  get origins(): SchemaOrigins {
    if (this.originsFound !== undefined) return this.originsFound;
    const origins: SchemaOrigins = new Map();
    for (const [at, field] of this.placed) {
      origins.set(at, field.declaration.name.span);
      // A change of a field's type or of one of its constraints is shown there, not at its name.
      for (const keyword of TYPE_KEYWORDS) origins.set(`${at}/${keyword}`, field.declaration.type.span);
      for (const constraint of field.declaration.constraints) {
        for (const keyword of CONSTRAINT_KEYWORDS[constraint.kind]) origins.set(`${at}/${keyword}`, constraint.span);
      }
    }
    return (this.originsFound = origins);
  }

  recordSchema(record: RecordType, pointer: string): JsonSchema {
    return { ...this.fields(record.fields, pointer), ...this.docs(record.docs, record.deprecated) };
  }
}

/**
 * An object's keys in `Array.prototype.sort`'s order (UTF-16 code units). Sorted in place by insertion when few,
 * as nearly every object evtc writes has: the built-in sort makes a copy to work on, and `canonical` runs over
 * every object of every schema and of the topology (some 50 MB of such copies in a 1,000-topic build).
 */
function sortedKeys(object: Record<string, unknown>): string[] {
  const keys = Object.keys(object);
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    for (; j >= 0 && keys[j]! > key; j--) keys[j + 1] = keys[j]!;
    keys[j + 1] = key;
  }
  return keys;
}

/**
 * A copy of `value` with every object's keys sorted (arrays keep their order), so that equal values serialise
 * to equal text. Used for every JSON evtc writes or hashes. (A key that looks like an array index still comes
 * first when serialised: JavaScript orders those keys itself.)
 */
export function canonical<T>(value: T): T {
  if (Array.isArray(value)) return value.map(canonical) as T;
  if (value === null || typeof value !== "object") return value;
  const object = value as Record<string, unknown>;
  const keys = sortedKeys(object);
  const sorted: Record<string, unknown> = {};
  for (const key of keys) {
    // A plain assignment to `__proto__` would set the prototype instead of a key.
    if (key === "__proto__")
      Object.defineProperty(sorted, key, {
        value: canonical(object[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else sorted[key] = canonical(object[key]);
  }
  return sorted as T;
}

/** Recorded schemas found to list their keys in `canonical`'s order: asked of each when the lock is read, and after. */
const canonicalSchemas = new WeakSet<object>();

/**
 * Whether every object in `schema` lists its keys in `canonical`'s order already, so that it is its own canonical
 * copy: true of every schema `evtc lock` wrote.
 */
export function isCanonical(schema: JsonValue): boolean {
  if (schema === null || typeof schema !== "object") return true;
  if (canonicalSchemas.has(schema)) return true;
  if (!keysSorted(schema)) return false;
  canonicalSchemas.add(schema);
  return true;
}

/** Whether every object in `value` lists its keys in `canonical`'s order already. */
function keysSorted(value: JsonValue): boolean {
  if (Array.isArray(value)) return value.every(keysSorted);
  if (value === null || typeof value !== "object") return true;
  const keys = Object.keys(value);
  for (let i = 1; i < keys.length; i++) if (!(keys[i - 1]! < keys[i]!)) return false;
  return keys.every((key) => keysSorted((value as Record<string, JsonValue>)[key]!));
}

/** A value as `JSON.stringify` writes it: a number that is not finite (a bound of `1e400`) is `null`. */
function asWritten(value: JsonValue | undefined): JsonValue | undefined {
  return typeof value === "number" && !Number.isFinite(value) ? null : value;
}

/**
 * Whether two JSON values have the same `canonical` text: objects with the same keys (in any order) and equal
 * values under them, arrays with equal items in the same order, as `JSON.stringify` writes them (a number that is
 * not finite as `null`, an undefined member left out of an object and `null` in an array). A walk over both,
 * without the copies and text that comparing their canonical text (or its hash) would make; a build compares
 * every event's schema with the lock's twice, so it allocates nothing but each object's keys.
 */
export function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  a = asWritten(a);
  b = asWritten(b);
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    const first = a as readonly (JsonValue | undefined)[];
    const second = b as readonly (JsonValue | undefined)[];
    for (let i = 0; i < first.length; i++) if (!sameJson(first[i] ?? null, second[i] ?? null)) return false;
    return true;
  }
  const first = a as { readonly [key: string]: JsonValue | undefined };
  const second = b as { readonly [key: string]: JsonValue | undefined };
  let written = 0;
  for (const key of Object.keys(first)) {
    const value = first[key];
    if (value === undefined) continue;
    written++;
    if (!Object.hasOwn(second, key) || !sameJson(value, second[key])) return false;
  }
  // Every key of the first is in the second: the second has no other when it has as many written.
  for (const key of Object.keys(second)) if (second[key] !== undefined) written--;
  return written === 0;
}

export interface EventSchema {
  readonly schema: JsonSchema;
  readonly origins: SchemaOrigins;
}

/**
 * Each event's schemas, built once: a build writes its documented form and compiles its contract form, which
 * the contract checks of the same run compare with the lock. An event of a resolved model does not change.
 */
const built = new WeakMap<EventType, { documented?: EventSchema; contract?: EventSchema }>();

/**
 * The JSON Schema of an event's current version, documented or in its contract form. Callers share it: it is
 * not to be modified.
 */
export function eventSchema(event: EventType, options: SchemaOptions): EventSchema {
  let forms = built.get(event);
  if (forms === undefined) built.set(event, (forms = {}));
  if (options.documentation) return (forms.documented ??= buildEventSchema(event, options));
  if (forms.contract !== undefined) return forms.contract;
  const documented = forms.documented;
  // Without its documentation, the documented form is the contract form, and its fields are where they were.
  forms.contract =
    documented === undefined
      ? buildEventSchema(event, options)
      : {
          schema: contractOf(documented.schema),
          get origins() {
            return documented.origins;
          },
        };
  return forms.contract;
}

function buildEventSchema(event: EventType, options: SchemaOptions): EventSchema {
  const builder = new SchemaBuilder(options);
  const body = builder.fields(event.fields, "");
  const definitions = [...builder.definitions.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const schema: JsonSchema = {
    $schema: DRAFT_07,
    ...(options.documentation ? { title: `${event.name} v${event.version.major}.${event.version.minor}` } : {}),
    ...body,
    ...(options.documentation && event.docs.length > 0 ? { description: event.docs.join("\n") } : {}),
    ...(definitions.length > 0 ? { definitions: Object.fromEntries(definitions) } : {}),
  };
  return {
    schema: canonical(schema),
    get origins() {
      return builder.origins;
    },
  };
}

/** The keywords the documented form of an event schema adds to the contract form. */
const DOCUMENTATION_KEYWORDS = new Set(["title", "description", "deprecated"]);

/**
 * The contract form of a documented event schema, as `eventSchema(event, { documentation: false })` builds it,
 * without building it again: the documentation keywords left out wherever a schema stands (the root, a
 * property, a definition, `items`, `additionalProperties`), never a property that happens to have such a name.
 * Keys stay sorted.
 */
export function contractOf(schema: JsonSchema): JsonSchema {
  const strip = (node: JsonValue): JsonValue => {
    if (node === null || typeof node !== "object" || Array.isArray(node)) return node;
    const entries: [string, JsonValue][] = [];
    for (const [key, value] of Object.entries(node as JsonSchema)) {
      if (DOCUMENTATION_KEYWORDS.has(key)) continue;
      if ((key === "properties" || key === "definitions") && value !== null && typeof value === "object") {
        entries.push([key, Object.fromEntries(Object.entries(value).map(([name, member]) => [name, strip(member)]))]);
      } else if (key === "items" || key === "additionalProperties") entries.push([key, strip(value)]);
      else entries.push([key, value]);
    }
    return Object.fromEntries(entries);
  };
  return strip(schema) as JsonSchema;
}

const DEFINITION_REF = "#/definitions/";

/** Every `$ref` in `value`, at any depth, added to `found`. */
function refsIn(value: JsonValue, found: JsonValue[]): void {
  if (value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    for (const item of value as readonly JsonValue[]) refsIn(item, found);
    return;
  }
  const object = value as { readonly [key: string]: JsonValue };
  const keys = Object.keys(object);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (key === "$ref") found.push(object[key]!);
    else refsIn(object[key]!, found);
  }
}

/**
 * `schema` with local `$ref`s to definitions replaced by the definitions themselves, where that costs nothing in
 * size: the form validators are compiled from. A definition is inlined at each reference when it holds no
 * `$ref` of its own (an enum, a record of plain fields: what ajv inlines into its code anyway, its
 * `inlineRefs`), and at its only reference when it has just one and is not recursive (a record used by one
 * field: moved, not copied). Resolving a reference cost ajv more than compiling what it points at: inlining the
 * first kind saved a quarter of each compile, moving the second a further eighth (bench/compile's schemas), for
 * code of the same shape. A definition used more than once that refers
 * to others (a record nested in several places) or a recursive one stays a definition, which ajv compiles once
 * as a function of its own: inlining those too would copy a record used twice at each level of nesting, and
 * grow without bound for a recursive one. Keys stay sorted when they are in `schema` (see `canonical`).
 *
 * A build runs this once per event, on code V8 has not optimised yet: it walks the schema without the copies
 * and callbacks that cost most in unoptimised code.
 */
export function inlineDefinitions(schema: JsonSchema): JsonSchema {
  const definitions = (schema["definitions"] ?? {}) as Record<string, JsonValue>;
  const localName = (ref: JsonValue | undefined): string | undefined =>
    typeof ref === "string" &&
    ref.startsWith(DEFINITION_REF) &&
    Object.hasOwn(definitions, ref.slice(DEFINITION_REF.length))
      ? ref.slice(DEFINITION_REF.length)
      : undefined;
  // Each definition's references, and how many references there are to each, from anywhere in the schema.
  const refs = new Map<string, JsonValue[]>();
  const uses = new Map<string, number>();
  const counted: JsonValue[] = [];
  for (const key of Object.keys(schema)) {
    if (key === "$ref") counted.push(schema[key]!);
    else if (key !== "definitions") refsIn(schema[key]!, counted);
  }
  for (const name of Object.keys(definitions)) {
    const own: JsonValue[] = [];
    refsIn(definitions[name]!, own);
    refs.set(name, own);
    for (const ref of own) counted.push(ref);
  }
  for (const ref of counted) {
    const name = localName(ref);
    if (name !== undefined) uses.set(name, (uses.get(name) ?? 0) + 1);
  }
  const recursive = (name: string): boolean => {
    const seen = new Set<string>();
    const next = (from: string): string[] =>
      (refs.get(from) ?? []).map(localName).filter((n): n is string => n !== undefined);
    const pending = next(name);
    while (pending.length > 0) {
      const current = pending.pop()!;
      if (current === name) return true;
      if (seen.has(current)) continue;
      seen.add(current);
      pending.push(...next(current));
    }
    return false;
  };
  const inlinable = new Set(
    [...refs]
      .filter(([name, own]) => own.length === 0 || (uses.get(name) === 1 && !recursive(name)))
      .map(([name]) => name),
  );
  if (inlinable.size === 0) return schema;
  // Parts without an inlined reference are shared with `schema`, not copied: most of a schema has none.
  const inline = (value: JsonValue): JsonValue => {
    if (Array.isArray(value)) {
      const items = value.map(inline);
      return items.some((item, i) => item !== value[i]) ? items : value;
    }
    if (value === null || typeof value !== "object") return value;
    const object = value as Record<string, JsonValue>;
    const name = localName(object["$ref"]);
    const merged = name !== undefined && inlinable.has(name);
    if (!merged && object !== schema) {
      const keys = Object.keys(object);
      let changed: [string, JsonValue][] | undefined;
      for (let i = 0; i < keys.length; i++) {
        const member = object[keys[i]!]!;
        const inlined = inline(member);
        if (inlined !== member && changed === undefined) changed = keys.slice(0, i).map((key) => [key, object[key]!]);
        changed?.push([keys[i]!, inlined]);
      }
      return changed === undefined ? object : Object.fromEntries(changed);
    }
    const entries: [string, JsonValue][] = merged
      ? Object.entries(inline(definitions[name]!) as Record<string, JsonValue>)
      : [];
    for (const [key, member] of Object.entries(object)) {
      if (merged && key === "$ref") continue;
      if (object === schema && key === "definitions") {
        // The definitions kept, with what they refer to inlined in them as well.
        const kept = Object.entries(definitions).filter(([definition]) => !inlinable.has(definition));
        if (kept.length > 0) entries.push([key, Object.fromEntries(kept.map(([n, d]) => [n, inline(d)]))]);
        continue;
      }
      // Beside a `$ref` evtc writes only annotations (`default`, docs), which the definition never has.
      entries.push([key, inline(member)]);
    }
    // Only a merged object needs sorting again: the others keep the order of a canonical input.
    if (merged) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries);
  };
  return inline(schema) as JsonSchema;
}
