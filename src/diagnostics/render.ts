import { pathOf, type Diagnostic } from "./diagnostic.js";
import type { Span } from "./source.js";
import { textWidth } from "./text-width.js";

export type OutputFormat = "text" | "json" | "github";
export const outputFormats: readonly OutputFormat[] = ["text", "json", "github"];

export interface TextStyle {
  readonly color: boolean;
}

const ansi = {
  red: "\u001b[31m",
  yellow: "\u001b[33m",
  blue: "\u001b[34m",
  cyan: "\u001b[36m",
  bold: "\u001b[1m",
  reset: "\u001b[0m",
};

function paint(style: TextStyle, codes: string, text: string): string {
  return style.color ? `${codes}${text}${ansi.reset}` : text;
}

const TAB = "    ";

function expandTabs(text: string): string {
  return text.replace(/\t/g, TAB);
}

interface Located {
  path: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

function locate(span: Span): Located {
  const start = span.file.position(span.start);
  const end = span.file.position(span.end);
  return { path: span.file.path, line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
}

/** A source line longer than this is cut to the span and some context on each side. */
const LONG_LINE = 160;
const CONTEXT = 40;
const LONG_SPAN = 80;

/** Source line with a caret underline; multi-line spans are underlined to the end of their first line. */
function snippet(
  span: Span,
  label: string | undefined,
  gutter: number,
  style: TextStyle,
  caretColor: string,
): string[] {
  const { line, column, endLine, endColumn } = locate(span);
  const text = span.file.lineText(line);
  let before = expandTabs(text.slice(0, column - 1));
  const lastColumn = endLine === line ? Math.max(endColumn, column + 1) : Math.max(text.length + 1, column + 1);
  let underlined = expandTabs(text.slice(column - 1, lastColumn - 1));
  let after = expandTabs(text.slice(lastColumn - 1));
  // A long line (a minified or generated one) is shown around the span only, as rustc does.
  if (before.length + underlined.length + after.length > LONG_LINE) {
    if (before.length > CONTEXT + 1) before = `…${before.slice(-CONTEXT)}`;
    if (underlined.length > LONG_SPAN) underlined = `${underlined.slice(0, LONG_SPAN)}…`;
    if (after.length > CONTEXT) after = `${after.slice(0, CONTEXT)}…`;
  }
  // Wide characters (CJK, emoji) take two columns in a terminal: the carets go under what they underline.
  const carets = "^".repeat(Math.max(1, textWidth(underlined)));
  const bar = paint(style, ansi.blue + ansi.bold, "|");
  const pad = " ".repeat(gutter);
  const lineNo = paint(style, ansi.blue + ansi.bold, String(line).padStart(gutter));
  const underline = paint(style, caretColor + ansi.bold, carets + (label ? ` ${label}` : ""));
  return [
    `${pad} ${bar}`,
    `${lineNo} ${bar} ${before}${underlined}${after}`.trimEnd(),
    `${pad} ${bar} ${" ".repeat(textWidth(before))}${underline}`,
  ];
}

export function renderText(d: Diagnostic, style: TextStyle): string {
  const color = d.severity === "error" ? ansi.red : ansi.yellow;
  const head = paint(style, color + ansi.bold, `${d.severity}[${d.code}]`) + paint(style, ansi.bold, `: ${d.message}`);
  const out = [head];
  const spans = [d.span, ...d.related.map((r) => r.span)].filter((s): s is Span => s !== undefined);
  const gutter = Math.max(1, ...spans.map((s) => String(s.file.position(s.end).line).length));
  const pad = " ".repeat(gutter);
  const arrow = paint(style, ansi.blue + ansi.bold, "-->");
  if (d.span) {
    const at = locate(d.span);
    out.push(`${pad}${arrow} ${at.path}:${at.line}:${at.column}`);
    out.push(...snippet(d.span, d.label, gutter, style, color));
  } else if (d.path) {
    out.push(`${pad}${arrow} ${d.path}`);
  }
  for (const related of d.related) {
    const at = locate(related.span);
    out.push(`${pad}${paint(style, ansi.blue + ansi.bold, ":::")} ${at.path}:${at.line}:${at.column}`);
    out.push(...snippet(related.span, related.message, gutter, style, ansi.blue));
  }
  if (d.help) {
    const bar = paint(style, ansi.blue + ansi.bold, "=");
    out.push(`${pad} ${bar} ${paint(style, ansi.bold, "help")}: ${d.help}`);
  }
  return out.join("\n");
}

export function summaryLine(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return `${plural(errors, "error")}, ${plural(warnings, "warning")}`;
}

export function toJson(d: Diagnostic): object {
  return {
    code: d.code,
    severity: d.severity,
    message: d.message,
    ...(d.span ? locate(d.span) : { path: pathOf(d) }),
    ...(d.label !== undefined ? { label: d.label } : {}),
    ...(d.help !== undefined ? { help: d.help } : {}),
    related: d.related.map((r) => ({ ...locate(r.span), message: r.message })),
  };
}

function escapeGithubData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function escapeGithubProperty(text: string): string {
  return escapeGithubData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** A GitHub Actions workflow command, which the runner turns into an annotation on the pull request. */
export function renderGithub(d: Diagnostic): string {
  const props: string[] = [`file=${escapeGithubProperty(pathOf(d))}`];
  if (d.span) {
    const at = locate(d.span);
    props.push(`line=${at.line}`, `col=${at.column}`, `endLine=${at.endLine}`, `endColumn=${at.endColumn}`);
  }
  props.push(`title=${escapeGithubProperty(d.code)}`);
  const body = d.help ? `${d.message}\nhelp: ${d.help}` : d.message;
  return `::${d.severity} ${props.join(",")}::${escapeGithubData(body)}`;
}

export function renderAll(diagnostics: readonly Diagnostic[], format: OutputFormat, style: TextStyle): string {
  switch (format) {
    case "json": {
      const errors = diagnostics.filter((d) => d.severity === "error").length;
      return JSON.stringify(
        { diagnostics: diagnostics.map(toJson), summary: { errors, warnings: diagnostics.length - errors } },
        null,
        2,
      );
    }
    case "github":
      return diagnostics.map(renderGithub).join("\n");
    case "text":
      return diagnostics.map((d) => renderText(d, style)).join("\n\n");
  }
}
