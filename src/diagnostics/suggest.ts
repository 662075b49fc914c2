/**
 * "Did you mean" in the manner of Elm's Reporting/Suggest: a restricted Damerau-Levenshtein distance, with a
 * budget of one edit for short names and two for longer ones, so that suggestions stay plausible.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
  for (let i = 0; i < rows; i++) d[i]![0] = i;
  for (let j = 0; j < cols; j++) d[0]![j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

function budgetFor(name: string): number {
  return name.length <= 4 ? 1 : name.length <= 12 ? 2 : 3;
}

/** The candidates closest to `name` within the edit budget, nearest first, ties in alphabetical order. */
export function closestNames(name: string, candidates: Iterable<string>, limit = 3): string[] {
  const budget = budgetFor(name);
  const lowered = name.toLowerCase();
  const scored: Array<{ candidate: string; distance: number }> = [];
  for (const candidate of new Set(candidates)) {
    if (candidate === name) continue;
    const distance = editDistance(lowered, candidate.toLowerCase());
    if (distance <= budget) scored.push({ candidate, distance });
  }
  scored.sort(
    (x, y) => x.distance - y.distance || (x.candidate < y.candidate ? -1 : x.candidate > y.candidate ? 1 : 0),
  );
  return scored.slice(0, limit).map((s) => s.candidate);
}

/** A `help` line proposing the closest names, or undefined when nothing is close. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const close = closestNames(name, candidates);
  if (close.length === 0) return undefined;
  if (close.length === 1) return `did you mean \`${close[0]}\`?`;
  return `did you mean one of ${close.map((c) => `\`${c}\``).join(", ")}?`;
}
