/**
 * Broker-side names derived from the model, in one place: the topology, the generated wiring and the
 * runtime all agree on them. They follow the Kafka ecosystem's habits (a consumer group per consuming
 * service, a dead-letter topic per guaranteed reader, `User:` principals as Strimzi and Kafka ACLs use them).
 */

/** The consumer group of a consumer or enricher: its declared name, e.g. `billing.account-opening`. */
export function groupIdOf(readerName: string): string {
  return readerName;
}

/** The dead-letter topic of a consumer or enricher: `billing.account-opening.dlq`. */
export function dlqTopicOf(readerName: string): string {
  return `${readerName}.dlq`;
}

/**
 * The consumer group that replays a reader's dead-letter topic back to its source topic (`replayDeadLetters`):
 * `billing.account-opening.replay`. It commits as it replays, so the next replay continues where it stopped.
 */
export function replayGroupOf(groupId: string): string {
  return `${groupId}.replay`;
}

/** The ACL principal of a team: `User:billing`, the name a Strimzi `KafkaUser` of the team gets. */
export function principalOf(teamName: string): string {
  return `User:${teamName}`;
}

/** The Confluent TopicNameStrategy subject of a topic's values: `billing.payment.received-value`. */
export function valueSubjectOf(topicName: string): string {
  return `${topicName}-value`;
}
