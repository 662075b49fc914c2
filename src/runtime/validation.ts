import { fullFormats } from "ajv-formats/dist/formats.js";
import ucs2lengthModule from "ajv/dist/runtime/ucs2length.js";

/**
 * What the validators evtc compiles at build time (ajv standalone code) need at run time, imported through
 * `evtc/runtime` so that a service depends on evtc alone: the string formats of event fields (RFC 3339 times,
 * ISO 8601 durations…) and the code-point length JSON Schema's `maxLength` counts.
 */
export const evtcFormats = {
  "date-time": fullFormats["date-time"],
  date: fullFormats.date,
  duration: fullFormats.duration,
  uuid: fullFormats.uuid,
};

export const ucs2length: (text: string) => number = (
  ucs2lengthModule as unknown as { default: (text: string) => number }
).default;
