import { describe, expect, it } from "vitest";
import { canonical, inlineDefinitions, sameJson, type JsonSchema, type JsonValue } from "../../src/emit/json-schema.js";

const canonicalText = (value: JsonValue): string => JSON.stringify(canonical(value));

describe("sameJson", () => {
  const values: JsonValue[] = [
    null,
    0,
    1,
    "1",
    true,
    false,
    [],
    {},
    [1, 2],
    [2, 1],
    [1, 2, 3],
    { a: 1, b: [1, { c: "x" }] },
    { b: [1, { c: "x" }], a: 1 },
    { a: 1, b: [1, { c: "y" }] },
    { a: 1, b: [1, { c: "x", d: null }] },
    { a: 1 },
    { a: 1, c: 1 },
    { b: 1 },
    { a: [] },
    { a: {} },
    { a: null },
    JSON.parse('{"__proto__": {"a": 1}}') as JsonValue,
    JSON.parse('{"__proto__": {"a": 2}}') as JsonValue,
    { type: "object", properties: { id: { type: "string", format: "uuid" } }, required: ["id"] },
    { required: ["id"], properties: { id: { format: "uuid", type: "string" } }, type: "object" },
    { required: ["id"], properties: { id: { format: "uuid", type: "string" } }, type: "array" },
    // As JSON writes them: a bound that is not finite is null (`evtc lock` records a bound of 1e400 so), an
    // undefined member is left out of an object and is null in an array.
    { maximum: Infinity },
    { maximum: -Infinity },
    { maximum: null },
    { maximum: 0 },
    { maximum: -0 },
    { a: 1, b: undefined } as unknown as JsonValue,
    [undefined] as unknown as JsonValue,
    [null],
  ];

  it("says two values are the same exactly when their canonical texts are", () => {
    for (const a of values) {
      for (const b of values) {
        expect(sameJson(a, b), `${JSON.stringify(a)} and ${JSON.stringify(b)}`).toBe(
          canonicalText(a) === canonicalText(b),
        );
      }
    }
    // The list has pairs of each kind: the same in another key order, and different in one place.
    expect(sameJson(values[11]!, values[12]!)).toBe(true);
    expect(sameJson(values[11]!, values[13]!)).toBe(false);
    expect(sameJson(values[8]!, values[9]!)).toBe(false);
    expect(sameJson({ maximum: Infinity }, { maximum: null })).toBe(true);
  });
});

describe("inlineDefinitions", () => {
  it("counts a reference at the root: a definition with references of its own used there and once more stays", () => {
    const schema: JsonSchema = {
      $ref: "#/definitions/A",
      definitions: {
        A: { properties: { x: { $ref: "#/definitions/B" } }, type: "object" },
        B: { type: "string" },
      },
      properties: { y: { $ref: "#/definitions/A" } },
      type: "object",
    };
    expect(inlineDefinitions(schema)).toEqual({
      $ref: "#/definitions/A",
      definitions: { A: { properties: { x: { type: "string" } }, type: "object" } },
      properties: { y: { $ref: "#/definitions/A" } },
      type: "object",
    });
  });

  it("reads definitions written as a list by their indexes, as it always did", () => {
    const schema = {
      definitions: [{ type: "string" }],
      properties: { y: { $ref: "#/definitions/0" } },
      type: "object",
    } as unknown as JsonSchema;
    expect(inlineDefinitions(schema)).toEqual({ properties: { y: { type: "string" } }, type: "object" });
  });
});

describe("canonical", () => {
  it("orders keys as Array.prototype.sort does, however many there are and whatever they are", () => {
    const samples = [
      ["b", "a"],
      ["type", "properties", "required", "additionalProperties", "$schema", "definitions", "title"],
      ["Z", "a", "_", "$ref", "é", "E", "10", "9", "x-evtc-minimum", "ß", "😀", "ａ"],
      Array.from({ length: 40 }, (_, i) => `key${(i * 7919) % 40}`),
      Array.from({ length: 16 }, (_, i) => String.fromCharCode(0x7a - i)),
      Array.from({ length: 17 }, (_, i) => String.fromCharCode(0x7a - i)),
    ];
    for (const keys of samples) {
      const object = Object.fromEntries(keys.map((key, i) => [key, i]));
      // Keys that look like array indexes come first in any object, sorted or not (see `canonical`).
      expect(Object.keys(canonical(object))).toEqual(
        Object.keys(Object.fromEntries([...keys].sort().map((k) => [k, 0]))),
      );
      expect(JSON.stringify(canonical(object))).toBe(
        JSON.stringify(Object.fromEntries([...keys].sort().map((k) => [k, object[k]]))),
      );
    }
  });
});
