import { describe, expect, it } from "vitest";
import { createEmbeddedTransport, createRuntime, silentLogger, type EventContext } from "../../src/runtime/index.js";
import {
  billingAccountOpeningConsumer,
  publishBillingPaymentReceived,
  startTeam,
  type CustomerProfile,
  type PaymentEnriched,
  type PaymentReceived,
} from "../../generated/telco/index.js";

/**
 * The committed generated code of the example, run on the embedded bus: what a service team writes against it
 * type-checks (this file is compiled by `npm run typecheck`), and a payment flows from the generated publish
 * function through the generated enricher to a generated consumer.
 */

const profile: CustomerProfile = {
  customerId: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
  accountId: "ACC-00001234",
  segment: "CONSUMER_POSTPAID",
  contract: "POSTPAID",
  tenureMonths: 30,
  preferredLanguage: "en",
  vip: false,
  marketingConsents: { sms: true },
};

function payment(n: number, accountId = "ACC-00001234"): PaymentReceived {
  return {
    paymentId: `0f8fad5b-d9cb-469f-a165-${String(n).padStart(12, "0")}`,
    accountId,
    msisdn: "31612345678",
    amount: { amount: `${n}.50`, currency: "EUR" },
    method: "CARD",
    receivedAt: "2026-03-01T12:00:00Z",
  };
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("the example's generated code on the embedded bus", () => {
  it("publishes, enriches once per customer within the TTL, and delivers typed events to a consumer", async () => {
    const runtime = createRuntime({ transport: createEmbeddedTransport(), source: "test", logger: silentLogger });
    const received: { event: PaymentEnriched; context: EventContext }[] = [];
    let lookups = 0;
    const idle = async () => {};
    await startTeam(runtime, "billing", {
      handlers: { "billing.account-opening": idle, "billing.rating-plan-sync": idle },
      lookups: {
        "billing.payment-customer": {
          "crm.customer-db": async (msisdn) => {
            lookups++;
            expect(msisdn).toBe("31612345678");
            return { customer: profile };
          },
        },
      },
    });
    await startTeam(runtime, "crm", {
      handlers: {
        "crm.payment-sync": async (event, context) => {
          received.push({ event, context });
        },
        "crm.topup-sync": idle,
      },
      lookups: {},
    });

    const published = [];
    for (let n = 1; n <= 5; n++) published.push(await publishBillingPaymentReceived(runtime, payment(n)));
    await until(() => received.length === 5);

    expect(received.map((r) => r.event.amount.amount)).toEqual(["1.50", "2.50", "3.50", "4.50", "5.50"]);
    expect(received.every((r) => r.event.customer.customerId === "7c9e6679-7425-40de-944b-e07fc1f90ae7")).toBe(true);
    expect(received[0]!.context.version).toBe("1.0");
    expect(received[0]!.context.headers["causationid"]).toBe(published[0]!.id);
    // Five payments of one customer: one look-up, four cache hits.
    expect(lookups).toBe(1);
    await runtime.close();
  });

  it("rejects an event that breaks its contract before anything is sent", async () => {
    const transport = createEmbeddedTransport();
    await transport.ensureTopics([{ name: "billing.payment.received", partitions: 12 }]);
    const strict = createRuntime({ transport, source: "test", logger: silentLogger });
    const bad = { ...payment(1), accountId: "not an account" };
    await expect(publishBillingPaymentReceived(strict, bad)).rejects.toThrow(/accountId/);
    expect((await transport.offsets("billing.payment.received")).reduce((sum, o) => sum + o.end, 0)).toBe(0);
    await strict.close();
  });

  it("describes consumers as declared", () => {
    expect(billingAccountOpeningConsumer).toMatchObject({
      name: "billing.account-opening",
      groupId: "billing.account-opening",
      ordering: "unordered",
      delivery: "guaranteed",
      dlqTopic: "billing.account-opening.dlq",
      deadlineMs: 60_000,
      retry: { attempts: 10, backoffFromMs: 1_000, backoffToMs: 300_000 },
    });
  });
});
