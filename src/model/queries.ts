import type { BusModel, Consumer, Domain, Enricher, Team, Topic } from "./bus.js";

export type TopicReader = Consumer | Enricher;

/** Everyone reading each topic (consumers and enrichers), by topic name, sorted by reader name. */
export function readersByTopic(model: BusModel): ReadonlyMap<string, readonly TopicReader[]> {
  const readers = new Map<string, TopicReader[]>();
  for (const topic of model.topics.keys()) readers.set(topic, []);
  for (const reader of [...model.consumers.values(), ...model.enrichers.values()]) {
    readers.get(reader.from.name)?.push(reader);
  }
  for (const list of readers.values()) list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return readers;
}

/** The domains a team may name things in: those it owns and those delegated to it. */
export function domainsOf(model: BusModel, team: Team): Domain[] {
  return [...model.domains.values()].filter((d) => d.owner === team || d.delegates.includes(team));
}

export function isEnriched(topic: Topic): topic is Topic & { publisher: { kind: "enricher"; enricher: Enricher } } {
  return topic.publisher.kind === "enricher";
}
