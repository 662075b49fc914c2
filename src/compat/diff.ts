import { isCompatibleChange, type DifferenceType, type Policy } from "./differences.js";

/**
 * Structural differences between two JSON Schemas, after Confluent Schema Registry's `SchemaDiff`:
 * `compareSchemas(original, update)` lists what changed when `update` replaces `original`. A change keeps
 * the schemas compatible in the "update reads original" direction when its type is in the policy's set.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface Difference {
  readonly type: DifferenceType;
  /** JSON pointer (`#/properties/msisdn/maxLength`) in the schema where the change shows: the update, or the original for removals. */
  readonly path: string;
  readonly originalPath: string;
  readonly updatePath: string;
  /** The values involved, for people: "15 → 20". */
  readonly detail?: string;
}

const annotationKeywords = new Set([
  "$schema",
  "$id",
  "id",
  "title",
  "description",
  "default",
  "examples",
  "$comment",
  "deprecated",
  "readOnly",
  "writeOnly",
  "definitions",
  "$defs",
]);

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** What `ref`, a JSON pointer into `root` (`#/definitions/X`), points at; undefined when nothing. */
function pointTo(root: Json, ref: string): Json | undefined {
  let target: Json | undefined = root;
  for (const segment of ref
    .slice(1)
    .split("/")
    .filter((s) => s !== "")) {
    target = isObject(target)
      ? target[unescapePointer(segment)]
      : Array.isArray(target)
        ? target[Number(segment)]
        : undefined;
  }
  return target;
}

/**
 * Why a schema cannot be compared in full: a `$ref` to another document (which the comparison does not fetch) or
 * one pointing at nothing in this one. Either would be compared as a schema that accepts anything.
 */
export function unresolvedReference(root: Json): string | undefined {
  const pending: Json[] = [root];
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (Array.isArray(node)) pending.push(...node);
    else if (isObject(node)) {
      const ref = node["$ref"];
      if (typeof ref === "string") {
        if (!ref.startsWith("#"))
          return `\`$ref\` \`${ref}\` names another document; only references inside the file are followed`;
        if (pointTo(root, ref) === undefined) return `\`$ref\` \`${ref}\` points to nothing in the file`;
      }
      pending.push(...Object.values(node));
    }
  }
  return undefined;
}

function show(value: Json | undefined): string {
  return value === undefined ? "none" : JSON.stringify(value);
}

/** A schema that accepts everything: `true`, `{}`, or only annotations. */
function isEmptySchema(schema: Json): boolean {
  if (schema === true) return true;
  return isObject(schema) && Object.keys(schema).every((key) => annotationKeywords.has(key));
}

function isFalseSchema(schema: Json | undefined): boolean {
  return schema === false || (isObject(schema) && isObject(schema["not"]) && isEmptySchema(schema["not"]));
}

/**
 * How many schemas deep the comparison goes: each subschema (under `properties`, `items`, `allOf`…) is one level
 * inside the schema holding it, wherever `$ref`s lead. It recurses along the levels, so a schema nested deeper, as
 * a chain of `$ref`s can be in a flat file, would exhaust the stack; there it stops with `SCHEMA_TOO_DEEP`. evtc's own
 * schemas go at most `MAX_TYPE_DEPTH` + 1 deep (check/type-depth.ts); this leaves room for other tools', which
 * nest more per level (a nullable field's `anyOf`).
 */
export const MAX_SCHEMA_DEPTH = 128;

const combinators = ["allOf", "anyOf", "oneOf"] as const;
type Combinator = (typeof combinators)[number];

/**
 * What a comparison shares with the comparisons it starts (`compatible`), which run inside it: how deep they are
 * together, whether that went too deep, and the pairs of schemas being compared (a pair met again inside itself,
 * in a recursive schema, is taken as compatible while it is being decided, as recursive types are compared).
 */
interface Walk {
  depth: number;
  stopped: boolean;
  readonly inProgress: Set<string>;
}

class Comparison {
  readonly differences: Difference[] = [];

  constructor(
    private readonly originalRoot: Json,
    private readonly updateRoot: Json,
    private readonly policy: Policy,
    private readonly walk: Walk = { depth: 0, stopped: false, inProgress: new Set() },
  ) {}

  private add(
    type: DifferenceType,
    originalPath: string,
    updatePath: string,
    detail?: string,
    atOriginal = false,
  ): void {
    this.differences.push({
      type,
      path: atOriginal ? originalPath : updatePath,
      originalPath,
      updatePath,
      ...(detail !== undefined ? { detail } : {}),
    });
  }

  /** Whether `update` may replace `original` without any incompatible change (used for matching and covering). */
  private compatible(original: Json, update: Json, originalPath: string, updatePath: string): boolean {
    const sub = new Comparison(this.originalRoot, this.updateRoot, this.policy, this.walk);
    sub.compare(original, update, originalPath, updatePath);
    if (this.walk.stopped) this.differences.push(...sub.differences.filter((d) => d.type === "SCHEMA_TOO_DEEP"));
    return sub.differences.every((d) => isCompatibleChange(d.type, this.policy));
  }

  /** Follows local `$ref`s (`#/definitions/X`, `#/$defs/X`); the path follows the reference too. */
  private resolve(schema: Json, root: Json, path: string): { schema: Json; path: string } {
    let current = schema;
    let currentPath = path;
    for (let hops = 0; hops < 32 && isObject(current) && typeof current["$ref"] === "string"; hops++) {
      const ref = current["$ref"];
      if (!ref.startsWith("#")) break;
      const target = pointTo(root, ref);
      if (target === undefined) break;
      current = target;
      currentPath = ref;
    }
    return { schema: current, path: currentPath };
  }

  compare(originalIn: Json, updateIn: Json, originalPathIn: string, updatePathIn: string): void {
    const o = this.resolve(originalIn, this.originalRoot, originalPathIn);
    const u = this.resolve(updateIn, this.updateRoot, updatePathIn);
    const key = `${o.path}|${u.path}`;
    if (this.walk.inProgress.has(key)) return; // recursive schemas: this pair is already being compared
    if (this.walk.stopped) return;
    if (this.walk.depth > MAX_SCHEMA_DEPTH) {
      // Once, at the first place too deep: the comparison is over.
      this.walk.stopped = true;
      this.add("SCHEMA_TOO_DEEP", o.path, u.path, `more than ${MAX_SCHEMA_DEPTH} schemas deep`);
      return;
    }
    this.walk.inProgress.add(key);
    this.walk.depth++;
    try {
      this.compareResolved(o.schema, u.schema, o.path, u.path);
    } finally {
      this.walk.depth--;
      this.walk.inProgress.delete(key);
    }
  }

  private compareResolved(original: Json, update: Json, op: string, up: string): void {
    if (isFalseSchema(original) || isEmptySchema(update)) return; // anything may change to "accept all"
    if (isEmptySchema(original) || isFalseSchema(update)) {
      this.add("TYPE_CHANGED", op, up, `${show(original)} → ${show(update)}`);
      return;
    }
    if (!isObject(original) || !isObject(update)) return;
    this.compareMetadata(original, update, op, up);

    const oCombined = asCombined(original);
    const uCombined = asCombined(update);
    if (oCombined || uCombined) {
      this.compareCombined(original, update, oCombined, uCombined, op, up);
      return;
    }
    if (isObject(original["not"]) || isObject(update["not"])) {
      this.compareNot(original, update, op, up);
      return;
    }
    if (!this.compareTypes(original, update, op, up)) return;
    this.compareEnum(original, update, op, up);
    this.compareString(original, update, op, up);
    this.compareNumber(original, update, op, up);
    this.compareObject(original, update, op, up);
    this.compareArray(original, update, op, up);
  }

  private compareMetadata(o: JsonObject, u: JsonObject, op: string, up: string): void {
    const pairs: Array<[string, DifferenceType]> = [
      ["$id", "ID_CHANGED"],
      ["title", "TITLE_CHANGED"],
      ["description", "DESCRIPTION_CHANGED"],
      ["default", "DEFAULT_CHANGED"],
    ];
    for (const [keyword, type] of pairs) {
      if (JSON.stringify(o[keyword]) !== JSON.stringify(u[keyword])) {
        this.add(type, `${op}/${keyword}`, `${up}/${keyword}`, `${show(o[keyword])} → ${show(u[keyword])}`);
      }
    }
  }

  /** `type` compared by kind; false when the kinds differ so much that nothing else is worth comparing. */
  private compareTypes(o: JsonObject, u: JsonObject, op: string, up: string): boolean {
    const oKind = kindOf(o);
    const uKind = kindOf(u);
    if (oKind === undefined || uKind === undefined || oKind === uKind) return true;
    if (oKind === "integer" && uKind === "number") {
      this.add("TYPE_EXTENDED", `${op}/type`, `${up}/type`, "integer → number");
      return true;
    }
    if (oKind === "number" && uKind === "integer") {
      this.add("TYPE_NARROWED", `${op}/type`, `${up}/type`, "number → integer");
      return true;
    }
    this.add("TYPE_CHANGED", `${op}/type`, `${up}/type`, `${oKind} → ${uKind}`);
    return false;
  }

  private compareEnum(o: JsonObject, u: JsonObject, op: string, up: string): void {
    const values = (s: JsonObject): Json[] | undefined =>
      Array.isArray(s["enum"]) ? s["enum"] : "const" in s ? [s["const"]!] : undefined;
    const oValues = values(o);
    const uValues = values(u);
    const keyword = Array.isArray(u["enum"]) || Array.isArray(o["enum"]) ? "enum" : "const";
    if (oValues && uValues) {
      const oSet = new Set(oValues.map((v) => JSON.stringify(v)));
      const uSet = new Set(uValues.map((v) => JSON.stringify(v)));
      const added = [...uSet].filter((v) => !oSet.has(v));
      const removed = [...oSet].filter((v) => !uSet.has(v));
      if (added.length === 0 && removed.length === 0) return;
      const detail = [...removed.map((v) => `-${v}`), ...added.map((v) => `+${v}`)].join(" ");
      const isConst = "const" in o || "const" in u;
      const type: DifferenceType = isConst
        ? "ENUM_ARRAY_CHANGED"
        : removed.length === 0
          ? "ENUM_ARRAY_EXTENDED"
          : added.length === 0
            ? "ENUM_ARRAY_NARROWED"
            : "ENUM_ARRAY_CHANGED";
      this.add(type, `${op}/${keyword}`, `${up}/${keyword}`, detail);
    } else if (uValues) {
      // Confluent sees `{type, enum}` as allOf[type, enum]: a new enum is one more conjunct.
      this.add("PRODUCT_TYPE_EXTENDED", op, up, `${keyword} added`);
    } else if (oValues) {
      this.add("PRODUCT_TYPE_NARROWED", op, up, `${keyword} removed`);
    }
  }

  private compareLimit(
    o: JsonObject,
    u: JsonObject,
    keyword: string,
    op: string,
    up: string,
    types: { added: DifferenceType; removed: DifferenceType; increased: DifferenceType; decreased: DifferenceType },
  ): void {
    const a = o[keyword];
    const b = u[keyword];
    if (typeof a !== "number" && typeof b !== "number") return;
    const at: [string, string] = [`${op}/${keyword}`, `${up}/${keyword}`];
    if (typeof a !== "number") this.add(types.added, ...at, `${show(b)}`);
    else if (typeof b !== "number") this.add(types.removed, ...at, `${show(a)}`, true);
    else if (b > a) this.add(types.increased, ...at, `${a} → ${b}`);
    else if (b < a) this.add(types.decreased, ...at, `${a} → ${b}`);
  }

  private compareString(o: JsonObject, u: JsonObject, op: string, up: string): void {
    this.compareLimit(o, u, "maxLength", op, up, {
      added: "MAX_LENGTH_ADDED",
      removed: "MAX_LENGTH_REMOVED",
      increased: "MAX_LENGTH_INCREASED",
      decreased: "MAX_LENGTH_DECREASED",
    });
    this.compareLimit(o, u, "minLength", op, up, {
      added: "MIN_LENGTH_ADDED",
      removed: "MIN_LENGTH_REMOVED",
      increased: "MIN_LENGTH_INCREASED",
      decreased: "MIN_LENGTH_DECREASED",
    });
    this.compareKeyword(o, u, "pattern", op, up, ["PATTERN_ADDED", "PATTERN_REMOVED", "PATTERN_CHANGED"]);
    // Not compared by Confluent, whose readers do not check them; evtc's validators do (a `timestamp` that
    // became a `date` refuses every event written before), so for evtc they narrow and widen like a pattern.
    this.compareKeyword(o, u, "format", op, up, ["FORMAT_ADDED", "FORMAT_REMOVED", "FORMAT_CHANGED"]);
    this.compareKeyword(o, u, "contentEncoding", op, up, [
      "CONTENT_ENCODING_ADDED",
      "CONTENT_ENCODING_REMOVED",
      "CONTENT_ENCODING_CHANGED",
    ]);
  }

  /** A keyword whose value is a rule the string must follow: added, removed or changed. */
  private compareKeyword(
    o: JsonObject,
    u: JsonObject,
    keyword: string,
    op: string,
    up: string,
    [added, removed, changed]: [DifferenceType, DifferenceType, DifferenceType],
  ): void {
    const a = o[keyword];
    const b = u[keyword];
    if (a === b) return;
    const at: [string, string] = [`${op}/${keyword}`, `${up}/${keyword}`];
    if (a === undefined) this.add(added, ...at, show(b));
    else if (b === undefined) this.add(removed, ...at, show(a), true);
    else this.add(changed, ...at, `${show(a)} → ${show(b)}`);
  }

  private compareNumber(o: JsonObject, u: JsonObject, op: string, up: string): void {
    // evtc's decimals are strings with their bounds in `x-evtc-*`: compared like numeric bounds.
    for (const [maximum, minimum] of [
      ["maximum", "minimum"],
      ["x-evtc-maximum", "x-evtc-minimum"],
    ] as const) {
      this.compareLimit(o, u, maximum, op, up, {
        added: "MAXIMUM_ADDED",
        removed: "MAXIMUM_REMOVED",
        increased: "MAXIMUM_INCREASED",
        decreased: "MAXIMUM_DECREASED",
      });
      this.compareLimit(o, u, minimum, op, up, {
        added: "MINIMUM_ADDED",
        removed: "MINIMUM_REMOVED",
        increased: "MINIMUM_INCREASED",
        decreased: "MINIMUM_DECREASED",
      });
    }
    this.compareLimit(o, u, "exclusiveMaximum", op, up, {
      added: "EXCLUSIVE_MAXIMUM_ADDED",
      removed: "EXCLUSIVE_MAXIMUM_REMOVED",
      increased: "EXCLUSIVE_MAXIMUM_INCREASED",
      decreased: "EXCLUSIVE_MAXIMUM_DECREASED",
    });
    this.compareLimit(o, u, "exclusiveMinimum", op, up, {
      added: "EXCLUSIVE_MINIMUM_ADDED",
      removed: "EXCLUSIVE_MINIMUM_REMOVED",
      increased: "EXCLUSIVE_MINIMUM_INCREASED",
      decreased: "EXCLUSIVE_MINIMUM_DECREASED",
    });
    const a = o["multipleOf"];
    const b = u["multipleOf"];
    if (typeof a !== "number" && typeof b !== "number") return;
    const at: [string, string] = [`${op}/multipleOf`, `${up}/multipleOf`];
    if (typeof a !== "number") this.add("MULTIPLE_OF_ADDED", ...at, show(b));
    else if (typeof b !== "number") this.add("MULTIPLE_OF_REMOVED", ...at, show(a), true);
    else if (a === b) return;
    else if (isMultiple(b, a)) this.add("MULTIPLE_OF_EXPANDED", ...at, `${a} → ${b}`);
    else if (isMultiple(a, b)) this.add("MULTIPLE_OF_REDUCED", ...at, `${a} → ${b}`);
    else this.add("MULTIPLE_OF_CHANGED", ...at, `${a} → ${b}`);
  }

  private compareObject(o: JsonObject, u: JsonObject, op: string, up: string): void {
    const oProps = isObject(o["properties"]) ? o["properties"] : {};
    const uProps = isObject(u["properties"]) ? u["properties"] : {};
    const oRequired = new Set(
      Array.isArray(o["required"]) ? o["required"].filter((r): r is string => typeof r === "string") : [],
    );
    const uRequired = new Set(
      Array.isArray(u["required"]) ? u["required"].filter((r): r is string => typeof r === "string") : [],
    );
    const names = [...new Set([...Object.keys(oProps), ...Object.keys(uProps)])].sort();
    for (const name of names) {
      const pop = `${op}/properties/${escapePointer(name)}`;
      const pup = `${up}/properties/${escapePointer(name)}`;
      const a = oProps[name];
      const b = uProps[name];
      if (a !== undefined && b !== undefined) {
        this.compare(a, b, pop, pup);
        if (!oRequired.has(name) && uRequired.has(name)) {
          this.add(
            hasDefault(b) ? "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED" : "REQUIRED_ATTRIBUTE_ADDED",
            pop,
            pup,
            name,
          );
        } else if (oRequired.has(name) && !uRequired.has(name)) {
          this.add("REQUIRED_ATTRIBUTE_REMOVED", pop, pup, name);
        }
      } else if (a !== undefined) {
        this.propertyRemoved(name, a, oRequired.has(name), u, pop, pup);
      } else if (b !== undefined) {
        this.propertyAdded(name, b, uRequired.has(name), o, pop, pup);
      }
    }
    this.compareOpenness(o, u, "additionalProperties", op, up, {
      added: "ADDITIONAL_PROPERTIES_ADDED",
      removed: "ADDITIONAL_PROPERTIES_REMOVED",
      extended: "ADDITIONAL_PROPERTIES_EXTENDED",
      narrowed: "ADDITIONAL_PROPERTIES_NARROWED",
    });
    this.compareLimit(o, u, "maxProperties", op, up, {
      added: "MAX_PROPERTIES_ADDED",
      removed: "MAX_PROPERTIES_REMOVED",
      increased: "MAX_PROPERTIES_INCREASED",
      decreased: "MAX_PROPERTIES_DECREASED",
    });
    this.compareLimit(o, u, "minProperties", op, up, {
      added: "MIN_PROPERTIES_ADDED",
      removed: "MIN_PROPERTIES_REMOVED",
      increased: "MIN_PROPERTIES_INCREASED",
      decreased: "MIN_PROPERTIES_DECREASED",
    });
    this.compareDependencies(o, u, op, up);
  }

  /**
   * `dependencies`, as Confluent compares them: a property's list of the properties it requires (fewer is
   * compatible), or the schema the object must also match when the property is present (compared as a schema).
   */
  private compareDependencies(o: JsonObject, u: JsonObject, op: string, up: string): void {
    const od = isObject(o["dependencies"]) ? o["dependencies"] : {};
    const ud = isObject(u["dependencies"]) ? u["dependencies"] : {};
    const names = (d: JsonObject, arrays: boolean) => Object.keys(d).filter((k) => Array.isArray(d[k]) === arrays);
    const strings = (list: Json) => new Set((list as Json[]).filter((x): x is string => typeof x === "string"));
    for (const name of [...new Set([...names(od, true), ...names(ud, true)])].sort()) {
      const [dop, dup] = [`${op}/dependencies/${escapePointer(name)}`, `${up}/dependencies/${escapePointer(name)}`];
      const [before, after] = [od[name], ud[name]];
      if (!Array.isArray(after)) this.add("DEPENDENCY_ARRAY_REMOVED", dop, dup, name, true);
      else if (!Array.isArray(before)) this.add("DEPENDENCY_ARRAY_ADDED", dop, dup, name);
      else {
        const [was, is] = [strings(before), strings(after)];
        const wider = [...was].every((x) => is.has(x));
        const narrower = [...is].every((x) => was.has(x));
        if (wider && narrower) continue;
        this.add(
          wider ? "DEPENDENCY_ARRAY_EXTENDED" : narrower ? "DEPENDENCY_ARRAY_NARROWED" : "DEPENDENCY_ARRAY_CHANGED",
          dop,
          dup,
          name,
        );
      }
    }
    for (const name of [...new Set([...names(od, false), ...names(ud, false)])].sort()) {
      const [dop, dup] = [`${op}/dependencies/${escapePointer(name)}`, `${up}/dependencies/${escapePointer(name)}`];
      const [before, after] = [od[name], ud[name]];
      if (after === undefined || Array.isArray(after)) this.add("DEPENDENCY_SCHEMA_REMOVED", dop, dup, name, true);
      else if (before === undefined || Array.isArray(before)) this.add("DEPENDENCY_SCHEMA_ADDED", dop, dup, name);
      else this.compare(before, after, dop, dup);
    }
  }

  /** Removal is judged by the update's content model: only an open reader ignores what it no longer knows. */
  private propertyRemoved(
    name: string,
    schema: Json,
    wasRequired: boolean,
    update: JsonObject,
    op: string,
    up: string,
  ): void {
    const model = contentModel(update, "properties");
    if (model === "open") return this.add("PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL", op, up, name, true);
    if (model === "partial") {
      const covering = coveringSchema(update, name);
      const covered = covering !== undefined && this.compatible(schema, covering, op, up);
      return this.add(
        covered
          ? "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
          : "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        op,
        up,
        name,
        true,
      );
    }
    if (isFalseSchema(schema))
      return this.add("PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL", op, up, name, true);
    this.add(
      wasRequired
        ? "REQUIRED_PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"
        : "OPTIONAL_PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
      op,
      up,
      name,
      true,
    );
  }

  /** Addition is judged by the original's content model: an open writer may already have sent anything under that name. */
  private propertyAdded(
    name: string,
    schema: Json,
    required: boolean,
    original: JsonObject,
    op: string,
    up: string,
  ): void {
    const model = contentModel(original, "properties");
    if (model === "open") {
      if (isEmptySchema(schema))
        return this.add("PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL", op, up, name);
      return this.add(
        required
          ? hasDefault(schema)
            ? "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL"
            : "REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"
          : "OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
        op,
        up,
        name,
      );
    }
    if (model === "partial") {
      const covering = coveringSchema(original, name);
      const covered = covering !== undefined && this.compatible(covering, schema, op, up);
      this.add(
        covered
          ? "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
          : "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
        op,
        up,
        name,
      );
    }
    this.add(
      required
        ? hasDefault(schema)
          ? "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL"
          : "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL"
        : "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL",
      op,
      up,
      name,
    );
  }

  /** `additionalProperties` / `additionalItems`: allowed or not, and the schema of what is allowed. */
  private compareOpenness(
    o: JsonObject,
    u: JsonObject,
    keyword: "additionalProperties" | "additionalItems",
    op: string,
    up: string,
    types: { added: DifferenceType; removed: DifferenceType; extended: DifferenceType; narrowed: DifferenceType },
  ): void {
    const a = o[keyword];
    const b = u[keyword];
    const at: [string, string] = [`${op}/${keyword}`, `${up}/${keyword}`];
    const permits = (x: Json | undefined) => x !== false;
    if (!permits(a) && permits(b)) return this.add(types.added, ...at, "false → allowed");
    if (permits(a) && !permits(b)) return this.add(types.removed, ...at, "allowed → false");
    const aSchema = isObject(a) && !isEmptySchema(a);
    const bSchema = isObject(b) && !isEmptySchema(b);
    if (aSchema && !bSchema && permits(b)) this.add(types.extended, ...at);
    else if (!aSchema && bSchema && permits(a)) this.add(types.narrowed, ...at);
    else if (aSchema && bSchema) this.compare(a, b, at[0], at[1]);
  }

  private compareArray(o: JsonObject, u: JsonObject, op: string, up: string): void {
    const a = o["items"];
    const b = u["items"];
    // As Confluent: the schema of all items and the tuple's are compared separately, so that a tuple that
    // became one schema for all items (or the reverse) is a schema added (or removed) as well as a tuple changed.
    const [all, allAfter] = [Array.isArray(a) ? undefined : a, Array.isArray(b) ? undefined : b];
    if (all !== undefined && allAfter !== undefined) {
      this.compare(all, allAfter, `${op}/items`, `${up}/items`);
    } else if (allAfter !== undefined && !isEmptySchema(allAfter)) {
      this.add("SCHEMA_ADDED", `${op}/items`, `${up}/items`);
    } else if (all !== undefined && !isEmptySchema(all)) {
      this.add("SCHEMA_REMOVED", `${op}/items`, `${up}/items`, undefined, true);
    }
    if (Array.isArray(a) || Array.isArray(b)) {
      this.compareTuple(o, u, Array.isArray(a) ? a : [], Array.isArray(b) ? b : [], op, up);
    }
    this.compareLimit(o, u, "maxItems", op, up, {
      added: "MAX_ITEMS_ADDED",
      removed: "MAX_ITEMS_REMOVED",
      increased: "MAX_ITEMS_INCREASED",
      decreased: "MAX_ITEMS_DECREASED",
    });
    this.compareLimit(o, u, "minItems", op, up, {
      added: "MIN_ITEMS_ADDED",
      removed: "MIN_ITEMS_REMOVED",
      increased: "MIN_ITEMS_INCREASED",
      decreased: "MIN_ITEMS_DECREASED",
    });
    const unique = (s: JsonObject) => s["uniqueItems"] === true;
    if (!unique(o) && unique(u)) this.add("UNIQUE_ITEMS_ADDED", `${op}/uniqueItems`, `${up}/uniqueItems`);
    if (unique(o) && !unique(u))
      this.add("UNIQUE_ITEMS_REMOVED", `${op}/uniqueItems`, `${up}/uniqueItems`, undefined, true);
  }

  private compareTuple(o: JsonObject, u: JsonObject, a: Json[], b: Json[], op: string, up: string): void {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const iop = `${op}/items/${i}`;
      const iup = `${up}/items/${i}`;
      const x = a[i];
      const y = b[i];
      if (x !== undefined && y !== undefined) {
        this.compare(x, y, iop, iup);
        continue;
      }
      if (x !== undefined) {
        const model = contentModel(u, "items");
        if (model === "open") this.add("ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL", iop, iup, undefined, true);
        else if (model === "partial") {
          const covered = this.compatible(x, u["additionalItems"]!, iop, `${up}/additionalItems`);
          this.add(
            covered
              ? "ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
              : "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
            iop,
            iup,
            undefined,
            true,
          );
        } else if (isFalseSchema(x))
          this.add("ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL", iop, iup, undefined, true);
        else this.add("ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL", iop, iup, undefined, true);
      } else if (y !== undefined) {
        const model = contentModel(o, "items");
        if (model === "open")
          this.add(
            isEmptySchema(y)
              ? "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL"
              : "ITEM_ADDED_TO_OPEN_CONTENT_MODEL",
            iop,
            iup,
          );
        else if (model === "partial") {
          const covered = this.compatible(o["additionalItems"]!, y, `${op}/additionalItems`, iup);
          this.add(
            covered
              ? "ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
              : "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
            iop,
            iup,
          );
        } else this.add("ITEM_ADDED_TO_CLOSED_CONTENT_MODEL", iop, iup);
      }
    }
    this.compareOpenness(o, u, "additionalItems", op, up, {
      added: "ADDITIONAL_ITEMS_ADDED",
      removed: "ADDITIONAL_ITEMS_REMOVED",
      extended: "ADDITIONAL_ITEMS_EXTENDED",
      narrowed: "ADDITIONAL_ITEMS_NARROWED",
    });
  }

  private compareNot(o: JsonObject, u: JsonObject, op: string, up: string): void {
    const a = o["not"];
    const b = u["not"];
    if (!isObject(a) || !isObject(b)) {
      this.add("TYPE_CHANGED", op, up, "`not` added or removed");
      return;
    }
    // What `not` excludes may shrink: compare the excluded schemas the other way round.
    const narrowed = this.compatible(b, a, `${up}/not`, `${op}/not`);
    this.add(narrowed ? "NOT_TYPE_NARROWED" : "NOT_TYPE_EXTENDED", `${op}/not`, `${up}/not`);
  }

  private compareCombined(
    o: JsonObject,
    u: JsonObject,
    oc: Combined | undefined,
    uc: Combined | undefined,
    op: string,
    up: string,
  ): void {
    if (oc && uc) {
      // Subschemas written twice count once, as in Confluent's sets.
      [oc, uc] = [distinct(oc, op), distinct(uc, up)];
      if (oc.criterion !== uc.criterion) {
        const [oSingle, uSingle] = [oc.subschemas.length === 1, uc.subschemas.length === 1];
        const widening =
          uc.criterion === "anyOf" ||
          (oSingle && uSingle) ||
          (oSingle && uc.criterion === "oneOf") ||
          (uSingle && oc.criterion === "allOf");
        if (!widening) {
          this.add("COMBINED_TYPE_CHANGED", op, up, `${oc.criterion} → ${uc.criterion}`);
          return;
        }
        this.add("COMBINED_TYPE_EXTENDED", op, up, `${oc.criterion} → ${uc.criterion}`);
      }
      // Whether or not the criterion changed, as Confluent does: `oneOf [A, B, C]` → `anyOf [A]` is a wider
      // criterion and a narrower union.
      const [oCount, uCount] = [oc.subschemas.length, uc.subschemas.length];
      if (uCount > oCount) {
        this.add(uc.criterion === "allOf" ? "PRODUCT_TYPE_EXTENDED" : "SUM_TYPE_EXTENDED", op, up);
      } else if (uCount < oCount) {
        this.add(oc.criterion === "allOf" ? "PRODUCT_TYPE_NARROWED" : "SUM_TYPE_NARROWED", op, up);
      }
      this.matchSubschemas(oc, uc, op, up);
      return;
    }
    if (uc && uc.criterion !== "allOf") {
      // `T` → `anyOf [T, null]`: a wider union that still has a branch for the old schema.
      const fits = uc.subschemas.some((s, i) =>
        this.compatible(o, s.schema, op, s.path ?? `${up}/${uc.criterion}/${i}`),
      );
      this.add(fits ? "SUM_TYPE_EXTENDED" : "TYPE_CHANGED", op, up);
      return;
    }
    if (oc && oc.criterion === "allOf") {
      const fits = oc.subschemas.some((s, i) => this.compatible(s.schema, u, s.path ?? `${op}/allOf/${i}`, up));
      this.add(fits ? "PRODUCT_TYPE_NARROWED" : "TYPE_CHANGED", op, up);
      return;
    }
    this.add("TYPE_CHANGED", op, up, `${oc ? oc.criterion : "single schema"} → ${uc ? uc.criterion : "single schema"}`);
  }

  /** Pairs each subschema with a compatible one on the other side (a maximum bipartite matching). */
  private matchSubschemas(oc: Combined, uc: Combined, op: string, up: string): void {
    const oPaths = oc.subschemas.map((s, i) => s.path ?? `${op}/${oc.criterion}/${i}`);
    const uPaths = uc.subschemas.map((s, i) => s.path ?? `${up}/${uc.criterion}/${i}`);
    const edges = oc.subschemas.map((a, i) =>
      uc.subschemas.map((b, j) => this.compatible(a.schema, b.schema, oPaths[i]!, uPaths[j]!)),
    );
    const matchOfUpdate = new Array<number>(uc.subschemas.length).fill(-1);
    const tryMatch = (i: number, seen: boolean[]): boolean => {
      for (let j = 0; j < uc.subschemas.length; j++) {
        if (!edges[i]![j] || seen[j]) continue;
        seen[j] = true;
        if (matchOfUpdate[j] === -1 || tryMatch(matchOfUpdate[j]!, seen)) {
          matchOfUpdate[j] = i;
          return true;
        }
      }
      return false;
    };
    let matched = 0;
    for (let i = 0; i < oc.subschemas.length; i++)
      if (tryMatch(i, new Array<boolean>(uc.subschemas.length).fill(false))) matched++;
    if (matched < Math.min(oc.subschemas.length, uc.subschemas.length)) {
      this.add("COMBINED_TYPE_SUBSCHEMAS_CHANGED", op, up);
      return;
    }
    matchOfUpdate.forEach((i, j) => {
      if (i >= 0) this.compare(oc.subschemas[i]!.schema, uc.subschemas[j]!.schema, oPaths[i]!, uPaths[j]!);
    });
  }
}

/** A combination without its repeated subschemas (the same JSON, whatever the order of its keys). */
function distinct(combined: Combined, at: string): Combined {
  const seen = new Set<string>();
  const subschemas = combined.subschemas
    .map((s, i) => ({ schema: s.schema, path: s.path ?? `${at}/${combined.criterion}/${i}` }))
    .filter((s) => {
      const key = JSON.stringify(sortedKeys(s.schema));
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  return subschemas.length === combined.subschemas.length ? combined : { ...combined, subschemas };
}

function sortedKeys(json: Json): Json {
  if (Array.isArray(json)) return json.map(sortedKeys);
  if (json === null || typeof json !== "object") return json;
  return Object.fromEntries(
    Object.keys(json)
      .sort()
      .map((k) => [k, sortedKeys((json as JsonObject)[k]!)]),
  );
}

interface Combined {
  readonly criterion: Combinator;
  readonly subschemas: ReadonlyArray<{ schema: Json; path?: string }>;
}

/**
 * A schema seen as a combination: `allOf`/`anyOf`/`oneOf` (with any sibling keywords as one more conjunct),
 * or a `type` array, which is a union of one schema per type.
 */
function asCombined(schema: JsonObject): Combined | undefined {
  const present = combinators.filter((c) => Array.isArray(schema[c]));
  if (present.length === 1) {
    const criterion = present[0]!;
    const list = (schema[criterion] as Json[]).map((s) => ({ schema: s }));
    const rest = Object.fromEntries(
      Object.entries(schema).filter(([k]) => k !== criterion && !annotationKeywords.has(k)),
    );
    if (Object.keys(rest).length === 0) return { criterion, subschemas: list };
    return { criterion: "allOf", subschemas: [{ schema: rest }, { schema: { [criterion]: schema[criterion]! } }] };
  }
  if (present.length > 1) {
    return { criterion: "allOf", subschemas: present.map((c) => ({ schema: { [c]: schema[c]! } })) };
  }
  const type = schema["type"];
  if (Array.isArray(type) && type.length > 1) {
    const rest = Object.fromEntries(Object.entries(schema).filter(([k]) => k !== "type"));
    return { criterion: "anyOf", subschemas: type.map((t) => ({ schema: { ...rest, type: t } })) };
  }
  return undefined;
}

const kindKeywords: Array<[string, readonly string[]]> = [
  ["object", ["properties", "required", "additionalProperties", "patternProperties", "maxProperties", "minProperties"]],
  ["array", ["items", "additionalItems", "maxItems", "minItems", "uniqueItems"]],
  ["string", ["maxLength", "minLength", "pattern"]],
  ["number", ["maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum", "multipleOf"]],
];

function kindOf(schema: JsonObject): string | undefined {
  const type = schema["type"];
  if (typeof type === "string") return type;
  if (Array.isArray(type) && type.length === 1 && typeof type[0] === "string") return type[0];
  for (const [kind, keywords] of kindKeywords) if (keywords.some((k) => k in schema)) return kind;
  return undefined;
}

function contentModel(schema: JsonObject, of: "properties" | "items"): "open" | "partial" | "closed" {
  const additional = schema[of === "properties" ? "additionalProperties" : "additionalItems"];
  const patterns =
    of === "properties" && isObject(schema["patternProperties"]) && Object.keys(schema["patternProperties"]).length > 0;
  if (additional === false && !patterns) return "closed";
  if (patterns || (isObject(additional) && !isEmptySchema(additional))) return "partial";
  return "open";
}

function coveringSchema(schema: JsonObject, name: string): Json | undefined {
  const patterns = isObject(schema["patternProperties"]) ? schema["patternProperties"] : {};
  for (const [pattern, sub] of Object.entries(patterns)) {
    try {
      if (new RegExp(pattern, "u").test(name)) return sub;
    } catch {
      // an invalid pattern covers nothing
    }
  }
  const additional = schema["additionalProperties"];
  return isObject(additional) ? additional : undefined;
}

function hasDefault(schema: Json): boolean {
  return isObject(schema) && "default" in schema;
}

function isMultiple(value: number, of: number): boolean {
  if (of === 0) return false;
  const ratio = value / of;
  return Math.abs(ratio - Math.round(ratio)) < 1e-9;
}

/** Every difference when `update` replaces `original`, in the order they were found. */
export function compareSchemas(original: Json, update: Json, policy: Policy = "strict"): Difference[] {
  const comparison = new Comparison(original, update, policy);
  comparison.compare(original, update, "#", "#");
  return comparison.differences;
}
