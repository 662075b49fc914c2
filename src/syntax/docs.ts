import type { Token } from "./tokens.js";
import type { SourceFile } from "../diagnostics/source.js";

/**
 * Which `///` lines document which node. A run of doc lines documents the node that starts on the line just
 * below it, claimed by the outermost such node (so a declaration claims before its fields do); a `///` after
 * code on the same line documents the node that ends exactly where that code ends.
 */
export class DocIndex {
  private readonly leadingDocs = new Map<number, string[]>();
  private readonly trailingDocs = new Map<number, string[]>();
  private readonly claimedLeading = new Set<number>();

  constructor(
    private readonly source: SourceFile,
    docTokens: readonly Token[],
    codeTokens: readonly Token[],
  ) {
    let runLines: string[] = [];
    let runEnd = -1;
    let codeIndex = 0;
    for (const doc of docTokens) {
      const line = source.position(doc.startOffset).line;
      const text = doc.image.slice(3).replace(/^ /, "");
      while (codeIndex < codeTokens.length && codeTokens[codeIndex]!.startOffset < doc.startOffset) codeIndex++;
      let previous = codeTokens[codeIndex - 1];
      // `A, /// doc` documents `A`: a comma between members ends no node.
      const beforeComma = previous?.image === "," ? codeTokens[codeIndex - 2] : undefined;
      if (beforeComma !== undefined && source.position(beforeComma.startOffset).line === line) previous = beforeComma;
      const trailing =
        previous !== undefined && source.position(previous.endOffset ?? previous.startOffset).line === line;
      if (previous !== undefined && trailing) {
        // Keyed by where the code before it ends: the node ending exactly there is the one documented.
        const end = (previous.endOffset ?? previous.startOffset) + 1;
        this.trailingDocs.set(end, [...(this.trailingDocs.get(end) ?? []), text]);
        continue;
      }
      if (line !== runEnd + 1 && runLines.length > 0) {
        this.leadingDocs.set(runEnd + 1, runLines);
        runLines = [];
      }
      runLines.push(text);
      runEnd = line;
    }
    if (runLines.length > 0) this.leadingDocs.set(runEnd + 1, runLines);
  }

  /** The `///` lines directly above a node starting at `start`, unless an outer node on that line took them. */
  claimLeading(start: number): string[] {
    if (this.leadingDocs.size === 0) return [];
    const line = this.source.position(start).line;
    if (this.claimedLeading.has(line)) return [];
    this.claimedLeading.add(line);
    return [...(this.leadingDocs.get(line) ?? [])];
  }

  /** A trailing `///` right after a node ending at `end` (exclusive). */
  trailing(end: number): string[] {
    const docs = this.trailingDocs.get(end);
    return docs === undefined ? [] : [...docs];
  }

  /** Both, for a node whose extent is known before any node inside it is documented. */
  claim(start: number, end: number): string[] {
    const docs = this.claimLeading(start);
    docs.push(...this.trailing(end));
    return docs;
  }
}
