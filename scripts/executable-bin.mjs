// Makes the `evtc` command's file executable after `tsc` writes it (tsc creates files without the x bit).
// npm sets it when it links a package's bin, but not in every case: `CI=true npm ci` in a checkout of evtc
// left it unset, and `npx evtc` then failed with "Permission denied".
import { chmodSync, readFileSync } from "node:fs";

const { bin } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
for (const file of Object.values(bin)) chmodSync(new URL(`../${file}`, import.meta.url), 0o755);
