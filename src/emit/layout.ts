import path from "node:path";
import type { Topic } from "../model/bus.js";
import { valueSubjectOf } from "./names.js";

/**
 * Where each kind of generated file goes inside the output directory, and the names that point at them.
 * Paths use `/` and contain only names the language allows, so they are the same on every machine.
 */

/** The wiring: every producer, consumer and enricher, and `startTeam`. */
export const WIRING_MODULE = "index.ts";

/**
 * A source file's path in the project directory, with `/` separators: what its modules are named after.
 * `file` is as the model has it, relative to `cwd` or absolute. Outside the project it starts with `../`, which
 * the check refuses (EVT0319).
 */
export function sourcePathIn(projectDir: string, cwd: string, file: string): string {
  return path.relative(projectDir, path.resolve(cwd, file)).split(path.sep).join("/");
}

/** `billing.evt` → `billing.ts`; `crm/customer.evt` → `crm/customer.ts`: the types and topics declared in a file. */
export function moduleOf(source: string): string {
  return source.replace(/\.evt$/, "") + ".ts";
}

/** `billing.evt` → `billing.consumers.ts`: the consumers and enrichers declared in a file. */
export function readersModuleOf(source: string): string {
  return source.replace(/\.evt$/, "") + ".consumers.ts";
}

/** One version of one event: the unit validators and schema files are made for. */
export interface EventVersion {
  readonly event: string;
  /** `major.minor`. */
  readonly version: string;
  readonly major: number;
}

/** `validators/PaymentReceived.v1.1.js` (with a `.d.ts` beside it). */
export function validatorPath(version: EventVersion): string {
  return `validators/${version.event}.v${version.version}.js`;
}

/** `schemas/billing.payment.received-value/PaymentReceived.v1.1.json`: one folder per registry subject. */
export function schemaPath(topicName: string, version: EventVersion): string {
  return `schemas/${valueSubjectOf(topicName)}/${version.event}.v${version.version}.json`;
}

/**
 * The `ce_dataschema` of an event on a topic: its subject, event and version, as in the schema's path
 * (`urn:evtc:schema:billing.payment.received-value/PaymentReceived/1.1`). CloudEvents makes `dataschema` an
 * absolute URI, which SDKs that validate an event check; a URN names the schema without claiming a place it is
 * served from. Readers take the version after the last `/`, as they did when it was a relative path.
 */
export function dataschemaOf(topic: Topic, version: EventVersion): string {
  return `${DATASCHEMA_PREFIX}${valueSubjectOf(topic.name)}/${version.event}/${version.version}`;
}

const DATASCHEMA_PREFIX = "urn:evtc:schema:";
