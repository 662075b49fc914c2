/**
 * Synthetic events for the example operator, typed against the generated types (so `tsc` checks them against
 * the `.evt` files) and valid per the generated validators (the runtime refuses to publish anything else).
 *
 * Subscribers are drawn from a population of a few thousand with Zipf's law: a handful of them pay, top up,
 * call and browse far more than the rest. A 20-second run thus sees the repeats that a real bus of 4 million
 * subscribers sees over the 20 minutes of the payment enricher's cache — which is what lets the demo show the
 * cache at work in seconds. Cells are drawn the same way, for the incident enricher's cache.
 */
import type { PublishedEvent, PublishOptions, Runtime } from "evtc/runtime";
import {
  publishBillingPaymentReceived,
  publishBillingTopupCompleted,
  publishCrmCaseCreated,
  publishCrmSubscriberActivated,
  publishCrmTariffChanged,
  publishNetworkIncidentOpened,
  publishNetworkSessionStarted,
  type CaseCategory,
  type CellLocation,
  type ContractType,
  type CustomerProfile,
  type CustomerSegment,
  type DataSessionStarted,
  type IncidentImpact,
  type NetworkIncidentOpened,
  type NetworkService,
  type PaymentReceived,
  type SubscriberActivated,
  type SupportCaseCreated,
  type TariffChanged,
  type TopupCompleted,
} from "../../generated/telco/index.js";
import { below, digits, pick, seededBy, uuid, zipf, type Random } from "./random.js";

interface Subscriber {
  readonly msisdn: string;
  readonly imsi: string;
  readonly accountId: string;
  readonly tariffCode: string;
  readonly profile: CustomerProfile;
}

const TARIFFS = ["PRE-BASIC", "PRE-PLUS", "PRE-MAX", "POST-S", "POST-M", "POST-L", "POST-XL", "BIZ-100", "BIZ-500"];
const REGIONS = ["capital", "north", "south", "east", "west", "coast", "islands"];
const LANGUAGES = ["en", "en", "en", "nl", "fr", "de", "es", "pl", "tr", "ar"];
const ADD_ONS = ["ROAM-EU", "DATA-5GB", "DATA-20GB", "INTL-100", "TV-LITE", "MUSIC"];
const SUMMARIES: Readonly<Record<CaseCategory, readonly string[]>> = {
  BILLING: ["I was charged twice this month", "My direct debit failed", "Invoice higher than expected"],
  NETWORK_QUALITY: ["No signal at home since yesterday", "Mobile data is very slow", "Calls keep dropping"],
  DEVICE: ["My phone does not recognise the SIM", "eSIM download fails"],
  TARIFF: ["I want a bigger data bundle", "Why did my price go up?"],
  NUMBER_PORTING: ["Porting my number from another operator is stuck"],
  OTHER: ["Please update my address", "Question about my contract"],
};

function decimal(random: Random, min: number, max: number): string {
  const cents = min * 100 + below(random, (max - min) * 100 + 1);
  return (cents / 100).toFixed(2);
}

function nowIso(): string {
  return new Date().toISOString();
}

/** The operator's world: subscribers and cells, and a generator per event the demo publishes. */
export class TelcoWorld {
  private readonly subscribers: Subscriber[] = [];
  private readonly byMsisdn = new Map<string, Subscriber>();
  private readonly cells: CellLocation[] = [];
  private readonly subscriberIndex: () => number;
  private readonly cellIndex: () => number;

  constructor(
    private readonly random: Random,
    population = 2_000,
    cellCount = 300,
  ) {
    for (let i = 0; i < population; i++) {
      const subscriber = this.newSubscriber();
      this.subscribers.push(subscriber);
      this.byMsisdn.set(subscriber.msisdn, subscriber);
    }
    for (let i = 0; i < cellCount; i++) {
      this.cells.push({
        cellId: `204-08-${1000 + below(random, 9000)}-${below(random, 65536)}`,
        latitude: Math.round((50.7 + random() * 2.8) * 1e5) / 1e5,
        longitude: Math.round((3.3 + random() * 3.9) * 1e5) / 1e5,
        region: pick(random, REGIONS),
      });
    }
    this.subscriberIndex = zipf(random, population, 1);
    this.cellIndex = zipf(random, cellCount, 1);
  }

  private newSubscriber(random: Random = this.random): Subscriber {
    const contract: ContractType = random() < 0.65 ? "PREPAID" : random() < 0.85 ? "POSTPAID" : "HYBRID";
    const segment: CustomerSegment =
      contract === "PREPAID" ? "CONSUMER_PREPAID" : random() < 0.85 ? "CONSUMER_POSTPAID" : random() < 0.8 ? "SMALL_BUSINESS" : "ENTERPRISE";
    const accountId = `ACC-${digits(random, 8)}`;
    const tariffCode = contract === "PREPAID" ? pick(random, TARIFFS.slice(0, 3)) : pick(random, TARIFFS.slice(3));
    const profile: CustomerProfile = {
      customerId: uuid(random),
      accountId,
      segment,
      contract,
      tenureMonths: below(random, 180),
      preferredLanguage: pick(random, LANGUAGES),
      vip: random() < 0.02,
      ...(random() < 0.9 ? { churnScore: Math.round(random() * 1000) / 1000 } : {}),
      marketingConsents: { sms: random() < 0.7, email: random() < 0.5, phone: random() < 0.2 },
      ...(contract === "PREPAID" ? {} : { contractEndDate: `2027-${String(1 + below(random, 12)).padStart(2, "0")}-01` }),
    };
    return { msisdn: `316${digits(random, 8)}`, imsi: `20408${digits(random, 10)}`, accountId, tariffCode, profile };
  }

  private subscriber(): Subscriber {
    return this.subscribers[this.subscriberIndex()]!;
  }

  private cell(): CellLocation {
    return this.cells[this.cellIndex()]!;
  }

  payment(): PaymentReceived {
    const random = this.random;
    const who = this.subscriber();
    return {
      paymentId: uuid(random),
      accountId: who.accountId,
      msisdn: who.msisdn,
      amount: { amount: decimal(random, 5, 120), currency: random() < 0.97 ? "EUR" : pick(random, ["USD", "GBP"] as const) },
      method: pick(random, ["DIRECT_DEBIT", "DIRECT_DEBIT", "CARD", "BANK_TRANSFER", "WALLET", "CASH_IN_STORE"] as const),
      ...(random() < 0.8 ? { invoiceNumber: `INV-${digits(random, 10)}` } : {}),
      receivedAt: nowIso(),
      channel: pick(random, ["WEB", "APP", "STORE", "BANK", "IVR"] as const),
    };
  }

  topup(): TopupCompleted {
    const random = this.random;
    const who = this.subscriber();
    const channel = pick(random, ["VOUCHER", "CARD", "AUTO_TOPUP", "RETAIL_POS"] as const);
    const amount = pick(random, [5, 10, 15, 20, 25, 50]);
    return {
      topupId: uuid(random),
      msisdn: who.msisdn,
      amount: { amount: amount.toFixed(2), currency: "EUR" },
      channel,
      ...(random() < 0.1 ? { bonusCredit: (amount / 5).toFixed(2) } : {}),
      newBalance: decimal(random, amount, amount + 40),
      ...(channel === "VOUCHER" ? { voucherSerial: digits(random, 14) } : {}),
      completedAt: nowIso(),
    };
  }

  supportCase(): SupportCaseCreated {
    const random = this.random;
    const who = this.subscriber();
    const category = pick(random, ["BILLING", "BILLING", "NETWORK_QUALITY", "DEVICE", "TARIFF", "NUMBER_PORTING", "OTHER"] as const);
    return {
      caseId: uuid(random),
      msisdn: who.msisdn,
      category,
      priority: pick(random, ["LOW", "NORMAL", "NORMAL", "NORMAL", "HIGH", "CRITICAL"] as const),
      channel: pick(random, ["PHONE", "PHONE", "CHAT", "EMAIL", "STORE", "SOCIAL_MEDIA", "APP"] as const),
      summary: pick(random, SUMMARIES[category]),
      ...(category === "NETWORK_QUALITY" ? { cellId: this.cell().cellId } : {}),
      tags: random() < 0.15 ? ["repeat-caller"] : [],
      openedAt: nowIso(),
    };
  }

  activation(): SubscriberActivated {
    const random = this.random;
    const fresh = this.newSubscriber();
    const salesChannel = pick(random, ["RETAIL_STORE", "ONLINE", "APP", "TELESALES", "DEALER"] as const);
    return {
      subscriberId: uuid(random),
      msisdn: fresh.msisdn,
      imsi: fresh.imsi,
      iccid: `8931${digits(random, 15)}`,
      accountId: fresh.accountId,
      contract: fresh.profile.contract,
      sim: random() < 0.3 ? "ESIM" : "PHYSICAL",
      tariffCode: fresh.tariffCode,
      addOns: ADD_ONS.filter(() => random() < 0.2),
      salesChannel,
      ...(salesChannel === "DEALER" ? { dealerCode: `D${digits(random, 5)}` } : {}),
      activatedAt: nowIso(),
    };
  }

  tariffChange(): TariffChanged {
    const random = this.random;
    const who = this.subscriber();
    const newTariff = pick(random, TARIFFS.filter((t) => t !== who.tariffCode));
    return {
      changeId: uuid(random),
      msisdn: who.msisdn,
      accountId: who.accountId,
      previousTariff: who.tariffCode,
      newTariff,
      reason: pick(random, ["UPGRADE", "UPGRADE", "DOWNGRADE", "RETENTION_OFFER", "CONTRACT_RENEWAL", "MIGRATION"] as const),
      requestedVia: pick(random, ["RETAIL_STORE", "ONLINE", "APP", "TELESALES", "DEALER"] as const),
      allowances: { "data-mb": 1024 * (1 + below(random, 50)), "voice-min": 100 * below(random, 20), sms: 1000 },
      monthlyFeeDelta: (random() < 0.7 ? "" : "-") + decimal(random, 1, 25),
      effectiveFrom: nowIso(),
    };
  }

  incident(): NetworkIncidentOpened {
    const random = this.random;
    const cell = this.cell();
    return {
      incidentId: uuid(random),
      severity: pick(random, ["CRITICAL", "MAJOR", "MAJOR", "MINOR", "MINOR", "WARNING"] as const),
      cause: pick(random, ["POWER", "TRANSMISSION", "HARDWARE", "SOFTWARE", "WEATHER", "VANDALISM", "UNKNOWN"] as const),
      cellId: cell.cellId,
      description: `Alarm on site ${cell.cellId} in region ${cell.region}`,
      ...(random() < 0.6 ? { expectedDuration: `PT${1 + below(random, 8)}H` } : {}),
      openedAt: nowIso(),
    };
  }

  session(): DataSessionStarted {
    const random = this.random;
    const who = this.subscriber();
    const roaming = random() < 0.05;
    return {
      sessionId: uuid(random),
      msisdn: who.msisdn,
      imsi: who.imsi,
      apn: random() < 0.95 ? "internet" : "ims",
      access: pick(random, ["LTE", "LTE", "LTE", "NR", "NR", "UMTS", "GSM"] as const),
      location: this.cell(),
      roaming,
      ...(roaming ? { visitedNetwork: pick(random, ["26201", "20801", "23415", "310260"]) } : {}),
      qosClass: 1 + below(random, 9),
      startedAt: nowIso(),
    };
  }

  // The back-ends' answers depend on the key alone, not on when they are asked: the events stay the same.

  /** What CRM's customer database answers for a subscriber (an invented profile for one it does not know). */
  customerProfile(msisdn: string): CustomerProfile {
    return this.byMsisdn.get(msisdn)?.profile ?? this.newSubscriber(seededBy(msisdn)).profile;
  }

  /** What the network inventory answers for the cell of an incident. */
  incidentImpact(cellId: string): IncidentImpact {
    const random = seededBy(cellId);
    const cell = this.cells.find((c) => c.cellId === cellId);
    const neighbours = this.cells.filter((c) => c.region === cell?.region).slice(0, 1 + below(random, 8));
    const services: NetworkService[] = random() < 0.5 ? ["DATA"] : ["VOICE", "SMS", "DATA"];
    return {
      region: cell?.region ?? "unknown",
      affectedCells: [cellId, ...neighbours.map((c) => c.cellId).filter((id) => id !== cellId)],
      degradedServices: services,
      estimatedSubscribers: 200 + below(random, 20_000),
      enterpriseAccounts: below(random, 40),
    };
  }
}

/** How the demo publishes one event of a producer topic: the generated publish function and a generator. */
export type Producer = (runtime: Runtime, options: PublishOptions) => Promise<PublishedEvent>;

/** One producer per topic that services publish (the enriched topics are the enrichers' to publish). */
export function producersOf(world: TelcoWorld): Readonly<Record<string, Producer>> {
  return {
    "billing.payment.received": (runtime, options) => publishBillingPaymentReceived(runtime, world.payment(), options),
    "billing.topup.completed": (runtime, options) => publishBillingTopupCompleted(runtime, world.topup(), options),
    "crm.case.created": (runtime, options) => publishCrmCaseCreated(runtime, world.supportCase(), options),
    "crm.subscriber.activated": (runtime, options) => publishCrmSubscriberActivated(runtime, world.activation(), options),
    "crm.tariff.changed": (runtime, options) => publishCrmTariffChanged(runtime, world.tariffChange(), options),
    "network.incident.opened": (runtime, options) => publishNetworkIncidentOpened(runtime, world.incident(), options),
    "network.session.started": (runtime, options) => publishNetworkSessionStarted(runtime, world.session(), options),
  };
}
