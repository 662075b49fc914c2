import { billingAccountOpeningConsumer } from "../../generated/telco/index.js";
import { FileIdempotencyStore, kafkaService } from "./telco-support.js";

/**
 * A billing service running the example's generated `billing.account-opening` consumer on Kafka, for
 * telco.test.ts to kill: `node --import tsx crash-consumer.ts <brokers> <idempotency file> <ids to hang on>`.
 * It prints `ready` once it has joined the group, `done <subscriberId>` after each event it handled, and
 * `hung <subscriberId>` for the events whose handler never returns — so that their partitions stay
 * uncommitted until the process dies.
 */

const [brokers, storePath, hangOn] = process.argv.slice(2);
if (brokers === undefined || storePath === undefined || hangOn === undefined) {
  throw new Error("usage: crash-consumer.ts <brokers> <idempotency file> <comma-separated subscriber ids>");
}
const hang = new Set(hangOn.split(","));

const { runtime } = kafkaService(brokers, "billing-service", {
  // A short session, so that the group notices the killed member soon; a short claim lease, so that the next
  // member may take over the events this one was handling.
  kafka: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 1_000 },
  runtime: { idempotency: new FileIdempotencyStore(storePath), claimLeaseMs: 3_000 },
});
await runtime.consume(billingAccountOpeningConsumer, async (event) => {
  if (hang.has(event.subscriberId)) {
    console.log(`hung ${event.subscriberId}`);
    await new Promise(() => {});
  }
  console.log(`done ${event.subscriberId}`);
});
console.log("ready");
