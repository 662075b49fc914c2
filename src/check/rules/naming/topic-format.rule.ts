import { defineRule } from "../rule.js";
import { toKebabCase } from "./words.js";

const segmentShape = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

function problem(name: string): string | undefined {
  const segments = name.split(".");
  if (segments.length !== 3) return `has ${segments.length} segment${segments.length === 1 ? "" : "s"}, not three`;
  const bad = segments.find((segment) => !segmentShape.test(segment));
  if (bad === undefined) return undefined;
  if (/[A-Z]/.test(bad)) return `has uppercase letters in \`${bad}\``;
  if (bad.includes("_")) return `has \`_\` in \`${bad}\`; words inside a segment are joined by \`-\``;
  return `has an invalid segment \`${bad}\``;
}

export default defineRule({
  id: "naming/topic-format",
  code: "EVT0501",
  purpose: "Checks that topic names are `{domain}.{entity}.{action}`: three lowercase, kebab-case segments.",
  defaultSeverity: "error",
  check(model, report) {
    for (const topic of model.topics.values()) {
      const reason = problem(topic.name);
      if (!reason) continue;
      const segments = topic.name.split(".").map(toKebabCase);
      const proposal = segments.length === 3 ? segments.join(".") : undefined;
      report(
        topic.nameSpan,
        { name: topic.name, reason: `is not \`{domain}.{entity}.{action}\`: it ${reason}` },
        {
          help: proposal
            ? `name it \`${proposal}\``
            : "name it `<domain>.<entity>.<action>`, e.g. `billing.payment.received`",
        },
      );
    }
  },
});
