import { expect, it } from "vitest";
import { publishBillingPaymentReceived, startTeam, type PaymentEnriched } from "../../generated/telco/index.js";
import { sleep } from "../kafka/helpers.js";
import { telcoBroker } from "./telco-broker.js";
import {
  billingServices,
  crmServices,
  keep,
  msisdn,
  payment,
  profileOf,
  until,
  type Delivery,
} from "./telco-support.js";

/**
 * The example's payment flow — a generated publish function, billing's enricher, CRM's consumer — across a
 * restart of the broker, on a broker of its own (the other files' broker is not disturbed).
 */

const { broker, service } = telcoBroker();

it("consumes every acknowledged payment, enriched, when the broker restarts mid-stream", async () => {
  // A short session: after the restart the group waits for members it lost track of until their session ends.
  const kafka = { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 1_000 };
  const billingService = service("billing-service", { kafka });
  const crmService = service("crm-service", { kafka });
  const customers = Array.from({ length: 7 }, () => msisdn());
  const received: Delivery<PaymentEnriched>[] = [];
  const acknowledged = new Set<string>();
  await startTeam(billingService.runtime, "billing", billingServices());
  await startTeam(crmService.runtime, "crm", crmServices({ "crm.payment-sync": keep(received, () => true) }));

  // The broker restarts once a few rounds went through, while the next ones are being published.
  let restarted = false;
  let restartFailed = false;
  const restart = (async () => {
    await until(() => acknowledged.size >= 60, "the first rounds", 60_000);
    await broker().restart();
    restarted = true;
  })();
  restart.catch(() => (restartFailed = true));

  // Rounds of concurrent payments before, during and after the restart.
  const failures: unknown[] = [];
  let rounds = 0;
  let roundsAfter = 0;
  const deadline = Date.now() + 120_000;
  while (roundsAfter < 3 && !restartFailed && Date.now() < deadline) {
    const afterRestart = restarted;
    rounds++;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const paid = payment(customers[i % customers.length]!, `${rounds}.${String(i).padStart(2, "0")}`);
        return publishBillingPaymentReceived(billingService.runtime, paid).then(
          () => acknowledged.add(paid.paymentId),
          (error: unknown) => failures.push(error),
        );
      }),
    );
    if (afterRestart) roundsAfter++;
    await sleep(100);
  }
  await restart;
  expect(roundsAfter).toBe(3);

  // The producer retried through the outage: every publish was acknowledged…
  expect(failures).toEqual([]);
  expect(acknowledged.size).toBe(rounds * 20);
  // …and every acknowledged payment reached CRM enriched, none lost (some perhaps twice: what was not yet
  // committed when the broker went away is delivered again).
  const seen = (): Set<string> => new Set(received.map((d) => d.event.paymentId));
  await until(() => seen().size >= acknowledged.size, "every acknowledged payment enriched", 90_000);
  expect(seen()).toEqual(acknowledged);
  for (const { event } of received) expect(event.customer).toEqual(profileOf(event.msisdn));
}, 180_000);
