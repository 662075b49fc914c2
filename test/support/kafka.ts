import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Kafka, logLevel } from "kafkajs";

/**
 * A real Kafka broker for tests, run by `scripts/kafka.sh` in a state directory of its own. The `kafka` vitest
 * project starts one per run in its global setup and hands tests its address (`inject("kafkaBrokers")`); a
 * test that stops or restarts a broker starts a dedicated one with `startBroker()`, so files running at the
 * same time on the shared broker are not disturbed.
 */

const script = resolve(fileURLToPath(new URL("../../scripts/kafka.sh", import.meta.url)));

export interface KafkaBroker {
  /** The state directory: configuration, data, logs. */
  readonly dir: string;
  /** `127.0.0.1:<port>`; the same across restarts. */
  readonly bootstrap: string;
  /** Stops the broker cleanly (killing it after a timeout); the data stays. */
  stop(): Promise<void>;
  /** Starts it again on the same data and port, resolving once it serves. */
  start(): Promise<void>;
  /** Stops and starts it. */
  restart(): Promise<void>;
  /** Stops it and deletes its state directory. */
  destroy(): Promise<void>;
}

function run(command: "up" | "down" | "reset", dir: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      "bash",
      [script, command],
      { env: { ...process.env, EVTC_KAFKA_DIR: dir }, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`scripts/kafka.sh ${command} failed (${error.message.split("\n")[0]}):\n${stderr}`));
        } else resolvePromise(stdout.trim());
      },
    );
  });
}

/** A handle on the broker whose state is in `dir` (running or not). */
export function brokerAt(dir: string, bootstrap: string): KafkaBroker {
  return {
    dir,
    bootstrap,
    async stop() {
      await run("down", dir);
    },
    async start() {
      const address = await run("up", dir);
      if (address !== bootstrap) throw new Error(`the broker came back at ${address}, not ${bootstrap}`);
    },
    async restart() {
      await this.stop();
      await this.start();
    },
    async destroy() {
      await run("reset", dir);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const PREFIX = "evtc-kafka-";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Stops and deletes the brokers of earlier runs whose process is gone (a run killed before its teardown), so
 * they do not pile up on a shared machine.
 */
export async function reapOrphanBrokers(): Promise<void> {
  for (const name of await readdir(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = join(tmpdir(), name);
    const owner = Number(await readFile(join(dir, "owner"), "utf8").catch(() => "NaN"));
    if (Number.isInteger(owner) && !alive(owner))
      await brokerAt(dir, "")
        .destroy()
        .catch(() => undefined);
  }
}

/**
 * Starts a broker in a new temporary state directory and resolves once it serves. Fails, saying what to
 * install, when Java or Maven is missing.
 */
export async function startBroker(): Promise<KafkaBroker> {
  const dir = await mkdtemp(join(tmpdir(), PREFIX));
  await writeFile(join(dir, "owner"), String(process.pid));
  try {
    const bootstrap = await run("up", dir);
    await warmUp(bootstrap);
    return brokerAt(dir, bootstrap);
  } catch (error) {
    await run("reset", dir).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * A new broker creates its group offsets topic and allocates producer ids on first use, answering "coordinator
 * loading" meanwhile; done here once, it costs no test a retry (or kafkajs a consumer restart).
 */
async function warmUp(bootstrap: string): Promise<void> {
  const kafka = new Kafka({
    brokers: [bootstrap],
    clientId: "evtc-test-warm-up",
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 30 },
  });
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true });
  await Promise.all([admin.connect(), producer.connect()]);
  try {
    await admin.createTopics({ topics: [{ topic: "evtc-warm-up", numPartitions: 1 }] });
    await Promise.all([
      admin.describeGroups(["evtc-warm-up"]),
      producer.send({ topic: "evtc-warm-up", acks: -1, messages: [{ value: "warm" }] }),
    ]);
  } finally {
    await Promise.all([admin.disconnect(), producer.disconnect()]);
  }
}
