#!/usr/bin/env node
import { tuneJit } from "./jit.js";
import { run } from "./run.js";

// Before any command loads its modules (run.ts imports each command's only when it runs).
tuneJit();

process.exitCode = await run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTty: process.stdout.isTTY === true,
  env: process.env,
  cwd: process.cwd(),
});
