import type { TestProject } from "vitest/node";
import { reapOrphanBrokers, startBroker } from "../support/kafka.js";

/**
 * Global setup of the `kafka` vitest project (test/kafka, test/integration): starts one real broker for the
 * run, hands its address and state directory to the tests, and stops it at the end. Vitest runs it only when a
 * file of that project is part of the run.
 */

declare module "vitest" {
  export interface ProvidedContext {
    /** The shared broker's bootstrap address, `127.0.0.1:<port>`. */
    kafkaBrokers: string;
    /** Its state directory (see `brokerAt` in test/support/kafka.ts). */
    kafkaDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await reapOrphanBrokers();
  const started = Date.now();
  const broker = await startBroker();
  console.log(`kafka: broker at ${broker.bootstrap} started in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  project.provide("kafkaBrokers", broker.bootstrap);
  project.provide("kafkaDir", broker.dir);
  return async () => {
    await broker.destroy();
  };
}
