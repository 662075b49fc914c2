import type { Span } from "../diagnostics/source.js";
import type * as ast from "../syntax/ast.js";

/**
 * The checked semantic model of a whole bus: every name resolved, every unit normalised, every default
 * applied. Checks, the load analysis and the emitters read this, never the syntax tree. Collections are
 * sorted by name so that everything downstream is deterministic.
 */
export interface BusModel {
  readonly teams: ReadonlyMap<string, Team>;
  readonly domains: ReadonlyMap<string, Domain>;
  readonly segments: ReadonlyMap<string, Segment>;
  readonly enums: ReadonlyMap<string, EnumType>;
  readonly records: ReadonlyMap<string, RecordType>;
  readonly events: ReadonlyMap<string, EventType>;
  readonly topics: ReadonlyMap<string, Topic>;
  readonly backends: ReadonlyMap<string, Backend>;
  readonly consumers: ReadonlyMap<string, Consumer>;
  readonly enrichers: ReadonlyMap<string, Enricher>;
  /** Paths of the source files, sorted. */
  readonly files: readonly string[];
}

interface Declared<D> {
  readonly name: string;
  readonly docs: readonly string[];
  /** The reason given by `@deprecated("…")`, or "" when it has none. */
  readonly deprecated?: string;
  readonly declaration: D;
  /** Where the name is written in the declaration: the place diagnostics point at. */
  readonly nameSpan: Span;
}

export interface Team extends Declared<ast.TeamDeclaration> {
  readonly contacts: readonly string[];
  readonly chats: readonly string[];
}

export interface Domain extends Declared<ast.DomainDeclaration> {
  readonly owner?: Team;
  /** Teams other than the owner allowed to publish topics in this domain (`delegate crm`). */
  readonly delegates: readonly Team[];
}

export interface Segment extends Declared<ast.SegmentDeclaration> {
  /** Meant for ordered flows (the `ordered` clause). */
  readonly orderedFlows: boolean;
  readonly replicas?: number;
  readonly minInsync?: number;
}

export interface EnumMember {
  readonly name: string;
  readonly docs: readonly string[];
  readonly deprecated?: string;
  readonly span: Span;
}

export interface EnumType extends Declared<ast.EnumDeclaration> {
  readonly members: readonly EnumMember[];
}

export const builtinTypes = [
  "string",
  "int",
  "long",
  "double",
  "decimal",
  "boolean",
  "uuid",
  "timestamp",
  "date",
  "duration",
  "bytes",
] as const;
export type BuiltinType = (typeof builtinTypes)[number];

export type FieldType =
  | { readonly kind: "builtin"; readonly name: BuiltinType }
  | { readonly kind: "enum"; readonly enum: EnumType }
  | { readonly kind: "record"; readonly record: RecordType }
  | { readonly kind: "array"; readonly items: FieldType }
  | { readonly kind: "map"; readonly values: FieldType };

export interface Constraints {
  readonly pattern?: string;
  readonly min?: number;
  readonly max?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
}

export type DefaultValue = string | number | boolean;

export interface Field {
  readonly name: string;
  readonly optional: boolean;
  readonly type: FieldType;
  readonly constraints: Constraints;
  readonly default?: DefaultValue;
  readonly docs: readonly string[];
  readonly deprecated?: string;
  readonly declaration: ast.Field;
  /** The event or record that declares the field (differs from the owner for inherited fields). */
  readonly declaredIn: string;
}

export interface RecordType extends Declared<ast.RecordDeclaration> {
  /** Filled in after every type is known, since records may refer to each other. */
  readonly fields: readonly Field[];
}

export interface Version {
  readonly major: number;
  readonly minor: number;
}

export interface EventType extends Declared<ast.EventDeclaration> {
  readonly version: Version;
  readonly base?: EventType;
  /** Every field, inherited ones first, in declaration order. */
  readonly fields: readonly Field[];
}

export const compatibilityModes = [
  "backward",
  "backward-transitive",
  "forward",
  "forward-transitive",
  "full",
  "full-transitive",
  "none",
] as const;
export type CompatibilityMode = (typeof compatibilityModes)[number];

export interface Rate {
  /** Events per second, on average. */
  readonly average: number;
  /** Events per second at peak (equal to the average when not declared). */
  readonly peak: number;
}

export interface TopicKey {
  /** `["customer", "msisdn"]` for `key customer.msisdn`. */
  readonly path: readonly string[];
  readonly field: Field;
  /** Distinct key values in circulation, when declared (`cardinality 5M`). */
  readonly cardinality?: number;
}

export type Publisher = { readonly kind: "producer" } | { readonly kind: "enricher"; readonly enricher: Enricher };

export interface Topic {
  readonly name: string;
  readonly docs: readonly string[];
  readonly deprecated?: string;
  /** The first segment of the name: `billing` in `billing.payment.received`. */
  readonly domainName: string;
  readonly owner: Team;
  readonly event: EventType;
  readonly key?: TopicKey;
  readonly partitions: number;
  readonly retentionMs: number;
  readonly compacted: boolean;
  readonly rate?: Rate;
  readonly compatibility: CompatibilityMode;
  readonly visibility: "public" | "internal";
  readonly maxSizeBytes: number;
  readonly segment?: Segment;
  /** Consumers the topic is expected to gain (`expectedConsumers 3`); never inherited by an enriched topic. */
  readonly expectedConsumers?: number;
  readonly publisher: Publisher;
  /** The `topic` declaration, or the enricher's `publish` clause. */
  readonly nameSpan: Span;
}

export interface Backend extends Declared<ast.BackendDeclaration> {
  readonly owner: Team;
  /** Requests per second the back-end sustains. */
  readonly capacity?: number;
  readonly latencyMs?: number;
}

export interface Lookup {
  readonly backend: Backend;
  readonly by: readonly string[];
  readonly cacheTtlMs?: number;
  /** Distinct values of the `by` field in circulation, when declared on the look-up (`cardinality 2M`). */
  readonly cardinality?: number;
  readonly span: Span;
}

export type Ordering = "ordered" | "unordered";
export type Delivery = "guaranteed" | "best-effort";

export interface RetryPolicy {
  readonly attempts: number;
  readonly backoffFromMs?: number;
  readonly backoffToMs?: number;
}

/** What consumers and enrichers share: both read a topic in a consumer group. */
export interface Reader<D> extends Declared<D> {
  readonly owner: Team;
  readonly from: Topic;
  readonly ordering: Ordering;
  readonly delivery: Delivery;
  readonly retry?: RetryPolicy;
  /** Failed events go to a dead-letter topic: always for guaranteed delivery, on request (`dlq`) otherwise. */
  readonly dlq: boolean;
  readonly lookups: readonly Lookup[];
  readonly latencyMs?: number;
  readonly concurrency?: number;
}

export interface Consumer extends Reader<ast.ConsumerDeclaration> {
  readonly deadlineMs?: number;
  /** The major versions of the topic's event this consumer accepts (the current one when not declared). */
  readonly accepts: readonly number[];
  /** Whether `accepts` was written: on a public topic, a new major version needs every consumer to say so. */
  readonly acceptsDeclared: boolean;
}

export interface Enricher extends Reader<ast.EnricherDeclaration> {
  /** The enriched topic this enricher defines and publishes. */
  readonly publishes: Topic;
}
