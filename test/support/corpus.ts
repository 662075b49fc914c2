import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import { SourceFile } from "../../src/diagnostics/source.js";

export const repo = path.resolve(import.meta.dirname, "..", "..");

/** `.evt` files under a directory of the repository, sorted, relative to the repository. */
export function evtFiles(dir: string): string[] {
  return readdirSync(path.join(repo, dir), { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".evt"))
    .map((name) => path.join(dir, name).split(path.sep).join("/"))
    .sort();
}

export function readSource(file: string): SourceFile {
  return new SourceFile(file, readFileSync(path.join(repo, file), "utf8"));
}

/** A small deterministic pseudo-random generator (mulberry32), so that generated cases are reproducible. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes the benchmark's synthetic bus of `topics` topics under `dir` (as `bus-<topics>`) and returns its path. */
export function generateBus(topics: number, dir: string): string {
  const generated = spawnSync(
    process.execPath,
    [
      path.join(repo, "node_modules", "tsx", "dist", "cli.mjs"),
      "bench/compile.ts",
      "--sizes",
      String(topics),
      "--generate",
      dir,
    ],
    { cwd: repo, encoding: "utf8" },
  );
  expect(generated.status, generated.stderr).toBe(0);
  return path.join(dir, `bus-${topics}`);
}
