import { createRequire } from "node:module";
import type * as redosDetector from "redos-detector";

/**
 * What redos-detector says of a `pattern` run as the generated validators run it (V8's backtracking engine,
 * flag `u`, searching from every position unless the pattern starts with `^`):
 * - `bounded`: any value is matched or rejected with a bounded number of backtracks per character;
 * - `catastrophic`: some text can be matched in too many ways, so a value that fails late makes the engine
 *   try them all (`^(a+)+$` takes seconds on 30 characters);
 * - `undecided`: the analysis stopped at its step limit before it could tell, which redos-detector counts as
 *   unsafe too (`(a|a)*` ends there);
 * - `unreadable`: redos-detector cannot parse the pattern (named groups, tjenkinson/redos-detector#249).
 * `anchoring` is true when the pattern does not start with `^` and would be bounded if it did.
 */
export type Backtracking =
  | { readonly kind: "bounded" }
  | { readonly kind: "catastrophic" | "undecided"; readonly anchoring: boolean }
  | { readonly kind: "unreadable"; readonly reason: string };

/**
 * The steps redos-detector may take on one pattern: a count, not a time, so that a pattern is judged the same
 * on every machine. The patterns of the examples and of the bench take under 100; long real-world ones (a
 * phone number with optional separators, a host name with lookarounds) under 2,000. A pattern that reaches the
 * limit costs a few tenths of a second.
 */
export const ANALYSIS_STEPS = 3000;

const require = createRequire(import.meta.url);
/** Loaded with the first pattern to analyse: a project without patterns, or a build that skips the check, is spared it. */
let detector: typeof redosDetector | undefined;

/** One verdict per distinct pattern string in this process: 1,000 fields usually share a handful of patterns. */
const verdicts = new Map<string, Backtracking>();

/** Whether `pattern`, a valid regular expression with the `u` flag, can backtrack catastrophically. */
export function backtrackingOf(pattern: string): Backtracking {
  let verdict = verdicts.get(pattern);
  if (!verdict) {
    verdict = analyse(pattern);
    verdicts.set(pattern, verdict);
  }
  return verdict;
}

function analyse(pattern: string): Backtracking {
  detector ??= require("redos-detector") as typeof redosDetector;
  const { isSafePattern } = detector;
  const check = (p: string) => isSafePattern(p, { unicode: true, maxSteps: ANALYSIS_STEPS });
  try {
    const result = check(pattern);
    if (result.safe) return { kind: "bounded" };
    // Only for a refused pattern that does not start with `^`: would anchoring it be enough?
    const anchoring = !pattern.startsWith("^") && check(`^(?:${pattern})`).safe;
    return { kind: result.error === "hitMaxScore" ? "catastrophic" : "undecided", anchoring };
  } catch (error) {
    // redos-detector's parser reads less than V8's (named groups); its message names the position.
    return { kind: "unreadable", reason: firstLine((error as Error).message) };
  }
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0]!.trim();
}
