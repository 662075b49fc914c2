import { renameSync, writeFileSync } from "node:fs";
import { displayPath } from "../io/read-sources.js";
import { formatLock, withCurrentVersions } from "../contracts/lock.js";
import type { Json } from "../compat/diff.js";
import { exitCodeFor, hasErrors } from "../diagnostics/diagnostic.js";
import { renderAll } from "../diagnostics/render.js";
import { eventSchema } from "../emit/json-schema.js";
import { checkPaths, lockPath } from "../program.js";
import type { Terminal } from "./run.js";

export interface LockOptions {
  readonly check: boolean;
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
      `${renderAll(result.diagnostics, "text", { color: options.color })}\n\nnothing recorded: fix the errors first\n`,
    );
    return exitCodeFor(result.diagnostics);
  }
  const target = lockPath(paths, terminal.cwd)!;
  const shown = displayPath(target, terminal.cwd);
  const events = [...result.model.events.values()].map((event) => ({
    name: event.name,
    version: event.version,
    schema: eventSchema(event, { documentation: false }).schema as unknown as Json,
  }));
  const next = withCurrentVersions(result.lock, events);
  if (next.added.length === 0) {
    terminal.stdout(`${shown} is up to date\n`);
    return 0;
  }
  if (options.check) {
    terminal.stdout(
      `${shown} is out of date; \`evtc lock\` would record:\n${next.added.map((a) => `  ${a}`).join("\n")}\n`,
    );
    return 1;
  }
  const temporary = `${target}.tmp-${process.pid}`;
  writeFileSync(temporary, formatLock(next.events));
  renameSync(temporary, target);
  terminal.stdout(`recorded in ${shown}:\n${next.added.map((a) => `  ${a}`).join("\n")}\n`);
  return 0;
}
