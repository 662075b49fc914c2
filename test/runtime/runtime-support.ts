import ajvModule from "ajv";
import { afterEach } from "vitest";
import type { Registry } from "prom-client";
import { createEmbeddedTransport, type EmbeddedTransport } from "../../src/runtime/embedded.js";
import { partitionForKey } from "../../src/runtime/murmur2.js";
import { createRuntime, type EvtcRuntime, type RuntimeOptions } from "../../src/runtime/runtime.js";
import { silentLogger, type RuntimeLogger } from "../../src/runtime/logger.js";
import type {
  ConsumerSpec,
  EnricherSpec,
  EventValidator,
  TopicSpec,
  ValidationProblem,
} from "../../src/runtime/spec.js";
import type { ConsumedRecord, Subscription } from "../../src/runtime/transport.js";

/**
 * Hand-written specs (what evtc will generate) and helpers for running the runtime on the embedded bus.
 */

export interface Payment {
  readonly account: string;
  readonly amount: number;
  readonly note?: string;
}

export interface EnrichedPayment extends Payment {
  readonly customer: string;
  readonly segment: string;
}

/** A validator in ajv's shape from a function listing the problems of a value. */
export function validator<T>(problems: (data: unknown) => ValidationProblem[]): EventValidator<T> {
  const validate = ((data: unknown): data is T => {
    const found = problems(data);
    validate.errors = found.length > 0 ? found : null;
    return found.length === 0;
  }) as EventValidator<T>;
  return validate;
}

/**
 * A validator compiled by ajv with the options of evtc's build that decide what counts as present (own
 * properties only, enumerable or not) and what validation changes (defaults filled in).
 */
export function compiled<T>(schema: object): EventValidator<T> {
  const ajv = new ajvModule.default({ strict: true, ownProperties: true, useDefaults: true, allErrors: false });
  return ajv.compile<T>(schema) as EventValidator<T>;
}

function isRecord(data: unknown): data is Record<string, unknown> {
  return typeof data === "object" && data !== null && !Array.isArray(data);
}

export const paymentV1 = validator<Payment>((data) => {
  if (!isRecord(data)) return [{ instancePath: "", message: "must be object" }];
  const problems: ValidationProblem[] = [];
  if (typeof data.account !== "string" || data.account === "") {
    problems.push({ instancePath: "/account", message: "must be a non-empty string" });
  }
  if (typeof data.amount !== "number" || data.amount < 0) problems.push({ instancePath: "/amount", message: "must be >= 0" });
  return problems;
});

/** Version 2 of the payment: the same fields, the amount in cents (an integer). */
export const paymentV2 = validator<Payment>((data) => {
  const problems = paymentV1(data) ? [] : [...(paymentV1.errors ?? [])];
  if (isRecord(data) && !Number.isInteger(data.amount)) problems.push({ instancePath: "/amount", message: "must be integer" });
  return problems;
});

export const enrichedV1 = validator<EnrichedPayment>((data) => {
  const problems = paymentV1(data) ? [] : [...(paymentV1.errors ?? [])];
  if (!isRecord(data) || typeof data.customer !== "string") problems.push({ instancePath: "/customer", message: "must be string" });
  if (!isRecord(data) || typeof data.segment !== "string") problems.push({ instancePath: "/segment", message: "must be string" });
  return problems;
});

export function paymentTopic(name = "billing.payment.received", partitions = 2): TopicSpec<Payment> {
  return {
    name,
    event: { name: "PaymentReceived", version: "1.0", major: 1, dataschema: `${name}-value/PaymentReceived/1.0`, validate: paymentV1 },
    key: (event) => event.account,
    partitions,
    config: {},
    owner: "billing",
  };
}

export function enrichedTopic(name = "billing.payment.enriched", partitions = 2): TopicSpec<EnrichedPayment> {
  return {
    name,
    event: { name: "EnrichedPayment", version: "1.0", major: 1, dataschema: `${name}-value/EnrichedPayment/1.0`, validate: enrichedV1 },
    key: (event) => event.account,
    partitions,
    config: {},
    owner: "billing",
  };
}

/** What the test readers share: a guaranteed, unordered reader with quick retries and a dead-letter topic. */
function readerDefaults(name: string) {
  return {
    groupId: name,
    accepts: { 1: paymentV1 },
    ordering: "unordered",
    delivery: "guaranteed",
    retry: { attempts: 2, backoffFromMs: 1, backoffToMs: 5 },
    dlqTopic: `${name}.dlq`,
  } as const;
}

export function consumerSpec(
  topic: TopicSpec<Payment>,
  overrides: Partial<ConsumerSpec<Payment>> & { name: string },
): ConsumerSpec<Payment> {
  return { kind: "consumer", owner: "crm", topic, concurrency: 4, ...readerDefaults(overrides.name), ...overrides };
}

export function enricherSpec(
  topic: TopicSpec<Payment>,
  publishes: TopicSpec<EnrichedPayment>,
  overrides: Partial<EnricherSpec<Payment, EnrichedPayment>> & { name: string },
): EnricherSpec<Payment, EnrichedPayment> {
  return {
    kind: "enricher",
    owner: "billing",
    topic,
    publishes,
    concurrency: 8,
    lookups: [{ backend: "crm.customer-db", key: (event) => event.account, cacheTtlMs: 60_000 }],
    ...readerDefaults(overrides.name),
    ...overrides,
  };
}

export interface Harness {
  readonly transport: EmbeddedTransport;
  readonly runtime: EvtcRuntime;
  readonly warnings: string[];
}

const harnesses: Harness[] = [];
const subscriptions: Subscription[] = [];

afterEach(async () => {
  await Promise.all(subscriptions.splice(0).map((subscription) => subscription.close()));
  await Promise.all(harnesses.splice(0).map((harness) => harness.runtime.close()));
});

/** An embedded bus with `topics` created, and a runtime on it (closed after the test). */
export async function harness(
  topics: readonly { readonly name: string; readonly partitions: number }[],
  options: Partial<RuntimeOptions> = {},
): Promise<Harness> {
  const transport = createEmbeddedTransport({ redeliveryDelayMs: 20, onHandlerError: () => {} });
  await transport.ensureTopics(topics.map((topic) => ({ name: topic.name, partitions: topic.partitions })));
  const warnings: string[] = [];
  const logger: RuntimeLogger = {
    warn: (message) => void warnings.push(message),
    error: (message) => void warnings.push(message),
  };
  const runtime = createRuntime({ transport, source: "test-service", logger, ...options });
  const result = { transport, runtime, warnings };
  harnesses.push(result);
  return result;
}

export const quiet: RuntimeLogger = silentLogger;

/** Every record of `topic`, as they arrive, read by a group of its own from the beginning. */
export async function tap(transport: EmbeddedTransport, topic: string): Promise<ConsumedRecord[]> {
  const seen: ConsumedRecord[] = [];
  const subscription = await transport.subscribe(
    { groupId: `tap-${topic}-${Math.random()}`, topic, fromBeginning: true },
    async (batch, control) => {
      seen.push(...batch.records);
      await control.commit(batch.records[batch.records.length - 1]!.offset + 1);
    },
  );
  subscriptions.push(subscription);
  return seen;
}

/** Polls `condition` until it holds (or fails the test after `timeoutMs`). */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** A key murmur2 places in `partition` of a topic with `partitions` partitions. */
export function keyIn(partition: number, partitions: number, prefix = "acct"): string {
  for (let i = 0; ; i++) if (partitionForKey(`${prefix}-${i}`, partitions) === partition) return `${prefix}-${i}`;
}

/**
 * The sum of a metric's values with these labels (0 when never set); for a histogram, `series` picks `_count`
 * or `_sum`.
 */
export async function metric(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
  series?: "_count" | "_sum",
): Promise<number> {
  const found = registry.getSingleMetric(name);
  if (!found) throw new Error(`no metric \`${name}\``);
  const values: { value: number; labels: Record<string, string | number | undefined>; metricName?: string }[] = (
    await found.get()
  ).values;
  const wanted = Object.entries(labels);
  return values
    .filter((value) => series === undefined || value.metricName === `${name}${series}`)
    .filter((value) => wanted.every(([label, expected]) => value.labels[label] === expected))
    .reduce((sum, value) => sum + value.value, 0);
}

export const text = (record: ConsumedRecord): string => record.value.toString("utf8");
export const json = <T>(record: ConsumedRecord): T => JSON.parse(text(record)) as T;
