import {
  context as otelContext,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
} from "@opentelemetry/api";
import { ENVELOPE_HEADERS } from "./envelope.js";

/**
 * Tracing through `@opentelemetry/api` only: without an SDK (a tracer provider and a propagator registered by
 * the service) every call here is a no-op and no trace context is invented. With one, publishing and handling
 * each get a span, and W3C `traceparent` links producer, enrichers and consumers into one trace.
 */

const TRACER_NAME = "evtc";

/** The context to start from: the one a `traceparent` carries (if a propagator reads it), else `base`. */
export function contextFrom(traceparent: string | undefined, base: Context = otelContext.active()): Context {
  if (traceparent === undefined) return base;
  return propagation.extract(base, { [ENVELOPE_HEADERS.traceparent]: traceparent });
}

/** The `traceparent` of a context, as the registered propagator writes it (none without a propagator). */
export function traceparentOf(ctx: Context): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier[ENVELOPE_HEADERS.traceparent];
}

/** Runs `work` in a span (a child of `parent`), ended when the work settles and marked as failed if it throws. */
export async function inSpan<T>(
  name: string,
  kind: "producer" | "consumer",
  parent: Context,
  attributes: Attributes,
  work: (ctx: Context) => Promise<T>,
): Promise<T> {
  const tracer = trace.getTracer(TRACER_NAME);
  const span = tracer.startSpan(name, { kind: kind === "producer" ? SpanKind.PRODUCER : SpanKind.CONSUMER, attributes }, parent);
  const ctx = trace.setSpan(parent, span);
  try {
    return await otelContext.with(ctx, () => work(ctx));
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    span.end();
  }
}
