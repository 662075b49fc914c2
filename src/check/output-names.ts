import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { Span } from "../diagnostics/source.js";
import { moduleOf, readersModuleOf, sourcePathIn, WIRING_MODULE } from "../emit/layout.js";
import { valueSubjectOf } from "../emit/names.js";
import { displayPath } from "../io/read-sources.js";
import type { BusModel } from "../model/bus.js";

/** Where a project lies on disk: its modules are named after their files' paths in `directory`. */
export interface ProjectPlace {
  readonly directory: string;
  /** The directory the model's file paths are relative to. */
  readonly cwd: string;
}

/**
 * Characters an import specifier gives a meaning (`#` a fragment, `?` a query, `%` an escape) or that Node reads
 * as a separator (`\\`), and control characters: a module named with one cannot be imported as written.
 */
const UNUSABLE_IN_IMPORTS = /[#%?\\\u0000-\u001f\u007f]/;

/** Why a source file's path in the project cannot name its modules, or undefined when it can. */
function unusableName(source: string): string | undefined {
  const character = UNUSABLE_IN_IMPORTS.exec(source)?.[0];
  // A control character as its escape (`\u0007`); the others as they are.
  if (character !== undefined)
    return `it holds \`${character === "\\" ? character : JSON.stringify(character).slice(1, -1)}\``;
  const folder = source
    .split("/")
    .slice(0, -1)
    .find((part) => part.startsWith(".") || part === "node_modules");
  if (folder !== undefined) return `it is in \`${folder}/\`, where a build never removes what it no longer generates`;
  return undefined;
}

interface Owner {
  readonly path: string;
  readonly claim: Claim;
  /** A folder modules share. */
  readonly shared: boolean;
}

interface Claim {
  /** What the file is generated for, as a message says it: "event `OrderPlaced`". */
  readonly what: string;
  /** Absent for the wiring, which no declaration asks for. */
  readonly span?: Span;
  readonly label: string;
}

/**
 * The files `evtc build` writes are named after `.evt` files, events and topics (see `emit/layout.ts`): no two
 * may be the same file, on any file system — macOS and Windows find names ignoring case — and no module may
 * lie outside the output directory. Errors, not governance rules: the build would lose a file, or write where
 * it must not. Without `place` (sources in memory), file paths are taken as paths in the project.
 */
export function checkOutputNames(model: BusModel, place?: ProjectPlace): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  // Keyed by the path as a case-insensitive file system sees it (folding case; macOS's normalises Unicode too).
  const fold = (path: string) => path.normalize("NFC").toLowerCase();
  const files = new Map<string, Owner>();
  const folders = new Map<string, Owner>();
  const conflict = (path: string, first: Owner, next: Claim & { readonly span: Span }) => {
    diagnostics.push(
      diagnostic(
        "EVT0318",
        { path, first: first.claim.what, second: next.what },
        {
          span: next.span,
          label: next.label,
          ...(first.claim.span !== undefined
            ? { related: [{ span: first.claim.span, message: first.claim.label }] }
            : {}),
          help:
            first.claim.span === undefined
              ? `rename the file or its folder: \`${first.path}\` is where evtc writes ${first.claim.what}`
              : fold(first.path) === fold(path) && first.path.replace(/\/$/, "") !== path.replace(/\/$/, "")
                ? `rename one of them: \`${first.path}\` and \`${path}\` differ only in case, which macOS and Windows do not tell apart`
                : "rename one of them",
        },
      ),
    );
  };
  /** A file of the output; false, after saying so, when the path is taken by a file or a folder. */
  const claimFile = (path: string, next: Claim & { readonly span: Span }): boolean => {
    const first = files.get(fold(path)) ?? folders.get(fold(`${path}/`));
    if (first !== undefined) {
      conflict(path, first, next);
      return false;
    }
    files.set(fold(path), { path, claim: next, shared: false });
    return true;
  };
  /** A folder a module goes in: modules share folders, but not with a file, nor with evtc's own folders. */
  const claimFolder = (path: string, next: Claim & { readonly span: Span }): boolean => {
    const asFile = files.get(fold(path));
    const first = asFile ?? folders.get(fold(`${path}/`));
    if (first !== undefined && (asFile !== undefined || !first.shared)) {
      conflict(asFile !== undefined ? path : `${path}/`, first, next);
      return false;
    }
    if (first === undefined) folders.set(fold(`${path}/`), { path: `${path}/`, claim: next, shared: true });
    return true;
  };
  const claimModule = (module: string, next: Claim & { readonly span: Span }) => {
    const parts = module.split("/");
    for (let depth = 1; depth < parts.length; depth++) if (!claimFolder(parts.slice(0, depth).join("/"), next)) return;
    claimFile(module, next);
  };
  const evtcs = (path: string, what: string, map: Map<string, Owner>) =>
    map.set(fold(path), { path, claim: { what, label: what }, shared: false });
  evtcs(WIRING_MODULE, "the wiring", files);
  evtcs("topology.json", "the topology", files);
  evtcs("validators/", "the validators", folders);
  evtcs("schemas/", "the JSON Schemas", folders);
  evtcs("strimzi/", "the Strimzi resources", folders);

  // The first declaration of each file that has a module of types and topics, and of readers.
  const typesModules = new Map<string, Span>();
  const readersModules = new Map<string, Span>();
  const declared = (modules: Map<string, Span>, span: Span) => {
    const first = modules.get(span.file.path);
    if (first === undefined || span.start < first.start) modules.set(span.file.path, span);
  };
  for (const entities of [model.enums, model.records, model.events, model.topics])
    for (const entity of entities.values()) declared(typesModules, entity.nameSpan);
  for (const readers of [model.consumers, model.enrichers])
    for (const reader of readers.values()) declared(readersModules, reader.nameSpan);
  for (const file of [...new Set([...typesModules.keys(), ...readersModules.keys()])].sort()) {
    const source = place === undefined ? file.split("\\").join("/") : sourcePathIn(place.directory, place.cwd, file);
    const firstSpan = (typesModules.get(file) ?? readersModules.get(file))!;
    if (source.startsWith("../") || source === ".." || /^([a-zA-Z]:)?\//.test(source)) {
      diagnostics.push(
        diagnostic(
          "EVT0319",
          { file, project: place === undefined ? "." : displayPath(place.directory, place.cwd) },
          {
            span: firstSpan,
            label: "its module would be written outside the output directory",
            help: "name the directory that holds every .evt file of the project, or move this file into it",
          },
        ),
      );
      continue;
    }
    const unusable = unusableName(source);
    if (unusable !== undefined) {
      diagnostics.push(
        diagnostic(
          "EVT0320",
          { file, reason: unusable },
          {
            span: firstSpan,
            label: "its modules are named after the file",
            help: "rename the file with letters, digits, `-`, `_` and `.`, or move it",
          },
        ),
      );
      continue;
    }
    const types = typesModules.get(file);
    if (types !== undefined)
      claimModule(moduleOf(source), { what: `the types of \`${file}\``, span: types, label: "declared in this file" });
    const readers = readersModules.get(file);
    if (readers !== undefined)
      claimModule(readersModuleOf(source), {
        what: `the readers of \`${file}\``,
        span: readers,
        label: "declared in this file",
      });
  }

  const byPlace = <T extends { readonly nameSpan: Span }>(entities: Iterable<T>): T[] =>
    [...entities].sort((a, b) =>
      a.nameSpan.file.path !== b.nameSpan.file.path
        ? a.nameSpan.file.path < b.nameSpan.file.path
          ? -1
          : 1
        : a.nameSpan.start - b.nameSpan.start,
    );
  for (const event of byPlace(model.events.values()))
    claimFile(`validators/${event.name}.v….js`, {
      what: `event \`${event.name}\``,
      span: event.nameSpan,
      label: "the event",
    });
  for (const topic of byPlace(model.topics.values()))
    claimFile(`schemas/${valueSubjectOf(topic.name)}/`, {
      what: `topic \`${topic.name}\``,
      span: topic.nameSpan,
      label: "the topic",
    });
  return diagnostics;
}
