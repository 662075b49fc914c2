/**
 * Quantities with units, as written in `.evt` files. Everything is normalised: durations to milliseconds,
 * rates to events (or requests) per second, sizes to bytes, counts to plain numbers.
 */
export type QuantityKind = "duration" | "rate" | "size" | "count";

export interface ParsedQuantity {
  readonly kind: QuantityKind;
  readonly value: number;
}

const durationUnits: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const rateUnits: Record<string, number> = { s: 1, m: 60, min: 60, h: 3600, d: 86_400 };
const sizeUnits: Record<string, number> = {
  B: 1,
  KB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
};
const multipliers: Record<string, number> = { "": 1, k: 1000, M: 1_000_000, G: 1_000_000_000 };

export const unitSummary = {
  duration: "`ms`, `s`, `m`, `h`, `d` or `w`",
  rate: "`/s`, `/m` (or `/min`), `/h` or `/d`, with an optional `k`, `M` or `G` before it",
  size: "`B`, `KB`, `MB`, `GB`, `KiB`, `MiB` or `GiB`",
  count: "no unit, or `k`, `M` or `G`",
} as const;

const shape = /^(-?\d+(?:\.\d+)?)([A-Za-z]*)(?:\/([A-Za-z]+))?$/;

/** Interprets `2000/s`, `5k/s`, `20m`, `1MiB`, `5M`, `12`; the reason says what is wrong otherwise. */
export function parseQuantity(text: string): ParsedQuantity | { readonly error: string } {
  const match = shape.exec(text);
  if (!match) return { error: "not a number with a unit" };
  const number = Number(match[1]);
  const suffix = match[2] ?? "";
  const per = match[3];
  if (per !== undefined) {
    const perSecond = rateUnits[per];
    if (perSecond === undefined) return { error: `unknown rate unit \`/${per}\`; use ${unitSummary.rate}` };
    const multiplier = multipliers[suffix];
    if (multiplier === undefined) return { error: `unknown multiplier \`${suffix}\`; use \`k\`, \`M\` or \`G\`` };
    return { kind: "rate", value: (number * multiplier) / perSecond };
  }
  if (suffix in durationUnits) return { kind: "duration", value: number * durationUnits[suffix]! };
  if (suffix in sizeUnits) return { kind: "size", value: number * sizeUnits[suffix]! };
  if (suffix in multipliers) return { kind: "count", value: number * multipliers[suffix]! };
  return {
    error: `unknown unit \`${suffix}\`; durations take ${unitSummary.duration}, sizes ${unitSummary.size}, rates ${unitSummary.rate}`,
  };
}

export const kindDescriptions: Record<QuantityKind, string> = {
  duration: "a duration such as `200ms` or `7d`",
  rate: "a rate such as `2000/s` or `5k/s`",
  size: "a size such as `512KiB` or `1MiB`",
  count: "a whole number such as `12`",
};

/** How a parsed quantity of the wrong kind is named in a message: `duration \`5s\``. */
export function describeFound(kind: QuantityKind, text: string): string {
  return `${kind === "count" ? "number" : kind} \`${text}\``;
}

export function formatDuration(ms: number): string {
  for (const [unit, factor] of [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
  ] as const) {
    if (ms >= factor && ms % factor === 0) return `${ms / factor}${unit}`;
  }
  return `${ms}ms`;
}
