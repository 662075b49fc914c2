// Module hooks (`module.register`) that append every module URL Node resolves to the file named by
// EVTC_IMPORT_LOG: package.test.ts reads which modules a command loads.
import { appendFileSync } from "node:fs";

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  appendFileSync(process.env.EVTC_IMPORT_LOG, `${resolved.url}\n`);
  return resolved;
}
