#!/usr/bin/env node
import { tuneJit } from "./jit.js";
import { run } from "./run.js";

// Before any command loads its modules (run.ts imports each command's only when it runs).
tuneJit();

/**
 * Writes to a standard stream until whoever reads it goes away (`evtc rules | head`): then the rest is dropped,
 * and the command still finishes with its own exit code, instead of dying on EPIPE with a stack trace.
 */
function writerTo(stream: NodeJS.WriteStream): (text: string) => void {
  let open = true;
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    open = false;
  });
  return (text) => {
    if (open) stream.write(text);
  };
}

process.exitCode = await run(process.argv.slice(2), {
  stdout: writerTo(process.stdout),
  stderr: writerTo(process.stderr),
  isTty: process.stdout.isTTY === true,
  env: process.env,
  cwd: process.cwd(),
});
