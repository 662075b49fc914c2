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
  return true;
}
