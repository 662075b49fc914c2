import { describe, expect, it } from "vitest";
import { languageConfiguration } from "../../src/editor/language-configuration.js";

const config = languageConfiguration();

/** The words VS Code finds in a line with the word pattern (it compiles it with the global flag). */
function wordsOf(line: string): string[] {
  return [...line.matchAll(new RegExp(config.wordPattern, "g"))].map((match) => match[0]);
}

describe("the language configuration", () => {
  it("keeps a dotted name one word", () => {
    expect(wordsOf("  from    billing.payment.received")).toEqual(["from", "billing.payment.received"]);
    expect(wordsOf("  lookup  crm.customer-db by customer.msisdn")).toEqual([
      "lookup",
      "crm.customer-db",
      "by",
      "customer.msisdn",
    ]);
  });

  it("keeps a number with its unit, and a version, one word", () => {
    expect(wordsOf("  rate 5k/s peak 1.5M/h")).toEqual(["rate", "5k/s", "peak", "1.5M/h"]);
    expect(wordsOf("  retry 5 backoff 200ms..30s")).toEqual(["retry", "5", "backoff", "200ms", "30s"]);
    expect(wordsOf("event PaymentReceived v1.2 {")).toEqual(["event", "PaymentReceived", "v1.2"]);
    expect(wordsOf("  v1-legacy string")).toEqual(["v1-legacy", "string"]);
    expect(wordsOf("  unordered best-effort")).toEqual(["unordered", "best-effort"]);
  });

  it("indents after a line that opens a block, and outdents a closing brace", () => {
    const increase = new RegExp(config.indentationRules.increaseIndentPattern);
    const decrease = new RegExp(config.indentationRules.decreaseIndentPattern);
    expect(increase.test("topic billing.payment.received {")).toBe(true);
    expect(increase.test("  publish a.b.c as E {   // overrides")).toBe(true);
    expect(increase.test('team crm { contact "crm@example.com" }')).toBe(false);
    expect(increase.test('  contact "{"')).toBe(false);
    expect(increase.test("  // {")).toBe(false);
    expect(decrease.test("  }")).toBe(true);
    expect(decrease.test("  owner crm")).toBe(false);
  });

  it("continues a doc comment on Enter, not a comment", () => {
    const [rule] = config.onEnterRules;
    const before = new RegExp(rule!.beforeText);
    expect(before.test("  /// The amount.")).toBe(true);
    expect(before.test("  //// not documentation")).toBe(false);
    expect(before.test("  // a comment")).toBe(false);
    expect(rule!.action.appendText).toBe("/// ");
  });

  it("has `//` comments, and closes brackets and quotes", () => {
    expect(config.comments.lineComment).toBe("//");
    expect(config.brackets).toContainEqual(["{", "}"]);
    expect(config.autoClosingPairs.map((pair) => pair.open)).toEqual(["{", "[", "(", "<", '"']);
    expect(new RegExp(config.folding.markers.start).test("// #region topics")).toBe(true);
    expect(new RegExp(config.folding.markers.end).test("  // #endregion")).toBe(true);
  });
});
