import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { renderAll } from "../src/diagnostics/render.js";
import { checkPaths } from "../src/program.js";

/**
 * Each `.evt` file or directory in test/fixtures/diagnostics is checked as a project, and its rendered
 * diagnostics must equal the `<name>.expected.txt` beside it. `EVTC_UPDATE_FIXTURES=1` rewrites them.
 */
const root = path.join(import.meta.dirname, "fixtures", "diagnostics");
const update = process.env["EVTC_UPDATE_FIXTURES"] === "1";

const fixtures = readdirSync(root)
  .filter((name) => name.endsWith(".evt") || statSync(path.join(root, name)).isDirectory())
  .sort();

describe("diagnostic fixtures", () => {
  it("has fixtures, and no expectation without its fixture", () => {
    expect(fixtures.length).toBeGreaterThan(0);
    const expectations = readdirSync(root).filter((name) => name.endsWith(".expected.txt"));
    const names = new Set(fixtures.map((f) => f.replace(/\.evt$/, "")));
    expect(expectations.filter((e) => !names.has(e.replace(/\.expected\.txt$/, "")))).toEqual([]);
  });

  for (const fixture of fixtures) {
    it(fixture, () => {
      const result = checkPaths([fixture], root);
      const rendered = renderAll(result.diagnostics, "text", { color: false }) + "\n";
      const expectedPath = path.join(root, fixture.replace(/\.evt$/, "") + ".expected.txt");
      if (update) writeFileSync(expectedPath, rendered);
      expect(existsSync(expectedPath), `missing ${expectedPath}; run npm run test:update`).toBe(true);
      expect(rendered).toBe(readFileSync(expectedPath, "utf8"));
    });
  }
});
