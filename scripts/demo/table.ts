/**
 * The demo's screen: plain text tables, with ANSI colour when the output is a terminal. The same rendering
 * serves the live view (rates over the last second) and the final summary (rates over the run).
 */
import type { CacheRow, ReaderRow, Snapshot, Summary } from "./run.js";

export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
}

const ansi = (code: number) => (text: string) => (text === "" ? text : `\x1b[${code}m${text}\x1b[0m`);
export const colours: Style = { bold: ansi(1), dim: ansi(2), red: ansi(31), yellow: ansi(33), green: ansi(32) };
const same = (text: string): string => text;
export const plain: Style = { bold: same, dim: same, red: same, yellow: same, green: same };

/** Clears the screen and puts the cursor top left, then hides it (shown again by `SHOW_CURSOR`). */
export const CLEAR_SCREEN = "\x1b[2J\x1b[H\x1b[?25l";
/** Back to the top left, for the next frame to overwrite the previous one. */
export const HOME = "\x1b[H";
/** Clears from the cursor to the end of the line and to the end of the screen. */
export const CLEAR_LINE = "\x1b[K";
export const CLEAR_BELOW = "\x1b[J";
export const SHOW_CURSOR = "\x1b[?25h";

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function count(n: number): string {
  return integer.format(n);
}

/** Three significant digits at most, thousands grouped: `3,000`, `12.7`, `0.35`, `0.05`. */
export function rate(perSecond: number): string {
  if (perSecond === 0) return "0";
  if (perSecond >= 99.5) return integer.format(perSecond);
  return String(Number(perSecond.toPrecision(perSecond >= 0.1 ? 3 : 1)));
}

function duration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

function percent(part: number, whole: number): string {
  return whole === 0 ? "–" : `${Math.round((100 * part) / whole)}%`;
}

type Align = "left" | "right";
interface Cell {
  readonly text: string;
  /** The text with its colour codes, when styled. */
  readonly shown?: string;
}

/** Lays rows out in columns; `align` says how each column is aligned. Colour codes do not count as width. */
function columns(header: readonly string[], align: readonly Align[], rows: readonly (readonly (string | Cell)[])[], style: Style): string[] {
  const cells = rows.map((row) => row.map((c) => (typeof c === "string" ? { text: c } : c)));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]?.text.length ?? 0)));
  const pad = (cell: Cell, i: number): string => {
    const space = " ".repeat(widths[i]! - cell.text.length);
    const shown = cell.shown ?? cell.text;
    return align[i] === "right" ? space + shown : shown + space;
  };
  const line = (row: readonly Cell[]): string => row.map(pad).join("  ").trimEnd();
  return [style.bold(line(header.map((text) => ({ text })))), ...cells.map(line)];
}

function styled(text: string, paint: (text: string) => string, when: boolean): Cell {
  return when ? { text, shown: paint(text) } : { text };
}

/** The whole frame (live) or the summary's tables, line by line. */
export function renderTables(snapshot: Snapshot, style: Style): string[] {
  const lines: string[] = [];
  const readersOf = (topic: string): ReaderRow[] => snapshot.readers.filter((r) => r.topic === topic);

  const flowRows: (string | Cell)[][] = [];
  for (const topic of snapshot.topics) {
    flowRows.push([
      { text: topic.topic, shown: style.bold(topic.topic) },
      topic.publisher === "enricher" ? "enriched" : "",
      topic.target !== undefined ? `${rate(topic.target)}/s` : "",
      rate(topic.rate),
      count(topic.total),
      "",
      "",
      styled(topic.rejected > 0 ? `${count(topic.rejected)} rejected` : "", style.red, topic.rejected > 0),
      "",
    ]);
    for (const reader of readersOf(topic.topic)) {
      const name = `  ${reader.name}${reader.kind === "enricher" ? " (enricher)" : ""}`;
      flowRows.push([
        name,
        `${reader.ordering} ${reader.delivery}`,
        "",
        rate(reader.rate),
        count(reader.processed),
        styled(count(reader.lag), style.yellow, reader.lag > 0),
        styled(count(reader.retries), style.yellow, reader.retries > 0),
        styled(count(reader.deadLettered), style.red, reader.deadLettered > 0),
        reader.deadlineMs === undefined
          ? { text: "–", shown: style.dim("–") }
          : styled(count(reader.deadlineMisses), style.red, reader.deadlineMisses > 0),
      ]);
    }
  }
  lines.push(
    ...columns(
      ["topic / reader", "category", "target", "events/s", "total", "lag", "retries", "dlq", "late"],
      ["left", "left", "right", "right", "right", "right", "right", "right", "right"],
      flowRows,
      style,
    ),
  );

  lines.push("");
  lines.push(
    ...columns(
      ["back-end", "capacity", "latency", "calls/s", "load", "peak", "calls", "refused", "max wait"],
      ["left", "right", "right", "right", "right", "right", "right", "right", "right"],
      snapshot.backends.map((b) => {
        const load = b.capacity ? b.rate / b.capacity : 0;
        const peak = b.capacity ? b.peakRate / b.capacity : 0;
        return [
          b.name,
          b.capacity !== undefined ? `${count(b.capacity)}/s` : "–",
          b.latencyMs !== undefined ? `${b.latencyMs}ms` : "–",
          rate(b.rate),
          styled(b.capacity ? percent(b.rate, b.capacity) : "–", load >= 1 ? style.red : style.yellow, load >= 0.8),
          styled(b.capacity ? percent(b.peakRate, b.capacity) : "–", peak >= 1 ? style.red : style.yellow, peak >= 0.8),
          count(b.calls),
          styled(count(b.refused), style.red, b.refused > 0),
          `${Math.round(b.maxWaitMs)}ms`,
        ];
      }),
      style,
    ),
  );

  lines.push("");
  lines.push(
    ...columns(
      ["look-up cache", "back-end", "ttl", "look-ups", "calls", "saved", "without the enricher"],
      ["left", "left", "right", "right", "right", "right", "right"],
      snapshot.caches.map((c) => [
        c.kind === "enricher" ? `${c.reader} (enricher)` : c.reader,
        c.backend,
        c.ttlMs !== undefined ? duration(c.ttlMs) : "none",
        count(c.lookups),
        count(c.calls),
        styled(percent(c.lookups - c.calls, c.lookups), style.green, c.calls < c.lookups),
        c.readersServed !== undefined ? `${count(c.lookups * c.readersServed)} calls (${c.readersServed} readers)` : "",
      ]),
      style,
    ),
  );
  return lines;
}

/**
 * A live frame, fitted to the terminal (`rows` × `columns` when known): a line too wide is cut (losing its
 * colour), and lines that do not fit are left out with a note, so that redrawing from the top never scrolls.
 */
export function renderLive(snapshot: Snapshot, style: Style, size: { rows?: number; columns?: number } = {}): string {
  const head = [
    style.bold(`evtc demo: the telco example on the embedded bus`) +
      `  ${Math.floor(snapshot.elapsedSeconds)} s of ${snapshot.seconds} s  Ctrl-C stops`,
    `${snapshot.mode}, seed ${snapshot.seed}; published ${count(snapshot.published)} events` +
      (snapshot.behind > 0 ? style.yellow(`, ${count(snapshot.behind)} behind schedule`) : "") +
      `; ${snapshot.rssMb} MB; rates over the last second`,
    "",
  ];
  let lines = [...head, ...renderTables(snapshot, style), ...warningLines(snapshot, style)];
  if (size.columns !== undefined) {
    const width = size.columns;
    lines = lines.map((line) => {
      const visible = line.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
      return visible.length > width ? visible.slice(0, width - 1) + "…" : line;
    });
  }
  if (size.rows !== undefined && lines.length > size.rows - 1) {
    const room = Math.max(1, size.rows - 2);
    lines = [...lines.slice(0, room), style.dim(`… ${lines.length - room} more lines: enlarge the terminal`)];
  }
  return lines.map((line) => line + CLEAR_LINE).join("\n") + "\n";
}

function warningLines(snapshot: Snapshot, style: Style): string[] {
  if (snapshot.warnings === 0 && snapshot.handlerErrors === 0) return [];
  return [
    "",
    style.yellow(
      `${count(snapshot.warnings)} runtime warnings, ${count(snapshot.handlerErrors)} batches redelivered` +
        (snapshot.lastWarning ? `; last: ${snapshot.lastWarning.split("\n")[0]}` : ""),
    ),
  ];
}

/** What the enricher's cache did, in a sentence. */
export function cacheStory(cache: CacheRow): string {
  const saved = cache.lookups - cache.calls;
  const served = cache.readersServed ?? 1;
  return (
    `${cache.reader} looked ${count(cache.lookups)} events up with ${count(cache.calls)} calls to ${cache.backend}` +
    (cache.ttlMs !== undefined ? `: its ${duration(cache.ttlMs)} cache answered ${percent(saved, cache.lookups)} of them` : "") +
    (served > 1
      ? `; without the enricher, its ${served} readers would each have looked the event up: ${count(cache.lookups * served)} calls`
      : "")
  );
}

export function renderSummary(summary: Summary, style: Style): string {
  const published = summary.topics.filter((t) => t.publisher === "producer").reduce((sum, t) => sum + t.total, 0);
  const lines = [
    style.bold(`evtc demo: summary`) +
      `  ${summary.mode}, seed ${summary.seed}, ${summary.elapsedSeconds.toFixed(1)} s of publishing`,
    `${count(published)} events published` +
      (summary.behind > 0 ? style.yellow(` (${count(summary.behind)} behind schedule at the end)`) : "") +
      "; " +
      (summary.drained
        ? `every reader caught up ${summary.drainSeconds.toFixed(1)} s after publishing stopped`
        : style.yellow(`readers still behind ${summary.drainSeconds.toFixed(1)} s after publishing stopped`)) +
      `; at most ${summary.rssMb} MB`,
    `events/s: averaged over the publishing time for topics, until the readers caught up for readers and back-ends`,
    "",
    ...renderTables(summary, style),
    "",
    ...summary.caches.filter((c) => c.kind === "enricher").map((c) => cacheStory(c)),
    ...warningLines(summary, style),
  ];
  return lines.join("\n") + "\n";
}
