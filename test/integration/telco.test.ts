import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import {
  billingAccountOpeningConsumer,
  billingRatingPlanSyncConsumer,
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
import { DLQ_HEADERS, MemoryIdempotencyStore, type ConsumerSpec } from "../../src/runtime/index.js";
import { partitionForKey } from "../../src/runtime/murmur2.js";
import { gate, metric } from "../runtime/runtime-support.js";
import { telcoBroker } from "./telco-broker.js";
import {
  billingServices,
  crmServices,
  FileIdempotencyStore,
  findRecord,
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
  type KafkaService,
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
      ce_dataschema: "urn:evtc:schema:crm.subscriber.activated-value/SubscriberActivated/1.2",
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
      ce_dataschema: "urn:evtc:schema:billing.payment.enriched-value/PaymentEnriched/1.0",
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

  it("hands a partition over in a rebalance while one of its events is being handled: each has its effect once, in order", async () => {
    // Two instances of the billing service, sharing an idempotency store as the instances of a service must.
    const store = new MemoryIdempotencyStore();
    const first = service("billing-service", { runtime: { idempotency: store } });
    const second = service("billing-service", { runtime: { idempotency: store } });
    const key = msisdn();
    const changes = [1, 2, 3].map((sequence) => tariffChanged(key, sequence));
    const ours = new Set(changes.map((change) => change.changeId));
    const started = gate();
    const held = gate();
    const applied: string[] = [];
    const handler =
      (instance: string) =>
      async (event: TariffChanged): Promise<void> => {
        if (!ours.has(event.changeId)) return;
        if (instance === "first" && event.newTariff === "PLAN-1") {
          started.open();
          await held.promise;
        }
        applied.push(event.newTariff);
      };
    await first.runtime.consume(billingRatingPlanSyncConsumer, handler("first"));
    for (const change of changes) await publishCrmTariffChanged(first.runtime, change);
    await started.promise;
    // The second instance joins while the first is handling PLAN-1: the group rebalances, the first instance's
    // batch is no longer active, and the partition (whichever instance gets it) is read again from the last commit.
    await second.runtime.consume(billingRatingPlanSyncConsumer, handler("second"));
    held.open();
    await until(
      async () =>
        applied.length >= 3 && (await admin().lag(billingRatingPlanSyncConsumer.groupId, "crm.tariff.changed")) === 0,
      "the changes applied",
    );

    expect(applied).toEqual(["PLAN-1", "PLAN-2", "PLAN-3"]);
    const duplicates = async (service: KafkaService): Promise<number> =>
      metric(service.runtime.metrics, "evtc_events_duplicate_total", { consumer: billingRatingPlanSyncConsumer.name });
    // PLAN-1, read again after the rebalance, was recognised as done.
    expect((await duplicates(first)) + (await duplicates(second))).toBe(1);
  });

  it("dead-letters a poison event while other partitions keep flowing, then its own partition goes on", async () => {
    const billingService = service("billing-service");
    // The generated policy retries 10 times, backing off from 500 ms up to a minute: the poison event would
    // take minutes to reach its dead-letter topic. The same consumer with 2 quick retries behaves alike sooner.
    const consumer: ConsumerSpec<TariffChanged> = {
      ...billingRatingPlanSyncConsumer,
      retry: { attempts: 2, backoffFromMs: 50, backoffToMs: 100 },
    };
    const partitions = consumer.topic.partitions;
    const poisoned = msisdnIn(0, partitions);
    const neighbour = msisdnIn(0, partitions); // another key in the poison event's partition
    const other = msisdnIn(3, partitions);
    const poison = tariffChanged(poisoned, 1);
    const afterPoison = [tariffChanged(poisoned, 2), tariffChanged(neighbour, 1)];
    const others = [1, 2, 3, 4, 5].map((n) => tariffChanged(other, n));
    const ours = new Set([poison, ...afterPoison, ...others].map((change) => change.changeId));

    const order: string[] = [];
    const poisonStarted = gate();
    const othersDone = gate();
    let othersFinished = false;
    let poisonAttempts = 0;
    await billingService.runtime.consume(consumer, async (event, context) => {
      if (!ours.has(event.changeId)) return;
      if (event.changeId === poison.changeId) {
        poisonAttempts++;
        order.push(`poison#${context.attempt}`);
        if (context.attempt === 1) {
          poisonStarted.open();
          // Held until the other partition's events are through (were they held back, the timeout fails it).
          await Promise.race([othersDone.promise, new Promise((resolve) => setTimeout(resolve, 15_000))]);
          order.push(othersFinished ? "poison released" : "poison timed out");
        }
        throw new Error("tariff PLAN-1 does not exist in the rating engine");
      }
      order.push(
        `${event.msisdn === other ? "other" : event.msisdn === neighbour ? "neighbour" : "poisoned"}:${event.newTariff}`,
      );
      if (order.filter((entry) => entry.startsWith("other:")).length === others.length) {
        othersFinished = true;
        othersDone.open();
      }
    });

    const published = await publishCrmTariffChanged(billingService.runtime, poison);
    for (const change of afterPoison) await publishCrmTariffChanged(billingService.runtime, change);
    expect(published.partition).toBe(0);
    // The other key's events come only once the poison event is being handled: they need a fetch of their own.
    await poisonStarted.promise;
    for (const change of others) await publishCrmTariffChanged(billingService.runtime, change);

    await until(() => order.length === 3 + 1 + others.length + afterPoison.length, "every event handled");
    expect(order).toEqual([
      "poison#1",
      "other:PLAN-1",
      "other:PLAN-2",
      "other:PLAN-3",
      "other:PLAN-4",
      "other:PLAN-5",
      "poison released",
      "poison#2",
      "poison#3",
      expect.stringMatching(/^(poisoned:PLAN-2|neighbour:PLAN-1)$/),
      expect.stringMatching(/^(poisoned:PLAN-2|neighbour:PLAN-1)$/),
    ]);
    expect(poisonAttempts).toBe(3);

    const dead = await findRecord(admin(), consumer.dlqTopic!, published.id);
    expect(dead.key?.toString()).toBe(poisoned);
    expect(JSON.parse(dead.value.toString())).toEqual(poison);
    expect(dead.headers).toMatchObject({
      ce_id: published.id,
      ce_type: "crm.tariff.changed",
      [DLQ_HEADERS.topic]: "crm.tariff.changed",
      [DLQ_HEADERS.partition]: "0",
      [DLQ_HEADERS.offset]: String(published.offset),
      [DLQ_HEADERS.consumer]: "billing.rating-plan-sync",
      [DLQ_HEADERS.attempts]: "3",
      [DLQ_HEADERS.error]: "tariff PLAN-1 does not exist in the rating engine",
    });
    expect(billingService.log.some((line) => line.startsWith("event failed, dead-lettered"))).toBe(true);
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
    const storeDir = await mkdtemp(join(tmpdir(), "evtc-idempotency-"));
    onTestFinished(() => rm(storeDir, { recursive: true, force: true }));
    const store = join(storeDir, "store.json");
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
