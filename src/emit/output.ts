import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { startsWithHeader, type GeneratedFile } from "./generated-file.js";
import { withoutBom } from "../io/utf8.js";

/**
 * Comparing a build with what is on disk, and writing it so that nothing is ever half-written: every new
 * content goes to a temporary file first, and only once all of them exist are they renamed into place. Only
 * files that carry evtc's marker are replaced or deleted; a hand-written file in the way stops the build.
 */

/** How much of a file is read to find evtc's header: its first line (or `$comment`, the first key of a JSON file). */
const MARKER_WINDOW = 512;

export interface PlannedWrite extends GeneratedFile {
  /** Whether a previous build's file is replaced (otherwise the file is new). */
  readonly replaces: boolean;
}

export interface OutputPlan {
  readonly outDir: string;
  /** New files and files whose content changed. */
  readonly writes: readonly PlannedWrite[];
  /** Generated files no longer produced (a topic was deleted), relative to `outDir`. */
  readonly deletions: readonly string[];
  readonly unchanged: number;
  /** Files in the way that evtc did not generate: the build refuses to overwrite them. */
  readonly foreign: readonly string[];
}

function hasMarker(start: Buffer): boolean {
  return startsWithHeader(start.subarray(0, MARKER_WINDOW).toString("utf8"));
}

/** Whether the file at `file` starts with evtc's marker, reading only its first bytes. */
export function carriesMarker(file: string): boolean {
  const fd = openSync(file, "r");
  try {
    const buffer = Buffer.alloc(MARKER_WINDOW);
    const read = readSync(fd, buffer, 0, MARKER_WINDOW, 0);
    return hasMarker(buffer.subarray(0, read));
  } finally {
    closeSync(fd);
  }
}

/**
 * Every regular file under `dir` that a build into `dir` may own, relative to it with `/` separators; none when
 * `dir` does not exist. A subdirectory holding another build's output — a `topology.json` with evtc's marker,
 * which a build writes only at the top of its own output directory — is left out with everything below it:
 * `--out generated` beside `generated/telco` must neither delete nor list telco's files. So are hidden
 * directories (`.git`) and `node_modules`, where a build never writes: a copy of a generated file there is not
 * the build's to delete.
 */
export function listFiles(dir: string, prefix = ""): string[] {
  if (!existsSync(dir)) return [];
  const entries = readdirSync(dir, { withFileTypes: true });
  if (prefix !== "" && entries.some((e) => e.name === "topology.json" && e.isFile())) {
    if (carriesMarker(path.join(dir, "topology.json"))) return [];
  }
  const found: string[] = [];
  for (const entry of entries) {
    const relative = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!entry.name.startsWith(".") && entry.name !== "node_modules") {
        found.push(...listFiles(path.join(dir, entry.name), relative));
      }
    } else if (entry.isFile()) found.push(relative);
  }
  return found;
}

/**
 * Whose output `dir` is: the project its `topology.json` names (a build writes it at the top of every output
 * directory), `""` for evtc output that names none, or `undefined` when `dir` is not evtc's output at all (it
 * does not exist, or has no `topology.json` with evtc's marker): a directory a build may add files to, but in
 * which it deletes none.
 */
export function outputProject(dir: string): string | undefined {
  const file = path.join(dir, "topology.json");
  if (!existsSync(file) || !statSync(file).isFile() || !carriesMarker(file)) return undefined;
  try {
    // With a byte-order mark an editor added, as the header is recognised with one.
    const project = (JSON.parse(withoutBom(readFileSync(file, "utf8"))) as { project?: unknown }).project;
    return typeof project === "string" ? project : "";
  } catch {
    // Whose it is cannot be told (a half-written or conflicted file): not one a build may delete in.
    return undefined;
  }
}

/** Where a file is staged before it is put in place: hidden beside its target, named for this process. */
function stagedPath(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.evtc-${process.pid}.tmp`);
}
/**
 * The kinds of file a build writes (`.ts`, `.d.ts`, `.js`, `.json`, `.yaml`): only such a file, with evtc's
 * header, is obsolete when no longer produced — never a README or notes that begin like one.
 */
const GENERATED_KIND = /\.(ts|js|json|yaml)$/;
/** A path `stagedPath` gives, of any process: an interrupted build's, evtc's own wherever it is. */
const STAGED_FILE = /(?:^|\/)\.[^/]+\.evtc-\d+\.tmp$/;

/**
 * A build's output, written as its files become ready: each file is compared with what is on disk and, when it
 * is new or changed, written to a temporary file beside its target (with `write`; `--check` only compares).
 * `commit` renames them all into place and deletes the obsolete files; `discard` removes the temporary files
 * and the directories made for them, leaving the output directory as it was. A build writes most of its files
 * while its validators are still being compiled in another thread, and none is in place before all are.
 */
export class StagedOutput {
  private readonly writes: PlannedWrite[] = [];
  private readonly foreign: string[] = [];
  private readonly produced = new Set<string>();
  private unchanged = 0;
  /** Temporary files written, and the targets they will be renamed to. */
  private readonly staged: [string, string][] = [];
  /** Directories made for temporary files: each with the outermost one `mkdir` created on the way. */
  private readonly madeDirectories: [string, string][] = [];

  /** Directories known to exist: made by `stage`, or found there. */
  private readonly directories = new Set<string>();
  /** Whether the output directory did not exist: then no file is in the way, and none is obsolete. */
  private readonly fresh: boolean;

  constructor(
    readonly outDir: string,
    private readonly write: boolean,
  ) {
    this.fresh = !existsSync(outDir);
  }

  /** Compares `files` with the output directory, and stages the new and changed ones. Idempotent per path. */
  add(files: readonly GeneratedFile[]): void {
    for (const file of files) {
      if (this.produced.has(file.path)) continue;
      this.produced.add(file.path);
      const planned = this.compare(file);
      if (planned === undefined) continue;
      this.writes.push(planned);
      // A foreign file stops the build: nothing more is staged, and what was will be discarded.
      if (this.write && this.foreign.length === 0) this.stage(planned);
    }
  }

  private compare(file: GeneratedFile): PlannedWrite | undefined {
    const target = path.join(this.outDir, file.path);
    if (this.fresh) return { ...file, replaces: false };
    if (!existsSync(target)) {
      // A file where the target's folder should be (`validators` as a file) is in the way, like one at the target.
      const blocking = this.blocking(file.path);
      if (blocking === undefined) return { ...file, replaces: false };
      if (!this.foreign.includes(blocking)) this.foreign.push(blocking);
      return undefined;
    }
    // A rebuild where nothing changed compares every file of the output: a file of another size is read only
    // for its marker, one of the same size once.
    const stat = statSync(target);
    const existing = stat.isFile() && stat.size === Buffer.byteLength(file.content) ? readFileSync(target) : undefined;
    if (!stat.isFile() || !(existing !== undefined ? hasMarker(existing) : carriesMarker(target))) {
      this.foreign.push(file.path);
      return undefined;
    }
    if (existing !== undefined && existing.toString("utf8") === file.content) {
      this.unchanged++;
      return undefined;
    }
    return { ...file, replaces: true };
  }

  /** Folders found to exist between the output directory and a target, or not to (then nothing below does). */
  private readonly folders = new Map<string, "directory" | "missing" | "file">();

  /** The nearest folder of `relative` (a path in the output directory) that is something other than a directory. */
  private blocking(relative: string): string | undefined {
    const parts = relative.split("/");
    for (let depth = 1; depth < parts.length; depth++) {
      const folder = parts.slice(0, depth).join("/");
      let kind = this.folders.get(folder);
      if (kind === undefined) {
        const full = path.join(this.outDir, folder);
        kind = !existsSync(full) ? "missing" : statSync(full).isDirectory() ? "directory" : "file";
        this.folders.set(folder, kind);
      }
      if (kind === "missing") return undefined;
      if (kind === "file") return folder;
    }
    return undefined;
  }

  private stage(file: PlannedWrite): void {
    const target = path.join(this.outDir, file.path);
    const directory = path.dirname(target);
    try {
      if (!this.directories.has(directory)) {
        const made = makeDirectory(directory);
        if (made !== undefined) this.madeDirectories.push([directory, made]);
        this.directories.add(directory);
      }
      const temporary = stagedPath(target);
      this.staged.push([temporary, target]);
      writeFileSync(temporary, file.content);
    } catch (error) {
      throw OutputError.from(error, target);
    }
  }

  /** What the build changes: every file added so far is taken as the whole build. */
  plan(): OutputPlan {
    // This build's own temporary files are not obsolete ones (an interrupted build's are: they carry the marker).
    const staging = new Set(
      this.staged.map(([temporary]) => path.relative(this.outDir, temporary).split(path.sep).join("/")),
    );
    // Only in a directory a build wrote before: `--out .` in a folder that happens to hold a generated file
    // deletes nothing but what an interrupted build left.
    const ownOutput = !this.fresh && outputProject(this.outDir) !== undefined;
    const deletions = (this.fresh ? [] : listFiles(this.outDir))
      .filter((p) => ownOutput || STAGED_FILE.test(p))
      .filter((p) => (GENERATED_KIND.test(p) || STAGED_FILE.test(p)) && !this.produced.has(p) && !staging.has(p))
      .filter((p) => carriesMarker(path.join(this.outDir, p)))
      .sort();
    const writes = [...this.writes].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { outDir: this.outDir, writes, deletions, unchanged: this.unchanged, foreign: [...this.foreign].sort() };
  }

  /** Puts every staged file in place and deletes the obsolete files of `plan` (what `plan()` reported). */
  commit(plan: OutputPlan): void {
    if (!this.write || this.foreign.length > 0) throw new Error("this output cannot be committed");
    // Entries leave the list once in place: should a rename fail, `discard` still finds the rest.
    let renamed = 0;
    try {
      for (const [temporary, target] of this.staged) {
        renameSync(temporary, target);
        renamed++;
      }
    } finally {
      this.staged.splice(0, renamed);
    }
    this.madeDirectories.length = 0;
    for (const relative of plan.deletions) {
      unlinkSync(path.join(this.outDir, relative));
      removeEmptyParents(path.dirname(path.join(this.outDir, relative)), this.outDir);
    }
  }

  /** Removes what was staged: the output directory is left as it was. */
  discard(): void {
    for (const [temporary] of this.staged.splice(0)) if (existsSync(temporary)) unlinkSync(temporary);
    for (const [directory, made] of this.madeDirectories.splice(0).reverse()) {
      removeEmptyParents(directory, path.dirname(made));
    }
    this.directories.clear();
  }
}

/**
 * The output directory cannot be written (a file where a directory must be, no permission, a read-only or
 * special file system): the user's to fix, not a bug in evtc.
 */
export class OutputError extends Error {
  static from(error: unknown, target: string): unknown {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (typeof code !== "string") return error;
    const reason = (error as Error).message.replace(/^[A-Z]+: /, "");
    return new OutputError(`cannot write ${target}: ${reason}`);
  }
}

/**
 * `mkdir -p`, one directory at a time from the nearest one that exists: the outermost directory made, if any.
 * Node's recursive `mkdirSync` never returns on some special file systems (under `/proc`, a child reports
 * ENOENT and its parent EEXIST, and it retries without end, out of reach of Ctrl-C).
 */
function makeDirectory(directory: string): string | undefined {
  const missing: string[] = [];
  for (let current = directory; !existsSync(current); current = path.dirname(current)) {
    missing.push(current);
    if (path.dirname(current) === current) break;
  }
  for (const made of [...missing].reverse()) mkdirSync(made);
  return missing.at(-1);
}

export function isUpToDate(plan: OutputPlan): boolean {
  return plan.writes.length === 0 && plan.deletions.length === 0 && plan.foreign.length === 0;
}

function removeEmptyParents(dir: string, stopAt: string): void {
  let current = dir;
  while (path.resolve(current) !== path.resolve(stopAt) && existsSync(current) && readdirSync(current).length === 0) {
    rmdirSync(current);
    current = path.dirname(current);
  }
}
