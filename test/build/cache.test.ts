import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emitProject } from "../../src/emit/build.js";
import { cacheDirectory, diskCache, noCache, type BuildCache } from "../../src/emit/cache.js";
import type { GeneratedFile } from "../../src/emit/generated-file.js";
import { startCompileWorkers, type CompileWorkers } from "../../src/emit/compile-workers.js";
import { ajvCompilations } from "../../src/emit/validators.js";
import { checkPaths } from "../../src/program.js";

const repo = path.resolve(import.meta.dirname, "..", "..");
const project = path.join(repo, "test", "fixtures", "build", "all-types");
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), "evtc-cache-test-"));
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

async function build(
  cache: BuildCache,
  compileWorkers?: number | CompileWorkers,
): Promise<{ files: GeneratedFile[]; compiled: number }> {
  const checked = checkPaths([project], repo);
  expect(checked.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const before = ajvCompilations();
  const files = await emitProject({
    model: checked.model,
    lock: checked.lock,
    project: "all-types",
    projectDir: project,
    cwd: repo,
    cache,
    ...(compileWorkers !== undefined ? { compileWorkers } : {}),
  });
  return { files, compiled: ajvCompilations() - before };
}

function entries(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

describe("the build cache", { timeout: 60_000 }, () => {
  it("lets a second build reuse every validator, with the same output", async () => {
    const reference = await build(noCache());
    const validators = reference.files.filter((f) => f.path.endsWith(".js")).length;
    expect(reference.compiled).toBe(validators);

    const dir = path.join(scratch, "reuse");
    const first = diskCache(dir);
    const cold = await build(first);
    expect(cold.files).toEqual(reference.files);
    expect(cold.compiled).toBe(validators);
    expect(first.stats.hits).toBe(0);
    expect(entries(path.join(dir, "validators"))).toHaveLength(validators);
    // TypeScript and YAML are printed again each time: printing them costs less than reading them back.
    expect(entries(dir).filter((f) => !f.startsWith(path.join(dir, "validators")))).toEqual([]);

    const second = diskCache(dir);
    const warm = await build(second);
    expect(warm.files).toEqual(reference.files);
    expect(warm.compiled).toBe(0);
    expect(second.stats).toEqual({ hits: first.stats.misses, misses: 0, rejected: 0 });
    expect(entries(dir).some((f) => f.endsWith(".tmp"))).toBe(false);
  });

  it("compiles validators in worker threads to the same code as in this thread", async () => {
    const inline = await build(noCache(), 0);
    // Started beforehand, as `evtc build` does: they take every schema, however few.
    const workers = startCompileWorkers(2)!;
    try {
      const threaded = await build(noCache(), workers);
      expect(inline.compiled).toBeGreaterThan(0);
      expect(workers.compiled).toBe(inline.compiled);
      expect(threaded.files.map((f) => f.path)).toEqual(inline.files.map((f) => f.path));
      expect(threaded.files).toEqual(inline.files);
    } finally {
      workers.close();
    }
  });

  it("is written by the worker threads for what they compile, and read back by the next build", async () => {
    const reference = await build(noCache(), 0);
    const dir = path.join(scratch, "from-workers");
    const workers = startCompileWorkers(1)!;
    try {
      // The main thread's cache is never asked to write a validator: the worker writes them itself.
      const disk = diskCache(dir);
      const writesHere: string[] = [];
      const first: BuildCache = {
        ...disk,
        set(kind, key, value) {
          writesHere.push(kind);
          disk.set(kind, key, value);
        },
      };
      const cold = await build(first, workers);
      expect(cold.files).toEqual(reference.files);
      expect(workers.compiled).toBe(reference.compiled);
      expect(writesHere).toEqual([]);
      // The worker writes them once nothing else is asked of it; whoever started it waits for that.
      await workers.drain();
      expect(entries(path.join(dir, "validators"))).toHaveLength(reference.compiled);
      const second = diskCache(dir);
      const warm = await build(second, workers);
      expect(warm.files).toEqual(reference.files);
      expect(warm.compiled).toBe(0);
      expect(workers.compiled).toBe(reference.compiled);
      expect(second.stats).toEqual({ hits: reference.compiled, misses: 0, rejected: 0 });
    } finally {
      workers.close();
    }
  });

  it("ignores an entry it cannot trust, compiles again and repairs it", async () => {
    const reference = await build(noCache());
    const dir = path.join(scratch, "corrupt");
    await build(diskCache(dir));
    const [victim, other] = entries(path.join(dir, "validators"));
    const good = readFileSync(victim!, "utf8");
    const corruptions: Record<string, string> = {
      // Cut short, as a crash mid-write (without the rename) would leave it.
      truncated: good.slice(0, 100),
      // A value changed without its checksum: never run code the cache did not write.
      tampered: `${good.slice(0, good.indexOf("\n"))}\nexport const validate = () => true;\n`,
      // Another key's entry, well-formed, in the wrong place.
      misplaced: readFileSync(other!, "utf8"),
      empty: "",
    };
    for (const [kind, content] of Object.entries(corruptions)) {
      writeFileSync(victim!, content);
      const cache = diskCache(dir);
      const rebuilt = await build(cache);
      expect(rebuilt.files, kind).toEqual(reference.files);
      expect(rebuilt.compiled, kind).toBe(1);
      expect(cache.stats.rejected, kind).toBe(1);
      expect(readFileSync(victim!, "utf8"), kind).toBe(good);
    }
  });

  it("lives in node_modules/.cache/evtc of the nearest package, unless EVTC_CACHE=0 or EVTC_CACHE_DIR says otherwise", () => {
    const pkg = path.join(scratch, "pkg");
    const nested = path.join(pkg, "contracts", "bus");
    mkdirSync(nested, { recursive: true });
    writeFileSync(path.join(pkg, "package.json"), "{}\n");
    expect(cacheDirectory(nested, scratch, {})).toBe(path.join(pkg, "node_modules", ".cache", "evtc"));
    expect(cacheDirectory("contracts/bus", pkg, {})).toBe(path.join(pkg, "node_modules", ".cache", "evtc"));
    expect(cacheDirectory(nested, scratch, { EVTC_CACHE: "0" })).toBeUndefined();
    expect(cacheDirectory(nested, scratch, { EVTC_CACHE_DIR: "elsewhere" })).toBe(path.join(scratch, "elsewhere"));
    // No package anywhere up from the project or the working directory: no cache, rather than a guess.
    expect(cacheDirectory("/", "/", {})).toBeUndefined();
  });

  it("is used by evtc build, and not at all with EVTC_CACHE=0", () => {
    const cli = path.join(repo, "dist", "cli", "main.js");
    const run = (out: string, env: Record<string, string>) =>
      spawnSync(process.execPath, [cli, "build", project, "--out", out], {
        cwd: repo,
        encoding: "utf8",
        env: { PATH: process.env["PATH"], ...env },
      });
    const dir = path.join(scratch, "cli-cache");
    const cached = run(path.join(scratch, "cli-out-1"), { EVTC_CACHE_DIR: dir });
    expect(cached.status, cached.stdout + cached.stderr).toBe(0);
    expect(entries(path.join(dir, "validators")).length).toBeGreaterThan(0);

    const off = path.join(scratch, "cli-cache-off");
    const uncached = run(path.join(scratch, "cli-out-2"), { EVTC_CACHE_DIR: off, EVTC_CACHE: "0" });
    expect(uncached.status, uncached.stdout + uncached.stderr).toBe(0);
    expect(existsSync(off)).toBe(false);

    const again = run(path.join(scratch, "cli-out-1"), { EVTC_CACHE_DIR: dir });
    expect(again.stdout).toContain("0 written, 0 removed");
    for (const file of entries(path.join(scratch, "cli-out-1"))) {
      expect(readFileSync(file, "utf8")).toBe(readFileSync(file.replace("cli-out-1", "cli-out-2"), "utf8"));
    }
  });
});
