// Writes grammar/evt.tmLanguage.json and grammar/language-configuration.json from src/editor/ (npm run grammar).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { languageConfiguration } from "../src/editor/language-configuration.js";
import { textmateGrammar, toJson } from "../src/editor/textmate.js";

const dir = path.join(import.meta.dirname, "..", "grammar");
mkdirSync(dir, { recursive: true });
for (const [file, content] of [
  ["evt.tmLanguage.json", textmateGrammar()],
  ["language-configuration.json", languageConfiguration()],
] as const) {
  const target = path.join(dir, file);
  writeFileSync(target, await toJson(content, target));
  console.log(`wrote ${path.relative(process.cwd(), target)}`);
}
