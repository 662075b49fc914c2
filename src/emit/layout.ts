import type { Topic } from "../model/bus.js";
import { valueSubjectOf } from "./names.js";

/**
 * Where each kind of generated file goes inside the output directory, and the names that point at them.
 * Paths use `/` and contain only names the language allows, so they are the same on every machine.
 */

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

/** The `ce_dataschema` of an event on a topic: its subject, event and version, as in the schema's path. */
export function dataschemaOf(topic: Topic, version: EventVersion): string {
  return `${valueSubjectOf(topic.name)}/${version.event}/${version.version}`;
}
