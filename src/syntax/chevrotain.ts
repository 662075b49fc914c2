import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type * as Chevrotain from "chevrotain";

/**
 * chevrotain's values, from the single-file ES module build the package ships (`lib/chevrotain.mjs`, listed in
 * its `files`) rather than its main entry: the entry loads lodash-es as some 600 modules, which took half a
 * second of every evtc command's start-up; the bundle loads in about 40 ms. The two are the same release (the
 * version is pinned in package.json), and the types come from the package itself. The bundle is not in the
 * package's `exports`, so it is found beside the main entry and imported by its file URL.
 */
const entry = createRequire(import.meta.url).resolve("chevrotain");
const bundle = path.join(path.dirname(entry), "..", "chevrotain.mjs");
const chevrotain = (await import(pathToFileURL(bundle).href)) as typeof Chevrotain;

export const { createToken, createTokenInstance, CstParser, EarlyExitException, EOF, Lexer, NoViableAltException } = chevrotain;
