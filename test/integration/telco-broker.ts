import { afterAll, afterEach, beforeAll } from "vitest";
import { createKafkaTransport, type Transport } from "../../src/runtime/index.js";
import { startBroker, type KafkaBroker } from "../support/kafka.js";
import { createTelcoTopics, kafkaService, type KafkaService } from "./telco-support.js";

/** A file's own broker with the example's topics, and services on it that are closed after each test. */
export interface TelcoBroker {
  /** The broker (started before the file's first test). */
  readonly broker: () => KafkaBroker;
  /** A transport for looking at the broker: lag, dead-letter topics. */
  readonly admin: () => Transport;
  /** A service on the broker (see `kafkaService`), closed after the test. */
  service(source: string, options?: Parameters<typeof kafkaService>[2]): KafkaService;
}

/**
 * Starts a broker of the file's own before its tests and creates the example's topics on it. The topic names
 * and consumer groups come from the generated specs: on the broker the other files share, files running the
 * example side by side would read each other's events in the same groups.
 */
export function telcoBroker(): TelcoBroker {
  let broker: KafkaBroker | undefined;
  let admin: Transport | undefined;
  const services: KafkaService[] = [];

  beforeAll(async () => {
    broker = await startBroker();
    admin = createKafkaTransport({ brokers: [broker.bootstrap], logLevel: "nothing", env: {} });
    await createTelcoTopics(admin);
  });

  afterEach(async () => {
    await Promise.all(services.splice(0).map((created) => created.runtime.close()));
  });

  afterAll(async () => {
    await admin?.close();
    await broker?.destroy();
  });

  return {
    broker: () => broker!,
    admin: () => admin!,
    service(source, options) {
      const created = kafkaService(broker!.bootstrap, source, options);
      services.push(created);
      return created;
    },
  };
}
