import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import type * as m from "../model/bus.js";
import { parseQuantity } from "../model/units.js";
import type * as ast from "../syntax/ast.js";
import { describeType } from "./resolve.js";

type Report = (d: Diagnostic) => void;

const numericTypes = new Set(["int", "long", "double", "decimal"]);
const integerTypes = new Set(["int", "long"]);

/** The values of each integer type, exactly: a `long`'s ends are past what a JavaScript number holds exactly. */
const integerRanges: Record<string, { bits: number; low: bigint; high: bigint }> = {
  int: { bits: 32, low: -(2n ** 31n), high: 2n ** 31n - 1n },
  long: { bits: 64, low: -(2n ** 63n), high: 2n ** 63n - 1n },
};

/**
 * Why a number (a bound, a default) is no value of the numeric type `type`, or undefined when it is one. Exact for
 * whole numbers written out in digits; a number with a multiplier (`5G`) is compared as parsed. A `double` or a
 * `decimal` takes any finite number (a decimal's bounds are compared as JavaScript numbers too).
 */
function outOfRange(type: string, text: string, value: number): string | undefined {
  const range = integerRanges[type];
  if (range === undefined) {
    return numericTypes.has(type) && !Number.isFinite(value)
      ? `too large: past the largest number JavaScript holds, about 1.8e308`
      : undefined;
  }
  const exact = /^-?\d+$/.test(text) ? BigInt(text) : undefined;
  const outside =
    exact !== undefined
      ? exact < range.low || exact > range.high
      : value < Number(range.low) || value > Number(range.high);
  return outside ? `out of the range of a ${range.bits}-bit \`${type}\`, ${range.low} to ${range.high}` : undefined;
}

/** A number as a message quotes it: in full, unless it runs on for hundreds of digits (the caret shows it all). */
function shortened(text: string): string {
  return text.length <= 24 ? text : `${text.slice(0, 20)}… (${text.length} characters)`;
}

const appliesTo: Record<ast.ConstraintKind, (type: m.FieldType) => boolean> = {
  pattern: (t) => t.kind === "builtin" && t.name === "string",
  minLength: (t) => t.kind === "builtin" && t.name === "string",
  maxLength: (t) => t.kind === "builtin" && t.name === "string",
  min: (t) => t.kind === "builtin" && numericTypes.has(t.name),
  max: (t) => t.kind === "builtin" && numericTypes.has(t.name),
  minItems: (t) => t.kind === "array",
  maxItems: (t) => t.kind === "array",
};

/** Checks where each constraint applies and that its value makes sense; returns the valid ones. */
export function resolveConstraints(field: ast.Field, type: m.FieldType, report: Report): m.Constraints {
  const out: { -readonly [K in keyof m.Constraints]: m.Constraints[K] } = {};
  const seen = new Map<string, ast.Constraint>();
  for (const c of field.constraints) {
    const first = seen.get(c.kind);
    if (first) {
      report(
        diagnostic(
          "EVT0402",
          { clause: c.kind },
          { span: c.keywordSpan, related: [{ span: first.keywordSpan, message: "first given here" }] },
        ),
      );
      continue;
    }
    seen.set(c.kind, c);
    if (!appliesTo[c.kind](type)) {
      report(diagnostic("EVT0406", { constraint: c.kind, type: describeType(type) }, { span: c.keywordSpan }));
      continue;
    }
    if (c.kind === "pattern") {
      if (c.value.kind !== "string") continue;
      try {
        new RegExp(c.value.value, "u");
        out.pattern = c.value.value;
      } catch (error) {
        report(
          diagnostic(
            "EVT0407",
            { reason: `\`pattern\` is not a valid regular expression (${(error as Error).message})` },
            { span: c.value.span },
          ),
        );
      }
      continue;
    }
    if (c.value.kind !== "quantity") continue;
    const parsed = parseQuantity(c.value.text);
    if ("error" in parsed || parsed.kind !== "count") {
      report(diagnostic("EVT0105", { expected: "a number", found: `\`${c.value.text}\`` }, { span: c.value.span }));
      continue;
    }
    const isLength = c.kind !== "min" && c.kind !== "max";
    if (isLength && (!Number.isInteger(parsed.value) || parsed.value < 0)) {
      report(
        diagnostic(
          "EVT0407",
          { reason: `\`${c.kind}\` must be a whole number of at least 0, not ${c.value.text}` },
          { span: c.value.span },
        ),
      );
      continue;
    }
    if (!isLength && type.kind === "builtin" && integerTypes.has(type.name) && !Number.isInteger(parsed.value)) {
      report(
        diagnostic(
          "EVT0407",
          { reason: `\`${c.kind}\` of an \`${type.name}\` field must be a whole number, not ${c.value.text}` },
          { span: c.value.span },
        ),
      );
      continue;
    }
    // A bound no value of the type reaches would make a schema nothing passes (or, past a double, no JSON at all).
    const outside =
      !isLength && type.kind === "builtin" ? outOfRange(type.name, c.value.text, parsed.value) : undefined;
    if (outside !== undefined) {
      report(
        diagnostic(
          "EVT0407",
          { reason: `\`${c.kind}\` ${shortened(c.value.text)} is ${outside}` },
          {
            span: c.value.span,
            help:
              type.kind === "builtin" && type.name === "int"
                ? "give a bound within the type's range, or make the field a `long` for larger numbers"
                : "give a bound within the type's range",
          },
        ),
      );
      continue;
    }
    out[c.kind] = parsed.value;
  }
  for (const [low, high] of [
    ["min", "max"],
    ["minLength", "maxLength"],
    ["minItems", "maxItems"],
  ] as const) {
    const lowValue = out[low];
    const highValue = out[high];
    if (lowValue !== undefined && highValue !== undefined && lowValue > highValue) {
      report(
        diagnostic(
          "EVT0407",
          { reason: `\`${low}\` ${lowValue} is above \`${high}\` ${highValue}` },
          {
            span: seen.get(low)!.span,
            related: [{ span: seen.get(high)!.span, message: `\`${high}\` given here` }],
          },
        ),
      );
      delete out[low];
      delete out[high];
    }
  }
  return out;
}

/** A default value of the field's type that satisfies its constraints, or undefined after reporting why not. */
export function checkDefault(
  field: ast.Field,
  literal: ast.Literal,
  type: m.FieldType,
  constraints: m.Constraints,
  report: Report,
): m.DefaultValue | undefined {
  const typeName = describeType(type);
  const fail = (reason: string, help?: string) => {
    report(diagnostic("EVT0408", { type: typeName, reason }, { span: literal.span, ...(help ? { help } : {}) }));
    return undefined;
  };
  void field;
  if (type.kind === "enum") {
    if (literal.kind !== "word") return fail(`expected a member of \`${type.enum.name}\``);
    if (!type.enum.members.some((member) => member.name === literal.text)) {
      report(diagnostic("EVT0308", { name: literal.text, enumName: type.enum.name }, { span: literal.span }));
      return undefined;
    }
    return literal.text;
  }
  if (type.kind !== "builtin") return fail("defaults are supported on scalar and enum fields only");
  switch (type.name) {
    case "string": {
      if (literal.kind !== "string") return fail("expected a string in double quotes");
      const value = literal.value;
      if (constraints.pattern !== undefined && !new RegExp(constraints.pattern, "u").test(value)) {
        return fail(`\`${JSON.stringify(value)}\` does not match the field's pattern`);
      }
      if (constraints.minLength !== undefined && [...value].length < constraints.minLength)
        return fail("shorter than `minLength`");
      if (constraints.maxLength !== undefined && [...value].length > constraints.maxLength)
        return fail("longer than `maxLength`");
      return value;
    }
    case "boolean":
      if (literal.kind === "word" && (literal.text === "true" || literal.text === "false"))
        return literal.text === "true";
      return fail("expected `true` or `false`");
    case "int":
    case "long":
    case "double":
    case "decimal": {
      const text = literal.kind === "quantity" ? literal.text : "";
      const parsed = literal.kind === "quantity" ? parseQuantity(text) : undefined;
      if (!parsed || "error" in parsed || parsed.kind !== "count" || /[A-Za-z]/.test(text)) {
        return fail("expected a number without a unit");
      }
      if ((type.name === "int" || type.name === "long") && !Number.isInteger(parsed.value))
        return fail("expected a whole number");
      const outside = outOfRange(type.name, text, parsed.value);
      if (outside !== undefined) return fail(outside, "give a default within the type's range");
      if (constraints.min !== undefined && parsed.value < constraints.min)
        return fail(`below \`min\` ${constraints.min}`);
      if (constraints.max !== undefined && parsed.value > constraints.max)
        return fail(`above \`max\` ${constraints.max}`);
      // A decimal keeps its digits exactly as written.
      return type.name === "decimal" ? text : parsed.value;
    }
    default:
      return fail(`defaults are not supported on \`${type.name}\` fields`);
  }
}
