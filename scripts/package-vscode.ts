// Packages the VS Code extension into a .vsix (npm run package:vscode [-- --out <file>]): the files of
// editors/vscode/, plus the grammar and the language configuration of grammar/, staged in a temporary directory
// and zipped by vsce. Install the result with `code --install-extension dist/evt-vscode.vsix`.
import { createVSIX } from "@vscode/vsce";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { languageConfiguration } from "../src/editor/language-configuration.js";
import { textmateGrammar, toJson } from "../src/editor/textmate.js";

const repo = path.resolve(import.meta.dirname, "..");
const { values } = parseArgs({ options: { out: { type: "string" } } });
const out = path.resolve(values.out ?? path.join(repo, "dist", "evt-vscode.vsix"));

const generated = {
  "evt.tmLanguage.json": textmateGrammar(),
  "language-configuration.json": languageConfiguration(),
};
for (const [file, content] of Object.entries(generated)) {
  const target = path.join(repo, "grammar", file);
  if (readFileSync(target, "utf8") !== (await toJson(content, target))) {
    console.error(`grammar/${file} is out of date: run \`npm run grammar\` first`);
    process.exit(1);
  }
}

const extension = path.join(repo, "editors", "vscode");
const rootManifest = JSON.parse(readFileSync(path.join(repo, "package.json"), "utf8")) as { version: string };
const manifest = JSON.parse(readFileSync(path.join(extension, "package.json"), "utf8")) as Record<string, unknown>;

const stage = mkdtempSync(path.join(os.tmpdir(), "evt-vscode-"));
try {
  // The extension's version is the compiler's.
  writeFileSync(
    path.join(stage, "package.json"),
    JSON.stringify({ ...manifest, version: rootManifest.version }, null, 2),
  );
  cpSync(path.join(extension, "README.md"), path.join(stage, "README.md"));
  cpSync(path.join(extension, "snippets"), path.join(stage, "snippets"), { recursive: true });
  cpSync(path.join(repo, "grammar", "evt.tmLanguage.json"), path.join(stage, "syntaxes", "evt.tmLanguage.json"));
  cpSync(path.join(repo, "grammar", "language-configuration.json"), path.join(stage, "language-configuration.json"));
  mkdirSync(path.dirname(out), { recursive: true });
  await createVSIX({
    cwd: stage,
    packagePath: out,
    dependencies: false,
    allowMissingRepository: true,
    skipLicense: true,
  });
} finally {
  rmSync(stage, { recursive: true, force: true });
}
