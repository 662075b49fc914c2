import type { SourceFile } from "../diagnostics/source.js";
import type * as ast from "../syntax/ast.js";

/**
 * The canonical layout of the parts of a declaration: the order of clauses in each kind of block, and the text
 * of each line. Everything the user wrote as a value (names, numbers with their units, strings with their
 * escapes) is printed exactly as written; only whitespace, commas between enum members, the order of clauses
 * and the position of annotations are canonical. docs/cli.md (`evtc fmt`) describes the result.
 */

/** Blocks made of clauses; `publish` is the override block of an enricher's `publish` clause. */
export type ClauseBlockKind = "team" | "domain" | "segment" | "topic" | "backend" | "consumer" | "enricher" | "publish";

type ClauseRanks = readonly (readonly ast.ClauseKeyword[])[];

/** The settings of a topic: also what the block of an enricher's `publish` clause may override. */
const topicSettings: ClauseRanks = [
  ["key"],
  ["partitions"],
  ["retention"],
  ["compacted"],
  ["rate"],
  ["compatibility"],
  ["public", "internal"],
  ["maxSize"],
  ["segment"],
  ["expectedConsumers"],
];

/**
 * The canonical order of clauses, per block. Clauses on one line of a table share a rank and keep the order in
 * which they were written (`contact` and `lookup` may repeat; a duplicated clause keeps its first occurrence
 * first, so the checker still reports the same one).
 */
export const clauseOrder: Readonly<Record<ClauseBlockKind, ClauseRanks>> = {
  team: [["contact"], ["chat"]],
  domain: [["owner"], ["delegate"]],
  segment: [["ordered"], ["replicas"], ["minInsync"]],
  topic: [["owner"], ["event"], ...topicSettings],
  backend: [["owner"], ["capacity"], ["latency"]],
  consumer: [
    ["owner"],
    ["from"],
    ["accepts"],
    ["ordered", "unordered"],
    ["guaranteed", "best-effort"],
    ["lookup"],
    ["deadline"],
    ["retry"],
    ["dlq"],
    ["latency"],
    ["concurrency"],
  ],
  enricher: [
    ["owner"],
    ["from"],
    ["ordered", "unordered"],
    ["guaranteed", "best-effort"],
    ["lookup"],
    ["retry"],
    ["dlq"],
    ["latency"],
    ["concurrency"],
    ["publish"],
  ],
  publish: topicSettings,
};

const ranks: Record<ClauseBlockKind, ReadonlyMap<string, number>> = Object.fromEntries(
  Object.entries(clauseOrder).map(([block, groups]) => [
    block,
    new Map(groups.flatMap((group, rank) => group.map((keyword) => [keyword, rank] as const))),
  ]),
) as unknown as Record<ClauseBlockKind, ReadonlyMap<string, number>>;

/** The clauses of a block in canonical order; a stable sort, so equal ranks keep their written order. */
export function sortClauses<C extends ast.Clause>(block: ClauseBlockKind, clauses: readonly C[]): C[] {
  const rank = ranks[block];
  const last = clauseOrder[block].length;
  return clauses
    .map((clause, index) => ({ clause, index, rank: rank.get(clause.keyword) ?? last }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((entry) => entry.clause);
}

/** The exact source text of a node (a string literal with its quotes and escapes, say). */
export function sourceText(source: SourceFile, node: ast.Node): string {
  return source.text.slice(node.span.start, node.span.end);
}

export function literalText(source: SourceFile, literal: ast.Literal): string {
  return literal.kind === "string" ? sourceText(source, literal) : literal.text;
}

export function annotationText(source: SourceFile, annotation: ast.Annotation): string {
  const args = annotation.args.map((arg) => literalText(source, arg));
  return `@${annotation.name.text}${args.length > 0 ? `(${args.join(", ")})` : ""}`;
}

export function typeText(type: ast.TypeRef): string {
  const args = type.args.length > 0 ? `<${type.args.map(typeText).join(", ")}>` : "";
  return `${type.name.text}${args}${"[]".repeat(type.arrayDepth)}`;
}

/** A field as three columns: name (with `?`), type, and its constraints and default (possibly empty). */
export function fieldColumns(source: SourceFile, field: ast.Field): { name: string; type: string; rest: string } {
  const rest = field.constraints.map((c) => `${c.kind} ${literalText(source, c.value)}`);
  if (field.defaultValue) rest.push(`= ${literalText(source, field.defaultValue)}`);
  return { name: `${field.name.text}${field.optional ? "?" : ""}`, type: typeText(field.type), rest: rest.join(" ") };
}

/** A clause as its keyword and its value (absent for a flag such as `public`); a `publish` block is not included. */
export function clauseColumns(source: SourceFile, clause: ast.Clause): { keyword: string; value?: string } {
  const keyword = clause.keyword;
  switch (clause.keyword) {
    case "compacted":
    case "public":
    case "internal":
    case "ordered":
    case "unordered":
    case "guaranteed":
    case "best-effort":
    case "dlq":
      return { keyword };
    case "contact":
    case "chat":
      return { keyword, value: sourceText(source, clause.value) };
    case "owner":
    case "delegate":
    case "event":
    case "compatibility":
    case "segment":
    case "from":
      return { keyword, value: clause.value.text };
    case "key":
      return {
        keyword,
        value: `${clause.field.text}${clause.cardinality ? ` cardinality ${clause.cardinality.text}` : ""}`,
      };
    case "rate":
      return { keyword, value: `${clause.average.text}${clause.peak ? ` peak ${clause.peak.text}` : ""}` };
    case "retry": {
      const backoff = clause.backoffFrom
        ? ` backoff ${clause.backoffFrom.text}${clause.backoffTo ? `..${clause.backoffTo.text}` : ""}`
        : "";
      return { keyword, value: `${clause.attempts.text}${backoff}` };
    }
    case "lookup":
      return {
        keyword,
        value:
          `${clause.backend.text} by ${clause.by.text}` +
          (clause.cache ? ` cache ${clause.cache.text}` : "") +
          (clause.cardinality ? ` cardinality ${clause.cardinality.text}` : ""),
      };
    case "accepts":
      return { keyword, value: clause.versions.map((v) => v.text).join(", ") };
    case "publish":
      return { keyword, value: `${clause.topic.text} as ${clause.event.text}` };
    default:
      return { keyword, value: (clause as ast.QuantityClause).value.text };
  }
}

/** The first line of a declaration, without its `{`. */
export function headerText(decl: ast.Declaration): string {
  if (decl.kind === "event") {
    const version = decl.version ? ` ${decl.version.text}` : "";
    const base = decl.extends ? ` extends ${decl.extends.text}` : "";
    return `event ${decl.name.text}${version}${base}`;
  }
  return `${decl.kind} ${decl.name.text}`;
}
