/**
 * How long evtc takes to check and build projects of 100, 1,000 and 5,000 topics, and how much memory it needs.
 *
 *   npm run build && npm run bench:compile -- [--sizes 100,1000,5000] [--runs 3] [--keep]
 *   npx tsx bench/compile.ts --sizes 1000 --generate /tmp/projects   # only write the projects
 *
 * For each size it writes a synthetic but realistic project to a temporary directory (one `.evt` file per
 * domain of 20 topics, a team per domain, events of a dozen fields with enums and nested records, topics with
 * keys, rates and partitions, three consumers per topic, an enricher with a look-up per ten topics; it checks
 * clean), then measures, each in a fresh process so that peak memory is per run:
 *
 * - check: reading, parsing, resolving and the governance rules (`checkPaths`), in-process;
 * - emit: `emitProject`, the whole build in memory, without the cache, in-process;
 * - `evtc build` with an empty cache, writing every file to a new output directory;
 * - `evtc build` again, nothing changed (it recalls the build it remembers, see src/emit/manifest.ts);
 * - `evtc build` again after a field was added to one event (a full build, with the other validators cached);
 * - peak RSS: the largest resident set of those processes.
 *
 * The `evtc build` figures are wall-clock as a user waits (Node's start-up included), with the process's CPU
 * time (user and system, all threads) in brackets, and for the empty-cache build its system (kernel) part: on a
 * busy machine the wall-clock figures move, CPU less, and after a large deletion on a file system that discards
 * freed blocks at once (ext4 mounted with `discard`) the system time grows several times over.
 * It measures `dist/` (what `evtc` runs), so build it first, or the build given with `--dist <dir>` (a copy of
 * `dist/` in a directory that also holds `package.json` and `node_modules`, to compare two versions). With
 * `--runs N` each figure is the median of N runs.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const repo = path.resolve(import.meta.dirname, "..");
const USAGE = "usage: bench/compile.ts [--sizes 100,1000,5000] [--runs N] [--keep] [--dist <dir>] [--generate <dir>]";
function usageError(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}
/**
 * The command line, strictly: a misspelt option would otherwise start the whole default run, some minutes long.
 * A measuring child process is started with `--child <phase> <project>` and reads its own arguments.
 */
const options =
  process.argv[2] === "--child"
    ? {}
    : (() => {
        try {
          return parseArgs({
            args: process.argv.slice(2),
            options: {
              sizes: { type: "string" },
              runs: { type: "string" },
              keep: { type: "boolean" },
              dist: { type: "string" },
              generate: { type: "string" },
              help: { type: "boolean", short: "h" },
            },
          }).values;
        } catch (error) {
          return usageError((error as Error).message);
        }
      })();
if (options.help === true) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
/** The compiled evtc measured: `dist/`, or another build of it given with `--dist` (to compare two versions). */
const dist = options.dist === undefined ? path.join(repo, "dist") : path.resolve(options.dist);
const cli = path.join(dist, "cli", "main.js");

// ---- The synthetic project -------------------------------------------------------------------------------

const AREAS = [
  "billing", "crm", "network", "cdp", "care", "bi", "retail", "logistics", "payments", "fraud", "identity",
  "catalog", "pricing", "orders", "shipping", "inventory", "loyalty", "marketing", "partners", "provisioning",
  "roaming", "devices", "content", "search", "reviews", "wallet", "ledger", "tax", "compliance", "support",
];
const ENTITIES = [
  "mandate", "payment", "invoice", "order", "subscriber", "contract", "device", "ticket", "shipment", "refund",
  "voucher", "session", "profile", "offer", "campaign", "quote", "parcel", "booking", "claim", "transfer",
];
const ACTIONS = ["created", "updated", "closed", "approved", "cancelled", "completed", "received", "assigned", "renewed"];
const TOPICS_PER_DOMAIN = 20;
/** Two of each domain's topics are published by enrichers, the rest declared. */
const ENRICHED_PER_DOMAIN = 2;

function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== "")
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
}

function domainName(index: number): string {
  const area = AREAS[index % AREAS.length]!;
  const round = Math.floor(index / AREAS.length);
  return round === 0 ? area : `${area}-${round + 1}`;
}

interface Generated {
  readonly files: Map<string, string>;
  readonly topics: number;
  readonly consumers: number;
  readonly enrichers: number;
}

/** A project of `topics` topics (rounded up to a whole domain), as file name → content. */
function generateProject(topics: number): Generated {
  const domainCount = Math.max(1, Math.ceil(topics / TOPICS_PER_DOMAIN));
  const domains = Array.from({ length: domainCount }, (_, i) => domainName(i));
  const files = new Map<string, string>();
  let consumerCount = 0;
  let enricherCount = 0;
  let topicCount = 0;

  const teams = domains.map(
    (d) => `/// The team behind ${d}.\nteam ${d} {\n  contact "${d}-oncall@example.com"\n  chat    "#${d}"\n}\n`,
  );
  files.set(
    "teams.evt",
    [
      "// The teams, one per domain, and the segments topics are placed on.\n",
      ...teams,
      "/// The isolated segment for flows read in order.\nsegment ordered-flows {\n  ordered\n  replicas  3\n  minInsync 2\n}\n",
      "/// Everything else.\nsegment shared-flows {\n  replicas  3\n  minInsync 2\n}\n",
    ].join("\n"),
  );

  domains.forEach((d, di) => {
    const P = pascal(d);
    const out: string[] = [];
    out.push(`// The ${d} domain: ${TOPICS_PER_DOMAIN} topics, their events and their readers.\n\ndomain ${d} {\n  owner ${d}\n}\n`);
    out.push(`/// The state of a ${d} item.\nenum ${P}Status {\n  PENDING\n  ACTIVE\n  SUSPENDED\n  /// Closed for good.\n  CLOSED\n  ARCHIVED\n}\n`);
    out.push(`/// Where it happened.\nenum ${P}Channel {\n  WEB\n  APP\n  STORE\n  PHONE\n  PARTNER\n}\n`);
    out.push(`enum ${P}Currency {\n  EUR\n  USD\n  GBP\n}\n`);
    out.push(
      `/// An amount of money.\nrecord ${P}Money {\n  /// Never negative.\n  amount   decimal min 0\n  currency ${P}Currency = EUR\n}\n`,
    );
    out.push(
      `/// What ${d} knows about a customer.\nrecord ${P}Profile {\n  customerId   uuid\n  status       ${P}Status\n  tenureMonths int     min 0\n  vip          boolean = false\n  balance      ${P}Money\n  language     string  pattern "^[a-z]{2}$" = "en"\n}\n`,
    );
    out.push(
      `/// The customer database of ${d}.\nbackend ${d}.profile-db {\n  owner    ${d}\n  capacity 5k/s\n  latency  20ms\n}\n`,
    );

    const declared = TOPICS_PER_DOMAIN - ENRICHED_PER_DOMAIN;
    const topicNames: { name: string; ordered: boolean; event: string }[] = [];
    for (let t = 0; t < declared; t++) {
      const entity = ENTITIES[(t + di) % ENTITIES.length]!;
      const action = ACTIONS[Math.floor(t / ENTITIES.length) + (t % ACTIONS.length)]!;
      const event = `${P}${pascal(entity)}${pascal(action)}`;
      const topic = `${d}.${entity}.${action}`;
      const ordered = t % 5 === 0;
      out.push(
        [
          `/// A ${entity} of ${d} was ${action}.`,
          `event ${event} v1.${t % 3} {`,
          `  /// The ${entity}, also the idempotency key.`,
          `  ${entity}Id  uuid`,
          `  accountId   string          pattern "^ACC-[0-9]{8}$"`,
          `  msisdn      string          pattern "^[0-9]{8,15}$" maxLength 15`,
          `  status      ${P}Status`,
          `  channel?    ${P}Channel = WEB`,
          `  amount      ${P}Money`,
          // Bounds of their own: no two events of a real bus share a schema, and the build compiles a
          // validator once per distinct schema.
          `  quantity    int             min 0 max ${10000 + di * 100 + t}`,
          `  score?      double          min 0 max 1`,
          `  tags        string[]        maxItems 10`,
          `  attributes  map<string>`,
          `  note?       string          maxLength ${500 + t}`,
          `  occurredAt  timestamp`,
          `}`,
          ``,
          `/// Every ${entity} ${action} in ${d}.`,
          `topic ${topic} {`,
          `  owner         ${d}`,
          `  event         ${event}`,
          `  key           ${t % 2 === 0 ? "msisdn cardinality 4M" : "accountId cardinality 2M"}`,
          `  partitions    ${ordered ? 12 : 6}`,
          `  retention     ${t % 3 === 0 ? "14d" : "7d"}`,
          `  rate          ${1 + (t % 4)}/s peak ${20 + t}/s`,
          `  compatibility backward`,
          `  public`,
          `  maxSize       64KiB`,
          `  segment       ${ordered ? "ordered-flows" : "shared-flows"}`,
          `}`,
          ``,
        ].join("\n"),
      );
      topicNames.push({ name: topic, ordered, event });
      topicCount++;
    }

    // Enrichers: each adds the customer profile to an ordered topic of its domain, once, behind a cache.
    for (let e = 0; e < ENRICHED_PER_DOMAIN; e++) {
      const source = topicNames[e * 5]!;
      const [, entity, action] = source.name.split(".");
      const event = `${source.event}Enriched`;
      const topic = `${d}.${entity}-${action}.enriched`;
      out.push(
        [
          `/// A ${entity} ${action} with the customer's profile.`,
          `event ${event} v1.0 extends ${source.event} {`,
          `  profile ${P}Profile`,
          `}`,
          ``,
          `/// Adds the customer's profile to every ${entity} ${action}, once for all its readers.`,
          `enricher ${d}.${entity}-${action}-profile {`,
          `  owner       ${d}`,
          `  from        ${source.name}`,
          `  ordered`,
          `  guaranteed`,
          `  lookup      ${d}.profile-db by msisdn cache 20m`,
          `  retry       5 backoff 200ms..30s`,
          `  dlq`,
          `  latency     5ms`,
          `  concurrency 4`,
          `  publish     ${topic} as ${event} {`,
          `    maxSize 128KiB`,
          `  }`,
          `}`,
          ``,
        ].join("\n"),
      );
      topicNames.push({ name: topic, ordered: true, event });
      enricherCount++;
      topicCount++;
    }

    // Three consumers per topic: one in the topic's own domain and two in the next domains.
    for (const [ti, topic] of topicNames.entries()) {
      const [, entity, action] = topic.name.split(".");
      const roles = ["sync", "audit", "stats"] as const;
      roles.forEach((role, ri) => {
        const reader = domains[(di + ri) % domains.length]!;
        const name = `${reader}.${d}-${entity}-${action}-${role}`;
        const lines = [`/// ${role === "sync" ? "Keeps" : role === "audit" ? "Records" : "Counts"} ${topic.name} for ${reader}.`];
        lines.push(`consumer ${name} {`, `  owner       ${reader}`, `  from        ${topic.name}`);
        if (role === "sync") {
          lines.push(`  ${topic.ordered ? "ordered" : "unordered"}`, `  guaranteed`, `  deadline    1m`);
          lines.push(`  retry       10 backoff 500ms..1m`, `  dlq`, `  latency     15ms`, `  concurrency 4`);
        } else if (role === "audit") {
          lines.push(`  unordered`, `  guaranteed`, `  retry       3 backoff 1s`, `  latency     10ms`, `  concurrency 2`);
        } else {
          lines.push(`  unordered`, `  best-effort`, `  latency     ${2 + (ti % 5)}ms`);
        }
        lines.push(`}`, ``);
        out.push(lines.join("\n"));
        consumerCount++;
      });
    }
    files.set(`${d}.evt`, out.join("\n"));
  });
  return { files, topics: topicCount, consumers: consumerCount, enrichers: enricherCount };
}

// ---- Measuring, in a child process per run ---------------------------------------------------------------

interface ChildReport {
  readonly checkMs?: number;
  readonly emitMs?: number;
  readonly files?: number;
  readonly errors?: number;
  readonly warnings?: number;
  readonly maxRssKiB: number;
}

/** `--child phases <dir>`: check and emit in memory, timed in-process. */
async function childPhases(dir: string): Promise<void> {
  const program = (await import(pathToFileURL(path.join(dist, "program.js")).href)) as typeof import("../src/program.js");
  const build = (await import(pathToFileURL(path.join(dist, "emit", "build.js")).href)) as typeof import("../src/emit/build.js");
  let start = performance.now();
  const result = program.checkPaths([dir], dir);
  const checkMs = performance.now() - start;
  const errors = result.diagnostics.filter((d) => d.severity === "error").length;
  const warnings = result.diagnostics.filter((d) => d.severity === "warning").length;
  let emitMs: number | undefined;
  let files: number | undefined;
  if (errors === 0) {
    start = performance.now();
    const emitted = await build.emitProject({ model: result.model, lock: result.lock, project: path.basename(dir), projectDir: dir, cwd: dir });
    emitMs = performance.now() - start;
    files = emitted.length;
  } else {
    for (const d of result.diagnostics.slice(0, 5)) process.stderr.write(`${d.code} ${d.message}\n`);
  }
  const report: ChildReport = { checkMs, errors, warnings, maxRssKiB: process.resourceUsage().maxRSS, ...(emitMs !== undefined ? { emitMs, files } : {}) };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

function child(mode: "phases", dir: string, env: NodeJS.ProcessEnv): ChildReport {
  const result = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, "--child", mode, dir, "--dist", dist], {
    encoding: "utf8",
    env,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`the ${mode} run failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").at(-1)!) as ChildReport;
}

interface BuildRun {
  /** Wall-clock, as a user waits for it: Node's start-up and module loading included. */
  readonly ms: number;
  /** The process's CPU time, user and system, all threads. */
  readonly cpuMs: number;
  /**
   * The system part of it: the kernel's work for the build, most of it creating the files and directories it
   * writes. It is the part that grows most when the file system is busy (see bench/README.md).
   */
  readonly systemMs: number;
  readonly maxRssKiB: number;
  /** Its last line: `generated/…: N written, N removed, N unchanged`. */
  readonly output: string;
}

/** `evtc build` as a user runs it; a preloaded hook reports the process's CPU time and peak RSS. */
function evtcBuild(dir: string, out: string, hook: string, env: NodeJS.ProcessEnv): BuildRun {
  const usageFile = path.join(dir, ".usage.json");
  const start = performance.now();
  const result = spawnSync(process.execPath, ["--require", hook, cli, "build", ".", "--out", out], {
    cwd: dir,
    encoding: "utf8",
    env: { ...env, EVTC_BENCH_USAGE: usageFile },
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`evtc build failed (${result.status}):\n${result.stdout}${result.stderr}`);
  const usage = JSON.parse(readFileSync(usageFile, "utf8")) as NodeJS.ResourceUsage;
  return {
    ms,
    cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
    systemMs: usage.systemCPUTime / 1000,
    maxRssKiB: usage.maxRSS,
    output: result.stdout.trim().split("\n").at(-1) ?? "",
  };
}

/**
 * Writes the project of `size` topics to `dir`, with a package.json that makes it the home of its cache, and
 * its `evt.lock` as `evtc lock` writes it: a project that has published its events, as every project does once
 * it is in use, whose builds check each event against its recorded history.
 */
function writeProject(size: number, dir: string): { project: Generated; lines: number } {
  const project = generateProject(size);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "package.json"), `${JSON.stringify({ name: `bus-${size}`, private: true })}\n`);
  let lines = 0;
  for (const [file, content] of project.files) {
    writeFileSync(path.join(dir, file), content);
    lines += content.split("\n").length;
  }
  const lock = spawnSync(process.execPath, [cli, "lock", "."], { cwd: dir, encoding: "utf8" });
  if (lock.status !== 0) throw new Error(`evtc lock failed (${lock.status}):\n${lock.stdout}${lock.stderr}`);
  return { project, lines };
}

/**
 * A fixed JavaScript workload (building, serialising, parsing and sorting objects, as a build does), timed in a
 * fresh process: how fast this machine is just then. On a shared machine the same build's CPU time grows by a
 * third in a slow spell, and this with it; figures taken in different spells compare only with it beside them.
 */
const CALIBRATION = `
  const start = process.hrtime.bigint();
  for (let round = 0; round < 12; round++) {
    const list = [];
    for (let i = 0; i < 20000; i++) list.push({ id: i, name: "item-" + i, tags: [i % 7, i % 11], nested: { a: i * 2, b: String(i) } });
    const parsed = JSON.parse(JSON.stringify(list));
    parsed.sort((a, b) => (a.name < b.name ? -1 : 1));
  }
  console.log(Number(process.hrtime.bigint() - start) / 1e6);`;

function calibrate(): number {
  const result = spawnSync(process.execPath, ["-e", CALIBRATION], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`the calibration run failed:\n${result.stderr}`);
  return Number(result.stdout.trim());
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

function newestMtime(dir: string, ext: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full, ext));
    else if (entry.name.endsWith(ext)) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === "--child") return childPhases(argv[2]!);
  if (!existsSync(cli)) throw new Error(`${cli} does not exist: run \`npm run build\` first`);
  const sizes = (options.sizes ?? "100,1000,5000").split(",").map((s) => Number(s.trim()));
  if (sizes.some((s) => !Number.isInteger(s) || s < 1)) usageError("--sizes takes topic counts: --sizes 100,1000");
  const runs = Number(options.runs ?? "1");
  if (!Number.isInteger(runs) || runs < 1) usageError("--runs takes a number of runs: --runs 3");
  const generate = options.generate;
  if (generate !== undefined) {
    // Only write the projects (to profile a build of one, say), measuring nothing.
    for (const size of sizes) writeProject(size, path.resolve(generate, `bus-${size}`));
    return;
  }
  const keep = options.keep === true;
  if (options.dist === undefined && newestMtime(path.join(repo, "src"), ".ts") > newestMtime(dist, ".js")) {
    process.stderr.write("warning: src/ is newer than dist/: run `npm run build` to measure the current code\n");
  }

  const root = mkdtempSync(path.join(os.tmpdir(), "evtc-bench-"));
  const hook = path.join(root, "usage-hook.cjs");
  writeFileSync(
    hook,
    `process.on("exit", () => require("node:fs").writeFileSync(process.env.EVTC_BENCH_USAGE, JSON.stringify(process.resourceUsage())));\n`,
  );
  const env: NodeJS.ProcessEnv = { PATH: process.env["PATH"], HOME: process.env["HOME"], NO_COLOR: "1" };
  const rows: string[] = [];
  const load = [os.loadavg()[0]!];
  const calibrations = [calibrate()];
  try {
    for (const size of sizes) {
      const dir = path.join(root, `bus-${size}`);
      const { project, lines } = writeProject(size, dir);
      // The edit of the last column: a field added to one event of the first domain.
      const edited = path.join(dir, `${domainName(0)}.evt`);
      const original = readFileSync(edited, "utf8");
      // Published, so it is a new version: the next minor, which may add an optional field. An event no
      // enriched event extends, whose version would change as well.
      const extended = new Set([...original.matchAll(/ extends (\w+)/g)].map((m) => m[1]));
      const target = [...original.matchAll(/event (\w+) v1\.\d+ \{/g)].find((m) => !extended.has(m[1]))![1]!;
      const edit = original.replace(
        new RegExp(`(event ${target} v1\\.)(\\d+)( \\{\\n[\\s\\S]*?\\n  occurredAt  timestamp\\n)\\}`),
        (_, head: string, minor: string, body: string) =>
          `${head}${Number(minor) + 1}${body}  /// Added.\n  extra?      string\n}`,
      );
      if (edit === original) throw new Error("the bench's edit no longer applies to the generated project");
      const samples: Record<"check" | "emit" | "build" | "buildCpu" | "buildSystem" | "rebuild" | "rebuildCpu" | "edit" | "editCpu" | "rss", number[]> = {
        check: [], emit: [], build: [], buildCpu: [], buildSystem: [], rebuild: [], rebuildCpu: [], edit: [], editCpu: [], rss: [],
      };
      let files = 0;
      let written = "";
      for (let run = 0; run < runs; run++) {
        writeFileSync(edited, original);
        const phases = child("phases", dir, { ...env, EVTC_CACHE: "0" });
        if ((phases.errors ?? 0) > 0) throw new Error(`the generated ${size}-topic project has ${phases.errors} errors`);
        if ((phases.warnings ?? 0) > 0) process.stderr.write(`note: the ${size}-topic project has ${phases.warnings} warnings\n`);
        samples.check.push(phases.checkMs!);
        samples.emit.push(phases.emitMs!);
        files = phases.files!;
        // A new output directory and cache for each run, all deleted at the end: deleting a large directory
        // just before a build slows the build's own writes for seconds on some file systems (ext4 with
        // `discard`, as here), which is the file system's time, not the build's.
        const out = path.join(dir, `generated-${run}`);
        const runEnv = { ...env, EVTC_CACHE_DIR: path.join(dir, `cache-${run}`) };
        const cold = evtcBuild(dir, out, hook, runEnv);
        const warm = evtcBuild(dir, out, hook, runEnv);
        if (!/ 0 written, 0 removed/.test(warm.output)) throw new Error(`the rebuild wrote files: ${warm.output}`);
        writeFileSync(edited, edit);
        const changed = evtcBuild(dir, out, hook, runEnv);
        written = changed.output.replace(/^.*: /, "");
        samples.build.push(cold.ms);
        samples.buildCpu.push(cold.cpuMs);
        samples.buildSystem.push(cold.systemMs);
        samples.rebuild.push(warm.ms);
        samples.rebuildCpu.push(warm.cpuMs);
        samples.edit.push(changed.ms);
        samples.editCpu.push(changed.cpuMs);
        samples.rss.push(Math.max(phases.maxRssKiB, cold.maxRssKiB, warm.maxRssKiB, changed.maxRssKiB));
      }
      load.push(os.loadavg()[0]!);
      calibrations.push(calibrate());
      process.stderr.write(`${size} topics: done (one event changed: ${written})\n`);
      const timed = (wall: number[], cpu: number[], system?: number[]) =>
        `${seconds(median(wall))} (${seconds(median(cpu))}${system !== undefined ? `, ${seconds(median(system))} system` : ""})`;
      rows.push(
        `| ${project.topics.toLocaleString("en")} | ${project.files.size} / ${lines.toLocaleString("en")} | ${files.toLocaleString("en")} | ${seconds(median(samples.check))} | ${seconds(median(samples.emit))} | ${timed(samples.build, samples.buildCpu, samples.buildSystem)} | ${timed(samples.rebuild, samples.rebuildCpu)} | ${timed(samples.edit, samples.editCpu)} | ${Math.round(median(samples.rss) / 1024)} MiB |`,
      );
    }
  } finally {
    if (keep) process.stderr.write(`projects kept in ${root}\n`);
    else rmSync(root, { recursive: true, force: true });
  }
  console.log(
    `Node ${process.version}, ${os.cpus().length} cores, load average ${load.map((l) => l.toFixed(1)).join(" → ")}${runs > 1 ? `, median of ${runs} runs` : ""}, calibration ${calibrations.map((ms) => seconds(ms)).join(" → ")}\n`,
  );
  console.log(
    "| topics | .evt files / lines | files out | check | emit, in memory | `evtc build`, empty cache | rebuild, nothing changed | rebuild, one event changed | peak RSS |",
  );
  console.log("|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
  for (const row of rows) console.log(row);
}

await main(process.argv.slice(2));
