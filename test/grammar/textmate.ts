import { readFileSync } from "node:fs";
import path from "node:path";
import oniguruma from "vscode-oniguruma";
import vsctm from "vscode-textmate";

/**
 * The real VS Code tokenizer (vscode-textmate on the Oniguruma WebAssembly build) over the committed grammar,
 * for the grammar tests.
 */
export const repo = path.resolve(import.meta.dirname, "..", "..");
export const grammarPath = path.join(repo, "grammar", "evt.tmLanguage.json");

let loaded: Promise<vsctm.IGrammar> | undefined;

export function loadGrammar(): Promise<vsctm.IGrammar> {
  loaded ??= (async () => {
    const wasm = readFileSync(path.join(repo, "node_modules", "vscode-oniguruma", "release", "onig.wasm"));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const registry = new vsctm.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (sources: string[]) => new oniguruma.OnigScanner(sources),
        createOnigString: (text: string) => new oniguruma.OnigString(text),
      }),
      loadGrammar: async (scopeName: string) => {
        if (scopeName !== "source.evt") return null;
        return vsctm.parseRawGrammar(readFileSync(grammarPath, "utf8"), grammarPath);
      },
    });
    const grammar = await registry.loadGrammar("source.evt");
    if (!grammar) throw new Error("the grammar source.evt did not load");
    return grammar;
  })();
  return loaded;
}

export interface Token {
  /** 1-based line, 0-based column. */
  readonly line: number;
  readonly column: number;
  readonly text: string;
  readonly scopes: readonly string[];
}

export interface TokenizedLine {
  readonly tokens: readonly Token[];
  /** The scopes of the rules still open at the end of the line, outermost first (without `source.evt`). */
  readonly openAtEnd: readonly string[];
}

/** The scope names of the rules open in a state, outermost first, read through the public stack diff. */
export function openScopes(state: vsctm.StateStack): string[] {
  const diff = vsctm.diffStateStacksRefEq(vsctm.INITIAL, state);
  return diff.newFrames
    .flatMap((frame) => [...frame.nameScopesList, ...frame.contentNameScopesList])
    .flatMap((scopes) => scopes.scopeNames)
    .filter((scope) => scope !== "source.evt");
}

/** Tokenizes a whole text line by line, carrying the rule stack, as an editor does. */
export function tokenizeText(grammar: vsctm.IGrammar, text: string): { lines: TokenizedLine[]; end: vsctm.StateStack } {
  let state: vsctm.StateStack = vsctm.INITIAL;
  const lines: TokenizedLine[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const result = grammar.tokenizeLine(line, state, 0);
    if (result.stoppedEarly) throw new Error(`tokenizing line ${index + 1} stopped early`);
    state = result.ruleStack;
    const tokens = result.tokens
      .map((token) => ({
        line: index + 1,
        column: token.startIndex,
        text: line.slice(token.startIndex, Math.min(token.endIndex, line.length)),
        scopes: token.scopes,
      }))
      .filter((token) => token.text.length > 0);
    lines.push({ tokens, openAtEnd: openScopes(state) });
  });
  return { lines, end: state };
}

export interface PlacedToken extends Token {
  /** Offset of the token in the whole text. */
  readonly start: number;
}

/** Every token of a text, with its offset. */
export async function tokensOf(text: string): Promise<PlacedToken[]> {
  const grammar = await loadGrammar();
  const { lines } = tokenizeText(grammar, text);
  const placed: PlacedToken[] = [];
  let offset = 0;
  text.split("\n").forEach((raw, index) => {
    for (const token of lines[index]?.tokens ?? []) placed.push({ ...token, start: offset + token.column });
    offset += raw.length + 1;
  });
  return placed;
}

/**
 * The scopes of the token that is exactly `needle`, at its `occurrence`-th appearance in `text` (0-based).
 * Fails when the needle is not one whole token there.
 */
export function scopesOf(
  tokens: readonly PlacedToken[],
  text: string,
  needle: string,
  occurrence = 0,
): readonly string[] {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = text.indexOf(needle, at < 0 ? 0 : at + needle.length);
    if (at < 0) throw new Error(`\`${needle}\` does not occur ${occurrence + 1} time(s)`);
  }
  const token = tokens.find((candidate) => candidate.start === at);
  if (!token || token.text !== needle) {
    const found = tokens.filter((candidate) => candidate.start <= at && at < candidate.start + candidate.text.length);
    throw new Error(`\`${needle}\` at ${at} is not one token: ${JSON.stringify(found.map((x) => x.text))}`);
  }
  return token.scopes;
}
