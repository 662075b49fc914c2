import type { Backend, Topic } from "../model/bus.js";
import type { TopicReader } from "../model/queries.js";
import { isByKey, ttlHitRatio, type BackendLoad, type LookupLoad } from "./analysis.js";
import { formatPercent, formatRate } from "./numbers.js";

/** The seed case study's cache: 20 minutes in front of the CRM. */
export const DEFAULT_PROPOSED_TTL_MS = 20 * 60_000;

export interface EnrichmentProposal {
  readonly topic: Topic;
  readonly backend: Backend;
  readonly by: readonly string[];
  /** The consumers that would read the enriched topic instead of looking up themselves. */
  readonly readers: readonly TopicReader[];
  readonly enricherName: string;
  readonly enrichedTopicName: string;
  readonly ttlMs: number;
  /** The keys in circulation, when a moved look-up declared them (the topic's key cardinality is used anyway). */
  readonly cardinality?: number;
  /** Whether the enricher must keep each key's order: it feeds an ordered reader (EVT0514). */
  readonly ordered: boolean;
  readonly hitPeak?: number;
  /** Peak requests per second on the back-end, now and with the enricher. */
  readonly before: number;
  readonly after: number;
}

/** Groups the consumer look-ups on a back-end by the topic they read and the field they look up by. */
export function lookupGroups(load: Pick<BackendLoad, "lookups">): LookupLoad[][] {
  const groups = new Map<string, LookupLoad[]>();
  for (const l of load.lookups) {
    if (l.reader.declaration.kind !== "consumer") continue;
    const key = `${l.topic.name}\u0000${l.lookup.by.join(".")}`;
    groups.set(key, [...(groups.get(key) ?? []), l]);
  }
  const peak = (g: LookupLoad[]) => g.reduce((total, l) => total + l.load.peak, 0);
  return [...groups.values()].sort((a, b) => peak(b) - peak(a) || (a[0]!.topic.name < b[0]!.topic.name ? -1 : 1));
}

/**
 * The enrichment pattern applied to the heaviest group of consumers sharing a look-up: one enricher reads the
 * topic, looks the data up once per event behind a TTL cache, and republishes an enriched event.
 */
/** Takes only what it reads of a back-end's load: a spread of the whole would compute its lazy growth factor. */
export function proposeEnrichment(
  load: Pick<BackendLoad, "backend" | "load" | "lookups">,
): EnrichmentProposal | undefined {
  // Several readers, not one reader's look-up written twice.
  const group = lookupGroups(load).find((g) => new Set(g.map((l) => l.reader)).size >= 2);
  if (!group) return undefined;
  const first = group[0]!;
  const topic = first.topic;
  const by = first.lookup.by;
  const ttlMs = Math.max(DEFAULT_PROPOSED_TTL_MS, ...group.map((l) => l.lookup.cacheTtlMs ?? 0));
  const byKey = isByKey(topic, by);
  // The keys in circulation as the load analysis takes them: a look-up's own figure, else the topic's key's.
  const declared = group.map((l) => l.lookup.cardinality).filter((c): c is number => c !== undefined);
  const lookupCardinality = declared.length > 0 ? Math.max(...declared) : undefined;
  const cardinality = lookupCardinality ?? (byKey ? topic.key!.cardinality : undefined);
  const hitPeak = cardinality !== undefined ? ttlHitRatio(first.rates.peak, ttlMs, cardinality) : undefined;
  const groupPeak = group.reduce((total, l) => total + l.load.peak, 0);
  const enricherPeak = first.rates.peak * (1 - (hitPeak ?? 0));
  const [, entity, action] = topic.name.split(".");
  const stem = [entity, action].filter((part) => part !== undefined).join("-") || "event";
  const backendDomain = load.backend.name.split(".")[0]!;
  const backendLocal = load.backend.name.split(".").slice(1).join("-") || load.backend.name;
  return {
    topic,
    backend: load.backend,
    by,
    readers: group.map((l) => l.reader),
    // The enricher is the back-end's team's, named in its domain; so is the topic it publishes (a team
    // publishes only in domains it owns or is delegated, EVT0507), whichever domain the source topic is in. The
    // source's entity and action name both, so that two sources of one entity get two enrichers and two topics.
    enricherName: `${backendDomain}.${stem}-${backendLocal}`,
    enrichedTopicName: `${backendDomain}.${stem}.enriched`,
    ttlMs,
    ...(lookupCardinality !== undefined ? { cardinality: lookupCardinality } : {}),
    ordered: group.some((l) => l.reader.ordering === "ordered"),
    ...(hitPeak !== undefined ? { hitPeak } : {}),
    before: load.load.peak,
    after: load.load.peak - groupPeak + enricherPeak,
  };
}

export function describeProposal(p: EnrichmentProposal): string {
  const minutes = p.ttlMs % 60_000 === 0 ? `${p.ttlMs / 60_000}m` : `${p.ttlMs / 1000}s`;
  const readers = [...new Set(p.readers.map((r) => `\`${r.name}\``))].join(", ");
  const byKey = isByKey(p.topic, p.by);
  const cache =
    p.hitPeak !== undefined
      ? `, with an estimated ${formatPercent(p.hitPeak)} cache hit ratio`
      : byKey
        ? ` (without a \`cardinality\` on the key of \`${p.topic.name}\`, no cache hits are counted)`
        : ` (without a \`cardinality\` on the look-up, no cache hits are counted)`;
  const cardinality = p.cardinality !== undefined ? ` cardinality ${formatCount(p.cardinality)}` : "";
  return (
    `add \`enricher ${p.enricherName} { owner ${p.backend.owner.name}  from ${p.topic.name}  ` +
    `${p.ordered ? "ordered  " : ""}lookup ${p.backend.name} by ${p.by.join(".")} cache ${minutes}${cardinality}  ` +
    `publish ${p.enrichedTopicName} as … }\` and let ${readers} read \`${p.enrichedTopicName}\` instead: ` +
    `peak load ${formatRate(p.before)} → ${formatRate(p.after)}${cache}`
  );
}

/** A count as `.evt` writes it: `1k`, `3M`, `1500`. */
function formatCount(count: number): string {
  for (const [suffix, size] of [
    ["G", 1e9],
    ["M", 1e6],
    ["k", 1e3],
  ] as const) {
    if (count >= size && count % size === 0) return `${count / size}${suffix}`;
  }
  return String(count);
}
