import { describe, expect, it, vi } from "vitest";
import { backoffCeilingMs, backoffDelayMs, DEFAULT_RETRY, sleep } from "../../src/runtime/backoff.js";
import { LookupCache, type Lookup } from "../../src/runtime/cache.js";
import { MemoryIdempotencyStore } from "../../src/runtime/idempotency.js";
import { OffsetTracker } from "../../src/runtime/offsets.js";

describe("backoff with full jitter", () => {
  const policy = { attempts: 10, backoffFromMs: 100, backoffToMs: 1_000 };

  it("doubles the ceiling per retry from the first delay up to the cap", () => {
    expect([1, 2, 3, 4, 5, 6, 60, 5000].map((n) => backoffCeilingMs(policy, n))).toEqual([
      100, 200, 400, 800, 1_000, 1_000, 1_000, 1_000,
    ]);
  });

  it("waits anywhere between zero and the ceiling", () => {
    expect(backoffDelayMs(policy, 3, () => 0)).toBe(0);
    expect(backoffDelayMs(policy, 3, () => 0.5)).toBe(200);
    expect(backoffDelayMs(policy, 3, () => 0.999999)).toBe(399);
    for (let retry = 1; retry <= 12; retry++) {
      for (let i = 0; i < 50; i++) {
        const delay = backoffDelayMs(policy, retry);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(backoffCeilingMs(policy, retry));
      }
    }
  });

  it("has a documented default policy", () => {
    expect(DEFAULT_RETRY).toEqual({ attempts: 5, backoffFromMs: 200, backoffToMs: 30_000 });
  });

  it("sleeps, and wakes early when aborted", async () => {
    expect(await sleep(1)).toBe(true);
    const controller = new AbortController();
    const started = Date.now();
    const slept = sleep(10_000, controller.signal);
    controller.abort();
    expect(await slept).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("waits longer than a timer can (2^31 ms, 24.8 days) in steps, not at once", async () => {
    vi.useFakeTimers();
    try {
      const days = 30 * 86_400_000;
      let woke = false;
      const slept = sleep(days).then((full) => (woke = full));
      await vi.advanceTimersByTimeAsync(2_147_483_647);
      expect(woke).toBe(false);
      await vi.advanceTimersByTimeAsync(days - 2_147_483_647 - 1);
      expect(woke).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(await slept).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("offset tracker", () => {
  it("commits only up to the lowest record not yet finished", () => {
    const tracker = new OffsetTracker();
    for (const offset of [10, 11, 12, 14, 15]) tracker.add(offset);
    expect(tracker.committable()).toBeUndefined();
    tracker.finish(12);
    tracker.finish(14);
    expect(tracker.committable()).toBeUndefined();
    tracker.finish(10);
    expect(tracker.committable()).toBe(11);
    tracker.finish(11);
    // 12 and 14 were done already; the gap at 13 (a compacted record) is not waited for.
    expect(tracker.committable()).toBe(15);
    tracker.finish(15);
    expect(tracker.committable()).toBe(16);
    expect(tracker.pending).toBe(0);
  });

  it("refuses offsets out of order", () => {
    const tracker = new OffsetTracker();
    tracker.add(3);
    expect(() => tracker.add(3)).toThrow(/must ascend/);
  });

  it("keeps up over long runs", () => {
    const tracker = new OffsetTracker();
    for (let offset = 0; offset < 5_000; offset++) tracker.add(offset);
    for (let offset = 4_999; offset >= 1; offset--) tracker.finish(offset);
    expect(tracker.committable()).toBeUndefined();
    tracker.finish(0);
    expect(tracker.committable()).toBe(5_000);
  });
});

describe("in-memory idempotency store", () => {
  it("claims once, answers busy while claimed, done once completed", async () => {
    const store = new MemoryIdempotencyStore();
    expect(await store.claim("c", "e1", 1_000)).toBe("claimed");
    expect(await store.claim("c", "e1", 1_000)).toBe("busy");
    expect(await store.claim("other", "e1", 1_000)).toBe("claimed");
    await store.complete("c", "e1");
    expect(await store.claim("c", "e1", 1_000)).toBe("done");
  });

  it("lets a released or expired claim be taken again", async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore({ now: () => now });
    expect(await store.claim("c", "e1", 100)).toBe("claimed");
    await store.release("c", "e1");
    expect(await store.claim("c", "e1", 100)).toBe("claimed");
    now = 100;
    expect(await store.claim("c", "e1", 100)).toBe("claimed");
    await store.complete("c", "e1");
    await store.release("c", "e1");
    expect(await store.claim("c", "e1", 100)).toBe("done");
  });

  it("forgets completed ids after the retention", async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore({ now: () => now, retentionMs: 1_000 });
    await store.claim("c", "e1", 10);
    await store.complete("c", "e1");
    now = 999;
    expect(await store.claim("c", "e1", 10)).toBe("done");
    now = 1_000;
    expect(await store.claim("c", "e1", 10)).toBe("claimed");
  });

  it("stays bounded, evicting the least recently used first", async () => {
    const store = new MemoryIdempotencyStore({ maxEntries: 3 });
    for (const id of ["a", "b", "c"]) {
      await store.claim("c", id, 1_000);
      await store.complete("c", id);
    }
    expect(await store.claim("c", "a", 1_000)).toBe("done"); // `a` is now the most recently used
    await store.claim("c", "d", 1_000);
    expect(store.size).toBe(3);
    expect(await store.claim("c", "a", 1_000)).toBe("done");
    expect(await store.claim("c", "b", 1_000)).toBe("claimed"); // `b` was evicted
  });
});

/** A look-up's source and value, once the value arrived. */
async function settled<V>(lookup: Lookup<V>): Promise<{ value: V; source: string }> {
  return { value: await lookup.value, source: lookup.source };
}

describe("look-up cache", () => {
  const deferred = <T>() => {
    let resolve!: (value: T) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };

  it("reuses a value for the TTL, then calls again", async () => {
    let now = 0;
    let calls = 0;
    const cache = new LookupCache<string>({ ttlMs: 1_000, now: () => now });
    const load = async () => `v${++calls}`;
    expect(await settled(cache.get("k", load))).toEqual({ value: "v1", source: "miss" });
    now = 999;
    expect(await settled(cache.get("k", load))).toEqual({ value: "v1", source: "hit" });
    now = 1_000;
    expect(await settled(cache.get("k", load))).toEqual({ value: "v2", source: "miss" });
    expect(calls).toBe(2);
  });

  it("coalesces concurrent misses for a key into one call", async () => {
    const cache = new LookupCache<string>({ ttlMs: 1_000 });
    const backend = deferred<string>();
    let calls = 0;
    const load = () => {
      calls++;
      return backend.promise;
    };
    const lookups = [cache.get("k", load), cache.get("k", load), cache.get("k", load)];
    const other = cache.get("other", async () => "o");
    // Who calls and who waits is known before the back-end answers.
    expect(lookups.map((lookup) => lookup.source)).toEqual(["miss", "coalesced", "coalesced"]);
    backend.resolve("v");
    expect(await Promise.all(lookups.map(settled))).toEqual([
      { value: "v", source: "miss" },
      { value: "v", source: "coalesced" },
      { value: "v", source: "coalesced" },
    ]);
    expect(await settled(other)).toEqual({ value: "o", source: "miss" });
    expect(calls).toBe(1);
  });

  it("does not cache failures, and every waiter of a failed call sees the failure", async () => {
    const cache = new LookupCache<string>({ ttlMs: 1_000 });
    const backend = deferred<string>();
    const first = cache.get("k", () => backend.promise);
    const second = cache.get("k", async () => "never called");
    backend.reject(new Error("down"));
    await expect(first.value).rejects.toThrow("down");
    await expect(second.value).rejects.toThrow("down");
    const thrower = (): Promise<string> => {
      throw new Error("synchronous");
    };
    await expect(cache.get("k", thrower).value).rejects.toThrow("synchronous");
    expect(await settled(cache.get("k", async () => "back"))).toEqual({ value: "back", source: "miss" });
  });

  it("without a TTL every look-up calls the back-end", async () => {
    const cache = new LookupCache<number>({});
    let calls = 0;
    await Promise.all([1, 2, 3].map(() => cache.get("k", async () => ++calls).value));
    expect(calls).toBe(3);
    expect(cache.size).toBe(0);
  });

  it("stays bounded", async () => {
    const cache = new LookupCache<number>({ ttlMs: 60_000, maxEntries: 2 });
    for (const key of ["a", "b", "c"]) await cache.get(key, async () => 1).value;
    expect(cache.size).toBe(2);
    expect(cache.get("a", async () => 2).source).toBe("miss");
  });
});
