/**
 * `evtc/runtime`: what generated producers, consumers and enrichers import. Generated code refers to these
 * names only through this entry point, so the runtime can evolve behind it.
 */
export { ENVELOPE_HEADERS, CLOUDEVENTS_SPEC_VERSION, type EnvelopeHeaderName } from "./envelope.js";
export type * from "./transport.js";
export type * from "./spec.js";
export type * from "./api.js";
export { evtcFormats, ucs2length } from "./validation.js";
