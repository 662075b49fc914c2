import type { SourceFile } from "../../src/diagnostics/source.js";
import type * as m from "../../src/model/bus.js";
import { checkSources } from "../../src/program.js";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";

export { evtFiles, random, readSource, repo } from "../support/corpus.js";

/**
 * The semantic model of a project as plain data, without spans or syntax nodes: what formatting must never
 * change. Other declarations are referred to by name.
 */
export function describeModel(model: m.BusModel): unknown {
  const deprecated = (d: { deprecated?: string }) => d.deprecated ?? null;
  const type = (t: m.FieldType): unknown => {
    switch (t.kind) {
      case "builtin":
        return t.name;
      case "enum":
        return { enum: t.enum.name };
      case "record":
        return { record: t.record.name };
      case "array":
        return { array: type(t.items) };
      case "map":
        return { map: type(t.values) };
    }
  };
  const field = (f: m.Field) => ({
    name: f.name,
    optional: f.optional,
    type: type(f.type),
    constraints: f.constraints,
    default: f.default ?? null,
    docs: f.docs,
    deprecated: deprecated(f),
    declaredIn: f.declaredIn,
  });
  const topic = (t: m.Topic) => ({
    name: t.name,
    docs: t.docs,
    deprecated: deprecated(t),
    domain: t.domainName,
    owner: t.owner.name,
    event: t.event.name,
    key: t.key ? { path: t.key.path, field: t.key.field.name, cardinality: t.key.cardinality ?? null } : null,
    partitions: t.partitions,
    retentionMs: t.retentionMs,
    compacted: t.compacted,
    rate: t.rate ?? null,
    compatibility: t.compatibility,
    visibility: t.visibility,
    maxSizeBytes: t.maxSizeBytes,
    segment: t.segment?.name ?? null,
    expectedConsumers: t.expectedConsumers ?? null,
    publisher: t.publisher.kind === "enricher" ? t.publisher.enricher.name : "producer",
  });
  const reader = (r: m.Consumer | m.Enricher) => ({
    name: r.name,
    docs: r.docs,
    deprecated: deprecated(r),
    owner: r.owner.name,
    from: r.from.name,
    ordering: r.ordering,
    delivery: r.delivery,
    retry: r.retry ?? null,
    dlq: r.dlq,
    lookups: r.lookups.map((l) => ({ backend: l.backend.name, by: l.by, cacheTtlMs: l.cacheTtlMs ?? null })),
    latencyMs: r.latencyMs ?? null,
    concurrency: r.concurrency ?? null,
  });
  const all = <T, R>(map: ReadonlyMap<string, T>, describe: (value: T) => R) =>
    [...map.entries()].map(([name, value]) => [name, describe(value)] as const);
  return {
    teams: all(model.teams, (t) => ({ docs: t.docs, deprecated: deprecated(t), contacts: t.contacts, chats: t.chats })),
    domains: all(model.domains, (d) => ({
      docs: d.docs,
      owner: d.owner?.name ?? null,
      delegates: d.delegates.map((t) => t.name),
    })),
    segments: all(model.segments, (s) => ({
      docs: s.docs,
      orderedFlows: s.orderedFlows,
      replicas: s.replicas ?? null,
      minInsync: s.minInsync ?? null,
    })),
    enums: all(model.enums, (e) => ({
      docs: e.docs,
      deprecated: deprecated(e),
      members: e.members.map((member) => ({ name: member.name, docs: member.docs, deprecated: deprecated(member) })),
    })),
    records: all(model.records, (r) => ({ docs: r.docs, deprecated: deprecated(r), fields: r.fields.map(field) })),
    events: all(model.events, (e) => ({
      docs: e.docs,
      deprecated: deprecated(e),
      version: e.version,
      base: e.base?.name ?? null,
      fields: e.fields.map(field),
    })),
    topics: all(model.topics, topic),
    backends: all(model.backends, (b) => ({
      docs: b.docs,
      owner: b.owner.name,
      capacity: b.capacity ?? null,
      latencyMs: b.latencyMs ?? null,
    })),
    consumers: all(model.consumers, (c) => ({
      ...reader(c),
      deadlineMs: c.deadlineMs ?? null,
      accepts: c.accepts,
      acceptsDeclared: c.acceptsDeclared,
    })),
    enrichers: all(model.enrichers, (e) => ({ ...reader(e), publishes: topic(e.publishes) })),
    files: model.files,
  };
}

/** What `evtc check` says about a project, without positions: formatting must not change it either. */
export function describeDiagnostics(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.span?.file.path ?? d.path}: ${d.code} ${d.message}`).sort();
}

export function checkProject(sources: readonly SourceFile[]) {
  const result = checkSources(sources);
  return { model: describeModel(result.model), diagnostics: describeDiagnostics(result.diagnostics) };
}
