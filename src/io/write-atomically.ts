import {
  accessSync,
  constants,
  lstatSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";

/**
 * Writes `text` to `file` through a temporary file in the same directory, renamed over it, so that no reader (and
 * no interrupted run) ever sees half a file. A symbolic link stays a link: its target is rewritten. A file keeps
 * its permissions, and one that is not writable is refused rather than replaced, since the rename would otherwise
 * get round them. A file not there yet is created; a broken link is an error (ENOENT), not a file to create.
 */
export function writeAtomically(file: string, text: string): void {
  const target = existingTarget(file);
  if (target !== undefined) accessSync(target, constants.W_OK);
  const destination = target ?? file;
  const temporary = path.join(path.dirname(destination), `.${path.basename(destination)}.evtc-${process.pid}`);
  try {
    writeFileSync(temporary, text, target !== undefined ? { mode: statSync(target).mode & 0o7777 } : {});
    renameSync(temporary, destination);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // nothing was written
    }
    throw error;
  }
}

/** The file `file` names, through any links; undefined when nothing is there, not even a link. */
function existingTarget(file: string): string | undefined {
  try {
    return realpathSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    try {
      lstatSync(file);
    } catch {
      return undefined;
    }
    throw error;
  }
}
