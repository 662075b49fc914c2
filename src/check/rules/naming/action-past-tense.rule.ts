import { defineRule } from "../rule.js";
import { isPastTense, lastWord, pastTenseOf } from "./words.js";

export default defineRule({
  id: "naming/action-past-tense",
  code: "EVT0503",
  purpose: "Checks that the action of a topic name is a past-tense verb: an event states what happened.",
  defaultSeverity: "warning",
  check(model, report) {
    for (const topic of model.topics.values()) {
      const segments = topic.name.split(".");
      if (segments.length !== 3) continue; // naming/topic-format reports it
      const action = segments[2]!;
      const word = lastWord(action);
      if (isPastTense(word)) continue;
      // A name the other naming rules accept too: lower case (naming/topic-format).
      const proposal = [...segments.slice(0, 2), action.slice(0, action.length - word.length) + pastTenseOf(word)]
        .join(".")
        .toLowerCase();
      report(topic.nameSpan, { name: topic.name, action }, { help: `name what happened: \`${proposal}\`` });
    }
  },
});
