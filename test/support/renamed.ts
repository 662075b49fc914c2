import { rules } from "../../src/check/rules/index.js";
import { defaultConfig } from "../../src/config/config.js";

/**
 * A shop bus with one event on a public topic and one reader of it: written with `OrderPlaced v1.0`, then with the
 * event renamed at a new major (`OrderSubmitted v2.0`) and the reader accepting both (`accepts v1, v2`).
 */
export function shopBus(event: string, version: string, accepts = ""): string {
  return `
      team shop { contact "shop@operator.example" }
      domain shop { owner shop }
      event ${event} ${version} { orderId uuid  total decimal }
      topic shop.order.placed { owner shop  event ${event}  public }
      consumer shop.order-audit { owner shop  from shop.order.placed  unordered guaranteed ${accepts} }`;
}

/** The default configuration with every governance rule off: what the renamed bus is checked with. */
export const rulesOff = { ...defaultConfig, ruleLevels: new Map(rules.map((r) => [r.id, "off" as const])) };
