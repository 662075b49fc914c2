/**
 * Stub back-ends with the capacity and latency the `.evt` files declare.
 *
 * Capacity is a token bucket (requests per second, with a burst of a tenth of a second's worth): a call over
 * capacity waits its turn, first come first served, as requests queue in front of a saturated database — up to
 * `queueTimeoutMs` (1 s). A call that would wait longer is refused at once with a `BackendOverloadedError`,
 * like a connection pool timing out; the reader counts a failed attempt, retries with backoff and in the end
 * dead-letters the event. Overload therefore shows first as latency (lag, deadline misses), then as failures.
 * Each accepted call then takes the declared latency.
 */
import { setTimeout as sleep } from "node:timers/promises";

export class BackendOverloadedError extends Error {
  override readonly name = "BackendOverloadedError";
}

export interface BackendDeclaration {
  readonly name: string;
  /** Requests per second; unlimited when absent. */
  readonly capacity?: number;
  readonly latencyMs?: number;
}

export class StubBackend {
  /** Calls accepted (served, or being served). */
  calls = 0;
  /** Calls refused because they would have waited more than the queue timeout. */
  refused = 0;
  /** The longest a call waited for its turn, in milliseconds. */
  maxWaitMs = 0;
  private readonly intervalMs: number;
  private readonly burstMs: number;
  /** Generic cell rate algorithm: when the bucket is next empty enough for a call, in ms. */
  private theoreticalArrival = 0;

  constructor(
    readonly declaration: BackendDeclaration,
    private readonly queueTimeoutMs = 1_000,
    private readonly now: () => number = () => performance.now(),
  ) {
    const capacity = declaration.capacity;
    this.intervalMs = capacity !== undefined && capacity > 0 ? 1000 / capacity : 0;
    this.burstMs = this.intervalMs * Math.max(1, Math.floor((capacity ?? 0) / 10));
  }

  get name(): string {
    return this.declaration.name;
  }

  /** Waits for capacity, takes the declared latency, then answers. */
  async call<T>(answer: () => T): Promise<T> {
    if (this.intervalMs > 0) {
      const now = this.now();
      const start = Math.max(now, this.theoreticalArrival - this.burstMs);
      const waitMs = start - now;
      if (waitMs > this.queueTimeoutMs) {
        this.refused++;
        throw new BackendOverloadedError(
          `${this.name} is over its capacity of ${this.declaration.capacity}/s: a call would wait ${Math.round(waitMs)} ms`,
        );
      }
      this.theoreticalArrival = Math.max(this.theoreticalArrival, now) + this.intervalMs;
      this.maxWaitMs = Math.max(this.maxWaitMs, waitMs);
      this.calls++;
      if (waitMs >= 1) await sleep(waitMs);
    } else {
      this.calls++;
    }
    const latencyMs = this.declaration.latencyMs ?? 0;
    if (latencyMs > 0) await sleep(latencyMs);
    return answer();
  }
}
