import type { TokenType } from "chevrotain";
import { span, type SourceFile, type Span } from "../diagnostics/source.js";
import type * as ast from "./ast.js";
import type { DocIndex } from "./docs.js";
import { fieldsDeclaration, nameOf, quantityLiteral, stringLiteral, tokenSpan, versionLiteral } from "./nodes.js";
import {
  boundKeywords,
  clauseSets,
  declarationFollowers,
  declarationSet,
  flagKeywords,
  ownClauseSets,
  quantityKeywords,
  type BlockKind,
} from "./parser.js";
import * as t from "./tokens.js";
import type { Token } from "./tokens.js";

/**
 * Builds the AST straight from the tokens of a file written without a mistake, which is what nearly every
 * file of a project is. At the first token that the grammar in parser.ts would not take the same way, it
 * gives up, and the chevrotain parser (with its error recovery and diagnostics) parses the file instead. So
 * this parser never reports anything: every diagnostic comes from one place.
 *
 * It follows parser.ts rule for rule, including its gates, and builds what build-ast.ts builds (the same
 * objects, keys in the same order): test/syntax/parse-direct.test.ts compares the two on every example and
 * fixture, on files made from the grammar, and on thousands of damaged copies of both.
 */

/** Thrown at the first thing this parser does not handle; never escapes `parseDirect`. */
const GIVE_UP = Symbol("give up");

const nameTypes: ReadonlySet<TokenType> = new Set([t.Identifier, t.Version, ...t.keywords]);
const flagTypes: ReadonlySet<TokenType> = new Set(flagKeywords);
const quantityTypes: ReadonlySet<TokenType> = new Set(quantityKeywords);
const boundTypes: ReadonlySet<TokenType> = new Set(boundKeywords);

const blockDeclarations = new Map<TokenType, BlockKind>([
  [t.Team, "team"],
  [t.Domain, "domain"],
  [t.Segment, "segment"],
  [t.Topic, "topic"],
  [t.Backend, "backend"],
  [t.Consumer, "consumer"],
  [t.Enricher, "enricher"],
]);

/** Declarations whose name is a single word; the others take a dotted name. */
const singleWordNames: ReadonlySet<BlockKind> = new Set(["team", "domain", "segment"]);

class DirectParser {
  private pos = 0;

  constructor(
    private readonly source: SourceFile,
    private readonly tokens: readonly Token[],
    private readonly docs: DocIndex,
  ) {}

  file(): ast.Declaration[] {
    const declarations: ast.Declaration[] = [];
    while (this.pos < this.tokens.length) declarations.push(this.declaration());
    return declarations;
  }

  private peek(ahead = 0): TokenType | undefined {
    return this.tokens[this.pos + ahead]?.tokenType;
  }

  private take(type: TokenType): Token {
    const tok = this.tokens[this.pos];
    if (tok === undefined || tok.tokenType !== type) throw GIVE_UP;
    this.pos++;
    return tok;
  }

  private takeIf(type: TokenType): Token | undefined {
    const tok = this.tokens[this.pos];
    if (tok === undefined || tok.tokenType !== type) return undefined;
    this.pos++;
    return tok;
  }

  /** A token of one of `types`, or a name (any word, keywords included) when `types` is `nameTypes`. */
  private takeOneOf(types: ReadonlySet<TokenType>, excluded?: ReadonlySet<TokenType>): Token {
    const tok = this.tokens[this.pos];
    if (tok === undefined || !types.has(tok.tokenType) || excluded?.has(tok.tokenType)) throw GIVE_UP;
    this.pos++;
    return tok;
  }

  /** The current token, whatever it is: for a keyword the caller has already looked at. */
  private advance(): Token {
    return this.tokens[this.pos++]!;
  }

  private previous(): Token {
    return this.tokens[this.pos - 1]!;
  }

  /** From the start of `first` to the end of the last token taken. */
  private spanFrom(first: Token): Span {
    const last = this.previous();
    return span(this.source, first.startOffset, (last.endOffset ?? last.startOffset) + 1);
  }

  private name(excluded?: ReadonlySet<TokenType>): ast.Name {
    return nameOf(this.source, this.takeOneOf(nameTypes, excluded));
  }

  private qualifiedName(excluded?: ReadonlySet<TokenType>): ast.Name {
    const first = this.takeOneOf(nameTypes, excluded);
    if (this.peek() !== t.Dot) return nameOf(this.source, first);
    let text = first.image;
    while (this.takeIf(t.Dot)) text += "." + this.takeOneOf(nameTypes).image;
    return { text, span: this.spanFrom(first) };
  }

  private string(tok: Token): ast.StringLiteral {
    return stringLiteral(this.source, tok, () => {
      throw GIVE_UP;
    });
  }

  private quantity(): ast.QuantityLiteral {
    return quantityLiteral(this.source, this.take(t.Quantity));
  }

  private literal(): ast.Literal {
    const tok = this.tokens[this.pos];
    if (tok === undefined) throw GIVE_UP;
    this.pos++;
    if (tok.tokenType === t.StringLiteral) return this.string(tok);
    if (tok.tokenType === t.Quantity) return quantityLiteral(this.source, tok);
    if (nameTypes.has(tok.tokenType)) return { kind: "word", text: tok.image, span: tokenSpan(this.source, tok) };
    throw GIVE_UP;
  }

  private annotations(): ast.Annotation[] {
    const out: ast.Annotation[] = [];
    while (this.peek() === t.At) {
      const at = this.take(t.At);
      const name = this.name();
      const args: ast.Literal[] = [];
      if (this.takeIf(t.LParen)) {
        if (this.peek() !== t.RParen) {
          args.push(this.literal());
          while (this.takeIf(t.Comma)) args.push(this.literal());
        }
        this.take(t.RParen);
      }
      out.push({ name, args, span: this.spanFrom(at) });
    }
    return out;
  }

  private declaration(): ast.Declaration {
    const first = this.tokens[this.pos]!;
    // Claimed before anything inside the declaration can claim the same line.
    const leading = this.docs.claimLeading(first.startOffset);
    const annotations = this.annotations();
    const type = this.peek();
    const block = type === undefined ? undefined : blockDeclarations.get(type);
    if (block !== undefined) return this.blockDeclaration(block, first, leading, annotations);
    if (type === t.Enum) return this.enumDeclaration(first, leading, annotations);
    if (type === t.Record || type === t.Event) return this.fieldsDeclaration(first, leading, annotations);
    throw GIVE_UP;
  }

  private docsAfter(leading: string[], end: number): string[] {
    leading.push(...this.docs.trailing(end));
    return leading;
  }

  private enumDeclaration(first: Token, leading: string[], annotations: ast.Annotation[]): ast.EnumDeclaration {
    const keywordSpan = tokenSpan(this.source, this.take(t.Enum));
    const name = this.name();
    this.take(t.LCurly);
    const members: ast.EnumMember[] = [];
    for (;;) {
      const type = this.peek();
      if (type === t.RCurly) break;
      if (type === t.Comma) {
        this.pos++;
        continue;
      }
      const memberFirst = this.tokens[this.pos];
      if (memberFirst === undefined) throw GIVE_UP;
      const memberLeading = this.docs.claimLeading(memberFirst.startOffset);
      const memberAnnotations = this.annotations();
      const memberName = this.name();
      const memberSpan = this.spanFrom(memberFirst);
      members.push({
        name: memberName,
        span: memberSpan,
        annotations: memberAnnotations,
        docs: this.docsAfter(memberLeading, memberSpan.end),
      });
    }
    this.take(t.RCurly);
    const declSpan = this.spanFrom(first);
    const docs = this.docsAfter(leading, declSpan.end);
    return { kind: "enum", name, keywordSpan, members, annotations, docs, span: declSpan };
  }

  private fieldsDeclaration(
    first: Token,
    leading: string[],
    annotations: ast.Annotation[],
  ): ast.RecordDeclaration | ast.EventDeclaration {
    const keyword = this.advance();
    const kind = keyword.tokenType === t.Event ? "event" : "record";
    const keywordSpan = tokenSpan(this.source, keyword);
    const name = this.name();
    let version: ast.VersionLiteral | undefined;
    let base: ast.Name | undefined;
    if (kind === "event") {
      const versionToken = this.takeIf(t.Version);
      if (versionToken) version = versionLiteral(this.source, versionToken);
      if (this.takeIf(t.Extends)) base = this.name();
    }
    this.take(t.LCurly);
    const fields: ast.Field[] = [];
    while (this.peek() !== t.RCurly) fields.push(this.field());
    this.take(t.RCurly);
    const declSpan = this.spanFrom(first);
    const docs = this.docsAfter(leading, declSpan.end);
    return fieldsDeclaration(kind, { name, keywordSpan, annotations, docs, span: declSpan }, fields, version, base);
  }

  private field(): ast.Field {
    const first = this.tokens[this.pos];
    if (first === undefined) throw GIVE_UP;
    const leading = this.docs.claimLeading(first.startOffset);
    const annotations = this.annotations();
    const name = this.name();
    const optional = this.takeIf(t.Question) !== undefined;
    const type = this.typeRef();
    const constraints: ast.Constraint[] = [];
    let defaultValue: ast.Literal | undefined;
    // The gate of parser.ts's `field`: a next field called `min` is not taken for a constraint.
    for (;;) {
      const next = this.peek(1);
      if (!(this.peek() === t.Equals || next === t.Quantity || next === t.StringLiteral)) break;
      const keyword = this.tokens[this.pos]!;
      if (keyword.tokenType === t.Equals) {
        if (defaultValue !== undefined) throw GIVE_UP;
        this.pos++;
        defaultValue = this.literal();
        continue;
      }
      let value: ast.StringLiteral | ast.QuantityLiteral;
      if (keyword.tokenType === t.Pattern) {
        this.pos++;
        value = this.string(this.take(t.StringLiteral));
      } else if (boundTypes.has(keyword.tokenType)) {
        this.pos++;
        value = this.quantity();
      } else {
        break;
      }
      constraints.push({
        kind: keyword.image as ast.ConstraintKind,
        keywordSpan: tokenSpan(this.source, keyword),
        value,
        span: this.spanFrom(keyword),
      });
    }
    const fieldSpan = this.spanFrom(first);
    return {
      name,
      optional,
      type,
      constraints,
      ...(defaultValue ? { defaultValue } : {}),
      annotations,
      docs: this.docsAfter(leading, fieldSpan.end),
      span: fieldSpan,
    };
  }

  private typeRef(): ast.TypeRef {
    const first = this.takeOneOf(nameTypes);
    const name = nameOf(this.source, first);
    const args: ast.TypeRef[] = [];
    if (this.takeIf(t.LAngle)) {
      args.push(this.typeRef());
      while (this.takeIf(t.Comma)) args.push(this.typeRef());
      this.take(t.RAngle);
    }
    let arrayDepth = 0;
    while (this.takeIf(t.LSquare)) {
      this.take(t.RSquare);
      arrayDepth++;
    }
    return { name, args, arrayDepth, span: this.spanFrom(first) };
  }

  private blockDeclaration(
    kind: BlockKind,
    first: Token,
    leading: string[],
    annotations: ast.Annotation[],
  ): ast.Declaration {
    const keywordSpan = tokenSpan(this.source, this.advance());
    const name = singleWordNames.has(kind) ? this.name() : this.qualifiedName();
    const clauses = this.clauseBlock(kind);
    const declSpan = this.spanFrom(first);
    const docs = this.docsAfter(leading, declSpan.end);
    return { kind, name, keywordSpan, clauses, annotations, docs, span: declSpan } as ast.Declaration;
  }

  /** `{ clause* }`, stopping where parser.ts's `clauseGate` stops. */
  private clauseBlock(block: BlockKind): ast.Clause[] {
    this.take(t.LCurly);
    const clauses: ast.Clause[] = [];
    for (;;) {
      const type = this.peek();
      if (type === undefined) throw GIVE_UP;
      if (type === t.RCurly) break;
      if (declarationSet.has(type)) {
        if (!ownClauseSets[block].has(type)) throw GIVE_UP;
        // As parser.ts's gate: `event Name v1 {` is a declaration (after which this block's `}` is missing). The
        // next clause would give up anyway; this gives up where the other parser stops.
        const third = this.peek(2);
        if (third !== undefined && declarationFollowers.has(third)) throw GIVE_UP;
      }
      clauses.push(this.clause(block));
    }
    this.take(t.RCurly);
    return clauses;
  }

  /**
   * One clause. Every clause word has one form whatever the block, so the form follows from the word; a word
   * that is not a clause of this block is the builder's EVT0203, so it is left to the other parser.
   */
  private clause(block: BlockKind): ast.Clause {
    const keyword = this.tokens[this.pos]!;
    const type = keyword.tokenType;
    if (!ownClauseSets[block].has(type)) throw GIVE_UP;
    this.pos++;
    const excluded = clauseSets[block];
    const keywordSpan = tokenSpan(this.source, keyword);
    if (flagTypes.has(type)) {
      return { keyword: keyword.image as ast.FlagClause["keyword"], keywordSpan, span: this.spanFrom(keyword) };
    }
    if (quantityTypes.has(type)) {
      const value = this.quantity();
      const word = keyword.image as ast.QuantityClause["keyword"];
      return { keyword: word, keywordSpan, value, span: this.spanFrom(keyword) };
    }
    switch (type) {
      case t.Contact:
      case t.Chat: {
        const value = this.string(this.take(t.StringLiteral));
        const word = keyword.image as "contact" | "chat";
        return { keyword: word, keywordSpan, value, span: this.spanFrom(keyword) };
      }
      case t.Owner:
      case t.Delegate:
      case t.Event:
      case t.Compatibility:
      case t.Segment: {
        const value = this.name(excluded);
        const word = keyword.image as ast.NameClause["keyword"];
        return { keyword: word, keywordSpan, value, span: this.spanFrom(keyword) };
      }
      case t.From: {
        const value = this.qualifiedName(excluded);
        return { keyword: "from", keywordSpan, value, span: this.spanFrom(keyword) };
      }
      case t.Key: {
        const field = this.qualifiedName(excluded);
        const cardinality = this.takeIf(t.Cardinality) ? this.quantity() : undefined;
        return {
          keyword: "key",
          keywordSpan,
          field,
          ...(cardinality ? { cardinality } : {}),
          span: this.spanFrom(keyword),
        };
      }
      case t.Rate: {
        const average = this.quantity();
        const peak = this.takeIf(t.Peak) ? this.quantity() : undefined;
        return { keyword: "rate", keywordSpan, average, ...(peak ? { peak } : {}), span: this.spanFrom(keyword) };
      }
      case t.Retry: {
        const attempts = this.quantity();
        let backoffFrom: ast.QuantityLiteral | undefined;
        let backoffTo: ast.QuantityLiteral | undefined;
        if (this.takeIf(t.Backoff)) {
          backoffFrom = this.quantity();
          if (this.takeIf(t.DotDot)) backoffTo = this.quantity();
        }
        return {
          keyword: "retry",
          keywordSpan,
          attempts,
          ...(backoffFrom ? { backoffFrom } : {}),
          ...(backoffTo ? { backoffTo } : {}),
          span: this.spanFrom(keyword),
        };
      }
      case t.Lookup: {
        const backend = this.qualifiedName(excluded);
        this.take(t.By);
        const by = this.qualifiedName(excluded);
        let cache: ast.QuantityLiteral | undefined;
        let cardinality: ast.QuantityLiteral | undefined;
        if (this.takeIf(t.Cache)) {
          cache = this.quantity();
          if (this.takeIf(t.Cardinality)) cardinality = this.quantity();
        }
        return {
          keyword: "lookup",
          keywordSpan,
          backend,
          by,
          ...(cache ? { cache } : {}),
          ...(cardinality ? { cardinality } : {}),
          span: this.spanFrom(keyword),
        };
      }
      case t.Accepts: {
        const versions: ast.VersionLiteral[] = [versionLiteral(this.source, this.take(t.Version))];
        this.takeIf(t.Comma);
        for (let next = this.takeIf(t.Version); next; next = this.takeIf(t.Version)) {
          versions.push(versionLiteral(this.source, next));
          this.takeIf(t.Comma);
        }
        return { keyword: "accepts", keywordSpan, versions, span: this.spanFrom(keyword) };
      }
      case t.Publish: {
        const topic = this.qualifiedName(excluded);
        this.take(t.As);
        const event = this.name(excluded);
        const hasBlock = this.peek() === t.LCurly;
        const overrides = hasBlock ? this.clauseBlock("topic") : [];
        const clauseSpan = this.spanFrom(keyword);
        const docs = this.docs.claim(clauseSpan.start, clauseSpan.end);
        return { keyword: "publish", keywordSpan, topic, event, overrides, hasBlock, docs, span: clauseSpan };
      }
      default:
        throw GIVE_UP;
    }
  }
}

/**
 * The declarations of a file when it has no syntax error and nothing the AST builder would report, or
 * `undefined` when the chevrotain parser must parse it (see the top of this file).
 */
export function parseDirect(
  source: SourceFile,
  codeTokens: readonly Token[],
  docs: DocIndex,
): ast.Declaration[] | undefined {
  try {
    return new DirectParser(source, codeTokens, docs).file();
  } catch (error) {
    if (error === GIVE_UP) return undefined;
    throw error;
  }
}
