import { noCache, type BuildCache } from "./cache.js";
import type { Lock } from "../contracts/lock.js";
import { lockedRef, lockedValidatorText } from "./locked-schemas.js";
import type { BusModel, EventType } from "../model/bus.js";
import { eventSchema, inlineDefinitions, sameJson, type JsonSchema } from "./json-schema.js";
import { GENERATED_MARKER, generatedHeader, type GeneratedFile } from "./generated-file.js";
import { moduleOf, schemaPath, sourcePathIn, validatorPath, type EventVersion } from "./layout.js";
import { olderVersionsOf } from "./older-versions.js";
import { currentVersion, Emitter, relativeImport } from "./typescript.js";
import { validatorDeclaration, Validators } from "./validators.js";
import type { CompileWorkers } from "./compile-workers.js";
import { typescriptFile } from "./typescript-file.js";
import { emitTopology } from "./topology.js";
import type { StrimziSettings } from "../config/strimzi.js";

export interface BuildInput {
  readonly model: BusModel;
  readonly lock: Lock;
  /** The project's name: the output folder's and the wiring's (`telco`). */
  readonly project: string;
  /** The project directory; headers name `.evt` files relative to it. */
  readonly projectDir: string;
  /** The directory the model's file paths are relative to. */
  readonly cwd: string;
  /** How the Strimzi resources address the cluster (evtc.json's `"strimzi"`); Strimzi's defaults when absent. */
  readonly strimzi?: StrimziSettings;
  /** Validators compiled by earlier builds (see `cache.ts`); none when absent. */
  readonly cache?: BuildCache;
  /**
   * Worker threads to compile validators in: started ones (`startCompileWorkers`; the caller waits for their
   * `drain()`, which writes the last cache entries, before it closes them), or how many to start for this build
   * (0: none, in this thread). By default one per core but one, at most four.
   */
  readonly compileWorkers?: CompileWorkers | number;
  /**
   * Called with files as they are ready, so that the caller can write them while the validators compile: first
   * every file but the validators' code not yet compiled, then the modules of each chunk of validators as it
   * comes back. Each file is given once; the returned list holds them all.
   */
  readonly ready?: (files: readonly GeneratedFile[]) => void;
}

/** Every file of the build, in memory and sorted by path; nothing is written here. */
export async function emitProject(input: BuildInput): Promise<GeneratedFile[]> {
  return startBuild(input).files();
}

/** A build whose validators are being compiled (`startBuild`). */
export interface StartedBuild {
  /** Every file of the build, in memory and sorted by path; nothing is written here. Called once. */
  files(): Promise<GeneratedFile[]>;
  /**
   * For a build that does not go on (the project's rules found errors after all): closes the workers it
   * started itself. Workers the caller started (`compileWorkers`) are the caller's to close.
   */
  abandon(): void;
}

/**
 * Starts a build: works out every validator's schema and hands them to the workers, which compile them while
 * the caller goes on (`evtc build` runs the project's rules meanwhile); `files` does the rest.
 */
export function startBuild(input: BuildInput): StartedBuild {
  const { model, lock } = input;
  const cache = input.cache ?? noCache();
  const validators = new Validators(cache, input.compileWorkers);
  // Workers given evt.lock (`CompileWorkers.readLock`) have its current schemas compiled or under way: those the
  // build's events still have are asked for by reference, without working out their text here.
  const byReference = validators.readsLock(lock);
  const lockedValidator = (event: string, major: number, minor: number, schema: JsonSchema): string =>
    validators.wantText(byReference ? lockedRef(event, major, minor) : lockedValidatorText(schema));
  // Asked for each event, entity and module: worked out once per file.
  const sourcePaths = new Map<string, string>();
  const sourceOf = (file: string): string => {
    let source = sourcePaths.get(file);
    if (source === undefined) {
      source = sourcePathIn(input.projectDir, input.cwd, file);
      sourcePaths.set(file, source);
    }
    return source;
  };
  const olderVersions = olderVersionsOf(model, lock);

  // Validators first, before anything else is worked out: compiling them is most of a build's work, done in
  // worker threads for a large project while this thread prints the rest.
  const eventModule = (event: EventType) => moduleOf(sourceOf(event.nameSpan.file.path));
  const wanted: {
    version: EventVersion;
    text: string;
    event: string;
    olderMajor?: number;
    module: string;
    sources: string[];
  }[] = [];
  // Each event's documented schema (its published file) is built once (`eventSchema` keeps it); the contract
  // form compiled into its validator is that schema without its documentation, which the contract checks of the
  // lock, run after this, compare too.
  for (const event of model.events.values()) {
    const source = sourceOf(event.nameSpan.file.path);
    eventSchema(event, { documentation: true });
    const contract = eventSchema(event, { documentation: false }).schema;
    // An event the lock records as it is now (most of them) has its recorded schema's validator.
    const { major, minor } = event.version;
    const recorded = lock.events.get(event.name)?.find((v) => v.major === major && v.minor === minor)?.schema;
    wanted.push({
      version: currentVersion(event),
      text:
        recorded !== undefined && sameJson(contract, recorded)
          ? lockedValidator(event.name, major, minor, recorded as JsonSchema)
          : validators.want(inlineDefinitions(contract)),
      event: event.name,
      module: eventModule(event),
      sources: [source],
    });
  }
  for (const older of olderVersions) {
    const event = model.events.get(older.version.event);
    if (event === undefined) continue;
    wanted.push({
      version: older.version,
      text: lockedValidator(
        older.recorded.event,
        older.recorded.major,
        older.recorded.minor,
        older.schema as JsonSchema,
      ),
      event: event.name,
      olderMajor: older.version.major,
      module: eventModule(event),
      sources: ["evt.lock"],
    });
  }
  validators.compile();
  return { files: () => buildFiles(), abandon: () => validators.abandon() };

  async function buildFiles(): Promise<GeneratedFile[]> {
    const files: GeneratedFile[] = [];
    const emitter = new Emitter({ model, project: input.project, sourceOf, olderVersions });
    // Each validator's module as soon as its code is there (cached, or from a worker), for `ready`.
    const waiting = new Map<string, typeof wanted>();
    const validatorModules = (texts: Iterable<string>): GeneratedFile[] =>
      [...texts].flatMap((text) => {
        const entries = waiting.get(text) ?? [];
        waiting.delete(text);
        return entries.map(({ version, sources }) => ({
          path: validatorPath(version),
          content: validators.moduleOf(text, generatedHeader(sources, "//")),
        }));
      });
    try {
      for (const module of emitter.emit()) files.push(await typescriptFile(module));

      for (const topic of model.topics.values()) {
        const event = topic.event;
        const source = sourceOf(event.nameSpan.file.path);
        const current = currentVersion(event);
        for (const locked of lock.events.get(event.name) ?? []) {
          const version = `${locked.major}.${locked.minor}`;
          if (version === current.version) continue;
          files.push(
            schemaFile(topic.name, { event: event.name, version, major: locked.major }, locked.schema as JsonSchema, [
              "evt.lock",
            ]),
          );
        }
        const published = eventSchema(event, { documentation: true }).schema;
        files.push(schemaFile(topic.name, current, published, [source]));
      }

      const sources = model.files.map(sourceOf);
      files.push(...emitTopology(model, { project: input.project, sources, ...input.strimzi }));

      for (const entry of wanted) {
        const at = validatorPath(entry.version);
        files.push({
          path: at.replace(/\.js$/, ".d.ts"),
          content: validatorDeclaration(
            generatedHeader(entry.sources, "//"),
            emitter.eventTypeName(entry.event, entry.olderMajor),
            relativeImport(at, entry.module),
          ),
        });
        const same = waiting.get(entry.text);
        if (same === undefined) waiting.set(entry.text, [entry]);
        else same.push(entry);
      }
      files.push(...validatorModules([...waiting.keys()].filter((text) => validators.has(text))));
      input.ready?.(files);
    } catch (error) {
      validators.abandon();
      throw error;
    }
    await validators.finish((texts) => {
      const compiled = validatorModules(texts);
      files.push(...compiled);
      input.ready?.(compiled);
    });
    // None is left by now; a module whose code never came fails the build here (`moduleOf` throws).
    files.push(...validatorModules([...waiting.keys()]));
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    assertDistinctPaths(files);
    return files;
  }
}

/**
 * The check refuses every project whose files would land on one another (EVT0318): should one get through, the
 * build stops here, before anything is put in place, rather than lose a file or half-write the output.
 */
export function assertDistinctPaths(sorted: readonly GeneratedFile[]): void {
  // By path as a case-insensitive file system sees it: files, and the folders they are in.
  const files = new Map<string, string>();
  const folders = new Map<string, string>();
  for (const { path: file } of sorted) {
    const parts = file.normalize("NFC").toLowerCase().split("/");
    for (let depth = 1; depth <= parts.length; depth++) {
      const key = parts.slice(0, depth).join("/");
      const other = depth < parts.length ? files.get(key) : (files.get(key) ?? folders.get(key));
      if (other !== undefined) throw new Error(`two generated files would be one: \`${other}\` and \`${file}\``);
      if (depth < parts.length) folders.set(key, file);
      else files.set(key, file);
    }
  }
}

function schemaFile(topic: string, version: EventVersion, schema: JsonSchema, sources: string[]): GeneratedFile {
  // JSON has no comments: the marker goes in `$comment`, the keyword JSON Schema reserves for notes to
  // people, first so that a build recognises the file as its own.
  const marked = { $comment: generatedHeader(sources, "//").replace(/^\/\/ /, ""), ...schema };
  return { path: schemaPath(topic, version), content: `${JSON.stringify(marked, null, 2)}\n` };
}

export { GENERATED_MARKER };
