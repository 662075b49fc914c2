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
  const claimed = new Map<string, { readonly path: string; readonly claim: Claim }>();
  const claim = (path: string, next: Claim & { readonly span: Span }) => {
    // A case-insensitive file system folds case (and macOS's normalises Unicode too).
    const key = path.normalize("NFC").toLowerCase();
    const first = claimed.get(key);
    if (first === undefined) {
      claimed.set(key, { path, claim: next });
      return;
    }
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
              ? `rename the file: \`${WIRING_MODULE}\` is the wiring's`
              : first.path === path
                ? "rename one of them"
                : `rename one of them: \`${first.path}\` and \`${path}\` differ only in case, which macOS and Windows do not tell apart`,
        },
      ),
    );
  };
  claimed.set(WIRING_MODULE, { path: WIRING_MODULE, claim: { what: "the wiring", label: "the wiring" } });

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
    const types = typesModules.get(file);
    if (types !== undefined)
      claim(moduleOf(source), { what: `the types of \`${file}\``, span: types, label: "declared in this file" });
    const readers = readersModules.get(file);
    if (readers !== undefined)
      claim(readersModuleOf(source), {
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
    claim(`validators/${event.name}.v….js`, {
      what: `event \`${event.name}\``,
      span: event.nameSpan,
      label: "the event",
    });
  for (const topic of byPlace(model.topics.values()))
    claim(`schemas/${valueSubjectOf(topic.name)}/`, {
      what: `topic \`${topic.name}\``,
      span: topic.nameSpan,
      label: "the topic",
    });
  return diagnostics;
}
