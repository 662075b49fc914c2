import type * as ast from "../syntax/ast.js";
import { attachDocs, codeTokens, docText, documentableNodes } from "./comments.js";
import { sortClauses } from "./layout.js";

/**
 * What a file means, as far as formatting could change it: every declaration with its values as written,
 * clauses in canonical order, the doc comments of every node, and the text of every comment. Two files with
 * the same fingerprint describe the same bus in the same words; the formatter checks that its output has the
 * fingerprint of its input before it hands it out.
 */
export function syntaxFingerprint(file: ast.EvtFile): string {
  const attachments = attachDocs(file, codeTokens(file.source));
  const docs = new Map<ast.Node, string[]>();
  for (const node of documentableNodes(file)) docs.set(node, []);
  for (const comment of file.comments) {
    const attachment = attachments.get(comment);
    if (attachment) docs.get(attachment.node)!.push(docText(comment));
  }
  const text = (node: ast.Node) => file.source.text.slice(node.span.start, node.span.end);
  const literal = (l: ast.Literal) => [l.kind, l.kind === "string" ? text(l) : l.text];
  const annotations = (list: readonly ast.Annotation[]) => list.map((a) => [a.name.text, a.args.map(literal)]);
  const type = (t: ast.TypeRef): unknown => [t.name.text, t.args.map(type), t.arrayDepth];
  const clause = (c: ast.Clause): unknown => {
    const { span: _span, keywordSpan: _keywordSpan, ...rest } = c as ast.Clause & { docs?: unknown };
    void _span;
    void _keywordSpan;
    const described: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(rest)) {
      if (key === "overrides") described[key] = sortClauses("publish", value as ast.Clause[]).map(clause);
      else if (key === "docs") described[key] = docs.get(c) ?? [];
      else if (Array.isArray(value)) described[key] = value.map((v: ast.VersionLiteral) => v.text);
      else if (typeof value === "object" && value !== null) {
        const node = value as ast.Node & { kind?: string; text?: string };
        described[key] = node.kind === "string" ? text(node) : node.text;
      } else described[key] = value;
    }
    return described;
  };
  const declarations = file.declarations.map((decl) => {
    const common = {
      kind: decl.kind,
      name: decl.name.text,
      docs: docs.get(decl),
      parsedDocs: decl.docs,
      annotations: annotations(decl.annotations),
    };
    switch (decl.kind) {
      case "enum":
        return {
          ...common,
          members: decl.members.map((m) => ({
            name: m.name.text,
            docs: docs.get(m),
            parsedDocs: m.docs,
            annotations: annotations(m.annotations),
          })),
        };
      case "record":
      case "event":
        return {
          ...common,
          ...(decl.kind === "event" ? { version: decl.version?.text, extends: decl.extends?.text } : {}),
          fields: decl.fields.map((f) => ({
            name: f.name.text,
            optional: f.optional,
            type: type(f.type),
            constraints: f.constraints.map((c) => [c.kind, text(c.value)]),
            default: f.defaultValue ? literal(f.defaultValue) : null,
            docs: docs.get(f),
            parsedDocs: f.docs,
            annotations: annotations(f.annotations),
          })),
        };
      default:
        return { ...common, clauses: sortClauses(decl.kind, decl.clauses).map(clause) };
    }
  });
  const comments = file.comments.map((c) => (c.doc ? c.text : c.text.trimEnd())).sort();
  return JSON.stringify({ declarations, comments });
}
