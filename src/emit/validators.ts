import ajvModule, { _, type KeywordCxt } from "ajv";
import standaloneModule from "ajv/dist/standalone/index.js";
import formatsModule from "ajv-formats";
import { createRequire } from "node:module";
import { cacheKey, noCache, ownSource, type BuildCache } from "./cache.js";
import type { JsonSchema } from "./json-schema.js";

/**
 * ajv *standalone* validators, compiled at build time so that services never compile a schema at run time.
 * The code ajv writes is emitted as is (not prettier-formatted: it is machine code, and formatting it would
 * cost more than the rest of the build). Its few run-time needs come from `evtc/runtime`.
 */

const RUNTIME_IMPORT = `import { evtcFormats, ucs2length } from "evtc/runtime";`;

/** The `require` calls ajv writes for its run-time helpers, and what they become in an ES module. */
const RUNTIME_REQUIRES: readonly [string, string][] = [['require("ajv/dist/runtime/ucs2length").default', "ucs2length"]];

function decimalBound(keyword: "x-evtc-minimum" | "x-evtc-maximum", operator: string) {
  return {
    keyword,
    type: "string" as const,
    schemaType: "number" as const,
    // Decimals travel as exact strings; the bound is compared as a double, which is exact for the bounds
    // people write (0, 100, 0.01) and off only in digits far beyond what a bound is meant to catch.
    code(cxt: KeywordCxt) {
      const { data, schema } = cxt;
      cxt.fail(_`Number(${data}) ${operator === "<" ? _`<` : _`>`} ${schema as number}`);
    },
    error: {
      message: keyword === "x-evtc-minimum" ? `must be >= the field's minimum` : `must be <= the field's maximum`,
    },
  };
}

// ajv and its plugins are CommonJS modules with `exports.default`: under Node's ES module interop the default
// import is the whole `exports` object.
const Ajv = ajvModule.default;
const standaloneCode = standaloneModule.default;
const addFormats = formatsModule.default;

type AjvInstance = InstanceType<typeof Ajv>;

/**
 * An ajv instance set up as evtc's validators need. Each schema is compiled in an instance of its own, so that
 * the names in its code (`validate0`, `schema1`…) never depend on what else the build compiled. Checking a
 * schema against the JSON Schema meta-schema compiles the meta-schema first, which costs three times the schema
 * itself, so the compiling instances leave that check to one instance shared by the build (`checkSchema`).
 */
function newAjv(validateSchema: boolean): AjvInstance {
  const ajv = new Ajv({
    code: { source: true, esm: true, lines: true, formats: _`evtcFormats` },
    strict: true,
    allErrors: false,
    // `$data` lets a document steer its own validation: never.
    $data: false,
    unicodeRegExp: true,
    validateSchema,
  });
  addFormats(ajv, ["date-time", "date", "duration", "uuid"]);
  ajv.addKeyword(decimalBound("x-evtc-minimum", "<"));
  ajv.addKeyword(decimalBound("x-evtc-maximum", ">"));
  return ajv;
}

const require = createRequire(import.meta.url);

/**
 * What ajv's code depends on besides the schema: the versions of ajv, ajv-formats and evtc, and this module's
 * own source (the options and keywords above), so that a changed evtc never reuses what another one compiled,
 * even between two builds of the same version while evtc is being worked on.
 */
const compilerFingerprint = [
  `ajv ${(require("ajv/package.json") as { version: string }).version}`,
  `ajv-formats ${(require("ajv-formats/package.json") as { version: string }).version}`,
  `evtc ${(require("../../package.json") as { version: string }).version}`,
  ownSource(import.meta.url),
].join("\n");

let compilations = 0;

/** How many schemas ajv has compiled in this process (cache hits compile nothing): for tests and benchmarks. */
export function ajvCompilations(): number {
  return compilations;
}

let checker: AjvInstance | undefined;

/** Throws when evtc produced a schema that is not valid JSON Schema (a bug in evtc, not a user error). */
function checkSchema(schema: JsonSchema): void {
  checker ??= newAjv(true);
  if (!checker.validateSchema(schema)) {
    throw new Error(`evtc produced an invalid JSON Schema: ${checker.errorsText(checker.errors)}`);
  }
}

/** ajv's standalone code for `schema`, ES module syntax, before the header and the runtime import. */
function compile(schema: JsonSchema): string {
  compilations++;
  checkSchema(schema);
  const ajv = newAjv(false);
  const validate = ajv.compile(schema);
  let source = standaloneCode(ajv, validate);
  for (const [from, to] of RUNTIME_REQUIRES) source = source.split(from).join(to);
  if (source.includes("require(")) throw new Error("ajv standalone code needs a run-time helper evtc does not provide");
  return source;
}

/**
 * Writes validator modules for one build. Standalone code is a pure function of the schema: the same schema
 * is compiled once per build, and not at all when `cache` holds it from an earlier build.
 */
export class Validators {
  private readonly compiled = new Map<string, string>();

  constructor(private readonly cache: BuildCache = noCache()) {}

  /**
   * The ES module source of a validator for `schema`, exporting `validate`. `header` is the generated-file
   * header line. Throws only on a schema evtc itself produced wrongly (a bug, not a user error).
   */
  module(schema: JsonSchema, header: string): string {
    const text = JSON.stringify(schema);
    let code = this.compiled.get(text);
    if (code === undefined) {
      const key = cacheKey("validator", compilerFingerprint, text);
      code = this.cache.get("validators", key);
      if (code === undefined) {
        code = compile(schema);
        this.cache.set("validators", key, code);
      }
      this.compiled.set(text, code);
    }
    const body = code.replace(/^"use strict";\n?/, "");
    return `${header}\n${RUNTIME_IMPORT}\n${body.endsWith("\n") ? body : `${body}\n`}`;
  }
}

/** The declaration file next to a validator module: a type guard for the event type it checks. */
export function validatorDeclaration(header: string, typeName: string, typeModule: string): string {
  return [
    header,
    `import type { EventValidator } from "evtc/runtime";`,
    `import type { ${typeName} } from ${JSON.stringify(typeModule)};`,
    "",
    `export declare const validate: EventValidator<${typeName}>;`,
    "export default validate;",
    "",
  ].join("\n");
}
