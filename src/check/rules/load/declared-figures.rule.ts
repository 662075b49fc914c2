import { readersByTopic } from "../../../model/queries.js";
import { defineRule } from "../rule.js";

export default defineRule({
  id: "load/declared-figures",
  code: "EVT0706",
  purpose: "Checks that looked-up back-ends declare a capacity and that topics causing look-ups declare a rate.",
  defaultSeverity: "warning",
  check(model, report) {
    const readers = [...model.consumers.values(), ...model.enrichers.values()];
    for (const backend of model.backends.values()) {
      const used = readers.some((r) => r.lookups.some((l) => l.backend === backend));
      if (used && backend.capacity === undefined) {
        report(
          backend.nameSpan,
          { what: `back-end \`${backend.name}\``, missing: "`capacity`" },
          {
            help: "declare the requests per second it sustains: `capacity 400/s`",
          },
        );
      }
    }
    for (const [name, topicReaders] of readersByTopic(model)) {
      const topic = model.topics.get(name)!;
      if (topic.rate || topic.publisher.kind === "enricher") continue; // an enriched topic inherits its source's rate
      if (!topicReaders.some((r) => r.lookups.length > 0)) continue;
      report(
        topic.nameSpan,
        { what: `topic \`${name}\``, missing: "`rate`" },
        {
          help: "declare its average and peak rate: `rate 200/s peak 600/s`",
        },
      );
    }
  },
});
