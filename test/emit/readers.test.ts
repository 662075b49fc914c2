import { describe, expect, it } from "vitest";
import { emitProject } from "../../src/emit/build.js";
import {
  currentContracts,
  emptyLock,
  formatLock,
  parseLock,
  withCurrentVersionsAndTopics,
} from "../../src/contracts/lock.js";
import { SourceFile } from "../../src/diagnostics/source.js";
import { checkSources } from "../../src/program.js";
import { DEFAULT_RETRY } from "../../src/runtime/backoff.js";
import { checkInline, expectClean } from "../support/inline.js";
import { rulesOff, shopBus } from "../support/renamed.js";

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

describe("a consumer of older major versions", () => {
  it("reads an older major of a renamed event with the schema its topic carried then", async () => {
    const config = rulesOff;
    const project = shopBus;
    const before = checkSources([new SourceFile("bus.evt", project("OrderPlaced", "v1.0"))], [], config, emptyLock);
    const recorded = withCurrentVersionsAndTopics(
      emptyLock,
      currentContracts(before.model).events,
      currentContracts(before.model).topics,
    );
    const lock = parseLock(new SourceFile("evt.lock", formatLock(recorded.events, recorded.topics))).lock;
    const renamed = [new SourceFile("bus.evt", project("OrderSubmitted", "v2.0", "accepts v1, v2"))];
    const readsBothMajors = async (withLock: typeof lock) => {
      const after = checkSources(renamed, [], config, withLock);
      expect(after.diagnostics).toEqual([]);
      const files = await emitProject({
        model: after.model,
        lock: withLock,
        project: "shop",
        projectDir: ".",
        cwd: ".",
        compileWorkers: 0,
      });
      const consumers = files.find((file) => file.path.endsWith(".consumers.ts"))!.content;
      expect(consumers).toContain("ConsumerSpec<OrderSubmittedV1 | OrderSubmitted>");
      expect(consumers).toMatch(
        /accepts: Object\.freeze\(\{ 1: validateOrderSubmittedV1_0, 2: validateOrderSubmittedV2_0 \}\)/,
      );
      const types = files.find((file) => file.path === "bus.ts")!.content;
      expect(types).toContain("@generated from evt.lock, event OrderPlaced v1.0");
      return after;
    };
    const after = await readsBothMajors(lock);
    // Once `evtc lock` records the rename, the topic's history keeps both events, and v1 is still readable.
    const relocked = withCurrentVersionsAndTopics(
      lock,
      currentContracts(after.model).events,
      currentContracts(after.model).topics,
    );
    expect([...relocked.topics!]).toEqual([["shop.order.placed", ["OrderPlaced", "OrderSubmitted"]]]);
    const text = formatLock(relocked.events, relocked.topics);
    expect(text).toContain('"shop.order.placed": [\n      "OrderPlaced",\n      "OrderSubmitted"\n    ]');
    await readsBothMajors(parseLock(new SourceFile("evt.lock", text)).lock);
  });
});

describe("the names of older major versions", () => {
  /** `Order` v1.0 recorded in evt.lock, then bumped to v2.0 and read as both, beside the user's own `OrderV1`. */
  async function orderAndOrderV1(): Promise<Map<string, string>> {
    const bus = (version: string, fields: string, accepts = "") => `
      team shop { contact "shop@operator.example" }
      domain shop { owner shop }
      event Order ${version} { ${fields} }
      event OrderV1 v1.0 { orderId uuid  migrated boolean }
      topic shop.order.placed { owner shop  event Order  public }
      topic shop.order.migrated { owner shop  event OrderV1 }
      consumer shop.order-audit { owner shop  from shop.order.placed  unordered guaranteed ${accepts} }`;
    const before = checkSources([new SourceFile("bus.evt", bus("v1.0", "orderId uuid  weight double"))], [], rulesOff);
    expect(before.diagnostics).toEqual([]);
    const contracts = currentContracts(before.model);
    const recorded = withCurrentVersionsAndTopics(emptyLock, contracts.events, contracts.topics);
    const lock = parseLock(new SourceFile("evt.lock", formatLock(recorded.events, recorded.topics))).lock;
    const after = checkSources(
      [new SourceFile("bus.evt", bus("v2.0", "orderId uuid", "accepts v1, v2"))],
      [],
      rulesOff,
      lock,
    );
    expect(after.diagnostics).toEqual([]);
    const files = await emitProject({
      model: after.model,
      lock,
      project: "shop",
      projectDir: ".",
      cwd: ".",
      compileWorkers: 0,
    });
    return new Map(files.map((file) => [file.path, file.content]));
  }

  it("never takes a name the user declared: the user's `OrderV1` stays `OrderV1`", async () => {
    const files = await orderAndOrderV1();
    const types = files.get("bus.ts")!;
    expect(types).toContain("export interface OrderV1 {");
    expect(types).toContain("shopOrderMigratedTopic: TopicSpec<OrderV1>");
    expect(files.get("validators/OrderV1.v1.0.d.ts")).toContain("EventValidator<OrderV1>");
    // Order's v1, made up from evt.lock, takes another name, and every use of it says that one.
    expect(types).toMatch(/@generated from evt.lock, event Order v1\.0\n \*\/\nexport type OrderV1_2 = \{/);
    expect(files.get("bus.consumers.ts")).toContain("ConsumerSpec<OrderV1_2 | Order>");
    expect(files.get("validators/Order.v1.0.d.ts")).toContain("EventValidator<OrderV1_2>");
  });
});
