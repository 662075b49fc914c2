import { readFileSync } from "node:fs";
import path from "node:path";
import { pathOf, sortAndDedupe, type Diagnostic } from "../diagnostics/diagnostic.js";
import { renderAll } from "../diagnostics/render.js";
import { FormatMeaningError, formatSource } from "../format/format.js";
import { errnoReason, readSources } from "../io/read-sources.js";
import { writeAtomically } from "../io/write-atomically.js";
import type { Terminal } from "./run.js";

export interface FmtOptions {
  /** Write nothing: list the files that are not formatted, and exit 1 if there is any. */
  readonly check: boolean;
  readonly color: boolean;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * `evtc fmt`: rewrites `.evt` files in the canonical layout (docs/cli.md, "evtc fmt"), in place. A file with
 * syntax errors is reported as `evtc check` reports it and left alone. With `check`, nothing is written: the
 * files that are not formatted are listed.
 *
 * Exit codes: 0 every file formatted (or rewritten); 1 with `check`, a file is not formatted; 2 a usage or file
 * problem (missing path, unreadable or unwritable file) or a file with syntax errors; 3 the formatter refused
 * its own output (a bug in evtc).
 */
export function fmtCommand(paths: readonly string[], options: FmtOptions, terminal: Terminal): number {
  const read = readSources(paths, terminal.cwd);
  const diagnostics: Diagnostic[] = [...read.diagnostics];
  const problems: string[] = [];
  const changed: string[] = [];
  let refused = 0;
  let internal = false;
  for (const source of read.sources) {
    let result;
    try {
      result = formatSource(source);
    } catch (error) {
      if (!(error instanceof FormatMeaningError)) throw error;
      terminal.stderr(`internal error: ${error.message}\nThis is a bug in evtc; please report it with the file.\n`);
      internal = true;
      continue;
    }
    if (!result.ok) {
      diagnostics.push(...result.diagnostics);
      refused++;
      continue;
    }
    const absolute = path.resolve(terminal.cwd, source.path);
    // The source's text has no byte-order mark; the file on disk may, and then it changes too.
    if (!result.changed && !readFileSync(absolute).subarray(0, 3).equals(BOM)) continue;
    if (!options.check) {
      try {
        writeAtomically(absolute, result.text);
      } catch (error) {
        problems.push(`error: cannot write \`${source.path}\`: ${errnoReason(error)}; it was left as it is\n`);
        continue;
      }
    }
    changed.push(source.path);
  }

  const rendered = renderAll(sortAndDedupe(diagnostics), "text", { color: options.color });
  // Files found but not read as text (binary, not UTF-8, too large, unreadable) are files left alone too.
  const unread = new Set(
    read.diagnostics
      .filter((d) => d.severity === "error" && ["EVT0003", "EVT0004", "EVT0005", "EVT0006"].includes(d.code))
      .map(pathOf),
  ).size;
  const files = read.sources.length + unread;
  const leftAs = (count: number) => (count === 1 ? "it is" : "they are");
  const leftAlone =
    (refused > 0 ? `; ${plural(refused, "file")} with syntax errors left as ${leftAs(refused)}` : "") +
    (unread > 0 ? `; ${plural(unread, "file")} that could not be read as text left as ${leftAs(unread)}` : "");
  const them = changed.length === 1 ? "it" : "them";
  const outcome = !options.check
    ? `${changed.length} reformatted`
    : changed.length === 0
      ? // Not "all" when some could not be formatted at all (syntax errors, not text): those are not formatted.
        refused + unread === 0
        ? "all formatted"
        : `${files - refused - unread} formatted`
      : `${changed.length} not formatted (run \`evtc fmt\` to format ${them})`;
  const summary = `${plural(files, "file")} checked: ${outcome}${leftAlone}`;
  terminal.stdout(
    (rendered === "" ? "" : `${rendered}\n\n`) + changed.map((file) => `${file}\n`).join("") + `${summary}\n`,
  );
  if (problems.length > 0) terminal.stderr(problems.join(""));

  if (internal) return 3;
  if (problems.length > 0 || diagnostics.some((d) => d.severity === "error")) return 2;
  return options.check && changed.length > 0 ? 1 : 0;
}
