import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createEmbeddedTransport, createRuntime, silentLogger, type EventContext } from "../../src/runtime/index.js";
import {
  billingAccountOpeningConsumer,
  crmSubscriberActivatedTopic,
  publishBillingPaymentReceived,
  publishCrmSubscriberActivated,
  startTeam,
  type CustomerProfile,
  type PaymentEnriched,
  type PaymentReceived,
  type SubscriberActivated,
  wiring,
} from "../../generated/telco/index.js";
import { stampHeaders } from "../../src/runtime/stamp.js";

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

function subscriber(): SubscriberActivated {
  return {
    subscriberId: "b3c1d7e2-4f5a-4b6c-9d8e-0f1a2b3c4d5e",
    msisdn: "31612345678",
    imsi: "204081234567890",
    iccid: "8931081234567890123",
    accountId: "ACC-00001234",
    contract: "POSTPAID",
    sim: "ESIM",
    tariffCode: "UNL-5G",
    addOns: [],
    salesChannel: "ONLINE",
    activatedAt: "2026-03-01T12:00:00Z",
  };
}

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
    // An absolute URI, as CloudEvents requires of `dataschema`, naming the enriched topic's subject and version.
    const dataschema = received[0]!.context.headers["ce_dataschema"];
    expect(dataschema).toBe("urn:evtc:schema:billing.payment.enriched-value/PaymentEnriched/1.0");
    expect(new URL(String(dataschema)).protocol).toBe("urn:");
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
    // What other platforms on the bus could not parse: a space for the `T` (Java's Instant.parse), a URN for a
    // UUID (UUID.fromString).
    await expect(
      publishBillingPaymentReceived(strict, { ...payment(1), receivedAt: "2026-03-01 12:00:00Z" }),
    ).rejects.toThrow(/receivedAt: must match format "date-time"/);
    await expect(
      publishBillingPaymentReceived(strict, { ...payment(1), paymentId: `urn:uuid:${payment(1).paymentId}` }),
    ).rejects.toThrow(/paymentId: must match format "uuid"/);
    expect((await transport.offsets("billing.payment.received")).reduce((sum, o) => sum + o.end, 0)).toBe(0);
    // RFC 3339 in full otherwise: fractions, offsets, a lower-case `t`.
    await expect(
      publishBillingPaymentReceived(strict, { ...payment(1), receivedAt: "2026-03-01t12:00:00.5+01:00" }),
    ).resolves.toBeDefined();
    await strict.close();
  });

  it("reads an older minor version's event with the defaults of the fields added since (backward compatibility)", async () => {
    const transport = createEmbeddedTransport();
    await transport.ensureTopics([{ name: crmSubscriberActivatedTopic.name, partitions: 1 }]);
    const runtime = createRuntime({ transport, source: "test", logger: silentLogger });
    const received: { event: SubscriberActivated; version: string }[] = [];
    await runtime.consume(billingAccountOpeningConsumer, async (event, context) => {
      received.push({ event, version: context.version });
    });
    // What a producer still on v1.1 wrote: `sim` came in v1.2, with the default PHYSICAL.
    const { sim, ...v1_1 } = subscriber();
    expect(sim).toBe("ESIM");
    await transport.send([
      {
        topic: crmSubscriberActivatedTopic.name,
        key: v1_1.msisdn,
        value: Buffer.from(JSON.stringify(v1_1)),
        headers: stampHeaders({
          id: "5f0c6a4e-9d1b-4b7e-8a51-0c0f3e1b2a11",
          type: crmSubscriberActivatedTopic.name,
          source: "crm-v1.1",
          time: new Date("2026-03-01T12:00:00Z"),
          dataschema: "crm.subscriber.activated-value/SubscriberActivated/1.1",
        }),
      },
    ]);
    await until(() => received.length === 1);
    expect(received[0]).toEqual({ event: { ...v1_1, sim: "PHYSICAL" }, version: "1.1" });
    await runtime.close();
  });

  it("publishes an event that leaves out a field with a default with the default, leaving the caller's event as it is", async () => {
    const transport = createEmbeddedTransport();
    await transport.ensureTopics([{ name: crmSubscriberActivatedTopic.name, partitions: 1 }]);
    // What reaches the bus, as sent.
    const values: unknown[] = [];
    const send = transport.send.bind(transport);
    transport.send = (records) => {
      values.push(...records.map((record) => JSON.parse(record.value.toString("utf8"))));
      return send(records);
    };
    const runtime = createRuntime({ transport, source: "test", logger: silentLogger });
    const { sim: _, ...withoutSim } = subscriber();
    // As a JavaScript caller could: the type says `sim` is there, the published event has it.
    const open = { ...withoutSim } as unknown as SubscriberActivated;
    const frozen = Object.freeze({ ...withoutSim }) as unknown as SubscriberActivated;
    await publishCrmSubscriberActivated(runtime, open);
    await publishCrmSubscriberActivated(runtime, frozen);
    expect(open).toEqual(withoutSim);
    expect(frozen).toEqual(withoutSim);
    expect(values).toEqual([
      { ...withoutSim, sim: "PHYSICAL" },
      { ...withoutSim, sim: "PHYSICAL" },
    ]);
    await runtime.close();
  });

  it("makes sure, for each team, only of topics the generated ACLs let the team's principal see", async () => {
    const topology = JSON.parse(
      readFileSync(new URL("../../generated/telco/topology.json", import.meta.url), "utf8"),
    ) as {
      acls: { principal: string; resourceType: string; resourceName: string; patternType: string }[];
    };
    const teams = [
      ...new Set([...Object.values(wiring.consumers), ...Object.values(wiring.enrichers)].map((r) => r.owner)),
    ];
    expect(teams.length).toBeGreaterThan(3);
    for (const team of teams) {
      const transport = createEmbeddedTransport();
      const ensured: string[] = [];
      const ensureTopics = transport.ensureTopics.bind(transport);
      transport.ensureTopics = (topics) => {
        ensured.push(...topics.map((topic) => topic.name));
        return ensureTopics(topics);
      };
      const runtime = createRuntime({ transport, source: team, logger: silentLogger });
      const idle = async () => {};
      const handlers = Object.fromEntries(
        Object.values(wiring.consumers)
          .filter((consumer) => consumer.owner === team)
          .map((consumer) => [consumer.name, idle]),
      );
      const lookups = Object.fromEntries(
        Object.values(wiring.enrichers)
          .filter((enricher) => enricher.owner === team)
          .map((enricher) => [
            enricher.name,
            Object.fromEntries(enricher.lookups.map((lookup) => [lookup.backend, async () => ({})])),
          ]),
      );
      await runtime.start(wiring, { team, handlers, lookups });
      await runtime.close();
      const visible = topology.acls
        .filter(
          (acl) => acl.principal === `User:${team}` && acl.resourceType === "TOPIC" && acl.patternType === "LITERAL",
        )
        .map((acl) => acl.resourceName);
      expect(ensured.length, team).toBeGreaterThan(0);
      expect(
        ensured.filter((topic) => !visible.includes(topic)),
        team,
      ).toEqual([]);
    }
  });

  it("runs the producer example of docs/build.md as written", async () => {
    const docs = readFileSync(new URL("../../docs/build.md", import.meta.url), "utf8");
    const example = /### Producers[\s\S]*?```ts\n([\s\S]*?)```/.exec(docs)?.[1];
    expect(example).toContain("publishBillingPaymentReceived(runtime");
    const dir = new URL("../.tmp/docs/", import.meta.url);
    mkdirSync(dir, { recursive: true });
    const file = new URL("producer.ts", dir);
    // Written where a service's code would sit beside `generated/`, one level deeper here.
    writeFileSync(file, example!.replace('"../generated/', '"../../../generated/'));
    await expect(import(file.href)).resolves.toBeDefined();
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
