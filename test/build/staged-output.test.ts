import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { GENERATED_MARKER } from "../../src/emit/generated-file.js";
import { outputProject, StagedOutput } from "../../src/emit/output.js";

const out = path.join(import.meta.dirname, "..", ".tmp", "staged-output");
const header = `// ${GENERATED_MARKER} from bus.evt — do not edit\n`;
/** What makes a directory a project's output, where a build deletes what it no longer generates. */
const topology = {
  path: "topology.json",
  content: `{ "$comment": "${GENERATED_MARKER} from bus.evt", "project": "bus" }\n`,
};

/** Every file and directory under `dir`, directories with a trailing `/`, with the files' content. */
function tree(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((entry) => {
      const relative = `${prefix}${entry.name}`;
      const full = path.join(dir, entry.name);
      return entry.isDirectory()
        ? [`${relative}/`, ...tree(full, `${relative}/`)]
        : [`${relative}: ${readFileSync(full, "utf8")}`];
    });
}

function put(relative: string, content: string): void {
  mkdirSync(path.dirname(path.join(out, relative)), { recursive: true });
  writeFileSync(path.join(out, relative), content);
}

beforeEach(() => {
  rmSync(out, { recursive: true, force: true });
  put("index.ts", `${header}export const old = 1;\n`);
  put("schemas/a.b.c/A.v1.0.json", `${header}{}\n`);
  put("NOTES.md", "hand-written\n");
  put(topology.path, topology.content);
});

describe("StagedOutput", () => {
  it("puts nothing in place before commit, then everything at once", () => {
    const before = tree(out);
    const output = new StagedOutput(out, true);
    output.add([
      { path: "index.ts", content: `${header}export const now = 2;\n` },
      { path: "validators/deep/X.v1.0.js", content: `${header}export {};\n` },
      topology,
    ]);
    // Staged files are hidden beside their targets; the targets are untouched.
    expect(tree(out).filter((entry) => !entry.includes(".evtc-"))).toEqual(
      [...before, "validators/", "validators/deep/"].sort(),
    );
    const plan = output.plan();
    expect(plan.writes.map((w) => [w.path, w.replaces])).toEqual([
      ["index.ts", true],
      ["validators/deep/X.v1.0.js", false],
    ]);
    // The schema no longer produced carries the marker: obsolete. The notes do not: kept.
    expect(plan.deletions).toEqual(["schemas/a.b.c/A.v1.0.json"]);
    output.commit(plan);
    expect(tree(out)).toEqual([
      "NOTES.md: hand-written\n",
      `index.ts: ${header}export const now = 2;\n`,
      `topology.json: ${topology.content}`,
      "validators/",
      "validators/deep/",
      `validators/deep/X.v1.0.js: ${header}export {};\n`,
    ]);
  });

  it("owns a file by its header only, as a checkout may have it, never by the marker elsewhere in it", () => {
    put("README.md", `# Notes\nThe files here are ${GENERATED_MARKER} from bus.evt: do not edit them.\n`);
    put("docs.ts", `/** Not ${GENERATED_MARKER}: ours. */\n`);
    // A header's words without its form (no \`from\`), or its form on a kind of file evtc never writes.
    put("notes.ts", `// ${GENERATED_MARKER} — everything in this folder\n`);
    put("CHANGES.md", `# ${GENERATED_MARKER} from bus.evt — do not edit\n`);
    put("strimzi/topics.yaml", `\uFEFF# ${GENERATED_MARKER} from bus.evt — do not edit\r\n---\r\n`);
    put("schemas/a.b.c/A.v1.1.json", `{\r\n    "$comment": "${GENERATED_MARKER} from bus.evt — do not edit",\r\n}\r\n`);
    const output = new StagedOutput(out, true);
    output.add([topology]);
    expect(output.plan().deletions).toEqual([
      "index.ts",
      "schemas/a.b.c/A.v1.0.json",
      "schemas/a.b.c/A.v1.1.json",
      "strimzi/topics.yaml",
    ]);
  });

  it("knows its output by a topology.json with a byte-order mark, as it knows the header with one", () => {
    put(topology.path, `\uFEFF${topology.content}`);
    expect(outputProject(out)).toBe("bus");
    const output = new StagedOutput(out, true);
    output.add([topology]);
    expect(output.plan().deletions).toEqual(["index.ts", "schemas/a.b.c/A.v1.0.json"]);
  });

  it("deletes in a folder that is not a build's output only what an interrupted build left", () => {
    rmSync(out, { recursive: true, force: true });
    put("copied.ts", header);
    put("validators/.X.v1.0.js.evtc-4242.tmp", header);
    const output = new StagedOutput(out, true);
    output.add([topology]);
    expect(output.plan().deletions).toEqual(["validators/.X.v1.0.js.evtc-4242.tmp"]);
  });

  it("deletes nothing where the output's topology.json cannot be read (half written, conflicted)", () => {
    put(topology.path, `{ "$comment": "${GENERATED_MARKER} from bus.evt", "project": `);
    const output = new StagedOutput(out, true);
    output.add([topology]);
    expect(output.plan().deletions).toEqual([]);
  });

  it("leaves the directory exactly as it was when discarded: no temporary file, no directory it made", () => {
    const before = tree(out);
    const output = new StagedOutput(out, true);
    output.add([
      { path: "index.ts", content: `${header}export const now = 2;\n` },
      { path: "validators/deep/X.v1.0.js", content: `${header}export {};\n` },
      { path: "schemas/a.b.c/B.v1.0.json", content: `${header}{}\n` },
    ]);
    expect(tree(out)).not.toEqual(before);
    output.discard();
    expect(tree(out)).toEqual(before);
  });

  it("stops staging at a file it did not generate, and cannot commit", () => {
    const before = tree(out);
    const output = new StagedOutput(out, true);
    output.add([{ path: "a/one.ts", content: `${header}1\n` }]);
    output.add([
      { path: "NOTES.md", content: `${header}generated notes\n` },
      { path: "b/two.ts", content: `${header}2\n` },
    ]);
    expect(output.plan().foreign).toEqual(["NOTES.md"]);
    expect(existsSync(path.join(out, "b"))).toBe(false);
    expect(() => output.commit(output.plan())).toThrow();
    output.discard();
    expect(tree(out)).toEqual(before);
  });

  it("counts a file where a folder of the output must be as a file in the way, comparing or writing", () => {
    put("validators", "a file, not a folder\n");
    for (const write of [false, true]) {
      const output = new StagedOutput(out, write);
      output.add([
        { path: "validators/X.v1.0.js", content: `${header}1\n` },
        { path: "validators/deep/Y.v1.0.js", content: `${header}2\n` },
        { path: "index.ts", content: `${header}export const now = 2;\n` },
      ]);
      expect(output.plan().foreign, `write: ${write}`).toEqual(["validators"]);
      output.discard();
    }
    expect(readFileSync(path.join(out, "validators"), "utf8")).toBe("a file, not a folder\n");
  });

  it("builds into a directory that did not exist, and removes it again when discarded", () => {
    const fresh = path.join(out, "new", "out");
    const files = [
      { path: "index.ts", content: `${header}1\n` },
      { path: "validators/X.v1.0.js", content: `${header}2\n` },
    ];
    const discarded = new StagedOutput(fresh, true);
    discarded.add(files);
    expect(discarded.plan().writes.map((w) => [w.path, w.replaces])).toEqual([
      ["index.ts", false],
      ["validators/X.v1.0.js", false],
    ]);
    discarded.discard();
    expect(existsSync(path.join(out, "new"))).toBe(false);
    const committed = new StagedOutput(fresh, true);
    committed.add(files);
    expect(committed.plan().deletions).toEqual([]);
    committed.commit(committed.plan());
    expect(tree(fresh)).toEqual([`index.ts: ${header}1\n`, "validators/", `validators/X.v1.0.js: ${header}2\n`]);
  });

  it("only compares when it does not write (`--check`)", () => {
    const before = tree(out);
    const output = new StagedOutput(out, false);
    output.add([
      { path: "index.ts", content: `${header}export const old = 1;\n` },
      { path: "new/file.ts", content: `${header}3\n` },
    ]);
    const plan = output.plan();
    expect(plan.unchanged).toBe(1);
    expect(plan.writes.map((w) => w.path)).toEqual(["new/file.ts"]);
    expect(tree(out)).toEqual(before);
  });

  it("takes a path once, however often it is added", () => {
    const output = new StagedOutput(out, true);
    const file = { path: "index.ts", content: `${header}export const now = 2;\n` };
    output.add([file]);
    output.add([file]);
    expect(output.plan().writes).toHaveLength(1);
    output.commit(output.plan());
    expect(readFileSync(path.join(out, "index.ts"), "utf8")).toBe(file.content);
  });
});
