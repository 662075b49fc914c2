import { createRequire } from "node:module";
import { fullFormats } from "ajv-formats/dist/formats.js";

/**
 * A UUID as every platform parses it: 8-4-4-4-12 hex digits. ajv-formats also accepts a `urn:uuid:` prefix,
 * which Java's `UUID.fromString` does not. The build compiles this expression into each validator.
 */
export const UUID = /^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i;

const DATE_TIME_SEPARATOR = /^\d{4}-\d\d-\d\d[Tt]/;
const dateTime = fullFormats["date-time"] as {
  validate: (text: string) => boolean;
  compare: (a: string, b: string) => number | undefined;
};

/**
 * What the validators evtc compiles at build time (ajv standalone code) need at run time, imported through
 * `evtc/runtime` so that a service depends on evtc alone: the string formats of event fields (RFC 3339 times,
 * ISO 8601 durations…) and the code-point length JSON Schema's `maxLength` counts.
 */
export const evtcFormats = {
  "date-time": {
    ...dateTime,
    // RFC 3339 lets an application put a space between date and time, and ajv-formats accepts one; Java's
    // Instant.parse, Go's time.RFC3339 and most consumers on the bus do not: the `T` is required.
    validate: (text: string): boolean => DATE_TIME_SEPARATOR.test(text) && dateTime.validate(text),
  },
  date: fullFormats.date,
  duration: fullFormats.duration,
  uuid: UUID,
};

// `require`, not `import`: loaders disagree on what the default import of a CommonJS module with
// `exports.default` is, and a validator must get the function whichever loader runs the service.
const require = createRequire(import.meta.url);
export const ucs2length = (require("ajv/dist/runtime/ucs2length") as { default: (text: string) => number }).default;
