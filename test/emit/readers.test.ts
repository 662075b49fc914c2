import { describe, expect, it } from "vitest";
import { emitProject } from "../../src/emit/build.js";
import { emptyLock } from "../../src/contracts/lock.js";
import { DEFAULT_RETRY } from "../../src/runtime/backoff.js";
import { checkInline, expectClean } from "../support/inline.js";

/** The retry policy each reader's generated spec carries, by how its `retry` clause is written. */

const bus = (retry: string) => `
  team shop { contact "shop@operator.example" }
  domain shop { owner shop }
  event OrderPlaced v1.0 { orderId uuid }
  topic shop.order.placed { owner shop  event OrderPlaced }
  consumer shop.order-audit { owner shop  from shop.order.placed  unordered guaranteed ${retry} }
`;

async function retryOf(retry: string): Promise<string | undefined> {
  const result = checkInline(bus(retry));
  expectClean(result);
  const files = await emitProject({
    model: result.model,
    lock: emptyLock,
    project: "shop",
    projectDir: ".",
    cwd: ".",
    compileWorkers: 0,
  });
  const consumers = files.find((file) => file.path.endsWith(".consumers.ts"));
  return /retry: Object\.freeze\((\{[^}]*\})\)/.exec(consumers?.content ?? "")?.[1];
}

describe("a reader's retry policy", () => {
  it("backs off as by default when `retry N` gives no backoff: retrying at once rarely helps", async () => {
    expect(await retryOf("retry 2")).toBe(
      `{ attempts: 2, backoffFromMs: ${DEFAULT_RETRY.backoffFromMs}, backoffToMs: ${DEFAULT_RETRY.backoffToMs} }`,
    );
  });

  it("keeps one backoff as both ends, and a range as written", async () => {
    expect(await retryOf("retry 3 backoff 1s")).toBe("{ attempts: 3, backoffFromMs: 1000, backoffToMs: 1000 }");
    expect(await retryOf("retry 3 backoff 100ms..2s")).toBe("{ attempts: 3, backoffFromMs: 100, backoffToMs: 2000 }");
  });

  it("leaves the policy to the runtime's default when there is no `retry`", async () => {
    expect(await retryOf("")).toBeUndefined();
  });
});
