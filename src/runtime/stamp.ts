import { createHash } from "node:crypto";
import { CLOUDEVENTS_SPEC_VERSION, ENVELOPE_HEADERS } from "./envelope.js";
import type { ValidationProblem } from "./spec.js";
import type { RecordHeaders } from "./transport.js";

/** Stamping the envelope headers on a record, and reading them back (see `envelope.ts` for the names). */

export interface EnvelopeFields {
  readonly id: string;
  /** The topic name. */
  readonly type: string;
  readonly source: string;
  readonly time: Date;
  readonly dataschema: string;
  readonly correlationId?: string | undefined;
  readonly causationId?: string | undefined;
  readonly traceparent?: string | undefined;
}

/** The headers of a record in CloudEvents 1.0 Kafka binary content mode, plus correlation and trace context. */
export function stampHeaders(fields: EnvelopeFields): RecordHeaders {
  const headers: Record<string, string> = {
    [ENVELOPE_HEADERS.id]: fields.id,
    [ENVELOPE_HEADERS.type]: fields.type,
    [ENVELOPE_HEADERS.source]: fields.source,
    [ENVELOPE_HEADERS.time]: fields.time.toISOString(),
    [ENVELOPE_HEADERS.specversion]: CLOUDEVENTS_SPEC_VERSION,
    [ENVELOPE_HEADERS.dataschema]: fields.dataschema,
    [ENVELOPE_HEADERS.contentType]: "application/json",
  };
  if (fields.correlationId !== undefined) headers[ENVELOPE_HEADERS.correlationId] = fields.correlationId;
  if (fields.causationId !== undefined) headers[ENVELOPE_HEADERS.causationId] = fields.causationId;
  if (fields.traceparent !== undefined) headers[ENVELOPE_HEADERS.traceparent] = fields.traceparent;
  return headers;
}

/** What a reader needs from a record's headers. */
export interface ReadEnvelope {
  readonly id: string;
  readonly time: Date;
  /** `major.minor`, from the last segment of `ce_dataschema`. */
  readonly version: string;
  readonly major: number;
}

/** The envelope of a record, or why it cannot be read (a record without one, or from a foreign producer). */
export function readEnvelope(
  headers: RecordHeaders,
  recordTimestamp: number,
): { readonly ok: true; readonly envelope: ReadEnvelope } | { readonly ok: false; readonly reason: string } {
  const id = headers[ENVELOPE_HEADERS.id];
  if (id === undefined || id === "")
    return { ok: false, reason: `the record has no \`${ENVELOPE_HEADERS.id}\` header` };
  const dataschema = headers[ENVELOPE_HEADERS.dataschema];
  if (dataschema === undefined) {
    return { ok: false, reason: `the record has no \`${ENVELOPE_HEADERS.dataschema}\` header: its version is unknown` };
  }
  const version = versionOf(dataschema);
  if (version === undefined) {
    return {
      ok: false,
      reason: `\`${ENVELOPE_HEADERS.dataschema}\` \`${dataschema}\` does not end in a version (\`…/1.2\`)`,
    };
  }
  // An unreadable or missing time falls back to when the broker appended the record.
  const stamped = headers[ENVELOPE_HEADERS.time];
  const parsed = stamped === undefined ? NaN : Date.parse(stamped);
  const time = new Date(Number.isNaN(parsed) ? recordTimestamp : parsed);
  return { ok: true, envelope: { id, time, version: version.version, major: version.major } };
}

/**
 * The version at the end of a `ce_dataschema` (`urn:evtc:schema:billing.payment.received-value/PaymentReceived/1.1`
 * → 1.1; code generated before evtc wrote the URN wrote the same without `urn:evtc:schema:`).
 */
export function versionOf(dataschema: string): { readonly version: string; readonly major: number } | undefined {
  const last = dataschema.slice(dataschema.lastIndexOf("/") + 1);
  const match = /^v?(\d+)(?:\.\d+){0,2}$/.exec(last);
  return match ? { version: last.replace(/^v/, ""), major: Number(match[1]) } : undefined;
}

/** A validator's problems, one per line: `/amount: must be >= 0` (`(root)` for the event itself). */
export function describeProblems(problems: readonly ValidationProblem[] | null | undefined): string {
  if (!problems || problems.length === 0) return "  (root): is invalid";
  return problems
    .map((p) => `  ${p.instancePath === "" ? "(root)" : p.instancePath}: ${p.message ?? "is invalid"}`)
    .join("\n");
}

/**
 * An event value over its topic's `maxSize` (in a spec of an earlier build, its `max.message.bytes`): refused on
 * publish, before the broker would refuse the record, and on consume before any parsing — so a validator's
 * patterns only ever run on strings bounded by the topic's maximum size.
 */
export function sizeProblem(
  topic: { readonly maxSize?: number; readonly config: Readonly<Record<string, string>> },
  bytes: number,
): ValidationProblem | undefined {
  const limit = topic.maxSize ?? Number(topic.config["max.message.bytes"]);
  if (!Number.isFinite(limit) || bytes <= limit) return undefined;
  return { instancePath: "", message: `is ${bytes} bytes, over the topic's maximum size of ${limit} bytes` };
}

/** `publish` was handed an event its topic's schema rejects; nothing was sent. */
export class InvalidEventError extends Error {
  override readonly name = "InvalidEventError";
  constructor(
    readonly topic: string,
    readonly problems: readonly ValidationProblem[],
  ) {
    super(`invalid \`${topic}\` event, not published:\n${describeProblems(problems)}`);
  }
}

// A fixed namespace for the ids evtc derives (RFC 9562 name-based UUIDs, version 5).
const EVTC_NAMESPACE = Buffer.from("6f1c3a8e2d5b4e7f9a0c1b2d3e4f5a6b", "hex");

/**
 * A name-based UUID (version 5) for the event `by` derives from event `from`: an enricher that processes the
 * same source event twice (a redelivery) republishes it under the same id, so its consumers de-duplicate it.
 */
export function derivedEventId(by: string, from: string): string {
  const hash = createHash("sha1").update(EVTC_NAMESPACE).update(`${by}\u0000${from}`, "utf8").digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
