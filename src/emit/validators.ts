import type ajvModule from "ajv";
import type { KeywordCxt } from "ajv";
import type codegenModule from "ajv/dist/compile/codegen/index.js";
import type standaloneModule from "ajv/dist/standalone/index.js";
import type formatsModule from "ajv-formats";
import type vocabularyCodeModule from "ajv/dist/vocabularies/code.js";
import { createRequire } from "node:module";
import { parentPort } from "node:worker_threads";
import { cacheKey, diskCache, noCache, ownSource, type BuildCache } from "./cache.js";
import {
  defaultCompileWorkers,
  SchemaCompileError,
  startCompileWorkers,
  type CompileReply,
  type CompileRequest,
  type CompileWorkers,
} from "./compile-workers.js";
import type { JsonSchema } from "./json-schema.js";
import {
  isLockedRef,
  lockedValidatorText,
  parseLockedRef,
  readLockedSchemas,
  workerFor,
  type LockedSchemas,
} from "./locked-schemas.js";
import type { Lock } from "../contracts/lock.js";
import { UUID } from "../runtime/validation.js";

/**
 * ajv *standalone* validators, compiled at build time so that services never compile a schema at run time.
 * The code ajv writes is emitted as is (not prettier-formatted: it is machine code, and formatting it would
 * cost more than the rest of the build). Its few run-time needs come from `evtc/runtime`.
 */

const RUNTIME_IMPORT = `import { evtcFormats, ucs2length } from "evtc/runtime";`;

/** The `require` calls ajv writes for its run-time helpers, and what they become in an ES module. */
const RUNTIME_REQUIRES: readonly [string, string][] = [
  ['require("ajv/dist/runtime/ucs2length").default', "ucs2length"],
];

function decimalBound(keyword: "x-evtc-minimum" | "x-evtc-maximum", operator: string) {
  const comparison = keyword === "x-evtc-minimum" ? ">=" : "<=";
  return {
    keyword,
    type: "string" as const,
    schemaType: "number" as const,
    // Decimals travel as exact strings; the bound is compared as a double, which is exact for the bounds
    // people write (0, 100, 0.01) and off only in digits far beyond what a bound is meant to catch.
    code(cxt: KeywordCxt) {
      const { _ } = ajvModules();
      const { data, schema } = cxt;
      cxt.fail(_`Number(${data}) ${operator === "<" ? _`<` : _`>`} ${schema as number}`);
    },
    // As ajv words its own bounds (`minimum`): the bound is in the message and, with the comparison, in `params`.
    error: {
      message: ({ schema }: { schema: unknown }) => `must be ${comparison} ${Number(schema)}`,
      params: ({ schema }: { schema: unknown }) => {
        const { _ } = ajvModules();
        return _`{comparison: ${comparison}, limit: ${Number(schema)}}`;
      },
    },
  };
}

/**
 * Base64 as RFC 4648 writes it (section 4: `+` and `/`, padded with `=`), which `contentEncoding: "base64"` names
 * and every platform's decoder reads; the same text as ajv-formats' `byte` format (OpenAPI's). No line breaks.
 */
const BASE64 = "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$";

/**
 * JSON Schema's `contentEncoding` is only an annotation to ajv, so a `bytes` field took any string. Validators
 * check it: what a producer sends as `bytes` is what every consumer can decode. The published schema is the same.
 */
function base64Content() {
  return {
    keyword: "contentEncoding",
    type: "string" as const,
    schemaType: "string" as const,
    code(cxt: KeywordCxt) {
      const { _, usePattern } = ajvModules();
      if (cxt.schema !== "base64") throw new Error(`evtc does not check contentEncoding ${String(cxt.schema)}`);
      cxt.fail(_`!${usePattern(cxt, BASE64)}.test(${cxt.data})`);
    },
    error: { message: "must be base64 (RFC 4648, padded with =)" },
  };
}

/**
 * The names a plain object inherits from Object.prototype (`constructor`, `toString`, `__proto__`…). A field may
 * be called so; ajv fills in a default when `data[name] === undefined`, which an inherited member never is, and
 * `data.__proto__ = …` would set the prototype instead of a field.
 */
const INHERITED_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Where `withOwnDefaults` moves the defaults of fields named like an inherited member. */
const OWN_DEFAULTS = "x-evtc-own-defaults";

/**
 * The schema ajv compiles, from the one published: the defaults of fields named like an inherited member move
 * from the field to an `x-evtc-own-defaults` keyword of the object holding it (`ownDefaults` below), which fills
 * them in as the object's own properties. Every other schema is returned as it is, so its code is unchanged.
 */
function withOwnDefaults(node: JsonSchema): JsonSchema {
  let changed: Record<string, unknown> | undefined;
  const replace = (key: string, value: unknown) => ((changed ??= { ...node })[key] = value);
  const properties = node["properties"];
  if (isSchemaMap(properties)) {
    let defaults: Record<string, unknown> | undefined;
    const members: Record<string, JsonSchema> = {};
    for (const [name, member] of Object.entries(properties)) {
      let field = withOwnDefaults(member);
      if (INHERITED_NAMES.has(name) && "default" in field) {
        const { default: value, ...rest } = field;
        (defaults ??= {})[name] = value;
        field = rest as JsonSchema;
      }
      members[name] = field;
      if (field !== member) replace("properties", members);
    }
    if (defaults !== undefined) replace(OWN_DEFAULTS, defaults);
  }
  const definitions = node["definitions"];
  if (isSchemaMap(definitions)) {
    const members = Object.fromEntries(
      Object.entries(definitions).map(([name, member]) => [name, withOwnDefaults(member)]),
    );
    if (Object.entries(members).some(([name, member]) => member !== definitions[name])) replace("definitions", members);
  }
  for (const key of ["items", "additionalProperties"]) {
    const child = node[key];
    if (isSchema(child)) {
      const rewritten = withOwnDefaults(child);
      if (rewritten !== child) replace(key, rewritten);
    }
  }
  return (changed as JsonSchema | undefined) ?? node;
}

function isSchema(value: unknown): value is JsonSchema {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isSchemaMap(value: unknown): value is Record<string, JsonSchema> {
  return isSchema(value) && Object.values(value).every(isSchema);
}

/**
 * Whether a schema's text may name a field like an inherited member: almost none does, and those are spared the
 * walk of `withOwnDefaults` on the worker's hot path.
 */
const MAY_NAME_INHERITED = new RegExp(`"(?:${[...INHERITED_NAMES].join("|")})"\\s*:`);

/**
 * Fills in the defaults `withOwnDefaults` moved, before any other keyword of the object reads its fields: as own
 * properties (defined, not assigned, so that `__proto__` is a field too), when the field is absent or undefined,
 * as ajv does with the others. With `ownProperties`, ajv then checks such a field only when it is the object's own.
 */
function ownDefaults() {
  return {
    keyword: OWN_DEFAULTS,
    type: "object" as const,
    schemaType: "object" as const,
    before: "maxProperties",
    errors: false as const,
    code(cxt: KeywordCxt) {
      const { _, stringify } = ajvModules();
      const { gen, data } = cxt;
      for (const [name, value] of Object.entries(cxt.schema as Record<string, unknown>)) {
        gen.if(_`${data}[${name}] === undefined || !Object.prototype.hasOwnProperty.call(${data}, ${name})`, () =>
          gen.code(
            _`Object.defineProperty(${data}, ${name}, {value: ${stringify(value)}, writable: true, enumerable: true, configurable: true})`,
          ),
        );
      }
    },
  };
}

const require = createRequire(import.meta.url);

/**
 * ajv, loaded when a schema is first compiled in this thread: in a large build that is only the worker's, and
 * the main thread is spared loading it (a tenth of a second). ajv and its plugins are CommonJS modules with
 * `exports.default`.
 */
function ajvModules() {
  loaded ??= {
    Ajv: (require("ajv") as typeof ajvModule).default,
    _: (require("ajv") as typeof ajvModule)._,
    ValueScope: (require("ajv/dist/compile/codegen/index.js") as typeof codegenModule).ValueScope,
    stringify: (require("ajv/dist/compile/codegen/index.js") as typeof codegenModule).stringify,
    standaloneCode: (require("ajv/dist/standalone/index.js") as typeof standaloneModule).default,
    addFormats: (require("ajv-formats") as typeof formatsModule).default,
    usePattern: (require("ajv/dist/vocabularies/code.js") as typeof vocabularyCodeModule).usePattern,
  };
  return loaded;
}
let loaded:
  | {
      Ajv: typeof ajvModule.default;
      _: typeof ajvModule._;
      ValueScope: typeof codegenModule.ValueScope;
      stringify: typeof codegenModule.stringify;
      standaloneCode: typeof standaloneModule.default;
      addFormats: typeof formatsModule.default;
      usePattern: typeof vocabularyCodeModule.usePattern;
    }
  | undefined;

type ValueScope = InstanceType<typeof codegenModule.ValueScope>;
type AjvInstance = InstanceType<typeof ajvModule.default>;

/**
 * An ajv instance set up as evtc's validators need. It does not check schemas against the JSON Schema
 * meta-schema: they are evtc's, not the user's, and the test suite checks every example's and fixture's, in
 * every form, against it (validators.test.ts); a build is spared 3% of its compile time, and loading the
 * meta-schema a fifth of each compile. ajv still refuses an unknown keyword or type, a keyword's value of the
 * wrong type and a pattern that is not a regular expression.
 */
function newAjv(): AjvInstance {
  const { Ajv, _, addFormats } = ajvModules();
  const ajv = new Ajv({
    code: {
      source: true,
      esm: true,
      lines: true,
      // ajv's optimising pass over its code is off: it took a third of each compile for code 9% smaller that
      // validates no faster (1.7 µs an event either way, bench of the example's PaymentReceived).
      optimize: false,
      formats: _`evtcFormats`,
      // ajv turns the code it writes into a function with `new Function` before returning it, a sixth of each
      // compile. The build never runs that function, it only writes the code out (`standaloneCode` reads it
      // from `validate.source`, which this does not touch); the tests import and run the modules written.
      process: () => "return function validate() {}",
    },
    strict: true,
    // A field's default is the value a reader assumes when the field is absent (docs/language.md): validating
    // fills it in, so that a consumer built at v1.2 reads a v1.1 event that lacks a field v1.2 added with a
    // default, as the compatibility check promised. Without it such an event failed `required` and was
    // dead-lettered.
    useDefaults: true,
    // A validator checks what is sent: JSON.stringify writes an object's own properties only. So a field is
    // present when the event has it as its own, never through its prototype — a required `constructor` or
    // `toString` left out is missing, and a getter on a class is not a field. About 0.2 µs more an event (1.1 →
    // 1.3 µs for the example's PaymentReceived).
    ownProperties: true,
    // The consistency of `type` with the other keywords is a property of evtc's schema generator, not of the
    // user's project: the test suite holds every example's and fixture's schema to it (validators.test.ts),
    // and each build is spared a sixth of its compile time.
    strictTypes: false,
    allErrors: false,
    // `$data` lets a document steer its own validation: never.
    $data: false,
    unicodeRegExp: true,
    validateSchema: false,
    meta: false,
  });
  addFormats(ajv, ["date-time", "date", "duration"]);
  ajv.addFormat("uuid", UUID);
  ajv.addKeyword(decimalBound("x-evtc-minimum", "<"));
  ajv.addKeyword(decimalBound("x-evtc-maximum", ">"));
  ajv.removeKeyword("contentEncoding");
  ajv.addKeyword(base64Content());
  ajv.addKeyword(ownDefaults());
  return ajv;
}

/**
 * What ajv's code depends on besides the schema: the versions of ajv, ajv-formats and evtc, and this module's
 * own source (the options and keywords above), so that a changed evtc never reuses what another one compiled,
 * even between two builds of the same version while evtc is being worked on. Hashed once, not with every key.
 */
const compilerFingerprint = cacheKey(
  `ajv ${(require("ajv/package.json") as { version: string }).version}`,
  `ajv-formats ${(require("ajv-formats/package.json") as { version: string }).version}`,
  `evtc ${(require("../../package.json") as { version: string }).version}`,
  ownSource(import.meta.url),
);

/** A validator's key in the build cache: its schema's text and everything its code depends on besides. */
function keyOf(text: string): string {
  return cacheKey("validator", compilerFingerprint, text);
}

let compilations = 0;
/** How many schemas ajv has compiled in this thread, whoever asked. */
let compiledHere = 0;

/**
 * How many schemas ajv has compiled in this process (cache hits compile nothing): for tests and benchmarks.
 * Schemas asked for by reference are not counted: the worker that has the lock compiles them, or finds them
 * cached, whether asked or not (`CompileWorkers.compilations` counts them there).
 */
export function ajvCompilations(): number {
  return compilations;
}

let compiler: AjvInstance | undefined;
/** The name prefixes ajv allows in an instance's scope (its own list is not exported). */
let scopePrefixes: ReadonlySet<string> | undefined;

/**
 * ajv's standalone code for `schema` (as JSON text), ES module syntax, before the header and the runtime import.
 * One ajv instance compiles every schema of a thread, since setting one up costs a tenth of a compile. The
 * names in its code (`validate0`, `pattern1`…) are numbered in the instance's scope, so each compile starts
 * from a new, empty scope: the code of a schema never depends on what else the thread compiled before
 * (validators.test.ts compiles schemas in different orders and alone, and compares).
 */
function compile(text: string): string {
  compiledHere++;
  const parsed = JSON.parse(text) as JsonSchema;
  const schema = MAY_NAME_INHERITED.test(text) ? withOwnDefaults(parsed) : parsed;
  if (compiler === undefined) {
    compiler = newAjv();
    scopePrefixes = (compiler.scope as unknown as { _prefixes?: ReadonlySet<string> })._prefixes;
    if (scopePrefixes === undefined)
      throw new Error("this version of ajv keeps its scope differently: evtc needs updating");
  }
  const { ValueScope, standaloneCode } = ajvModules();
  const ajv = compiler as AjvInstance & { scope: ValueScope };
  ajv.scope = new ValueScope({ scope: {}, prefixes: new Set(scopePrefixes), es5: false, lines: true });
  try {
    let compiled: ReturnType<AjvInstance["compile"]>;
    try {
      compiled = ajv.compile(schema);
    } catch (error) {
      // A bug in evtc's schema generator, not a user's mistake: said so, with ajv's reason.
      throw new Error(`evtc produced a JSON Schema ajv cannot compile: ${(error as Error).message}`);
    }
    let source = standaloneCode(ajv, compiled);
    for (const [from, to] of RUNTIME_REQUIRES) if (source.includes(from)) source = source.split(from).join(to);
    if (source.includes("require("))
      throw new Error("ajv standalone code needs a run-time helper evtc does not provide");
    return source;
  } finally {
    ajv.removeSchema(schema);
  }
}

/** Below this many schemas to compile, handing them to worker threads costs more than it saves. */
const PARALLEL_FROM = 48;

/** How many schemas go to started workers at a time while the build is still announcing them. */
const SENT_EARLY = 64;
/** The first chunk is smaller, so that the workers start as soon as the build knows a few schemas. */
const FIRST_SENT = 8;

/**
 * A schema like the ones evtc compiles (a closed object with required fields, patterns, formats, enums, bounds,
 * an array, a map, a nested record, a decimal), compiled by a worker while it waits for its first schemas: ajv's
 * code is then already optimised by V8 when they arrive. Its code is thrown away.
 */
const WARM_UP_SCHEMA = JSON.stringify({
  $schema: "http://json-schema.org/draft-07/schema#",
  additionalProperties: false,
  properties: {
    amount: {
      additionalProperties: false,
      properties: {
        amount: { pattern: "^-?(0|[1-9][0-9]*)(\\.[0-9]+)?$", type: "string", "x-evtc-minimum": 0 },
        currency: { default: "EUR", enum: ["EUR", "USD"], type: "string" },
      },
      required: ["amount", "currency"],
      type: "object",
    },
    at: { format: "date-time", type: "string" },
    attributes: { additionalProperties: { type: "string" }, type: "object" },
    id: { format: "uuid", type: "string" },
    count: { maximum: 100, minimum: 0, type: "integer" },
    note: { maxLength: 50, type: "string" },
    ratio: { maximum: 1, minimum: 0, type: "number" },
    status: { enum: ["A", "B", "C"], type: "string" },
    tags: { items: { type: "string" }, maxItems: 5, type: "array" },
  },
  required: ["id", "amount", "count", "at"],
  type: "object",
});

/**
 * At most this many warm-up compiles (a tenth of a second or so): enough for V8 to optimise ajv's code. More
 * only took CPU from the main thread while it checks the project, on a two-core machine: with an `evt.lock`
 * to check against, 400 rounds made the 1,000-topic build 0.2 s slower (bench/README.md).
 */
const WARM_UP_ROUNDS = 40;

/** A worker thread's side of `CompileWorkers` (`compile-workers.ts`): compiles the schemas it is sent. */
export function serveCompilations(): void {
  let asked = false;
  // Cache entries are written after the code is sent, and only when nothing else is to do: the build needs the
  // code now, the cache only for the next build (the main thread drains the worker before closing it).
  const unwritten: { directory: string; key?: string; text: string; code: string }[] = [];
  let writeScheduled = false;
  const writeCache = () => {
    writeScheduled = false;
    // A cache per directory and batch, as the main thread opens one per build: what one build found (a disk
    // that refused a write) says nothing about the next.
    const caches = new Map<string, BuildCache>();
    for (const { directory, key, text, code } of unwritten.splice(0)) {
      let cache = caches.get(directory);
      if (cache === undefined) caches.set(directory, (cache = diskCache(directory)));
      cache.set("validators", key ?? keyOf(text), code);
    }
  };
  const scheduleWrite = () => {
    if (writeScheduled || unwritten.length === 0 || lock?.speculating === true) return;
    writeScheduled = true;
    // After the requests already waiting, which Node hands over before it runs this.
    setImmediate(writeCache);
  };

  // The lock last given (`locked-schemas.ts`): its schemas by reference, the code of those compiled or found
  // cached, and whether its likely ones are still being compiled unasked. Another lock starts afresh.
  let lock: LockState | undefined;
  const compileLocked = (ref: string): { code: string } | { error: string } => {
    let result = lock?.codes.get(ref);
    if (result !== undefined) return result;
    const schema = lock?.schemas.get(ref);
    if (lock === undefined || schema === undefined)
      throw new UnknownReference(`the lock the worker was given records no ${ref}`);
    try {
      const text = lockedValidatorText(schema);
      const key = lock.cache === undefined ? undefined : keyOf(text);
      const cached = key === undefined ? undefined : lock.cache?.get("validators", key);
      if (cached !== undefined) result = { code: cached };
      else {
        result = { code: compile(text) };
        if (lock.directory !== undefined)
          unwritten.push({ directory: lock.directory, ...(key !== undefined ? { key } : {}), text, code: result.code });
      }
    } catch (error) {
      // A schema ajv refuses, or one a hand-edited lock makes that is no schema at all: the build's error if it
      // asks for it, never the worker's end.
      result = { error: error instanceof Error ? error.message : String(error) };
    }
    lock.codes.set(ref, result);
    return result;
  };

  // The lock's likely schemas, one per turn of the event loop, so that a request is answered as soon as it comes;
  // until another lock is given, or the build says no schema is coming (`rest`).
  const speculate = (state: LockState, refs: readonly string[]) => {
    let next = 0;
    state.speculating = true;
    const step = () => {
      if (lock !== state || !state.speculating) return;
      while (next < refs.length && state.codes.has(refs[next]!)) next++;
      if (next === refs.length) {
        state.speculating = false;
        scheduleWrite();
        return;
      }
      compileLocked(refs[next++]!);
      setImmediate(step);
    };
    setImmediate(step);
  };

  const answer = (id: number, texts: readonly string[], cacheDirectory: string | undefined): CompileReply => {
    const codes: string[] = [];
    for (const text of texts) {
      if (isLockedRef(text)) {
        const result = compileLocked(text);
        if ("error" in result) return { id, error: result.error };
        codes.push(result.code);
        continue;
      }
      const code = compile(text);
      codes.push(code);
      if (cacheDirectory !== undefined) unwritten.push({ directory: cacheDirectory, text, code });
    }
    return { id, codes };
  };

  parentPort?.on("message", ({ id, texts, cacheDirectory, drain, lock: given, count }: CompileRequest) => {
    if (count === true) {
      parentPort?.postMessage({ id, count: compiledHere - warmUps } satisfies CompileReply);
      return;
    }
    asked = true;
    if (given !== undefined) {
      const read = readLockedSchemas(given.text);
      lock = {
        schemas: read?.schemas ?? new Map(),
        codes: new Map(),
        speculating: false,
        ...(given.cacheDirectory !== undefined
          ? { cache: diskCache(given.cacheDirectory), directory: given.cacheDirectory }
          : {}),
      };
      const owned = (read?.likely ?? []).filter((ref) => workerFor(ref, given.workers, given.index) === given.index);
      speculate(lock, owned);
      return;
    }
    if (drain === true) {
      writeCache();
      parentPort?.postMessage({ id, codes: [] } satisfies CompileReply);
      return;
    }
    if (texts.length === 0) {
      // `rest`: nothing to compile, and no warming up or compiling unasked either
      if (lock !== undefined) lock.speculating = false;
      scheduleWrite();
      return;
    }
    let reply: CompileReply;
    try {
      reply = answer(id, texts, cacheDirectory);
    } catch (error) {
      reply =
        error instanceof UnknownReference
          ? { id, failure: error.message }
          : { id, error: error instanceof Error ? error.message : String(error) };
    }
    parentPort?.postMessage(reply);
    scheduleWrite();
  });
  // One compile per turn of the event loop, so that the first request is answered as soon as it comes.
  let rounds = 0;
  let warmUps = 0;
  const warmUp = () => {
    if (asked || rounds++ >= WARM_UP_ROUNDS) return;
    try {
      warmUps++;
      compile(WARM_UP_SCHEMA);
    } catch {
      return; // Only a lost head start: the schemas themselves still compile, or report their own error.
    }
    setImmediate(warmUp);
  };
  setImmediate(warmUp);
}

interface LockState {
  readonly schemas: LockedSchemas;
  readonly codes: Map<string, { code: string } | { error: string }>;
  speculating: boolean;
  readonly cache?: BuildCache;
  readonly directory?: string;
}

/** A reference to a recorded schema the worker cannot resolve: the worker's failure, not the schema's. */
class UnknownReference extends Error {}

/**
 * Writes validator modules for one build. Standalone code is a pure function of the schema: the same schema
 * is compiled once per build, and not at all when `cache` holds it from an earlier build. Schemas are first
 * announced (`want`), then compiled together (`compile`, then `finish`; in worker threads for a large
 * project), then their modules written (`module`).
 */
export class Validators {
  private readonly compiled = new Map<string, string>();
  /** Announced, not cached, not yet handed to a worker. */
  private pending: string[] = [];
  private readonly announced = new Set<string>();
  /** Chunks handed to workers, with their code to come. */
  private readonly sent: { texts: readonly string[]; codes: Promise<string[]>; cachedThere: boolean }[] = [];
  /** How many announced schemas make the next chunk for started workers: growing to `SENT_EARLY`. */
  private chunkSize = FIRST_SENT;
  /** Workers this object started itself (for `workers` given as a number), which it closes. */
  private ownWorkers: CompileWorkers | undefined;
  /** The lock whose recorded schemas are asked for by reference (`readsLock`). */
  private lock: Lock | undefined;

  /**
   * `workers`: started worker threads to compile in, or how many to start for this build (0: none, in this
   * thread). By default `defaultCompileWorkers()`, started only for `PARALLEL_FROM` schemas or more.
   */
  constructor(
    private readonly cache: BuildCache = noCache(),
    private readonly workers: CompileWorkers | number = defaultCompileWorkers(),
  ) {}

  /**
   * Announces a schema whose module will be asked for, and returns its text (what `has` and `moduleOf` take).
   * With started workers, schemas go to them in chunks as they are announced, so that they start compiling
   * while the rest are still being worked out.
   */
  want(schema: JsonSchema): string {
    return this.wantText(JSON.stringify(schema));
  }

  /** `want` for a schema's text (`JSON.stringify` of it), worked out already. */
  wantText(text: string): string {
    this.announce(text);
    return text;
  }

  /**
   * Whether the build can ask for the validator of a version `lock` records by reference (`lockedRef`) instead of
   * by its schema's text: when the workers were given the very text `lock` was read from, and it was read as
   * `evtc lock` writes it, so that the worker's reading of it is this one's.
   */
  readsLock(lock: Lock): boolean {
    if (typeof this.workers === "number" || lock.asWritten !== true) return false;
    if (lock.file === undefined || this.workers.lockText !== lock.file.text) return false;
    this.lock = lock;
    return true;
  }

  /** The schema text `identity` stands for: itself, or the recorded schema a reference names. */
  private textOf(identity: string): string {
    if (!isLockedRef(identity)) return identity;
    const ref = parseLockedRef(identity);
    const schema = this.lock?.events
      .get(ref?.event ?? "")
      ?.find((v) => v.major === ref?.major && v.minor === ref.minor)?.schema;
    if (schema === undefined)
      throw new Error(`a validator was asked for by a reference the lock does not hold: ${identity}`);
    return lockedValidatorText(schema as JsonSchema);
  }

  /**
   * Takes the code of a schema not announced before from the cache, or queues it. A reference
   * to a recorded schema is looked up by the worker that has it.
   */
  private announce(text: string): void {
    if (this.announced.has(text)) return;
    this.announced.add(text);
    const code = isLockedRef(text) ? undefined : this.cache.get("validators", keyOf(text));
    if (code !== undefined) this.compiled.set(text, code);
    else this.pending.push(text);
    if (typeof this.workers !== "number" && this.pending.length >= this.chunkSize) {
      this.send(this.workers);
      this.chunkSize = Math.min(this.chunkSize * 2, SENT_EARLY);
    }
  }

  /**
   * Starts compiling every schema announced and not cached: in worker threads for a large project, while this
   * thread goes on with the rest of the build; `finish` waits for them.
   */
  compile(): void {
    // Workers started beforehand are loaded and warm: they take even a single schema, which this thread would
    // first have to load ajv for. Starting workers pays only for enough schemas.
    if (typeof this.workers !== "number") {
      if (this.pending.length === 0 && this.sent.length === 0) this.workers.rest();
      this.send(this.workers);
      return;
    }
    if (this.pending.length >= PARALLEL_FROM && this.workers > 0) {
      this.ownWorkers = startCompileWorkers(this.workers);
      if (this.ownWorkers !== undefined) {
        this.send(this.ownWorkers);
        return;
      }
    }
    const texts = this.pending;
    this.pending = [];
    compilations += texts.length;
    this.record(texts, texts.map(compile));
  }

  /**
   * Waits for the workers' code. `compiled` is told the schema texts of each chunk as its code comes in, so
   * that their modules can be written while the workers compile the rest.
   */
  async finish(compiled?: (texts: readonly string[]) => void): Promise<void> {
    try {
      for (const chunk of this.sent.splice(0)) {
        let codes: readonly string[];
        let cachedThere = chunk.cachedThere;
        try {
          codes = await chunk.codes;
        } catch (error) {
          // A schema the build asks for that cannot be compiled fails the build. A worker that failed (it could
          // not start, it stopped, it could not resolve a reference) leaves the chunk to this thread.
          if (error instanceof SchemaCompileError) throw error;
          codes = chunk.texts.map((text) => compile(this.textOf(text)));
          cachedThere = false;
        }
        this.record(chunk.texts, codes, cachedThere);
        compiled?.(chunk.texts);
      }
      await this.ownWorkers?.drain();
    } finally {
      this.abandon();
    }
  }

  /** Stops compiling (a build that failed before `finish`): workers started for this build are closed. */
  abandon(): void {
    this.ownWorkers?.close();
    this.ownWorkers = undefined;
  }

  private send(workers: CompileWorkers): void {
    const texts = this.pending;
    if (texts.length === 0) return;
    this.pending = [];
    compilations += texts.filter((text) => !isLockedRef(text)).length;
    // The workers write what they compile to a disk cache themselves: a thousand entries take this thread a
    // third of a second, when it is the one the build waits for.
    const codes = workers.compile(texts, this.cache.directory);
    // Should the build fail before `finish`, the outcome is still awaited there, never left unhandled.
    codes.catch(() => undefined);
    this.sent.push({ texts, codes, cachedThere: this.cache.directory !== undefined });
  }

  private record(texts: readonly string[], codes: readonly string[], cachedThere = false): void {
    texts.forEach((text, i) => {
      const code = codes[i]!;
      this.compiled.set(text, code);
      if (!cachedThere) this.cache.set("validators", keyOf(this.textOf(text)), code);
    });
  }

  /**
   * The ES module source of a validator for `schema`, exporting `validate`. `header` is the generated-file
   * header line. Throws only on a schema evtc itself produced wrongly (a bug, not a user error).
   */
  module(schema: JsonSchema, header: string): string {
    return this.moduleOf(JSON.stringify(schema), header);
  }

  /** Whether the code for a schema (its text, as `want` returns it) is there: cached, or compiled already. */
  has(text: string): boolean {
    return this.compiled.has(text);
  }

  /** `module` for a schema's text, as `want` returns it. */
  moduleOf(text: string, header: string): string {
    const code = this.compiled.get(text);
    if (code === undefined) throw new Error("a validator was asked for before its schema was compiled");
    const body = code.replace(/^"use strict";\n?/, "");
    return `${header}\n${RUNTIME_IMPORT}\n${body.endsWith("\n") ? body : `${body}\n`}`;
  }
}

/** The declaration file next to a validator module: a type guard for the event type it checks. */
export function validatorDeclaration(header: string, typeName: string, typeModule: string): string {
  // The module's own names are `EventValidator` and `validate`: an event named like either is imported as another.
  const local = typeName === "EventValidator" || typeName === "validate" ? `${typeName}Event` : typeName;
  return [
    header,
    `import type { EventValidator } from "evtc/runtime";`,
    `import type { ${local === typeName ? typeName : `${typeName} as ${local}`} } from ${JSON.stringify(typeModule)};`,
    "",
    `export declare const validate: EventValidator<${local}>;`,
    "export default validate;",
    "",
  ].join("\n");
}
