import { describe, expect, it } from "vitest";
import { SourceFile } from "../../src/diagnostics/source.js";
import { attachDocs, codeTokens, docText, documentableNodes } from "../../src/format/comments.js";
import { formatSource } from "../../src/format/format.js";
import { parseSource } from "../../src/syntax/parse.js";
import { checkProject, evtFiles, random, readSource } from "./support.js";

/**
 * Generated inputs: the examples and fixtures with comments, doc comments, line breaks and blank lines put
 * between random tokens, and lines joined — comments inside clauses, docs detached by blank lines, trailing docs
 * after commas, declarations sharing a line. Each must format without error, idempotently, keeping every
 * comment and the meaning of the file.
 */
const bases = [...evtFiles("examples"), ...evtFiles("test/fixtures")]
  .map(readSource)
  .filter((s) => !parseSource(s).diagnostics.some((d) => d.severity === "error"));

const insertions = [
  (n: number) => ` // c${n}\n`,
  (n: number) => `\n// c${n}\n`,
  (n: number) => `\n/// d${n}\n`,
  (n: number) => ` /// d${n}\n`,
  (n: number) => `\n\n/// d${n}\n\n`,
  (n: number) => `\n/// d${n}\n// c${n}\n`,
  () => `\n`,
  () => `\n\n`,
];

function mutate(source: SourceFile, seed: number): SourceFile {
  const next = random(seed);
  const tokens = codeTokens(source);
  const edits = new Map<number, string>();
  const count = 1 + Math.floor(next() * 8);
  for (let n = 0; n < count; n++) {
    const index = Math.floor(next() * tokens.length);
    const token = tokens[index]!;
    const following = tokens[index + 1];
    const gap = following ? source.text.slice(token.end, following.start) : "";
    if (following && next() < 0.2 && /^\s+$/.test(gap)) {
      edits.set(token.end, `\u0000${following.start}`); // join the two tokens' lines
    } else {
      edits.set(token.end, insertions[Math.floor(next() * insertions.length)]!(seed * 100 + n));
    }
  }
  let text = "";
  let at = 0;
  for (const [offset, edit] of [...edits.entries()].sort((a, b) => a[0] - b[0])) {
    if (offset < at) continue;
    text += source.text.slice(at, offset);
    if (edit.startsWith("\u0000")) {
      text += " ";
      at = Number(edit.slice(1));
    } else {
      text += edit;
      at = offset;
    }
  }
  text += source.text.slice(at);
  return new SourceFile(source.path, text);
}

function docsByNode(source: SourceFile): string[] {
  const parsed = parseSource(source).file;
  const attached = attachDocs(parsed, codeTokens(source));
  const nodes = documentableNodes(parsed);
  return parsed.comments
    .filter((c) => c.doc)
    .map((c) => {
      const node = attached.get(c)?.node;
      return `${docText(c)} -> ${node ? nodes.indexOf(node) : -1}`;
    })
    .sort();
}

const comments = (source: SourceFile) =>
  parseSource(source)
    .file.comments.map((c) => (c.doc ? c.text : c.text.trimEnd()))
    .sort();

describe("formatting generated inputs", { timeout: 60_000 }, () => {
  const seeds = Number(process.env["EVTC_FMT_SEEDS"] ?? 12);
  for (const base of bases) {
    it(`${base.path}, ${seeds} variants`, () => {
      for (let seed = 1; seed <= seeds; seed++) {
        const input = mutate(base, seed);
        const context = `${base.path} variant ${seed}:\n${input.text}`;
        const parsed = parseSource(input);
        expect(
          parsed.diagnostics.filter((d) => d.severity === "error"),
          context,
        ).toEqual([]);

        // The doc attachment the formatter keeps agrees with the parser's (except for the leading docs of block
        // declarations, which the parser drops: see corpus.test.ts).
        const attached = attachDocs(parsed.file, codeTokens(input));
        for (const node of documentableNodes(parsed.file)) {
          if ("clauses" in node) continue;
          const mine = parsed.file.comments.filter((c) => attached.get(c)?.node === node).map(docText);
          expect(mine, context).toEqual(node.docs);
        }

        const result = formatSource(input);
        if (!result.ok) throw new Error(context);
        const output = new SourceFile(input.path, result.text);
        const again = formatSource(output);
        expect(again.ok && again.text, context).toBe(result.text);
        expect(comments(output), context).toEqual(comments(input));
        expect(docsByNode(output), context).toEqual(docsByNode(input));
        expect(checkProject([output]), context).toEqual(checkProject([input]));
      }
    });
  }
});
