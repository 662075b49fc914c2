import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CONFIG_FILE, lockPath, projectRoot } from "../config/config.js";
import { readSources, readTextIfThere, type ReadResult } from "../io/read-sources.js";
import { cacheKey, sha256, type BuildCache } from "./cache.js";
import { carriesMarker, listFiles } from "./output.js";

/**
 * What a successful build remembers, so that the next build of the same inputs does nothing but confirm it:
 * like tsc's `.tsbuildinfo` or a build tool's action cache. A build's output and report are a pure function of
 * its inputs — the `.evt` files, `evt.lock`, `evtc.json`, the options, and evtc with the tools it runs — so
 * when all of them are as they were and the output directory still holds exactly what that build wrote, the
 * build is up to date without being redone. Anything else (a changed byte in an input, an edited or deleted
 * generated file, another evtc) misses, and the build runs in full.
 */

export interface BuildRecord {
  /** What the build printed before its summary (diagnostics: warnings and notes). */
  readonly report: string;
  /** Every file it generated, by path relative to the output directory, with the SHA-256 of its content. */
  readonly outputs: Readonly<Record<string, string>>;
}

export interface BuildRequest {
  readonly paths: readonly string[];
  readonly cwd: string;
  readonly configPath?: string;
  readonly outDir: string;
  readonly project: string;
  /** Everything else that changes the output or the report (colour, say), as text. */
  readonly options: string;
  /** The sources as the build reads them, when read already: the key then describes exactly what is built. */
  readonly sources?: ReadResult;
  /** `evt.lock` as the build reads it, when read already (null: there is none), for the same reason. */
  readonly lockText?: string | null;
}

const FORMAT = 1;

/** The files of evtc's own code (the compiled `dist/`, or the sources when run from them), in a stable order. */
function ownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return ownFiles(full);
      // Declaration files (`.d.ts`) change nothing evtc does.
      return /\.(js|ts)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [full] : [];
    });
}

let toolFingerprint: string | undefined;

/** evtc's code and the versions of the tools whose output it commits: a new evtc never reuses an old record. */
function tools(): string {
  if (toolFingerprint !== undefined) return toolFingerprint;
  const codeDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
  const require = createRequire(import.meta.url);
  const versions = ["ajv", "ajv-formats", "prettier"].map(
    (name) => `${name} ${(require(`${name}/package.json`) as { version: string }).version}`,
  );
  const code = ownFiles(codeDir).map((file) => `${path.relative(codeDir, file)} ${sha256(readFileSync(file))}`);
  toolFingerprint = sha256([...versions, ...code].join("\n"));
  return toolFingerprint;
}

/**
 * A file's text for the key; undefined when there is none, and a mark no text has when it is there but cannot be
 * read (the check then says so: such a build must not be recalled as the one without the file).
 */
function readIfPresent(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  try {
    // A link to nothing is there, and unreadable: the check reports it (EVT0003).
    return readTextIfThere(file);
  } catch {
    return "\u0002unreadable";
  }
}

/** The key of a build: a hash of every input, read afresh. */
export function buildKey(request: BuildRequest): string {
  const sources = request.sources ?? readSources(request.paths, request.cwd);
  const root = projectRoot(request.paths, request.cwd);
  const config =
    request.configPath !== undefined
      ? path.resolve(request.cwd, request.configPath)
      : root !== undefined
        ? path.join(root, CONFIG_FILE)
        : undefined;
  const lock = lockPath(request.paths, request.cwd);
  return cacheKey(
    "build",
    String(FORMAT),
    tools(),
    request.cwd,
    request.outDir,
    request.project,
    request.options,
    JSON.stringify(request.paths),
    JSON.stringify(sources.sources.map((s) => [s.path, s.text])),
    // A source that could not be read is in the report: keep such builds out of the record.
    String(sources.diagnostics.length),
    `${config ?? ""}\u0000${readIfPresent(config) ?? "\u0001"}`,
    `${lock ?? ""}\u0000${(request.lockText === undefined ? readIfPresent(lock) : request.lockText) ?? "\u0001"}`,
  );
}

/**
 * The record of an earlier build with this key, when the output directory holds exactly what that build
 * wrote: every file with the same content, and no other generated file.
 */
export function recallBuild(cache: BuildCache, key: string, outDir: string): BuildRecord | undefined {
  const text = cache.get("builds", key);
  if (text === undefined) return undefined;
  let record: BuildRecord;
  try {
    record = JSON.parse(text) as BuildRecord;
  } catch {
    return undefined;
  }
  if (typeof record.report !== "string" || typeof record.outputs !== "object" || record.outputs === null)
    return undefined;
  let expected = 0;
  for (const file of listFiles(outDir)) {
    const recorded = record.outputs[file];
    if (recorded === undefined) {
      // A file the build did not write: left alone when it is not evtc's, a stale one to remove when it is.
      if (carriesMarker(path.join(outDir, file))) return undefined;
      continue;
    }
    if (sha256(readFileSync(path.join(outDir, file))) !== recorded) return undefined;
    expected++;
  }
  return expected === Object.keys(record.outputs).length ? record : undefined;
}

/** The hash a build record keeps of a generated file's content. */
export function outputHash(content: string): string {
  return sha256(content);
}

/**
 * Remembers a build whose output directory now holds `files` exactly. `hashes` holds the `outputHash` of files
 * already hashed (by path): `evtc build` hashes each file as it is staged, while it waits for the validators.
 */
export function rememberBuild(
  cache: BuildCache,
  key: string,
  report: string,
  files: readonly { path: string; content: string }[],
  hashes: ReadonlyMap<string, string> = new Map(),
): void {
  const outputs: Record<string, string> = {};
  for (const file of files) outputs[file.path] = hashes.get(file.path) ?? outputHash(file.content);
  cache.set("builds", key, JSON.stringify({ report, outputs } satisfies BuildRecord));
}
