/**
 * Seeded randomness for the demo, so two runs with the same `--seed` publish the same events in the same order
 * (how many of them fit in the run still depends on the machine's speed).
 */

/** A uniform generator in [0, 1): mulberry32, small and good enough for synthetic data. */
export type Random = () => number;

export function seeded(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [0, n). */
export function below(random: Random, n: number): number {
  return Math.floor(random() * n);
}

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[below(random, items.length)]!;
}

/** `length` decimal digits, leading zeros allowed. */
export function digits(random: Random, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += String(below(random, 10));
  return out;
}

/** A version 4 UUID made from the generator, so ids repeat across runs of one seed. */
export function uuid(random: Random): string {
  const hex = (count: number): string => {
    let out = "";
    for (let i = 0; i < count; i++) out += below(random, 16).toString(16);
    return out;
  };
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${pick(random, ["8", "9", "a", "b"])}${hex(3)}-${hex(12)}`;
}

/**
 * Draws indexes in [0, n) with Zipf's law of exponent `s`: index 0 is the most frequent, index i about
 * (i + 1)^-s as often. Real traffic is skewed like this — a few subscribers pay, top up and browse far more
 * often than most — and it is what gives a look-up cache something to hit.
 */
export function zipf(random: Random, n: number, s = 1): () => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) cumulative[i] = total += 1 / Math.pow(i + 1, s);
  return () => {
    const target = random() * total;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (cumulative[mid]! < target) low = mid + 1;
      else high = mid;
    }
    return low;
  };
}

/** A generator seeded by a string (FNV-1a), for answers that must depend on the question only. */
export function seededBy(text: string): Random {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return seeded(hash);
}
