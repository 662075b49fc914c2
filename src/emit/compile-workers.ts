import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { workerFor } from "./locked-schemas.js";

/**
 * Worker threads that compile validators (`validators.ts` runs in them). `evtc build` starts them before it
 * checks the project, so that loading ajv and warming it up happen on an otherwise idle core while this
 * thread parses; by the time the schemas are known, the workers are ready. This module does not load ajv
 * itself: the main thread loads it only when it compiles itself (on a single core, or for a library caller
 * with few schemas and no workers started).
 */

/** A request to a worker, and its answer. */
export interface CompileRequest {
  readonly id: number;
  readonly texts: readonly string[];
  /**
   * A disk cache the worker writes each validator it compiles to (`cache.ts`), sparing the main thread: after
   * answering, and once no other request waits, so that the build has the code first.
   */
  readonly cacheDirectory?: string;
  /** Answer (with no code) once every cache entry still to write is written. */
  readonly drain?: boolean;
  /**
   * `evt.lock`'s text (no answer): the worker reads the schemas it records and compiles, unasked, those a build
   * most likely asks for and it would be asked for (its `index` of `workers`), so that the build can ask for them
   * by reference (`locked-schemas.ts`). With a cache directory, it looks them up there first.
   */
  readonly lock?: {
    readonly text: string;
    readonly cacheDirectory?: string;
    readonly workers: number;
    readonly index: number;
  };
  /** Answer with how many schemas ajv has compiled in the worker (warming up aside): for tests. */
  readonly count?: boolean;
}
export type CompileReply =
  | { readonly id: number; readonly codes: string[] }
  /** A schema ajv refused. */
  | { readonly id: number; readonly error: string }
  /** Something the worker could not do, which the main thread does instead (a reference it cannot resolve). */
  | { readonly id: number; readonly failure: string }
  | { readonly id: number; readonly count: number };

/** A schema a worker could not compile: the build's error, not the worker's (which `Validators` works around). */
export class SchemaCompileError extends Error {}

/**
 * How many worker threads compile validators by default: one per core but the one the main thread prints on,
 * at most four (none on a single core). On two cores one worker compiles a 1,000-topic project's validators
 * while the main thread prints the rest; a second would only take turns with it.
 */
export function defaultCompileWorkers(): number {
  return Math.max(0, Math.min(availableParallelism() - 1, 4));
}

interface Pending {
  resolve(codes: string[] | number): void;
  reject(error: Error): void;
}

class CompileWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | undefined;
  private nextId = 0;
  /** Whether it was asked to cache what it compiles: only then has it anything to drain. */
  private caching = false;

  constructor(entry: string) {
    // From evtc's sources (its tests), the worker loads them through tsx, as the tests themselves are loaded.
    const self = JSON.stringify(entry);
    const source = entry.endsWith(".ts")
      ? `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${self}); }).then((m) => m.serveCompilations());`
      : `import(${self}).then((m) => m.serveCompilations());`;
    this.worker = new Worker(source, { eval: true });
    // An idle worker never keeps the process alive; one with work to do does (see `compile`).
    this.worker.unref();
    this.worker.on("message", (reply: CompileReply) => {
      const waiting = this.pending.get(reply.id);
      if (waiting === undefined) return;
      this.settled(reply.id);
      if ("codes" in reply) waiting.resolve(reply.codes);
      else if ("count" in reply) waiting.resolve(reply.count);
      else if ("error" in reply) waiting.reject(new SchemaCompileError(reply.error));
      else waiting.reject(new Error(reply.failure));
    });
    this.worker.on("error", (error) => this.fail(error));
    this.worker.on("exit", (code) => this.fail(new Error(`a validator worker stopped (exit code ${code})`)));
  }

  compile(texts: readonly string[], cacheDirectory: string | undefined): Promise<string[]> {
    if (cacheDirectory !== undefined) this.caching = true;
    return this.ask<string[]>({ texts, ...(cacheDirectory !== undefined ? { cacheDirectory } : {}) });
  }

  /** Sends a request and waits for its answer; the worker keeps the process alive until it comes. */
  private ask<T extends string[] | number>(request: Omit<CompileRequest, "id">): Promise<T> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: (answer) => resolve(answer as T), reject });
      this.worker.ref();
      this.worker.postMessage({ id, ...request } satisfies CompileRequest);
    });
  }

  private settled(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const [id, waiting] of [...this.pending]) {
      this.settled(id);
      waiting.reject(this.failure);
    }
  }

  /** Resolves once the worker has written every cache entry it still had to (at once if it failed). */
  async drain(): Promise<void> {
    if (!this.caching) return;
    await this.ask<string[]>({ texts: [], drain: true }).catch(() => undefined);
  }

  /** How many schemas ajv has compiled in the worker (warming up aside). */
  compilations(): Promise<number> {
    return this.ask<number>({ texts: [], count: true });
  }

  /** Hands the worker `evt.lock`'s text (see `CompileRequest.lock`). */
  readLock(lock: NonNullable<CompileRequest["lock"]>): void {
    if (this.failure !== undefined) return;
    // What it compiles unasked goes to the cache too, even if the build then asks it for nothing.
    if (lock.cacheDirectory !== undefined) this.caching = true;
    this.worker.postMessage({ id: -1, texts: [], lock } satisfies CompileRequest);
  }

  /** Tells the worker that no schema is coming: it stops warming up. */
  rest(): void {
    if (this.failure === undefined) this.worker.postMessage({ id: -1, texts: [] } satisfies CompileRequest);
  }

  close(): void {
    this.fail(new Error("the validator workers were closed"));
    void this.worker.terminate();
  }
}

/** A set of started workers, each compiling an equal share of the schemas it is given. */
export class CompileWorkers {
  private readonly workers: CompileWorker[];
  /** How many schemas the workers have compiled (for tests). */
  compiled = 0;
  /** The text of `evt.lock` the workers were given (`readLock`), whose schemas they take references to. */
  lockText: string | undefined;

  /** Starts `count` workers (at least one) running `entry`, the validators module (its URL). */
  constructor(count: number, entry: string) {
    this.workers = Array.from({ length: Math.max(1, count) }, () => new CompileWorker(entry));
  }

  /**
   * ajv's code for each schema text, in order. Each schema is compiled as if alone (see `validators.ts`), so
   * the code is the same whichever worker compiles it.
   */
  async compile(texts: readonly string[], cacheDirectory?: string): Promise<string[]> {
    // Texts in equal shares, in order; a reference to a recorded schema to the worker that has it under way.
    const share = Math.ceil(texts.length / this.workers.length);
    const shares = this.workers.map(() => ({ texts: [] as string[], at: [] as number[] }));
    texts.forEach((text, i) => {
      const chosen = shares[workerFor(text, this.workers.length, Math.floor(i / share))]!;
      chosen.texts.push(text);
      chosen.at.push(i);
    });
    const codes: string[] = new Array<string>(texts.length);
    await Promise.all(
      shares.map(async (s, w) => {
        if (s.texts.length === 0) return;
        const compiled = await this.workers[w]!.compile(s.texts, cacheDirectory);
        compiled.forEach((code, j) => (codes[s.at[j]!] = code));
      }),
    );
    this.compiled += codes.length;
    return codes;
  }

  /** How many schemas ajv has compiled in the workers, asked or not (warming up aside): for tests. */
  async compilations(): Promise<number> {
    const counts = await Promise.all(this.workers.map((worker) => worker.compilations()));
    return counts.reduce((a, b) => a + b, 0);
  }

  /**
   * Hands every worker `evt.lock`'s text, and a cache directory to look its schemas up in: they start compiling
   * the schemas it records, and the build can ask for those by reference (`locked-schemas.ts`).
   */
  readLock(text: string, cacheDirectory?: string): void {
    this.lockText = text;
    this.workers.forEach((worker, index) =>
      worker.readLock({
        text,
        ...(cacheDirectory !== undefined ? { cacheDirectory } : {}),
        workers: this.workers.length,
        index,
      }),
    );
  }

  /**
   * Waits until the workers have written the cache entries of what they compiled, which they do when nothing
   * else is asked of them: before closing them, for the next build to find the entries.
   */
  async drain(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.drain()));
  }

  /** Tells every worker that no schema is coming (a build with every validator cached). */
  rest(): void {
    for (const worker of this.workers) worker.rest();
  }

  /** Stops every worker; pending compilations fail. */
  close(): void {
    for (const worker of this.workers) worker.close();
  }
}

/** Where `validators.ts` is, beside this module (`.ts` under the tests, `.js` when built). */
function validatorsEntry(): string {
  return new URL(`./validators${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url).href;
}

/** Starts the default number of workers; none on a single core. */
export function startCompileWorkers(count = defaultCompileWorkers()): CompileWorkers | undefined {
  return count > 0 ? new CompileWorkers(count, validatorsEntry()) : undefined;
}
