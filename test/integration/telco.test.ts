import { spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  billingAccountOpeningConsumer,
  crmSubscriberActivatedTopic,
  publishBillingPaymentReceived,
  publishBillingTopupCompleted,
  publishCrmSubscriberActivated,
  publishCrmTariffChanged,
  startTeam,
  type PaymentEnriched,
  type SubscriberActivated,
  type TariffChanged,
  type TopupCompleted,
} from "../../generated/telco/index.js";
import { partitionForKey } from "../../src/runtime/murmur2.js";
import { metric } from "../runtime/runtime-support.js";
import { telcoBroker } from "./telco-broker.js";
import {
  billingServices,
  crmServices,
  FileIdempotencyStore,
  keep,
  msisdn,
  msisdnIn,
  payment,
  profileOf,
  subscriberActivated,
  tariffChanged,
  topupCompleted,
  until,
  type Delivery,
} from "./telco-support.js";

/**
 * The example's generated code (generated/telco) on a real Kafka broker: generated publish functions, consumer
 * and enricher specs and `startTeam`, with the runtime on the Kafka transport — no embedded bus, no mocks.
 *
 * The topic names and consumer groups come from the generated specs, so this file runs on a broker of its own
 * (no other file can meet its groups) and its tests run one after another. Each test publishes events of its
 * own (fresh ids and msisdns) and counts only those: a group goes on from where the previous test committed,
 * and a test may meet what an earlier one left behind.
 */

const { broker, admin, service } = telcoBroker();

describe("the example's generated code on Kafka", () => {
  it("delivers typed events with their envelope from generated publish functions to the teams' handlers", async () => {
    const billingService = service("billing-service");
    const crmService = service("crm-service");
    const activations: Delivery<SubscriberActivated>[] = [];
    const payments: Delivery<PaymentEnriched>[] = [];
    const activation = subscriberActivated(msisdn());
    const paid = payment(msisdn(), "42.10");
    await startTeam(
      billingService.runtime,
      "billing",
      billingServices({
        "billing.account-opening": keep(activations, (e) => e.subscriberId === activation.subscriberId),
      }),
    );
    await startTeam(
      crmService.runtime,
      "crm",
      crmServices({ "crm.payment-sync": keep(payments, (e) => e.paymentId === paid.paymentId) }),
    );

    const activated = await publishCrmSubscriberActivated(crmService.runtime, activation, { correlationId: "order-1" });
    const received = await publishBillingPaymentReceived(billingService.runtime, paid, { correlationId: "invoice-1" });
    await until(() => activations.length > 0 && payments.length > 0, "both events");

    // The activation, as published, to billing's consumer, with the envelope the producer stamped.
    expect(activations).toHaveLength(1);
    const [{ event, context }] = activations as [Delivery<SubscriberActivated>];
    expect(event).toEqual(activation);
    expect(context).toMatchObject({
      topic: "crm.subscriber.activated",
      partition: partitionForKey(activation.msisdn, 6),
      offset: activated.offset,
      id: activated.id,
      version: "1.2",
      attempt: 1,
    });
    expect(activated.partition).toBe(context.partition);
    expect(context.headers).toMatchObject({
      ce_id: activated.id,
      ce_type: "crm.subscriber.activated",
      ce_source: "crm-service",
      ce_specversion: "1.0",
      ce_dataschema: "crm.subscriber.activated-value/SubscriberActivated/1.2",
      "content-type": "application/json",
      correlationid: "order-1",
    });
    expect(Date.now() - context.time.getTime()).toBeLessThan(60_000);

    // The payment, enriched by billing's enricher with the customer's profile, to CRM's consumer: a typed
    // PaymentEnriched whose envelope points back to the payment.
    expect(payments).toHaveLength(1);
    const enriched = payments[0]!;
    const customerId: string = enriched.event.customer.customerId;
    expect(customerId).toBe(profileOf(paid.msisdn).customerId);
    expect(enriched.event).toEqual({ ...paid, customer: profileOf(paid.msisdn) });
    expect(enriched.context).toMatchObject({ topic: "billing.payment.enriched", version: "1.0", attempt: 1 });
    expect(enriched.context.partition).toBe(partitionForKey(paid.accountId, 12));
    expect(enriched.context.id).not.toBe(received.id);
    expect(enriched.context.headers).toMatchObject({
      ce_type: "billing.payment.enriched",
      ce_source: "billing-service",
      ce_dataschema: "billing.payment.enriched-value/PaymentEnriched/1.0",
      causationid: received.id,
      correlationid: "invoice-1",
    });
  });

  it("handles each key's events strictly in sequence in an ordered consumer whose handler fails first attempts", async () => {
    const billingService = service("billing-service");
    const keys = Array.from({ length: 8 }, () => msisdn());
    const perKey = 6;
    // Which attempts of an event fail: the first one of some, the first two of others.
    const failures = (key: number, sequence: number): number =>
      (key + sequence) % 4 === 0 ? 2 : (key + sequence) % 3 === 0 ? 1 : 0;
    const sequenceOf = new Map<string, { key: number; sequence: number }>();
    const attempts: { key: number; sequence: number; attempt: number; ok: boolean }[] = [];
    const busy = new Set<number>();
    const overlaps: string[] = [];

    await startTeam(
      billingService.runtime,
      "billing",
      billingServices({
        "billing.rating-plan-sync": async (event: TariffChanged, context) => {
          const mine = sequenceOf.get(event.changeId);
          if (mine === undefined) return;
          const { key, sequence } = mine;
          if (busy.has(key)) overlaps.push(`${key}:${sequence}`);
          busy.add(key);
          try {
            await new Promise((resolve) => setTimeout(resolve, 5));
            const ok = context.attempt > failures(key, sequence);
            attempts.push({ key, sequence, attempt: context.attempt, ok });
            if (!ok) throw new Error(`rating engine busy (${key}:${sequence}, attempt ${context.attempt})`);
          } finally {
            busy.delete(key);
          }
        },
      }),
    );

    // Round by round, so each key's changes are in the log in sequence; keys interleave in their partitions.
    for (let sequence = 1; sequence <= perKey; sequence++) {
      await Promise.all(
        keys.map(async (key, index) => {
          const change = tariffChanged(key, sequence);
          sequenceOf.set(change.changeId, { key: index, sequence });
          await publishCrmTariffChanged(billingService.runtime, change);
        }),
      );
    }
    await until(() => attempts.filter((a) => a.ok).length === keys.length * perKey, "every change applied", 45_000);

    expect(overlaps).toEqual([]);
    for (const [key] of keys.entries()) {
      const mine = attempts.filter((a) => a.key === key);
      // Applied exactly once each, in the order published…
      expect(mine.filter((a) => a.ok).map((a) => a.sequence)).toEqual([1, 2, 3, 4, 5, 6]);
      // …and no change attempted before the previous one of its key was applied: the retries of one change
      // come right after its first attempt.
      const expected = [1, 2, 3, 4, 5, 6].flatMap((sequence) =>
        Array.from({ length: failures(key, sequence) + 1 }, (_, i) => `${sequence}#${i + 1}`),
      );
      expect(mine.map((a) => `${a.sequence}#${a.attempt}`)).toEqual(expected);
    }
    expect(attempts.filter((a) => !a.ok).length).toBeGreaterThan(10);
  }, 60_000);

  it("redelivers what a killed consumer had not committed to the next member of its group, losing nothing", async () => {
    const crmService = service("crm-service");
    const partitions = crmSubscriberActivatedTopic.partitions;
    // Two events whose handler never returns, each followed in its partition by events that complete: all of
    // them stay uncommitted (an unordered reader commits only up to its lowest unfinished record).
    const hung = [1, 4].map((partition) => subscriberActivated(msisdnIn(partition, partitions)));
    const behind = hung.flatMap((event) =>
      [1, 2].map(() => subscriberActivated(msisdnIn(partitionForKey(event.msisdn, partitions), partitions))),
    );
    const elsewhere = [0, 2, 3, 5, 0, 2].map((partition) => subscriberActivated(msisdnIn(partition, partitions)));
    const all = [...hung.slice(0, 1), ...behind.slice(0, 2), ...hung.slice(1), ...behind.slice(2), ...elsewhere];
    const ids = new Set(all.map((event) => event.subscriberId));
    for (const event of all) await publishCrmSubscriberActivated(crmService.runtime, event);
    const group = billingAccountOpeningConsumer.groupId;
    const topic = crmSubscriberActivatedTopic.name;

    // The first billing service, in a process of its own, with an idempotency store shared through a file.
    const store = join(await mkdtemp(join(tmpdir(), "evtc-idempotency-")), "store.json");
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        fileURLToPath(new URL("./crash-consumer.ts", import.meta.url)),
        broker().bootstrap,
        store,
        hung.map((e) => e.subscriberId).join(","),
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("exit", (_code, signal) => resolve(signal)),
    );
    const doneByChild = new Set<string>();
    const hungInChild = new Set<string>();
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const [what, id] = line.split(" ");
      if (what === "done") doneByChild.add(id!);
      if (what === "hung") hungInChild.add(id!);
    });
    try {
      await until(
        () => hungInChild.size === 2 && doneByChild.size === all.length - 2,
        "the first service to handle all it can",
        45_000,
      );
      // What it finished before the hung events is committed; those and what follows them in their partitions are not.
      await until(
        async () => (await admin().lag(group, topic)) === hung.length + behind.length,
        "the commits of the first service",
      );
    } finally {
      child.kill("SIGKILL");
    }
    expect(await exited).toBe("SIGKILL");
    expect([...hungInChild].sort()).toEqual(hung.map((e) => e.subscriberId).sort());

    // The next member of the group, sharing the idempotency store.
    const billingService = service("billing-service", { runtime: { idempotency: new FileIdempotencyStore(store) } });
    const handled: Delivery<SubscriberActivated>[] = [];
    await startTeam(
      billingService.runtime,
      "billing",
      billingServices({ "billing.account-opening": keep(handled, (e) => ids.has(e.subscriberId)) }),
    );
    await until(async () => (await admin().lag(group, topic)) === 0, "the next member to catch up", 45_000);

    // The hung events were delivered again and handled; those that were finished but not committed were
    // delivered again too and recognised as done; every event had its effect, once.
    expect(handled.map((d) => d.event.subscriberId).sort()).toEqual(hung.map((e) => e.subscriberId).sort());
    expect(await metric(billingService.runtime.metrics, "evtc_events_duplicate_total", { consumer: group })).toBe(
      behind.length,
    );
    const effects = [...doneByChild, ...handled.map((d) => d.event.subscriberId)];
    expect(effects.sort()).toEqual([...ids].sort());
  }, 90_000);

  it("has the effect of an event published twice with the same id once", async () => {
    const billingService = service("billing-service");
    const crmService = service("crm-service");
    const topups: Delivery<TopupCompleted>[] = [];
    const payments: Delivery<PaymentEnriched>[] = [];
    const topup = topupCompleted(msisdn());
    const paid = payment(msisdn());
    await startTeam(billingService.runtime, "billing", billingServices());
    await startTeam(
      crmService.runtime,
      "crm",
      crmServices({
        "crm.topup-sync": keep(topups, (e) => e.topupId === topup.topupId),
        "crm.payment-sync": keep(payments, (e) => e.paymentId === paid.paymentId),
      }),
    );

    // A producer that retries on its own (it did not see the acknowledgement) sends the same event again.
    const topupCopies = [];
    const paymentCopies = [];
    for (let copy = 0; copy < 2; copy++) {
      topupCopies.push(
        await publishBillingTopupCompleted(billingService.runtime, topup, { id: `topup-${topup.topupId}` }),
      );
      paymentCopies.push(
        await publishBillingPaymentReceived(billingService.runtime, paid, { id: `payment-${paid.paymentId}` }),
      );
    }
    // Two records each, at two offsets of the key's partition.
    expect(new Set(topupCopies.map((p) => `${p.partition}/${p.offset}`)).size).toBe(2);
    expect(new Set(paymentCopies.map((p) => `${p.partition}/${p.offset}`)).size).toBe(2);

    const caughtUp = async (group: string, topic: string): Promise<boolean> => (await admin().lag(group, topic)) === 0;
    await until(
      async () =>
        (await caughtUp("crm.topup-sync", "billing.topup.completed")) &&
        (await caughtUp("billing.payment-customer", "billing.payment.received")) &&
        (await caughtUp("crm.payment-sync", "billing.payment.enriched")),
      "every copy handled",
    );
    expect(topups.map((d) => d.context.id)).toEqual([`topup-${topup.topupId}`]);
    // The enricher enriched the payment once: CRM's consumer received one enriched payment.
    expect(payments).toHaveLength(1);
    expect(payments[0]!.context.headers["causationid"]).toBe(`payment-${paid.paymentId}`);
    expect(
      await metric(crmService.runtime.metrics, "evtc_events_duplicate_total", { consumer: "crm.topup-sync" }),
    ).toBe(1);
    expect(
      await metric(billingService.runtime.metrics, "evtc_events_duplicate_total", {
        consumer: "billing.payment-customer",
      }),
    ).toBe(1);
  });

  it("enriches N payments of K customers with K look-ups through the enricher's cache", async () => {
    const billingService = service("billing-service");
    const crmService = service("crm-service");
    const customers = Array.from({ length: 5 }, () => msisdn());
    const payments = Array.from({ length: 40 }, (_, n) => payment(customers[n % customers.length]!, `${n + 1}.00`));
    const ours = new Set(payments.map((p) => p.paymentId));
    const lookups = new Map<string, number>();
    const received: Delivery<PaymentEnriched>[] = [];
    await startTeam(
      billingService.runtime,
      "billing",
      billingServices({}, (msisdn) => {
        if (customers.includes(msisdn)) lookups.set(msisdn, (lookups.get(msisdn) ?? 0) + 1);
      }),
    );
    await startTeam(
      crmService.runtime,
      "crm",
      crmServices({ "crm.payment-sync": keep(received, (e) => ours.has(e.paymentId)) }),
    );

    const published = await Promise.all(payments.map((p) => publishBillingPaymentReceived(billingService.runtime, p)));
    await until(() => received.length >= payments.length, "every enriched payment");

    // One look-up per customer, the other payments answered from the 20-minute cache…
    expect(Object.fromEntries(lookups)).toEqual(Object.fromEntries(customers.map((c) => [c, 1])));
    const labels = { enricher: "billing.payment-customer", backend: "crm.customer-db" };
    expect(await metric(billingService.runtime.metrics, "evtc_backend_calls_total", labels)).toBe(customers.length);
    expect(await metric(billingService.runtime.metrics, "evtc_cache_hits_total", labels)).toBe(
      payments.length - customers.length,
    );
    // …and every payment enriched once, with its own customer's profile, on billing.payment.enriched.
    expect(received).toHaveLength(payments.length);
    for (const { event, context } of received) {
      expect(event.customer).toEqual(profileOf(event.msisdn));
      expect(context.topic).toBe("billing.payment.enriched");
    }
    expect(new Set(received.map((d) => d.context.headers["causationid"]))).toEqual(new Set(published.map((p) => p.id)));
  });
});
