import { describe, expect, it } from "vitest";
import { EvtParser } from "../../src/syntax/parser.js";

// The compiler builds its parser without chevrotain's grammar checks (they cost about 25 ms of its start-up and can
// only find mistakes in evtc's own grammar); this is where they run.
describe("the .evt grammar", () => {
  it("passes chevrotain's own validations (no ambiguous alternatives, no left recursion, no unreachable rule)", () => {
    // Chevrotain throws "Parser Definition Errors detected" when a validation fails.
    expect(() => new EvtParser({ validateGrammar: true })).not.toThrow();
  });
});
