import type { RetrySpec } from "./spec.js";

/**
 * Retries with exponential backoff and full jitter (the AWS Architecture Blog's "Exponential Backoff And
 * Jitter"): before retry `n` (1 for the first retry) the reader waits a uniformly random time between zero and
 * `min(backoffToMs, backoffFromMs · 2^(n-1))`. Full jitter spreads the retries of many failing events (or many
 * instances) over the whole window instead of letting them hit a recovering back-end in waves.
 */

/**
 * The policy of a guaranteed reader that declares no `retry`: 5 retries after the first attempt, backing off
 * from 200 ms to at most 30 s (at most about 6 s of waiting in all, before the event goes to the dead-letter
 * topic). Best-effort readers never retry.
 */
export const DEFAULT_RETRY: RetrySpec = Object.freeze({ attempts: 5, backoffFromMs: 200, backoffToMs: 30_000 });

/** The upper bound of the wait before retry `retry` (1-based): the exponential step, capped. */
export function backoffCeilingMs(policy: RetrySpec, retry: number): number {
  const from = Math.max(0, policy.backoffFromMs);
  const to = Math.max(from, policy.backoffToMs);
  // 2^(retry-1) overflows to Infinity for large retry counts, which Math.min turns into the cap.
  return Math.min(to, from * 2 ** Math.max(0, retry - 1));
}

/** The wait before retry `retry` (1-based): full jitter over `[0, backoffCeilingMs)`. */
export function backoffDelayMs(policy: RetrySpec, retry: number, random: () => number = Math.random): number {
  return Math.floor(random() * backoffCeilingMs(policy, retry));
}

/** Resolves after `ms`, or early (to `false`) when `signal` aborts; `true` when the full time elapsed. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    // A timer longer than 2^31 − 1 ms (24.8 days: a backoff `..30d`) would fire at once: such a wait is taken
    // in steps.
    const until = Date.now() + ms;
    const step = (wait: number) =>
      setTimeout(
        () => {
          const left = until - Date.now();
          if (left > 0) {
            timer = step(left);
            return;
          }
          signal?.removeEventListener("abort", onAbort);
          resolve(true);
        },
        Math.min(wait, LONGEST_TIMER_MS),
      );
    let timer = step(ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The longest delay `setTimeout` keeps: a longer one fires at once. */
const LONGEST_TIMER_MS = 2_147_483_647;
