import type * as ast from "../syntax/ast.js";
import {
  attachDocs,
  BlankLines,
  codeTokens,
  tokenBefore,
  type DocAttachment,
  type DocNode,
  type Token,
} from "./comments.js";
import {
  annotationText,
  clauseColumns,
  fieldColumns,
  headerText,
  sortClauses,
  type ClauseBlockKind,
} from "./layout.js";

/**
 * Prints a parsed file in the canonical layout (docs/cli.md, `evtc fmt`).
 *
 * The output is made of *units*, each printed on a line of its own: an annotation, a declaration's first line
 * (up to its `{`), a clause, a field, an enum member, a closing `}`. Every code token of the input belongs to
 * exactly one unit (the one that starts at or before it), and every comment is attached to one:
 *
 * - an own-line comment *leads* the unit of the next token (it is printed on its own line above that unit);
 * - a comment after code on the same line *trails* the unit of that code (it is printed at the end of the
 *   unit's line);
 * - a `///` comment that documents a node stays directly above or after that node, wherever it was.
 *
 * A unit that spanned several lines may have collected several comments; the first stays at the end of its line
 * and the others follow on lines of their own, so that none is lost. Doc comments are never put where they
 * would document something else (docs/language.md §2.2).
 */

interface Unit {
  /** Offset of the unit's first token. */
  readonly start: number;
  /** The documentable node whose last token ends this unit's line, if any. */
  readonly ends?: DocNode;
  /** Own-line comments above the unit, in source order. */
  readonly leading: ast.Comment[];
  /** Comments after the unit's code, or inside it; in source order. */
  readonly trailing: ast.Comment[];
}

interface Line {
  readonly indent: number;
  readonly text: string;
  /** A comment at the end of the line. */
  comment?: string;
  /** Lines of the same block share a group; trailing comments align within a group. */
  readonly group: number;
  /** The line ends with `{`: no blank line may follow it. */
  readonly opens?: boolean;
}

const INDENT = "  ";

class Output {
  private readonly lines: Array<Line | null> = [];
  private pendingBlank = false;

  /** One blank line here, unless at the start of the file or of a block, or after another blank line. */
  blank(): void {
    const last = this.lines[this.lines.length - 1];
    if (last === undefined || last === null || last.opens) return;
    this.lines.push(null);
  }

  /** A blank line before the next line, unless that line closes a block. */
  blankBeforeNext(): void {
    this.pendingBlank = true;
  }

  line(line: Line, closes = false): void {
    if (this.pendingBlank && !closes) this.blank();
    this.pendingBlank = false;
    if (closes && this.lines[this.lines.length - 1] === null) this.lines.pop();
    this.lines.push(line);
  }

  toString(): string {
    const lines = this.lines;
    // Trailing comments of consecutive lines of one block start in the same column.
    for (let i = 0; i < lines.length;) {
      const first = lines[i];
      if (!first?.comment) {
        i++;
        continue;
      }
      let j = i;
      let width = 0;
      while (j < lines.length) {
        const l = lines[j];
        if (!l?.comment || l.group !== first.group || l.indent !== first.indent) break;
        width = Math.max(width, l.text.length);
        j++;
      }
      for (let k = i; k < j; k++) {
        const l = lines[k]!;
        l.comment = `${" ".repeat(width - l.text.length)}${l.comment}`;
      }
      i = j;
    }
    const text = lines
      .map((l) => (l === null ? "" : `${INDENT.repeat(l.indent)}${l.text}${l.comment ? ` ${l.comment}` : ""}`))
      .join("\n");
    return text === "" ? "" : `${text}\n`;
  }
}

function commentText(comment: ast.Comment): string {
  // Trailing spaces of an ordinary comment are noise; a doc comment's text is kept exactly, it is documentation.
  return comment.doc ? comment.text : comment.text.trimEnd();
}

export function printFile(file: ast.EvtFile): string {
  return new Printer(file).print();
}

class Printer {
  private readonly source;
  private readonly tokens: Token[];
  private readonly attachments: Map<ast.Comment, DocAttachment>;
  private readonly blanks: BlankLines;
  private readonly units: Unit[] = [];
  /** The unit of a node's own line: a declaration's header, a clause, a field, a member, an annotation. */
  private readonly lineUnit = new Map<ast.Node, Unit>();
  /** The unit of the closing `}` of a declaration or of a `publish` block. */
  private readonly closeUnit = new Map<ast.Node, Unit>();
  private readonly footer: ast.Comment[] = [];
  private readonly out = new Output();
  private groups = 0;

  constructor(private readonly file: ast.EvtFile) {
    this.source = file.source;
    this.tokens = codeTokens(file.source);
    this.attachments = attachDocs(file, this.tokens);
    this.blanks = new BlankLines(file.source.text, this.tokens, file.comments);
    for (const decl of file.declarations) this.collectDeclaration(decl);
    this.units.sort((a, b) => a.start - b.start);
    this.placeComments();
  }

  // ---- units ----------------------------------------------------------------------------------------------

  private unit(node: ast.Node | undefined, start: number, ends?: DocNode): Unit {
    const unit: Unit = { start, leading: [], trailing: [], ...(ends ? { ends } : {}) };
    this.units.push(unit);
    if (node) this.lineUnit.set(node, unit);
    return unit;
  }

  private collectAnnotations(annotations: readonly ast.Annotation[]): void {
    for (const annotation of annotations) this.unit(annotation, annotation.span.start);
  }

  private collectDeclaration(decl: ast.Declaration): void {
    this.collectAnnotations(decl.annotations);
    this.unit(decl, decl.keywordSpan.start);
    if (decl.kind === "enum") {
      for (const member of decl.members) {
        this.collectAnnotations(member.annotations);
        this.unit(member, member.name.span.start, member);
      }
    } else if (decl.kind === "record" || decl.kind === "event") {
      for (const field of decl.fields) {
        this.collectAnnotations(field.annotations);
        this.unit(field, field.name.span.start, field);
      }
    } else {
      for (const clause of decl.clauses) {
        if (clause.keyword === "publish") {
          this.unit(clause, clause.span.start, clause.hasBlock ? undefined : clause);
          for (const override of clause.overrides) this.unit(override, override.span.start);
          if (clause.hasBlock) this.closeUnit.set(clause, this.unit(undefined, clause.span.end - 1, clause));
        } else {
          this.unit(clause, clause.span.start);
        }
      }
    }
    this.closeUnit.set(decl, this.unit(undefined, decl.span.end - 1, decl));
  }

  /** The unit a token belongs to: the last one starting at or before it. */
  private unitOf(offset: number): Unit {
    let low = 0;
    let high = this.units.length - 1;
    let found = 0;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (this.units[mid]!.start <= offset) {
        found = mid;
        low = mid + 1;
      } else high = mid - 1;
    }
    return this.units[found]!;
  }

  /** The unit on whose line a documentable node starts: its first annotation, or its own line. */
  private firstUnit(node: DocNode): Unit {
    const first = "annotations" in node ? node.annotations[0] : undefined;
    return this.lineUnit.get(first ?? node)!;
  }

  private placeComments(): void {
    const source = this.source;
    for (const comment of this.file.comments) {
      const attachment = this.attachments.get(comment);
      if (attachment && !attachment.trailing) {
        this.firstUnit(attachment.node).leading.push(comment);
        continue;
      }
      const before = this.tokens[tokenBefore(this.tokens, comment.span.start)];
      if (before && source.position(before.end - 1).line === source.position(comment.span.start).line) {
        this.unitOf(before.start).trailing.push(comment);
        continue;
      }
      const after = this.tokens[tokenBefore(this.tokens, comment.span.end) + 1];
      if (!after || this.units.length === 0) {
        this.footer.push(comment);
        continue;
      }
      const unit = this.unitOf(after.start);
      if (unit.start === after.start) unit.leading.push(comment);
      else unit.trailing.push(comment); // an own-line comment inside a unit that spans several lines
    }
  }

  // ---- printing -------------------------------------------------------------------------------------------

  print(): string {
    this.file.declarations.forEach((decl, index) => {
      if (index > 0) this.out.blank();
      this.declaration(decl);
    });
    this.footer.forEach((comment, index) => {
      if (index === 0 ? this.file.declarations.length > 0 : this.blanks.before(comment.span.start)) this.out.blank();
      this.out.line({ indent: 0, text: commentText(comment), group: 0 });
    });
    return this.out.toString();
  }

  /**
   * The comments above a unit, then the blank line that separated them from it (kept: it decides whether a doc
   * comment documents the unit). `bareBlank` keeps a blank line above a unit without comments.
   */
  private leading(unit: Unit, indent: number, group: number, bareBlank: boolean): void {
    unit.leading.forEach((comment) => {
      if (this.blanks.before(comment.span.start)) this.out.blank();
      this.out.line({ indent, text: commentText(comment), group });
    });
    if ((unit.leading.length > 0 || bareBlank) && this.blanks.before(unit.start)) this.out.blank();
  }

  /**
   * A unit's line, with one of its trailing comments at the end and the others (if any) on lines of their own
   * below it, at `belowIndent`.
   */
  private unitLine(
    unit: Unit,
    line: { indent: number; text: string; group: number; opens?: boolean },
    belowIndent: number,
    closes = false,
  ): void {
    const target = unit.ends;
    const trailing = unit.trailing;
    // A `///` at the end of this line documents `target`: only one that did so already may stay there.
    const safe = (c: ast.Comment) => !c.doc || this.attachments.get(c)?.node === target;
    const documenting = target ? trailing.find((c) => c.doc && this.attachments.get(c)?.node === target) : undefined;
    const atEnd = documenting ?? (trailing[0] && safe(trailing[0]) ? trailing[0] : undefined);
    this.out.line({ ...line, ...(atEnd ? { comment: commentText(atEnd) } : {}) }, closes);
    const below = trailing.filter((c) => c !== atEnd);
    for (const comment of below) {
      this.out.line({
        indent: belowIndent,
        text: commentText(comment),
        group: line.group + (belowIndent > line.indent ? 1 : 0),
      });
    }
    // A `///` left on a line of its own must not document whatever comes next.
    if (below[below.length - 1]?.doc) this.out.blankBeforeNext();
  }

  private annotations(
    annotations: readonly ast.Annotation[],
    indent: number,
    group: number,
    firstBlank: boolean,
  ): void {
    annotations.forEach((annotation, index) => {
      const unit = this.lineUnit.get(annotation)!;
      this.leading(unit, indent, group, index === 0 && firstBlank);
      this.unitLine(unit, { indent, text: annotationText(this.source, annotation), group }, indent);
    });
  }

  private declaration(decl: ast.Declaration): void {
    this.annotations(decl.annotations, 0, 0, false);
    const header = this.lineUnit.get(decl)!;
    this.leading(header, 0, 0, false);
    const close = this.closeUnit.get(decl)!;
    if (decl.kind === "enum") {
      this.block(headerText(decl), header, close, 0, decl.members.length === 0, (indent, group) =>
        this.members(decl.members, indent, group),
      );
    } else if (decl.kind === "record" || decl.kind === "event") {
      this.block(headerText(decl), header, close, 0, decl.fields.length === 0, (indent, group) =>
        this.fields(decl.fields, indent, group),
      );
    } else {
      this.block(headerText(decl), header, close, 0, decl.clauses.length === 0, (indent, group) =>
        this.clauses(decl.kind, decl.clauses, indent, group),
      );
    }
  }

  /**
   * `header {`, the body one level deeper, `}`; or `header {}` for an empty block with no comment inside.
   * The header's leading comments are already printed.
   */
  private block(
    text: string,
    header: Unit,
    close: Unit,
    indent: number,
    empty: boolean,
    body: (indent: number, group: number) => void,
    group = 0,
  ): void {
    if (empty && header.trailing.length === 0 && close.leading.length === 0) {
      const merged: Unit = {
        start: header.start,
        leading: [],
        trailing: close.trailing,
        ...(close.ends ? { ends: close.ends } : {}),
      };
      this.unitLine(merged, { indent, text: `${text} {}`, group }, indent);
      return;
    }
    this.unitLine(header, { indent, text: `${text} {`, group, opens: true }, indent + 1);
    const inner = ++this.groups;
    body(indent + 1, inner);
    close.leading.forEach((comment) => {
      if (this.blanks.before(comment.span.start)) this.out.blank();
      this.out.line({ indent: indent + 1, text: commentText(comment), group: inner });
    });
    this.unitLine(close, { indent, text: "}", group }, indent, true);
  }

  private clauses(block: ClauseBlockKind, clauses: readonly ast.Clause[], indent: number, group: number): void {
    const sorted = sortClauses(block, clauses);
    const columns = sorted.map((clause) => clauseColumns(this.source, clause));
    const width = Math.max(0, ...columns.filter((c) => c.value !== undefined).map((c) => c.keyword.length));
    sorted.forEach((clause, index) => {
      const unit = this.lineUnit.get(clause)!;
      const { keyword, value } = columns[index]!;
      const text = value === undefined ? keyword : `${keyword.padEnd(width)} ${value}`;
      // Clauses move, so blank lines between them are not kept; those around their comments are.
      this.leading(unit, indent, group, false);
      if (clause.keyword === "publish" && clause.hasBlock) {
        this.block(
          text,
          unit,
          this.closeUnit.get(clause)!,
          indent,
          clause.overrides.length === 0,
          (inner, innerGroup) => this.clauses("publish", clause.overrides, inner, innerGroup),
          group,
        );
      } else {
        this.unitLine(unit, { indent, text, group }, indent);
      }
    });
  }

  private fields(fields: readonly ast.Field[], indent: number, group: number): void {
    const columns = fields.map((field) => fieldColumns(this.source, field));
    const nameWidth = Math.max(0, ...columns.map((c) => c.name.length));
    const typeWidth = Math.max(0, ...columns.filter((c) => c.rest !== "").map((c) => c.type.length));
    fields.forEach((field, index) => {
      const { name, type, rest } = columns[index]!;
      const text =
        rest === ""
          ? `${name.padEnd(nameWidth)} ${type}`
          : `${name.padEnd(nameWidth)} ${type.padEnd(typeWidth)} ${rest}`;
      this.annotations(field.annotations, indent, group, true);
      this.leading(this.lineUnit.get(field)!, indent, group, field.annotations.length === 0);
      this.unitLine(this.lineUnit.get(field)!, { indent, text, group }, indent);
    });
  }

  private members(members: readonly ast.EnumMember[], indent: number, group: number): void {
    for (const member of members) {
      this.annotations(member.annotations, indent, group, true);
      this.leading(this.lineUnit.get(member)!, indent, group, member.annotations.length === 0);
      this.unitLine(this.lineUnit.get(member)!, { indent, text: member.name.text, group }, indent);
    }
  }
}
