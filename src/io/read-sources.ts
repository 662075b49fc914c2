import { lstatSync, readdirSync, readFileSync, statSync, type Stats } from "node:fs";
import path from "node:path";
import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import { SourceFile, span } from "../diagnostics/source.js";
import { firstInvalidUtf8, withoutBom } from "./utf8.js";

/** One `.evt` file may be at most this large (see EVT0006). */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

export interface ReadResult {
  /** Readable text files, sorted by display path. */
  readonly sources: SourceFile[];
  readonly diagnostics: Diagnostic[];
}

/** Why the system refused to read or write a file, in a few words. */
export function errnoReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EROFS":
      return "read-only file system";
    case "ELOOP":
      return "too many levels of symbolic links";
    case "EISDIR":
      return "is a directory";
    case "ENOENT":
      return "no such file (a broken link?)";
    default:
      return code ? code.toLowerCase() : String((error as Error).message ?? error);
  }
}

/**
 * The text of a project file such as `evt.lock` or `evtc.json`, without a byte-order mark; undefined when nothing
 * is there. A file that is there but cannot be read throws, and so does a broken link: it is not the file that is
 * not there, but one that cannot be read (EVT0003), as a broken link to a `.evt` file is.
 */
export function readTextIfThere(file: string): string | undefined {
  try {
    lstatSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  return withoutBom(readFileSync(file, "utf8"));
}

/** Paths are shown relative to the working directory, with `/`, so output is the same on every machine. */
export function displayPath(absolute: string, cwd: string): string {
  const relative = path.relative(cwd, absolute);
  // Outside the working directory (`..`, `../x`; not a name such as `..x`, or another drive), the full path.
  const outside = relative === ".." || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
  const shown = relative === "" ? "." : outside ? absolute : relative;
  return shown.split(path.sep).join("/");
}

function formatSize(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function walk(dir: string, out: string[]): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const entry of entries) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    // A link to a file is read as the file (a broken one is reported); links to directories are not followed. A
    // FIFO, a socket or a device named `.evt` is listed too, to be reported (never opened) rather than dropped.
    else if (entry.name.endsWith(".evt")) out.push(full);
  }
}

/**
 * Reads the `.evt` files named by `paths` (files, or directories searched recursively). Every problem is a
 * diagnostic: a missing path, a directory without sources, a binary, non-UTF-8 or oversized file.
 */
export function readSources(paths: readonly string[], cwd: string): ReadResult {
  const diagnostics: Diagnostic[] = [];
  const files = new Map<string, string>();
  for (const typed of paths) {
    const absolute = path.resolve(cwd, typed);
    // As every path is printed: `/tmp/x` typed in /tmp is `x`.
    const shown = displayPath(absolute, cwd);
    let stats: Stats;
    try {
      stats = statSync(absolute);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ENOTDIR") {
        diagnostics.push(diagnostic("EVT0001", { path: shown }, { path: shown }));
      } else {
        diagnostics.push(diagnostic("EVT0003", { path: shown, reason: errnoReason(error) }, { path: shown }));
      }
      continue;
    }
    if (stats.isDirectory()) {
      const found: string[] = [];
      try {
        walk(absolute, found);
      } catch (error) {
        diagnostics.push(diagnostic("EVT0003", { path: shown, reason: errnoReason(error) }, { path: shown }));
        continue;
      }
      if (found.length === 0) diagnostics.push(diagnostic("EVT0002", { path: shown }, { path: shown }));
      for (const file of found) files.set(file, displayPath(file, cwd));
    } else if (stats.isFile()) {
      files.set(absolute, displayPath(absolute, cwd));
    } else {
      // A FIFO or a device would block or never end; only regular files are read.
      diagnostics.push(diagnostic("EVT0003", { path: shown, reason: "not a regular file" }, { path: shown }));
    }
  }

  const sources: SourceFile[] = [];
  for (const [absolute, shown] of [...files.entries()].sort(([, a], [, b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const source = readOne(absolute, shown, diagnostics);
    if (source) sources.push(source);
  }
  return { sources, diagnostics };
}

function readOne(absolute: string, shown: string, diagnostics: Diagnostic[]): SourceFile | undefined {
  let bytes: Buffer;
  try {
    const stats = statSync(absolute);
    if (!stats.isFile()) {
      // Reached through a link: a directory, a FIFO or a device would fail or never end.
      diagnostics.push(diagnostic("EVT0003", { path: shown, reason: "not a regular file" }, { path: shown }));
      return undefined;
    }
    const size = stats.size;
    if (size > MAX_FILE_BYTES) {
      diagnostics.push(
        diagnostic(
          "EVT0006",
          { size: formatSize(size), limit: formatSize(MAX_FILE_BYTES) },
          {
            path: shown,
            help: "split the project into one file per domain",
          },
        ),
      );
      return undefined;
    }
    bytes = readFileSync(absolute);
  } catch (error) {
    diagnostics.push(diagnostic("EVT0003", { path: shown, reason: errnoReason(error) }, { path: shown }));
    return undefined;
  }
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const body = bytes.subarray(bom);
  const nul = body.indexOf(0);
  const invalid = firstInvalidUtf8(body);
  if (nul >= 0 && (invalid < 0 || nul <= invalid)) {
    diagnostics.push(located("EVT0004", shown, body, nul));
    return undefined;
  }
  if (invalid >= 0) {
    diagnostics.push(located("EVT0005", shown, body, invalid));
    return undefined;
  }
  return new SourceFile(shown, body.toString("utf8"));
}

/** A diagnostic pointing at a byte offset of a file that cannot be read as text in full. */
function located(code: "EVT0004" | "EVT0005", shown: string, body: Buffer, offset: number): Diagnostic {
  const prefix = body.subarray(0, offset).toString("utf8");
  const lineEnd = body.indexOf(10, offset);
  const rest = body
    .subarray(offset, lineEnd < 0 ? Math.min(body.length, offset + 80) : lineEnd)
    .toString("latin1")
    .replace(/[^\x20-\x7e]/g, "?");
  const file = new SourceFile(shown, prefix + rest);
  return diagnostic(code, {}, { span: span(file, prefix.length, prefix.length + 1) });
}
