import { describe, expect, it } from "vitest";
import { canonical, sameJson, type JsonValue } from "../../src/emit/json-schema.js";

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
  });
});
