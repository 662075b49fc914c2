import { describe, expect, it } from "vitest";
import { CLOUDEVENTS_SPEC_VERSION } from "../../src/runtime/envelope.js";
import { InvalidEventError } from "../../src/runtime/stamp.js";
import { partitionForKey } from "../../src/runtime/murmur2.js";
import type { TopicSpec } from "../../src/runtime/spec.js";
import {
  compiled,
  harness,
  json,
  metric,
  paymentTopic,
  paymentV1,
  tap,
  until,
  validator,
  type Payment,
} from "./runtime-support.js";

const topic = paymentTopic("billing.payment.received", 3);
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface NamedPayment extends Payment {
  readonly name: string;
}

/** A topic of an event without defaults: a payment with a name of at most 20 characters, and no other field. */
function namedTopic(name: string): TopicSpec<NamedPayment> {
  const declared = paymentTopic(name, 1);
  const validate = compiled<NamedPayment>({
    type: "object",
    properties: {
      account: { type: "string", minLength: 1 },
      amount: { type: "number", minimum: 0 },
      name: { type: "string", maxLength: 20 },
    },
    required: ["account", "amount", "name"],
    additionalProperties: false,
  });
  return { ...declared, event: { ...declared.event, validate, defaults: false } };
}

describe("publish", () => {
  it("keys the record and stamps every envelope header", async () => {
    const { transport, runtime } = await harness([topic]);
    const records = await tap(transport, topic.name);
    const before = Date.now();
    const published = await runtime.publish(topic, { account: "acct-7", amount: 12.5 });
    await until(() => records.length === 1);
    const record = records[0]!;
    expect(published).toEqual({
      topic: topic.name,
      partition: record.partition,
      offset: record.offset,
      id: published.id,
    });
    expect(published.id).toMatch(UUID_V4);
    expect(record.key?.toString()).toBe("acct-7");
    expect(record.partition).toBe(partitionForKey("acct-7", 3));
    expect(json<Payment>(record)).toEqual({ account: "acct-7", amount: 12.5 });
    expect(record.headers).toEqual({
      ce_id: published.id,
      ce_type: "billing.payment.received",
      ce_source: "test-service",
      ce_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      ce_specversion: CLOUDEVENTS_SPEC_VERSION,
      ce_dataschema: "billing.payment.received-value/PaymentReceived/1.0",
      "content-type": "application/json",
    });
    expect(Date.parse(record.headers.ce_time!)).toBeGreaterThanOrEqual(before - 1);
    expect(await metric(runtime.metrics, "evtc_events_produced_total", { topic: topic.name })).toBe(1);
  });

  it("takes id, time, correlation, causation and trace context from the options", async () => {
    const { transport, runtime } = await harness([topic]);
    const records = await tap(transport, topic.name);
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    await runtime.publish(
      topic,
      { account: "a", amount: 1 },
      {
        id: "evt-1",
        time: new Date("2024-05-01T10:00:00Z"),
        correlationId: "order-9",
        causationId: "evt-0",
        traceparent,
      },
    );
    await until(() => records.length === 1);
    expect(records[0]!.headers).toMatchObject({
      ce_id: "evt-1",
      ce_time: "2024-05-01T10:00:00.000Z",
      correlationid: "order-9",
      causationid: "evt-0",
      traceparent,
    });
  });

  it("invents no trace context when none is given and no OpenTelemetry SDK is installed", async () => {
    const { transport, runtime } = await harness([topic]);
    const records = await tap(transport, topic.name);
    await runtime.publish(topic, { account: "a", amount: 1 });
    await until(() => records.length === 1);
    expect(Object.keys(records[0]!.headers)).not.toContain("traceparent");
    expect(Object.keys(records[0]!.headers)).not.toContain("correlationid");
  });

  it("sends a topic without a key unkeyed", async () => {
    const { transport, runtime } = await harness([topic]);
    const records = await tap(transport, topic.name);
    const { key: _key, ...unkeyed } = topic;
    await runtime.publish(unkeyed, { account: "a", amount: 1 });
    await until(() => records.length === 1);
    expect(records[0]!.key).toBeNull();
  });

  it("rejects an invalid event with every problem, sending nothing", async () => {
    const { transport, runtime } = await harness([topic]);
    const invalid = { account: "", amount: -3 } as Payment;
    const error = await runtime.publish(topic, invalid).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as Error).message).toBe(
      "invalid `billing.payment.received` event, not published:\n" +
        "  /account: must be a non-empty string\n" +
        "  /amount: must be >= 0",
    );
    expect((error as InvalidEventError).problems).toHaveLength(2);
    await expect(runtime.publish(topic, "nope" as unknown as Payment)).rejects.toThrow("  (root): must be object");
    expect((await transport.offsets(topic.name)).map((p) => p.end)).toEqual([0, 0, 0]);
    expect(await metric(runtime.metrics, "evtc_events_produced_total")).toBe(0);
  });

  it("refuses an event over the topic's maximum size, as the broker would, sending nothing", async () => {
    // The size is checked before the validator runs: none of its patterns sees a value over the topic's size.
    let validations = 0;
    const counting = validator<Payment>((data) => {
      validations++;
      return paymentV1(data) ? [] : [...(paymentV1.errors ?? [])];
    });
    const declared = paymentTopic("billing.payment.small", 1);
    const small = {
      ...declared,
      event: { ...declared.event, validate: counting },
      config: { "max.message.bytes": "64" },
    };
    const { transport, runtime } = await harness([small]);
    await runtime.publish(small, { account: "a", amount: 1 });
    expect(validations).toBe(1);
    const large = { account: "a".repeat(100), amount: 1 };
    const error = await runtime.publish(small, large).catch((e: unknown) => e);
    expect(validations).toBe(1);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as Error).message).toBe(
      "invalid `billing.payment.small` event, not published:\n" +
        `  (root): is ${JSON.stringify(large).length} bytes, over the topic's maximum size of 64 bytes`,
    );
    expect((await transport.offsets(small.name)).map((p) => p.end)).toEqual([1]);
  });

  it("validates a copy read back from the event's JSON, whether or not its fields may have defaults", async () => {
    const seen: unknown[] = [];
    const recording = validator<Payment>((data) => {
      seen.push(data);
      return [];
    });
    const declared = paymentTopic("billing.payment.seen", 1);
    const withDefaults = { ...declared, event: { ...declared.event, validate: recording } };
    const withoutDefaults = { ...withDefaults, event: { ...withDefaults.event, defaults: false } };
    const { runtime } = await harness([withDefaults]);
    const event = { account: "a", amount: 1 };
    await runtime.publish(withDefaults, event);
    await runtime.publish(withoutDefaults, event);
    expect(seen).toHaveLength(2);
    for (const copy of seen) {
      expect(copy).not.toBe(event);
      expect(copy).toEqual(event);
    }
  });

  it("validates what an event's toJSON writes, as that is what is sent", async () => {
    const named = namedTopic("billing.payment.named");
    const { transport, runtime } = await harness([named]);
    const records = await tap(transport, named.name);
    // Valid as an object; what it writes has a name of 100 characters and a field the schema does not have.
    class Disguised {
      readonly account = "acct-7";
      readonly amount = 1;
      readonly name = "short";
      toJSON(): unknown {
        return { account: this.account, amount: this.amount, name: "n".repeat(100), bogus: 1 };
      }
    }
    const error = await runtime.publish(named, new Disguised()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as Error).message).toBe(
      "invalid `billing.payment.named` event, not published:\n  (root): must NOT have additional properties",
    );
    // Without own fields to validate, but written as a valid event: published as written.
    class Private {
      readonly #name = "private";
      get account(): string {
        return "acct-9";
      }
      toJSON(): NamedPayment {
        return { account: this.account, amount: 2, name: this.#name };
      }
    }
    await runtime.publish(named, new Private() as unknown as NamedPayment);
    await until(() => records.length === 1);
    expect(records[0]!.key?.toString()).toBe("acct-9");
    expect(json(records[0]!)).toEqual({ account: "acct-9", amount: 2, name: "private" });
  });

  it("refuses an event whose required field is not enumerable: its JSON leaves the field out", async () => {
    const named = namedTopic("billing.payment.hidden");
    const { transport, runtime } = await harness([named]);
    const event = { account: "acct-7", amount: 1 } as NamedPayment;
    // An own property, so present to the validator on the object, which ajv checks with `ownProperties`.
    Object.defineProperty(event, "name", { value: "hidden", enumerable: false });
    await expect(runtime.publish(named, event)).rejects.toThrow(
      "invalid `billing.payment.hidden` event, not published:\n  (root): must have required property 'name'",
    );
    expect((await transport.offsets(named.name)).map((p) => p.end)).toEqual([0]);
    expect(await metric(runtime.metrics, "evtc_events_produced_total")).toBe(0);
  });

  it("refuses to publish once closed", async () => {
    const { runtime } = await harness([topic]);
    await runtime.close();
    await expect(runtime.publish(topic, { account: "a", amount: 1 })).rejects.toThrow("the evtc runtime is closed");
  });
});
