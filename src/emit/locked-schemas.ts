import { canonical, inlineDefinitions, isCanonical, type JsonSchema } from "./json-schema.js";

/**
 * The schemas `evt.lock` records, as validators are compiled from them, for the main thread and the validator
 * workers alike, and the shapes of the lock's JSON that `contracts/lock.ts` reads too: this module loads nothing
 * else, so that a worker can read the lock as soon as it starts.
 *
 * A project in use differs from its lock in an event or two, so the lock's current schemas are most of the
 * validators a build compiles. A worker given the lock's text (`CompileWorkers.readLock`) starts on them before
 * the project is even parsed, and the build then asks for each by reference (`lockedRef`) instead of by its
 * text, which the main thread is spared working out.
 */

/**
 * The text of the schema a validator is compiled from, for a schema `evt.lock` records. A lock edited by hand may
 * order keys otherwise (its hash is over the canonical form): the same schema must give the same text, validator
 * and cache key as the build's own for it when it was current.
 */
export function lockedValidatorText(recorded: JsonSchema): string {
  return JSON.stringify(inlineDefinitions(isCanonical(recorded) ? recorded : canonical(recorded)));
}

const REF_PREFIX = "lock:";

/**
 * How a build asks a worker for the validator of a recorded version: never a schema's text, which is a JSON
 * object and starts with `{`.
 */
export function lockedRef(event: string, major: number, minor: number): string {
  return `${REF_PREFIX}${major}.${minor}:${event}`;
}

export function isLockedRef(identity: string): boolean {
  return identity.startsWith(REF_PREFIX);
}

/** The event and version a reference names. */
export function parseLockedRef(ref: string): { event: string; major: number; minor: number } | undefined {
  const match = /^lock:(\d+)\.(\d+):(.+)$/.exec(ref);
  return match === null ? undefined : { event: match[3]!, major: Number(match[1]), minor: Number(match[2]) };
}

/**
 * Which of `workers` compiles a schema: a reference always goes to the same one, which has it compiled or
 * under way from the lock already (`readLockedSchemas`); anything else to `fallback`.
 */
export function workerFor(identity: string, workers: number, fallback: number): number {
  if (!isLockedRef(identity) || workers <= 1) return fallback;
  // FNV-1a: the same on both sides of the thread boundary, and spreads names evenly enough.
  let hash = 0x811c9dc5;
  for (let i = 0; i < identity.length; i++) hash = Math.imul(hash ^ identity.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % workers;
}

/** A lock's recorded schemas by reference, read from its text by a worker; undefined for a text that is not one. */
export type LockedSchemas = ReadonlyMap<string, JsonSchema>;

/** A recorded version's key: `"<major>.<minor>"`. */
export const VERSION_KEY = /^(\d+)\.(\d+)$/;

/** A topic's entry in the lock: the event it carries, or the events it has carried; undefined when neither. */
export function carriedEvents(value: unknown): string[] | undefined {
  const events = typeof value === "string" ? [value] : value;
  return Array.isArray(events) && events.length > 0 && events.every((e): e is string => typeof e === "string")
    ? events
    : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * The schemas `text` records, by reference, and in order those a build most likely compiles: the current event
 * of each topic the lock records (every event, for a lock written before it recorded topics), at its latest
 * version. What is not shaped as `evtc lock` writes it is left out: the build asks by reference only for a lock
 * it read without a fault (`Lock.asWritten`), from the same text.
 */
export function readLockedSchemas(text: string): { schemas: LockedSchemas; likely: string[] } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || !isRecord(value["events"])) return undefined;
  const topics = value["topics"];
  const carried = isRecord(topics)
    ? new Set(Object.values(topics).map((events) => carriedEvents(events)?.at(-1)))
    : undefined;
  const schemas = new Map<string, JsonSchema>();
  const likely: string[] = [];
  for (const [event, versions] of Object.entries(value["events"])) {
    if (!isRecord(versions)) continue;
    let latest: { ref: string; major: number; minor: number } | undefined;
    for (const [key, entry] of Object.entries(versions)) {
      const match = VERSION_KEY.exec(key);
      const schema = isRecord(entry) ? entry["schema"] : undefined;
      if (match === null || !isRecord(schema)) continue;
      const [major, minor] = [Number(match[1]), Number(match[2])];
      const ref = lockedRef(event, major, minor);
      // A version written twice (`1.0` and `01.0`): the first, as the main thread reads it (`Lock.events`).
      if (schemas.has(ref)) continue;
      schemas.set(ref, schema as JsonSchema);
      if (latest === undefined || major > latest.major || (major === latest.major && minor > latest.minor))
        latest = { ref, major, minor };
    }
    if (latest !== undefined && (carried === undefined || carried.has(event))) likely.push(latest.ref);
  }
  return { schemas, likely };
}
