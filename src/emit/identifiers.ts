/**
 * The only doors from user text into generated TypeScript. Names become identifiers only through
 * `Identifiers` (validated, mangled, never a reserved word, never two declarations with one name); text
 * becomes code only as a JSON string literal or as a doc comment that cannot close itself early.
 */

const reservedWords = new Set(
  [
    // ECMAScript and TypeScript reserved and strict-mode words.
    "break case catch class const continue debugger default delete do else enum export extends false finally",
    "for function if import in instanceof new null return super switch this throw true try typeof var void",
    "while with as implements interface let package private protected public static yield any boolean",
    "constructor declare get module require number set string symbol type from of async await never",
    "unknown object undefined keyof readonly infer is asserts satisfies accessor bigint unique out global",
    "arguments eval NaN Infinity",
    // Global types and values generated code uses, which a user's declaration must not shadow.
    "Array Boolean Date Error Function JSON Map Math Number Object Omit Partial Pick Promise Readonly",
    "ReadonlyArray Record Set String Symbol",
  ]
    .join(" ")
    .split(" "),
);

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function isSafeIdentifier(name: string): boolean {
  return IDENTIFIER.test(name) && !reservedWords.has(name);
}

function words(name: string): string[] {
  return name.split(/[^A-Za-z0-9]+/).filter((w) => w.length > 0);
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** `billing.payment-customer` → `billingPaymentCustomer`. */
export function camelCase(name: string): string {
  const [first = "", ...rest] = words(name);
  return first.charAt(0).toLowerCase() + first.slice(1) + rest.map(capitalise).join("");
}

/** `billing.payment.received` → `BillingPaymentReceived`. */
export function pascalCase(name: string): string {
  return words(name).map(capitalise).join("");
}

/** Makes any string a valid, unreserved identifier: invalid characters become `_`, reserved words get a `_`. */
export function mangle(name: string): string {
  let id = name.replace(/[^A-Za-z0-9_$]/g, "_");
  if (id === "" || /^[0-9]/.test(id)) id = `_${id}`;
  return reservedWords.has(id) ? `${id}_` : id;
}

/**
 * Where a name comes from, in the order names are handed out: a name the user declared, as written (an event,
 * record or enum); one evtc derives from a declaration (a topic's `…Topic` and `publish…`, a reader's spec);
 * one evtc makes up for itself (an older major's type, a validator's import, a runtime type's, the index's
 * `wiring`). What yields when two want the same identifier is the later: a user's declaration never changes name
 * because of what evtc adds beside it.
 */
export type NameOrigin = "declared" | "derived" | "evtc";

const servedFirst: readonly NameOrigin[] = ["declared", "derived", "evtc"];

export interface NameRequest {
  /** What the name is for, stable from one build to the next (`type:OrderPlaced`). */
  readonly key: string;
  readonly wanted: string;
  readonly origin: NameOrigin;
}

/**
 * Hands out the top-level names of one generated module. Each request is for a *thing* (an event, a topic
 * spec…) identified by a stable key; two things that mangle to the same identifier get `_2`, `_3`… by origin
 * (`NameOrigin`), then in the order of their keys, so the result does not depend on the order of declarations.
 */
export class Identifiers {
  private readonly byKey = new Map<string, string>();

  constructor(requests: readonly NameRequest[]) {
    const taken = new Set<string>();
    const order = (a: NameRequest, b: NameRequest) =>
      servedFirst.indexOf(a.origin) - servedFirst.indexOf(b.origin) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
    for (const request of [...requests].sort(order)) {
      const base = mangle(request.wanted);
      let id = base;
      for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
      taken.add(id);
      this.byKey.set(request.key, id);
    }
  }

  get(key: string): string {
    const id = this.byKey.get(key);
    if (id === undefined) throw new Error(`no identifier was reserved for ${key}`);
    return id;
  }
}

/** A property name as written in an interface or type literal: bare when an identifier, quoted otherwise. */
export function propertyName(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

/**
 * A key as written in an object literal: as `propertyName`, but `__proto__`, bare or quoted, would set the
 * object's prototype there instead of a property; computed, it is a property.
 */
export function objectKey(name: string): string {
  return name === "__proto__" ? `[${JSON.stringify(name)}]` : propertyName(name);
}

/** A property read: `.name` when safe, `["name"]` otherwise. */
export function propertyAccess(name: string): string {
  return IDENTIFIER.test(name) && name !== "__proto__" ? `.${name}` : `[${JSON.stringify(name)}]`;
}

/** A string as a TypeScript/JavaScript literal (JSON escaping, plus the line separators JSON allows). */
export function stringLiteral(text: string): string {
  return JSON.stringify(text).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** Text safe inside a `/** … *\/` block: it cannot end the comment, and stays on the comment's lines. */
export function docText(text: string): string {
  return text
    .replace(/\*\//g, "*\\/")
    .replace(/\r\n?|\u2028|\u2029/g, "\n")
    // A `@` opening a word would start a JSDoc tag; escaped it reads the same in editors' hovers.
    .replace(/(^|\s)@/g, "$1\\@");
}
