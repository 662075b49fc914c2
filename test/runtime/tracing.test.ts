import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type ContextManager,
  type Span,
  type SpanOptions,
  type SpanStatus,
  type TextMapPropagator,
  type Tracer,
  type TracerProvider,
} from "@opentelemetry/api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  consumerSpec,
  enrichedTopic,
  enricherSpec,
  harness,
  paymentTopic,
  tap,
  until,
} from "./runtime-support.js";

/**
 * A minimal OpenTelemetry SDK, written here because none is installed: a W3C `traceparent` propagator, an
 * AsyncLocalStorage context manager and a tracer that records its spans. Enough to see which spans the runtime
 * starts, with which parents, and what it puts in `traceparent`.
 */
interface Recorded {
  readonly name: string;
  readonly kind: SpanKind | undefined;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  status?: SpanStatus;
  ended: boolean;
}

const spans: Recorded[] = [];

const tracer: Tracer = {
  startSpan(name: string, options: SpanOptions = {}, ctx: Context = context.active()): Span {
    const parent = trace.getSpanContext(ctx);
    const recorded: Recorded = {
      name,
      kind: options.kind,
      traceId: parent?.traceId ?? randomBytes(16).toString("hex"),
      spanId: randomBytes(8).toString("hex"),
      parentSpanId: parent?.spanId,
      ended: false,
    };
    spans.push(recorded);
    const span = trace.wrapSpanContext({ traceId: recorded.traceId, spanId: recorded.spanId, traceFlags: 1 });
    return Object.assign(span, {
      isRecording: () => true,
      setStatus(status: SpanStatus) {
        recorded.status = status;
        return span;
      },
      end() {
        recorded.ended = true;
      },
    });
  },
  startActiveSpan(): never {
    throw new Error("not used by the runtime");
  },
};

const provider: TracerProvider = { getTracer: () => tracer };

const w3c: TextMapPropagator<Record<string, string>> = {
  inject(ctx, carrier, setter) {
    const span = trace.getSpanContext(ctx);
    if (span) setter.set(carrier, "traceparent", `00-${span.traceId}-${span.spanId}-0${span.traceFlags}`);
  },
  extract(ctx, carrier, getter) {
    const value = getter.get(carrier, "traceparent");
    const match = typeof value === "string" ? /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(value) : null;
    if (!match) return ctx;
    return trace.setSpanContext(ctx, { traceId: match[1]!, spanId: match[2]!, traceFlags: Number(match[3]), isRemote: true });
  },
  fields: () => ["traceparent"],
};

class AsyncContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.storage.run(ctx, () => fn.apply(thisArg, args));
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.storage.disable();
    return this;
  }
}

beforeAll(() => {
  context.setGlobalContextManager(new AsyncContextManager());
  propagation.setGlobalPropagator(w3c);
  trace.setGlobalTracerProvider(provider);
});

afterAll(() => {
  trace.disable();
  propagation.disable();
  context.disable();
});

beforeEach(() => void spans.splice(0));

const traceparentOf = (span: Recorded): string => `00-${span.traceId}-${span.spanId}-01`;
const single = paymentTopic("billing.refund.issued", 1);

describe("tracing with an OpenTelemetry SDK installed", () => {
  it("publishes in a producer span and puts its context in `traceparent`", async () => {
    const { transport, runtime } = await harness([single]);
    const records = await tap(transport, single.name);
    await runtime.publish(single, { account: "a", amount: 1 });
    await until(() => records.length === 1);
    const [span] = spans;
    expect(span).toMatchObject({ name: `publish ${single.name}`, kind: SpanKind.PRODUCER, parentSpanId: undefined, ended: true });
    expect(records[0]!.headers.traceparent).toBe(traceparentOf(span!));
  });

  it("continues a trace handed in, and the active one", async () => {
    const { transport, runtime } = await harness([single]);
    const records = await tap(transport, single.name);
    const upstream = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    await runtime.publish(single, { account: "a", amount: 1 }, { traceparent: upstream });
    const request = tracer.startSpan("POST /payments");
    await context.with(trace.setSpan(context.active(), request), () => runtime.publish(single, { account: "b", amount: 2 }));
    await until(() => records.length === 2);
    expect(spans[0]).toMatchObject({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", parentSpanId: "00f067aa0ba902b7" });
    expect(records[0]!.headers.traceparent).toBe(traceparentOf(spans[0]!));
    const requestSpan = spans[1]!;
    expect(spans[2]).toMatchObject({ traceId: requestSpan.traceId, parentSpanId: requestSpan.spanId });
    expect(records[1]!.headers.traceparent).toBe(traceparentOf(spans[2]!));
  });

  it("handles each event in a consumer span, a child of the producer's, active while the handler runs", async () => {
    const downstream = paymentTopic("crm.refund.booked", 1);
    const consumer = consumerSpec(single, { name: "crm.refund-booking" });
    const { transport, runtime } = await harness([single, downstream, { name: consumer.dlqTopic!, partitions: 1 }]);
    const booked = await tap(transport, downstream.name);
    await runtime.consume(consumer, async (event, ctx) => {
      if (ctx.attempt === 1) throw new Error("first attempt fails");
      await runtime.publish(downstream, event);
    });
    await runtime.publish(single, { account: "a", amount: 1 });
    await until(() => booked.length === 1);
    const [publish, failed, processed, republish] = spans;
    expect(failed).toMatchObject({
      name: `process ${single.name}`,
      kind: SpanKind.CONSUMER,
      traceId: publish!.traceId,
      parentSpanId: publish!.spanId,
      status: { code: SpanStatusCode.ERROR, message: "first attempt fails" },
      ended: true,
    });
    expect(processed).toMatchObject({ parentSpanId: publish!.spanId, ended: true });
    expect(processed!.status).toBeUndefined();
    expect(republish).toMatchObject({ traceId: publish!.traceId, parentSpanId: processed!.spanId });
    expect(booked[0]!.headers.traceparent).toBe(traceparentOf(republish!));
  });

  it("carries the trace through an enricher: the enriched event's span is a child of its processing", async () => {
    const source = paymentTopic("billing.payment.received", 1);
    const enriched = enrichedTopic("billing.payment.enriched", 1);
    const enricher = enricherSpec(source, enriched, { name: "billing.payment-customer" });
    const { transport, runtime } = await harness([source, enriched, { name: enricher.dlqTopic!, partitions: 1 }]);
    const out = await tap(transport, enriched.name);
    await runtime.enrich(enricher, { "crm.customer-db": async () => ({ customer: "c", segment: "s" }) });
    await runtime.publish(source, { account: "a", amount: 1 });
    await until(() => out.length === 1);
    const [publish, process, republish] = spans;
    expect(process).toMatchObject({ name: `process ${source.name}`, parentSpanId: publish!.spanId });
    expect(republish).toMatchObject({ name: `publish ${enriched.name}`, traceId: publish!.traceId, parentSpanId: process!.spanId });
    expect(out[0]!.headers.traceparent).toBe(traceparentOf(republish!));
  });
});
