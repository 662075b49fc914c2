import v8 from "node:v8";

/**
 * V8 tuning for evtc's own process. A build is short and spends much of its time warming up: on a 1,000-topic
 * project V8's optimising compiler used about 4 s of CPU on its background threads, competing on a 2-core
 * machine with the main thread and the validator worker. Capping how much bytecode it inlines into one
 * optimised function makes each of its compiles cheaper without slowing the compiled code down for a run this
 * short: 7.3 s → 6.3 s of wall-clock and 11 s → 8.7 s of CPU for that build when it was introduced
 * (bench/README.md; the validator worker's warm-up, added after, spends some of that CPU again). Only the `evtc`
 * command does this; the library and the runtime leave V8 as the service configures it.
 */
const INLINING_CAP = "--max-inlined-bytecode-size-cumulative=100";

/**
 * A young generation of 32 MB from the start, for the heaps V8 creates after this runs: the validator worker's
 * (the main thread's is set up already, and keeps V8's default). ajv's compiles make a lot of short-lived
 * garbage, and the young generation V8 starts with (1 MB, growing to 16) collected it in some 90 scavenges;
 * this takes 31 and halves the worker's time in the collector (about 0.1 s of the 1,000-topic build, on the
 * thread the build waits for last), for some 35 MB more memory.
 */
const WORKER_YOUNG_GENERATION = "--min-semi-space-size=32 --max-semi-space-size=32";

/**
 * V8 has had this flag for years, but a V8 that does not know it prints an error on stderr: it is set only for
 * the V8 versions of Node 20 to 24, where it exists (V8 11 to 13).
 */
export function tuneJit(
  v8Version: string = process.versions.v8,
  setFlags: (flags: string) => void = (flags) => v8.setFlagsFromString(flags),
): boolean {
  const major = Number(v8Version.split(".")[0]);
  if (!(major >= 11 && major <= 13)) return false;
  setFlags(INLINING_CAP);
  setFlags(WORKER_YOUNG_GENERATION);
  return true;
}
