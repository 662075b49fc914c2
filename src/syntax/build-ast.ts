import type { CstNode, IToken } from "chevrotain";
import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import { span, type SourceFile, type Span } from "../diagnostics/source.js";
import { didYouMean } from "../diagnostics/suggest.js";
import type * as ast from "./ast.js";
import { DocIndex } from "./docs.js";
import { fieldsDeclaration, nameOf, quantityLiteral, stringLiteral, tokenSpan, versionLiteral } from "./nodes.js";
import { clauseKeywords, type BlockKind } from "./parser.js";
import { keywordText } from "./tokens.js";

type Element = CstNode | IToken;

function isToken(element: Element): element is IToken {
  return (element as IToken).image !== undefined;
}

function validOffset(n: number | undefined): n is number {
  return typeof n === "number" && Number.isFinite(n);
}

/** Whether a token came from the source (error recovery inserts tokens that are not in it). */
function isReal(token: IToken): boolean {
  return !token.isInsertedInRecovery && validOffset(token.startOffset);
}

/**
 * Reads a CST defensively: after error recovery, any child may be missing. Plain loops rather than
 * filter/map chains: this runs for every node of every file, mostly before V8 has optimised it.
 */
class Cst {
  constructor(readonly node: CstNode) {}

  tokens(key: string): IToken[] {
    const out: IToken[] = [];
    for (const element of this.node.children[key] ?? []) {
      if (isToken(element) && !element.isInsertedInRecovery) out.push(element);
    }
    return out;
  }
  token(key: string): IToken | undefined {
    for (const element of this.node.children[key] ?? []) {
      if (isToken(element) && !element.isInsertedInRecovery) return element;
    }
    return undefined;
  }
  nodes(key: string): Cst[] {
    const out: Cst[] = [];
    for (const element of this.node.children[key] ?? []) if (!isToken(element)) out.push(new Cst(element));
    return out;
  }
  child(key: string): Cst | undefined {
    for (const element of this.node.children[key] ?? []) if (!isToken(element)) return new Cst(element);
    return undefined;
  }
  /** The first real token under this node (what `allTokens()[0]` is, without collecting and sorting them). */
  firstToken(): IToken | undefined {
    // Usually a child of the node itself, at the offset where the node starts: no need to look deeper.
    const start = this.node.location?.startOffset;
    if (validOffset(start)) {
      const children = this.node.children;
      for (const key in children) {
        for (const element of children[key]!) {
          if (isToken(element) && element.startOffset === start && !element.isInsertedInRecovery) return element;
        }
      }
    }
    return firstTokenUnder(this.node, undefined);
  }
  /** All real tokens under this node, in source order. */
  allTokens(): IToken[] {
    const out: IToken[] = [];
    collectTokens(this.node, out);
    return out.sort((a, b) => a.startOffset - b.startOffset);
  }
}

function firstTokenUnder(node: CstNode, first: IToken | undefined): IToken | undefined {
  const children = node.children;
  for (const key in children) {
    for (const element of children[key]!) {
      if (!isToken(element)) first = firstTokenUnder(element, first);
      else if (isReal(element) && (first === undefined || element.startOffset < first.startOffset)) first = element;
    }
  }
  return first;
}

function collectTokens(node: CstNode, out: IToken[]): void {
  const children = node.children;
  for (const key in children) {
    for (const element of children[key]!) {
      if (!isToken(element)) collectTokens(element, out);
      else if (isReal(element)) out.push(element);
    }
  }
}

const allowedClauses = new Map<BlockKind, ReadonlySet<string>>();

/** The words that start a clause of `block`, computed once per kind rather than once per declaration. */
function allowedClauseWords(block: BlockKind): ReadonlySet<string> {
  let allowed = allowedClauses.get(block);
  if (allowed === undefined) {
    allowed = new Set<string>(clauseKeywords[block].map(keywordText));
    allowedClauses.set(block, allowed);
  }
  return allowed;
}

export interface BuildResult {
  readonly declarations: ast.Declaration[];
  readonly diagnostics: Diagnostic[];
}

const blockNames: Record<BlockKind, string> = {
  team: "team",
  domain: "domain",
  segment: "segment",
  topic: "topic",
  backend: "backend",
  consumer: "consumer",
  enricher: "enricher",
};

const declarationWords = [
  "team",
  "domain",
  "segment",
  "enum",
  "record",
  "event",
  "topic",
  "backend",
  "consumer",
  "enricher",
];

/** Builds the AST from the CST of one file, reporting what the grammar let through on purpose. */
export class AstBuilder {
  readonly diagnostics: Diagnostic[] = [];
  private readonly docs: DocIndex;

  constructor(
    private readonly source: SourceFile,
    docTokens: readonly IToken[],
    codeTokens: readonly IToken[],
  ) {
    this.docs = new DocIndex(source, docTokens, codeTokens);
  }

  /** Call this for a declaration before its fields: the outermost node on a line claims the docs above it. */
  private docsFor(nodeSpan: Span): string[] {
    return this.docs.claim(nodeSpan.start, nodeSpan.end);
  }

  private spanOfToken(tok: IToken): Span {
    return tokenSpan(this.source, tok);
  }

  private spanOf(node: Cst): Span {
    const loc = node.node.location;
    if (loc && validOffset(loc.startOffset) && validOffset(loc.endOffset)) {
      return span(this.source, loc.startOffset, loc.endOffset + 1);
    }
    const toks = node.allTokens();
    const first = toks[0];
    const last = toks[toks.length - 1];
    if (!first || !last) return span(this.source, 0, 0);
    return span(this.source, first.startOffset, (last.endOffset ?? last.startOffset) + 1);
  }

  private report(d: Diagnostic): void {
    this.diagnostics.push(d);
  }

  build(root: CstNode): ast.Declaration[] {
    const file = new Cst(root);
    const declarations: ast.Declaration[] = [];
    for (const element of Object.values(file.node.children).flat()) {
      if (isToken(element)) {
        if (!element.isInsertedInRecovery) this.reportStray(element, "a declaration");
        continue;
      }
      const node = new Cst(element);
      if (element.name === "stray") {
        const tok = node.firstToken();
        if (tok) this.reportStray(tok, "a declaration");
        continue;
      }
      const decl = this.declaration(node);
      if (decl) declarations.push(decl);
    }
    return declarations.sort((a, b) => a.span.start - b.span.start);
  }

  private reportStray(tok: IToken, expected: string, help?: string): void {
    this.report(
      diagnostic(
        "EVT0201",
        { expected, found: `\`${tok.image}\`` },
        { span: this.spanOfToken(tok), ...(help !== undefined ? { help } : {}) },
      ),
    );
  }

  private name(node: Cst | undefined): ast.Name | undefined {
    if (!node) return undefined;
    const parts: string[] = [];
    if (node.node.name === "name") {
      const word = node.token("Identifier");
      if (word !== undefined && isReal(word)) parts.push(word.image);
    } else if (node.node.name === "qualifiedName") {
      // `name ("." Identifier)*`: the head's word, then the words after the dots, in source order.
      const head = node.child("name")?.token("Identifier");
      if (head !== undefined && isReal(head)) parts.push(head.image);
      for (const word of node.tokens("Identifier")) if (isReal(word)) parts.push(word.image);
    } else {
      for (const tok of node.allTokens()) if (tok.image !== ".") parts.push(tok.image);
    }
    if (parts.length === 0) return undefined;
    return { text: parts.join("."), span: this.spanOf(node) };
  }

  /** The misquoted names of a declaration: its own, before any `extends`, and the one after it. */
  private misquotedNames(node: Cst): { head?: IToken; base?: IToken } {
    const extendsAt = node.token("Kw_extends")?.startOffset ?? Infinity;
    const found: { head?: IToken; base?: IToken } = {};
    for (const misquoted of node.nodes("misquotedName")) {
      const tok = misquoted.firstToken();
      if (tok === undefined) continue;
      if (tok.startOffset < extendsAt) found.head = tok;
      else found.base = tok;
    }
    return found;
  }

  /** The event after `extends`: the name following that word (the declaration's own may be misquoted). */
  private baseName(node: Cst): ast.Name | undefined {
    const extendsWord = node.token("Kw_extends");
    if (extendsWord === undefined) return undefined;
    const misquoted = this.misquotedNames(node).base;
    if (misquoted !== undefined) return this.misquotedName(misquoted, "extends");
    return this.name(node.nodes("name").find((n) => (n.firstToken()?.startOffset ?? -1) > extendsWord.startOffset));
  }

  /**
   * `team "billing" {`: reported, and the name taken unquoted when it is a word, so that the declaration and what
   * refers to it are still checked; otherwise it is left nameless, as when the name is missing.
   */
  private misquotedName(tok: IToken, keyword: string): ast.Name | undefined {
    // A string in double or (a mistake of its own) single quotes: its text is the name meant.
    const quoted = tok.tokenType.name === "StringLiteral" || tok.tokenType.name === "SingleQuotedString";
    const text = quoted ? stringLiteral(this.source, tok, (d) => this.report(d)).value : tok.image;
    const word = /^[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*(?:\.[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*)*$/.test(
      text,
    );
    const help = word
      ? `a name is written without quotes: \`${keyword} ${text}\``
      : "a name is a word: letters, digits, `_` and `-`, starting with a letter or `_`";
    this.report(
      diagnostic("EVT0201", { expected: "a name", found: `\`${tok.image}\`` }, { span: this.spanOfToken(tok), help }),
    );
    return word ? { text, span: this.spanOfToken(tok) } : undefined;
  }

  private identifier(tok: IToken | undefined): ast.Name | undefined {
    return tok ? nameOf(this.source, tok) : undefined;
  }

  private string(tok: IToken | undefined): ast.StringLiteral | undefined {
    return tok ? stringLiteral(this.source, tok, (d) => this.report(d)) : undefined;
  }

  private quantity(tok: IToken | undefined): ast.QuantityLiteral | undefined {
    return tok ? quantityLiteral(this.source, tok) : undefined;
  }

  private version(tok: IToken | undefined): ast.VersionLiteral | undefined {
    return tok ? versionLiteral(this.source, tok) : undefined;
  }

  private literal(node: Cst | undefined): ast.Literal | undefined {
    if (!node) return undefined;
    const str = node.token("StringLiteral");
    if (str) return this.string(str);
    const qty = node.token("Quantity");
    if (qty) return this.quantity(qty);
    const word = node.token("Identifier");
    if (word) return { kind: "word", text: word.image, span: this.spanOfToken(word) };
    return undefined;
  }

  private annotations(node: Cst): ast.Annotation[] {
    const out: ast.Annotation[] = [];
    for (const a of node.nodes("annotation")) {
      const name = this.identifier(a.token("Identifier"));
      if (!name) continue;
      const args = a
        .nodes("literal")
        .map((l) => this.literal(l))
        .filter((l): l is ast.Literal => l !== undefined);
      out.push({ name, args, span: this.spanOf(a) });
    }
    return out;
  }

  private declaration(node: Cst): ast.Declaration | undefined {
    const annotations = this.annotations(node);
    for (const [key, list] of Object.entries(node.node.children)) {
      if (key === "annotation") continue;
      const inner = list.find((e): e is CstNode => !isToken(e));
      if (!inner) continue;
      const child = new Cst(inner);
      const declSpan = this.spanOf(node);
      switch (key) {
        case "unknownDeclaration":
          this.unknownDeclaration(child);
          return undefined;
        case "enumDecl":
          return this.enumDeclaration(child, declSpan, annotations);
        case "record":
        case "event":
          return this.fieldsDeclaration(key, child, declSpan, annotations);
        case "team":
        case "domain":
        case "segment":
        case "topic":
        case "backend":
        case "consumer":
        case "enricher":
          return this.blockDeclaration(key, child, declSpan, annotations);
      }
    }
    return undefined;
  }

  private unknownDeclaration(node: Cst): void {
    const word = node.token("Identifier");
    if (!word) return;
    const help =
      didYouMean(word.image, declarationWords) ??
      `a declaration starts with one of ${declarationWords.map((w) => `\`${w}\``).join(", ")}`;
    this.report(diagnostic("EVT0202", { word: word.image }, { span: this.spanOfToken(word), help }));
  }

  private header(node: Cst, keywordKey: string, declSpan: Span) {
    const keyword = node.token(keywordKey);
    const misquoted = this.misquotedNames(node).head;
    const name = misquoted
      ? this.misquotedName(misquoted, keyword?.image ?? "")
      : this.name(node.child("qualifiedName") ?? node.child("name"));
    const keywordSpan = keyword ? this.spanOfToken(keyword) : span(this.source, declSpan.start, declSpan.start);
    return { keywordSpan, name: name ?? { text: "", span: keywordSpan } };
  }

  private enumDeclaration(node: Cst, declSpan: Span, annotations: ast.Annotation[]): ast.EnumDeclaration {
    const { keywordSpan, name } = this.header(node, "Kw_enum", declSpan);
    const docs = this.docsFor(declSpan);
    const members: ast.EnumMember[] = [];
    for (const m of node.nodes("enumMember")) {
      const memberName = this.identifier(m.token("Identifier"));
      if (!memberName) continue;
      const memberSpan = this.spanOf(m);
      members.push({
        name: memberName,
        span: memberSpan,
        annotations: this.annotations(m),
        docs: this.docsFor(memberSpan),
      });
    }
    for (const s of node.nodes("stray")) {
      const tok = s.firstToken();
      if (tok) this.reportStray(tok, "an enum member");
    }
    return { kind: "enum", name, keywordSpan, members, annotations, docs, span: declSpan };
  }

  private fieldsDeclaration(
    kind: "record" | "event",
    node: Cst,
    declSpan: Span,
    annotations: ast.Annotation[],
  ): ast.RecordDeclaration | ast.EventDeclaration {
    const { keywordSpan, name } = this.header(node, kind === "event" ? "Kw_event" : "Kw_record", declSpan);
    const docs = this.docsFor(declSpan);
    const block = node.child("fieldBlock");
    const fields: ast.Field[] = [];
    for (const f of block?.nodes("field") ?? []) {
      const field = this.field(f);
      if (field) fields.push(field);
    }
    // Where the rest of a line is already explained by the error before it (`= "a"` after a misplaced `?`).
    let explainedUntil = -1;
    for (const s of block?.nodes("stray") ?? []) {
      const tok = s.firstToken();
      if (!tok || tok.startOffset < explainedUntil) continue;
      // `msisdn string?`, as TypeScript or Kotlin write an optional type: the `?` goes after the name here; a
      // default after it (`= "a"`) is the field's too, not a field of its own.
      const typed = tok.image === "?" ? fields.find((f) => f.type.span.end === tok.startOffset) : undefined;
      let help: string | undefined;
      if (typed) {
        const lineEnd = this.source.text.indexOf("\n", tok.startOffset);
        const rest = this.source.text.slice(tok.startOffset + 1, lineEnd === -1 ? undefined : lineEnd).trim();
        const defaultValue = /^=/.test(rest) ? ` ${rest.replace(/\s*\/\/.*$/, "")}` : "";
        if (defaultValue !== "") explainedUntil = lineEnd === -1 ? Infinity : lineEnd;
        const type = this.source.text.slice(typed.type.span.start, typed.type.span.end);
        help = `an optional field has its \`?\` after its name: \`${typed.name.text}? ${type}${defaultValue}\``;
      }
      this.reportStray(tok, "a field", help);
    }
    const base = kind === "event" ? this.baseName(node) : undefined;
    const version = kind === "event" ? this.version(node.token("Version")) : undefined;
    return fieldsDeclaration(kind, { name, keywordSpan, annotations, docs, span: declSpan }, fields, version, base);
  }

  private typeRef(node: Cst | undefined): ast.TypeRef | undefined {
    if (!node) return undefined;
    const name = this.identifier(node.token("Identifier"));
    if (!name) return undefined;
    const args = node
      .nodes("typeRef")
      .map((n) => this.typeRef(n))
      .filter((n): n is ast.TypeRef => n !== undefined);
    return { name, args, arrayDepth: node.tokens("RSquare").length, span: this.spanOf(node) };
  }

  private field(node: Cst): ast.Field | undefined {
    const name = this.identifier(node.token("Identifier"));
    const type = this.typeRef(node.child("typeRef"));
    if (!name || !type) return undefined;
    const fieldSpan = this.spanOf(node);
    const constraints: ast.Constraint[] = [];
    for (const c of node.nodes("constraint")) {
      const keywordToken = c.firstToken();
      const value = this.string(c.token("StringLiteral")) ?? this.quantity(c.token("Quantity"));
      if (!keywordToken || !value) continue;
      constraints.push({
        kind: keywordToken.image as ast.ConstraintKind,
        keywordSpan: this.spanOfToken(keywordToken),
        value,
        span: this.spanOf(c),
      });
    }
    const defaults = node.nodes("defaultValue");
    const defaultValue = this.literal(defaults[0]?.child("literal"));
    for (const extra of defaults.slice(1)) {
      this.report(
        diagnostic(
          "EVT0402",
          { clause: "=" },
          {
            span: this.spanOf(extra),
            related: [{ span: this.spanOf(defaults[0]!), message: "first given here" }],
          },
        ),
      );
    }
    return {
      name,
      optional: node.token("Question") !== undefined,
      type,
      constraints,
      ...(defaultValue ? { defaultValue } : {}),
      annotations: this.annotations(node),
      docs: this.docsFor(fieldSpan),
      span: fieldSpan,
    };
  }

  private blockDeclaration(kind: BlockKind, node: Cst, declSpan: Span, annotations: ast.Annotation[]): ast.Declaration {
    const { keywordSpan, name } = this.header(node, `Kw_${kind}`, declSpan);
    const docs = this.docsFor(declSpan);
    const clauseNodes =
      kind === "topic"
        ? (node.child("topicBlock")?.nodes("topicClause") ?? [])
        : kind === "consumer" || kind === "enricher"
          ? node.nodes("consumerClause")
          : [node];
    const clauses = this.clauses(kind, clauseNodes);
    return {
      kind,
      name,
      keywordSpan,
      clauses,
      annotations,
      docs,
      span: declSpan,
    } as ast.Declaration;
  }

  /** Clauses in source order; clause nodes of the generic block rules are collected from their children. */
  private clauses(block: BlockKind, containers: readonly Cst[]): ast.Clause[] {
    const out: ast.Clause[] = [];
    const allowed = allowedClauseWords(block);
    for (const container of containers) {
      const children = container.node.children;
      for (const key in children) {
        for (const element of children[key]!) {
          if (isToken(element)) {
            // A keyword consumed directly in the container (topic `event`/`key`/`rate`…, consumer `from`…).
            continue;
          }
          const child = new Cst(element);
          if (key === "unknownClauseBody") {
            this.unknownClause(block, child, allowed);
            continue;
          }
          const clause = this.clause(key, child);
          if (!clause) continue;
          if (!allowed.has(clause.keyword)) {
            this.unknownClauseWord(block, clause.keyword, clause.keywordSpan, allowed);
            continue;
          }
          out.push(clause);
        }
      }
      const inline = this.inlineClause(container);
      if (inline) {
        if (allowed.has(inline.keyword)) out.push(inline);
        else this.unknownClauseWord(block, inline.keyword, inline.keywordSpan, allowed);
      }
    }
    return out.sort((a, b) => a.span.start - b.span.start);
  }

  private unknownClause(block: BlockKind, node: Cst, allowed: ReadonlySet<string>): void {
    const word = node.token("Identifier");
    if (word) {
      this.unknownClauseWord(block, word.image, this.spanOfToken(word), allowed);
      return;
    }
    const stray = node.child("stray")?.firstToken();
    if (stray) this.reportStray(stray, `a clause of \`${blockNames[block]}\``);
  }

  private unknownClauseWord(block: BlockKind, word: string, wordSpan: Span, allowed: ReadonlySet<string>): void {
    const help =
      didYouMean(word, allowed) ?? `a ${blockNames[block]} takes ${[...allowed].map((w) => `\`${w}\``).join(", ")}`;
    this.report(diagnostic("EVT0203", { word, block: blockNames[block] }, { span: wordSpan, help }));
  }

  /** Clauses written as a sub-rule of their own (owner, flags, quantities). */
  private clause(key: string, node: Cst): ast.Clause | undefined {
    const clauseSpan = this.spanOf(node);
    const first = node.firstToken();
    if (!first) return undefined;
    const keywordSpan = this.spanOfToken(first);
    const keyword = first.image as ast.ClauseKeyword;
    switch (key) {
      case "ownerClause":
      case "delegateClause": {
        const value = this.name(node.child("name"));
        return value
          ? { keyword: key === "ownerClause" ? "owner" : "delegate", keywordSpan, value, span: clauseSpan }
          : undefined;
      }
      case "contactClause":
      case "chatClause": {
        const value = this.string(node.token("StringLiteral"));
        return value ? { keyword: keyword as "contact" | "chat", keywordSpan, value, span: clauseSpan } : undefined;
      }
      case "flagClause":
        return { keyword: keyword as ast.FlagClause["keyword"], keywordSpan, span: clauseSpan };
      case "quantityClause": {
        const value = this.quantity(node.token("Quantity"));
        return value
          ? { keyword: keyword as ast.QuantityClause["keyword"], keywordSpan, value, span: clauseSpan }
          : undefined;
      }
      default:
        return undefined;
    }
  }

  /** Clauses whose tokens sit directly in the container rule (`topicClause`, `consumerClause`). */
  private inlineClause(node: Cst): ast.Clause | undefined {
    const children = node.node.children;
    const keywordToken = (key: string) => node.token(key);
    const clauseSpan = () => this.spanOf(node);
    const kwSpan = (tok: IToken) => this.spanOfToken(tok);

    const eventKw = keywordToken("eventClause");
    if (eventKw) {
      const value = this.name(node.child("name"));
      return value ? { keyword: "event", keywordSpan: kwSpan(eventKw), value, span: clauseSpan() } : undefined;
    }
    const segmentKw = keywordToken("segmentClause");
    if (segmentKw) {
      const value = this.name(node.child("name"));
      return value ? { keyword: "segment", keywordSpan: kwSpan(segmentKw), value, span: clauseSpan() } : undefined;
    }
    const compatKw = keywordToken("Kw_compatibility");
    if (compatKw) {
      const value = this.name(node.child("name"));
      return value ? { keyword: "compatibility", keywordSpan: kwSpan(compatKw), value, span: clauseSpan() } : undefined;
    }
    const keyKw = keywordToken("Kw_key");
    if (keyKw) {
      const field = this.name(node.child("qualifiedName"));
      const cardinality = this.quantity(node.token("cardinality"));
      return field
        ? {
            keyword: "key",
            keywordSpan: kwSpan(keyKw),
            field,
            ...(cardinality ? { cardinality } : {}),
            span: clauseSpan(),
          }
        : undefined;
    }
    const rateKw = keywordToken("Kw_rate");
    if (rateKw) {
      const average = this.quantity(node.token("average"));
      const peak = this.quantity(node.token("peak"));
      return average
        ? { keyword: "rate", keywordSpan: kwSpan(rateKw), average, ...(peak ? { peak } : {}), span: clauseSpan() }
        : undefined;
    }
    const fromKw = keywordToken("Kw_from");
    if (fromKw) {
      const value = this.name(node.child("qualifiedName"));
      return value ? { keyword: "from", keywordSpan: kwSpan(fromKw), value, span: clauseSpan() } : undefined;
    }
    const retryKw = keywordToken("Kw_retry");
    if (retryKw) {
      const attempts = this.quantity(node.token("attempts"));
      const backoffFrom = this.quantity(node.token("backoffFrom"));
      const backoffTo = this.quantity(node.token("backoffTo"));
      return attempts
        ? {
            keyword: "retry",
            keywordSpan: kwSpan(retryKw),
            attempts,
            ...(backoffFrom ? { backoffFrom } : {}),
            ...(backoffTo ? { backoffTo } : {}),
            span: clauseSpan(),
          }
        : undefined;
    }
    const lookupKw = keywordToken("Kw_lookup");
    if (lookupKw) {
      const backend = this.name(node.child("backendName"));
      const by = this.name(node.child("byField"));
      const cache = this.quantity(node.token("ttl"));
      const cardinality = this.quantity(node.token("lookupCardinality"));
      return backend && by
        ? {
            keyword: "lookup",
            keywordSpan: kwSpan(lookupKw),
            backend,
            by,
            ...(cache ? { cache } : {}),
            ...(cardinality ? { cardinality } : {}),
            span: clauseSpan(),
          }
        : undefined;
    }
    const acceptsKw = keywordToken("Kw_accepts");
    if (acceptsKw) {
      const versions = node.tokens("Version").map((v) => this.version(v)!);
      return { keyword: "accepts", keywordSpan: kwSpan(acceptsKw), versions, span: clauseSpan() };
    }
    const publishKw = keywordToken("Kw_publish");
    if (publishKw) {
      const topic = this.name(node.child("topicName"));
      const event = this.name(node.child("name"));
      const block = node.child("topicBlock");
      const overrides = block ? this.clauses("topic", block.nodes("topicClause")) : [];
      return topic && event
        ? {
            keyword: "publish",
            keywordSpan: kwSpan(publishKw),
            topic,
            event,
            overrides,
            hasBlock: block !== undefined,
            docs: this.docsFor(clauseSpan()),
            span: clauseSpan(),
          }
        : undefined;
    }
    void children;
    return undefined;
  }
}
