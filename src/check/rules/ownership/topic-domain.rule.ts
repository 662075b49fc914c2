import { defineRule } from "../rule.js";

export default defineRule({
  id: "ownership/topic-domain",
  code: "EVT0507",
  purpose: "Checks that a topic's owner owns the topic's domain, or is delegated by it.",
  defaultSeverity: "error",
  check(model, report) {
    for (const topic of model.topics.values()) {
      const domain = model.domains.get(topic.domainName);
      if (!domain?.owner) continue; // naming/topic-domain, or a domain without owner, is reported elsewhere
      if (domain.owner === topic.owner || domain.delegates.includes(topic.owner)) continue;
      report(
        topic.nameSpan,
        { name: topic.name, team: topic.owner.name, domain: domain.name },
        {
          related: [{ span: domain.nameSpan, message: `owned by \`${domain.owner.name}\`` }],
          help: `let the domain delegate it (\`delegate ${topic.owner.name}\` in domain \`${domain.name}\`), or name the topic in a domain \`${topic.owner.name}\` owns`,
        },
      );
    }
  },
});
