import { DEFAULT_RETRY } from "../runtime/backoff.js";
import type { Json } from "../compat/diff.js";
import type {
  BusModel,
  Consumer,
  Enricher,
  EnumType,
  EventType,
  Field,
  FieldType,
  RecordType,
  Reader,
  Topic,
} from "../model/bus.js";
import {
  camelCase,
  docText,
  Identifiers,
  pascalCase,
  type NameRequest,
  propertyAccess,
  objectKey,
  propertyName,
  stringLiteral,
} from "./identifiers.js";
import { dlqTopicOf, groupIdOf } from "./names.js";
import { topicSettings } from "./topic-settings.js";
import { cacheWorkingSet } from "../load/analysis.js";
import { generatedHeader } from "./generated-file.js";
import { dataschemaOf, moduleOf, readersModuleOf, validatorPath, WIRING_MODULE, type EventVersion } from "./layout.js";
import { hardline, printDoc, type Doc } from "./doc.js";
import {
  arrayLiteral,
  constDeclaration,
  frozen,
  functionDeclaration,
  functionType,
  importDeclaration,
  interfaceDeclaration,
  jsDoc,
  objectLiteral,
  objectType,
  PRINT_WIDTH,
  statements,
  typeAlias,
  unionAlias,
  typeReference,
  arrowFunction,
  call,
  type Entry,
  type PropertySignature,
} from "./ts-syntax.js";

/**
 * The TypeScript a service imports: one module per `.evt` file (its types, topics with their publish
 * functions), one per file for its consumers and enrichers, and an `index.ts` with the project's wiring.
 * Modules are built as documents (`ts-syntax.ts`) and printed in prettier's layout (`doc.ts`).
 */

/**
 * Names of `evtc/runtime` exports the generated code uses, in one table; the tests compile generated code
 * with tsc, so a renamed runtime export fails there rather than in a user's build.
 */
const runtime = {
  TopicSpec: "TopicSpec",
  ConsumerSpec: "ConsumerSpec",
  EnricherSpec: "EnricherSpec",
  EventHandler: "EventHandler",
  Additions: "Additions",
  PublishOptions: "PublishOptions",
  PublishedEvent: "PublishedEvent",
  Runtime: "Runtime",
  RunningReader: "RunningReader",
  Wiring: "Wiring",
} as const;

/** Top-level names of the index module, which yield to a declaration of the same name as evtc's own names do. */
const indexNames = ["wiring", "TeamServices", "startTeam"] as const;

export interface TypeScriptInput {
  readonly model: BusModel;
  readonly project: string;
  /** The `.evt` file a span's file is, relative to the project directory (`billing.evt`). */
  readonly sourceOf: (absoluteOrGivenPath: string) => string;
  /** Earlier major versions consumers still accept, with their types (see `older-versions.ts`). */
  readonly olderVersions: readonly OlderVersion[];
}

/** An accepted major version older than the current one, typed from its recorded schema. */
export interface OlderVersion {
  readonly version: EventVersion;
  /** Its recorded contract schema, which its validator checks. */
  readonly schema: Json;
  /** Where evt.lock records that schema: under this event (the one its topic carried then) and version. */
  readonly recorded: { readonly event: string; readonly major: number; readonly minor: number };
  /** The text of the type's doc comment, already safe in one. */
  readonly docs: string;
  /** The type, in TypeScript; the emitter names it (`Emitter.eventTypeName`). */
  readonly type: Doc;
}

/** A generated module, before printing. */
export interface TypeScriptModule {
  readonly path: string;
  /** The generated-file header line. */
  readonly header: string;
  readonly imports: readonly Doc[];
  /** `export * from` lines (the index module's). */
  readonly reexports: readonly string[];
  /** Top-level declarations, each with its doc comment; a blank line is printed between them. */
  readonly declarations: readonly Doc[];
}

/** The module's text: the header, the imports, then the declarations, in prettier's layout. */
export function printModule(module: TypeScriptModule): string {
  const body = statements([module.imports, module.reexports, ...module.declarations.map((d) => [d])]);
  return `${module.header}\n\n${printDoc([body, hardline], PRINT_WIDTH)}`;
}

type Entity =
  | { kind: "enum"; value: EnumType }
  | { kind: "record"; value: RecordType }
  | { kind: "event"; value: EventType }
  | { kind: "topic"; value: Topic }
  | { kind: "consumer"; value: Consumer }
  | { kind: "enricher"; value: Enricher };

function byName<T extends { name: string }>(a: T, b: T): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The import specifier from one generated module to another (ES modules name the emitted `.js`). */
export function relativeImport(from: string, to: string): string {
  const fromParts = from.split("/").slice(0, -1);
  const toParts = to.split("/");
  let common = 0;
  while (common < fromParts.length && common < toParts.length - 1 && fromParts[common] === toParts[common]) common++;
  const up = fromParts.length - common;
  const rest = toParts.slice(common).join("/").replace(/\.ts$/, ".js");
  return (up === 0 ? "./" : "../".repeat(up)) + rest;
}

/** The text of a doc comment, or undefined when there is nothing to say. */
function jsdoc(lines: readonly string[], tags: readonly [string, string][] = []): string | undefined {
  if (lines.length === 0 && tags.length === 0) return undefined;
  // User text goes through `docText`, and tags are lines evtc writes itself, so nothing user-written can end
  // the comment or start a tag.
  return [
    ...lines.map(docText),
    ...(lines.length > 0 && tags.length > 0 ? [""] : []),
    ...tags.map(([tag, value]) => (value === "" ? `@${tag}` : `@${tag} ${docText(value)}`)),
  ].join("\n");
}

/** A top-level declaration after its doc comment. */
function documented(docs: string | undefined, declaration: Doc): Doc {
  return [jsDoc(docs), declaration];
}

function deprecatedTag(deprecated: string | undefined): [string, string][] {
  return deprecated === undefined ? [] : [["deprecated", deprecated === "" ? "" : deprecated]];
}

const builtinNotes: Partial<Record<string, string>> = {
  long: "A 64-bit integer in the schema; JSON numbers are exact up to 2^53 in JavaScript.",
  decimal: 'An exact decimal, as a string such as `"12.50"` (never a binary float).',
  uuid: "A UUID, as a string.",
  timestamp: 'An RFC 3339 date-time, as a string such as `"2026-03-01T12:00:00Z"`.',
  date: 'An RFC 3339 full date, as a string such as `"2026-03-01"`.',
  duration: 'An ISO 8601 duration, as a string such as `"PT15M"`.',
  bytes: "Binary data, base64-encoded.",
};

class ModuleBuilder {
  readonly declarations: Doc[] = [];
  readonly reexports: string[] = [];
  /** module specifier → imported name → whether only its type is used. */
  private readonly imports = new Map<string, Map<string, { name: string; typeOnly: boolean }>>();
  readonly sources = new Set<string>();
  /** The import specifier of each module this one imports from. */
  private readonly specifiers = new Map<string, string>();

  constructor(
    readonly path: string,
    private readonly context: Emitter,
  ) {}

  /** Imports `name` (as `local` when given) from a generated module or the runtime; returns the local name. */
  use(module: string, name: string, typeOnly: boolean, local: string = name): string {
    if (module === this.path) return local;
    let specifier = this.specifiers.get(module);
    if (specifier === undefined) {
      specifier = module === "evtc/runtime" ? module : relativeImport(this.path, module);
      this.specifiers.set(module, specifier);
    }
    const names = this.imports.get(specifier) ?? new Map<string, { name: string; typeOnly: boolean }>();
    const previous = names.get(local);
    names.set(local, { name, typeOnly: (previous?.typeOnly ?? true) && typeOnly });
    this.imports.set(specifier, names);
    return local;
  }

  runtimeType(name: keyof typeof runtime): string {
    return this.use("evtc/runtime", runtime[name], true, this.context.indexOrRuntimeName(name));
  }

  /** The identifier of an entity, imported when it lives in another module. */
  ref(entity: Entity, typeOnly: boolean): string {
    return this.use(this.context.moduleOfEntity(entity), this.context.identifierOf(entity), typeOnly);
  }

  /** The module, its imports sorted by specifier and by name. */
  module(): TypeScriptModule {
    const imports = [...this.imports.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([specifier, names]) =>
        importDeclaration(
          stringLiteral(specifier),
          [...names.entries()]
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([local, imported]) => ({
              name: imported.name,
              ...(local !== imported.name ? { alias: local } : {}),
              typeOnly: imported.typeOnly,
            })),
        ),
      );
    return {
      path: this.path,
      header: generatedHeader([...this.sources], "//"),
      imports,
      reexports: this.reexports,
      // Handed over, not kept: the module is built once, and its documents are garbage once printed.
      declarations: this.declarations.splice(0),
    };
  }
}

export class Emitter {
  private readonly ids: Identifiers;
  private readonly modules = new Map<string, ModuleBuilder>();
  private readonly entityModule = new Map<string, string>();

  constructor(private readonly input: TypeScriptInput) {
    const { model } = input;
    const requests: NameRequest[] = [];
    const declared = (key: string, wanted: string) => requests.push({ key, wanted, origin: "declared" });
    const derived = (key: string, wanted: string) => requests.push({ key, wanted, origin: "derived" });
    for (const e of model.enums.values()) declared(`type:${e.name}`, e.name);
    for (const r of model.records.values()) declared(`type:${r.name}`, r.name);
    for (const e of model.events.values()) declared(`type:${e.name}`, e.name);
    for (const t of model.topics.values()) {
      derived(`topic:${t.name}`, `${camelCase(t.name)}Topic`);
      derived(`publish:${t.name}`, `publish${pascalCase(t.name)}`);
    }
    for (const c of model.consumers.values()) derived(`consumer:${c.name}`, `${camelCase(c.name)}Consumer`);
    for (const e of model.enrichers.values()) derived(`enricher:${e.name}`, `${camelCase(e.name)}Enricher`);
    // An older major's type is named after its event (`OrderV1`), but the user may have declared that name.
    for (const older of input.olderVersions)
      requests.push({
        key: `older:${older.version.event}@${older.version.major}`,
        wanted: `${older.version.event}V${older.version.major}`,
        origin: "evtc",
      });
    for (const v of this.validatorVersions())
      requests.push({
        key: `validator:${v.event}@${v.version}`,
        wanted: `validate${v.event}V${v.version.replace(".", "_")}`,
        origin: "evtc",
      });
    // The runtime's types are imported under another name where the project declares theirs (`Runtime as
    // Runtime_2`), and the index's names yield too: a project's event may be called `Runtime` or `TeamServices`.
    for (const name of [...indexNames, ...Object.values(runtime)])
      requests.push({ key: `evtc:${name}`, wanted: name, origin: "evtc" });
    this.ids = new Identifiers(requests);
  }

  private validatorVersions(): EventVersion[] {
    const versions: EventVersion[] = [];
    for (const event of this.input.model.events.values()) versions.push(currentVersion(event));
    for (const older of this.input.olderVersions) versions.push(older.version);
    return versions;
  }

  /** The local name of one of the index module's declarations or of a runtime type. */
  indexOrRuntimeName(name: (typeof indexNames)[number] | keyof typeof runtime): string {
    return this.ids.get(`evtc:${name}`);
  }

  /** The TypeScript name of an event's current version, or of an older major version it still has. */
  eventTypeName(event: string, olderMajor?: number): string {
    return this.ids.get(olderMajor === undefined ? `type:${event}` : `older:${event}@${olderMajor}`);
  }

  identifierOf(entity: Entity): string {
    const key =
      entity.kind === "enum" || entity.kind === "record" || entity.kind === "event"
        ? `type:${entity.value.name}`
        : `${entity.kind}:${entity.value.name}`;
    return this.ids.get(key);
  }

  moduleOfEntity(entity: Entity): string {
    const key = `${entity.kind}:${entity.value.name}`;
    const module = this.entityModule.get(key);
    if (module === undefined) throw new Error(`no module holds ${key}`);
    return module;
  }

  private place(entity: Entity, file: string): ModuleBuilder {
    const source = this.input.sourceOf(file);
    // Consumers and enrichers read topics of other files, whose files may read theirs: kept apart from the
    // topics, the modules never import each other's values in a cycle (a cycle would leave a topic undefined
    // while the module reading it initialises).
    const path = entity.kind === "consumer" || entity.kind === "enricher" ? readersModuleOf(source) : moduleOf(source);
    this.entityModule.set(`${entity.kind}:${entity.value.name}`, path);
    let module = this.modules.get(path);
    if (module === undefined) {
      module = new ModuleBuilder(path, this);
      this.modules.set(path, module);
    }
    module.sources.add(source);
    return module;
  }

  *emit(): Generator<TypeScriptModule> {
    const { model } = this.input;
    const placed: [Entity, ModuleBuilder][] = [];
    const add = (entity: Entity, file: string) => placed.push([entity, this.place(entity, file)]);
    for (const e of [...model.enums.values()].sort(byName)) add({ kind: "enum", value: e }, e.nameSpan.file.path);
    for (const r of [...model.records.values()].sort(byName)) add({ kind: "record", value: r }, r.nameSpan.file.path);
    for (const e of [...model.events.values()].sort(byName)) add({ kind: "event", value: e }, e.nameSpan.file.path);
    for (const t of [...model.topics.values()].sort(byName)) add({ kind: "topic", value: t }, t.nameSpan.file.path);
    for (const c of [...model.consumers.values()].sort(byName))
      add({ kind: "consumer", value: c }, c.nameSpan.file.path);
    for (const e of [...model.enrichers.values()].sort(byName))
      add({ kind: "enricher", value: e }, e.nameSpan.file.path);
    for (const older of this.input.olderVersions) {
      const event = model.events.get(older.version.event);
      if (event !== undefined)
        this.entityModule.set(`older:${older.version.event}`, this.moduleOfEntity({ kind: "event", value: event }));
    }
    const entities = new Map<ModuleBuilder, Entity[]>();
    for (const [entity, module] of placed) {
      const declared = entities.get(module);
      if (declared === undefined) entities.set(module, [entity]);
      else declared.push(entity);
    }
    // One module at a time, each printed by the caller before the next is built: a module's documents die
    // young, where building them all first kept a whole project's in memory (and made the GC copy them).
    for (const module of [...this.modules.values()].sort((a, b) => (a.path < b.path ? -1 : 1))) {
      for (const entity of entities.get(module) ?? []) this.declare(entity, module);
      yield module.module();
    }
    yield this.indexModule();
  }

  private declare(entity: Entity, module: ModuleBuilder): void {
    switch (entity.kind) {
      case "enum":
        return this.declareEnum(entity.value, module);
      case "record":
        return this.declareObject(entity, entity.value.fields, module);
      case "event":
        return this.declareEvent(entity.value, module);
      case "topic":
        return this.declareTopic(entity.value, module);
      case "consumer":
        return this.declareConsumer(entity.value, module);
      case "enricher":
        return this.declareEnricher(entity.value, module);
    }
  }

  private declareEnum(type: EnumType, module: ModuleBuilder): void {
    const memberDocs = type.members
      .filter((m) => m.docs.length > 0 || m.deprecated !== undefined)
      .map(
        (m) =>
          `- \`${m.name}\`: ${[...m.docs, ...(m.deprecated !== undefined ? [`(deprecated${m.deprecated ? `: ${m.deprecated}` : ""})`] : [])].join(" ")}`,
      );
    const docs = jsdoc(
      [...type.docs, ...(memberDocs.length > 0 ? ["", ...memberDocs] : [])],
      [["generated", `from enum ${type.name}`], ...deprecatedTag(type.deprecated)],
    );
    const name = this.identifierOf({ kind: "enum", value: type });
    module.declarations.push(
      documented(
        docs,
        unionAlias(
          name,
          type.members.map((m) => stringLiteral(m.name)),
        ),
      ),
    );
  }

  typeText(type: FieldType, module: ModuleBuilder): Doc {
    switch (type.kind) {
      case "builtin":
        return type.name === "int" || type.name === "long" || type.name === "double"
          ? "number"
          : type.name === "boolean"
            ? "boolean"
            : "string";
      case "enum":
        return module.ref({ kind: "enum", value: type.enum }, true);
      case "record":
        return module.ref({ kind: "record", value: type.record }, true);
      case "array":
        // An array of arrays needs parentheses: `readonly (readonly number[])[]`.
        return type.items.kind === "array"
          ? ["readonly (", this.typeText(type.items, module), ")[]"]
          : ["readonly ", this.typeText(type.items, module), "[]"];
      case "map":
        return objectType([{ name: "[key: string]", type: this.typeText(type.values, module) }]);
    }
  }

  private property(field: Field, module: ModuleBuilder): PropertySignature {
    const note = field.type.kind === "builtin" ? builtinNotes[field.type.name] : undefined;
    const tags: [string, string][] = [];
    if (field.default !== undefined) tags.push(["defaultValue", `\`${JSON.stringify(field.default)}\``]);
    tags.push(...deprecatedTag(field.deprecated));
    const docs = jsdoc(
      [...field.docs, ...(note === undefined ? [] : field.docs.length > 0 ? ["", note] : [note])],
      tags,
    );
    return {
      ...(docs !== undefined ? { docs } : {}),
      name: propertyName(field.name),
      optional: field.optional,
      type: this.typeText(field.type, module),
    };
  }

  private declareObject(
    entity: Entity & { kind: "record" | "event" },
    fields: readonly Field[],
    module: ModuleBuilder,
    extra: { extends?: string; tags?: [string, string][] } = {},
  ): void {
    const value = entity.value;
    const docs = jsdoc(value.docs, [
      ...(extra.tags ?? [["generated", `from record ${value.name}`]]),
      ...deprecatedTag(value.deprecated),
    ]);
    const properties = fields.map((f) => this.property(f, module));
    module.declarations.push(
      documented(docs, interfaceDeclaration(this.identifierOf(entity), extra.extends, properties)),
    );
  }

  private declareEvent(event: EventType, module: ModuleBuilder): void {
    const base = event.base;
    const own = base === undefined ? event.fields : event.fields.filter((f) => f.declaredIn === event.name);
    this.declareObject({ kind: "event", value: event }, own, module, {
      ...(base !== undefined ? { extends: module.ref({ kind: "event", value: base }, true) } : {}),
      tags: [["generated", `from event ${event.name} v${event.version.major}.${event.version.minor}`]],
    });
    const older = this.input.olderVersions.filter((o) => o.version.event === event.name);
    for (const o of older)
      module.declarations.push([jsDoc(o.docs), typeAlias(this.eventTypeName(event.name, o.version.major), o.type)]);
  }

  /** The validator of an event version, imported from its module next to the generated code. */
  private validator(version: EventVersion, module: ModuleBuilder): string {
    const local = this.ids.get(`validator:${version.event}@${version.version}`);
    return module.use(validatorPath(version).replace(/\.js$/, ".ts"), "validate", false, local);
  }

  private eventType(event: EventType, module: ModuleBuilder): string {
    return module.ref({ kind: "event", value: event }, true);
  }

  private declareTopic(topic: Topic, module: ModuleBuilder): void {
    const eventType = this.eventType(topic.event, module);
    const version = currentVersion(topic.event);
    const settings = topicSettings(topic);
    const key = topic.key;
    const topicId = this.identifierOf({ kind: "topic", value: topic });
    const topicSpec = module.runtimeType("TopicSpec");
    const entries: Entry[] = [
      ["name", stringLiteral(topic.name)],
      ["owner", stringLiteral(topic.owner.name)],
      [
        "event",
        frozen(
          objectLiteral(
            [
              ["name", stringLiteral(topic.event.name)],
              ["version", stringLiteral(version.version)],
              ["major", String(topic.event.version.major)],
              ["dataschema", stringLiteral(dataschemaOf(topic, version))],
              ["validate", this.validator(version, module)],
              ["defaults", String(fieldsHaveDefaults(topic.event.fields))],
            ],
            true,
          ),
        ),
      ],
      ...(key !== undefined
        ? [
            [
              "key",
              arrowFunction([`event: ${eventType}`], `String(event${key.path.map(propertyAccess).join("")})`),
            ] as Entry,
          ]
        : []),
      ["partitions", String(settings.partitions)],
      ["replicationFactor", String(settings.replicationFactor)],
      ["maxSize", String(settings.maxSize)],
      [
        "config",
        frozen(
          objectLiteral(
            Object.entries(settings.config).map(([k, v]) => [objectKey(k), stringLiteral(v)]),
            false,
          ),
        ),
      ],
    ];
    const docs = jsdoc(topic.docs, [["generated", `from topic ${topic.name}`], ...deprecatedTag(topic.deprecated)]);
    module.declarations.push(
      documented(
        docs,
        constDeclaration(topicId, typeReference(topicSpec, [eventType]), frozen(objectLiteral(entries, true))),
      ),
    );
    if (topic.publisher.kind === "producer") {
      const publishDocs = jsdoc(
        [
          `Publishes a {@link ${eventType}} to \`${topic.name}\`: validated against v${version.version}, keyed by ${key !== undefined ? `\`${key.path.join(".")}\`` : "nothing (no key declared)"}, stamped with a CloudEvents envelope.`,
          "Rejects without sending when the event breaks its contract.",
        ],
        [["generated", `from topic ${topic.name}`]],
      );
      module.declarations.push(
        documented(
          publishDocs,
          functionDeclaration({
            name: this.ids.get(`publish:${topic.name}`),
            parameters: [
              `runtime: ${module.runtimeType("Runtime")}`,
              `event: ${eventType}`,
              `options?: ${module.runtimeType("PublishOptions")}`,
            ],
            returnType: `Promise<${module.runtimeType("PublishedEvent")}>`,
            body: [["return ", call("runtime.publish", [topicId, "event", "options"]), ";"]],
          }),
        ),
      );
    }
  }

  /** The event types a consumer's handler receives: the current one and every older major it accepts. */
  private acceptedTypes(consumer: Consumer, module: ModuleBuilder): string {
    return this.acceptedVersions(consumer)
      .map((v) =>
        v.older === undefined
          ? this.eventType(consumer.from.event, module)
          : module.use(
              this.entityModuleOfOlder(v.older.version.event),
              this.ids.get(`older:${v.older.version.event}@${v.older.version.major}`),
              true,
            ),
      )
      .join(" | ");
  }

  /** The `accepts` table of a consumer: a validator per accepted major version. */
  private acceptsTable(consumer: Consumer, module: ModuleBuilder): Doc {
    const entries = this.acceptedVersions(consumer).map((v): Entry => [
      String(v.version.major),
      this.validator(v.version, module),
    ]);
    return frozen(objectLiteral(entries, false));
  }

  private acceptedVersions(consumer: Consumer): { version: EventVersion; older?: OlderVersion }[] {
    const event = consumer.from.event;
    const accepted: { version: EventVersion; older?: OlderVersion }[] = [];
    for (const major of consumer.accepts) {
      if (major === event.version.major) {
        accepted.push({ version: currentVersion(event) });
        continue;
      }
      const older = this.input.olderVersions.find((o) => o.version.event === event.name && o.version.major === major);
      if (older !== undefined) accepted.push({ version: older.version, older });
    }
    return accepted;
  }

  private entityModuleOfOlder(event: string): string {
    const module = this.entityModule.get(`older:${event}`);
    if (module === undefined) throw new Error(`no module holds the older versions of ${event}`);
    return module;
  }

  private readerFields(reader: Reader<unknown>, module: ModuleBuilder): Entry[] {
    const retry = reader.retry;
    const retryEntries: Entry[] =
      retry === undefined
        ? []
        : [
            [
              "retry",
              frozen(
                objectLiteral(
                  [
                    ["attempts", String(retry.attempts)],
                    // `retry N` alone backs off as a reader without `retry` does: retrying at once rarely helps.
                    ["backoffFromMs", String(retry.backoffFromMs ?? DEFAULT_RETRY.backoffFromMs)],
                    ["backoffToMs", String(retry.backoffToMs ?? retry.backoffFromMs ?? DEFAULT_RETRY.backoffToMs)],
                  ],
                  false,
                ),
              ),
            ],
          ];
    return [
      ["name", stringLiteral(reader.name)],
      ["owner", stringLiteral(reader.owner.name)],
      ["groupId", stringLiteral(groupIdOf(reader.name))],
      ["topic", module.ref({ kind: "topic", value: reader.from }, false)],
      ["ordering", stringLiteral(reader.ordering)],
      ["delivery", stringLiteral(reader.delivery)],
      ...retryEntries,
      ...(reader.dlq ? [["dlqTopic", stringLiteral(dlqTopicOf(reader.name))] as Entry] : []),
      ["concurrency", String(reader.concurrency ?? 1)],
    ];
  }

  private declareConsumer(consumer: Consumer, module: ModuleBuilder): void {
    const type = this.acceptedTypes(consumer, module);
    const entries: Entry[] = [
      ["kind", stringLiteral("consumer")],
      ...this.readerFields(consumer, module),
      ["accepts", this.acceptsTable(consumer, module)],
      ...(consumer.deadlineMs !== undefined ? [["deadlineMs", String(consumer.deadlineMs)] as Entry] : []),
    ];
    const docs = jsdoc(consumer.docs, [
      ["generated", `from consumer ${consumer.name}`],
      ...deprecatedTag(consumer.deprecated),
    ]);
    const name = this.identifierOf({ kind: "consumer", value: consumer });
    module.declarations.push(
      documented(
        docs,
        constDeclaration(
          name,
          typeReference(module.runtimeType("ConsumerSpec"), [type]),
          frozen(objectLiteral(entries, true)),
        ),
      ),
    );
  }

  private declareEnricher(enricher: Enricher, module: ModuleBuilder): void {
    const inType = this.eventType(enricher.from.event, module);
    const outType = this.eventType(enricher.publishes.event, module);
    const lookups = enricher.lookups.map((lookup) =>
      frozen(
        objectLiteral(
          [
            ["backend", stringLiteral(lookup.backend.name)],
            ["key", arrowFunction([`event: ${inType}`], `String(event${lookup.by.map(propertyAccess).join("")})`)],
            ...(lookup.cacheTtlMs !== undefined ? [["cacheTtlMs", String(lookup.cacheTtlMs)] as Entry] : []),
            ...cacheEntries(lookup, enricher.from),
          ],
          true,
        ),
      ),
    );
    const accepts: Entry = [
      String(enricher.from.event.version.major),
      this.validator(currentVersion(enricher.from.event), module),
    ];
    const entries: Entry[] = [
      ["kind", stringLiteral("enricher")],
      ...this.readerFields(enricher, module),
      ["accepts", frozen(objectLiteral([accepts], false))],
      ["lookups", frozen(arrayLiteral(lookups))],
      ["publishes", module.ref({ kind: "topic", value: enricher.publishes }, false)],
    ];
    const docs = jsdoc(enricher.docs, [
      ["generated", `from enricher ${enricher.name}`],
      ...deprecatedTag(enricher.deprecated),
    ]);
    const name = this.identifierOf({ kind: "enricher", value: enricher });
    module.declarations.push(
      documented(
        docs,
        constDeclaration(
          name,
          typeReference(module.runtimeType("EnricherSpec"), [inType, outType]),
          frozen(objectLiteral(entries, true)),
        ),
      ),
    );
  }

  private indexModule(): TypeScriptModule {
    const { model } = this.input;
    const module = new ModuleBuilder(WIRING_MODULE, this);
    const wiringName = this.indexOrRuntimeName("wiring");
    const teamServices = this.indexOrRuntimeName("TeamServices");
    const sorted = <T extends { name: string }>(items: Iterable<T>) => [...items].sort(byName);
    const topics = sorted(model.topics.values());
    const consumers = sorted(model.consumers.values());
    const enrichers = sorted(model.enrichers.values());
    const table = (entries: Entry[]) => frozen(objectLiteral(entries, false));
    const wiring = frozen(
      objectLiteral(
        [
          ["project", stringLiteral(this.input.project)],
          ["topics", table(topics.map((t) => [objectKey(t.name), module.ref({ kind: "topic", value: t }, false)]))],
          [
            "consumers",
            table(consumers.map((c) => [objectKey(c.name), module.ref({ kind: "consumer", value: c }, false)])),
          ],
          [
            "enrichers",
            table(enrichers.map((e) => [objectKey(e.name), module.ref({ kind: "enricher", value: e }, false)])),
          ],
        ],
        true,
      ),
    );
    const teams = sorted(model.teams.values());
    const teamMembers = teams.map((team): PropertySignature => {
      const handlers = consumers
        .filter((c) => c.owner === team)
        .map((c): PropertySignature => ({
          name: propertyName(c.name),
          type: `${module.runtimeType("EventHandler")}<${this.acceptedTypes(c, module)}>`,
        }));
      const lookups = enrichers
        .filter((e) => e.owner === team)
        .map((e): PropertySignature => {
          const inType = this.eventType(e.from.event, module);
          const outType = this.eventType(e.publishes.event, module);
          // One look-up answers every field the enricher adds; several each answer part of them, which only the
          // enriched event's validation can hold to the whole.
          const additions = typeReference(module.runtimeType("Additions"), [inType, outType]);
          const answer = e.lookups.length === 1 ? additions : typeReference("Partial", [additions]);
          const functions = e.lookups.map((l): PropertySignature => ({
            name: propertyName(l.backend.name),
            type: functionType(["key: string", `event: ${inType}`], typeReference("Promise", [answer])),
          }));
          return { name: propertyName(e.name), type: objectType(functions) };
        });
      return {
        docs: `What team \`${team.name}\` supplies to run its consumers and enrichers.`,
        name: propertyName(team.name),
        // A team with no consumer (or no enricher) need not say so: its empty member may be left out.
        type: objectType([
          { name: "handlers", type: objectType(handlers), optional: handlers.length === 0 },
          { name: "lookups", type: objectType(lookups), optional: lookups.length === 0 },
        ]),
      };
    });
    for (const file of model.files) module.sources.add(this.input.sourceOf(file));
    module.declarations.push(
      documented(
        jsdoc([`Every topic, consumer and enricher of the \`${this.input.project}\` project.`]),
        constDeclaration(wiringName, module.runtimeType("Wiring"), wiring),
      ),
      documented(
        jsdoc(["The handler of every consumer and the look-ups of every enricher, by owning team."]),
        interfaceDeclaration(teamServices, undefined, teamMembers),
      ),
      documented(
        jsdoc([
          "Creates the project's topics where missing and starts every consumer and enricher the team owns, with",
          "the handlers and look-ups it supplies (the compiler checks that none is missing).",
        ]),
        functionDeclaration({
          name: this.indexOrRuntimeName("startTeam"),
          typeParameters: `<Team extends keyof ${teamServices}>`,
          parameters: [`runtime: ${module.runtimeType("Runtime")}`, "team: Team", `services: ${teamServices}[Team]`],
          returnType: `Promise<readonly ${module.runtimeType("RunningReader")}[]>`,
          body: [`return runtime.start(${wiringName}, { team, ...services });`],
        }),
      ),
    );
    for (const t of topics) module.ref({ kind: "topic", value: t }, false);
    module.reexports.push(
      ...[...this.modules.keys()]
        .sort()
        .map((path) => `export * from ${stringLiteral(relativeImport(WIRING_MODULE, path))};`),
    );
    return module.module();
  }
}

/** Whether a field, or a field of a record at any depth, has a default (which validation fills in). */
function fieldsHaveDefaults(fields: readonly Field[], seen = new Set<RecordType>()): boolean {
  const typeHasDefaults = (type: FieldType): boolean => {
    switch (type.kind) {
      case "record":
        if (seen.has(type.record)) return false;
        seen.add(type.record);
        return fieldsHaveDefaults(type.record.fields, seen);
      case "array":
        return typeHasDefaults(type.items);
      case "map":
        return typeHasDefaults(type.values);
      default:
        return false;
    }
  };
  return fields.some((field) => field.default !== undefined || typeHasDefaults(field.type));
}

export function currentVersion(event: EventType): EventVersion {
  return { event: event.name, version: `${event.version.major}.${event.version.minor}`, major: event.version.major };
}

/**
 * A look-up's cache size for the runtime: the values circulating within its TTL at the declared peak, plus a
 * tenth for the arrivals' chance (none when the declaration does not say how many keys circulate).
 */
function cacheEntries(lookup: Enricher["lookups"][number], from: Topic): Entry[] {
  const workingSet = cacheWorkingSet(lookup, from);
  return workingSet === undefined ? [] : [["cacheEntries", String(Math.ceil(workingSet * 1.1))]];
}
