import { displayPath, errnoReason } from "../io/read-sources.js";
import { writeAtomically } from "../io/write-atomically.js";
import { currentContracts, formatLock, withCurrentVersionsAndTopics } from "../contracts/lock.js";
import { exitCodeFor, hasErrors } from "../diagnostics/diagnostic.js";
import { renderAll } from "../diagnostics/render.js";
import { checkPaths, lockPath } from "../program.js";
import type { Terminal } from "./run.js";

export interface LockOptions {
  readonly check: boolean;
  /** How diagnostics are printed: as text, or as GitHub annotations; text when absent. */
  readonly format?: "text" | "github";
  readonly color: boolean;
  readonly configPath?: string;
}

/**
 * `evtc lock`: publish the current version of every event into `evt.lock`, after the project checks clean
 * (so an incompatible change can never be recorded). `--check` only says whether the lock is up to date.
 */
export function lockCommand(paths: readonly string[], options: LockOptions, terminal: Terminal): number {
  const result = checkPaths(
    paths,
    terminal.cwd,
    options.configPath !== undefined ? { configPath: options.configPath } : {},
  );
  if (hasErrors(result.diagnostics)) {
    terminal.stdout(
      `${renderAll(result.diagnostics, options.format ?? "text", { color: options.color })}\n\nnothing recorded: fix the errors first\n`,
    );
    return exitCodeFor(result.diagnostics);
  }
  const target = lockPath(paths, terminal.cwd)!;
  const shown = displayPath(target, terminal.cwd);
  const { events, topics } = currentContracts(result.model);
  const next = withCurrentVersionsAndTopics(result.lock, events, topics);
  // A lock from before topics were recorded is not out of date for that alone: `evtc lock` adds them when it
  // next runs, and a CI's `--check` does not start failing on an upgrade of evtc.
  const tracked = result.lock.topics !== undefined;
  const recorded = [...next.added, ...(tracked ? next.changed : [])];
  if (recorded.length === 0 && (tracked || options.check)) {
    terminal.stdout(`${shown} is up to date\n`);
    return 0;
  }
  if (options.check) {
    terminal.stdout(
      `${shown} is out of date; \`evtc lock\` would record:\n${recorded.map((a) => `  ${a}`).join("\n")}\n`,
    );
    return 1;
  }
  try {
    // As `evtc fmt` writes: all at once, and an `evt.lock` that links to a shared one stays a link.
    writeAtomically(target, formatLock(next.events, next.topics));
  } catch (error) {
    terminal.stderr(`error: cannot write \`${shown}\`: ${errnoReason(error)}; nothing was recorded\n`);
    return 2;
  }
  const lines = recorded.length > 0 ? recorded : ["the event of each topic"];
  terminal.stdout(`recorded in ${shown}:\n${lines.map((a) => `  ${a}`).join("\n")}\n`);
  return 0;
}
