import path from "node:path";
import ajvModule from "ajv";
import formatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import { canonical, eventSchema, inlineDefinitions, type JsonSchema } from "../../src/emit/json-schema.js";
import { startCompileWorkers } from "../../src/emit/compile-workers.js";
import { olderVersionsOf } from "../../src/emit/older-versions.js";
import { Validators } from "../../src/emit/validators.js";
import { checkPaths } from "../../src/program.js";

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

  it("replaces each local reference by its definition, keeps what stood beside it, and drops the definitions", () => {
    const inlinedMoney = {
      properties: { amount: { type: "string" }, currency: { default: "EUR", enum: ["EUR", "USD"], type: "string" } },
      type: "object",
    };
    expect(inlineDefinitions(schema)).toEqual({
      $schema: "http://json-schema.org/draft-07/schema#",
      properties: { paid: inlinedMoney, refunds: { items: inlinedMoney, type: "array" } },
      type: "object",
    });
    // From a schema with sorted keys (as evtc's are), keys come out sorted: equal schemas are equal text, the
    // validator cache's key.
    const inlined = JSON.stringify(inlineDefinitions(canonical(schema)));
    expect(inlined).toBe(JSON.stringify(canonical(JSON.parse(inlined))));
  });

  it("leaves a schema with a recursive record, or a reference it cannot resolve, as it is", () => {
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
      definitions: {},
    };
    expect(inlineDefinitions(inherited)).toBe(inherited);
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
    await expect(broken.finish()).rejects.toThrow(/evtc produced an invalid JSON Schema/);
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
});
