import type { SourceFile, Span } from "../diagnostics/source.js";

/**
 * The syntax tree of one `.evt` file. Clauses are kept in source order, as written (the formatter and the
 * binder both read them); nothing here is resolved or interpreted yet.
 */
export interface Node {
  readonly span: Span;
}

/** A name as written: `billing`, `PaymentReceived`, `billing.payment.received`. */
export interface Name extends Node {
  readonly text: string;
}

export interface StringLiteral extends Node {
  readonly kind: "string";
  readonly value: string;
}

/** A number with its unit, as written (`2000/s`, `20m`, `12`); the binder interprets it. */
export interface QuantityLiteral extends Node {
  readonly kind: "quantity";
  readonly text: string;
}

/** A bare word used as a value: `true`, `EUR`. */
export interface WordLiteral extends Node {
  readonly kind: "word";
  readonly text: string;
}

export type Literal = StringLiteral | QuantityLiteral | WordLiteral;

export interface VersionLiteral extends Node {
  readonly major: number;
  readonly minor: number;
  readonly text: string;
}

export interface Annotation extends Node {
  readonly name: Name;
  readonly args: readonly Literal[];
}

/** What every declaration, field and enum member carries. */
export interface Documented {
  /** `///` lines directly above the node (or trailing on its last line), without the slashes. */
  readonly docs: readonly string[];
  readonly annotations: readonly Annotation[];
}

export type ClauseKeyword =
  | "contact"
  | "chat"
  | "owner"
  | "delegate"
  | "event"
  | "key"
  | "partitions"
  | "retention"
  | "compacted"
  | "rate"
  | "compatibility"
  | "public"
  | "internal"
  | "maxSize"
  | "segment"
  | "capacity"
  | "latency"
  | "from"
  | "ordered"
  | "unordered"
  | "guaranteed"
  | "best-effort"
  | "deadline"
  | "retry"
  | "lookup"
  | "accepts"
  | "dlq"
  | "concurrency"
  | "publish"
  | "replicas"
  | "minInsync"
  | "expectedConsumers";

interface ClauseBase<K extends ClauseKeyword> extends Node {
  readonly keyword: K;
  /** The span of the keyword alone. */
  readonly keywordSpan: Span;
}

export type FlagClause = ClauseBase<
  "compacted" | "public" | "internal" | "ordered" | "unordered" | "guaranteed" | "best-effort" | "dlq"
>;
export interface QuantityClause extends ClauseBase<
  | "partitions"
  | "retention"
  | "maxSize"
  | "capacity"
  | "latency"
  | "deadline"
  | "concurrency"
  | "replicas"
  | "minInsync"
  | "expectedConsumers"
> {
  readonly value: QuantityLiteral;
}
export interface StringClause extends ClauseBase<"contact" | "chat"> {
  readonly value: StringLiteral;
}
/** `owner crm`, `event PaymentReceived`, `compatibility backward`, `segment ordered`, `from billing.payment.received`. */
export interface NameClause extends ClauseBase<"owner" | "delegate" | "event" | "compatibility" | "segment" | "from"> {
  readonly value: Name;
}
export interface KeyClause extends ClauseBase<"key"> {
  readonly field: Name;
  readonly cardinality?: QuantityLiteral;
}
export interface RateClause extends ClauseBase<"rate"> {
  readonly average: QuantityLiteral;
  readonly peak?: QuantityLiteral;
}
export interface RetryClause extends ClauseBase<"retry"> {
  readonly attempts: QuantityLiteral;
  readonly backoffFrom?: QuantityLiteral;
  readonly backoffTo?: QuantityLiteral;
}
export interface LookupClause extends ClauseBase<"lookup"> {
  readonly backend: Name;
  readonly by: Name;
  readonly cache?: QuantityLiteral;
  /** Distinct values of the `by` field in circulation (`cache 20m cardinality 2M`). */
  readonly cardinality?: QuantityLiteral;
}
export interface AcceptsClause extends ClauseBase<"accepts"> {
  readonly versions: readonly VersionLiteral[];
}
export interface PublishClause extends ClauseBase<"publish"> {
  readonly topic: Name;
  readonly event: Name;
  /** Settings of the enriched topic that differ from its source topic's. */
  readonly overrides: readonly Clause[];
  readonly hasBlock: boolean;
  /** `///` lines above the `publish` clause document the enriched topic. */
  readonly docs: readonly string[];
}

export type Clause =
  | FlagClause
  | QuantityClause
  | StringClause
  | NameClause
  | KeyClause
  | RateClause
  | RetryClause
  | LookupClause
  | AcceptsClause
  | PublishClause;

export interface TypeRef extends Node {
  readonly name: Name;
  readonly args: readonly TypeRef[];
  /** 1 for `T[]`, 2 for `T[][]`. */
  readonly arrayDepth: number;
}

export type ConstraintKind = "pattern" | "min" | "max" | "minLength" | "maxLength" | "minItems" | "maxItems";

export interface Constraint extends Node {
  readonly kind: ConstraintKind;
  readonly keywordSpan: Span;
  readonly value: StringLiteral | QuantityLiteral;
}

export interface Field extends Node, Documented {
  readonly name: Name;
  readonly optional: boolean;
  readonly type: TypeRef;
  readonly constraints: readonly Constraint[];
  readonly defaultValue?: Literal;
}

export interface EnumMember extends Node, Documented {
  readonly name: Name;
}

interface DeclarationBase<K extends string> extends Node, Documented {
  readonly kind: K;
  readonly name: Name;
  readonly keywordSpan: Span;
}

export interface BlockDeclaration<K extends string> extends DeclarationBase<K> {
  readonly clauses: readonly Clause[];
}

export type TeamDeclaration = BlockDeclaration<"team">;
export type DomainDeclaration = BlockDeclaration<"domain">;
export type SegmentDeclaration = BlockDeclaration<"segment">;
export type TopicDeclaration = BlockDeclaration<"topic">;
export type BackendDeclaration = BlockDeclaration<"backend">;
export type ConsumerDeclaration = BlockDeclaration<"consumer">;
export type EnricherDeclaration = BlockDeclaration<"enricher">;

export interface EnumDeclaration extends DeclarationBase<"enum"> {
  readonly members: readonly EnumMember[];
}

export interface RecordDeclaration extends DeclarationBase<"record"> {
  readonly fields: readonly Field[];
}

export interface EventDeclaration extends DeclarationBase<"event"> {
  readonly version?: VersionLiteral;
  readonly extends?: Name;
  readonly fields: readonly Field[];
}

export type Declaration =
  | TeamDeclaration
  | DomainDeclaration
  | SegmentDeclaration
  | TopicDeclaration
  | BackendDeclaration
  | ConsumerDeclaration
  | EnricherDeclaration
  | EnumDeclaration
  | RecordDeclaration
  | EventDeclaration;

export type DeclarationKind = Declaration["kind"];

export interface Comment extends Node {
  readonly text: string;
  readonly doc: boolean;
}

export interface EvtFile {
  readonly source: SourceFile;
  readonly declarations: readonly Declaration[];
  /** Every `//` and `///` comment, in order, for tools that must preserve them (the formatter). */
  readonly comments: readonly Comment[];
}
