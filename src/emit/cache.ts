import { createHash, randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { threadId } from "node:worker_threads";

/**
 * A persistent cache of what a build computes from its input alone — ajv's standalone code for a schema — so
 * that a build where little changed redoes little. Like babel's, eslint's and prettier's, it lives in
 * `node_modules/.cache/evtc/` of the nearest package (see `cacheDirectory`); docs/build.md describes it.
 *
 * It never decides what a build writes, only how fast: an entry is the value of a pure function of its key,
 * and every key includes what that function depends on (the input, the versions of the tools, evtc's own code).
 * An entry is trusted only when its key and the checksum of its value match; anything else (a truncated file,
 * another key's entry, garbage) is a miss, and the value is computed again and the entry rewritten. Entries are
 * written to a temporary file and renamed into place, so that concurrent builds never read a half-written one; a
 * cache that cannot be read or written is ignored, never a failure of the build.
 */

export interface CacheStats {
  hits: number;
  misses: number;
  /** Entries present but not trusted (corrupt, another key's): counted in `misses` as well. */
  rejected: number;
}

export interface BuildCache {
  /** The cached value for `key` in `kind` (`validators`), or undefined. */
  get(kind: string, key: string): string | undefined;
  set(kind: string, key: string, value: string): void;
  readonly stats: CacheStats;
  /** Where a disk cache is (for a worker thread to write its own entries to): undefined for no cache. */
  readonly directory?: string;
}

/** A cache that holds nothing: what `EVTC_CACHE=0` gives, and what tests and library callers get by default. */
export function noCache(): BuildCache {
  const stats: CacheStats = { hits: 0, misses: 0, rejected: 0 };
  return {
    stats,
    get() {
      stats.misses++;
      return undefined;
    },
    set() {},
  };
}

/**
 * The source of the module at `url` (its `import.meta.url`), for the keys of values its code computes: an evtc
 * being worked on changes its code without changing its version. Empty when it cannot be read.
 */
export function ownSource(url: string): string {
  try {
    return readFileSync(fileURLToPath(url), "utf8");
  } catch {
    return "";
  }
}

/** The key of a value computed from `parts`: a hash over all of them, unambiguous however they are split. */
export function cacheKey(...parts: readonly string[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(`${part.length}:`).update(part);
  return hash.digest("hex");
}

/** The SHA-256 of a text or of bytes, in hex: an entry's checksum, and a build record's hash of a file. */
export function sha256(content: string | Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}

/**
 * Temporary files' names: unique to this thread of this process (a random token too, for machines sharing a
 * cache directory, where process ids can repeat), then numbered.
 */
const TEMPORARY_PREFIX = `${process.pid}.${threadId}.${randomBytes(4).toString("hex")}.`;
let temporaries = 0;

/** The first word of every entry's header line, whatever its format: how `pruneCache` knows an entry as evtc's. */
const HEADER_TAG = "evtc-cache";

/** Bumped when the entry format changes, so that an older evtc's entries are never read as this one's. */
const FORMAT = 2;

/**
 * An entry is a header line naming the format, the key and the SHA-256 of the value, then the value as it is:
 * not a JSON document, whose escaping of a validator's code cost more than the rest of writing it. A value that
 * is not well-formed UTF-16 (a lone surrogate) does not survive the UTF-8 file: its checksum then fails, and
 * the entry is computed again each time, never trusted.
 */
function header(key: string, value: string): string {
  return `${HEADER_TAG} ${FORMAT} ${key} ${sha256(value)}`;
}

/** A cache in `dir`, created on first write. Keys are hex strings, as `cacheKey` makes them. */
export function diskCache(dir: string): BuildCache {
  const stats: CacheStats = { hits: 0, misses: 0, rejected: 0 };
  let writable = true;
  const fileOf = (kind: string, key: string) => {
    if (!/^[a-z-]+$/.test(kind) || !/^[0-9a-f]{64}$/.test(key)) throw new Error(`bad cache key ${kind}/${key}`);
    return path.join(dir, kind, key.slice(0, 2), `${key}.entry`);
  };
  // Whether each kind's directory was there when first asked: a first build asks for a thousand entries of a
  // cache that has none, and is spared a stat for each.
  const present = new Map<string, boolean>();
  return {
    stats,
    directory: dir,
    get(kind, key) {
      const file = fileOf(kind, key);
      let there = present.get(kind);
      if (there === undefined) present.set(kind, (there = existsSync(path.join(dir, kind))));
      if (!there) {
        stats.misses++;
        return undefined;
      }
      let text: string;
      // A miss is the common case of a first build: a stat, not an exception (with its stack) per entry.
      const modified = modifiedAt(file);
      if (modified === undefined) {
        stats.misses++;
        return undefined;
      }
      try {
        text = readFileSync(file, "utf8");
      } catch {
        stats.misses++;
        return undefined;
      }
      const newline = text.indexOf("\n");
      if (newline >= 0) {
        const value = text.slice(newline + 1);
        if (text.slice(0, newline) === header(key, value)) {
          stats.hits++;
          markUsed(file, modified);
          return value;
        }
      }
      stats.rejected++;
      stats.misses++;
      return undefined;
    },
    set(kind, key, value) {
      if (!writable) return;
      const file = fileOf(kind, key);
      const temporary = `${file}.${TEMPORARY_PREFIX}${++temporaries}.tmp`;
      try {
        const text = `${header(key, value)}\n${value}`;
        try {
          writeFileSync(temporary, text);
        } catch (error) {
          // The entry's directory is made on the first write into it, not checked before every write.
          if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
          mkdirSync(path.dirname(file), { recursive: true });
          writeFileSync(temporary, text);
        }
        renameSync(temporary, file);
        present.set(kind, true);
      } catch {
        // A read-only or full disk: go on without the cache, and stop trying.
        writable = false;
        try {
          unlinkSync(temporary);
        } catch {
          // nothing more to do
        }
      }
    },
  };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * How long an entry stays once no build uses it: a week, as Gradle keeps its local build cache's entries. An
 * entry is used when a build reads it or writes it; a branch left for longer, or an event unchanged while the
 * whole build is recalled from its record, compiles its validators again the next time.
 */
export const UNUSED_ENTRY_MS = 7 * DAY_MS;
/** How often a build looks through the cache for entries to remove. */
export const PRUNE_INTERVAL_MS = DAY_MS;
/**
 * A read entry is marked as used (its modification time set to now) only when that time is this old: a day's
 * precision is enough for a week's age, and a build that reads a thousand fresh entries touches none of them.
 */
const MARK_USED_AFTER_MS = DAY_MS;

/** Marks a cache entry just read as used, for `pruneCache`; a cache on a read-only disk keeps its times. */
function markUsed(file: string, modifiedMs: number): void {
  const now = Date.now();
  if (now - modifiedMs < MARK_USED_AFTER_MS) return;
  try {
    const at = new Date(now);
    utimesSync(file, at, at);
  } catch {
    // The entry is still good; it may only be removed a little sooner.
  }
}

/** The file whose modification time says when the cache in a directory was last looked through. */
export const PRUNE_STAMP = "last-prune";

export interface PruneResult {
  /** Files removed: entries unused for `UNUSED_ENTRY_MS` (of this format or the one before), stray temporaries. */
  readonly removed: number;
  /** Entries kept. */
  readonly kept: number;
}

/** What evtc writes in a cache directory: `<kind>/<2 hex digits>/` holding entries and their temporaries. */
const KIND_DIRECTORY = /^[a-z-]+$/;
const SHARD_DIRECTORY = /^[0-9a-f]{2}$/;
/** An entry (`<key>.entry`), or one of format 1 (`<key>.json`, a JSON document no evtc of format 2 or later reads). */
const ENTRY_FILE = /^([0-9a-f]{64})\.(entry|json)$/;
/** A temporary file of an entry being written: `<key>.entry.<pid>.<thread>.<8 hex>.<n>.tmp` (`TEMPORARY_PREFIX`). */
const TEMPORARY_FILE = /^([0-9a-f]{64})\.(entry|json)\.\d+\.\d+\.[0-9a-f]{8}\.\d+\.tmp$/;
/** What the stamp file says: a stamp that says anything else is not evtc's, and its folder is left alone. */
const STAMP_TEXT = "evtc removes cache entries no build used for a week, once a day: see docs/build.md\n";

/**
 * Whether `file` begins as evtc writes an entry with `key`: a header line (`header`, of this format or a later
 * one), or for `<key>.json` a JSON document of format 1. A file named like an entry that begins otherwise is not
 * evtc's.
 */
function beginsAsEntry(file: string, key: string, formatOne: boolean): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const start = Buffer.alloc(128);
    const text = start.toString("utf8", 0, readSync(fd, start, 0, start.length, 0));
    if (formatOne) return text.startsWith(`{"format":1,"key":"${key}"`);
    const [tag, format, named] = text.split(" ", 3);
    return tag === HEADER_TAG && /^\d+$/.test(format ?? "") && named === key;
  } catch {
    return false;
  } finally {
    try {
      if (fd !== undefined) closeSync(fd);
    } catch {
      // Nothing was written through it.
    }
  }
}

/**
 * Removes from the cache in `dir` what no build will read: entries no build used for `UNUSED_ENTRY_MS` (in this
 * format or an older one), and temporaries left by a build that was killed while writing (older than a day). It
 * looks through the cache at most once per `PRUNE_INTERVAL_MS` (a stamp file remembers when), so that most builds
 * only stat one file; undefined when it did not look. Only what evtc wrote is ever removed: files in its folders,
 * named as it names them, and for entries beginning as it writes them; a cache directory set to a folder holding
 * other files (`EVTC_CACHE_DIR`) loses none of them, and one whose `last-prune` is not evtc's is not looked
 * through. Errors are ignored, as everywhere in the cache: a build running at the same time at worst finds an
 * entry gone, a miss. Emptied folders stay, so that such a build never finds its folder gone while it writes.
 */
export function pruneCache(dir: string, now = Date.now()): PruneResult | undefined {
  const stamp = path.join(dir, PRUNE_STAMP);
  try {
    const last = statSync(stamp, { throwIfNoEntry: false });
    if (last !== undefined && now - last.mtimeMs < PRUNE_INTERVAL_MS) return undefined;
    if (!existsSync(dir)) return undefined;
    if (last !== undefined && readFileSync(stamp, "utf8") !== STAMP_TEXT) return undefined;
    // Stamped first, so that builds starting meanwhile do not look through it as well.
    writeFileSync(stamp, STAMP_TEXT, { flag: last === undefined ? "wx" : "w" });
    const at = new Date(now);
    utimesSync(stamp, at, at);
    // A cache without a stamp was made before this or has just been made: its entries' times say nothing yet
    // about their use, as older evtc versions never marked reads. Its first look is a day from now.
    if (last === undefined) return undefined;
  } catch {
    return undefined;
  }
  let removed = 0;
  let kept = 0;
  const removeIfOlder = (file: string, ageMs: number): boolean => {
    // Asked again just before: a build may have put a fresh entry in its place since the folder was listed.
    const modified = modifiedAt(file);
    if (modified === undefined || now - modified < ageMs) return false;
    try {
      unlinkSync(file);
      removed++;
      return true;
    } catch {
      return false; // Gone already, or not ours to remove after all.
    }
  };
  for (const kind of safeList(dir)) {
    if (kind === PRUNE_STAMP || !KIND_DIRECTORY.test(kind)) continue;
    const kindDir = path.join(dir, kind);
    for (const shard of safeList(kindDir)) {
      if (!SHARD_DIRECTORY.test(shard)) continue;
      const shardDir = path.join(kindDir, shard);
      for (const name of safeList(shardDir)) {
        const file = path.join(shardDir, name);
        const entry = ENTRY_FILE.exec(name);
        if (entry !== null) {
          if (!entry[1]!.startsWith(shard) || !beginsAsEntry(file, entry[1]!, entry[2] === "json")) continue;
          if (!removeIfOlder(file, UNUSED_ENTRY_MS) && entry[2] === "entry") kept++;
          continue;
        }
        const temporary = TEMPORARY_FILE.exec(name);
        if (temporary !== null && temporary[1]!.startsWith(shard)) removeIfOlder(file, DAY_MS);
      }
    }
  }
  return { removed, kept };
}

function modifiedAt(file: string): number | undefined {
  try {
    return statSync(file, { throwIfNoEntry: false })?.mtimeMs;
  } catch {
    return undefined;
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/**
 * Where a build keeps its cache: `EVTC_CACHE_DIR` when set, otherwise `node_modules/.cache/evtc` in the nearest
 * directory holding a `package.json`, looking up from the project directory, then from the working directory.
 * Undefined — no cache — when `EVTC_CACHE` is `0` (or `false`, `off`), or when no package is found.
 */
export function cacheDirectory(projectDir: string, cwd: string, env: NodeJS.ProcessEnv): string | undefined {
  const setting = (env["EVTC_CACHE"] ?? "").trim().toLowerCase();
  if (setting === "0" || setting === "false" || setting === "off" || setting === "no") return undefined;
  const explicit = env["EVTC_CACHE_DIR"];
  if (explicit !== undefined && explicit !== "") return path.resolve(cwd, explicit);
  for (const start of [projectDir, cwd]) {
    let dir = path.resolve(cwd, start);
    for (;;) {
      if (existsSync(path.join(dir, "package.json"))) return path.join(dir, "node_modules", ".cache", "evtc");
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return undefined;
}

/** The cache a build at `projectDir` uses: on disk where `cacheDirectory` says, or none. */
export function openCache(projectDir: string, cwd: string, env: NodeJS.ProcessEnv): BuildCache {
  const dir = cacheDirectory(projectDir, cwd, env);
  return dir === undefined ? noCache() : diskCache(dir);
}
