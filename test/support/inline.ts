import { expect } from "vitest";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";
import { SourceFile } from "../../src/diagnostics/source.js";
import { rules } from "../../src/check/rules/index.js";
import { defaultConfig, type ProjectConfig } from "../../src/config/config.js";
import { checkSources, type CheckHooks, type CheckResult } from "../../src/program.js";
import { emptyLock } from "../../src/contracts/lock.js";

/**
 * Inline sources mark expected spans with `«…»`; markers are removed before checking, and
 * `expectDiagnostics` matches each diagnostic's code and exact span against them, in order.
 */
export interface Marked {
  readonly text: string;
  readonly spans: ReadonlyArray<{ start: number; end: number }>;
}

export function mark(source: string): Marked {
  let text = "";
  const spans: Array<{ start: number; end: number }> = [];
  const open: number[] = [];
  for (const ch of source) {
    if (ch === "«") open.push(text.length);
    else if (ch === "»") {
      const start = open.pop();
      if (start === undefined) throw new Error("unbalanced » in test source");
      spans.push({ start, end: text.length });
    } else text += ch;
  }
  if (open.length > 0) throw new Error("unbalanced « in test source");
  spans.sort((a, b) => a.start - b.start || a.end - b.end);
  return { text, spans };
}

/** Every governance rule off: for tests of the parser and resolver alone. */
export const rulesOff: ProjectConfig = {
  ...defaultConfig,
  ruleLevels: new Map(rules.map((rule) => [rule.id, "off"])),
};

/** Checks one or more inline files (by name) as a project, with the governance rules off. */
export function checkInline(
  files: string | Record<string, string>,
  config: ProjectConfig = rulesOff,
  hooks: CheckHooks = {},
): CheckResult & { marks: Record<string, Marked> } {
  const named = typeof files === "string" ? { "main.evt": files } : files;
  const marks: Record<string, Marked> = {};
  const sources = Object.entries(named).map(([name, text]) => {
    marks[name] = mark(text);
    return new SourceFile(name, marks[name]!.text);
  });
  return { ...checkSources(sources, [], config, emptyLock, hooks), marks };
}

/** Checks inline files with the governance rules at their default levels (or the given configuration). */
export function lintInline(files: string | Record<string, string>, config: ProjectConfig = defaultConfig) {
  return checkInline(files, config);
}

export interface Expected {
  readonly code: string;
  /** Index of the `«…»` span in `file` (default: the only file). */
  readonly at?: number;
  readonly file?: string;
  readonly message?: string | RegExp;
  readonly help?: string | RegExp;
}

function describe(d: Diagnostic): string {
  const where = d.span
    ? `${d.span.file.path}@${d.span.start}-${d.span.end} ${JSON.stringify(d.span.file.text.slice(d.span.start, d.span.end))}`
    : d.path;
  return `${d.code} ${where}: ${d.message}`;
}

/** Strict: exactly these diagnostics, in the sorted order (by file, then position). */
export function expectDiagnostics(result: ReturnType<typeof checkInline>, expected: readonly Expected[]): void {
  const actual = result.diagnostics.map(describe);
  const wanted = expected.map((e) => {
    const file = e.file ?? Object.keys(result.marks)[0]!;
    const marked = result.marks[file]!;
    const s = e.at === undefined ? undefined : marked.spans[e.at];
    if (e.at !== undefined && !s) throw new Error(`no span #${e.at} in ${file}`);
    return { e, file, s };
  });
  expect(actual.length, `diagnostics:\n${actual.join("\n")}`).toBe(expected.length);
  result.diagnostics.forEach((d, i) => {
    const { e, file, s } = wanted[i]!;
    const context = `diagnostic #${i}: ${actual[i]}`;
    expect(d.code, context).toBe(e.code);
    if (s) {
      expect(d.span?.file.path, context).toBe(file);
      expect({ start: d.span?.start, end: d.span?.end }, context).toEqual(s);
    }
    if (typeof e.message === "string") expect(d.message, context).toBe(e.message);
    else if (e.message) expect(d.message, context).toMatch(e.message);
    if (typeof e.help === "string") expect(d.help, context).toBe(e.help);
    else if (e.help) expect(d.help ?? "", context).toMatch(e.help);
  });
}

export function expectClean(result: CheckResult): void {
  expect(result.diagnostics.map(describe)).toEqual([]);
}

/** Teams, domains and one event that most inline tests build on. */
export const preamble = `
team billing { contact "billing@operator.example" }
team crm { contact "crm@operator.example" }
domain billing { owner billing }
domain crm { owner crm }
event PaymentReceived v1.1 {
  paymentId uuid
  msisdn string
  amount decimal
}
`;
