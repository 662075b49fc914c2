import { defineRule } from "../rule.js";

export default defineRule({
  id: "ownership/public-contact",
  code: "EVT0506",
  purpose: "Checks that the team owning a public topic has a contact.",
  defaultSeverity: "error",
  check(model, report) {
    for (const topic of model.topics.values()) {
      if (topic.visibility !== "public" || topic.owner.contacts.length > 0) continue;
      report(
        topic.nameSpan,
        { name: topic.name, team: topic.owner.name },
        {
          related: [{ span: topic.owner.nameSpan, message: "the team is declared here" }],
          help: `add \`contact "…"\` to team \`${topic.owner.name}\``,
        },
      );
    }
  },
});
