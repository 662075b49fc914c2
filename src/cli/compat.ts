import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from "jsonc-parser";
import { MAX_SCHEMA_DEPTH, unresolvedReference, type Json } from "../compat/diff.js";
import type { Policy } from "../compat/differences.js";
import { checkCompatibility } from "../compat/modes.js";
import { diagnostic, sortAndDedupe, type Diagnostic } from "../diagnostics/diagnostic.js";
import { renderAll } from "../diagnostics/render.js";
import { SourceFile, span } from "../diagnostics/source.js";
import { jsonNestingProblem } from "../io/json-nesting.js";
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

/** A schema as read: its value, and its file and syntax tree, to point at a place in it. */
interface ReadSchema {
  readonly schema: Json;
  readonly file: SourceFile;
  readonly root: JsonNode;
}

/** The node a JSON pointer (`#/properties/a/items`) names in the tree, or the nearest one above it that exists. */
function nodeAt(root: JsonNode, pointer: string): JsonNode {
  let node = root;
  for (const segment of pointer
    .replace(/^#\/?/, "")
    .split("/")
    .filter((s) => s !== "")) {
    const key = segment.replace(/~1/g, "/").replace(/~0/g, "~");
    const next =
      node.type === "object"
        ? node.children?.find((p) => p.children?.[0]?.value === key)?.children?.[1]
        : node.type === "array"
          ? node.children?.[Number(key)]
          : undefined;
    if (next === undefined) break;
    node = next;
  }
  return node;
}

function readSchema(typed: string, cwd: string): ReadSchema | Diagnostic {
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
  const file = new SourceFile(given, text);
  const deep = jsonNestingProblem(file);
  if (deep !== undefined) {
    return diagnostic(
      "EVT0601",
      { path: given, reason: `${deep.reason}, deeper than evtc reads` },
      { span: deep.span, help: "no schema needs that depth: flatten it, or move the deep part into `definitions`" },
    );
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
      { span: span(file, at.offset, at.offset + Math.max(at.length, 1)) },
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
  return { schema, file, root };
}

function isDiagnostic(value: ReadSchema | Diagnostic): value is Diagnostic {
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
  // As `evtc check --format json` reports them: a tool reading the verdict's JSON reads why there is none.
  const refuse = (problems: readonly Diagnostic[]) => {
    if (options.format === "json") terminal.stdout(`${renderAll(problems, "json", { color: false })}\n`);
    else terminal.stderr(`${renderAll(problems, "text", { color: options.color })}\n`);
    return 2;
  };
  // The same file given twice is one problem.
  if (problems.length > 0) return refuse(sortAndDedupe(problems));
  const [old, current] = [previous as ReadSchema, next as ReadSchema];
  const result = checkCompatibility([old.schema], current.schema, options.mode, options.policy);
  const changes = result.verdicts.flatMap((v) => v.differences);
  const stopped = changes.find((d) => d.type === "SCHEMA_TOO_DEEP");
  if (stopped) {
    // Nested that deep in both, since the comparison walks both at once: shown in the new schema, and in the old.
    const [inNew, inOld] =
      stopped.direction === "backward"
        ? [stopped.updatePath, stopped.originalPath]
        : [stopped.originalPath, stopped.updatePath];
    const at = (schema: ReadSchema, pointer: string) => {
      const node = nodeAt(schema.root, pointer);
      return span(
        schema.file,
        node.offset,
        node.offset + (node.type === "object" || node.type === "array" ? 1 : node.length),
      );
    };
    const problem = diagnostic(
      "EVT0601",
      {
        path: current.file.path,
        reason: `its schemas nest more than ${MAX_SCHEMA_DEPTH} deep at \`${inNew}\`, deeper than the comparison goes`,
      },
      {
        span: at(current, inNew),
        related: [{ span: at(old, inOld), message: `as deep in \`${old.file.path}\`` }],
        help: "no schema needs that depth: flatten it, or break the chain of `$ref`s that leads there",
      },
    );
    return refuse([problem]);
  }
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
