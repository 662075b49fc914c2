import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateBus } from "../support/corpus.js";

const repo = path.resolve(import.meta.dirname, "..", "..");
const cli = path.join(repo, "dist", "cli", "main.js");
const scratch = mkdtempSync(path.join(os.tmpdir(), "evtc-interrupt-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function staged(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((name) => name.includes(".evtc-"));
}

describe("an interrupted evtc build", { timeout: 120_000 }, () => {
  it("removes the files it had staged, and the directories it made, then exits as the signal would", async () => {
    // A project large enough for the build to spend a second or more with staged files in place.
    const project = generateBus(300, scratch);
    const out = path.join(scratch, "out");
    const build = spawn(process.execPath, [cli, "build", project, "--out", out], {
      cwd: repo,
      env: { PATH: process.env["PATH"], EVTC_CACHE: "0" },
      stdio: "ignore",
    });
    const exited = new Promise<number | null>((resolve) => build.on("exit", (code) => resolve(code)));
    let seen = 0;
    for (let waited = 0; waited < 60_000 && build.exitCode === null; waited += 10) {
      seen = staged(out).length;
      if (seen > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(seen, "the build finished before any staged file was seen").toBeGreaterThan(0);
    build.kill("SIGINT");
    const code = await exited;
    // Either the build stopped (the output directory did not exist: nothing of it is left), or the signal came
    // when nothing was left to wait for and the build finished; never staged files left behind. Without the
    // handler, the signal would kill the build with its files staged.
    if (code === 0) expect(readdirSync(out, { recursive: true }).length).toBeGreaterThan(900);
    else {
      expect(code).toBe(128 + os.constants.signals.SIGINT);
      expect(existsSync(out)).toBe(false);
    }
    expect(staged(out)).toEqual([]);
  });
});
