import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { format } from "prettier";
import { Node, Project, SyntaxKind } from "ts-morph";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_TYPE_DEPTH } from "../../src/check/type-depth.js";
import { PRETTIER_OPTIONS } from "../../src/emit/typescript-file.js";

const repo = path.resolve(import.meta.dirname, "..", "..");
const cli = path.join(repo, "dist", "cli", "main.js");
/**
 * Output goes under the repository (not the system temp dir) so that generated code resolves `evtc/runtime`
 * the way it does in a service: through the package's own `exports`, here by self-reference.
 */
const work = path.join(repo, "test", ".tmp", "build");

interface Outcome {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function evtc(args: readonly string[], cwd: string = repo): Outcome {
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd,
    encoding: "utf8",
    env: { PATH: process.env["PATH"] },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    return entry.isDirectory() ? listFiles(path.join(dir, entry.name), relative) : [relative];
  });
}

function snapshot(dir: string): Map<string, string> {
  return new Map(
    listFiles(dir)
      .sort()
      .map((f) => [f, readFileSync(path.join(dir, f), "utf8")]),
  );
}

const fixtures = path.join(repo, "test", "fixtures", "build");

/**
 * Every field nests arrays, maps and records as deep as EVT0415 allows, each its own way: arrays, maps and arrays
 * by turns (a map's brackets count against EVT0204's limit too), a chain of records each holding the next, a
 * cycle of records, and a record holding itself inside arrays.
 */
function deepTypesProject(depth: number): string {
  let mixed = "int";
  for (let i = 0; i < depth; i++) mixed = i % 2 === 1 ? `map<${mixed}>` : `${mixed}[]`;
  const ring = depth - 2; // through each record of the cycle once, then back into it: one more
  return [
    `team platform { contact "platform@example.com" }`,
    `domain shop { owner platform }`,
    `event DeepNesting v1 {`,
    `  id     uuid`,
    `  arrays string${"[]".repeat(depth)}`,
    `  mixed  ${mixed}`,
    `  chain  Link0`,
    `  ring   Ring0`,
    `  tree   Tree${"[]".repeat(depth - 3)}`,
    `}`,
    ...Array.from({ length: depth - 2 }, (_, i) => `record Link${i} { next Link${i + 1} }`),
    `record Link${depth - 2} { value string[] }`,
    ...Array.from({ length: ring }, (_, i) => `record Ring${i} { next? Ring${(i + 1) % ring}  value string }`),
    `record Tree { children Tree[]  name string }`,
    `topic shop.deep.happened { owner platform event DeepNesting key id }`,
    `consumer shop.deep-reader { owner platform from shop.deep.happened unordered guaranteed }`,
    `consumer shop.deep-audit { owner platform from shop.deep.happened unordered guaranteed }`,
    "",
  ].join("\n");
}

beforeAll(() => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  for (const name of ["all-types", "hostile", "long-names"]) {
    const outcome = evtc(["build", path.join(fixtures, name), "--out", path.join(work, name)]);
    expect(outcome.status, outcome.stdout + outcome.stderr).toBe(0);
  }
  // A new major version while a consumer still accepts the old one: v2.1 is recorded in evt.lock, then the
  // event drops a field and becomes v3.0 (and the event extending it v2.0), and the audit consumer accepts both.
  // An event of the user's own is named as evtc would name the older major's type, which must not take it.
  const project = path.join(work, "two-majors-project");
  cpSync(path.join(fixtures, "all-types"), project, { recursive: true });
  expect(evtc(["lock", project]).status).toBe(0);
  const source = readFileSync(path.join(project, "project.evt"), "utf8");
  writeFileSync(
    path.join(project, "project.evt"),
    source
      .replace("event OrderPlaced v2.1 {", "event OrderPlaced v3.0 {")
      .replace("  weight       double\n", "")
      .replace("event OrderQuoted v1.0", "event OrderQuoted v2.0")
      .replace("accepts  v1", "accepts  v2")
      .replace(/(consumer shop\.order-audit \{[^}]*best-effort)/, "$1\n  accepts v2, v3")
      .concat("\n/// Named as evtc once named OrderPlaced's v2.\nevent OrderPlacedV2 v1.0 {\n  orderId uuid\n}\n"),
  );
  const outcome = evtc(["build", project, "--out", path.join(work, "two-majors")]);
  expect(outcome.status, outcome.stdout + outcome.stderr).toBe(0);
  // Types as deep as the language allows: recorded in a lock, then built (which compares them with it).
  const deep = path.join(work, "deep-types-project");
  mkdirSync(deep);
  writeFileSync(path.join(deep, "project.evt"), deepTypesProject(MAX_TYPE_DEPTH));
  for (const args of [
    ["lock", deep],
    ["build", deep, "--out", path.join(work, "deep-types")],
  ]) {
    const run = evtc(args);
    expect(run.status, run.stdout + run.stderr).toBe(0);
  }
}, 120_000);

describe("evtc build", { timeout: 60_000 }, () => {
  it("keeps the committed output of the example up to date (what CI checks)", () => {
    const outcome = evtc(["build", "examples/telco", "--check"]);
    expect(outcome.stdout + outcome.stderr).toContain("generated/telco is up to date");
    expect(outcome.status).toBe(0);
  });

  it("emits TypeScript that compiles under tsc --strict: the example, every type, hostile and long names, deep types", () => {
    const tsconfig = path.join(work, "tsconfig.json");
    // A service starting its team's readers as docs/build.md shows; what the compiler must refuse is marked, so
    // that tsc fails if it is accepted.
    writeFileSync(
      path.join(work, "service.ts"),
      [
        `import { createEmbeddedTransport, createRuntime } from "evtc/runtime";`,
        `import { startTeam } from "../../../generated/telco/index.js";`,
        `const runtime = createRuntime({ transport: createEmbeddedTransport(), source: "crm-service" });`,
        `const idle = async () => {};`,
        `import type { CustomerProfile } from "../../../generated/telco/crm.js";`,
        `const profile = (msisdn: string): CustomerProfile => ({ customerId: "0f8fad5b-d9cb-469f-a165-70867728950e", accountId: "ACC-00000001", segment: "CONSUMER_PREPAID", contract: "PREPAID", tenureMonths: Number(msisdn.length), preferredLanguage: "en", vip: false, marketingConsents: {} });`,
        `// A team without enrichers leaves out its look-ups, or gives none.`,
        `await startTeam(runtime, "crm", { handlers: { "crm.payment-sync": idle, "crm.topup-sync": idle } });`,
        `await startTeam(runtime, "crm", { handlers: { "crm.payment-sync": idle, "crm.topup-sync": idle }, lookups: {} });`,
        `const handlers = { "billing.account-opening": idle, "billing.rating-plan-sync": idle };`,
        `await startTeam(runtime, "billing", {`,
        `  handlers,`,
        `  lookups: { "billing.payment-customer": { "crm.customer-db": async (msisdn) => ({ customer: profile(msisdn) }) } },`,
        `});`,
        `// @ts-expect-error an enricher's only look-up answers every field it adds`,
        `await startTeam(runtime, "billing", { handlers, lookups: { "billing.payment-customer": { "crm.customer-db": async () => ({}) } } });`,
        `// @ts-expect-error a consumer of the team without its handler`,
        `await startTeam(runtime, "crm", { handlers: { "crm.payment-sync": idle } });`,
        `// @ts-expect-error an enricher of the team without its look-ups`,
        `await startTeam(runtime, "billing", { handlers });`,
        `// @ts-expect-error a handler for another team's consumer`,
        `await startTeam(runtime, "crm", { handlers: { "crm.payment-sync": idle, "crm.topup-sync": idle, "bi.case-analytics": idle } });`,
        "",
      ].join("\n"),
    );
    writeFileSync(
      tsconfig,
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noUncheckedIndexedAccess: true,
          exactOptionalPropertyTypes: true,
          verbatimModuleSyntax: true,
          noUnusedLocals: true,
          noEmit: true,
          types: ["node"],
          lib: ["ES2022"],
        },
        include: [
          "all-types/**/*.ts",
          "hostile/**/*.ts",
          "long-names/**/*.ts",
          "two-majors/**/*.ts",
          "deep-types/**/*.ts",
          "../../../generated/telco/**/*.ts",
          "service.ts",
        ],
      }),
    );
    const tsc = spawnSync(
      process.execPath,
      [path.join(repo, "node_modules", "typescript", "bin", "tsc"), "-p", tsconfig],
      {
        encoding: "utf8",
      },
    );
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  });

  it("formats its TypeScript as prettier does: every module is a fixed point of the pinned prettier", async () => {
    const modules = [
      ...["all-types", "hostile", "long-names", "two-majors", "deep-types"].flatMap((name) =>
        listFiles(path.join(work, name)).map((f) => path.join(work, name, f)),
      ),
      ...listFiles(path.join(repo, "generated", "telco")).map((f) => path.join(repo, "generated", "telco", f)),
    ].filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"));
    expect(modules.length).toBeGreaterThan(15);
    for (const file of modules) {
      const text = readFileSync(file, "utf8");
      expect(await format(text, PRETTIER_OPTIONS), file).toBe(text);
    }
  });

  it("writes byte-identical output on every run, wherever it is run from", () => {
    const first = path.join(work, "again-1");
    const second = path.join(work, "again-2");
    expect(evtc(["build", path.join(fixtures, "all-types"), "--out", first]).status).toBe(0);
    // A relative project path and another working directory must not change a byte.
    const relative = path.relative(path.join(repo, "test"), path.join(fixtures, "all-types"));
    expect(evtc(["build", relative, "--out", second], path.join(repo, "test")).status).toBe(0);
    const a = snapshot(first);
    expect(a.size).toBeGreaterThan(10);
    expect(snapshot(second)).toEqual(a);
    expect(snapshot(path.join(work, "all-types"))).toEqual(a);
    for (const [file, content] of a) {
      expect(content, file).not.toContain(repo);
      expect(content.split("\n", 3).join("\n"), file).toContain("@generated by evtc from");
    }
  });

  it("puts evtc's header on every file, naming the source file", () => {
    const files = snapshot(path.join(work, "all-types"));
    expect([...files.keys()]).toEqual(
      expect.arrayContaining([
        "index.ts",
        "project.ts",
        "project.consumers.ts",
        "validators/OrderPlaced.v2.1.js",
        "validators/OrderPlaced.v2.1.d.ts",
        "schemas/shop.order.placed-value/OrderPlaced.v2.1.json",
        "schemas/shop.order.quoted-value/OrderQuoted.v1.0.json",
        "topology.json",
        "strimzi/topics.yaml",
        "strimzi/users.yaml",
      ]),
    );
    expect(files.get("project.ts")!.split("\n")[0]).toBe("// @generated by evtc from project.evt — do not edit");
    expect(JSON.parse(files.get("schemas/shop.order.placed-value/OrderPlaced.v2.1.json")!).$comment).toBe(
      "@generated by evtc from project.evt — do not edit",
    );
  });

  it("maps every type as documented, with JSDoc from the doc comments", () => {
    const types = readFileSync(path.join(work, "all-types", "project.ts"), "utf8");
    const orderPlaced = types.slice(
      types.indexOf("export interface OrderPlaced"),
      types.indexOf("export interface OrderQuoted"),
    );
    for (const line of [
      "readonly orderId: string;",
      "readonly quantity: number;",
      "readonly sequence: number;",
      "readonly total: string;",
      "readonly gift: boolean;",
      "readonly size: Size;",
      "readonly destination: Place;",
      "readonly tags: readonly string[];",
      "readonly grid: readonly (readonly number[])[];",
      "readonly attributes: { readonly [key: string]: string };",
      "readonly history: { readonly [key: string]: readonly Place[] };",
      "readonly note?: string;",
    ]) {
      expect(orderPlaced).toContain(line);
    }
    expect(types).toContain('export type Size = "SMALL" | "LARGE" | "HUGE";');
    expect(types).toContain("export interface OrderQuoted extends OrderPlaced {");
    expect(types).toContain("@generated from event OrderPlaced v2.1");
    expect(types).toContain("@deprecated use destination");
    expect(types).toMatch(/An RFC 3339 date-time/);
  });

  it("types a consumer of two major versions with both, each checked by its own validator", async () => {
    const readers = readFileSync(path.join(work, "two-majors", "project.consumers.ts"), "utf8");
    expect(readers).toContain("ConsumerSpec<OrderPlacedV2_2 | OrderPlaced>");
    expect(readers).toMatch(/accepts: Object\.freeze\(\{ 2: validateOrderPlacedV2_1, 3: validateOrderPlacedV3_0 \}\)/);
    const types = readFileSync(path.join(work, "two-majors", "project.ts"), "utf8");
    expect(types).toContain("export interface OrderPlacedV2 {");
    expect(types).toContain("export type OrderPlacedV2_2 = {");
    const older = types.slice(types.indexOf("export type OrderPlacedV2_2 = {"));
    expect(older.slice(0, older.indexOf("\n}"))).toContain("readonly weight: number;");
    expect(
      existsSync(path.join(work, "two-majors", "schemas", "shop.order.placed-value", "OrderPlaced.v2.1.json")),
    ).toBe(true);
    const { shopOrderAuditConsumer } = (await import(
      pathToFileURL(path.join(work, "two-majors", "project.consumers.ts")).href
    )) as { shopOrderAuditConsumer: { accepts: Record<number, (data: unknown) => boolean> } };
    const withWeight = JSON.parse(readFileSync(path.join(fixtures, "all-types", "order.sample.json"), "utf8"));
    expect(shopOrderAuditConsumer.accepts[2]!(withWeight)).toBe(true);
    expect(shopOrderAuditConsumer.accepts[3]!(withWeight)).toBe(false);
    const { weight: _dropped, ...withoutWeight } = withWeight;
    expect(shopOrderAuditConsumer.accepts[3]!(withoutWeight)).toBe(true);
  });

  it("checks that a bytes field is base64, as its schema's contentEncoding says", async () => {
    const { validate } = (await import(
      pathToFileURL(path.join(work, "all-types", "validators", "OrderPlaced.v2.1.js")).href
    )) as { validate: ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] } };
    const sample = JSON.parse(readFileSync(path.join(fixtures, "all-types", "order.sample.json"), "utf8"));
    for (const receipt of ["aGVsbG8=", "aGVsbG8h", "aGk=", ""])
      expect(validate({ ...sample, receipt }), receipt).toBe(true);
    for (const receipt of ["aGVsbG8", "hello!", "aGVs\nbG8=", "aGVsbG8-", "aGVsbG8==="]) {
      expect(validate({ ...sample, receipt }), receipt).toBe(false);
      expect(validate.errors?.[0]).toMatchObject({
        instancePath: "/receipt",
        message: expect.stringMatching(/base64/),
      });
    }
    // The published schema is unchanged: the check is the validator's reading of `contentEncoding`.
    const published = JSON.parse(
      readFileSync(path.join(work, "all-types", "schemas", "shop.order.placed-value", "OrderPlaced.v2.1.json"), "utf8"),
    );
    expect(published.properties.receipt).toEqual({ contentEncoding: "base64", type: "string" });
  });

  it("checks a decimal's bounds on its digits, and says the bound it broke, as ajv says its own", async () => {
    const { validate } = (await import(
      pathToFileURL(path.join(work, "all-types", "validators", "OrderPlaced.v2.1.js")).href
    )) as { validate: ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] } };
    const sample = JSON.parse(readFileSync(path.join(fixtures, "all-types", "order.sample.json"), "utf8"));
    for (const total of ["0", "0.00", "100000", "99999.99"]) expect(validate({ ...sample, total }), total).toBe(true);
    const refused = (total: string) => (validate({ ...sample, total }) ? undefined : validate.errors?.[0]);
    expect(refused("-0.01")).toMatchObject({
      instancePath: "/total",
      message: "must be >= 0",
      params: { comparison: ">=", limit: 0 },
    });
    expect(refused("100000.5")).toMatchObject({
      instancePath: "/total",
      message: "must be <= 100000",
      params: { comparison: "<=", limit: 100000 },
    });
  });

  it("builds types nested as deep as EVT0415 allows, and validates events that deep", async () => {
    const { validate } = (await import(
      pathToFileURL(path.join(work, "deep-types", "validators", "DeepNesting.v1.0.js")).href
    )) as { validate: ((data: unknown) => boolean) & { errors?: { instancePath: string }[] } };
    const nest = (depth: number, inner: unknown, wrap: (value: unknown, level: number) => unknown) => {
      let value = inner;
      for (let level = 0; level < depth; level++) value = wrap(value, level);
      return value;
    };
    const link = (depth: number) => nest(depth, { value: ["end"] }, (next) => ({ next }));
    const event = {
      id: "0f8fad5b-d9cb-469f-a165-70867728950e",
      arrays: nest(MAX_TYPE_DEPTH, "deep", (v) => [v]),
      mixed: nest(MAX_TYPE_DEPTH, 1, (v, level) => (level % 2 === 1 ? { key: v } : [v])),
      chain: link(MAX_TYPE_DEPTH - 2),
      ring: nest(3 * MAX_TYPE_DEPTH, { value: "last" }, (next) => ({ next, value: "around" })),
      tree: nest(MAX_TYPE_DEPTH - 3, { name: "root", children: [{ name: "leaf", children: [] }] }, (v) => [v]),
    };
    expect(validate(event), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...event, chain: link(MAX_TYPE_DEPTH - 3) })).toBe(false);
    expect(validate.errors?.[0]?.instancePath).toBe(`/chain${"/next".repeat(MAX_TYPE_DEPTH - 3)}`);
  });

  it("never lets user text out of a string or a comment", () => {
    const types = readFileSync(path.join(work, "hostile", "project.ts"), "utf8");
    // Every `*/` a user wrote is neutralised: the only comment ends are evtc's own, alone on a line or
    // closing a one-line comment it opened.
    for (const line of types.split("\n")) {
      if (line.includes("*/")) expect(line.trim(), line).toMatch(/^(\*\/|\/\*\*.*\*\/)$/);
    }
    expect(types).not.toMatch(/^\s*\*\s*@param/m);
    for (const line of types.split("\n").filter((l) => l.includes("export const injected"))) {
      expect(line, "user text stays inside its doc comment").toMatch(/^\s*\* /);
    }
    // Reserved words and globals the generated code uses were renamed, not shadowed.
    expect(types).toContain("export type Promise_ =");
    expect(types).toContain("export interface Object_ {");
    expect(types).toContain("Promise<PublishedEvent>");
    // Names evtc's code takes for itself yield to the user's: the runtime's `Runtime` is imported as another.
    expect(types).toContain("export interface Runtime {");
    expect(types).toMatch(/import type \{[^}]* Runtime as Runtime_2,/);
    expect(types).toContain("export function publishEvilThingHappened(\n  runtime: Runtime_2,\n  event: Runtime,");
    const index = readFileSync(path.join(work, "hostile", "index.ts"), "utf8");
    expect(types).toContain("export interface TeamServices {");
    expect(index).toContain("export interface TeamServices_2 {");
    expect(index).toContain("export function startTeam<Team extends keyof TeamServices_2>(");
  });

  it("gives hostile input no way into the code: only declarations, and no calls but evtc's own", () => {
    // Read with the TypeScript compiler (through ts-morph) rather than by pattern: whatever the names and
    // texts, each module holds imports and exported declarations only, and calls nothing but these.
    const allowedCalls = new Set(["Object.freeze", "String", "runtime.publish", "runtime.start"]);
    const project = new Project({ useInMemoryFileSystem: true });
    for (const name of ["hostile", "long-names"]) {
      for (const file of listFiles(path.join(work, name)).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))) {
        const source = project.createSourceFile(`${name}/${file}`, readFileSync(path.join(work, name, file), "utf8"));
        for (const statement of source.getStatements()) {
          const kind = statement.getKind();
          expect(
            [
              SyntaxKind.ImportDeclaration,
              SyntaxKind.ExportDeclaration,
              SyntaxKind.TypeAliasDeclaration,
              SyntaxKind.InterfaceDeclaration,
              SyntaxKind.VariableStatement,
              SyntaxKind.FunctionDeclaration,
            ],
            `${file}: ${statement.getText().slice(0, 80)}`,
          ).toContain(kind);
          if (kind !== SyntaxKind.ImportDeclaration && kind !== SyntaxKind.ExportDeclaration) {
            expect(Node.isExportable(statement) && statement.isExported(), statement.getText().slice(0, 80)).toBe(true);
          }
        }
        for (const call of source.getDescendantsOfKind(SyntaxKind.CallExpression)) {
          expect(allowedCalls, `${file}: ${call.getText().slice(0, 80)}`).toContain(call.getExpression().getText());
        }
        expect(source.getDescendantsOfKind(SyntaxKind.NewExpression)).toEqual([]);
        expect(source.getDescendantsOfKind(SyntaxKind.TemplateExpression)).toEqual([]);
        expect(source.getDescendantsOfKind(SyntaxKind.TaggedTemplateExpression)).toEqual([]);
      }
    }
  });

  it("validates with the schema's exact rules, even for hostile field names", async () => {
    const { evilThingHappenedTopic } = (await import(pathToFileURL(path.join(work, "hostile", "project.ts")).href)) as {
      evilThingHappenedTopic: { event: { validate: ((data: unknown) => boolean) & { errors?: unknown } } };
    };
    const validate = evilThingHappenedTopic.event.validate;
    const object = JSON.parse('{"toString": "*/", "kebab-case": 1, "constructor": "own field"}');
    const event = { default: "k", new: object, function: "class", prototype: {} };
    expect(validate(event)).toBe(true);
    expect(validate({ ...event, new: { ...object, toString: "no" } })).toBe(false);
    expect(validate({ ...event, new: JSON.parse('{"toString": "*/"}') })).toBe(false);
    expect(validate({ ...event, new: JSON.parse('{"toString": "*/", "kebab-case": 1, "__proto__": {}}') })).toBe(false);
    expect(validate({ ...event, function: "constructor", extra: 1 })).toBe(false);
    // Fields named like Object.prototype's members are read as the event's own properties, never inherited: a
    // required `toString` left out is missing, and an optional `constructor` left out gets its default.
    expect(validate({ ...event, new: { "kebab-case": 1 } })).toBe(false);
    expect(validate.errors).toMatchObject([{ keyword: "required", params: { missingProperty: "toString" } }]);
    const withoutOptional: Record<string, unknown> = { toString: "*/", "kebab-case": 1 };
    expect(validate({ ...event, new: withoutOptional })).toBe(true);
    expect(Object.hasOwn(withoutOptional, "constructor") && withoutOptional["constructor"]).toBe(
      '"quoted" \\ back*/slash',
    );
  });

  it("keeps a reader named __proto__ in the wiring, as a property rather than the object's prototype", async () => {
    const { wiring } = (await import(pathToFileURL(path.join(work, "hostile", "index.ts")).href)) as {
      wiring: { consumers: Record<string, { name: string }> };
    };
    expect(Object.keys(wiring.consumers)).toEqual(["__proto__", "evil.delete"]);
    expect(Object.getPrototypeOf(wiring.consumers)).toBe(Object.prototype);
  });

  it("removes the files of a deleted topic, and only files evtc generated", () => {
    const out = path.join(work, "stale");
    const project = path.join(work, "stale-project");
    cpSync(path.join(fixtures, "all-types"), project, { recursive: true });
    expect(evtc(["build", project, "--out", out]).status).toBe(0);
    writeFileSync(path.join(out, "NOTES.md"), "hand-written notes\n");
    // Drop the audit consumer and rename the enriched topic's event: their generated files become stale.
    const source = readFileSync(path.join(project, "project.evt"), "utf8");
    writeFileSync(path.join(project, "project.evt"), source.replace(/consumer shop\.order-audit \{[^}]*\}/, ""));
    const check = evtc(["build", project, "--out", out, "--check"]);
    expect(check.status).toBe(1);
    expect(check.stdout).toContain("is stale");
    expect(check.stdout).toMatch(/changed\s+project\.consumers\.ts/);
    expect(evtc(["build", project, "--out", out]).status).toBe(0);
    expect(readFileSync(path.join(out, "project.consumers.ts"), "utf8")).not.toContain("shop.order-audit");
    // What --check names, in one column whatever the reason.
    writeFileSync(
      path.join(out, "validators", "Gone.v1.0.js"),
      "// @generated by evtc from project.evt — do not edit\n",
    );
    rmSync(path.join(out, "index.ts"));
    const listing = evtc(["build", project, "--out", out, "--check"])
      .stdout.split("\n")
      .filter((l) => /^  (missing|changed|obsolete) /.test(l));
    expect(listing).toEqual(["  missing   index.ts", "  obsolete  validators/Gone.v1.0.js"]);
    expect(evtc(["build", project, "--out", out]).status).toBe(0);
    expect(readFileSync(path.join(out, "NOTES.md"), "utf8")).toBe("hand-written notes\n");
    expect(evtc(["build", project, "--out", out, "--check"]).status).toBe(0);

    // A whole file disappears when its event does: a stale validator is deleted.
    writeFileSync(
      path.join(out, "validators", "Gone.v1.0.js"),
      "// @generated by evtc from project.evt — do not edit\n",
    );
    const rebuilt = evtc(["build", project, "--out", out]);
    expect(rebuilt.stdout).toContain("1 removed");
    expect(existsSync(path.join(out, "validators", "Gone.v1.0.js"))).toBe(false);
  });

  it("leaves another build's output inside its output directory alone (--out generated beside generated/telco)", () => {
    const shared = path.join(work, "shared-out");
    const inner = path.join(shared, "telco");
    expect(evtc(["build", path.join(repo, "examples", "telco"), "--out", inner]).status).toBe(0);
    const innerFiles = listFiles(inner).sort();
    expect(innerFiles).toContain("topology.json");
    const outer = evtc(["build", path.join(fixtures, "all-types"), "--out", shared]);
    expect(outer.status, outer.stdout + outer.stderr).toBe(0);
    expect(outer.stdout).toContain("0 removed");
    expect(listFiles(inner).sort()).toEqual(innerFiles);
    expect(evtc(["build", path.join(fixtures, "all-types"), "--out", shared, "--check"]).status).toBe(0);
    expect(evtc(["build", path.join(repo, "examples", "telco"), "--out", inner, "--check"]).status).toBe(0);
  });

  it("deletes only in its own output: not in a folder it first writes to, .git, node_modules, nor another project's", () => {
    const folder = path.join(work, "service-folder");
    const generated = "// @generated by evtc from project.evt — do not edit\n";
    mkdirSync(path.join(folder, "node_modules", "pkg"), { recursive: true });
    mkdirSync(path.join(folder, ".git"), { recursive: true });
    writeFileSync(path.join(folder, "copied.ts"), generated);
    writeFileSync(path.join(folder, "node_modules", "pkg", "index.ts"), generated);
    writeFileSync(path.join(folder, ".git", "kept.ts"), generated);
    const project = path.join(fixtures, "all-types");
    // The folder is not evtc's output yet: the first build only adds to it.
    const first = evtc(["build", project, "--out", folder]);
    expect(first.status, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toContain("0 removed");
    expect(existsSync(path.join(folder, "copied.ts"))).toBe(true);
    // Its output now: a generated-looking file of its own is obsolete, never one under .git or node_modules.
    const second = evtc(["build", project, "--out", folder]);
    expect(second.stdout).toContain("1 removed");
    expect(existsSync(path.join(folder, "copied.ts"))).toBe(false);
    expect(readFileSync(path.join(folder, "node_modules", "pkg", "index.ts"), "utf8")).toBe(generated);
    expect(readFileSync(path.join(folder, ".git", "kept.ts"), "utf8")).toBe(generated);
    // Another project building into it would delete this one's files: refused, nothing written.
    const before = listFiles(folder).sort();
    const other = evtc(["build", path.join(repo, "examples", "telco"), "--out", folder]);
    expect(other.status).toBe(2);
    expect(other.stderr).toContain("holds the generated code of project `all-types`, not of `telco`");
    expect(listFiles(folder).sort()).toEqual(before);
    // An empty --out (an unset variable) is not the working directory.
    const empty = evtc(["build", project, "--out", ""]);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain("--out needs a directory");
  });

  it("labels the Strimzi resources with the cluster and authentication evtc.json names", () => {
    const project = path.join(work, "strimzi-project");
    cpSync(path.join(fixtures, "all-types"), project, { recursive: true });
    writeFileSync(
      path.join(project, "evtc.json"),
      `{ "strimzi": { "cluster": "bus-prod", "authentication": "scram-sha-512" } }\n`,
    );
    const out = path.join(work, "strimzi-out");
    const outcome = evtc(["build", project, "--out", out]);
    expect(outcome.status, outcome.stdout + outcome.stderr).toBe(0);
    const topics = readFileSync(path.join(out, "strimzi", "topics.yaml"), "utf8");
    const users = readFileSync(path.join(out, "strimzi", "users.yaml"), "utf8");
    expect(topics).toContain("strimzi.io/cluster: bus-prod");
    expect(topics).not.toContain("my-cluster");
    expect(users).toContain("strimzi.io/cluster: bus-prod");
    expect(users).toContain("type: scram-sha-512");
    expect(users).not.toContain("type: tls");
  });

  it("refuses to overwrite a file it did not generate", () => {
    const out = path.join(work, "foreign");
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, "index.ts"), "export const mine = 1;\n");
    const outcome = evtc(["build", path.join(fixtures, "all-types"), "--out", out]);
    expect(outcome.status).toBe(2);
    expect(outcome.stderr).toContain("not generated by evtc would be overwritten");
    expect(outcome.stderr).toContain("index.ts");
    expect(readFileSync(path.join(out, "index.ts"), "utf8")).toBe("export const mine = 1;\n");
    expect(listFiles(out)).toEqual(["index.ts"]);
  });

  it("says why it cannot write the output directory, exits 2 and leaves nothing behind", () => {
    const blocked = path.join(work, "blocked");
    mkdirSync(blocked, { recursive: true });
    writeFileSync(path.join(blocked, "a-file"), "not a directory\n");
    const outs = [path.join(blocked, "a-file"), path.join(blocked, "a-file", "below")];
    // Node's recursive mkdir never returns under /proc; evtc must still answer.
    if (process.platform === "linux") outs.push("/proc/evtc-no-such-process/out");
    // With --check alike: it reads the output instead of writing it, and the answer is the same.
    for (const [out, check] of outs.flatMap(
      (out) =>
        [
          [out, []],
          [out, ["--check"]],
        ] as const,
    )) {
      const outcome = spawnSync(
        process.execPath,
        [cli, "build", path.join(fixtures, "all-types"), "--out", out, ...check],
        {
          encoding: "utf8",
          env: { PATH: process.env["PATH"] },
          timeout: 30_000,
        },
      );
      expect(outcome.status, `${out} ${check.join("")}: ${outcome.stderr}`).toBe(
        out.startsWith("/proc") && check.length > 0 ? 1 : 2,
      );
      if (outcome.status === 1) continue;
      expect(outcome.stderr).toMatch(/^error: cannot write .*(not a directory|no such file or directory)/);
      expect(outcome.stderr).toContain("= help:");
      expect(outcome.stderr).not.toContain("internal error");
    }
    expect(readdirSync(blocked)).toEqual(["a-file"]);
  });

  it("writes nothing when only the project's rules find errors, found after the validators start compiling", () => {
    // Resolved without errors (the build starts compiling then: test/check/resolved-hook.test.ts), but the
    // topic's name breaks a naming rule.
    const project = path.join(work, "rule-broken-project");
    cpSync(path.join(fixtures, "all-types"), project, { recursive: true });
    const source = readFileSync(path.join(project, "project.evt"), "utf8");
    writeFileSync(path.join(project, "project.evt"), source.replaceAll("shop.order.placed", "shop.order-placed"));
    const out = path.join(work, "rule-broken");
    const outcome = evtc(["build", project, "--out", out]);
    expect(outcome.status).toBe(1);
    expect(outcome.stdout).toContain("error[EVT0501]");
    expect(outcome.stdout).toContain("nothing was generated");
    expect(existsSync(out)).toBe(false);
  });

  it("writes nothing when the project has errors", () => {
    const project = path.join(work, "broken-project");
    mkdirSync(project, { recursive: true });
    writeFileSync(path.join(project, "broken.evt"), "event Broken v1.0 {\n  id Strin\n}\n");
    const out = path.join(work, "broken");
    const outcome = evtc(["build", project, "--out", out]);
    expect(outcome.status).toBe(1);
    expect(outcome.stdout).toContain("nothing was generated");
    expect(outcome.stdout).toMatch(/broken\.evt:2:6/);
    expect(existsSync(out)).toBe(false);
  });
});
