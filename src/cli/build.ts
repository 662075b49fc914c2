import { existsSync, statSync } from "node:fs";
import { constants } from "node:os";
import path from "node:path";
import { exitCodeFor, hasErrors } from "../diagnostics/diagnostic.js";
import { renderAll } from "../diagnostics/render.js";
import { lockPath, projectRoot } from "../config/config.js";
import { openCache, pruneCache, type BuildCache } from "../emit/cache.js";
import type { BuildInput, StartedBuild } from "../emit/build.js";
import type { CompileWorkers } from "../emit/compile-workers.js";
import type { ProjectConfig } from "../config/config.js";
import type { Lock } from "../contracts/lock.js";
import type { BusModel } from "../model/bus.js";
import { isUpToDate, OutputError, outputProject, StagedOutput } from "../emit/output.js";
import { readSources, readTextIfThere, type ReadResult } from "../io/read-sources.js";
import { buildKey, outputHash, recallBuild, rememberBuild } from "../emit/manifest.js";
import type { Terminal } from "./run.js";

export interface BuildOptions {
  /** The output directory; `generated/<project>` under the working directory when absent. */
  readonly out?: string;
  /** Compare only: exit 1, naming each stale file, when the output directory differs from a fresh build. */
  readonly check: boolean;
  /** How diagnostics are printed: as text, or as GitHub annotations; text when absent. */
  readonly format?: "text" | "github";
  readonly color: boolean;
  readonly configPath?: string;
}

/**
 * `evtc build`: check the project, then generate everything in memory, then write it all or nothing. When
 * nothing changed since a build this cache remembers (see `manifest.ts`), it only confirms that.
 */
export async function buildCommand(
  paths: readonly string[],
  options: BuildOptions,
  terminal: Terminal,
): Promise<number> {
  const projectDir = projectRoot(paths, terminal.cwd) ?? terminal.cwd;
  const project = path.basename(projectDir);
  if (options.out !== undefined && options.out.trim() === "") {
    // An unset variable in a CI script (`--out "$OUT"`): the working directory is not what was meant.
    terminal.stderr("error: --out needs a directory\n  = help: leave --out out for generated/<project>\n");
    return 2;
  }
  const outDir = path.resolve(terminal.cwd, options.out ?? path.join("generated", project));
  const shownOut = path.relative(terminal.cwd, outDir) || ".";
  if (!underDirectory(outDir)) {
    // Said before the check, and alike with --check, which would otherwise call every file missing.
    terminal.stderr(
      `error: cannot write ${shownOut}: not a directory\n  = help: choose an output directory with --out\n`,
    );
    return 2;
  }
  const owner = outputProject(outDir);
  if (owner !== undefined && owner !== "" && owner !== project) {
    // Each build deletes the files its project no longer generates: two projects in one directory would delete
    // each other's.
    terminal.stderr(
      `error: ${shownOut} holds the generated code of project \`${owner}\`, not of \`${project}\`\n` +
        "  = help: give each project an output directory of its own with --out (generated/<project> by default)\n",
    );
    return 2;
  }
  const cache = openCache(projectDir, terminal.cwd, terminal.env);
  // Read once: the build key describes exactly the sources that are then checked and built.
  const sources = readSources(paths, terminal.cwd);
  const lockText = readLockText(paths, terminal.cwd);
  const key = buildKey({
    sources,
    ...(lockText !== undefined ? { lockText } : {}),
    paths,
    cwd: terminal.cwd,
    ...(options.configPath !== undefined ? { configPath: options.configPath } : {}),
    outDir,
    project,
    options: JSON.stringify({ color: options.color, format: options.format ?? "text" }),
  });
  const remembered = recallBuild(cache, key, outDir);
  if (remembered !== undefined) {
    const count = Object.keys(remembered.outputs).length;
    terminal.stdout(remembered.report);
    terminal.stdout(options.check ? upToDate(shownOut, count) : summary(shownOut, 0, 0, count));
    pruneOnceADay(cache);
    return 0;
  }

  // Validator workers start now, so that they load and warm ajv up on another core while this one checks the
  // project (`serveCompilations`). A build with nothing changed (above) needs neither them nor the checker.
  const { startCompileWorkers } = await import("../emit/compile-workers.js");
  const compileWorkers = startCompileWorkers();
  // evt.lock goes to them at once: a project in use differs from it in an event or two, so the schemas it
  // records are most of what they compile, and they start on them while this thread reads the project.
  if (typeof lockText === "string") compileWorkers?.readLock(lockText, cache.directory);
  try {
    return await checkAndBuild(paths, options, terminal, {
      projectDir,
      project,
      outDir,
      shownOut,
      cache,
      key,
      compileWorkers,
      sources,
      lockText,
    });
  } finally {
    compileWorkers?.close();
    pruneOnceADay(cache);
  }
}

/** Whether `dir`, or else the nearest of its parents that exists, is a directory: not a file in the way. */
function underDirectory(dir: string): boolean {
  let current = dir;
  while (!existsSync(current) && path.dirname(current) !== current) current = path.dirname(current);
  return statSync(current).isDirectory();
}

/** Removes the cache entries no build used for a week, when the cache was last looked through a day ago. */
function pruneOnceADay(cache: BuildCache): void {
  if (cache.directory !== undefined) pruneCache(cache.directory);
}

interface BuildContext {
  readonly projectDir: string;
  readonly project: string;
  readonly outDir: string;
  readonly shownOut: string;
  readonly cache: BuildCache;
  readonly key: string;
  readonly compileWorkers: CompileWorkers | undefined;
  readonly sources: ReadResult;
  /** evt.lock as read once for the build key, the validator workers and the check; null when there is none. */
  readonly lockText: string | null | undefined;
}

/**
 * The text of the project's evt.lock, read once: null when there is none, undefined when it cannot be read (the
 * check reads it again, and says why).
 */
function readLockText(paths: readonly string[], cwd: string): string | null | undefined {
  const file = lockPath(paths, cwd);
  if (file === undefined) return null;
  try {
    // Without a byte-order mark, as the check reads it: the workers parse this very text. A link to nothing is
    // unreadable, not missing.
    return readTextIfThere(file) ?? null;
  } catch {
    return undefined;
  }
}

async function checkAndBuild(
  paths: readonly string[],
  options: BuildOptions,
  terminal: Terminal,
  { projectDir, project, outDir, shownOut, cache, key, compileWorkers, sources, lockText }: BuildContext,
): Promise<number> {
  // Loaded here, not at the top: ajv and the emitters take a while to load, which no other command needs.
  const [{ checkPaths }, { startBuild }] = await Promise.all([import("../program.js"), import("../emit/build.js")]);
  // Files are staged (written beside their targets) as soon as they are ready, most of them while the
  // validators compile in another thread; none is put in place before the whole build is staged.
  const output = new StagedOutput(outDir, !options.check);
  // The build record's hash of each file, worked out as the file is staged rather than all at the end.
  const hashes = new Map<string, string>();
  const buildInput = (model: BusModel, lock: Lock, config: ProjectConfig): BuildInput => ({
    model,
    lock,
    project,
    projectDir,
    cwd: terminal.cwd,
    cache,
    strimzi: config.strimzi,
    ...(compileWorkers !== undefined ? { compileWorkers } : {}),
    ready: (early) => {
      output.add(early);
      for (const file of early) hashes.set(file.path, outputHash(file.content));
    },
  });
  // With worker threads, the validators start compiling as soon as the project is resolved, while the rules
  // still run on this thread. Without (a single core), they would compile here, before the rules: not sooner.
  let started: StartedBuild | undefined;
  const result = checkPaths(paths, terminal.cwd, {
    sources,
    // The very text the build key hashed and the workers were given: the build asks them for its schemas by
    // reference only then.
    ...(lockText !== undefined ? { lockText } : {}),
    ...(options.configPath !== undefined ? { configPath: options.configPath } : {}),
    ...(compileWorkers !== undefined
      ? {
          resolved: (model: BusModel, lock: Lock, config: ProjectConfig) => {
            started = startBuild(buildInput(model, lock, config));
          },
        }
      : {}),
  });
  const report =
    result.diagnostics.length > 0
      ? `${renderAll(result.diagnostics, options.format ?? "text", { color: options.color })}\n\n`
      : "";
  terminal.stdout(report);
  if (hasErrors(result.diagnostics)) {
    started?.abandon();
    terminal.stdout("nothing was generated: fix the errors first\n");
    return exitCodeFor(result.diagnostics);
  }
  // Started by the hook whenever there are workers (a project without errors has resolved without errors).
  const build = started ?? startBuild(buildInput(result.model, result.lock, result.config));
  const stopDiscarding = discardOnSignal(output);
  try {
    const files = await build.files();
    // Every validator is compiled: the workers write the last cache entries while this thread writes the output,
    // and a build that gets this far waits for them (one that failed earlier does not: its workers are closed).
    const cacheWritten = compileWorkers?.drain();
    output.add(files);
    const plan = output.plan();
    if (plan.foreign.length > 0) {
      output.discard();
      terminal.stderr(
        `error: ${plan.foreign.length === 1 ? "a file" : "files"} in ${shownOut} not generated by evtc would be overwritten:\n` +
          plan.foreign.map((f) => `  ${f}\n`).join("") +
          "  = help: move them out of the output directory, or choose another one with --out\n",
      );
      return 2;
    }
    if (options.check) {
      if (isUpToDate(plan)) {
        rememberBuild(cache, key, report, files, hashes);
        await cacheWritten;
        terminal.stdout(upToDate(shownOut, files.length));
        return 0;
      }
      terminal.stdout(
        `${shownOut} is stale; run \`evtc build\` and commit the result:\n` +
          plan.writes.map((f) => `  ${f.replaces ? "changed " : "missing "}  ${f.path}\n`).join("") +
          plan.deletions.map((f) => `  obsolete  ${f}\n`).join(""),
      );
      await cacheWritten;
      return 1;
    }
    output.commit(plan);
    rememberBuild(cache, key, report, files, hashes);
    await cacheWritten;
    terminal.stdout(summary(shownOut, plan.writes.length, plan.deletions.length, plan.unchanged));
    return 0;
  } catch (error) {
    output.discard();
    if (!(error instanceof OutputError)) throw error;
    terminal.stderr(
      `error: ${error.message}\n  = help: choose an output directory evtc can create and write, with --out\n`,
    );
    return 2;
  } finally {
    stopDiscarding();
  }
}

/**
 * Staged files sit beside their targets for most of a build: an interrupted build (Ctrl-C, a CI job's timeout)
 * removes them, and the directories made for them, before it exits as the signal would have it. Node runs the
 * handler when the build next waits; a signal that comes during the final renames, with nothing left waiting,
 * lets the build finish, its output complete.
 */
function discardOnSignal(output: StagedOutput): () => void {
  const handlers = (["SIGINT", "SIGTERM", "SIGHUP"] as const).map((signal) => {
    const handler = () => {
      output.discard();
      process.exit(128 + constants.signals[signal]);
    };
    process.once(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}

/** What `--check` says when the output matches a fresh build. */
function upToDate(out: string, files: number): string {
  return `${out} is up to date (${files} files)\n`;
}

/** What a build says it did to the output directory. */
function summary(out: string, written: number, removed: number, unchanged: number): string {
  return `${out}: ${written} written, ${removed} removed, ${unchanged} unchanged\n`;
}
