import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { diagnosticsCatalog } from "../src/diagnostics/catalog.js";
import { registry } from "../src/diagnostics/registry.js";
import { analyzeLoad } from "../src/load/analysis.js";
import { renderLoadReport } from "../src/load/report.js";
import { SourceFile } from "../src/diagnostics/source.js";
import { checkPaths, checkSources } from "../src/program.js";

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

  it("the complete small example of docs/language.md (§1.2) checks without a problem", () => {
    const page = readFileSync(path.join(repo, "docs", "language.md"), "utf8");
    const section = page.slice(page.indexOf("### 1.2"), page.indexOf("## 2."));
    const files = [...section.matchAll(/```evt\n\/\/ (\S+)\n([\s\S]*?)```/g)].map(
      ([, name, text]) => new SourceFile(name!, text!),
    );
    expect(files.map((f) => f.path)).toEqual(["org.evt", "billing.evt", "crm.evt"]);
    expect(checkSources(files).diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  });

  it("the README shows the example's current load report", () => {
    const result = checkPaths([path.join(repo, "examples", "telco")], repo);
    const report = renderLoadReport(analyzeLoad(result.model, result.config.load, 1), "text");
    // The README shows the back-ends and the topics; the readers and consumers follow in the real report.
    const tables = report.slice(report.indexOf("Back-ends"), report.indexOf("Readers")).trimEnd();
    const readme = readFileSync(path.join(repo, "README.md"), "utf8");
    expect(readme).toContain("```\n" + tables + "\n```");
  });
});
