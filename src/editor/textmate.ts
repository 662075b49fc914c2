/**
 * The TextMate grammar of `.evt` files (scope `source.evt`), used by VS Code and by every other editor that
 * reads TextMate grammars. It is written here, typed, and built from the compiler's own lists — the keywords
 * of the lexer, the declaration keywords and the clause words of each block in the parser, the built-in types
 * and compatibility modes of the model — so that a keyword added to the language cannot be forgotten here:
 * `textmateGrammar()` throws for a keyword it has no place for. `npm run grammar` writes the JSON
 * (`grammar/evt.tmLanguage.json`), and a test checks that the committed file is up to date.
 *
 * Keywords are contextual in `.evt` (see docs/language.md §2.4), and the grammar follows the parser:
 * - each declaration is a begin/end rule (`topic <name>` up to its `}`) holding a block rule, and each kind of
 *   block has its own patterns, so `owner` is a keyword in a topic block and a field name in an event body;
 * - a clause that takes a name matches the name with the clause word (`owner billing`), so a value is never
 *   taken for a keyword, and — as in the parser — a value cannot be a declaration keyword or a clause word of
 *   the same block (`owner` followed by `event` is an `owner` whose team is missing, then an `event` clause);
 * - inside a field body, a constraint word is a keyword only when a number or a string follows it;
 * - a block whose `}` is missing ends where the parser ends it (a declaration keyword that is not one of the
 *   block's clauses, or what can only be a declaration header), so one missing brace does not colour the rest
 *   of the file wrongly.
 *
 * Scope names follow the TextMate conventions, so that existing themes colour `.evt` files well; the full list
 * is in docs/editors.md.
 */
import type { TokenType } from "chevrotain";
import { format, resolveConfig } from "prettier";
import { builtinTypes, compatibilityModes } from "../model/bus.js";
import {
  clauseKeywords,
  declarationKeywords,
  flagKeywords,
  quantityKeywords,
  type BlockKind,
} from "../syntax/parser.js";
import * as t from "../syntax/tokens.js";
import { canonical } from "../emit/json-schema.js";

export interface TextMateCapture {
  readonly name?: string;
  readonly patterns?: readonly TextMateRule[];
}

export type TextMateCaptures = Readonly<Record<string, TextMateCapture>>;

export interface TextMateRule {
  readonly comment?: string;
  readonly name?: string;
  readonly contentName?: string;
  readonly include?: string;
  readonly match?: string;
  readonly captures?: TextMateCaptures;
  readonly begin?: string;
  readonly beginCaptures?: TextMateCaptures;
  readonly end?: string;
  readonly endCaptures?: TextMateCaptures;
  readonly patterns?: readonly TextMateRule[];
}

export interface TextMateGrammar {
  readonly $schema: string;
  readonly information_for_contributors: readonly string[];
  readonly name: string;
  readonly scopeName: string;
  readonly fileTypes: readonly string[];
  readonly patterns: readonly TextMateRule[];
  readonly repository: Readonly<Record<string, TextMateRule>>;
}

export const scopeName = "source.evt";

// ---- Scope names -----------------------------------------------------------------------------------------

/** The kinds of declaration: the texts of the parser's `declarationKeywords`. */
type DeclarationKind =
  "team" | "domain" | "segment" | "enum" | "record" | "event" | "topic" | "backend" | "consumer" | "enricher";

/** How the name of each kind of declaration is scoped, where it is declared and where it is referred to. */
const nameScopes: Readonly<Record<DeclarationKind, string>> = {
  team: "entity.name.namespace.team.evt",
  domain: "entity.name.namespace.domain.evt",
  segment: "entity.name.namespace.segment.evt",
  enum: "entity.name.type.enum.evt",
  record: "entity.name.type.record.evt",
  event: "entity.name.type.event.evt",
  topic: "entity.name.namespace.topic.evt",
  backend: "entity.name.namespace.backend.evt",
  consumer: "entity.name.function.consumer.evt",
  enricher: "entity.name.function.enricher.evt",
};

/** Which names are dotted (`billing.payment.received`), and what the body of each declaration holds. */
const declarationShapes: Readonly<
  Record<DeclarationKind, { readonly dotted: boolean; readonly body: "clauses" | "fields" | "members" }>
> = {
  team: { dotted: false, body: "clauses" },
  domain: { dotted: false, body: "clauses" },
  segment: { dotted: false, body: "clauses" },
  enum: { dotted: false, body: "members" },
  record: { dotted: false, body: "fields" },
  event: { dotted: false, body: "fields" },
  topic: { dotted: true, body: "clauses" },
  backend: { dotted: true, body: "clauses" },
  consumer: { dotted: true, body: "clauses" },
  enricher: { dotted: true, body: "clauses" },
};

/**
 * The scopes the grammar assigns, by role (with `nameScopes`). docs/editors.md lists them all, and
 * test/grammar/generated.test.ts checks that list against the generated grammar, both ways.
 */
export const scopes = {
  declarationKeyword: (kind: DeclarationKind) => `storage.type.${kind}.evt`,
  clauseKeyword: "keyword.other.clause.evt",
  clausePart: "keyword.other.clause.part.evt",
  constraint: "keyword.other.constraint.evt",
  extends: "storage.modifier.extends.evt",
  typeReference: "entity.name.type.evt",
  builtinType: "support.type.builtin.evt",
  field: "variable.other.property.evt",
  enumMember: "variable.other.enummember.evt",
  boolean: "constant.language.boolean.evt",
  compatibilityMode: "constant.language.compatibility.evt",
  version: "constant.numeric.version.evt",
  number: "constant.numeric.decimal.evt",
  quantity: (kind: QuantityKind) => `constant.numeric.${kind}.evt`,
  unit: (kind: QuantityKind | "multiplier") => `keyword.other.unit.${kind}.evt`,
  string: "string.quoted.double.evt",
  stringBegin: "punctuation.definition.string.begin.evt",
  stringEnd: "punctuation.definition.string.end.evt",
  escape: "constant.character.escape.evt",
  comment: "comment.line.double-slash.evt",
  docComment: "comment.line.documentation.evt",
  commentPunctuation: "punctuation.definition.comment.evt",
  annotation: "meta.annotation.evt",
  annotationName: "storage.type.annotation.evt",
  annotationPunctuation: "punctuation.definition.annotation.evt",
  argumentsBegin: "punctuation.definition.arguments.begin.evt",
  argumentsEnd: "punctuation.definition.arguments.end.evt",
  typeArguments: "meta.type.arguments.evt",
  typeArgumentsBegin: "punctuation.definition.typeparameters.begin.evt",
  typeArgumentsEnd: "punctuation.definition.typeparameters.end.evt",
  array: "storage.modifier.array.evt",
  assignment: "keyword.operator.assignment.evt",
  optional: "keyword.operator.optional.evt",
  range: "keyword.operator.range.evt",
  dot: "punctuation.separator.dot.evt",
  comma: "punctuation.separator.comma.evt",
  blockBegin: "punctuation.section.block.begin.evt",
  blockEnd: "punctuation.section.block.end.evt",
  declaration: (kind: DeclarationKind) => `meta.declaration.${kind}.evt`,
  block: (kind: DeclarationKind | "publish" | "unknown") => `meta.block.${kind}.evt`,
  invalidCharacter: "invalid.illegal.character.evt",
  invalidEscape: "invalid.illegal.escape.evt",
  invalidUnit: "invalid.illegal.unit.evt",
  invalidVersion: "invalid.illegal.version.evt",
  strayBrace: "invalid.illegal.stray-brace.evt",
} as const;

// ---- Numbers and units (docs/language.md §2.6; src/model/units.ts interprets them) -------------------------

export type QuantityKind = "duration" | "rate" | "size" | "count";

/** The units of each kind of quantity. A test checks each against `parseQuantity`. */
export const units = {
  duration: ["ms", "s", "m", "h", "d", "w"],
  size: ["B", "KB", "MB", "GB", "KiB", "MiB", "GiB"],
  multiplier: ["k", "M", "G"],
  per: ["s", "m", "min", "h", "d"],
} as const;

// ---- Regular expressions (Oniguruma) ------------------------------------------------------------------------

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

/** The source of a lexer token's pattern, in the ASCII-only form Oniguruma and the lexer agree on. */
function lexerPattern(type: TokenType): string {
  const pattern = type.PATTERN;
  if (!(pattern instanceof RegExp)) throw new Error(`token ${type.name} has no regular expression`);
  return pattern.source.replace(/\\d/g, "[0-9]");
}

/** A name, exactly as the lexer reads one (`customer-db`, `_internal`, `tier_2`). */
const NAME = lexerPattern(t.Identifier);
const QUALIFIED_NAME = `${NAME}(?:\\.${NAME})*`;
const VERSION = lexerPattern(t.Version);
/** Not inside a name, nor a part after a dot. */
const BEFORE = "(?<![A-Za-z0-9_.-])";
/** The name ends here: `ordered` is not a keyword in `ordered-flows`. */
const AFTER = "(?![A-Za-z0-9_]|-[A-Za-z0-9_])";
const NUMBER = "-?[0-9]+(?:\\.[0-9]+)?";
const NUMBER_BEFORE = "(?<![A-Za-z0-9_])";
const NUMBER_AFTER = "(?![A-Za-z0-9_/])";
/** Whitespace as the lexer skips it (not Unicode spaces, which it rejects). */
const SPACE = "[ \\t\\r\\n\\f\\v]";

/** An alternation of words, longest first so that `maxLength` is tried before `max`. */
function alternation(texts: readonly string[]): string {
  const sorted = [...new Set(texts)].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
  return `(?:${sorted.map(escapeRegex).join("|")})`;
}

function words(texts: readonly string[]): string {
  return `${BEFORE}${alternation(texts)}${AFTER}`;
}

const text = (type: TokenType): string => t.keywordText(type);

// ---- The keywords, from the compiler's lists ----------------------------------------------------------------

const declarationTexts = declarationKeywords.map(text);
const blockKinds = Object.keys(clauseKeywords) as BlockKind[];

/** What the name after a clause word refers to. */
type ValueKind = "team" | "segment" | "type" | "fieldPath" | "topic" | "backend" | "compatibility";

/** Clause words that take a name, and what it names (docs/language.md §4.2). */
const clauseValues: ReadonlyMap<TokenType, ValueKind> = new Map<TokenType, ValueKind>([
  [t.Owner, "team"],
  [t.Delegate, "team"],
  [t.Event, "type"],
  [t.Key, "fieldPath"],
  [t.Segment, "segment"],
  [t.Compatibility, "compatibility"],
  [t.From, "topic"],
  [t.Lookup, "backend"],
  [t.Publish, "topic"],
]);

/**
 * Clause words that take no name: a flag (`public`), a quantity (`partitions 12`), strings (`contact "…"`)
 * or versions (`accepts v1`). With `clauseValues`, every clause word of the parser must be in exactly one.
 */
const clausesWithoutName: ReadonlySet<TokenType> = new Set([
  t.Contact,
  t.Chat,
  ...flagKeywords,
  ...quantityKeywords,
  t.Rate,
  t.Retry,
  t.Accepts,
]);

/** The fixed words inside a clause (`rate 1/s peak 5/s`), by the clause word that introduces them. */
const clauseParts: ReadonlyMap<
  TokenType,
  ReadonlyArray<{ readonly word: TokenType; readonly value?: ValueKind }>
> = new Map([
  [t.Key, [{ word: t.Cardinality }]],
  [t.Rate, [{ word: t.Peak }]],
  [t.Retry, [{ word: t.Backoff }]],
  [t.Lookup, [{ word: t.By, value: "fieldPath" as const }, { word: t.Cache }, { word: t.Cardinality }]],
  [t.Publish, [{ word: t.As, value: "type" as const }]],
]);

const constraintKeywords: readonly TokenType[] = [
  t.Pattern,
  t.Min,
  t.Max,
  t.MinLength,
  t.MaxLength,
  t.MinItems,
  t.MaxItems,
];

/** The clause word whose value is versions. */
const versionClause = t.Accepts;

/** Every keyword of the lexer must have a place here; a new one fails the build of the grammar. */
function checkKeywordsCovered(): void {
  const declarations = new Set(Object.keys(declarationShapes));
  const fromParser = new Set(declarationTexts);
  for (const kind of declarations) {
    if (!fromParser.has(kind)) throw new Error(`\`${kind}\` is no longer a declaration keyword of the parser`);
  }
  for (const kind of fromParser) {
    if (!declarations.has(kind)) {
      throw new Error(`declaration keyword \`${kind}\` has no rule in the TextMate grammar (src/editor/textmate.ts)`);
    }
  }
  for (const block of blockKinds) {
    if (!declarations.has(block) || declarationShapes[block as DeclarationKind].body !== "clauses") {
      throw new Error(`block \`${block}\` of the parser is not a block of clauses in the TextMate grammar`);
    }
  }
  for (const block of blockKinds) {
    for (const word of clauseKeywords[block]) {
      if (clauseValues.has(word) === clausesWithoutName.has(word)) {
        throw new Error(
          `clause word \`${text(word)}\` of \`${block}\` must be in exactly one of clauseValues (it takes a name) ` +
            "and clausesWithoutName in src/editor/textmate.ts",
        );
      }
    }
  }
  const placed = new Set<TokenType>([...declarationKeywords, t.Extends, ...constraintKeywords]);
  for (const block of blockKinds) for (const word of clauseKeywords[block]) placed.add(word);
  for (const parts of clauseParts.values()) for (const part of parts) placed.add(part.word);
  const missing = t.keywords.filter((keyword) => !placed.has(keyword)).map(text);
  if (missing.length > 0) {
    throw new Error(`keywords with no place in the TextMate grammar (src/editor/textmate.ts): ${missing.join(", ")}`);
  }
}

// ---- Rules ------------------------------------------------------------------------------------------------

const include = (name: string): TextMateRule => ({ include: `#${name}` });

/** A dotted name as one capture, with its dots as separators. */
function dottedCapture(scope: string): TextMateCapture {
  return { name: scope, patterns: [include("dot")] };
}

function valuePattern(kind: ValueKind): {
  readonly pattern: string;
  readonly captures: (first: number) => TextMateCaptures;
} {
  const single = (scope: string) => ({ pattern: `(${NAME})`, captures: (n: number) => ({ [n]: { name: scope } }) });
  const dotted = (scope: string) => ({
    pattern: `(${QUALIFIED_NAME})`,
    captures: (n: number) => ({ [n]: dottedCapture(scope) }),
  });
  switch (kind) {
    case "team":
      return single(nameScopes.team);
    case "segment":
      return single(nameScopes.segment);
    case "type":
      return single(scopes.typeReference);
    case "fieldPath":
      return dotted(scopes.field);
    case "topic":
      return dotted(nameScopes.topic);
    case "backend":
      return dotted(nameScopes.backend);
    case "compatibility":
      // A known mode is a constant; anything else is left plain (the checker reports it, EVT0412).
      return {
        pattern: `(?:(${alternation(compatibilityModes)})${AFTER}|${NAME})`,
        captures: (n: number) => ({ [n]: { name: scopes.compatibilityMode } }),
      };
  }
}

/**
 * `word value`, with the value optional (it may be missing, or on the next line) and never one of the words
 * in `excluded` — as in the parser, where a value is not a declaration keyword nor a clause word of the block.
 */
function wordWithValue(word: TokenType, scope: string, value: ValueKind, excluded: readonly string[]): TextMateRule {
  const v = valuePattern(value);
  return {
    match: `${BEFORE}(${escapeRegex(text(word))})${AFTER}(?:${SPACE}+(?!${alternation(excluded)}${AFTER})${v.pattern})?`,
    captures: { 1: { name: scope }, ...v.captures(2) },
  };
}

function keywordRule(texts: readonly string[], scope: string): TextMateRule {
  return { match: words(texts), name: scope };
}

/** The declaration keywords of the parser that are not clauses of `block`, and those that are. */
function declarationWordsIn(block: BlockKind): { readonly foreign: string[]; readonly own: string[] } {
  const own = new Set(clauseKeywords[block].map(text));
  return {
    foreign: declarationTexts.filter((word) => !own.has(word)),
    own: declarationTexts.filter((word) => own.has(word)),
  };
}

/** What can only be the header of a declaration: `event Name v1 {`, `topic a.b.c {`, `record R extends…`. */
const declarationHeader =
  `${words(declarationTexts)}${SPACE}+${QUALIFIED_NAME}${SPACE}*` +
  `(?:${VERSION}${AFTER}${SPACE}*)?(?:extends${AFTER}${SPACE}*${NAME}${SPACE}*)?\\{`;

/**
 * Where the parser gives up on a block whose `}` is missing (`clauseGate` in the parser): a declaration
 * keyword that is not a clause of the block, or one that is (`event`, `segment` in a topic) followed by a name
 * and then a version, `{` or `extends`.
 */
function clauseBlockRecovery(block: BlockKind): string {
  const { foreign, own } = declarationWordsIn(block);
  const alternatives = [`(?=${words(foreign)})`];
  if (own.length > 0) {
    alternatives.push(`(?=${words(own)}${SPACE}+${NAME}${SPACE}*(?:\\{|${VERSION}${AFTER}|extends${AFTER}))`);
  }
  return alternatives.join("|");
}

function blockRule(
  kind: DeclarationKind | "publish" | "unknown",
  recovery: string,
  patterns: TextMateRule[],
): TextMateRule {
  return {
    name: scopes.block(kind),
    begin: "\\{",
    beginCaptures: { 0: { name: scopes.blockBegin } },
    end: `(\\})|${recovery}`,
    endCaptures: { 1: { name: scopes.blockEnd } },
    patterns,
  };
}

/** The patterns of a block of clauses (team, domain, segment, topic, backend, consumer, enricher). */
function clausePatterns(block: BlockKind): TextMateRule[] {
  const clauses = clauseKeywords[block];
  const excluded = [...declarationTexts, ...clauses.map(text)];
  const patterns: TextMateRule[] = [include("comments")];
  for (const word of clauses) {
    const value = clauseValues.get(word);
    if (value !== undefined) patterns.push(wordWithValue(word, scopes.clauseKeyword, value, excluded));
  }
  patterns.push(keywordRule(clauses.map(text), scopes.clauseKeyword));
  const parts = clauses.flatMap((word) => clauseParts.get(word) ?? []);
  for (const part of parts) {
    if (part.value !== undefined) patterns.push(wordWithValue(part.word, scopes.clausePart, part.value, excluded));
  }
  if (parts.length > 0)
    patterns.push(
      keywordRule(
        parts.map((part) => text(part.word)),
        scopes.clausePart,
      ),
    );
  if ((clauses as readonly TokenType[]).includes(versionClause)) patterns.push(include("version"));
  if ((clauses as readonly TokenType[]).includes(t.Publish)) patterns.push(include("block-publish"));
  else patterns.push(include("block-unknown"));
  patterns.push(include("values"));
  return patterns;
}

function declarationRule(kind: DeclarationKind): TextMateRule {
  const shape = declarationShapes[kind];
  const name = shape.dotted ? QUALIFIED_NAME : NAME;
  const nameCapture = shape.dotted ? dottedCapture(nameScopes[kind]) : { name: nameScopes[kind] };
  const header: TextMateRule[] = [include("comments")];
  if (kind === "event") {
    header.push(include("version"), {
      match: `${BEFORE}(extends)${AFTER}(?:${SPACE}+(${NAME}))?`,
      captures: { 1: { name: scopes.extends }, 2: { name: scopes.typeReference } },
    });
  }
  header.push(
    include(`block-${kind}`),
    // The name, when it is not on the line of the keyword.
    { match: `${BEFORE}(${name})`, captures: { 1: nameCapture } },
    include("invalid-character"),
  );
  return {
    name: scopes.declaration(kind),
    begin: `${BEFORE}(${escapeRegex(kind)})${AFTER}(?:${SPACE}+(${name}))?`,
    beginCaptures: { 1: { name: scopes.declarationKeyword(kind) }, 2: nameCapture },
    // After the block, or before the next declaration when the block never opened.
    end: `(?<=\\})|(?=${words(declarationTexts)})`,
    patterns: header,
  };
}

const typeNames = [...builtinTypes, "map"];

function commonRules(): Record<string, TextMateRule> {
  return {
    comments: {
      patterns: [
        {
          comment: "`///` is a doc comment, but `////` an ordinary comment again.",
          name: scopes.docComment,
          match: "(///)(?!/).*",
          captures: { 1: { name: scopes.commentPunctuation } },
        },
        { name: scopes.comment, match: "(//).*", captures: { 1: { name: scopes.commentPunctuation } } },
      ],
    },
    string: {
      comment: "A string ends on its line (EVT0102); escapes are JSON's (EVT0103 for any other).",
      name: scopes.string,
      begin: '"',
      beginCaptures: { 0: { name: scopes.stringBegin } },
      end: '(")|$',
      endCaptures: { 1: { name: scopes.stringEnd } },
      patterns: [
        { name: scopes.escape, match: '\\\\(?:["\\\\/bfnrt]|u[0-9A-Fa-f]{4})' },
        { name: scopes.invalidEscape, match: "\\\\." },
      ],
    },
    number: {
      patterns: [
        {
          match: `${NUMBER_BEFORE}(${NUMBER})(${alternation(units.multiplier)}?/${alternation(units.per)})${NUMBER_AFTER}`,
          captures: { 1: { name: scopes.quantity("rate") }, 2: { name: scopes.unit("rate") } },
        },
        {
          match: `${NUMBER_BEFORE}(${NUMBER})(${alternation(units.duration)})${NUMBER_AFTER}`,
          captures: { 1: { name: scopes.quantity("duration") }, 2: { name: scopes.unit("duration") } },
        },
        {
          match: `${NUMBER_BEFORE}(${NUMBER})(${alternation(units.size)})${NUMBER_AFTER}`,
          captures: { 1: { name: scopes.quantity("size") }, 2: { name: scopes.unit("size") } },
        },
        {
          match: `${NUMBER_BEFORE}(${NUMBER})(${alternation(units.multiplier)})${NUMBER_AFTER}`,
          captures: { 1: { name: scopes.quantity("count") }, 2: { name: scopes.unit("multiplier") } },
        },
        { match: `${NUMBER_BEFORE}${NUMBER}${NUMBER_AFTER}`, name: scopes.number },
        {
          comment: "A number with a unit evtc does not know (EVT0104).",
          match: `${NUMBER_BEFORE}(${NUMBER})([A-Za-z]*/[A-Za-z]*|[A-Za-z]+)`,
          captures: { 1: { name: scopes.number }, 2: { name: scopes.invalidUnit } },
        },
      ],
    },
    version: {
      patterns: [
        { name: scopes.invalidVersion, match: `${BEFORE}v[0-9]+(?:\\.[0-9]+){2,}${AFTER}` },
        { name: scopes.version, match: `${BEFORE}${VERSION}${AFTER}(?!\\.[0-9])` },
      ],
    },
    annotation: {
      patterns: [
        {
          name: scopes.annotation,
          begin: `(@)${SPACE}*(${NAME})${SPACE}*(\\()`,
          beginCaptures: {
            1: { name: scopes.annotationPunctuation },
            2: { name: scopes.annotationName },
            3: { name: scopes.argumentsBegin },
          },
          end: "(\\))|$",
          endCaptures: { 1: { name: scopes.argumentsEnd } },
          patterns: [include("comments"), include("literal"), include("comma"), include("invalid-character")],
        },
        {
          name: scopes.annotation,
          match: `(@)${SPACE}*(${NAME})`,
          captures: { 1: { name: scopes.annotationPunctuation }, 2: { name: scopes.annotationName } },
        },
      ],
    },
    literal: {
      patterns: [
        include("string"),
        include("number"),
        { match: words(["true", "false"]), name: scopes.boolean },
        { match: `${BEFORE}${NAME}` },
      ],
    },
    dot: { match: "\\.", name: scopes.dot },
    comma: { match: ",", name: scopes.comma },
    "invalid-character": {
      comment: "A character the lexer rejects (EVT0101).",
      match: '[^ \\t\\r\\n\\f\\vA-Za-z0-9_{}<>\\[\\](),?=@."]',
      name: scopes.invalidCharacter,
    },
    values: {
      comment: "What may stand in a block besides its keywords: literals, names, punctuation.",
      patterns: [
        include("string"),
        include("number"),
        { match: "\\.\\.", name: scopes.range },
        include("comma"),
        { match: `${BEFORE}${QUALIFIED_NAME}` },
        include("invalid-character"),
      ],
    },
  };
}

function fieldRules(): Record<string, TextMateRule> {
  const typeReference: TextMateRule = {
    match: `${BEFORE}(?:(${alternation(typeNames)})${AFTER}|(${NAME}))`,
    captures: { 1: { name: scopes.builtinType }, 2: { name: scopes.typeReference } },
  };
  return {
    fields: {
      comment: "The body of a record or an event: `[@ann] name[?] type[<…>][[]] (constraint value | = default)*`.",
      patterns: [
        include("comments"),
        include("annotation"),
        {
          comment: "A constraint word continues a field only when a number or a string follows (parser: field).",
          match: `${words(constraintKeywords.map(text))}(?=${SPACE}*(?:-?[0-9]|"))`,
          name: scopes.constraint,
        },
        {
          match: `(=)(?:${SPACE}*(?:${BEFORE}(true|false)${AFTER}|(${NAME})))?`,
          captures: { 1: { name: scopes.assignment }, 2: { name: scopes.boolean }, 3: { name: scopes.enumMember } },
        },
        {
          comment: "The name and the type of a field; the name may be any word, keywords included.",
          match: `${BEFORE}(${NAME})(?:${SPACE}*(\\?)${SPACE}*|${SPACE}+)(?:(${alternation(typeNames)})${AFTER}|(${NAME}))`,
          captures: {
            1: { name: scopes.field },
            2: { name: scopes.optional },
            3: { name: scopes.builtinType },
            4: { name: scopes.typeReference },
          },
        },
        include("type-arguments"),
        include("array"),
        { match: "\\?", name: scopes.optional },
        include("values"),
      ],
    },
    "type-arguments": {
      name: scopes.typeArguments,
      begin: "<",
      beginCaptures: { 0: { name: scopes.typeArgumentsBegin } },
      end: "(>)|$",
      endCaptures: { 1: { name: scopes.typeArgumentsEnd } },
      patterns: [
        include("comments"),
        typeReference,
        include("type-arguments"),
        include("array"),
        include("comma"),
        include("invalid-character"),
      ],
    },
    array: { match: `\\[${SPACE}*\\]`, name: scopes.array },
    members: {
      comment: "The body of an enum: members, commas, annotations.",
      patterns: [
        include("comments"),
        include("annotation"),
        include("comma"),
        { match: `${BEFORE}(${NAME})`, captures: { 1: { name: scopes.enumMember } } },
        include("values"),
      ],
    },
  };
}

/** The grammar, built from the compiler's keyword lists. Throws if a keyword of the lexer has no place in it. */
export function textmateGrammar(): TextMateGrammar {
  checkKeywordsCovered();
  const kinds = Object.keys(declarationShapes) as DeclarationKind[];
  const strongRecovery = `(?=${declarationHeader})`;
  const repository: Record<string, TextMateRule> = { ...commonRules(), ...fieldRules() };
  for (const kind of kinds) {
    repository[`declaration-${kind}`] = declarationRule(kind);
    const body = declarationShapes[kind].body;
    if (body === "clauses") {
      const block = kind as BlockKind;
      repository[`block-${kind}`] = blockRule(kind, clauseBlockRecovery(block), clausePatterns(block));
    } else {
      repository[`block-${kind}`] = blockRule(kind, strongRecovery, [include(body)]);
    }
  }
  repository["block-publish"] = {
    ...blockRule("publish", clauseBlockRecovery("topic"), clausePatterns("topic")),
    comment: "The block after an enricher's `publish … as …`: clauses of a topic.",
  };
  repository["block-unknown"] = {
    ...blockRule("unknown", strongRecovery, [
      include("comments"),
      include("annotation"),
      include("version"),
      include("block-unknown"),
      include("values"),
    ]),
    comment: "A block where none belongs, or after an unknown word (`topc a.b.c { … }`): skipped by the parser.",
  };
  return {
    $schema: "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
    information_for_contributors: [
      "Generated from src/editor/textmate.ts by `npm run grammar`: edit that file, not this one.",
    ],
    name: "evt",
    scopeName,
    fileTypes: ["evt"],
    patterns: [
      include("comments"),
      include("annotation"),
      ...kinds.map((kind) => include(`declaration-${kind}`)),
      include("block-unknown"),
      { match: "\\}", name: scopes.strayBrace },
      include("values"),
    ],
    repository,
  };
}

/**
 * Deterministic JSON: sorted keys, two-space indentation, a final newline, laid out by Prettier with the
 * project's configuration for `filepath`, so that the generated files are left as they are by `prettier --write`.
 */
export async function toJson(value: unknown, filepath = "generated.json"): Promise<string> {
  const options = (await resolveConfig(filepath)) ?? {};
  return format(JSON.stringify(canonical(value), null, 2), { ...options, filepath, parser: "json" });
}
