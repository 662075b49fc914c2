/**
 * Where the runtime reports what a metric alone cannot explain: a retry and its error, a dead-lettered or
 * skipped event, a commit that failed. Fields are flat and JSON-friendly, for a structured logger (pino,
 * winston) to take as they are.
 */
export interface RuntimeLogger {
  warn(message: string, fields: Readonly<Record<string, unknown>>): void;
  error(message: string, fields: Readonly<Record<string, unknown>>): void;
}

/** The default: one line per report on stderr, the fields as JSON. */
export const consoleLogger: RuntimeLogger = {
  warn: (message, fields) => console.warn(`evtc: ${message} ${JSON.stringify(fields)}`),
  error: (message, fields) => console.error(`evtc: ${message} ${JSON.stringify(fields)}`),
};

/** Reports nothing (for tests, or where metrics are enough). */
export const silentLogger: RuntimeLogger = { warn: () => {}, error: () => {} };

/** A thrown value's message, for logs and headers. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message === "" ? error.name : error.message;
  return String(error);
}
