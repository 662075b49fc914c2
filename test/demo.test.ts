import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Summary } from "../scripts/demo/run.js";

/**
 * `npm run demo` as a user runs it, shortened: the example's generated pipeline on the embedded bus for 3 s
 * (`--fast`: every topic at 20 events a second or more, the session topic at a tenth of its rate), summarised as
 * JSON. It runs on dist/, which `npm test` builds first.
 */

const repo = path.resolve(import.meta.dirname, "..");

function runDemo(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/demo.ts", ...args], { cwd: repo });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("npm run demo", () => {
  it("runs every consumer and enricher of the example, and the payment cache saves back-end calls", { timeout: 90_000 }, async () => {
    const { code, stdout, stderr } = await runDemo(["--fast", "--json", "--seed", "7"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const summary = JSON.parse(stdout) as Summary;

    const produced = summary.topics.filter((t) => t.publisher === "producer");
    expect(produced.map((t) => t.topic)).toEqual([
      "billing.payment.received",
      "billing.topup.completed",
      "crm.case.created",
      "crm.subscriber.activated",
      "crm.tariff.changed",
      "network.incident.opened",
      "network.session.started",
    ]);
    for (const topic of summary.topics) {
      expect(topic.total, topic.topic).toBeGreaterThan(0);
      expect(topic.rejected, topic.topic).toBe(0);
    }

    expect(summary.readers).toHaveLength(28);
    for (const reader of summary.readers) {
      expect(reader.processed, reader.name).toBeGreaterThan(0);
      expect(reader.invalid, reader.name).toBe(0);
      expect(reader.deadLettered, reader.name).toBe(0);
    }
    expect(summary.drained).toBe(true);

    const payments = summary.caches.find((c) => c.reader === "billing.payment-customer")!;
    expect(payments).toMatchObject({ kind: "enricher", backend: "crm.customer-db", ttlMs: 20 * 60_000, readersServed: 3 });
    const enriched = summary.readers.find((r) => r.name === "billing.payment-customer")!.processed;
    expect(payments.lookups).toBe(enriched);
    expect(payments.calls).toBeGreaterThan(0);
    expect(payments.calls).toBeLessThan(enriched);
    const customerDb = summary.backends.find((b) => b.name === "crm.customer-db")!;
    expect(customerDb).toMatchObject({ capacity: 500, latencyMs: 20, calls: payments.calls, refused: 0 });
  });

  it("says what is wrong with its options", async () => {
    const { code, stderr } = await runDemo(["--only", "billing.nothing", "--fast", "--json"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/--only `billing.nothing` is no producer topic or domain/);
  });
});
