import { writeFileSync } from "node:fs";
import path from "node:path";
import { diagnosticsCatalog } from "../src/diagnostics/catalog.js";

const target = path.join(import.meta.dirname, "..", "docs", "diagnostics.md");
writeFileSync(target, diagnosticsCatalog());
console.log(`wrote ${path.relative(process.cwd(), target)}`);
