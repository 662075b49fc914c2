import { randomInt, randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  createKafkaTransport,
  createRuntime,
  type EvtcRuntime,
  type KafkaTransportOptions,
} from "../../src/runtime/index.js";
import type { ClaimResult, IdempotencyStore } from "../../src/runtime/idempotency.js";
import type { RuntimeOptions } from "../../src/runtime/runtime.js";
import { partitionForKey } from "../../src/runtime/murmur2.js";
import type { EventContext, EventHandler } from "../../src/runtime/api.js";
import type { ConsumedRecord, Transport } from "../../src/runtime/transport.js";
import type {
  CustomerProfile,
  PaymentReceived,
  TeamServices,
  SubscriberActivated,
  TariffChanged,
  TopupCompleted,
} from "../../generated/telco/index.js";

/**
 * What the integration tests of the example (examples/telco, generated/telco) share: its topics on a one-node
 * broker, events that pass its contracts, services on the Kafka transport, a reader of dead-letter topics and
 * an idempotency store several processes share.
 */

interface TopologyTopic {
  readonly name: string;
  readonly partitions: number;
  readonly config: Readonly<Record<string, string>>;
}

/**
 * Creates every topic of the example's generated topology — declared, enriched and dead-letter topics — as
 * declared but for the replication: the topology asks for 3 replicas and `min.insync.replicas` 2, which a
 * one-node broker cannot give (creating them fails, and `acks=all` sends to them would be refused). `start`
 * then finds every topic of the wiring there and leaves it as it is.
 */
export async function createTelcoTopics(transport: Transport): Promise<void> {
  const path = fileURLToPath(new URL("../../generated/telco/topology.json", import.meta.url));
  const topology = JSON.parse(readFileSync(path, "utf8")) as { topics: TopologyTopic[] };
  await transport.ensureTopics(
    topology.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions,
      replicationFactor: 1,
      config: { ...topic.config, "min.insync.replicas": "1" },
    })),
  );
}

/** A runtime on its own Kafka transport (a service), and what its logger reported. */
export interface KafkaService {
  readonly runtime: EvtcRuntime;
  readonly log: string[];
}

/**
 * A service named `source` on the broker at `brokers`, reporting to `log` instead of stderr. kafkajs's own log
 * is off: the tests provoke the connection errors it would print.
 */
export function kafkaService(
  brokers: string,
  source: string,
  options: { readonly kafka?: Partial<KafkaTransportOptions>; readonly runtime?: Partial<RuntimeOptions> } = {},
): KafkaService {
  const log: string[] = [];
  const transport = createKafkaTransport({
    brokers: [brokers],
    clientId: source,
    logLevel: "nothing",
    env: {},
    onHandlerError: (error) => log.push(`transport: handler rejected: ${String(error)}`),
    ...options.kafka,
  });
  const report = (message: string, fields: Readonly<Record<string, unknown>>): void =>
    void log.push(`${message} ${JSON.stringify(fields)}`);
  const runtime = createRuntime({ transport, source, logger: { warn: report, error: report }, ...options.runtime });
  return { runtime, log };
}

/** An event handed to a handler, with its context. */
export interface Delivery<T> {
  readonly event: T;
  readonly context: EventContext;
}

/**
 * A handler that keeps what `ours` recognises: the example's topics and consumer groups are the same for every
 * test of a file, so a test may meet events an earlier one left behind.
 */
export function keep<T>(into: Delivery<T>[], ours: (event: T) => boolean): EventHandler<T> {
  return async (event, context) => {
    if (ours(event)) into.push({ event, context });
  };
}

export const ignore = async (): Promise<void> => {};

/**
 * What the billing team supplies to `startTeam`: its handlers (idle unless given) and the customer database
 * answering `profileOf`, telling `customerDb` of each call.
 */
export function billingServices(
  handlers: Partial<TeamServices["billing"]["handlers"]> = {},
  customerDb: (msisdn: string) => void = () => {},
): TeamServices["billing"] {
  return {
    handlers: { "billing.account-opening": ignore, "billing.rating-plan-sync": ignore, ...handlers },
    lookups: {
      "billing.payment-customer": {
        "crm.customer-db": async (msisdn) => {
          customerDb(msisdn);
          return { customer: profileOf(msisdn) };
        },
      },
    },
  };
}

/** What the CRM team supplies to `startTeam`: its handlers, idle unless given. */
export function crmServices(handlers: Partial<TeamServices["crm"]["handlers"]> = {}): TeamServices["crm"] {
  return { handlers: { "crm.payment-sync": ignore, "crm.topup-sync": ignore, ...handlers }, lookups: {} };
}

/** Polls `condition` every 20 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// --- events that pass the example's contracts ------------------------------------------------------------

const digits = (count: number): string => Array.from({ length: count }, () => randomInt(10)).join("");

/** A fresh msisdn (`31` and 9 digits) that murmur2 places in `partition` of a topic of `partitions`. */
export function msisdnIn(partition: number, partitions: number): string {
  for (;;) {
    const msisdn = `31${digits(9)}`;
    if (partitionForKey(msisdn, partitions) === partition) return msisdn;
  }
}

/** A fresh msisdn anywhere. */
export const msisdn = (): string => `31${digits(9)}`;

/** The billing account of a subscriber: one per msisdn, derived from it. */
export const accountOf = (msisdn: string): string => `ACC-${msisdn.slice(-8)}`;

export function payment(msisdn: string, amount = "12.50"): PaymentReceived {
  return {
    paymentId: randomUUID(),
    accountId: accountOf(msisdn),
    msisdn,
    amount: { amount, currency: "EUR" },
    method: "CARD",
    receivedAt: "2026-03-01T12:00:00Z",
    channel: "APP",
  };
}

export function subscriberActivated(msisdn: string): SubscriberActivated {
  return {
    subscriberId: randomUUID(),
    msisdn,
    imsi: `20404${digits(10)}`,
    iccid: `8931${digits(16)}`,
    accountId: accountOf(msisdn),
    contract: "POSTPAID",
    sim: "ESIM",
    tariffCode: "UNLIMITED-5G",
    addOns: ["ROAM-EU"],
    salesChannel: "ONLINE",
    activatedAt: "2026-03-01T12:00:00Z",
  };
}

/** The `sequence`-th tariff change of `msisdn` (its data allowance carries the sequence number). */
export function tariffChanged(msisdn: string, sequence: number): TariffChanged {
  return {
    changeId: randomUUID(),
    msisdn,
    accountId: accountOf(msisdn),
    previousTariff: `PLAN-${sequence - 1}`,
    newTariff: `PLAN-${sequence}`,
    reason: "UPGRADE",
    requestedVia: "APP",
    allowances: { "data-mb": sequence },
    monthlyFeeDelta: "5.00",
    effectiveFrom: "2026-04-01T00:00:00Z",
  };
}

export function topupCompleted(msisdn: string): TopupCompleted {
  return {
    topupId: randomUUID(),
    msisdn,
    amount: { amount: "20.00", currency: "EUR" },
    channel: "VOUCHER",
    newBalance: "27.35",
    voucherSerial: digits(14),
    completedAt: "2026-03-01T12:00:00Z",
  };
}

/** The CRM profile the customer database answers for `msisdn`. */
export function profileOf(msisdn: string): CustomerProfile {
  return {
    customerId: `7c9e6679-7425-40de-944b-${msisdn.padStart(12, "0")}`,
    accountId: accountOf(msisdn),
    segment: "CONSUMER_POSTPAID",
    contract: "POSTPAID",
    tenureMonths: 30,
    preferredLanguage: "nl",
    vip: false,
    marketingConsents: { sms: true },
  };
}

// --- reading what landed ----------------------------------------------------------------------------------

/** Reads `topic` from the beginning, in a group of its own, until a record with `ce_id` `id` shows up. */
export async function findRecord(
  transport: Transport,
  topic: string,
  id: string,
  timeoutMs = 30_000,
): Promise<ConsumedRecord> {
  let found: ConsumedRecord | undefined;
  const subscription = await transport.subscribe(
    { groupId: `evtc-test.find.${randomUUID()}`, topic, fromBeginning: true },
    async (batch) => void (found ??= batch.records.find((record) => record.headers["ce_id"] === id)),
  );
  try {
    await until(() => found !== undefined, `${id} in ${topic}`, timeoutMs);
    return found!;
  } finally {
    await subscription.close();
  }
}

// --- an idempotency store shared by processes -------------------------------------------------------------

type FileEntries = Record<string, { state: "pending" | "done"; expiresAt: number }>;

/**
 * An `IdempotencyStore` in a JSON file, for processes that take turns on one consumer group (one is killed,
 * the next takes over): what Redis or a database table is to instances of a service. Each call reads and
 * writes the whole file synchronously, so it is atomic within a process; it is not meant for processes
 * writing at the same time.
 */
export class FileIdempotencyStore implements IdempotencyStore {
  constructor(private readonly path: string) {}

  async claim(consumer: string, id: string, leaseMs: number): Promise<ClaimResult> {
    const entries = this.read();
    const key = `${consumer} ${id}`;
    const entry = entries[key];
    if (entry !== undefined && (entry.state === "done" || entry.expiresAt > Date.now())) {
      return entry.state === "done" ? "done" : "busy";
    }
    entries[key] = { state: "pending", expiresAt: Date.now() + leaseMs };
    this.write(entries);
    return "claimed";
  }

  async complete(consumer: string, id: string): Promise<void> {
    const entries = this.read();
    entries[`${consumer} ${id}`] = { state: "done", expiresAt: Number.MAX_SAFE_INTEGER };
    this.write(entries);
  }

  async release(consumer: string, id: string): Promise<void> {
    const entries = this.read();
    if (entries[`${consumer} ${id}`]?.state === "pending") {
      delete entries[`${consumer} ${id}`];
      this.write(entries);
    }
  }

  private read(): FileEntries {
    try {
      return JSON.parse(readFileSync(this.path, "utf8")) as FileEntries;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
      throw error;
    }
  }

  private write(entries: FileEntries): void {
    writeFileSync(this.path, JSON.stringify(entries));
  }
}
