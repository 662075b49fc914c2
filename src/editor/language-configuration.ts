/**
 * VS Code's language configuration for `.evt` (`grammar/language-configuration.json`, written by
 * `npm run grammar`): comments, brackets, auto-closing, folding, indentation and what a "word" is. Its regular
 * expressions are JavaScript ones, as VS Code reads them.
 */
import * as t from "../syntax/tokens.js";

export interface LanguageConfiguration {
  readonly comments: { readonly lineComment: string };
  readonly brackets: ReadonlyArray<readonly [string, string]>;
  readonly colorizedBracketPairs: ReadonlyArray<readonly [string, string]>;
  readonly autoClosingPairs: ReadonlyArray<{
    readonly open: string;
    readonly close: string;
    readonly notIn?: readonly string[];
  }>;
  readonly autoCloseBefore: string;
  readonly surroundingPairs: ReadonlyArray<readonly [string, string]>;
  readonly folding: { readonly markers: { readonly start: string; readonly end: string } };
  readonly indentationRules: { readonly increaseIndentPattern: string; readonly decreaseIndentPattern: string };
  readonly onEnterRules: ReadonlyArray<{
    readonly beforeText: string;
    readonly action: { readonly indent: "none"; readonly appendText: string };
  }>;
  readonly wordPattern: string;
}

const name = (t.Identifier.PATTERN as RegExp).source;

/**
 * A word is a number with its unit (`200ms`, `5k/s`), a version (`v1.2`) or a dotted name: double-clicking
 * `payment` in `billing.payment.received` selects the whole topic name, and so does "find whole word".
 */
export const wordPattern = [
  (t.Quantity.PATTERN as RegExp).source,
  `${(t.Version.PATTERN as RegExp).source}(?![A-Za-z0-9_]|-[A-Za-z0-9_])`,
  `${name}(?:\\.${name})*`,
]
  .map((alternative) => `(?:${alternative})`)
  .join("|");

export function languageConfiguration(): LanguageConfiguration {
  return {
    comments: { lineComment: "//" },
    brackets: [
      ["{", "}"],
      ["[", "]"],
      ["(", ")"],
      ["<", ">"],
    ],
    // `<` and `>` only enclose type arguments; colouring them as brackets would be noise.
    colorizedBracketPairs: [
      ["{", "}"],
      ["[", "]"],
      ["(", ")"],
    ],
    autoClosingPairs: [
      { open: "{", close: "}" },
      { open: "[", close: "]" },
      { open: "(", close: ")" },
      { open: "<", close: ">", notIn: ["string", "comment"] },
      { open: '"', close: '"', notIn: ["string", "comment"] },
    ],
    autoCloseBefore: ";:.,=}])> \n\t",
    surroundingPairs: [
      ["{", "}"],
      ["[", "]"],
      ["(", ")"],
      ["<", ">"],
      ['"', '"'],
    ],
    // Blocks fold by indentation; `// #region` … `// #endregion` marks a region of one's own.
    folding: { markers: { start: "^\\s*//\\s*#?region\\b", end: "^\\s*//\\s*#?endregion\\b" } },
    indentationRules: {
      // A line whose last character outside strings and comments is an opening `{`.
      increaseIndentPattern: '^(?:[^"/{}]|"(?:[^"\\\\]|\\\\.)*"|/(?!/)|\\{[^}"]*\\})*\\{\\s*(?://.*)?$',
      decreaseIndentPattern: "^\\s*\\}",
    },
    // Enter at the end of a doc comment continues it.
    onEnterRules: [{ beforeText: "^\\s*///(?!/).*$", action: { indent: "none", appendText: "/// " } }],
    wordPattern,
  };
}
