import { defineRule } from "../rule.js";
import { lastWord } from "../naming/words.js";

const requestWords = new Set([
  "request",
  "requests",
  "reply",
  "replies",
  "response",
  "responses",
  "command",
  "commands",
  "query",
  "queries",
]);
const correlationFields = /^(correlation|request|reply)[-_]?(id|to)$/i;

export default defineRule({
  id: "not-an-event/request-reply",
  code: "EVT0509",
  purpose: "Checks that topics do not carry requests and replies, which belong in an API gateway.",
  defaultSeverity: "warning",
  check(model, report) {
    for (const topic of model.topics.values()) {
      const segments = topic.name.split(".");
      const word = segments.map(lastWord).find((w, i) => i > 0 && requestWords.has(w));
      if (word) {
        report(
          topic.nameSpan,
          { name: topic.name, reason: `looks like a request or a reply (\`${word}\`)` },
          {
            help: "request/response belongs in an API gateway; publish the fact that results from it instead",
          },
        );
        continue;
      }
      if (topic.publisher.kind !== "enricher") continue;
      const enricher = topic.publisher.enricher;
      const key = topic.key?.path.at(-1);
      if (enricher.from.domainName === topic.domainName && key !== undefined && correlationFields.test(key)) {
        report(
          topic.nameSpan,
          {
            name: topic.name,
            reason: `replies into the domain of \`${enricher.from.name}\`, keyed by \`${key}\``,
          },
          { help: "a reply keyed by a correlation id is a remote call; use an API gateway" },
        );
      }
    }
  },
});
