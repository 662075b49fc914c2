import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { diskCache } from "../../src/emit/cache.js";
import { buildKey, type BuildRecord, type BuildRequest } from "../../src/emit/manifest.js";

const repo = path.resolve(import.meta.dirname, "..", "..");
let scratch: string;
let project: string;
let out: string;
let cacheDir: string;

beforeAll(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), "evtc-manifest-test-"));
  project = path.join(scratch, "shop");
  out = path.join(scratch, "out");
  cacheDir = path.join(scratch, "cache");
  cpSync(path.join(repo, "test", "fixtures", "build", "all-types"), project, { recursive: true });
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

async function build(...extra: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = "";
  const code = await run(["build", project, "--out", out, ...extra], {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stdout += text),
    isTty: false,
    env: { EVTC_CACHE_DIR: cacheDir },
    cwd: scratch,
  });
  return { code, stdout };
}

const request = (): BuildRequest => ({
  paths: [project],
  cwd: scratch,
  outDir: out,
  project: "shop",
  options: JSON.stringify({ color: false, format: "text" }),
});

/** Replaces the report of the remembered build, so that a test sees when a build only recalled it. */
function markRecord(marker: string): void {
  const cache = diskCache(cacheDir);
  const key = buildKey(request());
  const record = JSON.parse(cache.get("builds", key) ?? "null") as BuildRecord;
  expect(record).not.toBeNull();
  cache.set("builds", key, JSON.stringify({ ...record, report: marker }));
}

describe("a build with nothing changed", { timeout: 60_000 }, () => {
  it("is recalled, not redone, while inputs and output are as a build left them", async () => {
    const first = await build();
    expect(first.code, first.stdout).toBe(0);
    const written = Number(/: (\d+) written/.exec(first.stdout)?.[1]);
    expect(written).toBeGreaterThan(5);

    markRecord("(recalled)\n");
    const again = await build();
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`(recalled)\nout: 0 written, 0 removed, ${written} unchanged\n`);
    const checked = await build("--check");
    expect(checked.stdout).toBe(`(recalled)\nout is up to date (${written} files)\n`);
  });

  it("is redone when a generated file was edited, and puts the file back", async () => {
    const file = path.join(out, "project.ts");
    const original = readFileSync(file, "utf8");
    writeFileSync(file, `${original}// edited by hand\n`);
    const result = await build();
    expect(result.stdout).not.toContain("(recalled)");
    expect(result.stdout).toContain(": 1 written, 0 removed");
    expect(readFileSync(file, "utf8")).toBe(original);
  });

  it("is redone when a stale generated file is in the output, which goes", async () => {
    markRecord("(recalled)\n");
    const stale = path.join(out, "validators", "Gone.v1.0.js");
    writeFileSync(stale, readFileSync(path.join(out, "project.ts"), "utf8"));
    const result = await build();
    expect(result.stdout).not.toContain("(recalled)");
    expect(result.stdout).toContain(", 1 removed");
  });

  it("is redone when an input changed", async () => {
    markRecord("(recalled)\n");
    const source = path.join(project, "project.evt");
    writeFileSync(
      source,
      readFileSync(source, "utf8").replace("/// An order was placed.", "/// An order was placed by a customer."),
    );
    const result = await build();
    expect(result.stdout).not.toContain("(recalled)");
    expect(result.stdout).toMatch(/: [1-9]\d* written/);
    expect(readFileSync(path.join(out, "project.ts"), "utf8")).toContain("An order was placed by a customer.");
  });

  it("keys a build by every input and option", () => {
    const base = buildKey(request());
    expect(buildKey(request())).toBe(base);
    expect(buildKey({ ...request(), options: JSON.stringify({ color: true }) })).not.toBe(base);
    expect(buildKey({ ...request(), outDir: path.join(scratch, "elsewhere") })).not.toBe(base);
    const lock = path.join(project, "evt.lock");
    writeFileSync(lock, "{}\n");
    const withLock = buildKey(request());
    expect(withLock).not.toBe(base);
    rmSync(lock);
    const config = path.join(project, "evtc.json");
    writeFileSync(config, "{}\n");
    expect(buildKey(request())).not.toBe(base);
    rmSync(config);
    expect(buildKey(request())).toBe(base);
    // A lock that is there but cannot be read is not the lock that is not there.
    mkdirSync(lock);
    expect(buildKey(request())).not.toBe(base);
    rmSync(lock, { recursive: true });
  });

  it("is redone, and fails, when evt.lock is there but cannot be read (a folder, a link to nothing)", async () => {
    expect((await build()).code).toBe(0);
    markRecord("(recalled)\n");
    const lock = path.join(project, "evt.lock");
    for (const unreadable of [() => mkdirSync(lock), () => symlinkSync("nowhere", lock)]) {
      unreadable();
      try {
        const result = await build();
        expect(result.stdout).not.toContain("(recalled)");
        expect(result.stdout).toContain("error[EVT0003]");
        expect(result.code).toBe(2);
      } finally {
        rmSync(lock, { recursive: true });
      }
    }
  });
});
