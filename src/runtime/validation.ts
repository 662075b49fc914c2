import { createRequire } from "node:module";
import { fullFormats } from "ajv-formats/dist/formats.js";

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

// `require`, not `import`: loaders disagree on what the default import of a CommonJS module with
// `exports.default` is, and a validator must get the function whichever loader runs the service.
const require = createRequire(import.meta.url);
export const ucs2length = (require("ajv/dist/runtime/ucs2length") as { default: (text: string) => number }).default;
