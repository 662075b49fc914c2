import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { IGrammar } from "vscode-textmate";
import { SourceFile } from "../../src/diagnostics/source.js";
import { parseSource } from "../../src/syntax/parse.js";
import { evtLexer } from "../../src/syntax/tokens.js";
import { loadGrammar, repo, tokenizeText, type TokenizedLine } from "./textmate.js";

/**
 * Every example, every diagnostic fixture and every ```evt block of the documentation, tokenized line by line
 * with the real VS Code engine: no line may end inside anything but declarations and their blocks, every file
 * must end with the rule stack back at the root, and in files without syntax errors the blocks open at the end
 * of each line must be exactly the braces open there.
 */
function evtFiles(dir: string): string[] {
  return readdirSync(path.join(repo, dir), { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".evt"))
    .map((name) => path.join(dir, name))
    .sort();
}

const files = [...evtFiles("examples"), ...evtFiles(path.join("test", "fixtures"))];

function docBlocks(): Array<{ name: string; text: string }> {
  const docs = path.join(repo, "docs");
  return readdirSync(docs)
    .filter((name) => name.endsWith(".md"))
    .sort()
    .flatMap((name) => {
      const markdown = readFileSync(path.join(docs, name), "utf8");
      return [...markdown.matchAll(/^```evt\n([\s\S]*?)^```$/gm)].map((match, index) => ({
        name: `docs/${name} block ${index + 1}`,
        text: match[1]!,
      }));
    });
}

/** What may still be open at the end of a line: declarations and their blocks, nothing else. */
const openAtLineEnd = /^meta\.(declaration|block)\.[a-z-]+\.evt$/;

function expectOnlyBlocksOpen(lines: readonly TokenizedLine[]): void {
  lines.forEach((line, index) => {
    const unexpected = line.openAtEnd.filter((scope) => !openAtLineEnd.test(scope));
    expect(unexpected, `line ${index + 1} ends inside ${unexpected.join(" > ")}`).toEqual([]);
  });
  expect(lines[lines.length - 1]?.openAtEnd, "the rule stack is back at the root at the end").toEqual([]);
}

/** The number of `{` still open at the end of each line, by the compiler's own lexer. */
function braceDepths(text: string, lineCount: number): number[] {
  const depths: number[] = new Array<number>(lineCount).fill(0);
  let depth = 0;
  let line = 1;
  for (const token of evtLexer().tokenize(text).tokens) {
    while (line < (token.startLine ?? 1)) depths[line++ - 1] = depth;
    if (token.image === "{") depth++;
    if (token.image === "}") depth = Math.max(0, depth - 1);
  }
  while (line <= lineCount) depths[line++ - 1] = depth;
  return depths;
}

function hasSyntaxErrors(name: string, text: string): boolean {
  return parseSource(new SourceFile(name, text)).diagnostics.some((d) => /^EVT0[12]/.test(d.code));
}

let grammar: IGrammar;
beforeAll(async () => {
  grammar = await loadGrammar();
});

describe("tokenizing the examples and fixtures", () => {
  it("finds them", () => {
    expect(files.filter((file) => file.startsWith("examples")).length).toBeGreaterThanOrEqual(7);
    expect(files.filter((file) => file.startsWith("test")).length).toBeGreaterThanOrEqual(5);
  });

  for (const file of files) {
    describe(file, () => {
      const text = readFileSync(path.join(repo, file), "utf8");

      it("ends every line in a declaration or a block at most, and the file at the root", () => {
        expectOnlyBlocksOpen(tokenizeText(grammar, text).lines);
      });

      if (!hasSyntaxErrors(file, text)) {
        it("has exactly the blocks of the open braces open at each line end", () => {
          const { lines } = tokenizeText(grammar, text);
          const depths = braceDepths(text, lines.length);
          const blocks = lines.map((line) => line.openAtEnd.filter((scope) => scope.startsWith("meta.block.")).length);
          expect(blocks).toEqual(depths);
        });
      }
    });
  }

  describe.each(files.filter((file) => file.startsWith("examples")))("%s, a valid file", (file) => {
    it("gives every word a scope of its own, and nothing an invalid one", () => {
      const { lines } = tokenizeText(grammar, readFileSync(path.join(repo, file), "utf8"));
      const tokens = lines.flatMap((line) => line.tokens).filter((token) => token.text.trim() !== "");
      const invalid = tokens.filter((token) => token.scopes.some((scope) => scope.startsWith("invalid.")));
      expect(invalid.map((token) => `${token.line}: ${token.text}`)).toEqual([]);
      // Punctuation aside, every token is more than the meta scopes of the blocks it stands in.
      const bare = tokens.filter((token) => /^(meta\.|source\.evt$)/.test(token.scopes[token.scopes.length - 1]!));
      expect(bare.map((token) => `${token.line}: ${token.text}`)).toEqual([]);
    });
  });
});

describe("tokenizing the ```evt blocks of the documentation", () => {
  const blocks = docBlocks();

  it("finds them", () => {
    expect(blocks.length).toBeGreaterThan(10);
  });

  for (const block of blocks) {
    it(`${block.name} ends every line in a declaration or a block at most, and at the root`, () => {
      expectOnlyBlocksOpen(tokenizeText(grammar, block.text).lines);
    });
  }
});

describe("the syntax-error fixture", () => {
  it("recovers where the parser does: the topic left open ends at the next declaration", () => {
    const file = path.join("test", "fixtures", "diagnostics", "syntax-errors.evt");
    const { lines } = tokenizeText(grammar, readFileSync(path.join(repo, file), "utf8"));
    const eventLine = lines.findIndex((line) => line.tokens.some((token) => token.text === "PaymentReceived"));
    expect(lines[eventLine - 1]?.openAtEnd).toEqual(["meta.declaration.topic.evt", "meta.block.topic.evt"]);
    const event = lines[eventLine]!.tokens.find((token) => token.text === "event")!;
    expect(event.scopes).toEqual(["source.evt", "meta.declaration.event.evt", "storage.type.event.evt"]);
  });
});
