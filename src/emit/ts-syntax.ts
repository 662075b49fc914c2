import { conditionalGroup, group, hardline, ifBreak, indent, indentIfBreak, join, line, softline, type Doc } from "./doc.js";

/**
 * The TypeScript constructs evtc generates, as documents laid out the way prettier lays them out (printWidth
 * 120, trailing commas everywhere, double quotes; see `PRINT_WIDTH`). Every string given here is already
 * TypeScript: names come from `identifiers.ts`, literals from `stringLiteral`, comment text from `docText`.
 */

/** The line width of generated TypeScript: the `printWidth` prettier would be given. */
export const PRINT_WIDTH = 120;

/** A doc comment: `/** text *\/` when it is one line, else a block with a ` * ` before each line. */
export function jsDoc(text: string | undefined): Doc {
  if (text === undefined) return "";
  const lines = text.split("\n");
  if (lines.length === 1) return [`/** ${text} */`, hardline];
  return ["/**", ...lines.flatMap((l) => [hardline, l === "" ? " *" : ` * ${l}`]), hardline, " */", hardline];
}

/** `{ a, b }` broken one per line, with a trailing comma, when it does not fit. */
function bracketed(open: string, items: readonly Doc[], close: string, separator = ","): Doc {
  if (items.length === 0) return `${open}${close}`;
  return group(open, indent(line, join([separator, line], items)), ifBreak(separator), line, close);
}

export interface ImportedName {
  readonly name: string;
  readonly alias?: string;
  readonly typeOnly: boolean;
}

export function importDeclaration(specifier: string, names: readonly ImportedName[]): Doc {
  const allTypes = names.every((n) => n.typeOnly);
  const specifiers = names.map(
    (n) => `${!allTypes && n.typeOnly ? "type " : ""}${n.name}${n.alias !== undefined ? ` as ${n.alias}` : ""}`,
  );
  // Like prettier, a single name is never broken out of its braces, however long the line.
  const braces = specifiers.length === 1 ? `{ ${specifiers[0]} }` : bracketed("{", specifiers, "}");
  return [allTypes ? "import type " : "import ", braces, ` from ${specifier};`];
}

/** `export type Name = A | B;`, the members one per line after `=` when they do not fit. */
export function unionAlias(name: string, members: readonly string[]): Doc {
  if (members.length === 1) return `export type ${name} = ${members[0]};`;
  return [`export type ${name} = `, unionType(members), ";"];
}

/** A union type: `A | B`, or `| A` `| B` on lines of their own when it does not fit. */
export function unionType(members: readonly Doc[]): Doc {
  return group(indent(ifBreak([softline, "| "]), join([line, "| "], members)));
}

/** `export type Name = { … };` */
export function typeAlias(name: string, type: Doc): Doc {
  return [`export type ${name} = `, type, ";"];
}

export interface PropertySignature {
  readonly docs?: string;
  /** Already a property name (bare or quoted, see `propertyName`). */
  readonly name: string;
  readonly optional?: boolean;
  readonly type: Doc;
}

function propertySignature(p: PropertySignature): Doc {
  return ["readonly ", p.name, p.optional === true ? "?" : "", ": ", p.type];
}

/** An interface: its members one per line, each with its doc comment. */
export function interfaceDeclaration(name: string, extendsType: string | undefined, members: readonly PropertySignature[]): Doc {
  const head = `export interface ${name}${extendsType !== undefined ? ` extends ${extendsType}` : ""} `;
  if (members.length === 0) return `${head}{}`;
  return [head, group("{", indent(members.map((m) => [hardline, jsDocBefore(m.docs), propertySignature(m), ";"])), hardline, "}")];
}

function jsDocBefore(docs: string | undefined): Doc {
  return docs === undefined ? "" : jsDoc(docs);
}

/** An object type literal, `{ readonly a: A; readonly b: B }` or one member per line. */
export function objectType(members: readonly PropertySignature[]): Doc {
  if (members.length === 0) return "{}";
  if (members.some((m) => m.docs !== undefined)) {
    return group("{", indent(members.map((m) => [hardline, jsDocBefore(m.docs), propertySignature(m), ";"])), hardline, "}");
  }
  return bracketed("{", members.map(propertySignature), "}", ";");
}

/**
 * A parameter list, one per line with a trailing comma when the group it is in breaks. Not a group of its own:
 * like prettier, a function breaks its parameters before its return type.
 */
function parameters(params: readonly string[]): Doc {
  if (params.length === 0) return "()";
  return ["(", indent(softline, join([",", line], params)), ifBreak(","), softline, ")"];
}

/** A function type: `(a: A, b: B) => R`. */
export function functionType(params: readonly string[], returnType: Doc): Doc {
  return group(parameters(params), " => ", returnType);
}

/** An arrow function with an expression body, the body on the next line when it does not fit. */
export function arrowFunction(params: readonly string[], body: string): Doc {
  return group(group(parameters(params)), " =>", group(indent(line, body)));
}

/** A call, its arguments one per line when they do not fit. */
export function call(callee: string, args: readonly string[]): Doc {
  return group(callee, parameters(args));
}

export interface FunctionDeclaration {
  readonly name: string;
  readonly typeParameters?: string;
  readonly parameters: readonly string[];
  readonly returnType: string;
  /** Statements of the body, one per line. */
  readonly body: readonly Doc[];
}

export function functionDeclaration(f: FunctionDeclaration): Doc {
  return [
    group(`export function ${f.name}${f.typeParameters ?? ""}`, parameters(f.parameters), `: ${f.returnType} {`),
    indent(f.body.map((s) => [hardline, s])),
    hardline,
    "}",
  ];
}

/**
 * What follows `=` or `:`: on the same line when its first line fits there, else on the next line, indented
 * (prettier's "fluid" assignment layout).
 */
function assigned(value: Doc): Doc {
  const breakAfterOperator = group(indent(line));
  return [breakAfterOperator, indentIfBreak(breakAfterOperator, value)];
}

/**
 * A generic type, `Name<A, B>`. Like prettier, a single simple argument is never broken out of its angle
 * brackets; others go one per line when the line does not fit.
 */
export function typeReference(name: string, args: readonly Doc[]): Doc {
  const [first] = args;
  if (args.length === 1 && typeof first === "string" && /^[\w$.]+$/.test(first)) return `${name}<${first}>`;
  return group(name, "<", indent(softline, join([",", line], args)), softline, ">");
}

/** `export const name: Type = value;` */
export function constDeclaration(name: string, type: Doc, value: Doc): Doc {
  return [`export const ${name}: `, type, " =", assigned(value), ";"];
}

/** An object literal's entry: `key: value`, the key already a property name. */
export type Entry = readonly [key: string, value: Doc];

/**
 * An object literal. `expanded` ones are always one entry per line (prettier keeps an object expanded when
 * its source is), the others only when they do not fit.
 */
export function objectLiteral(entries: readonly Entry[], expanded: boolean): Doc {
  if (entries.length === 0) return "{}";
  const items = entries.map(([key, value]) => [key, ":", assigned(value)]);
  if (!expanded) return bracketed("{", items, "}");
  return group("{", indent(items.map((item) => [hardline, item, ","])), hardline, "}");
}

/** An array literal, broken one element per line when it does not fit. */
export function arrayLiteral(elements: readonly Doc[]): Doc {
  if (elements.length === 0) return "[]";
  return group("[", indent(softline, join([",", line], elements)), ifBreak(","), softline, "]");
}

/**
 * `Object.freeze(value)`: a frozen object or array literal, hugged by the call's parentheses when its first
 * line fits (`Object.freeze({`), else on lines of its own.
 */
export function frozen(value: Doc): Doc {
  return conditionalGroup([
    ["Object.freeze(", value, ")"],
    ["Object.freeze(", broken(value), ")"],
    group("Object.freeze(", indent(hardline, value), ",", hardline, ")"),
  ]);
}

/** `doc` with its outermost group broken. */
function broken(doc: Doc): Doc {
  return typeof doc === "object" && !Array.isArray(doc) && "kind" in doc && doc.kind === "group" ? { ...doc, broken: true } : doc;
}

/** Top-level statements of a module: the statements of a block on consecutive lines, a blank line between blocks. */
export function statements(blocks: readonly (readonly Doc[])[]): Doc {
  return join([hardline, hardline], blocks.filter((b) => b.length > 0).map((b) => join(hardline, b)));
}
