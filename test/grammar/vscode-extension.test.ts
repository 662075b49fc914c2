import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import yauzl from "yauzl";
import { renderAll } from "../../src/diagnostics/render.js";
import { SourceFile } from "../../src/diagnostics/source.js";
import { checkPaths } from "../../src/program.js";
import { parseSource } from "../../src/syntax/parse.js";
import { repo, tokensOf } from "./textmate.js";

const extensionDir = path.join(repo, "editors", "vscode");

interface ProblemPattern {
  regexp: string;
  severity?: number;
  code?: number;
  message?: number;
  file?: number;
  line?: number;
  column?: number;
}

interface Contributes {
  languages: Array<{ id: string; extensions: string[]; configuration: string }>;
  grammars: Array<{ language: string; scopeName: string; path: string }>;
  snippets: Array<{ language: string; path: string }>;
  problemPatterns: Array<{ name: string; patterns: ProblemPattern[] }>;
  problemMatchers: Array<{ name: string; pattern: string; fileLocation: string[] }>;
}

const manifest = JSON.parse(readFileSync(path.join(extensionDir, "package.json"), "utf8")) as {
  name: string;
  publisher: string;
  engines: { vscode: string };
  contributes: Contributes;
};

interface Snippet {
  prefix: string;
  description: string;
  body: string[];
}

const snippets = JSON.parse(readFileSync(path.join(extensionDir, "snippets", "evt.json"), "utf8")) as Record<
  string,
  Snippet
>;

/** A snippet as inserted when every placeholder keeps its default (and each choice its first option). */
function expand(body: readonly string[]): string {
  return body
    .join("\n")
    .replace(/\$\{\d+:([^}]*)\}/g, "$1")
    .replace(/\$\{\d+\|([^,|]*)[^}]*\|\}/g, "$1")
    .replace(/\$\d+/g, "")
    .replace(/\t/g, "  ");
}

/** Every entry of a zip archive, by name. */
function readZip(file: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error ?? new Error("no archive"));
      const entries = new Map<string, Buffer>();
      zip.on("error", reject);
      zip.on("end", () => resolve(entries));
      zip.on("entry", (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError ?? new Error("no stream"));
          const chunks: Buffer[] = [];
          stream.on("data", (chunk: Buffer) => chunks.push(chunk));
          stream.on("end", () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

describe("the VS Code extension's manifest", () => {
  it("contributes the evt language for .evt files, with the grammar and the configuration", () => {
    const { languages, grammars, snippets: snippetFiles } = manifest.contributes;
    expect(languages).toEqual([
      expect.objectContaining({ id: "evt", extensions: [".evt"], configuration: "./language-configuration.json" }),
    ]);
    expect(grammars).toEqual([{ language: "evt", scopeName: "source.evt", path: "./syntaxes/evt.tmLanguage.json" }]);
    expect(snippetFiles).toEqual([{ language: "evt", path: "./snippets/evt.json" }]);
    expect(manifest.engines.vscode).toMatch(/^\^1\.\d+\.\d+$/);
  });
});

describe("the snippets", () => {
  it("offer topic, event, consumer and enricher, among others", () => {
    const prefixes = Object.values(snippets).map((snippet) => snippet.prefix);
    expect(prefixes).toEqual(expect.arrayContaining(["topic", "event", "consumer", "enricher"]));
    for (const [name, snippet] of Object.entries(snippets)) {
      expect(snippet.description.length, name).toBeGreaterThan(10);
    }
  });

  it.each(Object.keys(snippets))("%s expands to source the parser reads without a syntax error", (name) => {
    const text = expand(snippets[name]!.body);
    expect(text).not.toMatch(/\$/);
    const { diagnostics } = parseSource(new SourceFile(`${name}.evt`, text));
    expect(diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  });

  it.each(Object.keys(snippets))("%s expands to source the grammar scopes without an invalid token", async (name) => {
    const tokens = await tokensOf(expand(snippets[name]!.body));
    expect(tokens.filter((token) => token.scopes.some((scope) => scope.startsWith("invalid.")))).toEqual([]);
  });
});

describe("the $evtc problem matcher", () => {
  it("reads what `evtc check` prints: severity, code, message, file, line and column", () => {
    const [problemPattern] = manifest.contributes.problemPatterns;
    expect(problemPattern?.name).toBe("evtc");
    expect(manifest.contributes.problemMatchers).toEqual([
      expect.objectContaining({ name: "evtc", pattern: "$evtc", fileLocation: ["relative", "${workspaceFolder}"] }),
    ]);
    const [first, second] = problemPattern!.patterns;
    const group = (match: RegExpExecArray, index: number | undefined) => match[index ?? -1] ?? "";

    const result = checkPaths([path.join("test", "fixtures", "diagnostics")], repo);
    const text = renderAll(result.diagnostics, "text", { color: false }).split("\n");
    const json = JSON.parse(renderAll(result.diagnostics, "json", { color: false })) as {
      diagnostics: Array<{
        severity: string;
        code: string;
        message: string;
        path: string;
        line: number;
        column: number;
      }>;
    };

    // As VS Code applies a two-line pattern: a line matching the first, then the next line the second.
    const matched: Array<Record<string, string>> = [];
    text.forEach((line, index) => {
      const head = new RegExp(first!.regexp).exec(line);
      const location = head ? new RegExp(second!.regexp).exec(text[index + 1] ?? "") : null;
      if (!head || !location) return;
      matched.push({
        severity: group(head, first!.severity),
        code: group(head, first!.code),
        message: group(head, first!.message),
        file: group(location, second!.file),
        line: group(location, second!.line),
        column: group(location, second!.column),
      });
    });
    expect(matched.length).toBeGreaterThan(10);
    expect(matched).toEqual(
      json.diagnostics.map((d) => ({
        severity: d.severity,
        code: d.code,
        message: d.message,
        file: d.path,
        line: String(d.line),
        column: String(d.column),
      })),
    );
  });
});

describe("npm run package:vscode", () => {
  const out = mkdtempSync(path.join(os.tmpdir(), "evt-vsix-test-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("packs the extension, grammar, configuration and snippets into a .vsix", { timeout: 120_000 }, async () => {
    const vsix = path.join(out, "evt.vsix");
    const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/package-vscode.ts", "--out", vsix], {
      cwd: repo,
      encoding: "utf8",
      env: { ...process.env, CI: "true" },
    });
    expect(run.status, run.stderr + run.stdout).toBe(0);
    expect(existsSync(vsix)).toBe(true);

    const entries = await readZip(vsix);
    expect([...entries.keys()].sort()).toEqual(
      [
        "[Content_Types].xml",
        "extension.vsixmanifest",
        "extension/language-configuration.json",
        "extension/package.json",
        "extension/readme.md",
        "extension/snippets/evt.json",
        "extension/syntaxes/evt.tmLanguage.json",
      ].sort(),
    );
    const text = (name: string) => entries.get(name)!.toString("utf8");
    expect(text("extension/syntaxes/evt.tmLanguage.json")).toBe(
      readFileSync(path.join(repo, "grammar", "evt.tmLanguage.json"), "utf8"),
    );
    expect(text("extension/language-configuration.json")).toBe(
      readFileSync(path.join(repo, "grammar", "language-configuration.json"), "utf8"),
    );
    expect(JSON.parse(text("extension/snippets/evt.json"))).toEqual(snippets);

    const packaged = JSON.parse(text("extension/package.json")) as { version: string; contributes: Contributes };
    const root = JSON.parse(readFileSync(path.join(repo, "package.json"), "utf8")) as { version: string };
    expect(packaged.version).toBe(root.version);
    expect(packaged.contributes).toEqual(manifest.contributes);
    expect(text("extension.vsixmanifest")).toContain(
      `<Identity Language="en-US" Id="${manifest.name}" Version="${root.version}" Publisher="${manifest.publisher}" />`,
    );
  });
});
