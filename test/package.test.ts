import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const repo = path.resolve(import.meta.dirname, "..");

function importFromPackage(specifier: string): string {
  // Run from the repository: Node resolves `evtc/...` to this package itself through its `exports`.
  const script = `const m = await import(${JSON.stringify(specifier)}); console.log(Object.keys(m).sort().join(","));`;
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: repo, encoding: "utf8" });
  expect(result.stderr).toBe("");
  return result.stdout.trim();
}

describe("the npm package", () => {
  it("exposes the compiler as `evtc`", () => {
    expect(importFromPackage("evtc").split(",")).toEqual(
      expect.arrayContaining(["checkPaths", "checkSources", "parseSource"]),
    );
  });

  it("exposes the runtime as `evtc/runtime`, the import generated code uses", () => {
    expect(importFromPackage("evtc/runtime").split(",")).toEqual(
      expect.arrayContaining([
        "CLOUDEVENTS_SPEC_VERSION",
        "ENVELOPE_HEADERS",
        "createRuntime",
        "createEmbeddedTransport",
        "MemoryIdempotencyStore",
        "DLQ_HEADERS",
        "InvalidEventError",
      ]),
    );
  });

  it("builds the `evtc` command as an executable file, run by its shebang as npx runs it", () => {
    const bin = path.join(repo, "dist", "cli", "main.js");
    expect(statSync(bin).mode & 0o111).toBe(0o111);
    const result = spawnSync(bin, ["--version"], { cwd: repo, encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
