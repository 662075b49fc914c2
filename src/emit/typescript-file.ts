import { textWidth } from "../diagnostics/text-width.js";
import type { GeneratedFile } from "./generated-file.js";
import { PRINT_WIDTH } from "./ts-syntax.js";
import { printModule, type TypeScriptModule } from "./typescript.js";

/**
 * Fixed prettier options, never a user's `.prettierrc`: the generated code must be the same on every machine,
 * whatever surrounds the output directory.
 */
export const PRETTIER_OPTIONS = {
  parser: "typescript",
  printWidth: PRINT_WIDTH,
  trailingComma: "all",
  endOfLine: "lf",
} as const;

/**
 * A module printed in prettier's layout. evtc prints it itself (`ts-syntax.ts`), as prettier would, for a
 * fraction of prettier's cost; the tests hold every generated module to be a fixed point of prettier. A line
 * too wide for the print width whose layout evtc does not model (a consumer of two versions with very long
 * names, say) makes the module go through prettier itself, so that what is committed is prettier's layout in
 * every case.
 */
export async function typescriptFile(module: TypeScriptModule): Promise<GeneratedFile> {
  let content = printModule(module);
  if (needsPrettier(content)) {
    const { format } = await import("prettier");
    content = await format(content, PRETTIER_OPTIONS);
  }
  return { path: module.path, content };
}

const NAME = String.raw`(?:"(?:[^"\\]|\\.)*"|[\w$]+)`;
const SIMPLE_TYPE = String.raw`(?:readonly )?[\w$.]+(?:<[\w$.]+>)?(?:\[\])?`;

/** Over-wide lines prettier leaves as they are, which evtc prints the same way (the tests compare them). */
const UNBREAKABLE = [
  // An import of one name.
  /^import (?:type )?\{ [^,{}]+ \} from "[^"]*";$/,
  // A property of a simple type.
  new RegExp(String.raw`^\s*readonly ${NAME}\??: ${SIMPLE_TYPE};$`),
  // An interface's head.
  /^export interface [\w$]+(?: extends [\w$.]+)? \{$/,
  // A declaration's head, its value on the next line.
  new RegExp(String.raw`^export const [\w$]+: ${SIMPLE_TYPE} =$`),
  // An object entry's key, its value on the next line; and that value.
  new RegExp(String.raw`^\s*${NAME}:$`),
  /^\s*(?:"(?:[^"\\]|\\.)*"|[\w$.]+),$/,
];

/** A character that is not ASCII, which may take two columns or none. */
const NOT_ASCII = /[^\x00-\x7f]/g;

/** Whether a line of code (not of a comment) is wider than the print width in a way evtc does not lay out. */
export function needsPrettier(text: string): boolean {
  // Only a line longer than the print width, or one with a character that is not ASCII (which may be wide), is
  // looked at: the others are not cut out of the module's text at all (a large project's modules have millions).
  const notAsciiFrom = (from: number): number => {
    NOT_ASCII.lastIndex = from;
    return NOT_ASCII.exec(text)?.index ?? Infinity;
  };
  let notAscii = notAsciiFrom(0);
  for (let start = 0; start <= text.length;) {
    const newline = text.indexOf("\n", start);
    const end = newline === -1 ? text.length : newline;
    if (notAscii < start) notAscii = notAsciiFrom(start);
    if (notAscii < end || end - start > PRINT_WIDTH) {
      const line = text.slice(start, end);
      if (!/^\s*(\/\/|\/\*\*|\*)/.test(line) && textWidth(line) > PRINT_WIDTH) {
        if (!UNBREAKABLE.some((shape) => shape.test(line))) return true;
      }
    }
    start = end + 1;
  }
  return false;
}
