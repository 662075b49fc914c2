import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import ajvModule from "ajv";
import formatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import { canonical, contractOf, eventSchema, inlineDefinitions, type JsonSchema } from "../../src/emit/json-schema.js";
import { diskCache } from "../../src/emit/cache.js";
import { startCompileWorkers } from "../../src/emit/compile-workers.js";
import { olderVersionsOf } from "../../src/emit/older-versions.js";
import { ajvCompilations, Validators } from "../../src/emit/validators.js";
import { emitProject, startBuild } from "../../src/emit/build.js";
import { noCache } from "../../src/emit/cache.js";
import { checkPaths, checkSources } from "../../src/program.js";
import {
  currentContracts,
  emptyLock,
  formatLock,
  parseLock,
  schemaHash,
  withCurrentVersionsAndTopics,
} from "../../src/contracts/lock.js";
import { SourceFile } from "../../src/diagnostics/source.js";
import { reversedKeys } from "../support/json.js";
import { rulesOff, shopBus } from "../support/renamed.js";

const Ajv = ajvModule.default;
const addFormats = formatsModule.default;

const repo = path.resolve(import.meta.dirname, "..", "..");
const projects = [
  path.join(repo, "examples", "telco"),
  ...["all-types", "hostile", "long-names"].map((name) => path.join(repo, "test", "fixtures", "build", name)),
];

/** Every schema evtc writes or compiles for the example and the build fixtures: documented, contract, inlined. */
function projectSchemas(): { name: string; schema: JsonSchema }[] {
  const schemas: { name: string; schema: JsonSchema }[] = [];
  for (const project of projects) {
    const checked = checkPaths([project], repo);
    expect(checked.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    for (const event of checked.model.events.values()) {
      const documented = eventSchema(event, { documentation: true }).schema;
      const contract = eventSchema(event, { documentation: false }).schema;
      schemas.push({ name: `${event.name} (documented)`, schema: documented });
      schemas.push({ name: event.name, schema: contract });
      schemas.push({ name: `${event.name} (inlined)`, schema: inlineDefinitions(contract) });
    }
    for (const older of olderVersionsOf(checked.model, checked.lock)) {
      const name = `${older.version.event} v${older.version.version} (evt.lock)`;
      schemas.push({ name, schema: older.schema as JsonSchema });
      schemas.push({ name: `${name} (inlined)`, schema: inlineDefinitions(older.schema as JsonSchema) });
    }
  }
  return schemas;
}

async function compiledModules(schemas: readonly JsonSchema[]): Promise<string[]> {
  const validators = new Validators(undefined, 0);
  for (const schema of schemas) validators.want(schema);
  validators.compile();
  await validators.finish();
  return schemas.map((schema) => validators.module(schema, "// header"));
}

describe("contractOf", () => {
  it("gives, from an event's documented schema, exactly its contract form, for every example and fixture", () => {
    let events = 0;
    for (const project of projects) {
      for (const event of checkPaths([project], repo).model.events.values()) {
        // The contract form first, built from the event itself: asked for after the documented form,
        // `eventSchema` derives it with `contractOf`.
        const contract = eventSchema(event, { documentation: false }).schema;
        const documented = eventSchema(event, { documentation: true }).schema;
        expect(JSON.stringify(contractOf(documented)), event.name).toBe(JSON.stringify(contract));
        events++;
      }
    }
    expect(events).toBeGreaterThanOrEqual(10);
  });

  it("leaves a property called like a documentation keyword where it is", () => {
    const documented: JsonSchema = {
      type: "object",
      description: "an event",
      properties: { description: { type: "string", description: "the text" }, title: { type: "string" } },
      required: ["description", "title"],
    };
    expect(contractOf(documented)).toEqual({
      type: "object",
      properties: { description: { type: "string" }, title: { type: "string" } },
      required: ["description", "title"],
    });
  });
});

describe("inlineDefinitions", () => {
  const money = {
    type: "object",
    properties: { amount: { type: "string" }, currency: { $ref: "#/definitions/Currency", default: "EUR" } },
  };
  const schema: JsonSchema = {
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "object",
    properties: {
      paid: { $ref: "#/definitions/Money" },
      refunds: { type: "array", items: { $ref: "#/definitions/Money" } },
    },
    definitions: { Currency: { type: "string", enum: ["EUR", "USD"] }, Money: money },
  };

  it("replaces each reference to a definition without references by it, keeping what stood beside it", () => {
    // Currency holds no reference: inlined, as ajv would inline it, in Money too. Money refers to Currency and
    // is used twice: it stays a definition (ajv compiles it once, as a function).
    expect(inlineDefinitions(schema)).toEqual({
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      properties: {
        paid: { $ref: "#/definitions/Money" },
        refunds: { type: "array", items: { $ref: "#/definitions/Money" } },
      },
      definitions: {
        Money: {
          type: "object",
          properties: {
            amount: { type: "string" },
            currency: { type: "string", enum: ["EUR", "USD"], default: "EUR" },
          },
        },
      },
    });
    const flat: JsonSchema = {
      type: "object",
      properties: { a: { $ref: "#/definitions/Currency" }, b: { $ref: "#/definitions/Currency", default: "USD" } },
      definitions: { Currency: { type: "string", enum: ["EUR", "USD"] } },
    };
    expect(inlineDefinitions(flat)).toEqual({
      type: "object",
      properties: {
        a: { type: "string", enum: ["EUR", "USD"] },
        b: { default: "USD", enum: ["EUR", "USD"], type: "string" },
      },
    });
    // From a schema with sorted keys (as evtc's are), keys come out sorted: equal schemas are equal text, the
    // validator cache's key.
    for (const input of [schema, flat]) {
      const inlined = JSON.stringify(inlineDefinitions(canonical(input)));
      expect(inlined).toBe(JSON.stringify(canonical(JSON.parse(inlined))));
    }
  });

  it("moves a definition used once into its only reference, however deep its own references go", () => {
    // Order refers to Money, used once; Money refers to Currency, used twice: Order and Money move in place.
    const once: JsonSchema = {
      type: "object",
      properties: { order: { $ref: "#/definitions/Order" }, spare: { $ref: "#/definitions/Currency" } },
      definitions: {
        Currency: { type: "string", enum: ["EUR"] },
        Money: { type: "object", properties: { currency: { $ref: "#/definitions/Currency" } } },
        Order: { type: "object", properties: { total: { $ref: "#/definitions/Money" } } },
      },
    };
    expect(inlineDefinitions(once)).toEqual({
      type: "object",
      properties: {
        order: {
          type: "object",
          properties: {
            total: { type: "object", properties: { currency: { type: "string", enum: ["EUR"] } } },
          },
        },
        spare: { type: "string", enum: ["EUR"] },
      },
    });
    // Used once, but through itself: a recursive record stays a definition, and what refers to it by `$ref`.
    const cycle: JsonSchema = {
      type: "object",
      properties: { a: { $ref: "#/definitions/A" } },
      definitions: {
        A: { type: "object", properties: { b: { $ref: "#/definitions/B" } } },
        B: { type: "object", properties: { a: { $ref: "#/definitions/A" } } },
      },
    };
    expect(inlineDefinitions(cycle)).toBe(cycle);
  });

  it("leaves a recursive record, or a reference it cannot resolve, as it is", () => {
    const recursive: JsonSchema = {
      type: "object",
      properties: { place: { $ref: "#/definitions/Place" } },
      definitions: {
        Place: { type: "object", properties: { nearby: { type: "array", items: { $ref: "#/definitions/Place" } } } },
      },
    };
    expect(inlineDefinitions(recursive)).toBe(recursive);
    const dangling: JsonSchema = { type: "object", properties: { x: { $ref: "#/definitions/Nowhere" } } };
    expect(inlineDefinitions(dangling)).toBe(dangling);
    const inherited: JsonSchema = {
      type: "object",
      properties: { x: { $ref: "#/definitions/toString" } },
      definitions: { Plain: { type: "string" } },
    };
    expect(inlineDefinitions(inherited)).toEqual({
      type: "object",
      properties: { x: { $ref: "#/definitions/toString" } },
    });
  });

  it("never grows a schema whose records nest records used more than once", () => {
    // R0 has two fields of R1, which has two of R2…: inlining them all would copy R11 2^11 times.
    const definitions: Record<string, JsonSchema> = {
      R11: { type: "object", properties: { leaf: { type: "string" } } },
    };
    for (let i = 10; i >= 0; i--) {
      const next = { $ref: `#/definitions/R${i + 1}` };
      definitions[`R${i}`] = { type: "object", properties: { left: next, right: next } };
    }
    const nested: JsonSchema = { type: "object", properties: { root: { $ref: "#/definitions/R0" } }, definitions };
    expect(JSON.stringify(inlineDefinitions(nested)).length).toBeLessThanOrEqual(JSON.stringify(nested).length);
  });

  it("accepts and refuses the same documents as the schema it came from", () => {
    const ajv = new Ajv({ strict: false });
    const original = ajv.compile(schema);
    const inlined = ajv.compile(inlineDefinitions(schema));
    const documents = [
      { paid: { amount: "1", currency: "EUR" }, refunds: [] },
      { paid: { amount: "1", currency: "GBP" } },
      { refunds: [{ amount: 2 }] },
      { refunds: [{ currency: "USD" }] },
    ];
    for (const document of documents) expect(inlined(document)).toBe(original(document));
    expect(documents.map((d) => inlined(d))).toEqual([true, false, false, true]);
  });
});

describe("validator compilation", { timeout: 60_000 }, () => {
  it("is given schemas that pass all of ajv's strict checks, including the type checks a build skips", () => {
    const strict = new Ajv({
      strict: true,
      strictTypes: true,
      strictTuples: true,
      strictRequired: true,
      allowUnionTypes: false,
    });
    addFormats(strict, ["date-time", "date", "duration", "uuid"]);
    strict.addKeyword({ keyword: "x-evtc-minimum", type: "string", schemaType: "number" });
    strict.addKeyword({ keyword: "x-evtc-maximum", type: "string", schemaType: "number" });
    const schemas = projectSchemas();
    expect(schemas.length).toBeGreaterThan(40);
    for (const { name, schema } of schemas) {
      expect(() => strict.compile(schema), name).not.toThrow();
      strict.removeSchema(schema);
    }
  });

  it("writes the same code for a schema whatever was compiled before it in the same thread", async () => {
    const schemas = projectSchemas().map((s) => s.schema);
    const forwards = await compiledModules(schemas);
    const backwards = (await compiledModules([...schemas].reverse())).reverse();
    expect(backwards).toEqual(forwards);
    for (const index of [0, Math.floor(schemas.length / 2), schemas.length - 1]) {
      expect(await compiledModules([schemas[index]!])).toEqual([forwards[index]]);
    }
    // Each module numbers its own names from zero.
    for (const code of forwards) expect(code).toMatch(/^export default validate0;$/m);
  });

  it("compiles in a worker thread to the same code, and reports a schema it cannot compile from there", async () => {
    // Enough schemas for a build to hand them to a worker (copies differ in their `$comment`).
    const schemas = projectSchemas().flatMap(({ schema }, i) => [schema, { ...schema, $comment: `copy ${i}` }]);
    expect(schemas.length).toBeGreaterThan(80);
    const inThread = new Validators(undefined, 0);
    const inWorker = new Validators(undefined, 1);
    for (const schema of schemas) {
      inThread.want(schema);
      inWorker.want(schema);
    }
    inThread.compile();
    inWorker.compile();
    await Promise.all([inThread.finish(), inWorker.finish()]);
    for (const schema of schemas) expect(inWorker.module(schema, "//")).toBe(inThread.module(schema, "//"));

    const broken = new Validators(undefined, 1);
    for (const schema of [...schemas, { type: "not-a-type" }]) broken.want(schema);
    broken.compile();
    const failure = await broken.finish().then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure?.message).toMatch(/^evtc produced a JSON Schema ajv cannot compile: .*not-a-type/);
    // The worker's message, not its stack.
    expect(failure?.message).not.toMatch(/\n\s+at /);
  });

  it("sends schemas to workers started beforehand as they are announced, warmed up, for the same code", async () => {
    const schemas = projectSchemas().flatMap(({ schema }, i) => [schema, { ...schema, $comment: `copy ${i}` }]);
    const inThread = await compiledModules(schemas);
    const workers = startCompileWorkers(1);
    expect(workers).toBeDefined();
    try {
      // Long enough for the worker to load and compile its warm-up schema many times before the first chunk.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const validators = new Validators(undefined, workers);
      for (const schema of schemas) validators.want(schema);
      validators.compile();
      await validators.finish();
      expect(schemas.map((schema) => validators.module(schema, "// header"))).toEqual(inThread);
    } finally {
      workers?.close();
    }
  });

  it("has every validator in the disk cache when finish() returns, from workers of its own", async () => {
    // Enough schemas for it to start a worker, which writes the cache entries after sending the code.
    const schemas = projectSchemas().flatMap(({ schema }, i) => [schema, { ...schema, $comment: `copy ${i}` }]);
    const distinct = new Set(schemas.map((schema) => JSON.stringify(schema))).size;
    expect(distinct).toBeGreaterThan(48);
    const dir = mkdtempSync(path.join(os.tmpdir(), "evtc-validators-cache-"));
    try {
      const validators = new Validators(diskCache(dir), 1);
      for (const schema of schemas) validators.want(schema);
      validators.compile();
      await validators.finish();
      const entries = readdirSync(path.join(dir, "validators"), { recursive: true, encoding: "utf8" });
      expect(entries.filter((entry) => entry.endsWith(".entry"))).toHaveLength(distinct);
      expect(entries.filter((entry) => entry.endsWith(".tmp"))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("compiles here what workers that failed could not", async () => {
    const schemas = projectSchemas().flatMap(({ schema }, i) => [schema, { ...schema, $comment: `copy ${i}` }]);
    const inThread = await compiledModules(schemas);
    const workers = startCompileWorkers(1)!;
    const validators = new Validators(undefined, workers);
    for (const schema of schemas.slice(0, 70)) validators.want(schema); // 56 of them sent, in chunks of 8, 16, 32
    workers.close(); // stops the worker with that chunk, as a crash would
    for (const schema of schemas.slice(70)) validators.want(schema);
    validators.compile();
    await validators.finish();
    expect(schemas.map((schema) => validators.module(schema, "// header"))).toEqual(inThread);
  });

  /** The example, checked with its lock read from `text` (as `evtc build` reads it, once for the workers too). */
  function telcoWithLock(text?: string) {
    const telco = path.join(repo, "examples", "telco");
    const lockText = text ?? readFileSync(path.join(telco, "evt.lock"), "utf8");
    const checked = checkPaths([telco], repo, { lockText });
    const input = { model: checked.model, lock: checked.lock, project: "telco", projectDir: telco, cwd: repo };
    return { checked, input, lockText };
  }

  /**
   * A bus whose event was renamed at a new major, with a reader of both majors, and its lock as `evtc lock` writes
   * it after the rename: the build compiles the current event's schema and the older major's, both recorded.
   */
  function renamedWithLock() {
    const config = rulesOff;
    const project = shopBus;
    let lock = emptyLock;
    let checked = checkSources([new SourceFile("bus.evt", project("OrderPlaced", "v1.0"))], [], config, lock);
    for (const next of [project("OrderSubmitted", "v2.0", "accepts v1, v2"), undefined]) {
      const contracts = currentContracts(checked.model);
      const recorded = withCurrentVersionsAndTopics(lock, contracts.events, contracts.topics);
      lock = parseLock(new SourceFile("evt.lock", formatLock(recorded.events, recorded.topics))).lock;
      if (next !== undefined) checked = checkSources([new SourceFile("bus.evt", next)], [], config, lock);
    }
    expect(checked.diagnostics).toEqual([]);
    const input = { model: checked.model, lock, project: "shop", projectDir: ".", cwd: "." };
    return { input, lockText: lock.file!.text, older: olderVersionsOf(checked.model, lock).length };
  }

  it("compiles what evt.lock records as soon as it is given, and the build asks for it by reference", async () => {
    const { input, lockText, older } = renamedWithLock();
    expect(input.lock.asWritten).toBe(true);
    expect(older).toBe(1);
    // Two workers: a reference goes to the one that has it under way.
    const workers = startCompileWorkers(2)!;
    try {
      workers.readLock(lockText);
      const before = ajvCompilations();
      const files = await startBuild({ ...input, compileWorkers: workers }).files();
      // The current event is recorded at its current version, the older major is the lock's: this thread sent
      // no schema's text at all.
      expect(ajvCompilations() - before).toBe(0);
      // Each was compiled once: the current one unasked, then handed over when asked for; the older when asked.
      expect(await workers.compilations()).toBe(input.model.events.size + older);
      const expected = await emitProject({ ...input, compileWorkers: 0 });
      expect(expected.filter((f) => f.path.startsWith("validators/") && f.path.endsWith(".js"))).toHaveLength(2);
      expect(files).toEqual(expected);
      // A second build with the same workers finds every one compiled already.
      expect(await startBuild({ ...input, compileWorkers: workers }).files()).toEqual(expected);
      expect(await workers.compilations()).toBe(input.model.events.size + older);
    } finally {
      workers.close();
    }
  });

  /**
   * A shop bus checked against a lock as `evtc lock` writes it, then edited by hand (`edit`) and written again as
   * `evtc lock` would: still read as written, and handed to the workers as such.
   */
  function lockedShop(
    bus: string,
    edit: (lock: { events: Record<string, Record<string, unknown>>; topics?: unknown }) => void,
  ) {
    const first = checkSources([new SourceFile("bus.evt", bus)], [], rulesOff, emptyLock);
    const contracts = currentContracts(first.model);
    const recorded = withCurrentVersionsAndTopics(emptyLock, contracts.events, contracts.topics);
    const value = JSON.parse(formatLock(recorded.events, recorded.topics)) as Parameters<typeof edit>[0];
    edit(value);
    const lockText = `${JSON.stringify(value, null, 2)}\n`;
    const lock = parseLock(new SourceFile("evt.lock", lockText)).lock;
    expect(lock.asWritten).toBe(true);
    const checked = checkSources([new SourceFile("bus.evt", bus)], [], rulesOff, lock);
    expect(checked.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    return { input: { model: checked.model, lock, project: "shop", projectDir: ".", cwd: "." }, lockText };
  }

  const validatorCode = (files: readonly { path: string; content: string }[]) =>
    files.filter((f) => f.path.startsWith("validators/") && f.path.endsWith(".js"));

  it("takes the first of a version recorded twice, as the check does", async () => {
    const { input, lockText } = lockedShop(shopBus("OrderPlaced", "v1.0"), (lock) => {
      const other = { properties: { x: { maxLength: 3, type: "string" } }, required: ["x"], type: "object" };
      lock.events["OrderPlaced"]!["01.0"] = { hash: schemaHash(other), schema: other };
    });
    const workers = startCompileWorkers(1)!;
    try {
      workers.readLock(lockText);
      const files = await startBuild({ ...input, compileWorkers: workers }).files();
      const expected = await emitProject({ ...input, compileWorkers: 0 });
      expect(validatorCode(expected)[0]!.content).toContain("orderId");
      expect(files).toEqual(expected);
    } finally {
      workers.close();
    }
  });

  it("goes on when a schema the lock records for an event the project no longer has is no schema at all", async () => {
    const { input, lockText } = lockedShop(shopBus("OrderPlaced", "v1.0"), (lock) => {
      delete lock.topics; // every event is compiled unasked
      const gone = { definitions: { A: null }, properties: { x: { $ref: "#/definitions/A" } }, type: "object" };
      lock.events["Gone"] = { "1.0": { hash: schemaHash(gone), schema: gone } };
    });
    const workers = startCompileWorkers(1)!;
    try {
      workers.readLock(lockText);
      const files = await startBuild({ ...input, compileWorkers: workers }).files();
      expect(files).toEqual(await emitProject({ ...input, compileWorkers: 0 }));
      // The worker is still there, and compiled the project's schema.
      expect(await workers.compilations()).toBe(1);
    } finally {
      workers.close();
    }
  });

  it("starts afresh when given another lock: a reference names the new lock's schema", async () => {
    const bus = (fields: string) => `
      team shop { contact "shop@operator.example" }
      domain shop { owner shop }
      event OrderPlaced v1.0 { ${fields} }
      topic shop.order.placed { owner shop  event OrderPlaced  public }`;
    const workers = startCompileWorkers(1)!;
    try {
      for (const fields of ["orderId uuid", "total decimal  note string"]) {
        const { input, lockText } = lockedShop(bus(fields), () => undefined);
        workers.readLock(lockText);
        const files = await startBuild({ ...input, compileWorkers: workers }).files();
        expect(validatorCode(files)).toEqual(validatorCode(await emitProject({ ...input, compileWorkers: 0 })));
      }
    } finally {
      workers.close();
    }
  });

  it("looks what evt.lock records up in the cache, and a rebuild compiles nothing", async () => {
    const { checked, input, lockText } = telcoWithLock();
    const dir = mkdtempSync(path.join(os.tmpdir(), "evtc-locked-cache-"));
    try {
      const expected = await emitProject({ ...input, compileWorkers: 0 });
      for (const round of ["cold", "warm"]) {
        const workers = startCompileWorkers(1)!;
        try {
          workers.readLock(lockText, dir);
          const files = await startBuild({ ...input, cache: diskCache(dir), compileWorkers: workers }).files();
          await workers.drain();
          expect(files, round).toEqual(expected);
          const validators = checked.model.events.size + olderVersionsOf(checked.model, checked.lock).length;
          expect(await workers.compilations(), round).toBe(round === "cold" ? validators : 0);
          expect(
            readdirSync(path.join(dir, "validators"), { recursive: true }).filter((f) => String(f).endsWith(".entry")),
            round,
          ).toHaveLength(validators);
        } finally {
          workers.close();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("compiles what a worker that stopped was asked for by reference in this thread", async () => {
    const { input, lockText } = telcoWithLock();
    const workers = startCompileWorkers(1)!;
    workers.readLock(lockText);
    const build = startBuild({ ...input, compileWorkers: workers });
    workers.close(); // as a crash would
    expect(await build.files()).toEqual(await emitProject({ ...input, compileWorkers: 0 }));
  });

  it("asks by schema text for a lock another tool rewrote with its keys in another order, and builds the same", async () => {
    const original = readFileSync(path.join(repo, "examples", "telco", "evt.lock"), "utf8");
    const { checked, input, lockText } = telcoWithLock(JSON.stringify(reversedKeys(JSON.parse(original)), null, 4));
    expect(checked.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(checked.lock.asWritten).toBeUndefined();
    const workers = startCompileWorkers(1)!;
    try {
      workers.readLock(lockText);
      const before = ajvCompilations();
      const files = await startBuild({ ...input, compileWorkers: workers }).files();
      // The recorded schemas, put back in order, are the build's own: each text is asked for once.
      expect(ajvCompilations() - before).toBe(
        checked.model.events.size + olderVersionsOf(checked.model, checked.lock).length,
      );
      expect(files).toEqual(await emitProject({ ...input, compileWorkers: 0 }));
    } finally {
      workers.close();
    }
  });

  it("builds the same when the lock records schemas ajv refuses for events the project no longer has", async () => {
    // A lock edited by hand, but as `evtc lock` would write it, without its record of topics: every event it
    // lists is compiled unasked.
    const original = JSON.parse(readFileSync(path.join(repo, "examples", "telco", "evt.lock"), "utf8")) as {
      events: Record<string, unknown>;
      topics?: unknown;
    };
    delete original.topics;
    for (const [event, schema] of Object.entries({ Gone: { type: "object", "x-old": 1 }, Null: null, Text: "hello" }))
      original.events[event] = { "1.0": { hash: schemaHash(schema), schema } };
    const { input, lockText } = telcoWithLock(`${JSON.stringify(original, null, 2)}\n`);
    const lock = parseLock(new SourceFile("evt.lock", lockText)).lock;
    expect(lock.asWritten).toBe(true);
    expect(lock.events.has("Gone")).toBe(true);
    const workers = startCompileWorkers(1)!;
    try {
      workers.readLock(lockText);
      const files = await startBuild({ ...input, lock, compileWorkers: workers }).files();
      expect(files).toEqual(await emitProject({ ...input, lock, compileWorkers: 0 }));
    } finally {
      workers.close();
    }
  });
});
