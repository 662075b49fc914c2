/**
 * `npm run demo`: the example operator's bus (examples/telco) running on the embedded bus for a short while.
 *
 *   npm run demo -- [--seconds 20] [--peak] [--scale 1] [--min-rate 0] [--only topics] [--faults 0] [--seed 1] [--fast]
 *                   [--population 2000] [--json] [--no-live] [--no-check]
 *
 * It checks that the committed generated code (generated/telco) is what `evtc build examples/telco` makes
 * today, reads the declared rates, capacities and latencies from the checked model, then runs every consumer
 * and enricher of the generated wiring in one process, publishes synthetic events through the generated
 * `publish…` functions at the declared rates, and shows a table refreshed every second. See README.md, "Demo",
 * and scripts/demo/ for the parts: events.ts (the synthetic events), backends.ts (capacity and latency),
 * run.ts (the pipeline and the figures), table.ts (the screen).
 *
 * It runs on `dist/` (the generated code imports `evtc/runtime`): build first (`npm run build`).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { checkPaths, renderAll } from "evtc";
import { DemoError, runDemo, type DemoOptions, type Summary } from "./demo/run.js";
import { CLEAR_BELOW, CLEAR_SCREEN, colours, HOME, plain, renderLive, renderSummary, SHOW_CURSOR } from "./demo/table.js";

const repo = path.resolve(import.meta.dirname, "..");
const example = path.join(repo, "examples", "telco");

const usage = `usage: npm run demo -- [options]

Runs the telco example's generated pipeline on the embedded bus with synthetic events.

  --seconds N      publish for N seconds (default 20)
  --peak           publish at the topics' declared peak rates instead of their averages
  --scale X        multiply every rate by X (default 1), as \`evtc load --scale\`
  --min-rate R     publish every topic at least R events a second (default 0: as declared)
  --only T,...     publish only these topics, or the topics of these domains (default: every producer topic)
  --faults P       make a fraction P of handler attempts fail, to see retries and dead letters (default 0)
  --seed N         the seed of the synthetic events (default 1)
  --population N   subscribers the events are about (default 2000)
  --fast           a quick run for tests: --seconds 3 --scale 0.1 --min-rate 20, no build check
  --json           print the final summary as JSON instead of a table
  --no-live        no live table (the default when the output is not a terminal)
  --no-check       skip checking that generated/telco is up to date
  -h, --help       this help
`;

interface Cli extends Omit<DemoOptions, "onSnapshot" | "signal"> {
  readonly json: boolean;
  readonly live: boolean;
  readonly check: boolean;
}

function number(value: string | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min) throw new Error(`--${name} needs a number of at least ${min}, not \`${value}\``);
  return parsed;
}

function parseCli(argv: readonly string[]): Cli | undefined {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      seconds: { type: "string" },
      peak: { type: "boolean", default: false },
      scale: { type: "string" },
      "min-rate": { type: "string" },
      only: { type: "string" },
      faults: { type: "string" },
      seed: { type: "string" },
      population: { type: "string" },
      fast: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      live: { type: "boolean" },
      "no-live": { type: "boolean", default: false },
      "no-check": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const fast = values.fast;
  const faults = number(values.faults, "faults", 0, 0);
  if (faults > 1) throw new Error(`--faults is a probability, from 0 to 1, not \`${values.faults}\``);
  return {
    seconds: number(values.seconds, "seconds", fast ? 3 : 20, 0.1),
    peak: values.peak,
    scale: number(values.scale, "scale", fast ? 0.1 : 1, 0),
    minRate: number(values["min-rate"], "min-rate", fast ? 20 : 0, 0),
    only: (values.only ?? "").split(",").map((t) => t.trim()).filter((t) => t !== ""),
    seed: Math.trunc(number(values.seed, "seed", 1, 0)),
    faults,
    population: Math.trunc(number(values.population, "population", 2_000, 1)),
    drainSeconds: 10,
    json: values.json,
    live: !values["no-live"] && (values.live ?? (process.stdout.isTTY === true && !values.json)),
    check: !values["no-check"] && !fast,
  };
}

/** `evtc build examples/telco --check`, through the built CLI: the demo runs the committed generated code. */
function checkGenerated(): boolean {
  const cli = path.join(repo, "dist", "cli", "main.js");
  const result = spawnSync(process.execPath, [cli, "build", example, "--check", "--no-color"], { cwd: repo, encoding: "utf8" });
  if (result.status === 0) return true;
  process.stderr.write(result.stdout + result.stderr);
  process.stderr.write("demo: generated/telco is not what `evtc build examples/telco` makes today; rebuild it first\n");
  return false;
}

async function main(): Promise<number> {
  let cli: Cli | undefined;
  try {
    cli = parseCli(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`demo: ${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (cli === undefined) {
    process.stdout.write(usage);
    return 0;
  }
  if (!existsSync(path.join(repo, "dist", "runtime", "index.js"))) {
    process.stderr.write("demo: dist/ is missing; run `npm run build` first\n");
    return 2;
  }
  if (cli.check && !checkGenerated()) return 1;

  const checked = checkPaths([example], repo);
  if (checked.diagnostics.some((d) => d.severity === "error")) {
    process.stderr.write(`${renderAll(checked.diagnostics, "text", { color: false })}\n`);
    return 1;
  }

  const style = cli.live || (process.stdout.isTTY === true && !process.env["NO_COLOR"]) ? colours : plain;
  // The first Ctrl-C stops publishing (the readers drain, the summary is printed); a second one quits at once.
  const stop = new AbortController();
  const interrupt = (): void => {
    if (!stop.signal.aborted) return stop.abort();
    if (cli.live) process.stdout.write(SHOW_CURSOR);
    process.exit(130);
  };
  process.on("SIGINT", interrupt);
  if (cli.live) process.stdout.write(CLEAR_SCREEN);
  let summary: Summary;
  try {
    summary = await runDemo(checked.model, {
      ...cli,
      signal: stop.signal,
      ...(cli.live
        ? {
            onSnapshot: (snapshot) => {
              const size = { rows: process.stdout.rows, columns: process.stdout.columns };
              process.stdout.write(HOME + renderLive(snapshot, style, size) + CLEAR_BELOW);
            },
          }
        : {}),
    });
  } catch (error) {
    if (!(error instanceof DemoError)) throw error;
    if (cli.live) process.stdout.write(HOME + CLEAR_BELOW);
    process.stderr.write(`demo: ${error.message}\n`);
    return 1;
  } finally {
    process.off("SIGINT", interrupt);
    if (cli.live) process.stdout.write(SHOW_CURSOR);
  }
  if (cli.live) process.stdout.write(HOME + CLEAR_BELOW);
  process.stdout.write(cli.json ? `${JSON.stringify(summary, null, 2)}\n` : renderSummary(summary, style));
  return 0;
}

process.exitCode = await main();
