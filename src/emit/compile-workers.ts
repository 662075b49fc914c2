import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

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
}
export type CompileReply =
  { readonly id: number; readonly codes: string[] } | { readonly id: number; readonly error: string };

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
  resolve(codes: string[]): void;
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
      else waiting.reject(new SchemaCompileError(reply.error));
    });
    this.worker.on("error", (error) => this.fail(error));
    this.worker.on("exit", (code) => this.fail(new Error(`a validator worker stopped (exit code ${code})`)));
  }

  compile(texts: readonly string[], cacheDirectory: string | undefined): Promise<string[]> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    if (cacheDirectory !== undefined) this.caching = true;
    return new Promise<string[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({
        id,
        texts,
        ...(cacheDirectory !== undefined ? { cacheDirectory } : {}),
      } satisfies CompileRequest);
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
  drain(): Promise<void> {
    if (this.failure !== undefined || !this.caching) return Promise.resolve();
    const id = this.nextId++;
    return new Promise<void>((resolve) => {
      this.pending.set(id, { resolve: () => resolve(), reject: () => resolve() });
      this.worker.ref();
      this.worker.postMessage({ id, texts: [], drain: true } satisfies CompileRequest);
    });
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

  /** Starts `count` workers (at least one) running `entry`, the validators module (its URL). */
  constructor(count: number, entry: string) {
    this.workers = Array.from({ length: Math.max(1, count) }, () => new CompileWorker(entry));
  }

  /**
   * ajv's code for each schema text, in order. Each schema is compiled as if alone (see `validators.ts`), so
   * the code is the same whichever worker compiles it.
   */
  async compile(texts: readonly string[], cacheDirectory?: string): Promise<string[]> {
    const share = Math.ceil(texts.length / this.workers.length);
    const shares = this.workers.map((worker, i) => ({ worker, texts: texts.slice(i * share, (i + 1) * share) }));
    const results = await Promise.all(
      shares.filter((s) => s.texts.length > 0).map((s) => s.worker.compile(s.texts, cacheDirectory)),
    );
    const codes = results.flat();
    this.compiled += codes.length;
    return codes;
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
