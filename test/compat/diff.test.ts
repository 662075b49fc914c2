import { describe, expect, it } from "vitest";
import { compareSchemas, MAX_SCHEMA_DEPTH, type Json } from "../../src/compat/diff.js";
import { isCompatibleChange, type Policy } from "../../src/compat/differences.js";
import { checkCompatibility } from "../../src/compat/modes.js";

const closed = (properties: Record<string, Json>, required: string[] = [], extra: Record<string, Json> = {}): Json => ({
  type: "object",
  properties,
  ...(required.length > 0 ? { required } : {}),
  additionalProperties: false,
  ...extra,
});
const open = (properties: Record<string, Json>, required: string[] = []): Json => ({
  type: "object",
  properties,
  ...(required.length > 0 ? { required } : {}),
});
const str = { type: "string" };

interface Case {
  readonly name: string;
  readonly old: Json;
  readonly new: Json;
  /** The difference types found, in order. */
  readonly types: readonly string[];
  /** Verdict of a backward check (the new schema reads the old one's data) under STRICT and LENIENT. */
  readonly strict: boolean;
  readonly lenient?: boolean;
}

/**
 * Each kind of change with the verdict Confluent Schema Registry's JSON Schema checker gives it
 * (io.confluent.kafka.schemaregistry.json.diff, see docs/compatibility.md for the sources).
 */
const cases: readonly Case[] = [
  // objects: the closed content model evtc emits
  {
    name: "optional property added, closed",
    old: closed({ a: str }),
    new: closed({ a: str, b: str }),
    types: ["OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL"],
    strict: true,
  },
  {
    name: "required property added, closed",
    old: closed({ a: str }),
    new: closed({ a: str, b: str }, ["b"]),
    types: ["REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL"],
    strict: false,
    lenient: false,
  },
  {
    name: "required property with default added, closed",
    old: closed({ a: str }),
    new: closed({ a: str, b: { type: "string", default: "x" } }, ["b"]),
    types: ["REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL"],
    strict: true,
  },
  {
    name: "optional property removed, closed",
    old: closed({ a: str, b: str }),
    new: closed({ a: str }),
    types: ["OPTIONAL_PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"],
    strict: false,
    lenient: true,
  },
  {
    name: "required property removed, closed",
    old: closed({ a: str, b: str }, ["b"]),
    new: closed({ a: str }),
    types: ["REQUIRED_PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"],
    strict: false,
    lenient: false,
  },
  // objects: open content model
  {
    name: "optional property added, open",
    old: open({ a: str }),
    new: open({ a: str, b: str }),
    types: ["OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"],
    strict: false,
    lenient: true,
  },
  {
    name: "required property added, open",
    old: open({ a: str }),
    new: open({ a: str, b: str }, ["b"]),
    types: ["REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"],
    strict: false,
    lenient: false,
  },
  {
    name: "property with empty schema added, open",
    old: open({ a: str }),
    new: open({ a: str, b: {} }),
    types: ["PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL"],
    strict: true,
  },
  {
    name: "property removed, open",
    old: open({ a: str, b: str }),
    new: open({ a: str }),
    types: ["PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL"],
    strict: true,
  },
  {
    name: "open to closed",
    old: open({ a: str }),
    new: closed({ a: str }),
    types: ["ADDITIONAL_PROPERTIES_REMOVED"],
    strict: false,
    lenient: true,
  },
  {
    name: "closed to open",
    old: closed({ a: str }),
    new: open({ a: str }),
    types: ["ADDITIONAL_PROPERTIES_ADDED"],
    strict: true,
  },
  {
    name: "property covered by patternProperties added",
    old: { type: "object", properties: { a: str }, patternProperties: { "^x-": str } },
    new: { type: "object", properties: { a: str, "x-b": str }, patternProperties: { "^x-": str } },
    types: [
      "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
      "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
    ],
    strict: true,
  },
  {
    name: "property not covered by patternProperties added",
    old: { type: "object", properties: { a: str }, patternProperties: { "^x-": str } },
    new: { type: "object", properties: { a: str, b: str }, patternProperties: { "^x-": str } },
    types: [
      "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
      "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
    ],
    strict: false,
    lenient: true,
  },
  {
    name: "property becomes required",
    old: closed({ a: str }),
    new: closed({ a: str }, ["a"]),
    types: ["REQUIRED_ATTRIBUTE_ADDED"],
    strict: false,
  },
  {
    name: "property becomes optional",
    old: closed({ a: str }, ["a"]),
    new: closed({ a: str }),
    types: ["REQUIRED_ATTRIBUTE_REMOVED"],
    strict: true,
  },
  {
    name: "map values widened",
    old: { type: "object", additionalProperties: { type: "integer" } },
    new: { type: "object", additionalProperties: { type: "number" } },
    types: ["TYPE_EXTENDED"],
    strict: true,
  },
  {
    name: "maxProperties decreased",
    old: { type: "object", maxProperties: 5 },
    new: { type: "object", maxProperties: 3 },
    types: ["MAX_PROPERTIES_DECREASED"],
    strict: false,
  },
  // types
  {
    name: "integer to number",
    old: { type: "integer" },
    new: { type: "number" },
    types: ["TYPE_EXTENDED"],
    strict: true,
  },
  {
    name: "number to integer",
    old: { type: "number" },
    new: { type: "integer" },
    types: ["TYPE_NARROWED"],
    strict: false,
  },
  { name: "string to number", old: str, new: { type: "number" }, types: ["TYPE_CHANGED"], strict: false },
  {
    name: "made nullable with a type array",
    old: str,
    new: { type: ["string", "null"] },
    types: ["SUM_TYPE_EXTENDED"],
    strict: true,
  },
  {
    name: "made nullable with oneOf",
    old: str,
    new: { oneOf: [{ type: "null" }, str] },
    types: ["SUM_TYPE_EXTENDED"],
    strict: true,
  },
  {
    name: "nullable made required",
    old: { type: ["string", "null"] },
    new: str,
    types: ["TYPE_CHANGED"],
    strict: false,
  },
  { name: "anything to the empty schema", old: str, new: {}, types: [], strict: true },
  // strings
  {
    name: "maxLength added",
    old: str,
    new: { type: "string", maxLength: 5 },
    types: ["MAX_LENGTH_ADDED"],
    strict: false,
  },
  {
    name: "maxLength increased",
    old: { type: "string", maxLength: 5 },
    new: { type: "string", maxLength: 9 },
    types: ["MAX_LENGTH_INCREASED"],
    strict: true,
  },
  {
    name: "maxLength decreased",
    old: { type: "string", maxLength: 9 },
    new: { type: "string", maxLength: 5 },
    types: ["MAX_LENGTH_DECREASED"],
    strict: false,
  },
  {
    name: "minLength removed",
    old: { type: "string", minLength: 2 },
    new: str,
    types: ["MIN_LENGTH_REMOVED"],
    strict: true,
  },
  {
    name: "minLength increased",
    old: { type: "string", minLength: 2 },
    new: { type: "string", minLength: 3 },
    types: ["MIN_LENGTH_INCREASED"],
    strict: false,
  },
  { name: "pattern added", old: str, new: { type: "string", pattern: "^a" }, types: ["PATTERN_ADDED"], strict: false },
  {
    name: "pattern removed",
    old: { type: "string", pattern: "^a" },
    new: str,
    types: ["PATTERN_REMOVED"],
    strict: true,
  },
  {
    name: "pattern changed, even when wider",
    old: { type: "string", pattern: "^a$" },
    new: { type: "string", pattern: "^a*$" },
    types: ["PATTERN_CHANGED"],
    strict: false,
  },
  // numbers
  {
    name: "maximum increased",
    old: { type: "integer", maximum: 10 },
    new: { type: "integer", maximum: 20 },
    types: ["MAXIMUM_INCREASED"],
    strict: true,
  },
  {
    name: "maximum decreased",
    old: { type: "integer", maximum: 20 },
    new: { type: "integer", maximum: 10 },
    types: ["MAXIMUM_DECREASED"],
    strict: false,
  },
  {
    name: "minimum added",
    old: { type: "integer" },
    new: { type: "integer", minimum: 0 },
    types: ["MINIMUM_ADDED"],
    strict: false,
  },
  {
    name: "minimum decreased",
    old: { type: "integer", minimum: 5 },
    new: { type: "integer", minimum: 0 },
    types: ["MINIMUM_DECREASED"],
    strict: true,
  },
  {
    name: "exclusiveMinimum increased",
    old: { type: "number", exclusiveMinimum: 0 },
    new: { type: "number", exclusiveMinimum: 1 },
    types: ["EXCLUSIVE_MINIMUM_INCREASED"],
    strict: false,
  },
  {
    name: "multipleOf reduced",
    old: { type: "integer", multipleOf: 10 },
    new: { type: "integer", multipleOf: 2 },
    types: ["MULTIPLE_OF_REDUCED"],
    strict: true,
  },
  {
    name: "multipleOf expanded",
    old: { type: "integer", multipleOf: 2 },
    new: { type: "integer", multipleOf: 10 },
    types: ["MULTIPLE_OF_EXPANDED"],
    strict: false,
  },
  {
    name: "decimal bound tightened",
    old: { type: "string", "x-evtc-minimum": 0 },
    new: { type: "string", "x-evtc-minimum": 1 },
    types: ["MINIMUM_INCREASED"],
    strict: false,
  },
  // enums and const
  {
    name: "enum extended",
    old: { type: "string", enum: ["A"] },
    new: { type: "string", enum: ["A", "B"] },
    types: ["ENUM_ARRAY_EXTENDED"],
    strict: true,
  },
  {
    name: "enum narrowed",
    old: { type: "string", enum: ["A", "B"] },
    new: { type: "string", enum: ["A"] },
    types: ["ENUM_ARRAY_NARROWED"],
    strict: false,
  },
  {
    name: "enum changed",
    old: { type: "string", enum: ["A"] },
    new: { type: "string", enum: ["B"] },
    types: ["ENUM_ARRAY_CHANGED"],
    strict: false,
  },
  {
    name: "enum removed",
    old: { type: "string", enum: ["A"] },
    new: str,
    types: ["PRODUCT_TYPE_NARROWED"],
    strict: true,
  },
  { name: "const changed", old: { const: "A" }, new: { const: "B" }, types: ["ENUM_ARRAY_CHANGED"], strict: false },
  // arrays
  {
    name: "items changed",
    old: { type: "array", items: str },
    new: { type: "array", items: { type: "integer" } },
    types: ["TYPE_CHANGED"],
    strict: false,
  },
  {
    name: "items added",
    old: { type: "array" },
    new: { type: "array", items: str },
    types: ["SCHEMA_ADDED"],
    strict: false,
  },
  {
    name: "items removed",
    old: { type: "array", items: str },
    new: { type: "array" },
    types: ["SCHEMA_REMOVED"],
    strict: true,
  },
  {
    name: "maxItems decreased",
    old: { type: "array", maxItems: 5 },
    new: { type: "array", maxItems: 3 },
    types: ["MAX_ITEMS_DECREASED"],
    strict: false,
  },
  {
    name: "minItems decreased",
    old: { type: "array", minItems: 3 },
    new: { type: "array", minItems: 1 },
    types: ["MIN_ITEMS_DECREASED"],
    strict: true,
  },
  {
    name: "uniqueItems added",
    old: { type: "array" },
    new: { type: "array", uniqueItems: true },
    types: ["UNIQUE_ITEMS_ADDED"],
    strict: false,
  },
  {
    name: "tuple item added, closed",
    old: { type: "array", items: [str], additionalItems: false },
    new: { type: "array", items: [str, str], additionalItems: false },
    types: ["ITEM_ADDED_TO_CLOSED_CONTENT_MODEL"],
    strict: true,
  },
  {
    name: "tuple item added, open",
    old: { type: "array", items: [str] },
    new: { type: "array", items: [str, str] },
    types: ["ITEM_ADDED_TO_OPEN_CONTENT_MODEL"],
    strict: false,
  },
  {
    name: "tuple item removed, closed",
    old: { type: "array", items: [str, str], additionalItems: false },
    new: { type: "array", items: [str], additionalItems: false },
    types: ["ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL"],
    strict: false,
  },
  {
    name: "a tuple became one schema for all items",
    old: { type: "array", items: [str] },
    new: { type: "array", items: { type: "integer" } },
    types: ["SCHEMA_ADDED", "ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL"],
    strict: false,
  },
  {
    name: "one schema for all items became a tuple",
    old: { type: "array", items: str },
    new: { type: "array", items: [str] },
    types: ["SCHEMA_REMOVED", "ITEM_ADDED_TO_OPEN_CONTENT_MODEL"],
    strict: false,
  },
  {
    name: "a property dependency added",
    old: closed({ a: str, b: str }),
    new: closed({ a: str, b: str }, [], { dependencies: { a: ["b"] } }),
    types: ["DEPENDENCY_ARRAY_ADDED"],
    strict: false,
  },
  {
    name: "a property dependency narrowed, then removed",
    old: closed({ a: str, b: str, c: str }, [], { dependencies: { a: ["b", "c"], b: ["c"] } }),
    new: closed({ a: str, b: str, c: str }, [], { dependencies: { a: ["b"] } }),
    types: ["DEPENDENCY_ARRAY_NARROWED", "DEPENDENCY_ARRAY_REMOVED"],
    strict: true,
  },
  {
    name: "a property dependency extended",
    old: closed({ a: str, b: str, c: str }, [], { dependencies: { a: ["b"] } }),
    new: closed({ a: str, b: str, c: str }, [], { dependencies: { a: ["b", "c"] } }),
    types: ["DEPENDENCY_ARRAY_EXTENDED"],
    strict: false,
  },
  {
    name: "a schema dependency added, and one compared as a schema",
    old: closed({ a: str, b: str }, [], { dependencies: { b: { maxProperties: 3 } } }),
    new: closed({ a: str, b: str }, [], { dependencies: { a: { required: ["b"] }, b: { maxProperties: 2 } } }),
    types: ["DEPENDENCY_SCHEMA_ADDED", "MAX_PROPERTIES_DECREASED"],
    strict: false,
  },
  {
    name: "a schema dependency removed",
    old: closed({ a: str, b: str }, [], { dependencies: { a: { required: ["b"] } } }),
    new: closed({ a: str, b: str }),
    types: ["DEPENDENCY_SCHEMA_REMOVED"],
    strict: true,
  },
  {
    name: "a format added (evtc: its validators check formats)",
    old: { type: "string" },
    new: { type: "string", format: "date-time" },
    types: ["FORMAT_ADDED"],
    strict: false,
  },
  {
    name: "a format changed: a timestamp became a date",
    old: { type: "string", format: "date-time" },
    new: { type: "string", format: "date" },
    types: ["FORMAT_CHANGED"],
    strict: false,
  },
  {
    name: "a format removed",
    old: { type: "string", format: "uuid" },
    new: { type: "string" },
    types: ["FORMAT_REMOVED"],
    strict: true,
  },
  {
    name: "a string became bytes (base64)",
    old: { type: "string" },
    new: { type: "string", contentEncoding: "base64" },
    types: ["CONTENT_ENCODING_ADDED"],
    strict: false,
  },
  // combinations, not, $ref
  {
    name: "anyOf branch added",
    old: { anyOf: [str, { type: "integer" }] },
    new: { anyOf: [str, { type: "integer" }, { type: "boolean" }] },
    types: ["SUM_TYPE_EXTENDED"],
    strict: true,
  },
  {
    name: "oneOf branch removed",
    old: { oneOf: [str, { type: "integer" }] },
    new: { oneOf: [str] },
    types: ["SUM_TYPE_NARROWED"],
    strict: false,
  },
  {
    name: "allOf conjunct removed",
    old: { allOf: [str, { maxLength: 5 }] },
    new: { allOf: [str] },
    types: ["PRODUCT_TYPE_NARROWED"],
    strict: true,
  },
  {
    name: "allOf conjunct added",
    old: { allOf: [str] },
    new: { allOf: [str, { maxLength: 5 }] },
    types: ["PRODUCT_TYPE_EXTENDED"],
    strict: false,
  },
  {
    name: "oneOf to anyOf",
    old: { oneOf: [str, { type: "integer" }] },
    new: { anyOf: [str, { type: "integer" }] },
    types: ["COMBINED_TYPE_EXTENDED"],
    strict: true,
  },
  {
    name: "oneOf to a narrower anyOf: a wider criterion, and a union that lost branches",
    old: { oneOf: [str, { type: "integer" }, { type: "boolean" }] },
    new: { anyOf: [str] },
    types: ["COMBINED_TYPE_EXTENDED", "SUM_TYPE_NARROWED"],
    strict: false,
  },
  {
    name: "allOf to a single-branch oneOf",
    old: { allOf: [str, { maxLength: 5 }] },
    new: { oneOf: [str] },
    types: ["COMBINED_TYPE_EXTENDED", "PRODUCT_TYPE_NARROWED"],
    strict: true,
  },
  {
    name: "a single-branch anyOf to a single-branch allOf",
    old: { anyOf: [str] },
    new: { allOf: [str] },
    types: ["COMBINED_TYPE_EXTENDED"],
    strict: true,
  },
  {
    name: "a branch written twice counts once",
    old: { anyOf: [str, { type: "integer" }] },
    new: { anyOf: [str, { type: "integer" }, { type: "string" }] },
    types: [],
    strict: true,
  },
  {
    name: "anyOf to allOf",
    old: { anyOf: [str, { maxLength: 3 }] },
    new: { allOf: [str, { maxLength: 3 }] },
    types: ["COMBINED_TYPE_CHANGED"],
    strict: false,
  },
  {
    name: "a branch changed beyond matching",
    old: { anyOf: [str, { type: "integer" }] },
    new: { anyOf: [str, { type: "boolean" }] },
    types: ["COMBINED_TYPE_SUBSCHEMAS_CHANGED"],
    strict: false,
  },
  {
    name: "a branch widened",
    old: { anyOf: [{ type: "string", maxLength: 3 }, { type: "integer" }] },
    new: { anyOf: [{ type: "string", maxLength: 5 }, { type: "integer" }] },
    types: ["MAX_LENGTH_INCREASED"],
    strict: true,
  },
  {
    name: "not narrowed",
    old: { not: { type: "string" } },
    new: { not: { type: "string", maxLength: 3 } },
    types: ["NOT_TYPE_NARROWED"],
    strict: true,
  },
  {
    name: "not extended",
    old: { not: { type: "string", maxLength: 3 } },
    new: { not: { type: "string" } },
    types: ["NOT_TYPE_EXTENDED"],
    strict: false,
  },
  {
    name: "a change inside a local $ref definition",
    old: {
      type: "object",
      properties: { p: { $ref: "#/definitions/P" } },
      definitions: { P: { type: "string", maxLength: 5 } },
    },
    new: {
      type: "object",
      properties: { p: { $ref: "#/definitions/P" } },
      definitions: { P: { type: "string", maxLength: 3 } },
    },
    types: ["MAX_LENGTH_DECREASED"],
    strict: false,
  },
  {
    name: "moving to a $ref with the same target",
    old: { type: "object", properties: { p: str } },
    new: { type: "object", properties: { p: { $ref: "#/definitions/S" } }, definitions: { S: str } },
    types: [],
    strict: true,
  },
  {
    name: "description and title changed",
    old: { type: "string", description: "a", title: "t" },
    new: { type: "string", description: "b", title: "u" },
    types: ["TITLE_CHANGED", "DESCRIPTION_CHANGED"],
    strict: true,
  },
];

function backward(c: Case, policy: Policy): boolean {
  return compareSchemas(c.old, c.new, policy).every((d) => isCompatibleChange(d.type, policy));
}

describe("each kind of change, with Confluent's verdict", () => {
  for (const c of cases) {
    it(c.name, () => {
      expect(
        compareSchemas(c.old, c.new)
          .map((d) => d.type)
          .sort(),
      ).toEqual([...c.types].sort());
      expect(backward(c, "strict")).toBe(c.strict);
      expect(backward(c, "lenient")).toBe(c.lenient ?? c.strict);
    });
  }

  it("says where each change is", () => {
    const [d] = compareSchemas(
      closed({ msisdn: { type: "string", maxLength: 15 } }),
      closed({ msisdn: { type: "string", maxLength: 12 } }),
    );
    expect(d).toMatchObject({ path: "#/properties/msisdn/maxLength", detail: "15 → 12" });
    const [removed] = compareSchemas(closed({ a: str, b: str }), closed({ a: str }));
    expect(removed).toMatchObject({ path: "#/properties/b", originalPath: "#/properties/b" });
  });

  it("terminates on recursive schemas", () => {
    const tree: Json = {
      $ref: "#/definitions/Node",
      definitions: { Node: { type: "object", properties: { next: { $ref: "#/definitions/Node" }, v: str } } },
    };
    const tree2: Json = {
      $ref: "#/definitions/Node",
      definitions: {
        Node: {
          type: "object",
          properties: { next: { $ref: "#/definitions/Node" }, v: { type: "string", maxLength: 3 } },
        },
      },
    };
    expect(compareSchemas(tree, tree2).map((d) => d.type)).toEqual(["MAX_LENGTH_ADDED"]);
  });

  it("terminates on recursive schemas whose recursion goes through a combination", () => {
    // A value is a string or a list of values: each branch is matched by a comparison of its own, inside the first.
    const value = (item: Json): Json => ({
      $ref: "#/definitions/Value",
      definitions: { Value: { anyOf: [item, { type: "array", items: { $ref: "#/definitions/Value" } }] } },
    });
    expect(compareSchemas(value(str), value(str))).toEqual([]);
    // A wider branch still matches, and what changed in it is said; a narrower one does not.
    const short = value({ type: "string", maxLength: 3 });
    expect(compareSchemas(short, value(str)).map((d) => d.type)).toEqual(["MAX_LENGTH_REMOVED"]);
    expect(compareSchemas(value(str), short).map((d) => d.type)).toEqual(["COMBINED_TYPE_SUBSCHEMAS_CHANGED"]);
  });

  it("stops where schemas nest deeper than it goes, once, and never calls that compatible", () => {
    // Flat, and deep through references: each definition's property refers to the next; `allOf` branches are
    // compared by sub-comparisons, which count in the same depth.
    const chain = (length: number, keyword: "properties" | "allOf"): Json => ({
      $ref: "#/definitions/D0",
      definitions: Object.fromEntries([
        ...Array.from({ length }, (_, i): [string, Json] => {
          const next = { $ref: `#/definitions/D${i + 1}` };
          return [`D${i}`, keyword === "allOf" ? { allOf: [next, str] } : closed({ a: next })];
        }),
        [`D${length}`, str],
      ]),
    });
    expect(compareSchemas(chain(MAX_SCHEMA_DEPTH, "properties"), chain(MAX_SCHEMA_DEPTH, "properties"))).toEqual([]);
    for (const keyword of ["properties", "allOf"] as const) {
      const deep = chain(5000, keyword);
      const found = compareSchemas(deep, keyword === "allOf" ? str : deep);
      const stopped = found.filter((d) => d.type === "SCHEMA_TOO_DEEP");
      expect(stopped, keyword).toHaveLength(1);
      expect(isCompatibleChange("SCHEMA_TOO_DEEP", "lenient")).toBe(false);
      expect(checkCompatibility([deep], deep, "full").compatible).toBe(false);
    }
    expect(compareSchemas(chain(5000, "properties"), chain(5000, "properties"))[0]).toMatchObject({
      type: "SCHEMA_TOO_DEEP",
      originalPath: `#/definitions/D${MAX_SCHEMA_DEPTH + 1}`,
      updatePath: `#/definitions/D${MAX_SCHEMA_DEPTH + 1}`,
    });
  });
});

describe("compatibility modes", () => {
  const v1 = closed({ a: str });
  const v2 = closed({ a: str, b: str }); // optional b added
  const v3 = closed({ a: str, b: str, c: str });

  it("backward: the new schema reads the latest one's data", () => {
    expect(checkCompatibility([v1], v2, "backward").compatible).toBe(true);
    expect(checkCompatibility([v2], v1, "backward").compatible).toBe(false);
  });

  it("forward: the same check with the roles swapped", () => {
    expect(checkCompatibility([v1], v2, "forward").compatible).toBe(false);
    expect(checkCompatibility([v2], v1, "forward").compatible).toBe(true);
  });

  it("full: both ways", () => {
    expect(checkCompatibility([v1], v2, "full").compatible).toBe(false);
    expect(checkCompatibility([v1], v1, "full").compatible).toBe(true);
    const result = checkCompatibility([v1], v2, "full");
    expect(result.verdicts[0]!.differences.map((d) => [d.direction, d.type, d.compatible])).toEqual([
      ["backward", "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", true],
      ["forward", "OPTIONAL_PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", false],
    ]);
  });

  it("transitive modes check every previous version, newest first; the others only the latest", () => {
    const limit = (n: number) => closed({ a: { type: "string", maxLength: n } });
    // 5 may replace 3 (wider) but not 10 (narrower).
    const latestOnly = checkCompatibility([limit(10), limit(3)], limit(5), "backward");
    expect(latestOnly.verdicts.map((v) => [v.against, v.compatible])).toEqual([[1, true]]);
    expect(latestOnly.compatible).toBe(true);
    const all = checkCompatibility([limit(10), limit(3)], limit(5), "backward-transitive");
    expect(all.verdicts.map((v) => [v.against, v.compatible])).toEqual([
      [1, true],
      [0, false],
    ]);
    expect(all.compatible).toBe(false);
    expect(checkCompatibility([v1, v2], v3, "backward-transitive").compatible).toBe(true);
  });

  it("none checks nothing", () => {
    expect(checkCompatibility([v3], v1, "none")).toEqual({ compatible: true, verdicts: [] });
  });

  it("lenient allows removing an optional property from a closed schema, so full can evolve", () => {
    expect(checkCompatibility([v1], v2, "full", "lenient").compatible).toBe(true);
  });
});
