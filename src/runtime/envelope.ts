/**
 * The event envelope travels in Kafka headers, as CloudEvents 1.0 in Kafka binary content mode
 * (`ce_` prefixed attributes, the event itself as the record value), plus W3C trace context.
 */
export const CLOUDEVENTS_SPEC_VERSION = "1.0";

export const ENVELOPE_HEADERS = {
  /** Unique per event: the idempotency key consumers de-duplicate on. */
  id: "ce_id",
  /** `<domain>.<entity>.<action>` of the topic, e.g. `billing.payment.received`. */
  type: "ce_type",
  /** The producing service (URI-reference). */
  source: "ce_source",
  /** When the event happened, RFC 3339. */
  time: "ce_time",
  specversion: "ce_specversion",
  /** The schema version of the value, e.g. `…/PaymentReceived/1.1`. */
  dataschema: "ce_dataschema",
  contentType: "content-type",
  /** W3C Trace Context, carried from producer through enrichers to consumers. */
  traceparent: "traceparent",
  /** Groups the events of one business transaction; enrichers pass it on unchanged. */
  correlationId: "correlationid",
  /** The `ce_id` of the event that caused this one (an enriched event's source). */
  causationId: "causationid",
} as const;

export type EnvelopeHeaderName = (typeof ENVELOPE_HEADERS)[keyof typeof ENVELOPE_HEADERS];
