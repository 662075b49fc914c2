/**
 * What the demo's services look up: the enrichers' look-up functions, typed by the generated `TeamServices`
 * (so `tsc` checks the parts they return against the enriched events), answered by the stub back-ends.
 */
import type { TeamServices } from "../../generated/telco/index.js";
import type { StubBackend } from "./backends.js";
import type { TelcoWorld } from "./events.js";

// A type, not an interface: `start` takes a record of look-ups, which an interface is not assignable to.
export type EnricherLookups = {
  readonly "billing.payment-customer": TeamServices["billing"]["lookups"]["billing.payment-customer"];
  readonly "network.incident-impact": TeamServices["network"]["lookups"]["network.incident-impact"];
};

export function enricherLookups(world: TelcoWorld, backend: (name: string) => StubBackend): EnricherLookups {
  const customerDb = backend("crm.customer-db");
  const inventoryDb = backend("network.inventory-db");
  return {
    "billing.payment-customer": {
      "crm.customer-db": (msisdn) => customerDb.call(() => ({ customer: world.customerProfile(msisdn) })),
    },
    "network.incident-impact": {
      "network.inventory-db": (cellId) => inventoryDb.call(() => ({ impact: world.incidentImpact(cellId) })),
    },
  };
}
