import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
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

  it("loads chevrotain's single-file build, not its main entry with lodash-es's 600 modules (half a second)", () => {
    // `check`, which always parses (`build` may only confirm an output it remembers, without parsing).
    const scratch = mkdtempSync(path.join(os.tmpdir(), "evtc-imports-"));
    try {
      const log = path.join(scratch, "imports.log");
      const hooks = pathToFileURL(path.join(repo, "test", "support", "log-imports.mjs")).href;
      const register = `data:text/javascript,import{register}from"node:module";register(${JSON.stringify(hooks)});`;
      const bin = path.join(repo, "dist", "cli", "main.js");
      const result = spawnSync(process.execPath, ["--import", register, bin, "check", "examples/telco"], {
        cwd: repo,
        encoding: "utf8",
        env: { ...process.env, EVTC_IMPORT_LOG: log },
      });
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      const loaded = readFileSync(log, "utf8").split("\n");
      expect(loaded.some((url) => url.endsWith("/chevrotain/lib/chevrotain.mjs"))).toBe(true);
      expect(loaded.filter((url) => url.includes("/node_modules/lodash-es/"))).toEqual([]);
      expect(loaded.filter((url) => url.includes("/chevrotain/lib/src/"))).toEqual([]);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
