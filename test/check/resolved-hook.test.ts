import { describe, expect, it } from "vitest";
import { SourceFile } from "../../src/diagnostics/source.js";
import type { BusModel } from "../../src/model/bus.js";
import { checkSources } from "../../src/program.js";
import { defaultConfig } from "../../src/config/config.js";
import { emptyLock } from "../../src/contracts/lock.js";

const team = `team shop-team {\n  contact "shop@example.com"\n}\n\ndomain shop {\n  owner shop-team\n}\n\n`;
const event = `event OrderPlaced v1.0 {\n  orderId uuid\n}\n\n`;

function check(topicName: string) {
  const calls: BusModel[] = [];
  const text = `${team}${event}topic ${topicName} {\n  owner shop-team\n  event OrderPlaced\n}\n`;
  const result = checkSources([new SourceFile("shop.evt", text)], [], defaultConfig, emptyLock, {
    resolved: (model) => calls.push(model),
  });
  return { result, calls };
}

// `evtc build` starts compiling validators from this hook, while the governance rules still run.
describe("the `resolved` hook of a check", () => {
  it("is called once with the model, before the rules, when the project resolves without errors", () => {
    const { result, calls } = check("shop.order.placed");
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(calls).toEqual([result.model]);
  });

  it("is called even when the rules then find errors, which the result still reports", () => {
    const { result, calls } = check("shop.order-placed");
    expect(result.diagnostics.map((d) => d.code)).toContain("EVT0501");
    expect(calls).toHaveLength(1);
  });

  it("is not called when the project does not resolve", () => {
    const text = `${team}topic shop.order.placed {\n  owner shop-team\n  event Missing\n}\n`;
    const calls: unknown[] = [];
    const result = checkSources([new SourceFile("shop.evt", text)], [], defaultConfig, emptyLock, {
      resolved: () => calls.push(1),
    });
    expect(result.diagnostics.some((d) => d.severity === "error")).toBe(true);
    expect(calls).toEqual([]);
  });
});
