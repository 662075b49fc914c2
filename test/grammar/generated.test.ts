import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { languageConfiguration } from "../../src/editor/language-configuration.js";
import { textmateGrammar, toJson, units } from "../../src/editor/textmate.js";
import { parseQuantity } from "../../src/model/units.js";
import { repo } from "./textmate.js";

const read = (...parts: string[]) => readFileSync(path.join(repo, ...parts), "utf8");

describe("the generated grammar files", () => {
  const committed = (file: string) => path.join(repo, "grammar", file);

  it("grammar/evt.tmLanguage.json is what src/editor/textmate.ts generates (npm run grammar)", async () => {
    const file = committed("evt.tmLanguage.json");
    expect(readFileSync(file, "utf8")).toBe(await toJson(textmateGrammar(), file));
  });

  it("grammar/language-configuration.json is what src/editor/ generates (npm run grammar)", async () => {
    const file = committed("language-configuration.json");
    expect(readFileSync(file, "utf8")).toBe(await toJson(languageConfiguration(), file));
  });

  it("is deterministic: sorted keys, two-space indentation, a final newline, stable under Prettier", async () => {
    const file = committed("evt.tmLanguage.json");
    const json = await toJson(textmateGrammar(), file);
    expect(await toJson(textmateGrammar(), file)).toBe(json);
    expect(json.endsWith("}\n")).toBe(true);
    expect(json.split("\n").every((line) => /^( {2})*(?! )/.test(line))).toBe(true);
    expect(await toJson(JSON.parse(json), file)).toBe(json);
    const keys = Object.keys(JSON.parse(json) as object);
    expect(keys).toEqual([...keys].sort());
    expect(await toJson({ b: 1, a: { d: [3, 1], c: 2 } })).toBe(
      '{\n  "a": {\n    "c": 2,\n    "d": [3, 1]\n  },\n  "b": 1\n}\n',
    );
  });

  it("names the grammar source.evt, for .evt files", () => {
    const grammar = textmateGrammar();
    expect(grammar.scopeName).toBe("source.evt");
    expect(grammar.fileTypes).toEqual(["evt"]);
  });

  it("every include points into the repository", () => {
    const grammar = textmateGrammar();
    const includes = new Set<string>();
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value !== null && typeof value === "object") {
        for (const [key, inner] of Object.entries(value)) {
          if (key === "include" && typeof inner === "string") includes.add(inner);
          else walk(inner);
        }
      }
    };
    walk(grammar);
    const missing = [...includes].filter((name) => !(name.startsWith("#") && name.slice(1) in grammar.repository));
    expect(missing).toEqual([]);
  });
});

describe("the units of the grammar", () => {
  it("are those src/model/units.ts reads, each of its kind", () => {
    for (const unit of units.duration) expect(parseQuantity(`5${unit}`), unit).toMatchObject({ kind: "duration" });
    for (const unit of units.size) expect(parseQuantity(`5${unit}`), unit).toMatchObject({ kind: "size" });
    for (const unit of units.multiplier) expect(parseQuantity(`5${unit}`), unit).toMatchObject({ kind: "count" });
    for (const per of units.per) {
      expect(parseQuantity(`5/${per}`), per).toMatchObject({ kind: "rate" });
      for (const unit of units.multiplier) expect(parseQuantity(`5${unit}/${per}`)).toMatchObject({ kind: "rate" });
    }
  });
});

describe("docs/editors.md", () => {
  const documented = [...read("docs", "editors.md").matchAll(/`([a-z-]+(?:\.[a-z<>-]+)+\.evt)`/g)].map((m) => m[1]!);
  const pattern = (scope: string) => new RegExp(`^${scope.replace(/\./g, "\\.").replace(/<[a-z]+>/g, "[a-z-]+")}$`);

  const used = new Set<string>();
  const walk = (value: unknown, topLevel = false): void => {
    if (Array.isArray(value)) value.forEach((inner) => walk(inner));
    else if (value !== null && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) {
        if (!topLevel && (key === "name" || key === "contentName") && typeof inner === "string") {
          for (const scope of inner.split(/\s+/)) used.add(scope);
        } else walk(inner);
      }
    }
  };
  walk(textmateGrammar(), true);

  it("lists every scope the grammar assigns", () => {
    expect(used.size).toBeGreaterThan(50);
    const undocumented = [...used].filter((scope) => !documented.some((doc) => pattern(doc).test(scope)));
    expect(undocumented).toEqual([]);
  });

  it("lists no scope the grammar does not assign", () => {
    const stale = documented.filter((doc) => ![...used].some((scope) => pattern(doc).test(scope)));
    expect(stale).toEqual([]);
  });
});
