import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emitProject } from "../../src/emit/build.js";
import {
  cacheDirectory,
  cacheKey,
  diskCache,
  noCache,
  pruneCache,
  PRUNE_STAMP,
  type BuildCache,
} from "../../src/emit/cache.js";
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

const DAY = 24 * 60 * 60 * 1000;

/** Sets a file's modification time to `days` days ago. */
function age(file: string, days: number): void {
  const at = new Date(Date.now() - days * DAY);
  utimesSync(file, at, at);
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

  it("finds what it wrote itself after finding nothing, and what another writer wrote before it was first asked", () => {
    const dir = path.join(scratch, "first-asked");
    const key = (n: number) => String(n).repeat(64);
    const cache = diskCache(dir);
    // Nothing there yet: a miss, without looking for the entry itself.
    expect(cache.get("validators", key(1))).toBeUndefined();
    cache.set("validators", key(1), "one");
    expect(cache.get("validators", key(1))).toBe("one");
    diskCache(dir).set("validators", key(2), "two");
    expect(diskCache(dir).get("validators", key(2))).toBe("two");
    expect(cache.stats).toEqual({ hits: 1, misses: 1, rejected: 0 });
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

  it("marks an entry it reads as used, at most once a day", () => {
    const dir = path.join(scratch, "mark-used");
    const cache = diskCache(dir);
    const stale = cacheKey("stale");
    const recent = cacheKey("recent");
    cache.set("validators", stale, "code read three days after it was written");
    cache.set("validators", recent, "code read two hours after it was written");
    const [recentFile, staleFile] = [recent, stale].map((key) =>
      path.join(dir, "validators", key.slice(0, 2), `${key}.entry`),
    ) as [string, string];
    age(staleFile, 3);
    age(recentFile, 2 / 24);
    const recentBefore = statSync(recentFile).mtimeMs;

    expect(cache.get("validators", stale)).toBe("code read three days after it was written");
    expect(cache.get("validators", recent)).toBe("code read two hours after it was written");
    expect(Date.now() - statSync(staleFile).mtimeMs).toBeLessThan(60_000);
    expect(statSync(recentFile).mtimeMs).toBe(recentBefore);
  });

  it("removes once a day what no build used for a week, and never a file it did not write", () => {
    const dir = path.join(scratch, "prune");
    const cache = diskCache(dir);
    const fileOf = (kind: string, key: string) => path.join(dir, kind, key.slice(0, 2), `${key}.entry`);
    const unused = cacheKey("unused for eight days");
    const used = cacheKey("used six days ago");
    const record = cacheKey("a build record unused for a month");
    cache.set("validators", unused, "old code");
    cache.set("validators", used, "newer code");
    cache.set("builds", record, "{}");
    age(fileOf("validators", unused), 8);
    age(fileOf("validators", used), 6);
    age(fileOf("builds", record), 30);
    // What a build of format 1 left (never read now), a killed build's temporaries, and files that are not evtc's,
    // some of them named as evtc names its own.
    const shard = path.dirname(fileOf("validators", used));
    const prefix = path.basename(shard);
    const oldKey = cacheKey("format 1");
    const oldFormat = path.join(path.dirname(fileOf("validators", oldKey)), `${oldKey}.json`);
    const recentOldKey = cacheKey("format 1, written yesterday by an older evtc sharing the cache");
    const recentOldFormat = path.join(path.dirname(fileOf("validators", recentOldKey)), `${recentOldKey}.json`);
    const leftTemporary = `${fileOf("validators", used)}.123.0.abcd0123.1.tmp`;
    const liveTemporary = `${fileOf("validators", unused)}.456.0.ef012345.1.tmp`;
    const lookAlike = (key: string) => path.join(dir, "store", key.slice(0, 2), `${key}.entry`);
    const foreign = [
      path.join(dir, "notes.txt"),
      path.join(shard, "README.md"),
      path.join(dir, "x", "y.entry"),
      lookAlike(cacheKey("a file of someone else's, named like an entry")),
      path.join(dir, "store", prefix, `${cacheKey("in the wrong folder")}.entry`),
      path.join(shard, `${used}.entry.backup.tmp`),
    ];
    for (const file of [leftTemporary, liveTemporary, ...foreign]) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, "kept or not");
    }
    for (const [file, key] of [
      [oldFormat, oldKey],
      [recentOldFormat, recentOldKey],
    ] as const) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify({ format: 1, key, sha256: "", value: "" }));
    }
    age(oldFormat, 8);
    age(recentOldFormat, 1);
    age(leftTemporary, 2);
    for (const file of foreign) age(file, 400);

    // The first look at a cache without a stamp only stamps it: its times did not yet say what was used.
    expect(pruneCache(dir)).toBeUndefined();
    expect(existsSync(path.join(dir, PRUNE_STAMP))).toBe(true);
    expect(existsSync(fileOf("validators", unused))).toBe(true);
    // Looked through less than a day ago: nothing is looked at.
    expect(pruneCache(dir)).toBeUndefined();
    expect(existsSync(fileOf("validators", unused))).toBe(true);

    age(path.join(dir, PRUNE_STAMP), 1.5);
    expect(pruneCache(dir)).toEqual({ removed: 4, kept: 1 });
    expect(existsSync(fileOf("validators", unused))).toBe(false);
    expect(existsSync(fileOf("builds", record))).toBe(false);
    expect(existsSync(oldFormat)).toBe(false);
    expect(existsSync(leftTemporary)).toBe(false);
    expect(cache.get("validators", used)).toBe("newer code");
    expect(existsSync(recentOldFormat)).toBe(true);
    expect(existsSync(liveTemporary)).toBe(true);
    for (const file of foreign) expect(existsSync(file), file).toBe(true);
    // Emptied folders stay, for a build writing into them at the same time.
    expect(existsSync(path.dirname(fileOf("builds", record)))).toBe(true);
    // Stamped again: the next look is a day later.
    expect(pruneCache(dir)).toBeUndefined();
  });

  it("is pruned by evtc build: a recalled build keeps its record, and validators no build read go", () => {
    const cli = path.join(repo, "dist", "cli", "main.js");
    const dir = path.join(scratch, "cli-prune");
    const out = path.join(scratch, "cli-prune-out");
    const run = (target: string) =>
      spawnSync(process.execPath, [cli, "build", project, "--out", target], {
        cwd: repo,
        encoding: "utf8",
        env: { PATH: process.env["PATH"], EVTC_CACHE_DIR: dir },
      });
    const first = run(out);
    expect(first.status, first.stdout + first.stderr).toBe(0);
    const validators = entries(path.join(dir, "validators"));
    const records = entries(path.join(dir, "builds"));
    expect(validators.length).toBeGreaterThan(0);
    expect(records).toHaveLength(1);
    // Ten days on, with the cache last looked through two days ago.
    for (const file of [...validators, ...records]) age(file, 10);
    age(path.join(dir, PRUNE_STAMP), 2);

    const recalled = run(out);
    expect(recalled.status, recalled.stdout + recalled.stderr).toBe(0);
    expect(recalled.stdout).toContain("0 written, 0 removed");
    expect(entries(path.join(dir, "validators"))).toEqual([]);
    expect(entries(path.join(dir, "builds"))).toEqual(records);

    // Another output directory is another build: it compiles the validators again, and they are cached again.
    const elsewhere = run(path.join(scratch, "cli-prune-out-2"));
    expect(elsewhere.status, elsewhere.stdout + elsewhere.stderr).toBe(0);
    expect(entries(path.join(dir, "validators"))).toEqual(validators);
  });

  it("does not look through a folder whose last-prune file is not its own", () => {
    const dir = path.join(scratch, "prune-foreign-stamp");
    const cache = diskCache(dir);
    const key = cacheKey("an entry unused for a month");
    cache.set("validators", key, "old code");
    const file = path.join(dir, "validators", key.slice(0, 2), `${key}.entry`);
    age(file, 30);
    writeFileSync(path.join(dir, PRUNE_STAMP), "a file of the user's\n");
    age(path.join(dir, PRUNE_STAMP), 3);

    expect(pruneCache(dir)).toBeUndefined();
    expect(readFileSync(path.join(dir, PRUNE_STAMP), "utf8")).toBe("a file of the user's\n");
    expect(existsSync(file)).toBe(true);
  });
});
