import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { diagnosticsCatalog } from "../src/diagnostics/catalog.js";
import { registry } from "../src/diagnostics/registry.js";
import { analyzeLoad } from "../src/load/analysis.js";
import { renderLoadReport } from "../src/load/report.js";
import { checkPaths } from "../src/program.js";

const repo = path.resolve(import.meta.dirname, "..");

describe("docs", () => {
  it("docs/diagnostics.md is generated from the registry (npm run docs:diagnostics)", () => {
    expect(readFileSync(path.join(repo, "docs", "diagnostics.md"), "utf8")).toBe(diagnosticsCatalog());
  });

  it("every registry entry follows the wording rules", () => {
    for (const [code, entry] of Object.entries(registry)) {
      expect(code).toMatch(/^EVT\d{4}$/);
      expect(entry.name, code).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(entry.explanation.length, code).toBeGreaterThan(40);
    }
    const names = Object.values(registry).map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it("every diagnostic code is exercised by a test", () => {
    const testDir = path.join(repo, "test");
    const texts = readdirSync(testDir, { recursive: true, encoding: "utf8" })
      .filter((name) => name.endsWith(".ts") || name.endsWith(".expected.txt"))
      .filter((name) => name !== "docs.test.ts")
      .map((name) => readFileSync(path.join(testDir, name), "utf8"))
      .join("\n");
    expect(Object.keys(registry).filter((code) => !texts.includes(code))).toEqual([]);
  });

  it("the README shows the example's current load report", () => {
    const result = checkPaths([path.join(repo, "examples", "telco")], repo);
    const report = renderLoadReport(analyzeLoad(result.model, result.config.load, 1), "text");
    const tables = report.slice(report.indexOf("Back-ends"), report.indexOf("Consumers")).trimEnd();
    const readme = readFileSync(path.join(repo, "README.md"), "utf8");
    expect(readme).toContain("```\n" + tables + "\n```");
  });
});
