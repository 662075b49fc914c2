/**
 * A small document printer in the manner of Wadler's "prettier printer", with prettier's own rules for when a
 * group breaks: a group is printed on one line when it fits in the width together with what follows it up to
 * the next possible line break, and broken otherwise; a hard line breaks every group around it.
 *
 * Generated TypeScript is built as documents and printed here, straight to prettier's layout (see
 * `typescript.ts`), because running prettier over a large project's modules cost more than the rest of the
 * build together; the tests prove the printed modules are fixed points of prettier.
 */

import { textWidth } from "../diagnostics/text-width.js";
export type Doc = string | readonly Doc[] | Group | Conditional | Indent | IndentIfBreak | Line | IfBreak;

interface Group {
  readonly kind: "group";
  readonly contents: Doc;
  /** Set when the group holds a hard line: such a group can never be flat. */
  broken: boolean;
}

/**
 * Layouts tried in order, the first that fits printed flat, else the last broken (prettier's
 * `conditionalGroup`, how it hugs a call's last argument).
 */
interface Conditional {
  readonly kind: "conditional";
  readonly states: readonly Doc[];
}

interface Indent {
  readonly kind: "indent";
  readonly contents: Doc;
}

/** Indented only when `group` was broken (prettier's `indentIfBreak`). */
interface IndentIfBreak {
  readonly kind: "indent-if-break";
  readonly group: Group;
  readonly contents: Doc;
}

interface Line {
  readonly kind: "line";
  /** A space when flat (`line`), nothing when flat (`softline`), or always a newline (`hardline`). */
  readonly flat: " " | "" | undefined;
}

interface IfBreak {
  readonly kind: "if-break";
  readonly broken: Doc;
  readonly flat: Doc;
}

/** A space, or a newline when its group breaks. */
export const line: Line = { kind: "line", flat: " " };
/** Nothing, or a newline when its group breaks. */
export const softline: Line = { kind: "line", flat: "" };
/** Always a newline; the groups around it break. */
export const hardline: Line = { kind: "line", flat: undefined };

export function group(...contents: Doc[]): Group {
  return { kind: "group", contents, broken: breaks(contents) };
}

export function indent(...contents: Doc[]): Indent {
  return { kind: "indent", contents };
}

export function conditionalGroup(states: readonly Doc[]): Conditional {
  return { kind: "conditional", states };
}

export function indentIfBreak(broken: Group, ...contents: Doc[]): IndentIfBreak {
  return { kind: "indent-if-break", group: broken, contents };
}

export function ifBreak(broken: Doc, flat: Doc = ""): IfBreak {
  return { kind: "if-break", broken, flat };
}

export function join(separator: Doc, docs: readonly Doc[]): Doc[] {
  const joined: Doc[] = [];
  docs.forEach((doc, i) => {
    if (i > 0) joined.push(separator);
    joined.push(doc);
  });
  return joined;
}

/** Whether `doc` holds a hard line outside any group (a group records its own, at construction). */
function breaks(doc: Doc): boolean {
  if (typeof doc === "string") return false;
  if (Array.isArray(doc)) return (doc as readonly Doc[]).some(breaks);
  const d = doc as Exclude<Doc, string | readonly Doc[]>;
  switch (d.kind) {
    case "group":
      return d.broken;
    case "conditional":
      // Never broken itself, but what its first layout holds breaks the groups around it.
      return breaks(d.states[0] ?? "");
    case "indent":
    case "indent-if-break":
      return breaks(d.contents);
    case "line":
      return d.flat === undefined;
    case "if-break":
      return breaks(d.broken);
  }
}

type Mode = "flat" | "break";
/**
 * The commands still to print, innermost last: a document with its indentation and mode, in three parallel
 * stacks rather than a tuple per command, since a large project's modules push millions of them.
 */
class Commands {
  readonly indentations: number[] = [];
  readonly modes: Mode[] = [];
  readonly docs: Doc[] = [];

  get length(): number {
    return this.docs.length;
  }

  push(indentation: number, mode: Mode, doc: Doc): void {
    this.indentations.push(indentation);
    this.modes.push(mode);
    this.docs.push(doc);
  }
}

/** The stacks `fits` works on, reused from call to call (it never runs twice at once). */
const fitModes: Mode[] = [];
const fitDocs: Doc[] = [];

/**
 * Whether `doc`, printed in `mode`, fits in `width` columns, followed by the rest of the line in the mode it
 * will be printed in (`rest`, innermost last, up to the first newline).
 */
function fits(mode: Mode, doc: Doc, rest: Commands, width: number): boolean {
  try {
    return measure(mode, doc, rest, width);
  } finally {
    // Not keeping the last module's documents alive until the next call.
    fitModes.length = 0;
    fitDocs.length = 0;
  }
}

function measure(mode: Mode, doc: Doc, rest: Commands, width: number): boolean {
  fitModes.push(mode);
  fitDocs.push(doc);
  let restIndex = rest.length;
  while (width >= 0) {
    if (fitDocs.length === 0) {
      if (restIndex === 0) return true;
      restIndex--;
      fitModes.push(rest.modes[restIndex]!);
      fitDocs.push(rest.docs[restIndex]!);
      continue;
    }
    const mode = fitModes.pop()!;
    const doc = fitDocs.pop()!;
    if (typeof doc === "string") {
      width -= textWidth(doc);
    } else if (Array.isArray(doc)) {
      const docs = doc as readonly Doc[];
      for (let i = docs.length - 1; i >= 0; i--) {
        fitModes.push(mode);
        fitDocs.push(docs[i]!);
      }
    } else {
      const d = doc as Exclude<Doc, string | readonly Doc[]>;
      switch (d.kind) {
        case "group":
          fitModes.push(d.broken ? "break" : mode);
          fitDocs.push(d.contents);
          break;
        case "conditional":
          fitModes.push(mode);
          fitDocs.push((mode === "break" ? d.states[d.states.length - 1] : d.states[0]) ?? "");
          break;
        case "indent":
        case "indent-if-break":
          fitModes.push(mode);
          fitDocs.push(d.contents);
          break;
        case "if-break":
          fitModes.push(mode);
          fitDocs.push(mode === "break" ? d.broken : d.flat);
          break;
        case "line":
          if (mode === "break" || d.flat === undefined) return true;
          width -= d.flat.length;
          break;
      }
    }
  }
  return false;
}

/** Prints `doc` in `width` columns, two spaces per indentation level; trailing spaces are never written. */
export function printDoc(doc: Doc, width: number): string {
  const out: string[] = [];
  let column = 0;
  const commands = new Commands();
  commands.push(0, "break", doc);
  const groupModes = new Map<Group, Mode>();
  while (commands.length > 0) {
    const indentation = commands.indentations.pop()!;
    const mode = commands.modes.pop()!;
    const d = commands.docs.pop()!;
    if (typeof d === "string") {
      out.push(d);
      column += textWidth(d);
      continue;
    }
    if (Array.isArray(d)) {
      const docs = d as readonly Doc[];
      for (let i = docs.length - 1; i >= 0; i--) commands.push(indentation, mode, docs[i]!);
      continue;
    }
    const node = d as Exclude<Doc, string | readonly Doc[]>;
    switch (node.kind) {
      case "group": {
        const chosen: Mode =
          (mode === "flat" && !node.broken) || (!node.broken && fits("flat", node.contents, commands, width - column))
            ? "flat"
            : "break";
        groupModes.set(node, chosen);
        commands.push(indentation, chosen, node.contents);
        break;
      }
      case "conditional": {
        const states = node.states;
        if (mode === "flat") {
          commands.push(indentation, "flat", states[0] ?? "");
          break;
        }
        const fitting = states.find((state) => fits("flat", state, commands, width - column));
        if (fitting !== undefined) commands.push(indentation, "flat", fitting);
        else commands.push(indentation, "break", states[states.length - 1] ?? "");
        break;
      }
      case "indent":
        commands.push(indentation + 2, mode, node.contents);
        break;
      case "indent-if-break":
        commands.push(indentation + (groupModes.get(node.group) === "break" ? 2 : 0), mode, node.contents);
        break;
      case "if-break":
        commands.push(indentation, mode, mode === "break" ? node.broken : node.flat);
        break;
      case "line":
        if (mode === "flat" && node.flat !== undefined) {
          out.push(node.flat);
          column += node.flat.length;
          break;
        }
        trimTrailingSpaces(out);
        out.push("\n" + " ".repeat(indentation));
        column = indentation;
        break;
    }
  }
  trimTrailingSpaces(out);
  return out.join("");
}

function trimTrailingSpaces(out: string[]): void {
  while (out.length > 0) {
    const last = out[out.length - 1]!;
    // Most lines end in something else than a space or a tab: nothing to trim, no regular expression to run.
    const end = last.charCodeAt(last.length - 1);
    if (last.length > 0 && end !== 32 && end !== 9) return;
    const trimmed = last.replace(/[ \t]+$/, "");
    if (trimmed.length > 0 || last.length === 0) {
      out[out.length - 1] = trimmed;
      if (trimmed.length > 0) return;
    }
    out.pop();
  }
}
