import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { Span } from "../diagnostics/source.js";
import { dlqTopicOf, groupIdOf, replayGroupOf } from "../emit/names.js";
import type { BusModel } from "../model/bus.js";

/** Kafka's limit on the length of a topic name. */
export const KAFKA_TOPIC_NAME_MAX = 249;

interface Claim {
  /** What the name is, as a message says it: "the dead-letter topic of consumer `x`". */
  readonly what: string;
  readonly span: Span;
  readonly label: string;
}

/**
 * The names evtc derives for the broker (consumer groups, dead-letter topics, replay groups; see
 * `emit/names.ts`) must not collide with each other or with declared topics, and topics must fit Kafka's limit:
 * otherwise the topology cannot be built. Errors, not governance rules: no project could run with them.
 */
export function checkBrokerNames(model: BusModel): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  // Topics and groups are separate namespaces on the broker.
  const topics = new Map<string, Claim>();
  const groups = new Map<string, Claim>();
  const claim = (names: Map<string, Claim>, name: string, next: Claim) => {
    const first = names.get(name);
    if (first === undefined) {
      names.set(name, next);
      return;
    }
    diagnostics.push(
      diagnostic("EVT0316", { name, first: first.what, second: next.what }, {
        span: next.span,
        label: next.label,
        related: [{ span: first.span, message: first.label }],
        help: "rename one of them",
      }),
    );
  };
  const tooLong = (what: string, name: string, span: Span) => {
    if (name.length <= KAFKA_TOPIC_NAME_MAX) return;
    diagnostics.push(diagnostic("EVT0317", { what, name, length: name.length }, { span }));
  };

  for (const topic of [...model.topics.values()].sort((a, b) => a.nameSpan.start - b.nameSpan.start)) {
    claim(topics, topic.name, { what: "a declared topic", span: topic.nameSpan, label: "the topic" });
    tooLong("topic", topic.name, topic.nameSpan);
  }
  const readers = [
    ...[...model.consumers.values()].map((reader) => ({ reader, kind: "consumer" })),
    ...[...model.enrichers.values()].map((reader) => ({ reader, kind: "enricher" })),
  ];
  const clashing = new Set<unknown>();
  for (const { reader, kind } of readers) {
    const before = diagnostics.length;
    claim(groups, groupIdOf(reader.name), {
      what: `the consumer group of ${kind} \`${reader.name}\``,
      span: reader.nameSpan,
      label: `${kind} \`${reader.name}\``,
    });
    // A reader whose group is taken would clash on its dead-letter names too: one error says it.
    if (diagnostics.length > before) clashing.add(reader);
  }
  for (const { reader, kind } of readers) {
    if (!reader.dlq || clashing.has(reader)) continue;
    const dlq = dlqTopicOf(reader.name);
    claim(topics, dlq, { what: `the dead-letter topic of ${kind} \`${reader.name}\``, span: reader.nameSpan, label: "its dead letters go there" });
    tooLong(`the dead-letter topic of ${kind} \`${reader.name}\`,`, dlq, reader.nameSpan);
    claim(groups, replayGroupOf(groupIdOf(reader.name)), {
      what: `the group replaying the dead letters of ${kind} \`${reader.name}\``,
      span: reader.nameSpan,
      label: "its dead letters are replayed in that group",
    });
  }
  return diagnostics;
}
