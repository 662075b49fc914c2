import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { tuneJit } from "../../src/cli/jit.js";
import { run, useColor, type Terminal } from "../../src/cli/run.js";

const repo = path.resolve(import.meta.dirname, "..", "..");
const cli = path.join(repo, "dist", "cli", "main.js");

interface Outcome {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI as a user would, in `cwd`. */
function evtc(args: readonly string[], cwd: string = repo, env: NodeJS.ProcessEnv = {}): Outcome {
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd,
    encoding: "utf8",
    env: { PATH: process.env["PATH"], ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function expectNoStackTrace(outcome: Outcome): void {
  expect(outcome.stdout + outcome.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

let work: string;

function file(name: string, content: string | Buffer): string {
  const full = path.join(work, name);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, content);
  return name;
}

beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` (npm test does it)`);
  work = mkdtempSync(path.join(tmpdir(), "evtc-cli-"));
});

const clean = `team t { contact "t@operator.example" }\ndomain t { owner t }\n`;

describe("evtc check", () => {
  it("exits 0 on a clean project and says so", () => {
    const outcome = evtc(["check", file("clean/a.evt", clean)], work);
    expect(outcome).toMatchObject({ status: 0, stdout: "checked 1 file: no problems\n" });
  });

  it("checks examples/telco clean, against its committed evt.lock", () => {
    const outcome = evtc(["check", "examples/telco"]);
    expect(outcome.stdout).toMatch(/^checked \d+ files: no problems\n$/);
    expect(outcome.status).toBe(0);
    expect(evtc(["lock", "--check", "examples/telco"])).toMatchObject({
      status: 0,
      stdout: "examples/telco/evt.lock is up to date\n",
    });
  });

  it("exits 1 with rustc-style diagnostics when the project has errors", () => {
    const name = file("broken/a.evt", `${clean}consumer t.c { owner t from t.x.y unordered guaranteed }\n`);
    const outcome = evtc(["check", name], work);
    expect(outcome.status).toBe(1);
    expect(outcome.stdout).toBe(
      [
        "error[EVT0301]: unknown topic `t.x.y`",
        " --> broken/a.evt:3:29",
        "  |",
        "3 | consumer t.c { owner t from t.x.y unordered guaranteed }",
        "  |                             ^^^^^ no topic or enricher defines this topic",
        "",
        "checked 1 file: 1 error, 0 warnings",
        "",
      ].join("\n"),
    );
  });

  it("prints JSON for tools", () => {
    const name = file("json/a.evt", `${clean}domain u { owner nobody }\n`);
    const outcome = evtc(["check", "--format", "json", name], work);
    expect(outcome.status).toBe(1);
    expect(JSON.parse(outcome.stdout)).toEqual({
      diagnostics: [
        {
          code: "EVT0302",
          severity: "error",
          message: "unknown team `nobody`",
          path: "json/a.evt",
          line: 3,
          column: 18,
          endLine: 3,
          endColumn: 24,
          help: 'declare it: `team nobody { contact "…" }`',
          related: [],
        },
      ],
      summary: { errors: 1, warnings: 0 },
    });
  });

  it("prints GitHub Actions annotations", () => {
    const name = file("github/a.evt", `${clean}domain u { owner nobody }\n`);
    const outcome = evtc(["check", "--format", "github", name], work);
    expect(outcome.status).toBe(1);
    expect(outcome.stdout).toBe(
      '::error file=github/a.evt,line=3,col=18,endLine=3,endColumn=24,title=EVT0302::unknown team `nobody`%0Ahelp: declare it: `team nobody { contact "…" }`\n',
    );
  });

  it("prints GitHub Actions annotations from build and lock too, for the CI steps that run them", () => {
    const name = file("github-build/a.evt", `${clean}domain u { owner nobody }\n`);
    const expected =
      '::error file=github-build/a.evt,line=3,col=18,endLine=3,endColumn=24,title=EVT0302::unknown team `nobody`%0Ahelp: declare it: `team nobody { contact "…" }`';
    const build = evtc(["build", "--format", "github", name, "--out", "github-build/out"], work);
    expect(build.status).toBe(1);
    expect(build.stdout.split("\n")[0]).toBe(expected);
    const lock = evtc(["lock", "--format", "github", name], work);
    expect(lock.status).toBe(1);
    expect(lock.stdout.split("\n")[0]).toBe(expected);
  });

  it("prints every path relative to the working directory, however it was typed", () => {
    mkdirSync(path.join(work, "empty-dir"), { recursive: true });
    const missing = evtc(["check", path.join(work, "nonexistent")], work);
    expect(missing).toMatchObject({ status: 2 });
    expect(missing.stdout).toMatch(/^error\[EVT0001\]: no such file or directory `nonexistent`\n --> nonexistent\n/);
    const empty = evtc(["check", "--format", "json", path.join(work, "empty-dir")], work);
    expect(JSON.parse(empty.stdout).diagnostics).toMatchObject([
      { code: "EVT0002", message: "no `.evt` files in `empty-dir`", path: "empty-dir" },
    ]);
    const config = evtc(["check", "--config", path.join(work, "nope.json"), file("relative/a.evt", clean)], work);
    expect(config.stdout).toMatch(/^error\[EVT0001\]: no such file or directory `nope.json`\n --> nope.json\n/);
    const compat = evtc(["compat", path.join(work, "nope.json"), path.join(work, "nope.json")], work);
    expect(compat.stderr).toMatch(/^error\[EVT0001\]: no such file or directory `nope.json`\n --> nope.json\n/);
    // A name that starts with two dots is inside the working directory all the same.
    file("..dotted/a.evt", "tean t {}\n");
    expect(evtc(["check", "..dotted"], work).stdout).toMatch(/^error\[EVT0202\].*\n --> \.\.dotted\/a\.evt:1:1\n/);
  });

  it("reports every file of a project, sorted by path", () => {
    file("multi/b.evt", `domain b { owner ghost }\n`);
    file("multi/a.evt", `domain a { owner ghost }\n`);
    const outcome = evtc(["check", "--format", "json", "multi"], work);
    const paths = (JSON.parse(outcome.stdout) as { diagnostics: Array<{ path: string }> }).diagnostics.map(
      (d) => d.path,
    );
    expect(paths).toEqual(["multi/a.evt", "multi/b.evt"]);
  });
});

describe("bad input never produces a stack trace", () => {
  const cases: Array<{ name: string; setup: () => string[]; status: number; output: RegExp }> = [
    {
      name: "a file that does not exist",
      setup: () => ["missing.evt"],
      status: 2,
      output: /error\[EVT0001\]: no such file or directory `missing.evt`\n --> missing.evt/,
    },
    {
      name: "a directory without .evt files",
      setup: () => {
        file("no-sources/readme.txt", "hello");
        return ["no-sources"];
      },
      status: 2,
      output: /error\[EVT0002\]: no `.evt` files in `no-sources`/,
    },
    {
      name: "an empty file",
      setup: () => [file("empty.evt", "")],
      status: 0,
      output: /warning\[EVT0007\]: the file is empty\n --> empty.evt:1:1/,
    },
    {
      name: "a binary file",
      setup: () => [file("binary.evt", Buffer.from([0x74, 0x65, 0x61, 0x6d, 0x0a, 0x00, 0x01, 0x02, 0xff]))],
      status: 1,
      output: /error\[EVT0004\]: this is a binary file, not an `.evt` source\n --> binary.evt:2:1/,
    },
    {
      name: "invalid UTF-8",
      setup: () => [
        file(
          "latin1.evt",
          Buffer.concat([Buffer.from('team t {\n  contact "caf'), Buffer.from([0xe9]), Buffer.from('"\n}\n')]),
        ),
      ],
      status: 1,
      output: /error\[EVT0005\]: the file is not valid UTF-8\n --> latin1.evt:2:15/,
    },
    {
      name: "a 10 MB file",
      setup: () => [file("huge.evt", "// padding\n".repeat(1_000_000))],
      status: 1,
      output: /error\[EVT0006\]: the file is 10\.5 MiB, over the 8\.0 MiB limit for one `.evt` file/,
    },
    {
      name: "a named pipe instead of a file",
      setup: () => {
        spawnSync("mkfifo", [path.join(work, "pipe.evt")]);
        return ["pipe.evt"];
      },
      status: 2,
      output: /error\[EVT0003\]: cannot read `pipe.evt`: not a regular file/,
    },
    {
      name: "a named pipe in a directory, found but never opened",
      setup: () => {
        file("with-pipe/a.evt", clean);
        spawnSync("mkfifo", [path.join(work, "with-pipe", "pipe.evt")]);
        return ["with-pipe"];
      },
      status: 2,
      output: /error\[EVT0003\]: cannot read `with-pipe\/pipe.evt`: not a regular file/,
    },
    {
      name: "an array type nested 500 deep",
      setup: () => [file("deep-arrays.evt", `${clean}event E v1 { a string${"[]".repeat(500)} }\n`)],
      status: 1,
      output: /error\[EVT0415\]: field `E\.a` nests arrays, maps and records 500 deep, over the limit of 64\n/,
    },
    {
      name: "a chain of 3,000 records, each holding the next",
      setup: () => {
        const records = Array.from({ length: 3000 }, (_, i) => `record R${i} { next R${i + 1} }`);
        return [
          file("deep-records.evt", `${clean}event E v1 { a R0 }\n${records.join("\n")}\nrecord R3000 { a int }\n`),
        ];
      },
      status: 1,
      output: /error\[EVT0415\]: field `R2935\.next` nests arrays, maps and records 65 deep, over the limit of 64\n/,
    },
    {
      name: "an evt.lock nested 3,000 deep",
      setup: () => {
        file("deep-lock/a.evt", clean);
        file(
          "deep-lock/evt.lock",
          `{ "lockVersion": 1, "events": { "E": { "1.0": ${"[".repeat(3000)}${"]".repeat(3000)} } } }\n`,
        );
        return ["deep-lock"];
      },
      status: 1,
      output:
        /error\[EVT0602\]: invalid `evt.lock`: its objects and arrays nest more than 512 deep\n --> deep-lock\/evt.lock:1:/,
    },
    {
      name: "a file that is all garbage",
      setup: () => [file("garbage.evt", '}}}{{{ ### @@@ """ ... v9.9 -1 ??? <<< >>>')],
      status: 1,
      output: /error\[EVT0\d{3}\]/,
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const paths = c.setup();
      const outcome = evtc(["check", ...paths], work);
      expect(outcome.stdout).toMatch(c.output);
      expect(outcome.status).toBe(c.status);
      expectNoStackTrace(outcome);
      // An error in the input gives the same exit code to every command that reads a project.
      for (const command of c.status === 0 ? [] : ["build", "load", "lock"]) {
        const other = evtc([command, ...paths], work);
        expect(other.stdout, command).toMatch(c.output);
        expect(other.status, command).toBe(c.status);
      }
    });
  }

  it("shows a problem on a 100,000-character line around the problem, not the whole line", () => {
    const line = `team t { contact "t@operator.example" }  ${"x".repeat(1000)} // ${"y".repeat(100_000)}\n`;
    const outcome = evtc(["check", file("long-line.evt", line)], work);
    expect(outcome.status).toBe(1);
    const lines = outcome.stdout.split("\n");
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(400);
    const source = lines.find((l) => l.startsWith("1 | "))!;
    const carets = lines[lines.indexOf(source) + 1]!;
    // The carets still stand under the word they point at.
    expect(source.slice(carets.indexOf("^"), carets.lastIndexOf("^") + 1)).toMatch(/^x+…$/);
    expect(outcome.stdout).toMatch(/error\[EVT0202\]: `x{299}…` does not start a declaration/);
  });

  it("reads a linked .evt file in a directory as the file, and reports a broken link", () => {
    file("linked/real/a.evt", clean);
    symlinkSync(path.join(work, "linked", "real", "a.evt"), path.join(work, "linked", "b.evt"));
    symlinkSync(path.join(work, "linked", "nowhere.evt"), path.join(work, "linked", "broken.evt"));
    const outcome = evtc(["check", "linked"], work);
    expect(outcome.stdout).toMatch(
      /error\[EVT0003\]: cannot read `linked\/broken.evt`: no such file \(a broken link\?\)/,
    );
    // Both the file and the working link were read: the link's declarations clash with the file's.
    expect(outcome.stdout).toContain("linked/b.evt");
    expect(outcome.status).toBe(2);
  });

  it("finishes with its own exit code, quietly, when the reader of its output goes away (`evtc check | head`)", async () => {
    const many = file("many-errors.evt", "tean t {}\n".repeat(5000));
    const child = spawn(process.execPath, [cli, "check", many], { cwd: work, stdio: ["ignore", "pipe", "pipe"] });
    // The reader closes at once: the hundreds of kilobytes of diagnostics cannot all fit in the pipe.
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).toBe("");
    expect(status).toBe(1);
  });

  it("a UTF-8 byte-order mark is accepted", () => {
    const outcome = evtc(
      ["check", file("bom.evt", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(clean)]))],
      work,
    );
    expect(outcome).toMatchObject({ status: 0 });
  });
});

describe("usage", () => {
  it("--help for the program and every command, exit 0", () => {
    for (const args of [
      ["--help"],
      ["check", "--help"],
      ["explain", "--help"],
      ["lock", "--help"],
      ["rules", "--help"],
      ["help", "check"],
    ]) {
      const outcome = evtc(args);
      expect(outcome.status, args.join(" ")).toBe(0);
      expect(outcome.stdout, args.join(" ")).toMatch(/Usage: evtc/);
      expect(outcome.stdout, args.join(" ")).toMatch(/Exit codes:/);
    }
    // Each command's own: explain and rules read no project.
    expect(evtc(["explain", "--help"]).stdout).toContain("2  no diagnostic has that code");
    expect(evtc(["explain", "--help"]).stdout).not.toContain("the project has errors");
    expect(evtc(["compat", "--help"]).stdout).toContain("3  internal error");
  });

  it("docs/cli.md names the options each command takes, as its --help does", () => {
    const page = readFileSync(path.join(repo, "docs", "cli.md"), "utf8");
    const synopsis = page.slice(page.indexOf("```\n"), page.indexOf("```", page.indexOf("```\n") + 4));
    const withConfig: string[] = [];
    for (const line of synopsis.split("\n").filter((l) => /^evtc [a-z]/.test(l))) {
      const command = line.split(" ")[1]!;
      const documented = [...line.matchAll(/\[(--[a-z-]+)/g)].map((m) => m[1]);
      const help = evtc([command, "--help"]).stdout;
      const taken = [...help.matchAll(/^ {2}(?:-[a-zA-Z], )?(--[a-z-]+)/gm)]
        .map((m) => m[1])
        .filter((o) => o !== "--help");
      expect(documented, command).toEqual(taken);
      if (taken.includes("--config")) withConfig.push(`\`${command}\``);
    }
    expect(page).toContain(
      `\`--config <file>\` points ${withConfig.slice(0, -1).join(", ")} and ${withConfig.at(-1)} at`,
    );
  });

  it("gives help's exit code whatever the process's exit code already is (run in-process)", async () => {
    const quiet: Terminal = { stdout: () => {}, stderr: () => {}, isTty: false, env: {}, cwd: work };
    const before = process.exitCode;
    process.exitCode = 1;
    try {
      expect([await run(["help"], quiet), await run([], quiet), await run(["help", "check"], quiet)]).toEqual([
        0, 2, 0,
      ]);
    } finally {
      process.exitCode = before;
    }
  });

  it("reports an unknown command as such, with or without --help, and no command at all as a usage error", () => {
    for (const args of [
      ["frobnicate", "--help"],
      ["help", "frobnicate"],
    ]) {
      const outcome = evtc(args);
      expect(outcome.status, args.join(" ")).toBe(2);
      expect(outcome.stderr, args.join(" ")).toMatch(/^error: unknown command 'frobnicate'/);
    }
    const bare = evtc([]);
    expect(bare.status).toBe(2);
    expect(bare.stderr).toMatch(/Usage: evtc/);
  });

  it("refuses an unknown option beside --help, and anything beside --version, as without them", () => {
    for (const [args, message] of [
      [["check", "--help", "--bogus"], "error: unknown option '--bogus'"],
      [["--bogus", "--help"], "error: unknown option '--bogus'"],
      [["help", "check", "--formt"], "error: unknown option '--formt'\n(Did you mean --format?)"],
      [["--help", "frobnicate"], "error: unknown command 'frobnicate'"],
      [["-V", "extra"], "error: -V takes no arguments, got 'extra'"],
      [["--version", "--help"], "error: --version takes no arguments, got '--help'"],
      // The version is the program's option, not a command's.
      [["check", "x.evt", "-V"], "error: unknown option '-V'"],
    ] as const) {
      const outcome = evtc(args);
      expect(outcome.status, args.join(" ")).toBe(2);
      expect(outcome.stdout, args.join(" ")).toBe("");
      expect(outcome.stderr, args.join(" ")).toBe(`${message}\n(run \`evtc --help\` for usage)\n`);
    }
    // What an option takes is not an option of its own, and operands beside --help are fine.
    for (const args of [
      ["check", "--format", "json", "--help"],
      ["check", "--format=json", "x.evt", "--help"],
    ]) {
      expect(evtc(args).status, args.join(" ")).toBe(0);
    }
  });

  it("exits 2 on usage errors", () => {
    for (const args of [
      ["frobnicate"],
      ["check"],
      ["check", "--format", "xml", "x.evt"],
      ["check", "--bogus", "x.evt"],
    ]) {
      const outcome = evtc(args);
      expect(outcome.status, args.join(" ")).toBe(2);
      expect(outcome.stderr, args.join(" ")).toMatch(/error:/);
      expectNoStackTrace(outcome);
    }
  });

  it("prints its version", () => {
    expect(evtc(["--version"]).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it("tunes V8 only where it knows the flag, which this Node's V8 takes without complaint", () => {
    const set: string[] = [];
    const record = (flags: string) => void set.push(flags);
    expect(tuneJit("10.2.154.26", record)).toBe(false);
    expect(tuneJit("14.0.1", record)).toBe(false);
    expect(set).toEqual([]);
    expect(tuneJit("11.3.244.8-node.33", record)).toBe(true);
    expect(tuneJit("13.6.233.10-node.20", record)).toBe(true);
    const flags = ["--max-inlined-bytecode-size-cumulative=100", "--min-semi-space-size=32 --max-semi-space-size=32"];
    expect(set).toEqual([...flags, ...flags]);
    // A flag V8 does not know is reported on stderr ("unrecognized flag"), even on `--version`.
    const outcome = evtc(["--version"]);
    expect(outcome.stderr).toBe("");
    expect(outcome.status).toBe(0);
  });

  it("gives the validator worker, started after, a 32 MB young generation, and leaves the main thread's as it is", () => {
    const newSpace = `v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size`;
    const script = `
      import v8 from "node:v8";
      import { Worker } from "node:worker_threads";
      const { tuneJit } = await import(${JSON.stringify(pathToFileURL(path.join(repo, "dist", "cli", "jit.js")).href)});
      const before = ${newSpace};
      tuneJit();
      const worker = new Worker(${JSON.stringify(`import v8 from "node:v8"; import { parentPort } from "node:worker_threads"; parentPort.postMessage(${newSpace});`)}, { eval: true });
      worker.on("message", (size) => {
        console.log(JSON.stringify({ before, after: ${newSpace}, worker: size }));
        void worker.terminate();
      });`;
    // The worker's code is a module too: it inherits `--input-type=module`.
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(result.stderr).toBe("");
    const sizes = JSON.parse(result.stdout) as { before: number; after: number; worker: number };
    expect(sizes.worker).toBe(32 * 1024 * 1024);
    expect(sizes.after).toBe(sizes.before);
    expect(sizes.before).toBeLessThan(32 * 1024 * 1024);
  });
});

describe("evtc rules", () => {
  it("lists every rule with its code, default severity and purpose", () => {
    const outcome = evtc(["rules", "--format", "json"]);
    const list = JSON.parse(outcome.stdout) as Array<{ id: string; code: string; severity: string; purpose: string }>;
    expect(list.length).toBeGreaterThanOrEqual(14);
    expect(list[0]).toEqual({
      id: "naming/topic-format",
      code: "EVT0501",
      severity: "error",
      purpose: "Checks that topic names are `{domain}.{entity}.{action}`: three lowercase, kebab-case segments.",
    });
    expect(evtc(["rules"]).stdout).toMatch(
      /^rule +code +default +purpose\nnaming\/topic-format +EVT0501 +error +Checks that/,
    );
    // --no-color is accepted by every command, so that a script can pass it to all.
    expect(evtc(["rules", "--no-color"]).stdout).toBe(evtc(["rules"]).stdout);
  });
});

describe("evtc lock", () => {
  it("records the current versions once the project is clean, then checks against them", () => {
    file("locked/bus.evt", `${clean}event Paid v1.0 { id uuid  msisdn string maxLength 15 }\n`);
    const first = evtc(["lock", "locked"], work);
    expect(first).toMatchObject({ status: 0, stdout: "recorded in locked/evt.lock:\n  Paid v1.0\n" });
    expect(evtc(["lock", "--check", "locked"], work)).toMatchObject({
      status: 0,
      stdout: "locked/evt.lock is up to date\n",
    });
    file("locked/bus.evt", `${clean}event Paid v1.1 { id uuid  msisdn string maxLength 15  note? string }\n`);
    expect(evtc(["lock", "--check", "locked"], work)).toMatchObject({
      status: 1,
      stdout: "locked/evt.lock is out of date; `evtc lock` would record:\n  Paid v1.1\n",
    });
    expect(evtc(["check", "locked"], work).status).toBe(0);
    file("locked/bus.evt", `${clean}event Paid v1.0 { id uuid  msisdn string maxLength 12 }\n`);
    const changed = evtc(["check", "locked"], work);
    expect(changed.status).toBe(1);
    expect(changed.stdout).toContain("error[EVT0603]: `Paid` v1.0 differs from the published v1.0 in `evt.lock`");
    const refused = evtc(["lock", "locked"], work);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toMatch(/nothing recorded: fix the errors first\n$/);
  });

  it("records the event each topic carries, and a topic's new event; a lock from before that is not out of date", () => {
    const bus = (event: string) =>
      `${clean}event ${event} v1.0 { id uuid }\ntopic t.payment.made { owner t  event ${event} }\n`;
    file("topics/bus.evt", bus("Paid"));
    // A lock written before evtc recorded topics: events only.
    expect(evtc(["lock", "topics"], work).status).toBe(0);
    const lockFile = path.join(work, "topics", "evt.lock");
    const legacy = JSON.parse(readFileSync(lockFile, "utf8")) as Record<string, unknown>;
    delete legacy["topics"];
    writeFileSync(lockFile, `${JSON.stringify(legacy, null, 2)}\n`);
    expect(evtc(["lock", "--check", "topics"], work)).toMatchObject({
      status: 0,
      stdout: "topics/evt.lock is up to date\n",
    });
    expect(evtc(["lock", "topics"], work)).toMatchObject({
      status: 0,
      stdout: "recorded in topics/evt.lock:\n  the event of each topic\n",
    });
    expect(JSON.parse(readFileSync(lockFile, "utf8")).topics).toEqual({ "t.payment.made": "Paid" });
    file("topics/bus.evt", bus("PaymentMade"));
    expect(evtc(["lock", "--check", "topics"], work)).toMatchObject({
      status: 1,
      stdout:
        "topics/evt.lock is out of date; `evtc lock` would record:\n  PaymentMade v1.0\n  topic t.payment.made: PaymentMade\n",
    });
  });
});

describe("JSON inputs", () => {
  const bom = "\uFEFF";

  it("accept a UTF-8 byte-order mark, as .evt files do; `evtc lock` writes the lock without one", () => {
    file("bom-project/bus.evt", `${clean}event Paid v1.0 { id uuid }\n`);
    expect(evtc(["lock", "bom-project"], work).status).toBe(0);
    const lockFile = path.join(work, "bom-project", "evt.lock");
    writeFileSync(lockFile, bom + readFileSync(lockFile, "utf8"));
    file("bom-project/evtc.json", `${bom}{ "rules": { "load/declared-figures": "off" } }\n`);
    expect(evtc(["check", "bom-project"], work)).toMatchObject({ status: 0, stdout: "checked 1 file: no problems\n" });
    expect(evtc(["lock", "--check", "bom-project"], work)).toMatchObject({ status: 0 });
    expect(evtc(["build", "bom-project", "--out", "bom-out"], work).status).toBe(0);
    file("bom-project/bus.evt", `${clean}event Paid v1.1 { id uuid  note? string }\n`);
    expect(evtc(["lock", "bom-project"], work)).toMatchObject({ status: 0 });
    expect(readFileSync(lockFile, "utf8")).toMatch(/^\{\n {2}"\/\/"/);
    // A mistake after the mark is shown where it is, the mark not counted as a column.
    file("bom-project/evtc.json", `${bom}{ "rulez": {} }\n`);
    expect(evtc(["check", "bom-project"], work).stdout).toContain(
      ' --> bom-project/evtc.json:1:3\n  |\n1 | { "rulez": {} }\n  |   ^^^^^^^\n',
    );
  });

  it("compat reads schemas that start with a byte-order mark", () => {
    file("bom-schemas/v1.json", `${bom}{ "type": "object" }`);
    file("bom-schemas/v2.json", `${bom}{ "type": "object", "description": "the same" }`);
    expect(evtc(["compat", "bom-schemas/v1.json", "bom-schemas/v2.json"], work)).toMatchObject({
      status: 0,
      stdout: 'ok        #/description  DESCRIPTION_CHANGED (none → "the same")\ncompatible under backward (strict)\n',
    });
  });
});

describe("evt.lock and evtc.json behind links", () => {
  it("`evtc lock` rewrites the file an evt.lock link points to, and leaves the link", () => {
    file("shared/evt.lock", '{ "lockVersion": 1, "events": {} }\n');
    file("linked-lock/bus.evt", `${clean}event Paid v1.0 { id uuid }\n`);
    symlinkSync(path.join("..", "shared", "evt.lock"), path.join(work, "linked-lock", "evt.lock"));
    expect(evtc(["lock", "linked-lock"], work)).toMatchObject({
      status: 0,
      stdout: "recorded in linked-lock/evt.lock:\n  Paid v1.0\n",
    });
    expect(lstatSync(path.join(work, "linked-lock", "evt.lock")).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(path.join(work, "shared", "evt.lock"), "utf8")).events).toHaveProperty("Paid");
    expect(readdirSync(path.join(work, "shared"))).toEqual(["evt.lock"]);
    expect(evtc(["lock", "--check", "linked-lock"], work).status).toBe(0);
  });

  it("a broken evt.lock or evtc.json link cannot be read (EVT0003), as a broken .evt link; it is not a missing file", () => {
    file("broken-lock/bus.evt", clean);
    symlinkSync("nowhere.lock", path.join(work, "broken-lock", "evt.lock"));
    for (const command of ["check", "lock", "build", "load"]) {
      const outcome = evtc([command, "broken-lock"], work);
      expect(outcome.stdout, command).toContain(
        "error[EVT0003]: cannot read `broken-lock/evt.lock`: no such file (a broken link?)\n --> broken-lock/evt.lock\n",
      );
      expect(outcome.status, command).toBe(2);
    }
    file("broken-config/bus.evt", clean);
    symlinkSync("nowhere.json", path.join(work, "broken-config", "evtc.json"));
    expect(evtc(["check", "broken-config"], work)).toMatchObject({ status: 2 });
    expect(evtc(["check", "broken-config"], work).stdout).toContain(
      "error[EVT0003]: cannot read `broken-config/evtc.json`: no such file (a broken link?)",
    );
  });
});

describe("evtc load", () => {
  it("reports the example's load, in text and markdown", () => {
    const text = evtc(["load", "examples/telco"]);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^Load at today's declared rates;/);
    expect(text.stdout).toMatch(
      /\nBack-ends\nback-end +look-ups +naive peak +peak +average +capacity +headroom +breaks at\n/,
    );
    expect(text.stdout).toMatch(/\ncrm\.customer-db +1 +900\/s +268\/s +1\/s +500\/s +46% +×2.08\n/);
    const markdown = evtc(["load", "--format", "markdown", "--scale", "3", "examples/telco"]);
    expect(markdown.stdout).toMatch(/^## Load report\n\nLoad at 3 × today's declared rates/);
    // 2,700/s × (1 − 0.36/1.36) with the 20-minute cache over 3M subscribers: 662/s.
    expect(markdown.stdout).toMatch(/\n\| crm\.customer-db \| 1 \| 2,700\/s \| 662\/s \|/);
    expect(markdown.status).toBe(1); // at three times today's rates the CRM is over capacity
  });

  it("prints the errors that stop it as JSON with --format json, as `check` does", () => {
    const name = file("load-broken/a.evt", `${clean}team t { contact "u@operator.example" }\n`);
    const outcome = evtc(["load", "--format", "json", name], work);
    expect(outcome.status).toBe(1);
    expect(JSON.parse(outcome.stdout)).toEqual(JSON.parse(evtc(["check", "--format", "json", name], work).stdout));
    expect(JSON.parse(outcome.stdout).diagnostics[0]).toMatchObject({ code: "EVT0310", path: name, line: 3 });
    // Text and markdown still say why there is no report.
    expect(evtc(["load", name], work).stdout).toMatch(/no load report: fix the errors first\n$/);
  });

  it("exits 2 on a bad scale", () => {
    const outcome = evtc(["load", "--scale", "-1", "examples/telco"]);
    expect(outcome.status).toBe(2);
    expect(outcome.stderr).toMatch(/the scale is a number above 0/);
  });
});

describe("evtc compat", () => {
  beforeAll(() => {
    file(
      "schemas/v1.json",
      JSON.stringify({
        type: "object",
        properties: { a: { type: "string", maxLength: 5 } },
        additionalProperties: false,
      }),
    );
    file(
      "schemas/v2.json",
      JSON.stringify({
        type: "object",
        properties: { a: { type: "string", maxLength: 5 }, b: { type: "integer" } },
        additionalProperties: false,
      }),
    );
    file("schemas/broken.json", "{ nope");
  });

  it("refuses a schema whose $ref it cannot follow, rather than compare it as accepting anything", () => {
    file("compat/object.json", '{ "type": "object" }');
    file("compat/dangling.json", '{ "$ref": "#/definitions/missing" }');
    file("compat/remote.json", '{ "properties": { "a": { "$ref": "https://example.com/a.json" } } }');
    const dangling = evtc(["compat", "compat/object.json", "compat/dangling.json"], work);
    expect(dangling.status).toBe(2);
    expect(dangling.stderr).toContain(
      "error[EVT0601]: `compat/dangling.json` is not a JSON Schema: `$ref` `#/definitions/missing` points to nothing in the file",
    );
    const remote = evtc(["compat", "compat/remote.json", "compat/object.json"], work);
    expect(remote.status).toBe(2);
    expect(remote.stderr).toContain("`https://example.com/a.json` names another document");
  });

  it("refuses schemas nested deeper than it reads or compares, at the place, rather than run out of stack", () => {
    const nested = (depth: number) => {
      let schema = '{ "type": "string" }';
      for (let i = 0; i < depth; i++) schema = `{ "type": "object", "properties": { "a": ${schema} } }`;
      return schema;
    };
    // Flat files, deep through references: each definition's property refers to the next.
    const chained = (length: number) => {
      const definitions = Array.from(
        { length },
        (_, i) => `"D${i}": { "type": "object", "properties": { "a": { "$ref": "#/definitions/D${i + 1}" } } }`,
      );
      return `{ "$ref": "#/definitions/D0", "definitions": { ${definitions.join(",\n")}, "D${length}": { "type": "string" } } }`;
    };
    file("deep/nested-2000.json", nested(2000));
    file("deep/nested-128.json", nested(128));
    file("deep/chained-2000.json", chained(2000));
    file("deep/chained-128.json", chained(128));
    const nestedTooDeep = evtc(["compat", "deep/nested-128.json", "deep/nested-2000.json"], work);
    expect(nestedTooDeep.status).toBe(2);
    expect(nestedTooDeep.stderr).toMatch(
      /^error\[EVT0601\]: `deep\/nested-2000.json` is not a JSON Schema: its objects and arrays nest more than 512 deep, deeper than evtc reads\n --> deep\/nested-2000.json:1:\d+\n/,
    );
    expectNoStackTrace(nestedTooDeep);
    const chainedTooDeep = evtc(["compat", "deep/chained-2000.json", "deep/chained-2000.json"], work);
    expect(chainedTooDeep.status).toBe(2);
    expect(chainedTooDeep.stderr).toMatch(
      /^error\[EVT0601\]: `deep\/chained-2000.json` is not a JSON Schema: its schemas nest more than 128 deep at `#\/definitions\/D129`, deeper than the comparison goes\n\s+--> deep\/chained-2000.json:130:\d+\n/,
    );
    expect(chainedTooDeep.stderr.match(/error\[/g)).toHaveLength(1);
    expectNoStackTrace(chainedTooDeep);
    // As deep as the comparison goes: compared.
    for (const name of ["nested-128", "chained-128"]) {
      expect(evtc(["compat", `deep/${name}.json`, `deep/${name}.json`], work), name).toMatchObject({
        status: 0,
        stdout: "no changes\ncompatible under backward (strict)\n",
      });
    }
  });

  it("prints each change with its JSON pointer and verdict; exit 0 when compatible", () => {
    const outcome = evtc(["compat", "schemas/v1.json", "schemas/v2.json"], work);
    expect(outcome).toMatchObject({
      status: 0,
      stdout:
        "ok        #/properties/b  OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL (b)\ncompatible under backward (strict)\n",
    });
  });

  it("exit 1 when incompatible under the mode", () => {
    const outcome = evtc(["compat", "schemas/v1.json", "schemas/v2.json", "--mode", "forward"], work);
    expect(outcome.status).toBe(1);
    expect(outcome.stdout).toContain(
      "breaking  #/properties/b  OPTIONAL_PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL (b)",
    );
    expect(
      evtc(["compat", "schemas/v1.json", "schemas/v2.json", "--mode", "forward", "--policy", "lenient"], work).status,
    ).toBe(0);
  });

  it("prints JSON", () => {
    const outcome = evtc(["compat", "--format", "json", "schemas/v2.json", "schemas/v1.json"], work);
    expect(JSON.parse(outcome.stdout)).toEqual({
      compatible: false,
      mode: "backward",
      policy: "strict",
      changes: [
        {
          type: "OPTIONAL_PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
          path: "#/properties/b",
          direction: "backward",
          compatible: false,
          detail: "b",
        },
      ],
    });
  });

  it("exit 2 on bad input", () => {
    for (const args of [
      ["schemas/v1.json", "missing.json"],
      ["schemas/broken.json", "schemas/v1.json"],
      ["schemas/v1.json", "schemas/v2.json", "--mode", "sideways"],
    ]) {
      const outcome = evtc(["compat", ...args], work);
      expect(outcome.status, args.join(" ")).toBe(2);
      expectNoStackTrace(outcome);
    }
    // With --format json, the problems are a JSON document on standard output, as `check` prints them.
    const json = evtc(["compat", "--format", "json", "nope.json", "schemas/broken.json"], work);
    expect(json.status).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({
      diagnostics: [
        { code: "EVT0001", path: "nope.json" },
        { code: "EVT0601", path: "schemas/broken.json", line: 1, column: 3 },
      ],
      summary: { errors: 2, warnings: 0 },
    });
    const broken = evtc(["compat", "schemas/broken.json", "schemas/v1.json"], work).stderr;
    expect(broken).toMatch(/^error\[EVT0601\]: `schemas\/broken.json` is not a JSON Schema: /);
    // Where in the file, as for a `.evt` file: line, column and a caret.
    expect(broken).toMatch(/--> schemas\/broken\.json:\d+:\d+\n.*\n.*\|.*\n.*\^/);
  });
});

describe("evtc explain", () => {
  it("prints the long explanation of a code", () => {
    const outcome = evtc(["explain", "EVT0301"]);
    expect(outcome.status).toBe(0);
    expect(outcome.stdout).toMatch(/^EVT0301: unknown-topic \(error\)\n\nA consumer or enricher reads a topic/);
  });

  it("accepts lowercase codes", () => {
    expect(evtc(["explain", "evt0313"]).status).toBe(0);
  });

  it("exits 2 on an unknown code, with a suggestion", () => {
    const outcome = evtc(["explain", "EVT0031"]);
    expect(outcome.status).toBe(2);
    expect(outcome.stderr).toMatch(/`EVT0031` is not an evtc diagnostic code \(did you mean EVT\d{4}/);
  });
});

describe("colour", () => {
  const terminal = (isTty: boolean, env: NodeJS.ProcessEnv = {}) => {
    let out = "";
    const t: Terminal = { stdout: (s) => (out += s), stderr: (s) => (out += s), isTty, env, cwd: work };
    return { t, output: () => out };
  };

  it("is used on a terminal only, and never with NO_COLOR or --no-color", () => {
    expect(useColor(terminal(true).t, undefined)).toBe(true);
    expect(useColor(terminal(false).t, undefined)).toBe(false);
    expect(useColor(terminal(true, { NO_COLOR: "1" }).t, undefined)).toBe(false);
    expect(useColor(terminal(true).t, false)).toBe(false);
  });

  it("colours diagnostics on a terminal, and not in a pipe", async () => {
    const name = file("colour/a.evt", `domain u { owner nobody }\n`);
    const tty = terminal(true);
    expect(await run(["check", name], tty.t)).toBe(1);
    expect(tty.output()).toContain("\u001b[31m\u001b[1merror[EVT0302]");
    const pipe = terminal(false);
    expect(await run(["check", name], pipe.t)).toBe(1);
    expect(pipe.output()).not.toContain("\u001b[");
  });
});
