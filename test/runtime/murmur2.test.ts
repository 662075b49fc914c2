import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { murmur2, toPositive } from "../../src/runtime/murmur2.js";

const require = createRequire(import.meta.url);
// kafkajs's Java-compatible murmur2, the hash behind its DefaultPartitioner.
const kafkajsMurmur2 = require("kafkajs/src/producer/partitioners/default/murmur2.js") as (key: Buffer) => number;

/** Keys of every UTF-8 width and every length remainder modulo 4, deterministic from a seed. */
function randomKeys(count: number, seed: number): string[] {
  let state = seed;
  const next = (n: number): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state % n;
  };
  const alphabet = ["a", "Z", "7", "-", " ", "é", "ß", "€", "日", "本", "😀", "\u0000", "\u007f"];
  const keys: string[] = [];
  for (let i = 0; i < count; i++) {
    const length = next(40);
    let key = "";
    for (let j = 0; j < length; j++) key += alphabet[next(alphabet.length)];
    keys.push(key);
  }
  return keys;
}

describe("murmur2", () => {
  it("matches the vectors of Kafka's UtilsTest.testMurmur2", () => {
    const cases: [Uint8Array, number][] = [
      [Buffer.from("21"), -973932308],
      [Buffer.from("foobar"), -790332482],
      [Buffer.from("a-little-bit-long-string"), -985981536],
      [Buffer.from("a-little-bit-longer-string"), -1486304829],
      [Buffer.from("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58897971],
      [new Uint8Array([0x61, 0x62, 0x63]), 479470107],
    ];
    for (const [data, expected] of cases) expect(murmur2(data), Buffer.from(data).toString()).toBe(expected);
  });

  it("matches kafkajs's Java-compatible murmur2 on random strings and random bytes", () => {
    for (const key of randomKeys(2000, 42)) {
      const bytes = Buffer.from(key, "utf8");
      expect(murmur2(bytes), JSON.stringify(key)).toBe(kafkajsMurmur2(bytes));
    }
    for (let i = 0; i < 500; i++) {
      const bytes = randomBytes(i % 67);
      expect(murmur2(bytes), bytes.toString("hex")).toBe(kafkajsMurmur2(bytes));
    }
  });

  it("hashes the empty key", () => {
    expect(murmur2(new Uint8Array(0))).toBe(kafkajsMurmur2(Buffer.alloc(0)));
  });
});

describe("toPositive", () => {
  it("clears the sign bit rather than taking the absolute value", () => {
    expect(toPositive(-1)).toBe(0x7fffffff);
    expect(toPositive(-2147483648)).toBe(0);
    expect(toPositive(5)).toBe(5);
  });
});
