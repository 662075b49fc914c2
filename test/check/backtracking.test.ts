import { describe, expect, it } from "vitest";
import { backtrackingOf } from "../../src/check/backtracking.js";

describe("backtrackingOf", () => {
  it("tells bounded patterns from catastrophic ones, and whether a `^` would be enough", () => {
    expect(backtrackingOf(String.raw`^\+?[0-9]{6,15}$`)).toEqual({ kind: "bounded" });
    expect(backtrackingOf("^(a+)+$")).toEqual({ kind: "catastrophic", anchoring: false });
    expect(backtrackingOf("[0-9]+x")).toEqual({ kind: "catastrophic", anchoring: true });
    expect(backtrackingOf("^(?<y>[0-9]{4})$")).toMatchObject({ kind: "unreadable" });
  });

  it("analyses each distinct pattern once", () => {
    expect(backtrackingOf("^[a-z]+(-[a-z]+)*$")).toBe(backtrackingOf("^[a-z]+(-[a-z]+)*$"));
  });
});
