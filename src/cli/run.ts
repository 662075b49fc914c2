import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { createRequire } from "node:module";
import { checkCommand } from "./check.js";
import { explainCommand } from "./explain.js";
import { lockCommand } from "./lock.js";
import { loadCommand } from "./load.js";
import type { LoadFormat } from "../load/report.js";
import { compatCommand } from "./compat.js";
import { compatibilityModes, type CompatibilityMode } from "../model/bus.js";
import type { Policy } from "../compat/differences.js";
import { rulesCommand } from "./rules.js";

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

export async function run(argv: readonly string[], terminal: Terminal): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = new Command()
    .name("evtc")
    .description(
      "The compiler for declared, checked event pipelines: .evt files in, a checked model of your event bus out.",
    )
    .version(version, "-V, --version")
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
    .action((paths: string[], options: { format: "text" | "json" | "github"; color?: boolean; config?: string }) => {
      exitCode = checkCommand(
        paths,
        {
          format: options.format,
          color: useColor(terminal, options.color),
          ...(options.config !== undefined ? { configPath: options.config } : {}),
        },
        terminal,
      );
    });

  program
    .command("lock")
    .description("record the current version of every event in evt.lock, once the project checks clean")
    .argument("<paths...>", ".evt files, or directories searched recursively for .evt files")
    .option("--check", "do not write: exit 1 if evt.lock lacks a current version (for CI)")
    .option("--config <file>", "project configuration to use (default: evtc.json in the project directory)")
    .option("--no-color", "never colour the output (also: NO_COLOR=1)")
    .addHelpText("after", exitCodesHelp)
    .action((paths: string[], options: { check?: boolean; color?: boolean; config?: string }) => {
      exitCode = lockCommand(
        paths,
        {
          check: options.check === true,
          color: useColor(terminal, options.color),
          ...(options.config !== undefined ? { configPath: options.config } : {}),
        },
        terminal,
      );
    });

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
  2  usage or file-system problem`,
    )
    .action((paths: string[], options: { format: LoadFormat; scale: number; color?: boolean; config?: string }) => {
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
    });

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
  2  bad input (a file missing, not JSON, not a schema) or a usage error`,
    )
    .action(
      (
        oldPath: string,
        newPath: string,
        options: { mode: CompatibilityMode; policy: Policy; format: "text" | "json"; color?: boolean },
      ) => {
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
    .command("rules")
    .description("list the governance rules with their id, default severity and purpose")
    .addOption(new Option("--format <format>", "text or json").choices(["text", "json"]).default("text"))
    .action((options: { format: "text" | "json" }) => {
      exitCode = rulesCommand(options.format, terminal);
    });

  program
    .command("explain")
    .description("print the long explanation of a diagnostic code")
    .argument("<code>", "a diagnostic code such as EVT0301")
    .addHelpText("after", exitCodesHelp)
    .action((code: string) => {
      exitCode = explainCommand(code, terminal);
    });

  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === "commander.helpDisplayed" ||
        error.code === "commander.version" ||
        error.code === "commander.help"
      ) {
        return ExitCode.ok;
      }
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
