import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { createRequire } from "node:module";
import type { LoadFormat } from "../load/report.js";
import { compatibilityModes, type CompatibilityMode } from "../model/bus.js";
import type { Policy } from "../compat/differences.js";
import { closestNames } from "../diagnostics/suggest.js";

// Each command's module is imported when the command runs: `evtc explain` or `evtc --version` need not load the
// parser, and `evtc build` with nothing changed need not load the checker.

export interface Terminal {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly isTty: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** Exit codes, documented in `evtc --help` and docs/cli.md. */
export const ExitCode = { ok: 0, errors: 1, usage: 2, internal: 3 } as const;

const version = (createRequire(import.meta.url)("../../package.json") as { version: string }).version;

const exitCodesHelp = `
Exit codes:
  0  no errors (warnings allowed)
  1  the project has errors
  2  usage or file-system problem (bad option, missing path, no .evt files)
  3  internal error in evtc (please report it)`;

/** The exit codes of a command that prints what evtc knows, reading no project. */
function listingExitCodes(printed: string, refused?: string): string {
  return `
Exit codes:
  0  ${printed}
  2  ${refused !== undefined ? `${refused}, or a usage error` : "usage error (a bad option)"}
  3  internal error in evtc (please report it)`;
}

/** Colours only on a terminal, never when NO_COLOR is set (https://no-color.org) or `--no-color` is given. */
export function useColor(terminal: Terminal, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  const noColor = terminal.env["NO_COLOR"];
  if (noColor !== undefined && noColor !== "") return false;
  return terminal.isTty;
}

function parseScale(value: string): number {
  const scale = Number(value);
  if (!Number.isFinite(scale) || scale <= 0)
    throw new InvalidArgumentError("the scale is a number above 0, such as 2 or 1.5");
  return scale;
}

const helpFlags = new Set(["-h", "--help"]);
const versionFlags = new Set(["-V", "--version"]);

/**
 * commander answers `--help` and `--version` as soon as it meets them, without looking at the rest of the line:
 * `evtc check --help --bogus` would print the help and exit 0. What is refused without them is refused with them
 * (docs/cli.md, "Exit codes"): an unknown option, and anything beside `--version`. Throws commander's usage
 * error, printed as commander prints its own; a line without either flag is left to commander.
 */
function refuseBesideHelp(program: Command, argv: readonly string[]): void {
  // `evtc help check …` is `evtc check --help …`; before a command's name, the options are the program's.
  const start = argv[0] === "help" ? 1 : 0;
  const named = argv.findIndex((arg, i) => i >= start && !arg.startsWith("-"));
  const before = argv.slice(start, named < 0 ? argv.length : named);
  const version = before.find((arg) => versionFlags.has(arg));
  if (version !== undefined && argv.length > 1) {
    const other = argv.find((arg) => arg !== version)!;
    program.error(`error: ${version} takes no arguments, got '${other}'`, { code: "commander.excessArguments" });
  }
  const ends = argv.indexOf("--");
  if (!(ends < 0 ? argv : argv.slice(0, ends)).some((arg) => helpFlags.has(arg)) && argv[0] !== "help") return;
  const command = named < 0 ? undefined : program.commands.find((c) => c.name() === argv[named]);
  firstUnknownOption(program, before);
  if (command !== undefined) firstUnknownOption(command, argv.slice(named + 1));
}

/** Reports the first option of `args` that `command` does not take, as commander would without `--help`. */
function firstUnknownOption(command: Command, args: readonly string[]): void {
  const options = command.createHelp().visibleOptions(command);
  const find = (flag: string) => options.find((o) => o.long === flag || o.short === flag);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") return;
    if (arg.length < 2 || !arg.startsWith("-")) continue;
    const flag = arg.startsWith("--") ? arg.split("=")[0]! : arg.slice(0, 2);
    const option = find(flag);
    if (option === undefined) {
      const close = arg.startsWith("--")
        ? closestNames(
            flag,
            options.flatMap((o) => (o.long !== undefined ? [o.long] : [])),
            1,
          )
        : [];
      command.error(`error: unknown option '${arg}'${close.length > 0 ? `\n(Did you mean ${close[0]}?)` : ""}`, {
        code: "commander.unknownOption",
      });
    }
    // An option's value is the next argument, unless it is attached (`--format=json`, `-fjson`).
    if (option.required && arg === flag) i++;
  }
}

export async function run(argv: readonly string[], terminal: Terminal): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = new Command()
    .name("evtc")
    .description(
      "The compiler for declared, checked event pipelines: .evt files in; checks, load reports, typed code and broker topology out.",
    )
    .version(version, "-V, --version")
    // `-V` is the program's option, not every command's: `evtc check x.evt -V` is an unknown option, not the version.
    .enablePositionalOptions()
    .showHelpAfterError("(run `evtc --help` for usage)")
    .addHelpText("after", exitCodesHelp)
    .configureOutput({ writeOut: terminal.stdout, writeErr: terminal.stderr })
    .exitOverride();

  program
    .command("check")
    .description("check .evt files and directories as one project, reporting every problem found")
    .argument("<paths...>", ".evt files, or directories searched recursively for .evt files")
    .addOption(
      new Option("--format <format>", "how diagnostics are printed")
        .choices(["text", "json", "github"])
        .default("text"),
    )
    .option("--config <file>", "project configuration to use (default: evtc.json in the first directory given)")
    .option("--no-color", "never colour the output (also: NO_COLOR=1)")
    .addHelpText("after", exitCodesHelp)
    .action(
      async (paths: string[], options: { format: "text" | "json" | "github"; color?: boolean; config?: string }) => {
        const { checkCommand } = await import("./check.js");
        exitCode = checkCommand(
          paths,
          {
            format: options.format,
            color: useColor(terminal, options.color),
            ...(options.config !== undefined ? { configPath: options.config } : {}),
          },
          terminal,
        );
      },
    );

  program
    .command("build")
    .description("check the project, then generate typed TypeScript, validators, JSON Schemas and broker topology")
    .argument("<paths...>", ".evt files, or directories searched recursively for .evt files")
    .option(
      "--out <dir>",
      "output directory (default: generated/<project>, the project being the first directory given)",
    )
    .option(
      "--check",
      "write nothing: exit 1 and name each stale file when the output differs from a fresh build (for CI)",
    )
    .addOption(
      new Option("--format <format>", "how diagnostics are printed: text, or github (annotations on a pull request)")
        .choices(["text", "github"])
        .default("text"),
    )
    .option("--config <file>", "project configuration to use (default: evtc.json in the project directory)")
    .option("--no-color", "never colour the output (also: NO_COLOR=1)")
    .addHelpText(
      "after",
      `
Only files carrying evtc's "@generated by evtc" header are ever replaced or deleted, and only in the project's
own output (whose topology.json names it; never under .git or node_modules); a directory holding another
project's output is refused. Nothing is written when the project has errors, and a build is written all at once
or not at all.

Compiled validators and the record of the last build are cached in node_modules/.cache/evtc of the nearest
package (EVTC_CACHE_DIR=<dir> moves it, EVTC_CACHE=0 turns it off); a build with nothing changed only confirms
that the output is what it was.

Exit codes:
  0  generated (or, with --check, up to date)
  1  the project has errors, or (with --check) the output is stale
  2  usage or file-system problem (also: a file evtc did not generate is in the way)
  3  internal error in evtc (please report it)`,
    )
    .action(
      async (
        paths: string[],
        options: { out?: string; check?: boolean; format: "text" | "github"; color?: boolean; config?: string },
      ) => {
        const { buildCommand } = await import("./build.js");
        exitCode = await buildCommand(
          paths,
          {
            check: options.check === true,
            format: options.format,
            color: useColor(terminal, options.color),
            ...(options.out !== undefined ? { out: options.out } : {}),
            ...(options.config !== undefined ? { configPath: options.config } : {}),
          },
          terminal,
        );
      },
    );

  program
    .command("lock")
    .description(
      "record the current version of every event, and the event of each topic, in evt.lock, once the project checks clean",
    )
    .argument("<paths...>", ".evt files, or directories searched recursively for .evt files")
    .option("--check", "do not write: exit 1 if evt.lock lacks a current version or a topic's new event (for CI)")
    .addOption(
      new Option("--format <format>", "how diagnostics are printed: text, or github (annotations on a pull request)")
        .choices(["text", "github"])
        .default("text"),
    )
    .option("--config <file>", "project configuration to use (default: evtc.json in the project directory)")
    .option("--no-color", "never colour the output (also: NO_COLOR=1)")
    .addHelpText("after", exitCodesHelp)
    .action(
      async (
        paths: string[],
        options: { check?: boolean; format: "text" | "github"; color?: boolean; config?: string },
      ) => {
        const { lockCommand } = await import("./lock.js");
        exitCode = lockCommand(
          paths,
          {
            check: options.check === true,
            format: options.format,
            color: useColor(terminal, options.color),
            ...(options.config !== undefined ? { configPath: options.config } : {}),
          },
          terminal,
        );
      },
    );

  program
    .command("load")
    .description("report the fan-out load on every back-end, topic and consumer, from the declared rates")
    .argument("<paths...>", ".evt files, or directories searched recursively for .evt files")
    .addOption(
      new Option("--format <format>", "text, json, or markdown (for a pull-request comment)")
        .choices(["text", "json", "markdown"])
        .default("text"),
    )
    .option("--scale <factor>", "multiply every declared rate, to see how the bus holds as it grows", parseScale, 1)
    .option("--config <file>", "project configuration to use (default: evtc.json in the project directory)")
    .option("--no-color", "never colour the output (also: NO_COLOR=1)")
    .addHelpText(
      "after",
      `
Exit codes:
  0  the bus holds (warnings allowed)
  1  a back-end is over capacity, a deadline cannot be met, or the project has errors
  2  usage or file-system problem
  3  internal error in evtc (please report it)`,
    )
    .action(
      async (paths: string[], options: { format: LoadFormat; scale: number; color?: boolean; config?: string }) => {
        const { loadCommand } = await import("./load.js");
        exitCode = loadCommand(
          paths,
          {
            format: options.format,
            scale: options.scale,
            color: useColor(terminal, options.color),
            ...(options.config !== undefined ? { configPath: options.config } : {}),
          },
          terminal,
        );
      },
    );

  program
    .command("compat")
    .description("compare two JSON Schema files and say whether the change is compatible (Confluent's rules)")
    .argument("<old>", "the published schema (JSON)")
    .argument("<new>", "the new schema (JSON)")
    .addOption(
      new Option("--mode <mode>", "compatibility mode, as in Confluent Schema Registry")
        .choices([...compatibilityModes])
        .default("backward"),
    )
    .addOption(
      new Option("--policy <policy>", "Confluent's JSON Schema policy")
        .choices(["strict", "lenient"])
        .default("strict"),
    )
    .addOption(new Option("--format <format>", "text or json").choices(["text", "json"]).default("text"))
    .option("--no-color", "never colour the output (also: NO_COLOR=1)")
    .addHelpText(
      "after",
      `
Exit codes:
  0  compatible
  1  incompatible
  2  bad input (a file missing, not JSON, not a schema) or a usage error
  3  internal error in evtc (please report it)`,
    )
    .action(
      async (
        oldPath: string,
        newPath: string,
        options: { mode: CompatibilityMode; policy: Policy; format: "text" | "json"; color?: boolean },
      ) => {
        const { compatCommand } = await import("./compat.js");
        exitCode = compatCommand(
          oldPath,
          newPath,
          {
            mode: options.mode,
            policy: options.policy,
            format: options.format,
            color: useColor(terminal, options.color),
          },
          terminal,
        );
      },
    );

  program
    .command("fmt")
    .description("rewrite .evt files in the canonical layout, keeping every comment and the meaning of each file")
    .argument("<paths...>", ".evt files, or directories searched recursively for .evt files")
    .option("--check", "do not write: list the files that are not formatted and exit 1 if there is any (for CI)")
    .option("--no-color", "never colour the output (also: NO_COLOR=1)")
    .addHelpText(
      "after",
      `
A file with syntax errors is reported as \`evtc check\` reports it and left as it is.

Exit codes:
  0  every file is formatted (or was rewritten)
  1  with --check: a file is not formatted (the files are listed)
  2  usage or file problem (missing path; unreadable, binary or unwritable file), or a file with syntax errors
  3  internal error in evtc (please report it)`,
    )
    .action(async (paths: string[], options: { check?: boolean; color?: boolean }) => {
      const { fmtCommand } = await import("./fmt.js");
      exitCode = fmtCommand(
        paths,
        { check: options.check === true, color: useColor(terminal, options.color) },
        terminal,
      );
    });

  program
    .command("rules")
    .description("list the governance rules with their id, default severity and purpose")
    .addOption(new Option("--format <format>", "text or json").choices(["text", "json"]).default("text"))
    // Accepted as by every other command, so that a script can pass it everywhere; the listing has no colour.
    .option("--no-color", "never colour the output (also: NO_COLOR=1)")
    .addHelpText("after", listingExitCodes("the rules were listed"))
    .action(async (options: { format: "text" | "json" }) => {
      const { rulesCommand } = await import("./rules.js");
      exitCode = rulesCommand(options.format, terminal);
    });

  program
    .command("explain")
    .description("print the long explanation of a diagnostic code")
    .argument("<code>", "a diagnostic code such as EVT0301")
    .addHelpText("after", listingExitCodes("the explanation was printed", "no diagnostic has that code"))
    .action(async (code: string) => {
      const { explainCommand } = await import("./explain.js");
      exitCode = explainCommand(code, terminal);
    });

  // `evtc help run` and `evtc run --help` would print the general help and exit 0, as if `run` were a command:
  // an unknown command is reported as such (with commander's suggestion) whatever follows it.
  const known = new Set([...program.commands.map((command) => command.name()), "help"]);
  // Past `--help` too: `evtc --help run` is no more a command than `evtc run`.
  const asked = argv[0] === "help" ? argv[1] : argv.find((arg) => !helpFlags.has(arg));
  const unknown = asked !== undefined && !asked.startsWith("-") && !known.has(asked);
  try {
    if (!unknown) refuseBesideHelp(program, argv);
    await program.parseAsync(unknown ? [asked] : [...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help or the version asked for exit 0; help shown because no command was given is a usage error, as is
      // every other parse error. (Not commander's exit code: it comes from process.exitCode for `help`.)
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return ExitCode.ok;
      if (error.code === "commander.help") return argv.length === 0 ? ExitCode.usage : ExitCode.ok;
      return ExitCode.usage;
    }
    const detail = terminal.env["EVTC_DEBUG"]
      ? String((error as Error).stack)
      : String((error as Error).message ?? error);
    terminal.stderr(
      `internal error: ${detail}\nThis is a bug in evtc; please report it with the input that caused it.\n`,
    );
    return ExitCode.internal;
  }
}
