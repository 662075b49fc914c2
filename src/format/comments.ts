import type { SourceFile } from "../diagnostics/source.js";
import type * as ast from "../syntax/ast.js";
import { lexDirect } from "../syntax/lex-direct.js";
import { evtLexer } from "../syntax/tokens.js";

/**
 * What the formatter needs to know about the comments of a file beyond the AST: where each one stands
 * relative to the code tokens, whether blank lines surround it, and which node a `///` doc comment documents.
 */

/** A code token (comments and whitespace excluded), with an exclusive end. */
export interface Token {
  readonly start: number;
  readonly end: number;
  readonly image: string;
}

/** The code tokens of a file, in order. */
export function codeTokens(source: SourceFile): Token[] {
  // chevrotain's lexer only for a file the direct lexer gives up on: building it takes a while.
  const tokens = lexDirect(source.text)?.tokens ?? evtLexer().tokenize(source.text).tokens;
  return tokens.map((tok) => ({
    start: tok.startOffset,
    end: (tok.endOffset ?? tok.startOffset) + 1,
    image: tok.image,
  }));
}

/** Index of the last token starting before `offset`, or -1. */
export function tokenBefore(tokens: readonly Token[], offset: number): number {
  let low = 0;
  let high = tokens.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (tokens[mid]!.start < offset) {
      found = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  return found;
}

/** The nodes a `///` comment can document: declarations, fields, enum members and `publish` clauses. */
export type DocNode = ast.Declaration | ast.Field | ast.EnumMember | ast.PublishClause;

/**
 * Every documentable node, in the order the AST builder visits them (which is also the order of their start
 * offsets): a declaration, then its members, fields or `publish` clauses.
 */
export function documentableNodes(file: ast.EvtFile): DocNode[] {
  const out: DocNode[] = [];
  for (const decl of file.declarations) {
    out.push(decl);
    if (decl.kind === "enum") out.push(...decl.members);
    else if (decl.kind === "record" || decl.kind === "event") out.push(...decl.fields);
    else for (const clause of decl.clauses) if (clause.keyword === "publish") out.push(clause);
  }
  return out;
}

export interface DocAttachment {
  readonly node: DocNode;
  /** A trailing doc comment follows the node's last token on its line; a leading one is above the node. */
  readonly trailing: boolean;
}

/** The text a doc comment contributes to its node's `docs`. */
export function docText(comment: ast.Comment): string {
  return comment.text.slice(3).replace(/^ /, "");
}

/**
 * Which node each `///` comment documents, by the rules of the AST builder (src/syntax/build-ast.ts) and
 * docs/language.md §2.2: a run of `///` lines on consecutive lines documents the first node starting on the
 * line right after the run; a `///` after code documents the node whose last token is that code. Computed
 * here from positions, independently of the AST's `docs`, so the formatter can keep every attachment.
 */
export function attachDocs(file: ast.EvtFile, tokens: readonly Token[]): Map<ast.Comment, DocAttachment> {
  const source = file.source;
  const lineOf = (offset: number) => source.position(offset).line;
  const leadingByLine = new Map<number, ast.Comment[]>();
  const trailingByEnd = new Map<number, ast.Comment[]>();
  let run: ast.Comment[] = [];
  let runEnd = -1;
  for (const comment of file.comments) {
    if (!comment.doc) continue;
    const line = lineOf(comment.span.start);
    const before = tokenBefore(tokens, comment.span.start);
    let previous = tokens[before];
    // `A, /// doc` documents `A`, as the parser reads it (syntax/docs.ts): a comma between members ends no node.
    const beforeComma = previous?.image === "," ? tokens[before - 1] : undefined;
    if (beforeComma !== undefined && lineOf(beforeComma.start) === line) previous = beforeComma;
    if (previous !== undefined && lineOf(previous.end - 1) === line) {
      trailingByEnd.set(previous.end, [...(trailingByEnd.get(previous.end) ?? []), comment]);
      continue;
    }
    if (line !== runEnd + 1 && run.length > 0) {
      leadingByLine.set(runEnd + 1, run);
      run = [];
    }
    run.push(comment);
    runEnd = line;
  }
  if (run.length > 0) leadingByLine.set(runEnd + 1, run);

  const attached = new Map<ast.Comment, DocAttachment>();
  const claimed = new Set<number>();
  for (const node of documentableNodes(file)) {
    const startLine = lineOf(node.span.start);
    if (!claimed.has(startLine)) {
      claimed.add(startLine);
      for (const comment of leadingByLine.get(startLine) ?? []) attached.set(comment, { node, trailing: false });
    }
    for (const comment of trailingByEnd.get(node.span.end) ?? []) attached.set(comment, { node, trailing: true });
  }
  return attached;
}

/**
 * Answers "is there a blank line right before this?" for tokens and comments: whether at least one empty line
 * separates the start of a token or comment from the end of whatever code or comment precedes it.
 */
export class BlankLines {
  private readonly starts: number[];
  private readonly ends: number[];

  constructor(
    private readonly text: string,
    tokens: readonly Token[],
    comments: readonly ast.Comment[],
  ) {
    const items = [
      ...tokens.map((t) => ({ start: t.start, end: t.end })),
      ...comments.map((c) => ({ start: c.span.start, end: c.span.end })),
    ].sort((a, b) => a.start - b.start);
    this.starts = items.map((i) => i.start);
    this.ends = items.map((i) => i.end);
  }

  /** Whether a blank line separates the token or comment starting at `offset` from what precedes it. */
  before(offset: number): boolean {
    let low = 0;
    let high = this.starts.length - 1;
    let previous = -1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (this.starts[mid]! < offset) {
        previous = mid;
        low = mid + 1;
      } else high = mid - 1;
    }
    if (previous < 0) return false;
    const gap = this.text.slice(this.ends[previous]!, offset);
    return (gap.match(/\r\n|\r|\n/g)?.length ?? 0) >= 2;
  }
}
