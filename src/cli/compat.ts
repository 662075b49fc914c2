import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from "jsonc-parser";
import { unresolvedReference, type Json } from "../compat/diff.js";
import type { Policy } from "../compat/differences.js";
import { checkCompatibility } from "../compat/modes.js";
import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import { renderAll } from "../diagnostics/render.js";
import { SourceFile, span } from "../diagnostics/source.js";
import { displayPath } from "../io/read-sources.js";
import { withoutBom } from "../io/utf8.js";
import type { CompatibilityMode } from "../model/bus.js";
import type { Terminal } from "./run.js";

export interface CompatOptions {
  readonly mode: CompatibilityMode;
  readonly policy: Policy;
  readonly format: "text" | "json";
  readonly color: boolean;
}

function nodeValue(node: JsonNode): Json {
  if (node.type === "object") {
    return Object.fromEntries(
      (node.children ?? []).map((p) => [String(p.children![0]!.value), nodeValue(p.children![1]!)]),
    );
  }
  if (node.type === "array") return (node.children ?? []).map(nodeValue);
  return node.value as Json;
}

function readSchema(typed: string, cwd: string): Json | Diagnostic {
  const full = path.resolve(cwd, typed);
  const given = displayPath(full, cwd);
  if (!existsSync(full)) return diagnostic("EVT0001", { path: given }, { path: given });
  if (!statSync(full).isFile())
    return diagnostic("EVT0003", { path: given, reason: "not a regular file" }, { path: given });
  let text: string;
  try {
    text = withoutBom(readFileSync(full, "utf8"));
  } catch (error) {
    return diagnostic("EVT0003", { path: given, reason: (error as Error).message }, { path: given });
  }
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true });
  if (errors.length > 0 || !root) {
    const reason = errors[0]
      ? printParseErrorCode(errors[0].error)
          .replace(/([a-z])([A-Z])/g, "$1 $2")
          .toLowerCase()
      : "empty file";
    // At the place in the file, with its line, column and a caret, as a mistake in a `.evt` file is shown.
    const at = errors[0] ?? { offset: 0, length: 0 };
    return diagnostic(
      "EVT0601",
      { path: given, reason },
      { span: span(new SourceFile(given, text), at.offset, at.offset + Math.max(at.length, 1)) },
    );
  }
  if (root.type !== "object" && root.type !== "boolean") {
    return diagnostic(
      "EVT0601",
      { path: given, reason: "the top level must be an object or a boolean" },
      { path: given },
    );
  }
  const schema = nodeValue(root);
  const unresolved = unresolvedReference(schema);
  if (unresolved !== undefined) return diagnostic("EVT0601", { path: given, reason: unresolved }, { path: given });
  return schema;
}

function isDiagnostic(value: Json | Diagnostic): value is Diagnostic {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "code" in value && "related" in value;
}

/**
 * `evtc compat old.json new.json`: every change between two JSON Schemas with its verdict under a Confluent
 * compatibility mode and policy. Exit 0 compatible, 1 incompatible, 2 bad input.
 */
export function compatCommand(oldPath: string, newPath: string, options: CompatOptions, terminal: Terminal): number {
  const previous = readSchema(oldPath, terminal.cwd);
  const next = readSchema(newPath, terminal.cwd);
  const problems = [previous, next].filter(isDiagnostic);
  if (problems.length > 0) {
    // As `evtc check --format json` reports them: a tool reading the verdict's JSON reads why there is none.
    if (options.format === "json") terminal.stdout(`${renderAll(problems, "json", { color: false })}\n`);
    else terminal.stderr(`${renderAll(problems, "text", { color: options.color })}\n`);
    return 2;
  }
  const result = checkCompatibility([previous as Json], next as Json, options.mode, options.policy);
  const changes = result.verdicts.flatMap((v) => v.differences);
  if (options.format === "json") {
    const list = changes.map((d) => ({
      type: d.type,
      path: d.path,
      direction: d.direction,
      compatible: d.compatible,
      ...(d.detail !== undefined ? { detail: d.detail } : {}),
    }));
    terminal.stdout(
      `${JSON.stringify({ compatible: result.compatible, mode: options.mode, policy: options.policy, changes: list }, null, 2)}\n`,
    );
    return result.compatible ? 0 : 1;
  }
  const full = options.mode.startsWith("full");
  const lines = changes.map((d) => {
    const verdict = d.compatible ? "ok      " : "breaking";
    const direction = full ? ` [${d.direction}]` : "";
    return `${verdict}  ${d.path}  ${d.type}${d.detail ? ` (${d.detail})` : ""}${direction}`;
  });
  const breaking = changes.filter((d) => !d.compatible).length;
  const summary =
    options.mode === "none"
      ? "compatibility mode none: nothing is checked"
      : result.compatible
        ? `compatible under ${options.mode} (${options.policy})`
        : `incompatible under ${options.mode} (${options.policy}): ${breaking} breaking change${breaking === 1 ? "" : "s"}`;
  terminal.stdout(
    `${lines.length > 0 ? `${lines.join("\n")}\n` : changes.length === 0 && options.mode !== "none" ? "no changes\n" : ""}${summary}\n`,
  );
  return result.compatible ? 0 : 1;
}
