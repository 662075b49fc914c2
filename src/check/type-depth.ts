import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import type * as m from "../model/bus.js";

/**
 * How deep a field's type may nest arrays, maps and records (EVT0415). `a string[][]` is 2 deep, `a map<int>[]`
 * 2, and `a R` one more than the deepest field of the record `R`. Everything downstream walks such paths by
 * recursion (the JSON Schema, TypeScript and validator emitters, prettier and ajv, the lock, the compatibility
 * check); at this depth each keeps well within the stack, as EVT0204's limit on brackets does for the parser.
 */
export const MAX_TYPE_DEPTH = 64;

/** A field's type seen from the field: the arrays and maps around it, and the record inside them, if any. */
interface Step {
  readonly field: m.Field;
  readonly wrappers: number;
  readonly record?: m.RecordType;
}

function stepOf(field: m.Field): Step {
  let type = field.type;
  let wrappers = 0;
  for (; type.kind === "array" || type.kind === "map"; wrappers++)
    type = type.kind === "array" ? type.items : type.values;
  return type.kind === "record" ? { field, wrappers, record: type.record } : { field, wrappers };
}

/**
 * Reports fields whose type nests deeper than {@link MAX_TYPE_DEPTH}, once per cause: at the field where the
 * nesting passes the limit (the field of a long chain of records whose record is still within it, not every
 * field above it), and once for records that refer to each other in a cycle too long to go around. Without
 * recursion, so that no input can exhaust the stack here either.
 */
export function checkTypeDepth(records: Iterable<m.RecordType>, events: Iterable<m.EventType>): Diagnostic[] {
  const steps = new Map<m.RecordType, Step[]>();
  for (const record of records) steps.set(record, record.fields.map(stepOf));
  const diagnostics: Diagnostic[] = [];
  /** How deep each record's fields nest, at most: exact outside cycles, a bound (every record of it in turn) in one. */
  const deepest = new Map<m.RecordType, number>();
  const depthOf = (step: Step) => step.wrappers + (step.record ? 1 + (deepest.get(step.record) ?? 0) : 0);
  /** A field's depth, less what a record already too deep (and reported where it is) adds to it. */
  const ownDepth = (step: Step) =>
    step.record && (deepest.get(step.record) ?? 0) > MAX_TYPE_DEPTH ? step.wrappers + 1 : depthOf(step);
  const reportField = (owner: string, step: Step) => {
    if (ownDepth(step) <= MAX_TYPE_DEPTH) return;
    const inner = step.record;
    diagnostics.push(
      diagnostic(
        "EVT0415",
        { field: `${owner}.${step.field.name}`, depth: depthOf(step), limit: MAX_TYPE_DEPTH, cycle: false },
        {
          span: step.field.declaration.type.span,
          related: inner
            ? [{ span: inner.nameSpan, message: `\`${inner.name}\` nests ${deepest.get(inner) ?? 0} deep` }]
            : [],
          help: "flatten the type: fewer arrays and maps inside each other, or a list of records rather than each record holding the next",
        },
      ),
    );
  };
  for (const component of stronglyConnected(steps)) {
    const members = new Set(component);
    const [first] = component;
    if (component.length === 1 && !steps.get(first!)!.some((s) => s.record === first)) {
      deepest.set(
        first!,
        steps.get(first!)!.reduce((most, step) => Math.max(most, depthOf(step)), 0),
      );
      for (const step of steps.get(first!)!) reportField(first!.name, step);
      continue;
    }
    // A value passes through each record of the cycle at most once (emitters stop at a record they are already
    // in): from record to record, then from the last one back into the cycle, or out of it. So at most every step
    // onward but the last record's, and that record's way back or out.
    let onwardSum = 0;
    let last = 0;
    let lastWithin = 0;
    for (const record of component) {
      let onward = 0;
      let closing = 0;
      let leaving = 0;
      let leavingWithin = 0;
      for (const step of steps.get(record)!) {
        if (step.record && members.has(step.record)) {
          closing = Math.max(closing, step.wrappers + 1);
          if (step.record !== record) onward = Math.max(onward, step.wrappers + 1);
        } else {
          leaving = Math.max(leaving, depthOf(step));
          if (ownDepth(step) <= MAX_TYPE_DEPTH) leavingWithin = Math.max(leavingWithin, depthOf(step));
        }
      }
      onwardSum += onward;
      last = Math.max(last, Math.max(closing, leaving) - onward);
      lastWithin = Math.max(lastWithin, Math.max(closing, leavingWithin) - onward);
    }
    for (const record of component) deepest.set(record, onwardSum + last);
    for (const record of component)
      for (const step of steps.get(record)!)
        if (!step.record || !members.has(step.record)) reportField(record.name, step);
    if (onwardSum + lastWithin > MAX_TYPE_DEPTH)
      diagnostics.push(cycleDiagnostic(component, steps, onwardSum + lastWithin));
  }
  for (const event of events) {
    for (const field of event.fields) if (field.declaredIn === event.name) reportField(event.name, stepOf(field));
  }
  return diagnostics;
}

/** The one report of a cycle whose records nest up to `within` deep: at the first record's field into the cycle. */
function cycleDiagnostic(
  component: readonly m.RecordType[],
  steps: Map<m.RecordType, Step[]>,
  within: number,
): Diagnostic {
  const members = new Set(component);
  const ordered = [...component].sort(
    (a, b) =>
      (a.nameSpan.file.path < b.nameSpan.file.path ? -1 : a.nameSpan.file.path > b.nameSpan.file.path ? 1 : 0) ||
      a.nameSpan.start - b.nameSpan.start,
  );
  const record = ordered[0]!;
  const inCycle = steps.get(record)!.filter((s) => s.record !== undefined && members.has(s.record));
  const step = inCycle.find((s) => s.record !== record) ?? inCycle[0]!;
  const shown = ordered.slice(0, 3).map((r) => `\`${r.name}\``);
  const names =
    ordered.length <= 3
      ? shown.length === 1
        ? shown[0]
        : `${shown.slice(0, -1).join(", ")} and ${shown.at(-1)}`
      : `${shown.join(", ")} and ${ordered.length - 3} more records`;
  return diagnostic(
    "EVT0415",
    {
      field: `${record.name}.${step.field.name}`,
      depth: step.wrappers + 1 + within,
      limit: MAX_TYPE_DEPTH,
      cycle: true,
    },
    {
      span: step.field.declaration.type.span,
      related: ordered.slice(1, 3).map((r) => ({ span: r.nameSpan, message: `\`${r.name}\` is part of the cycle` })),
      help:
        ordered.length === 1
          ? `\`${record.name}\` holds itself, so a value may pass through it once more: flatten the record`
          : `${names} refer to each other, so a value may pass through each of them in turn: break the cycle, or flatten the records`,
    },
  );
}

/**
 * The records in groups that refer to each other (Tarjan's strongly connected components, with an explicit
 * stack), each group after every group it refers to.
 */
function stronglyConnected(steps: Map<m.RecordType, Step[]>): m.RecordType[][] {
  const index = new Map<m.RecordType, number>();
  const low = new Map<m.RecordType, number>();
  const onStack = new Set<m.RecordType>();
  const stack: m.RecordType[] = [];
  const components: m.RecordType[][] = [];
  const targets = (r: m.RecordType) =>
    steps
      .get(r)!
      .map((s) => s.record)
      .filter((t): t is m.RecordType => t !== undefined && steps.has(t));
  for (const root of steps.keys()) {
    if (index.has(root)) continue;
    const frames: Array<{ record: m.RecordType; next: m.RecordType[]; at: number }> = [];
    const enter = (record: m.RecordType) => {
      index.set(record, index.size);
      low.set(record, index.get(record)!);
      stack.push(record);
      onStack.add(record);
      frames.push({ record, next: targets(record), at: 0 });
    };
    enter(root);
    while (frames.length > 0) {
      const frame = frames.at(-1)!;
      if (frame.at < frame.next.length) {
        const target = frame.next[frame.at++]!;
        if (!index.has(target)) enter(target);
        else if (onStack.has(target)) low.set(frame.record, Math.min(low.get(frame.record)!, index.get(target)!));
        continue;
      }
      frames.pop();
      const parent = frames.at(-1);
      if (parent) low.set(parent.record, Math.min(low.get(parent.record)!, low.get(frame.record)!));
      if (low.get(frame.record) === index.get(frame.record)) {
        const component: m.RecordType[] = [];
        let member: m.RecordType;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.record);
        components.push(component);
      }
    }
  }
  return components;
}
