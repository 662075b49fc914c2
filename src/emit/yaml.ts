/**
 * YAML for the Strimzi resources: plain data (mappings, sequences, strings, numbers, booleans) in block style,
 * the layout the `yaml` library writes, for a fraction of its cost on a large project. Kubernetes reads YAML 1.1,
 * so a string is written plain only when it cannot be read as anything else under 1.1 or 1.2 (no number, no
 * `yes`/`no`/`on`/`off`, no indicator character); every other string is double-quoted with JSON's escapes, which
 * are YAML's too. The tests read the files back with the `yaml` library and compare them with the resources.
 */

export type Yaml = string | number | boolean | readonly Yaml[] | { readonly [key: string]: Yaml };

const PLAIN = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
const YAML_11_WORDS = /^(?:y|n|yes|no|true|false|on|off|null)$/i;

/** A scalar as YAML: plain when nothing else could be read from it, else a double-quoted JSON string. */
export function yamlScalar(value: string | number | boolean): string {
  if (typeof value !== "string") return String(value);
  return PLAIN.test(value) && !YAML_11_WORDS.test(value) ? value : JSON.stringify(value);
}

function isCollection(value: Yaml): value is readonly Yaml[] | { readonly [key: string]: Yaml } {
  return typeof value === "object";
}

function isEmpty(value: readonly Yaml[] | { readonly [key: string]: Yaml }): boolean {
  return Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
}

/** The lines of a collection at `indent` spaces. */
function lines(value: readonly Yaml[] | { readonly [key: string]: Yaml }, indent: string, out: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value as readonly Yaml[]) {
      if (!isCollection(item) || isEmpty(item)) {
        out.push(`${indent}- ${isCollection(item) ? (Array.isArray(item) ? "[]" : "{}") : yamlScalar(item)}`);
        continue;
      }
      // A collection in a sequence starts on the dash's line, the rest of it aligned under its first entry.
      const first = out.length;
      lines(item, `${indent}  `, out);
      out[first] = `${indent}- ${out[first]!.slice(indent.length + 2)}`;
    }
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (!isCollection(item)) out.push(`${indent}${yamlScalar(key)}: ${yamlScalar(item)}`);
    else if (isEmpty(item)) out.push(`${indent}${yamlScalar(key)}: ${Array.isArray(item) ? "[]" : "{}"}`);
    else {
      out.push(`${indent}${yamlScalar(key)}:`);
      lines(item, `${indent}  `, out);
    }
  }
}

export type YamlMapping = { readonly [key: string]: Yaml };

/** One YAML document for a mapping, each line ending with a newline. */
export function yamlDocument(value: YamlMapping): string {
  const out: string[] = [];
  lines(value, "", out);
  out.push("");
  return out.join("\n");
}
