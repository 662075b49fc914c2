import { lint } from "./check/lint.js";
import { checkContracts } from "./check/contracts.js";
import { checkBrokerNames } from "./check/broker-names.js";
import { checkOutputNames, type ProjectPlace } from "./check/output-names.js";
import { defaultConfig, findConfig, lockPath, projectRoot, type ProjectConfig } from "./config/config.js";
import { emptyLock, parseLock, type Lock } from "./contracts/lock.js";
import { diagnostic, hasErrors, sortAndDedupe, type Diagnostic } from "./diagnostics/diagnostic.js";
import { span } from "./diagnostics/source.js";
import { resolve } from "./check/resolve.js";
import { displayPath, errnoReason, readSources, readTextIfThere, type ReadResult } from "./io/read-sources.js";
import { withoutBom } from "./io/utf8.js";
import type { BusModel } from "./model/bus.js";
import type { EvtFile } from "./syntax/ast.js";
import { parseSource } from "./syntax/parse.js";
import { SourceFile } from "./diagnostics/source.js";

export interface CheckResult {
  /** The published history the project was checked against (empty when it has no `evt.lock`). */
  readonly lock: Lock;
  /** The project configuration used (the defaults when there is no `evtc.json`). */
  readonly config: ProjectConfig;
  /** The semantic model; complete only when `diagnostics` holds no error. */
  readonly model: BusModel;
  readonly files: readonly EvtFile[];
  /** Sorted and de-duplicated. */
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Parses and resolves sources already in memory (what tests, editor integrations and benchmarks call), then
 * runs the governance rules — only on a project without errors, since a partly resolved model would make
 * them report consequences instead of causes.
 */
export function checkSources(
  sources: readonly SourceFile[],
  inputDiagnostics: readonly Diagnostic[] = [],
  config: ProjectConfig = defaultConfig,
  lock: Lock = emptyLock,
  hooks: CheckHooks = {},
): CheckResult {
  const diagnostics: Diagnostic[] = [...inputDiagnostics];
  const files: EvtFile[] = [];
  for (const source of sources) {
    const parsed = parseSource(source);
    diagnostics.push(...parsed.diagnostics);
    if (parsed.file.declarations.length === 0 && parsed.diagnostics.length === 0) {
      diagnostics.push(diagnostic("EVT0007", {}, { span: span(source, 0, 0) }));
    }
    files.push(parsed.file);
  }
  const resolved = resolve(files);
  diagnostics.push(...resolved.diagnostics);
  if (!hasErrors(diagnostics)) hooks.resolved?.(resolved.model, lock, config);
  if (!hasErrors(diagnostics)) diagnostics.push(...checkBrokerNames(resolved.model));
  if (!hasErrors(diagnostics)) {
    diagnostics.push(...checkOutputNames(resolved.model, hooks.place));
    diagnostics.push(...lint(resolved.model, files, config));
    diagnostics.push(...checkContracts(resolved.model, lock, config.compatibilityPolicy));
  }
  return { model: resolved.model, files, lock, config, diagnostics: sortAndDedupe(diagnostics) };
}

export interface CheckHooks {
  /** Where the project lies on disk, when its sources were read from there: its modules are named after it. */
  readonly place?: ProjectPlace;
  /**
   * Called once the project is read and resolved without errors, before the governance rules run (which may
   * still find some): `evtc build` starts compiling validators then, on other cores.
   */
  readonly resolved?: (model: BusModel, lock: Lock, config: ProjectConfig) => void;
}

export interface CheckOptions extends CheckHooks {
  /** A configuration file to use instead of `evtc.json` in the project directory. */
  readonly configPath?: string;
  /** The sources of `paths`, when the caller has read them already (`evtc build`, for its build key). */
  readonly sources?: ReadResult;
  /**
   * The text of the project's `evt.lock` when the caller has read it already (`evtc build`, which hands it to its
   * validator workers first); null when there is none.
   */
  readonly lockText?: string | null;
}

/** Reads the given files and directories (and the project's `evtc.json`), then checks them as one project. */
export function checkPaths(
  paths: readonly string[],
  cwd: string = process.cwd(),
  options: CheckOptions = {},
): CheckResult {
  const found = findConfig(paths, cwd, options.configPath);
  const lock = readLock(paths, cwd, options.lockText);
  const read = options.sources ?? readSources(paths, cwd);
  return checkSources(
    read.sources,
    [...found.diagnostics, ...lock.diagnostics, ...read.diagnostics],
    found.config,
    lock.lock,
    { ...options, place: { directory: projectRoot(paths, cwd) ?? cwd, cwd } },
  );
}

export { lockPath };

function readLock(
  paths: readonly string[],
  cwd: string,
  text: string | null | undefined,
): { lock: Lock; diagnostics: Diagnostic[] } {
  const file = lockPath(paths, cwd);
  if (file === undefined) return { lock: emptyLock, diagnostics: [] };
  const shown = displayPath(file, cwd);
  let content: string | undefined;
  try {
    // `null` from the caller says that no file was found; a broken link is not found either, and is read here to
    // be reported.
    content = typeof text === "string" ? withoutBom(text) : readTextIfThere(file);
  } catch (error) {
    return {
      lock: emptyLock,
      diagnostics: [diagnostic("EVT0003", { path: shown, reason: errnoReason(error) }, { path: shown })],
    };
  }
  return content === undefined ? { lock: emptyLock, diagnostics: [] } : parseLock(new SourceFile(shown, content));
}
