import type { CompatibilityMode } from "../model/bus.js";
import { compareSchemas, type Difference, type Json } from "./diff.js";
import { isCompatibleChange, type Policy } from "./differences.js";

export interface DirectedDifference extends Difference {
  /** `backward`: the new schema reads data written with the old; `forward`: the old reads data of the new. */
  readonly direction: "backward" | "forward";
  readonly compatible: boolean;
}

export interface VersionVerdict {
  /** Index of the previous version in the list given (0 = oldest). */
  readonly against: number;
  readonly differences: readonly DirectedDifference[];
  readonly compatible: boolean;
}

export interface CompatibilityResult {
  readonly compatible: boolean;
  /** One verdict per previous version checked, newest first (as Confluent checks them). */
  readonly verdicts: readonly VersionVerdict[];
}

function directed(
  original: Json,
  update: Json,
  direction: "backward" | "forward",
  policy: Policy,
): DirectedDifference[] {
  return compareSchemas(original, update, policy).map((d) => ({
    ...d,
    direction,
    compatible: isCompatibleChange(d.type, policy),
  }));
}

/**
 * Checks a new schema against the previous versions (oldest first) under a Confluent compatibility mode:
 * backward = the new schema reads what the old ones wrote; forward = the old ones read what the new one
 * writes (the same check with the roles swapped); full = both. Non-transitive modes check the latest
 * previous version only.
 */
export function checkCompatibility(
  previous: readonly Json[],
  next: Json,
  mode: CompatibilityMode,
  policy: Policy = "strict",
): CompatibilityResult {
  if (mode === "none" || previous.length === 0) return { compatible: true, verdicts: [] };
  const transitive = mode.endsWith("-transitive");
  const base = mode.replace("-transitive", "") as "backward" | "forward" | "full";
  const indexes = previous.map((_, i) => i).reverse();
  const checked = transitive ? indexes : indexes.slice(0, 1);
  const verdicts = checked.map((against) => {
    const old = previous[against]!;
    const differences = [
      ...(base !== "forward" ? directed(old, next, "backward", policy) : []),
      ...(base !== "backward" ? directed(next, old, "forward", policy) : []),
    ];
    return { against, differences, compatible: differences.every((d) => d.compatible) };
  });
  return { compatible: verdicts.every((v) => v.compatible), verdicts };
}
