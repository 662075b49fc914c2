/**
 * De-duplication by event id (`ce_id`). Kafka delivers at least once: a record is delivered again after a
 * crash before its offset was committed, a rebalance, or a producer retry. A reader claims an event's id
 * before its handler runs and completes the claim only after the handler succeeded, so a redelivered event has
 * its effect once, and a crash in between leaves no completion behind (the event is processed again).
 *
 * The interface is shaped for a shared store (Redis, a database table) used by every instance of a service:
 *
 * - Redis: `claim` is `SET evtc:<consumer>:<id> pending NX PX <leaseMs>` (`OK` → claimed, else `GET`: `done` →
 *   done, `pending` → busy); `complete` is `SET … done PX <retention>`; `release` is `DEL` of a pending key.
 * - SQL: a table keyed by `(consumer, id)` with `state` and `expires_at`; `claim` is an `INSERT … ON CONFLICT DO
 *   UPDATE … WHERE state = 'pending' AND expires_at < now()` (a stale claim is taken over), `complete` an
 *   `UPDATE`, `release` a `DELETE … WHERE state = 'pending'`.
 */

/**
 * - `claimed`: the caller now holds the event and must `complete` or `release` it;
 * - `done`: the event's effect already happened, skip it;
 * - `busy`: another worker holds an unexpired claim; ask again later (it may still fail and release it).
 */
export type ClaimResult = "claimed" | "done" | "busy";

export interface IdempotencyStore {
  /** Claims event `id` for `consumer` (a reader name) for `leaseMs`, after which a claim may be taken over. */
  claim(consumer: string, id: string, leaseMs: number): Promise<ClaimResult>;
  /** Records that the event's effect happened: claims answer `done` from now on, for the store's retention. */
  complete(consumer: string, id: string): Promise<void>;
  /**
   * Gives a claim up without completing it: the reader is stopping, or the event failed and its dead letter could
   * not be sent (an event dead-lettered or skipped is completed: settled, it is not run again when redelivered).
   */
  release(consumer: string, id: string): Promise<void>;
}

export interface MemoryIdempotencyStoreOptions {
  /** How long a completed id is remembered; 24 hours when absent. */
  readonly retentionMs?: number;
  /** At most this many ids are remembered (the least recently seen go first); 100,000 when absent. */
  readonly maxEntries?: number;
  /** Milliseconds since the epoch; `Date.now` when absent. */
  readonly now?: () => number;
}

interface Entry {
  state: "pending" | "done";
  expiresAt: number;
}

export const DEFAULT_IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_IDEMPOTENCY_MAX_ENTRIES = 100_000;

/**
 * The default store: in the process's memory, so it absorbs duplicates one instance sees (redeliveries after a
 * restart of a reader within the process, a rebalance between readers of the process, producer retries) but
 * not across instances or process restarts; use a shared store for that. Bounded in time and size: entries
 * expire after the retention, and beyond `maxEntries` the least recently used are evicted.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  // A Map iterates in insertion order; re-inserting an entry on use keeps the least recently used first.
  private readonly entries = new Map<string, Entry>();
  private readonly retentionMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    this.retentionMs = options.retentionMs ?? DEFAULT_IDEMPOTENCY_RETENTION_MS;
    this.maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_IDEMPOTENCY_MAX_ENTRIES);
    this.now = options.now ?? Date.now;
  }

  async claim(consumer: string, id: string, leaseMs: number): Promise<ClaimResult> {
    const key = keyOf(consumer, id);
    const now = this.now();
    const entry = this.entries.get(key);
    if (entry !== undefined && entry.expiresAt > now) {
      this.entries.delete(key);
      this.entries.set(key, entry);
      return entry.state === "done" ? "done" : "busy";
    }
    this.set(key, { state: "pending", expiresAt: now + leaseMs });
    return "claimed";
  }

  async complete(consumer: string, id: string): Promise<void> {
    this.set(keyOf(consumer, id), { state: "done", expiresAt: this.now() + this.retentionMs });
  }

  async release(consumer: string, id: string): Promise<void> {
    const key = keyOf(consumer, id);
    if (this.entries.get(key)?.state === "pending") this.entries.delete(key);
  }

  /** Ids currently remembered (pending or done, expired ones not yet swept included). */
  get size(): number {
    return this.entries.size;
  }

  private set(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.evict();
  }

  private evict(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (this.entries.size > this.maxEntries || entry.expiresAt <= now) this.entries.delete(key);
      else break;
    }
  }
}

function keyOf(consumer: string, id: string): string {
  return `${consumer}\u0000${id}`;
}
