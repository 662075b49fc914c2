import type { Team } from "../../../model/bus.js";
import { domainsOf } from "../../../model/queries.js";
import { defineRule } from "../rule.js";

export default defineRule({
  id: "naming/owner-domain-prefix",
  code: "EVT0504",
  purpose:
    "Checks that consumer, enricher and back-end names start with a domain their owning team owns or is delegated.",
  defaultSeverity: "error",
  check(model, report) {
    const named: Array<{
      kind: string;
      name: string;
      owner: Team;
      span: import("../../../diagnostics/source.js").Span;
    }> = [
      ...[...model.consumers.values()].map((c) => ({
        kind: "consumer",
        name: c.name,
        owner: c.owner,
        span: c.nameSpan,
      })),
      ...[...model.enrichers.values()].map((e) => ({
        kind: "enricher",
        name: e.name,
        owner: e.owner,
        span: e.nameSpan,
      })),
      ...[...model.backends.values()].map((b) => ({
        kind: "back-end",
        name: b.name,
        owner: b.owner,
        span: b.nameSpan,
      })),
    ];
    for (const item of named) {
      const domains = domainsOf(model, item.owner).map((d) => d.name);
      const [prefix, ...rest] = item.name.split(".");
      if (rest.length > 0 && domains.includes(prefix!)) continue;
      const local = rest.length > 0 ? rest.join(".") : item.name;
      report(
        item.span,
        { kind: item.kind, name: item.name, owner: item.owner.name },
        {
          help:
            domains.length > 0
              ? `name it \`${domains[0]}.${local}\``
              : `\`${item.owner.name}\` owns no domain: declare \`domain ${item.owner.name} { owner ${item.owner.name} }\``,
        },
      );
    }
  },
});
