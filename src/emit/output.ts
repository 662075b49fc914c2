import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmdirSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { GENERATED_MARKER, type GeneratedFile } from "./generated-file.js";

/**
 * Comparing a build with what is on disk, and writing it so that nothing is ever half-written: every new
 * content goes to a temporary file first, and only once all of them exist are they renamed into place. Only
 * files that carry evtc's marker are replaced or deleted; a hand-written file in the way stops the build.
 */

/** How far into a file the marker may be: the first line (or `$comment`, the first key of a JSON file). */
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
  return start.subarray(0, MARKER_WINDOW).toString("utf8").includes(GENERATED_MARKER);
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

/** Every regular file under `dir`, relative to it with `/` separators; none when `dir` does not exist. */
export function listFiles(dir: string, prefix = ""): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const relative = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) found.push(...listFiles(path.join(dir, entry.name), relative));
    else if (entry.isFile()) found.push(relative);
  }
  return found;
}

export function planOutput(outDir: string, files: readonly GeneratedFile[]): OutputPlan {
  const writes: PlannedWrite[] = [];
  const foreign: string[] = [];
  let unchanged = 0;
  const produced = new Set(files.map((f) => f.path));
  for (const file of files) {
    const target = path.join(outDir, file.path);
    if (!existsSync(target)) {
      writes.push({ ...file, replaces: false });
      continue;
    }
    // A rebuild where nothing changed compares every file of the output: a file of another size is read only
    // for its marker, one of the same size once.
    const stat = statSync(target);
    const existing = stat.isFile() && stat.size === Buffer.byteLength(file.content) ? readFileSync(target) : undefined;
    if (!stat.isFile() || !(existing !== undefined ? hasMarker(existing) : carriesMarker(target))) {
      foreign.push(file.path);
    } else if (existing !== undefined && existing.toString("utf8") === file.content) {
      unchanged++;
    } else {
      writes.push({ ...file, replaces: true });
    }
  }
  const deletions = listFiles(outDir)
    .filter((p) => !produced.has(p) && carriesMarker(path.join(outDir, p)))
    .sort();
  return { outDir, writes, deletions, unchanged, foreign: foreign.sort() };
}

export function isUpToDate(plan: OutputPlan): boolean {
  return plan.writes.length === 0 && plan.deletions.length === 0 && plan.foreign.length === 0;
}

/** Applies a plan. A failure before the renames leaves the output directory exactly as it was. */
export function applyOutput(plan: OutputPlan): void {
  const staged: [string, string][] = [];
  try {
    for (const file of plan.writes) {
      const target = path.join(plan.outDir, file.path);
      mkdirSync(path.dirname(target), { recursive: true });
      const temporary = path.join(path.dirname(target), `.${path.basename(target)}.evtc-${process.pid}.tmp`);
      writeFileSync(temporary, file.content);
      staged.push([temporary, target]);
    }
  } catch (error) {
    for (const [temporary] of staged) if (existsSync(temporary)) unlinkSync(temporary);
    throw error;
  }
  for (const [temporary, target] of staged) renameSync(temporary, target);
  for (const relative of plan.deletions) {
    unlinkSync(path.join(plan.outDir, relative));
    removeEmptyParents(path.dirname(path.join(plan.outDir, relative)), plan.outDir);
  }
}

function removeEmptyParents(dir: string, stopAt: string): void {
  let current = dir;
  while (path.resolve(current) !== path.resolve(stopAt) && existsSync(current) && readdirSync(current).length === 0) {
    rmdirSync(current);
    current = path.dirname(current);
  }
}
