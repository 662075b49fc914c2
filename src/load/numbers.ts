/** Figures as people read them in a report: `1,800/s`, `0.25/s`, `35%`, `×2.4`, `120ms`. Same on every machine. */
// Made on first use: the first Intl formatter of a process takes some 30 ms to set up, and most runs print no figure.
let grouped: Intl.NumberFormat | undefined;

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return "∞";
  const magnitude = Math.abs(value);
  if (magnitude >= 100) {
    grouped ??= new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
    return grouped.format(Math.round(value));
  }
  if (magnitude >= 10) return trim(value.toFixed(1));
  if (magnitude >= 1) return trim(value.toFixed(2));
  if (magnitude === 0) return "0";
  return trim(value.toPrecision(2));
}

function trim(text: string): string {
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

export function formatRate(perSecond: number): string {
  return `${formatNumber(perSecond)}/s`;
}

export function formatPercent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

export function formatFactor(factor: number | undefined): string {
  if (factor === undefined) return "—";
  if (!Number.isFinite(factor)) return "never";
  return `×${formatNumber(factor)}`;
}

/** `120ms`, `5s`, `20m`, `2.5s`, `-1.2s`. */
export function formatMs(ms: number): string {
  const sign = ms < 0 ? "-" : "";
  const magnitude = Math.abs(ms);
  if (magnitude < 1000) return `${sign}${formatNumber(magnitude)}ms`;
  for (const [unit, factor] of [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
  ] as const) {
    if (magnitude >= factor && magnitude % factor === 0) return `${sign}${magnitude / factor}${unit}`;
  }
  return `${sign}${trim((magnitude / 1000).toFixed(2))}s`;
}
