// Writes grammar/evt.tmLanguage.json and grammar/language-configuration.json from src/editor/ (npm run grammar).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { languageConfiguration } from "../src/editor/language-configuration.js";
import { textmateGrammar, toJson } from "../src/editor/textmate.js";

const dir = path.join(import.meta.dirname, "..", "grammar");
mkdirSync(dir, { recursive: true });
for (const [file, content] of [
  ["evt.tmLanguage.json", toJson(textmateGrammar())],
  ["language-configuration.json", toJson(languageConfiguration())],
] as const) {
  const target = path.join(dir, file);
  writeFileSync(target, content);
  console.log(`wrote ${path.relative(process.cwd(), target)}`);
}
