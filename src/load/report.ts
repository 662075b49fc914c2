import type { LoadReport, ReaderWork } from "./analysis.js";
import { formatFactor, formatMs, formatNumber, formatPercent, formatRate } from "./numbers.js";

export type LoadFormat = "text" | "json" | "markdown";

interface Table {
  readonly title: string;
  readonly columns: readonly string[];
  /** Columns aligned to the right (numbers). */
  readonly numeric: readonly boolean[];
  readonly rows: readonly (readonly string[])[];
}

/** Each reader of a topic with rates, topic by topic, with what it can have in processing at once (EVT0707, EVT0708). */
function readerWork(report: LoadReport): (ReaderWork & { readonly topic: string })[] {
  return report.topics.flatMap((t) =>
    [...t.orderedWork, ...t.unorderedWork].map((w) => ({ topic: t.topic.name, ...w })),
  );
}

function tables(report: LoadReport): { tables: Table[]; notes: string[] } {
  const backends: Table = {
    title: "Back-ends",
    columns: ["back-end", "look-ups", "naive peak", "peak", "average", "capacity", "headroom", "breaks at"],
    numeric: [false, true, true, true, true, true, true, true],
    rows: report.backends.map((b) => [
      b.backend.name,
      String(b.lookups.length),
      formatRate(b.naive.peak),
      formatRate(b.load.peak),
      formatRate(b.load.average),
      b.capacity !== undefined ? formatRate(b.capacity) : "—",
      b.headroom !== undefined ? formatPercent(b.headroom) : "—",
      formatFactor(b.growthFactor),
    ]),
  };
  const topics: Table = {
    title: "Topics",
    columns: ["topic", "average", "peak", "partitions", "needed", "headroom", "breaks at"],
    numeric: [false, true, true, true, true, true, true],
    rows: report.topics.map((t) => [
      t.topic.name,
      t.rates ? formatRate(t.rates.average) : "—",
      t.rates ? formatRate(t.rates.peak) : "—",
      String(t.partitions),
      t.rates ? String(t.needed) : "—",
      t.headroom !== undefined ? formatPercent(t.headroom) : "—",
      formatFactor(t.growthFactor),
    ]),
  };
  const consumers: Table = {
    title: "Consumers",
    columns: ["consumer", "category", "chain latency", "deadline", "margin"],
    numeric: [false, false, true, true, true],
    rows: report.consumers.map((c) => [
      c.consumer.name,
      `${c.consumer.ordering} ${c.consumer.delivery}`,
      formatMs(c.totalMs),
      c.deadlineMs !== undefined ? formatMs(c.deadlineMs) : "—",
      c.deadlineMs !== undefined ? formatMs(c.deadlineMs - c.totalMs) : "—",
    ]),
  };
  const work = readerWork(report);
  const readers: Table = {
    title: "Readers",
    columns: ["reader", "topic", "ordering", "per event", "in processing", "at once", "headroom", "breaks at"],
    numeric: [false, false, false, true, true, true, true, true],
    rows: [...work]
      .sort((a, b) => (a.reader.name < b.reader.name ? -1 : a.reader.name > b.reader.name ? 1 : 0))
      .map((w) => [
        w.reader.name,
        w.topic,
        w.reader.ordering,
        formatMs(w.serviceMs),
        formatNumber(w.demand),
        formatNumber(w.atOnce),
        formatPercent(1 - w.demand / w.atOnce),
        formatFactor(w.demand > 0 ? w.atOnce / w.demand : Infinity),
      ]),
  };
  const notes: string[] = [];
  for (const b of report.backends) {
    for (const l of b.lookups) {
      if (!l.cache) continue;
      const hit =
        l.cache.cardinality !== undefined
          ? `${formatPercent(l.cache.hitPeak)} at peak, ${formatPercent(l.cache.hitAverage)} on average: `
          : "";
      // What the cache must hold for the estimate to hold: an enricher's is sized so by its generated spec.
      const held =
        l.cache.entriesAtPeak !== undefined
          ? `; it holds about ${formatNumber(l.cache.entriesAtPeak)} values at peak${"publishes" in l.reader ? " (the runtime's cache is sized to it)" : ""}`
          : "";
      notes.push(
        `\`${l.reader.name}\` → \`${b.backend.name}\` (cache ${formatMs(l.cache.ttlMs)}): ${hit}${l.cache.assumption}${held}`,
      );
    }
  }
  return { tables: [backends, topics, readers, consumers], notes };
}

function textTable(table: Table): string {
  const widths = table.columns.map((c, i) => Math.max(c.length, ...table.rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (table.numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [table.title, line(table.columns), line(widths.map((w) => "-".repeat(w))), ...table.rows.map(line)].join("\n");
}

function markdownTable(table: Table): string {
  const escape = (cell: string) => cell.replace(/\|/g, "\\|");
  return [
    `### ${table.title}`,
    "",
    `| ${table.columns.join(" | ")} |`,
    `|${table.numeric.map((n) => (n ? "---:" : "---")).join("|")}|`,
    ...table.rows.map((r) => `| ${r.map(escape).join(" | ")} |`),
  ].join("\n");
}

function header(report: LoadReport): string {
  const s = report.settings;
  return (
    `Load at ${report.scale === 1 ? "today's declared rates" : `${report.scale} × today's declared rates`}; ` +
    `${formatRate(s.partitionThroughput)} per partition, ${formatMs(s.transportLatencyMs)} per broker hop, ` +
    `headroom margin ${formatPercent(s.headroom)}. "naive" is every consumer doing every look-up of its chain itself, ` +
    `uncached; "peak" is as declared, with enrichers and caches. Chain latency counts every cache as missing.`
  );
}

export function renderLoadReport(report: LoadReport, format: LoadFormat): string {
  if (format === "json") return JSON.stringify(toJson(report), null, 2);
  const { tables: list, notes } = tables(report);
  if (format === "markdown") {
    const noteText = notes.length > 0 ? `\n\n### Cache estimates\n\n${notes.map((n) => `- ${n}`).join("\n")}` : "";
    return `## Load report\n\n${header(report)}\n\n${list.map(markdownTable).join("\n\n")}${noteText}`;
  }
  const noteText =
    notes.length > 0 ? `\n\nCache estimates\n${notes.map((n) => `  ${n.replace(/`/g, "")}`).join("\n")}` : "";
  return `${header(report)}\n\n${list.map(textTable).join("\n\n")}${noteText}`;
}

function finite(value: number | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  return Number.isFinite(value) ? value : null;
}

function toJson(report: LoadReport): object {
  return {
    scale: report.scale,
    settings: report.settings,
    backends: report.backends.map((b) => ({
      name: b.backend.name,
      capacity: b.capacity,
      naive: b.naive,
      load: b.load,
      headroom: b.headroom,
      growthFactor: finite(b.growthFactor),
      lookups: b.lookups.map((l) => ({
        reader: l.reader.name,
        topic: l.topic.name,
        by: l.lookup.by.join("."),
        rates: l.rates,
        load: l.load,
        ...(l.cache ? { cache: l.cache } : {}),
      })),
    })),
    topics: report.topics.map((t) => ({
      name: t.topic.name,
      rates: t.rates,
      partitions: t.partitions,
      needed: t.needed,
      neededForThroughput: t.neededForThroughput,
      neededForOrdering: t.neededForOrdering,
      headroom: t.headroom,
      growthFactor: finite(t.growthFactor),
    })),
    readers: readerWork(report).map((w) => ({
      name: w.reader.name,
      topic: w.topic,
      ordering: w.reader.ordering,
      serviceMs: w.serviceMs,
      inProcessing: w.demand,
      atOnce: w.atOnce,
    })),
    consumers: report.consumers.map((c) => ({
      name: c.consumer.name,
      ordering: c.consumer.ordering,
      delivery: c.consumer.delivery,
      chainLatencyMs: c.totalMs,
      deadlineMs: c.deadlineMs,
      steps: c.steps,
    })),
  };
}
