/**
 * `evtc/runtime`: what generated producers, consumers and enrichers import. Generated code refers to these
 * names only through this entry point, so the runtime can evolve behind it.
 */
export { ENVELOPE_HEADERS, CLOUDEVENTS_SPEC_VERSION, type EnvelopeHeaderName } from "./envelope.js";
export type * from "./transport.js";
export type * from "./spec.js";
export type * from "./api.js";
export { evtcFormats, ucs2length } from "./validation.js";
export { createEmbeddedTransport, EmbeddedSendTimeoutError } from "./embedded.js";
export type { EmbeddedTransport, EmbeddedTransportOptions, PartitionOffsets, SeekTarget } from "./embedded.js";
export { createRuntime, DEFAULT_CLAIM_LEASE_MS, type EvtcRuntime, type RuntimeOptions } from "./runtime.js";
export {
  MemoryIdempotencyStore,
  type ClaimResult,
  type IdempotencyStore,
  type MemoryIdempotencyStoreOptions,
} from "./idempotency.js";
export { DEFAULT_RETRY } from "./backoff.js";
export { DLQ_HEADERS } from "./dlq.js";
export { InvalidEventError } from "./stamp.js";
export { consoleLogger, silentLogger, type RuntimeLogger } from "./logger.js";
export type { DeadlineMiss } from "./reader.js";
export { createKafkaTransport, type KafkaTransportOptions, type KafkaSasl, type KafkaLogLevel } from "./kafka.js";
