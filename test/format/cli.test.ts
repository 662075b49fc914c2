import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { repo } from "./support.js";

/** `evtc fmt` run as a user would: the built CLI in a child process (`npm test` builds it first). */
const cli = path.join(repo, "dist", "cli", "main.js");

interface Outcome {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function evtc(args: readonly string[], cwd: string = repo): Outcome {
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd,
    encoding: "utf8",
    env: { PATH: process.env["PATH"] },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let work: string;

/** A fresh directory of files under the test's work directory; returns its name, relative to `work`. */
function project(name: string, files: Record<string, string | Buffer>): string {
  for (const [file, content] of Object.entries(files)) {
    const full = path.join(work, name, file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return name;
}

const read = (file: string) => readFileSync(path.join(work, file), "utf8");

const messy = `team t {contact "t@operator.example"   chat "#t"}\ndomain t{owner t}\n`;
const tidy = `team t {\n  contact "t@operator.example"\n  chat    "#t"\n}\n\ndomain t {\n  owner t\n}\n`;
const broken = `team t { contact "t@operator.example" }\ntopc t.x { owner t }\n`;

beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` (npm test does it)`);
  work = mkdtempSync(path.join(tmpdir(), "evtc-fmt-"));
});

// Each case starts the CLI a few times; on a busy machine one start takes seconds.
describe("evtc fmt", { timeout: 60_000 }, () => {
  it("keeps examples/ formatted (what CI checks)", () => {
    const outcome = evtc(["fmt", "--check", "examples"]);
    expect(outcome.stdout).toMatch(/^\d+ files checked: all formatted\n$/);
    expect(outcome).toMatchObject({ status: 0, stderr: "" });
  });

  it("rewrites the files that are not formatted, lists them, and changes nothing the second time", () => {
    const dir = project("rewrite", { "a.evt": messy, "b.evt": tidy });
    expect(evtc(["fmt", dir], work)).toEqual({
      status: 0,
      stdout: "rewrite/a.evt\n2 files checked: 1 reformatted\n",
      stderr: "",
    });
    expect(read("rewrite/a.evt")).toBe(tidy);
    expect(read("rewrite/b.evt")).toBe(tidy);
    expect(evtc(["fmt", dir], work)).toMatchObject({ status: 0, stdout: "2 files checked: 0 reformatted\n" });
    // Nothing is left behind: the temporary file of the atomic write was renamed over the original.
    expect(readdirSync(path.join(work, dir)).sort()).toEqual(["a.evt", "b.evt"]);
  });

  it("--check writes nothing, lists the files that would change and exits 1", () => {
    const dir = project("check", { "z.evt": messy, "a.evt": messy, "m.evt": tidy });
    expect(evtc(["fmt", "--check", dir], work)).toEqual({
      status: 1,
      stdout: "check/a.evt\ncheck/z.evt\n3 files checked: 2 not formatted (run `evtc fmt` to format them)\n",
      stderr: "",
    });
    expect(read("check/a.evt")).toBe(messy);
    expect(read("check/z.evt")).toBe(messy);
  });

  it("walks directories in sorted order, skipping hidden directories and node_modules", () => {
    const dir = project("walk", {
      "b/2.evt": messy,
      "b/10.evt": messy,
      "a.evt": messy,
      "B.evt": messy,
      "c/d/e.evt": messy,
      ".hidden/x.evt": messy,
      "node_modules/y.evt": messy,
      "notes.txt": messy,
    });
    const outcome = evtc(["fmt", "--check", dir], work);
    expect(outcome.stdout.split("\n").slice(0, -2)).toEqual([
      "walk/B.evt",
      "walk/a.evt",
      "walk/b/10.evt",
      "walk/b/2.evt",
      "walk/c/d/e.evt",
    ]);
    expect(outcome.status).toBe(1);
  });

  it("leaves a file with syntax errors untouched, prints its diagnostics as evtc check does, and exits 2", () => {
    const dir = project("syntax", { "bad.evt": broken, "good.evt": messy });
    const outcome = evtc(["fmt", "--no-color", dir], work);
    expect(outcome.status).toBe(2);
    expect(outcome.stdout).toBe(
      [
        "error[EVT0202]: `topc` does not start a declaration",
        " --> syntax/bad.evt:2:1",
        "  |",
        "2 | topc t.x { owner t }",
        "  | ^^^^",
        "  = help: did you mean `topic`?",
        "",
        "syntax/good.evt",
        "2 files checked: 1 reformatted; 1 file with syntax errors left as it is",
        "",
      ].join("\n"),
    );
    expect(read("syntax/bad.evt")).toBe(broken);
    expect(read("syntax/good.evt")).toBe(tidy);
    // With --check too: the syntax error is the bigger problem, and the file is not counted as formatted.
    const checked = evtc(["fmt", "--check", dir], work);
    expect(checked.status).toBe(2);
    expect(checked.stdout).toMatch(/\n2 files checked: 1 formatted; 1 file with syntax errors left as it is\n$/);
  });

  it("exits 2 on a missing path, a directory without .evt files or a binary file, after formatting the rest", () => {
    const dir = project("missing", { "a.evt": messy, "empty/notes.txt": "", "binary/b.evt": "team\u0000" });
    const outcome = evtc(["fmt", "--no-color", dir, "missing/nope.evt", "missing/empty"], work);
    expect(outcome.status).toBe(2);
    expect(outcome.stdout).toContain("error[EVT0001]: no such file or directory `missing/nope.evt`");
    expect(outcome.stdout).toContain("error[EVT0002]: no `.evt` files in `missing/empty`");
    expect(outcome.stdout).toContain("error[EVT0004]");
    // The binary file counts among the files, left as it is.
    expect(outcome.stdout).toMatch(
      /\n2 files checked: 1 reformatted; 1 file that could not be read as text left as it is\n$/,
    );
    expect(read("missing/a.evt")).toBe(tidy);
    expect(read("missing/binary/b.evt")).toBe("team\u0000");
  });

  it("exits 2 on usage errors", () => {
    expect(evtc(["fmt"], work).status).toBe(2);
    expect(evtc(["fmt", "--frobnicate", "x.evt"], work).status).toBe(2);
  });

  it("removes a byte-order mark and rewrites CRLF line endings", () => {
    const dir = project("bytes", { "bom.evt": Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(tidy)]) });
    project("bytes", { "crlf.evt": tidy.replace(/\n/g, "\r\n") });
    expect(evtc(["fmt", "--check", dir], work)).toMatchObject({
      status: 1,
      stdout: "bytes/bom.evt\nbytes/crlf.evt\n2 files checked: 2 not formatted (run `evtc fmt` to format them)\n",
    });
    expect(evtc(["fmt", dir], work).status).toBe(0);
    expect(read("bytes/bom.evt")).toBe(tidy);
    expect(read("bytes/crlf.evt")).toBe(tidy);
  });

  it("keeps the permissions of a rewritten file", () => {
    const dir = project("mode", { "a.evt": messy });
    chmodSync(path.join(work, dir, "a.evt"), 0o640);
    expect(evtc(["fmt", dir], work).status).toBe(0);
    expect(statSync(path.join(work, dir, "a.evt")).mode & 0o777).toBe(0o640);
  });

  it.skipIf(process.getuid?.() === 0)("does not replace a read-only file: it says so and exits 2", () => {
    const dir = project("readonly", { "a.evt": messy });
    chmodSync(path.join(work, dir, "a.evt"), 0o444);
    const outcome = evtc(["fmt", dir], work);
    expect(outcome.status).toBe(2);
    expect(outcome.stderr).toBe("error: cannot write `readonly/a.evt`: permission denied; it was left as it is\n");
    expect(read("readonly/a.evt")).toBe(messy);
  });

  it("--help describes the command, --check and the exit codes", () => {
    const outcome = evtc(["fmt", "--help"]);
    expect(outcome.status).toBe(0);
    expect(outcome.stdout).toContain("Usage: evtc fmt [options] <paths...>");
    expect(outcome.stdout).toMatch(/--check\s+do not write/);
    expect(outcome.stdout).toContain("1  with --check: a file is not formatted");
    expect(outcome.stdout).toContain("2  usage or file problem");
    expect(evtc(["--help"]).stdout).toMatch(/\n\s+fmt \[options\] <paths\.\.\.>/);
  });
});
