import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import type {
  BatchControl,
  ConsumedRecord,
  OutgoingRecord,
  Subscription,
  SubscriptionOptions,
  Transport,
} from "../../src/runtime/transport.js";

/** A topic or group name no other test (or earlier run on a kept broker) uses. */
export function unique(prefix: string): string {
  return `evtc-test.${prefix}.${randomUUID().slice(0, 8)}`;
}

export function record(topic: string, key: string | null, value: string, headers = {}): OutgoingRecord {
  return { topic, key, value: Buffer.from(value), headers };
}

export interface Collector {
  readonly subscription: Subscription;
  readonly records: ConsumedRecord[];
  /** Resolves once at least `count` records arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ConsumedRecord[]>;
}

/**
 * Subscribes and gathers every delivered record; with `commit`, commits each batch after its last record.
 * `onBatch` sees each batch and its control first (it may await).
 */
export async function collect(
  transport: Transport,
  options: SubscriptionOptions,
  settings: { commit: boolean; onBatch?: (records: readonly ConsumedRecord[], control: BatchControl) => Promise<void> },
): Promise<Collector> {
  const records: ConsumedRecord[] = [];
  const waiters: Array<() => void> = [];
  const subscription = await transport.subscribe(options, async (batch, control) => {
    expect(batch.records.length).toBeGreaterThan(0);
    await settings.onBatch?.(batch.records, control);
    records.push(...batch.records);
    if (settings.commit) await control.commit(batch.records[batch.records.length - 1]!.offset + 1);
    for (const wake of waiters.splice(0)) wake();
  });
  return {
    subscription,
    records,
    async waitFor(count, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (records.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`received ${records.length} of ${count} records within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, 250));
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return records;
    },
  };
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `topic/partition/offset`, to compare positions as strings. */
export function where(position: { topic: string; partition: number; offset: number }): string {
  return `${position.topic}/${position.partition}/${position.offset}`;
}
