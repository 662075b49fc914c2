/**
 * The look-up cache of an enricher, one per back-end it looks up: a value fetched for a key is reused for the
 * declared TTL, and concurrent misses for the same key share one back-end call (request coalescing), so a
 * burst of events about the same subscriber costs the back-end one call, not one per event. Failures are not
 * cached: every waiter of a failed call sees the failure, and the next look-up calls again.
 */

export interface LookupCacheOptions {
  /** How long a value is reused; absent (or not positive): no caching at all, every look-up calls. */
  readonly ttlMs?: number | undefined;
  /** At most this many values are kept (the least recently used go first); 10,000 when absent. */
  readonly maxEntries?: number;
  /** Milliseconds since the epoch; `Date.now` when absent. */
  readonly now?: () => number;
}

/** How a look-up was answered: from the cache, by joining a call in flight, or by a call of its own. */
export type LookupSource = "hit" | "coalesced" | "miss";

export interface Lookup<V> {
  /** Known at once, before the value arrives. */
  readonly source: LookupSource;
  readonly value: Promise<V>;
}

export const DEFAULT_CACHE_MAX_ENTRIES = 10_000;

interface Cached<V> {
  readonly value: V;
  readonly expiresAt: number;
}

export class LookupCache<V> {
  private readonly values = new Map<string, Cached<V>>();
  private readonly inFlight = new Map<string, Promise<V>>();
  private readonly ttlMs: number | undefined;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: LookupCacheOptions = {}) {
    this.ttlMs = options.ttlMs !== undefined && options.ttlMs > 0 ? options.ttlMs : undefined;
    this.maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_CACHE_MAX_ENTRIES);
    this.now = options.now ?? Date.now;
  }

  /** The value for `key`: cached, joined from a call in flight, or loaded by calling `load` once. */
  get(key: string, load: () => Promise<V>): Lookup<V> {
    // Started on a microtask, so a call is registered as in flight before `load` runs (even if it throws).
    const call = (): Promise<V> => Promise.resolve().then(load);
    if (this.ttlMs === undefined) return { source: "miss", value: call() };
    const cached = this.values.get(key);
    if (cached !== undefined) {
      if (cached.expiresAt > this.now()) {
        this.values.delete(key);
        this.values.set(key, cached);
        return { source: "hit", value: Promise.resolve(cached.value) };
      }
      this.values.delete(key);
    }
    const pending = this.inFlight.get(key);
    if (pending !== undefined) return { source: "coalesced", value: pending };
    const ttlMs = this.ttlMs;
    const value = call().then((loaded) => {
      this.store(key, { value: loaded, expiresAt: this.now() + ttlMs });
      return loaded;
    });
    this.inFlight.set(key, value);
    const settle = (): void => void this.inFlight.delete(key);
    value.then(settle, settle);
    return { source: "miss", value };
  }

  /**
   * Drops `key`'s value if it is still `value`: an answer that turned out unusable (the event it enriched was
   * invalid) is not reused for the rest of its TTL. A newer value for the key stays.
   */
  forget(key: string, value: V): void {
    if (this.values.get(key)?.value === value) this.values.delete(key);
  }

  /** Values currently kept (expired ones not yet swept included). */
  get size(): number {
    return this.values.size;
  }

  private store(key: string, cached: Cached<V>): void {
    this.values.delete(key);
    this.values.set(key, cached);
    const now = this.now();
    for (const [oldest, entry] of this.values) {
      if (this.values.size > this.maxEntries || entry.expiresAt <= now) this.values.delete(oldest);
      else break;
    }
  }
}
