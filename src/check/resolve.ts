import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { Code, ParamsOf } from "../diagnostics/registry.js";
import type { Span } from "../diagnostics/source.js";
import { didYouMean } from "../diagnostics/suggest.js";
import * as m from "../model/bus.js";
import { describeFound, kindDescriptions, parseQuantity, type QuantityKind } from "../model/units.js";
import type * as ast from "../syntax/ast.js";
import { checkDefault, resolveConstraints } from "./fields.js";
import { checkTypeDepth } from "./type-depth.js";

/** The largest value of a 32-bit integer: Kafka's partition count, and what the runtime counts in. */
const INT32_MAX = 2_147_483_647;
/** The unit a quantity of each kind is counted in, as a limit on it is said. */
const BASE_UNITS: Record<QuantityKind, string> = {
  count: "",
  duration: " milliseconds",
  size: " bytes",
  rate: " events a second",
};

export interface ResolveResult {
  readonly model: m.BusModel;
  readonly diagnostics: readonly Diagnostic[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const KAFKA_DEFAULT_RETENTION_MS = 7 * 86_400_000;
const DEFAULT_MAX_SIZE_BYTES = 1024 * 1024;

function sortedMap<T>(map: ReadonlyMap<string, T>): Map<string, T> {
  return new Map([...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Which namespace each kind of declaration lives in (see EVT0310). */
const namespaceOf: Record<ast.DeclarationKind, string> = {
  team: "team",
  domain: "domain",
  segment: "segment",
  enum: "type",
  record: "type",
  event: "type",
  topic: "topic",
  backend: "backend",
  consumer: "consumer",
  enricher: "enricher",
};

const kindNames: Record<ast.DeclarationKind, string> = {
  team: "team",
  domain: "domain",
  segment: "segment",
  enum: "enum",
  record: "record",
  event: "event",
  topic: "topic",
  backend: "back-end",
  consumer: "consumer",
  enricher: "enricher",
};

const keyTypes = new Set<string>(["string", "uuid", "int", "long"]);

/** The annotations, with how many arguments each takes and how it is written (language.md §5.11). */
const annotationUsage = new Map<string, { takes: number; help: string }>([
  ["deprecated", { takes: 1, help: '`@deprecated` takes one reason: `@deprecated("use PaymentReceived v2")`' }],
  [
    "allow",
    {
      takes: 2,
      help: '`@allow` takes a rule and a reason: `@allow("not-an-event/single-consumer", "the fraud team subscribes next quarter")`',
    },
  ],
]);
const ordinals = ["a first", "a second", "a third", "a fourth"];

/**
 * Resolves every name across all files of a project into one {@link m.BusModel}. Declarations that cannot
 * be resolved (a topic without an owner, say) are reported and left out of the model; references to them are
 * not reported again, so one mistake gives one diagnostic.
 */
export function resolve(files: readonly ast.EvtFile[]): ResolveResult {
  return new Resolver(files).run();
}

class Resolver {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly declared = new Map<string, Map<string, ast.Declaration>>();
  /** Topic names defined by enrichers' `publish`, with their enricher declarations. */
  private readonly enricherTopics = new Map<string, ast.EnricherDeclaration>();

  private readonly teams = new Map<string, m.Team>();
  private readonly domains = new Map<string, m.Domain>();
  private readonly segments = new Map<string, m.Segment>();
  private readonly enums = new Map<string, m.EnumType>();
  private readonly records = new Map<string, m.RecordType>();
  private readonly events = new Map<string, m.EventType>();
  private readonly topics = new Map<string, m.Topic>();
  private readonly backends = new Map<string, m.Backend>();
  private readonly consumers = new Map<string, m.Consumer>();
  private readonly enrichers = new Map<string, m.Enricher>();

  private readonly eventsInProgress: string[] = [];
  private readonly failedEvents = new Set<string>();
  private readonly enrichersInProgress: string[] = [];
  private readonly failedEnrichers = new Set<string>();

  constructor(private readonly files: readonly ast.EvtFile[]) {}

  private report<C extends Code>(
    code: C,
    params: ParamsOf<C>,
    at: Span,
    extra: Omit<Parameters<typeof diagnostic>[2], "span"> = {},
  ): void {
    this.diagnostics.push(diagnostic(code, params, { span: at, ...extra }));
  }

  run(): ResolveResult {
    const ordered = [...this.files].sort((a, b) =>
      a.source.path < b.source.path ? -1 : a.source.path > b.source.path ? 1 : 0,
    );
    const all = ordered.flatMap((f) => f.declarations);
    for (const decl of all) this.declare(decl);
    for (const decl of all) if (decl.kind === "enricher") this.declarePublishedTopic(decl);
    for (const decl of all) this.checkAnnotations(decl);

    for (const decl of this.all("team")) this.team(decl);
    for (const decl of this.all("domain")) this.domain(decl);
    for (const decl of this.all("segment")) this.segment(decl);
    for (const decl of this.allTypes()) if (decl.kind === "enum") this.enumType(decl);
    // Records first without fields so that records and events may refer to any record, in any order.
    for (const decl of this.allTypes())
      if (decl.kind === "record") this.records.set(decl.name.text, this.declared_(decl, { fields: [] }));
    for (const decl of this.allTypes()) if (decl.kind === "record") this.recordFields(decl);
    for (const decl of this.allTypes()) if (decl.kind === "event") this.event(decl);
    this.diagnostics.push(...checkTypeDepth(this.records.values(), this.events.values()));
    for (const decl of this.all("backend")) this.backend(decl);
    for (const decl of this.all("topic")) this.topicDeclaration(decl);
    for (const decl of this.all("enricher")) this.enricher(decl);
    for (const decl of this.all("consumer")) this.consumer(decl);

    const model: m.BusModel = {
      teams: sortedMap(this.teams),
      domains: sortedMap(this.domains),
      segments: sortedMap(this.segments),
      enums: sortedMap(this.enums),
      records: sortedMap(this.records),
      events: sortedMap(this.events),
      topics: sortedMap(this.topics),
      backends: sortedMap(this.backends),
      consumers: sortedMap(this.consumers),
      enrichers: sortedMap(this.enrichers),
      files: ordered.map((f) => f.source.path),
    };
    return { model, diagnostics: this.diagnostics };
  }

  // ---- declarations and namespaces -------------------------------------------------------------------

  private declare(decl: ast.Declaration): void {
    if (decl.name.text === "") return;
    const namespace = namespaceOf[decl.kind];
    let names = this.declared.get(namespace);
    if (!names) this.declared.set(namespace, (names = new Map()));
    const first = names.get(decl.name.text);
    if (first) {
      this.duplicate(kindNames[decl.kind], decl.name, first.name.span);
      return;
    }
    if (namespace === "type" && (m.builtinTypes as readonly string[]).concat("map").includes(decl.name.text)) {
      this.report("EVT0310", { kind: kindNames[decl.kind], name: decl.name.text }, decl.name.span, {
        help: `\`${decl.name.text}\` is a built-in type; choose another name`,
      });
      return;
    }
    names.set(decl.name.text, decl);
  }

  private duplicate(kind: string, name: ast.Name, firstSpan: Span): void {
    this.report("EVT0310", { kind, name: name.text }, name.span, {
      related: [{ span: firstSpan, message: "first defined here" }],
    });
  }

  private declarePublishedTopic(decl: ast.EnricherDeclaration): void {
    if (this.declared.get("enricher")?.get(decl.name.text) !== decl) return;
    const publish = decl.clauses.find((c): c is ast.PublishClause => c.keyword === "publish");
    if (!publish) return;
    const name = publish.topic.text;
    const topicDecl = this.declared.get("topic")?.get(name);
    const otherEnricher = this.enricherTopics.get(name);
    const other =
      topicDecl?.name.span ??
      otherEnricher?.clauses.find((c): c is ast.PublishClause => c.keyword === "publish")?.topic.span;
    if (other) {
      this.report("EVT0313", { name }, publish.topic.span, {
        related: [
          { span: other, message: topicDecl ? "declared as a topic here" : "published by another enricher here" },
        ],
        help: "an enricher defines the topic it publishes; give the enriched topic its own name",
      });
      return;
    }
    this.enricherTopics.set(name, decl);
  }

  private all<K extends ast.DeclarationKind>(kind: K): Array<Extract<ast.Declaration, { kind: K }>> {
    return [...(this.declared.get(namespaceOf[kind])?.values() ?? [])].filter(
      (d): d is Extract<ast.Declaration, { kind: K }> => d.kind === kind,
    );
  }

  private allTypes(): Array<ast.EnumDeclaration | ast.RecordDeclaration | ast.EventDeclaration> {
    return [...(this.declared.get("type")?.values() ?? [])] as Array<
      ast.EnumDeclaration | ast.RecordDeclaration | ast.EventDeclaration
    >;
  }

  private declared_<D extends ast.Declaration, X extends object>(decl: D, rest: X) {
    const deprecated = this.deprecation(decl);
    return {
      name: decl.name.text,
      docs: decl.docs,
      declaration: decl,
      nameSpan: decl.name.span,
      ...(deprecated !== undefined ? { deprecated } : {}),
      ...rest,
    };
  }

  // ---- annotations ----------------------------------------------------------------------------------

  private deprecation(node: ast.Documented): string | undefined {
    const annotation = node.annotations.find((a) => a.name.text === "deprecated");
    if (!annotation) return undefined;
    const arg = annotation.args[0];
    return arg?.kind === "string" ? arg.value : "";
  }

  private checkAnnotations(decl: ast.Declaration): void {
    const nodes: ast.Documented[] = [decl];
    if (decl.kind === "event" || decl.kind === "record") nodes.push(...decl.fields);
    if (decl.kind === "enum") nodes.push(...decl.members);
    for (const node of nodes) {
      for (const annotation of node.annotations) {
        const usage = annotationUsage.get(annotation.name.text);
        if (usage === undefined) {
          this.report("EVT0309", { name: annotation.name.text }, annotation.name.span, {
            help:
              didYouMean(annotation.name.text, annotationUsage.keys()) ??
              'the annotations are `@deprecated("reason")` and `@allow("rule", "reason")`',
          });
          continue;
        }
        annotation.args.slice(usage.takes).forEach((extra, i) => {
          const found = `${ordinals[usage.takes + i] ?? "another"} argument`;
          this.report("EVT0201", { expected: "`)`", found }, extra.span, { help: usage.help });
        });
        if (annotation.name.text === "allow") continue; // what it names is checked with the rules (check/lint.ts)
        const first = annotation.args[0];
        if (first && first.kind !== "string") {
          this.report("EVT0105", { expected: "a string", found: `\`${first.text}\`` }, first.span);
        }
      }
    }
  }

  // ---- clauses and values ---------------------------------------------------------------------------

  /** The clauses with this keyword; the first wins and any later one is reported. */
  private single<K extends ast.Clause["keyword"]>(
    clauses: readonly ast.Clause[],
    keyword: K,
  ): Extract<ast.Clause, { keyword: K }> | undefined {
    const found = clauses.filter((c) => c.keyword === keyword) as Array<Extract<ast.Clause, { keyword: K }>>;
    for (const extra of found.slice(1)) {
      this.report("EVT0402", { clause: keyword }, extra.keywordSpan, {
        related: [{ span: found[0]!.keywordSpan, message: "first given here" }],
      });
    }
    return found[0];
  }

  /** One of two exclusive flags (`ordered`/`unordered`…), or undefined when neither is given. */
  private choice<A extends ast.ClauseKeyword, B extends ast.ClauseKeyword>(
    clauses: readonly ast.Clause[],
    a: A,
    b: B,
  ): A | B | undefined {
    const relevant = clauses.filter((c) => c.keyword === a || c.keyword === b);
    const first = relevant[0];
    for (const later of relevant.slice(1)) {
      if (later.keyword === first!.keyword) {
        this.report("EVT0402", { clause: later.keyword }, later.keywordSpan, {
          related: [{ span: first!.keywordSpan, message: "first given here" }],
        });
      } else {
        this.report("EVT0403", { first: first!.keyword, second: later.keyword }, later.keywordSpan, {
          related: [{ span: first!.keywordSpan, message: `\`${first!.keyword}\` given here` }],
        });
      }
    }
    return first?.keyword as A | B | undefined;
  }

  private quantity(literal: ast.QuantityLiteral | undefined, kind: QuantityKind, what: string): number | undefined {
    if (!literal) return undefined;
    const parsed = parseQuantity(literal.text);
    if ("error" in parsed) {
      this.report("EVT0104", { text: literal.text, reason: parsed.error }, literal.span);
      return undefined;
    }
    if (parsed.kind !== kind) {
      this.report(
        "EVT0105",
        { expected: kindDescriptions[kind], found: describeFound(parsed.kind, literal.text) },
        literal.span,
        {
          help: `\`${what}\` takes ${kindDescriptions[kind]}`,
        },
      );
      return undefined;
    }
    // Counts (partitions, replicas, concurrency, retries) are 32-bit integers to Kafka and the runtime; the
    // others must at least be numbers JavaScript holds exactly, in the unit they are counted in.
    const limit = kind === "count" ? INT32_MAX : Number.MAX_SAFE_INTEGER;
    if (!(Math.abs(parsed.value) <= limit)) {
      this.report(
        "EVT0411",
        { what: `\`${what}\``, reason: `must be at most ${limit}${BASE_UNITS[kind]}, not ${literal.text}` },
        literal.span,
      );
      return undefined;
    }
    if (kind === "count" && !Number.isInteger(parsed.value)) {
      this.report(
        "EVT0411",
        { what: `\`${what}\``, reason: `must be a whole number, not ${literal.text}` },
        literal.span,
      );
      return undefined;
    }
    if (parsed.value < 0 || (parsed.value === 0 && kind !== "count")) {
      const reason = kind === "count" ? "must not be negative" : "must be above zero";
      this.report("EVT0411", { what: `\`${what}\``, reason: `${reason}, not ${literal.text}` }, literal.span);
      return undefined;
    }
    if (kind === "size" && !Number.isInteger(parsed.value)) {
      this.report(
        "EVT0411",
        { what: `\`${what}\``, reason: `must be a whole number of bytes, not ${literal.text}` },
        literal.span,
      );
      return undefined;
    }
    return parsed.value;
  }

  private atLeast(value: number | undefined, min: number, what: string, at: Span | undefined): number | undefined {
    if (value === undefined || at === undefined) return value;
    if (value < min) {
      this.report("EVT0411", { what: `\`${what}\``, reason: `must be at least ${min}, not ${value}` }, at);
      return undefined;
    }
    return value;
  }

  private missing(block: string, decl: ast.Declaration, clause: string, help?: string): void {
    this.report("EVT0401", { block, name: decl.name.text, clause }, decl.name.span, help ? { help } : {});
  }

  private team(decl: ast.TeamDeclaration): void {
    const strings = (keyword: "contact" | "chat") =>
      decl.clauses.filter((c): c is ast.StringClause => c.keyword === keyword).map((c) => c.value.value);
    this.teams.set(decl.name.text, this.declared_(decl, { contacts: strings("contact"), chats: strings("chat") }));
  }

  private teamRef(clause: ast.NameClause | undefined): m.Team | undefined {
    if (!clause) return undefined;
    const team = this.teams.get(clause.value.text);
    if (!team) {
      this.report("EVT0302", { name: clause.value.text }, clause.value.span, {
        help:
          didYouMean(clause.value.text, this.teams.keys()) ??
          `declare it: \`team ${clause.value.text} { contact "…" }\``,
      });
    }
    return team;
  }

  private owner(decl: ast.Declaration & { clauses: readonly ast.Clause[] }, block: string): m.Team | undefined {
    const clause = this.single(decl.clauses, "owner") as ast.NameClause | undefined;
    if (!clause) {
      this.missing(block, decl, "owner", "every " + block + " has an owning team: `owner <team>`");
      return undefined;
    }
    return this.teamRef(clause);
  }

  private domain(decl: ast.DomainDeclaration): void {
    const owner = this.owner(decl, "domain");
    const delegates = decl.clauses
      .filter((c): c is ast.NameClause => c.keyword === "delegate")
      .map((c) => this.teamRef(c))
      .filter((team): team is m.Team => team !== undefined);
    this.domains.set(decl.name.text, this.declared_(decl, { delegates, ...(owner ? { owner } : {}) }));
  }

  private segment(decl: ast.SegmentDeclaration): void {
    const replicasClause = this.single(decl.clauses, "replicas") as ast.QuantityClause | undefined;
    const minInsyncClause = this.single(decl.clauses, "minInsync") as ast.QuantityClause | undefined;
    const replicas = this.atLeast(
      this.quantity(replicasClause?.value, "count", "replicas"),
      1,
      "replicas",
      replicasClause?.value.span,
    );
    let minInsync = this.atLeast(
      this.quantity(minInsyncClause?.value, "count", "minInsync"),
      1,
      "minInsync",
      minInsyncClause?.value.span,
    );
    if (replicas !== undefined && minInsync !== undefined && minInsync > replicas && minInsyncClause) {
      this.report(
        "EVT0411",
        { what: "`minInsync`", reason: `must not exceed \`replicas\` (${replicas}), not ${minInsync}` },
        minInsyncClause.value.span,
      );
      minInsync = undefined;
    }
    this.segments.set(
      decl.name.text,
      this.declared_(decl, {
        orderedFlows: this.single(decl.clauses, "ordered") !== undefined,
        ...(replicas !== undefined ? { replicas } : {}),
        ...(minInsync !== undefined ? { minInsync } : {}),
      }),
    );
  }

  // ---- types ------------------------------------------------------------------------------------------

  private enumType(decl: ast.EnumDeclaration): void {
    const members: m.EnumMember[] = [];
    const seen = new Map<string, Span>();
    for (const member of decl.members) {
      const first = seen.get(member.name.text);
      if (first) {
        this.report("EVT0312", { name: member.name.text, owner: decl.name.text }, member.name.span, {
          related: [{ span: first, message: "first listed here" }],
        });
        continue;
      }
      seen.set(member.name.text, member.name.span);
      const deprecated = this.deprecation(member);
      members.push({
        name: member.name.text,
        docs: member.docs,
        span: member.name.span,
        ...(deprecated !== undefined ? { deprecated } : {}),
      });
    }
    this.enums.set(decl.name.text, this.declared_(decl, { members }));
  }

  private fieldType(ref: ast.TypeRef): m.FieldType | undefined {
    const name = ref.name.text;
    let base: m.FieldType | undefined;
    if (name === "map") {
      const [values, ...extra] = ref.args;
      if (!values || extra.length > 0) {
        this.report("EVT0413", { name, kind: `given ${ref.args.length} type arguments`, expected: "one" }, ref.span, {
          help: "a map has string keys and one value type: `map<int>`",
        });
        return undefined;
      }
      const valueType = this.fieldType(values);
      if (!valueType) return undefined;
      base = { kind: "map", values: valueType };
    } else {
      const knownName =
        (m.builtinTypes as readonly string[]).includes(name) || this.declared.get("type")?.has(name) === true;
      if (ref.args.length > 0 && !knownName) {
        this.report("EVT0303", { name }, ref.name.span, {
          help:
            name === "list" || name === "array" ? "an array is written `T[]`" : "only `map<T>` takes a type argument",
        });
        return undefined;
      }
      if (ref.args.length > 0) {
        this.report("EVT0413", { name, kind: "a type without type arguments", expected: "`map<T>`" }, ref.span, {
          help: "only `map<T>` takes a type argument; an array is written `T[]`",
        });
        return undefined;
      }
      if ((m.builtinTypes as readonly string[]).includes(name)) base = { kind: "builtin", name: name as m.BuiltinType };
      else if (this.enums.has(name)) base = { kind: "enum", enum: this.enums.get(name)! };
      else if (this.records.has(name)) base = { kind: "record", record: this.records.get(name)! };
      else if (this.declared.get("type")?.get(name)?.kind === "event") {
        this.report(
          "EVT0413",
          { name, kind: "an event", expected: "a record, an enum or a built-in type" },
          ref.name.span,
          {
            help: `events are versioned contracts; move the shared fields into a \`record\` and use it in both`,
          },
        );
        return undefined;
      } else if (this.declared.get("type")?.has(name)) {
        return undefined; // declared, but failed to resolve: already reported
      } else {
        const candidates = [...m.builtinTypes, "map", ...this.enums.keys(), ...this.records.keys()];
        this.report("EVT0303", { name }, ref.name.span, {
          help: didYouMean(name, candidates),
        });
        return undefined;
      }
    }
    for (let i = 0; i < ref.arrayDepth; i++) base = { kind: "array", items: base };
    return base;
  }

  private fields(owner: string, declared: readonly ast.Field[], inherited: readonly m.Field[]): m.Field[] {
    const out: m.Field[] = [...inherited];
    const seen = new Map<string, Span>(inherited.map((f) => [f.name, f.declaration.name.span]));
    for (const field of declared) {
      const first = seen.get(field.name.text);
      if (first) {
        this.report("EVT0311", { name: field.name.text, owner }, field.name.span, {
          related: [
            {
              span: first,
              message: inherited.some((f) => f.name === field.name.text) ? "inherited from here" : "first defined here",
            },
          ],
        });
        continue;
      }
      seen.set(field.name.text, field.name.span);
      if (field.name.text === "__proto__") {
        this.report("EVT0414", { name: field.name.text }, field.name.span, {
          help: "rename the field; JSON tools and JavaScript treat `__proto__` as the object's prototype",
        });
      }
      const type = this.fieldType(field.type);
      if (!type) continue;
      const constraints = resolveConstraints(field, type, (d) => this.diagnostics.push(d));
      const defaultValue = field.defaultValue
        ? checkDefault(field, field.defaultValue, type, constraints, (d) => this.diagnostics.push(d))
        : undefined;
      const deprecated = this.deprecation(field);
      out.push({
        name: field.name.text,
        optional: field.optional,
        type,
        constraints,
        docs: field.docs,
        declaration: field,
        declaredIn: owner,
        ...(defaultValue !== undefined ? { default: defaultValue } : {}),
        ...(deprecated !== undefined ? { deprecated } : {}),
      });
    }
    return out;
  }

  private recordFields(decl: ast.RecordDeclaration): void {
    const record = this.records.get(decl.name.text) as Mutable<m.RecordType>;
    record.fields = this.fields(decl.name.text, decl.fields, []);
  }

  private event(decl: ast.EventDeclaration): m.EventType | undefined {
    const known = this.events.get(decl.name.text);
    if (known || this.failedEvents.has(decl.name.text)) return known;
    const cycleStart = this.eventsInProgress.indexOf(decl.name.text);
    if (cycleStart >= 0) {
      const cycle = [...this.eventsInProgress.slice(cycleStart), decl.name.text].map((n) => `\`${n}\``).join(" → ");
      this.report("EVT0315", { cycle }, decl.extends?.span ?? decl.name.span);
      this.failedEvents.add(decl.name.text);
      return undefined;
    }
    this.eventsInProgress.push(decl.name.text);
    try {
      let base: m.EventType | undefined;
      let baseFailed = false;
      if (decl.extends) {
        const target = this.declared.get("type")?.get(decl.extends.text);
        if (!target) {
          const events = this.all("event").map((e) => e.name.text);
          this.report("EVT0304", { name: decl.extends.text }, decl.extends.span, {
            help: didYouMean(decl.extends.text, events),
          });
          baseFailed = true;
        } else if (target.kind !== "event") {
          this.report(
            "EVT0413",
            { name: decl.extends.text, kind: `a ${target.kind}`, expected: "an event" },
            decl.extends.span,
            {
              help: "only events can be extended; to share fields, use the record as a field's type",
            },
          );
          baseFailed = true;
        } else {
          base = this.event(target);
          baseFailed = base === undefined;
        }
      }
      if (!decl.version) {
        this.report("EVT0404", { name: decl.name.text }, decl.name.span, {
          help: `write the version after the name: \`event ${decl.name.text} v1.0 {\``,
        });
        return undefined;
      }
      this.checkVersion(decl.version);
      if (baseFailed) return undefined;
      const fields = this.fields(decl.name.text, decl.fields, base?.fields ?? []);
      const event: m.EventType = this.declared_(decl, {
        version: { major: decl.version.major, minor: decl.version.minor },
        fields,
        ...(base ? { base } : {}),
      });
      this.events.set(decl.name.text, event);
      return event;
    } finally {
      if (!this.events.has(decl.name.text)) this.failedEvents.add(decl.name.text);
      this.eventsInProgress.pop();
    }
  }

  /**
   * Whether a version's numbers are whole numbers JavaScript holds exactly (what the generated code, file names
   * and evt.lock carry); reports the one that is not. Past that, `v99999999999999999999.5` would be rounded.
   */
  private checkVersion(version: ast.VersionLiteral): boolean {
    for (const [part, value] of [
      ["major", version.major],
      ["minor", version.minor],
    ] as const) {
      if (Number.isSafeInteger(value)) continue;
      this.report(
        "EVT0411",
        {
          what: `the ${part} version in \`${version.text}\``,
          reason: `is above ${Number.MAX_SAFE_INTEGER}, the largest whole number JavaScript holds exactly`,
        },
        version.span,
        { help: "versions count the changes of a contract: go up one at a time from `v1.0`" },
      );
      return false;
    }
    return true;
  }

  private eventRef(name: ast.Name): m.EventType | undefined {
    const target = this.declared.get("type")?.get(name.text);
    if (!target) {
      const events = this.all("event").map((e) => e.name.text);
      this.report("EVT0304", { name: name.text }, name.span, {
        help: didYouMean(name.text, events),
      });
      return undefined;
    }
    if (target.kind !== "event") {
      this.report("EVT0413", { name: name.text, kind: `a ${target.kind}`, expected: "an event" }, name.span, {
        help: "a topic carries an event: declare it with `event " + name.text + " v1.0 { … }`",
      });
      return undefined;
    }
    return this.events.get(name.text);
  }

  /** Walks `customer.msisdn` through nested records; reports the first step that does not exist. */
  private fieldPath(event: m.EventType, path: ast.Name): { field: m.Field; optional: boolean } | undefined {
    const steps = path.text.split(".");
    let fields: readonly m.Field[] = event.fields;
    let owner = event.name;
    let field: m.Field | undefined;
    let optional = false;
    for (const step of steps) {
      field = fields.find((f) => f.name === step);
      if (!field) {
        this.report("EVT0307", { name: step, event: owner }, path.span, {
          help: didYouMean(
            step,
            fields.map((f) => f.name),
          ),
        });
        return undefined;
      }
      optional ||= field.optional;
      if (field.type.kind === "record") {
        fields = field.type.record.fields;
        owner = field.type.record.name;
      } else fields = [];
    }
    return field ? { field, optional } : undefined;
  }

  /**
   * A field that identifies an entity: a topic's key or a look-up's `by`. It must always be present (no
   * optional step on the way) and be a scalar that can be hashed and compared.
   */
  private keyField(event: m.EventType, path: ast.Name, help: string): m.Field | undefined {
    const found = this.fieldPath(event, path);
    if (!found) return undefined;
    const { field, optional } = found;
    const scalar = (field.type.kind === "builtin" && keyTypes.has(field.type.name)) || field.type.kind === "enum";
    if (scalar && !optional) return field;
    const typeName = describeType(field.type) + (optional ? " (optional)" : "");
    this.report("EVT0409", { field: path.text, type: typeName }, path.span, { help });
    return undefined;
  }

  // ---- back-ends and topics ---------------------------------------------------------------------------

  private backend(decl: ast.BackendDeclaration): void {
    const owner = this.owner(decl, "back-end");
    const capacityClause = this.single(decl.clauses, "capacity") as ast.QuantityClause | undefined;
    const latencyClause = this.single(decl.clauses, "latency") as ast.QuantityClause | undefined;
    const capacity = this.quantity(capacityClause?.value, "rate", "capacity");
    const latencyMs = this.quantity(latencyClause?.value, "duration", "latency");
    if (!owner) return;
    this.backends.set(
      decl.name.text,
      this.declared_(decl, {
        owner,
        ...(capacity !== undefined ? { capacity } : {}),
        ...(latencyMs !== undefined ? { latencyMs } : {}),
      }),
    );
  }

  /** The settings a topic declares; for an enriched topic, the overrides applied on its source topic. */
  private topicSettings(
    clauses: readonly ast.Clause[],
    event: m.EventType | undefined,
    inherited: m.Topic | undefined,
  ) {
    const keyClause = this.single(clauses, "key") as ast.KeyClause | undefined;
    const partitionsClause = this.single(clauses, "partitions") as ast.QuantityClause | undefined;
    const retentionClause = this.single(clauses, "retention") as ast.QuantityClause | undefined;
    const rateClause = this.single(clauses, "rate") as ast.RateClause | undefined;
    const compatibilityClause = this.single(clauses, "compatibility") as ast.NameClause | undefined;
    const maxSizeClause = this.single(clauses, "maxSize") as ast.QuantityClause | undefined;
    const segmentClause = this.single(clauses, "segment") as ast.NameClause | undefined;
    const visibility = this.choice(clauses, "public", "internal");
    const compacted = this.single(clauses, "compacted") !== undefined;

    let key: m.TopicKey | undefined = undefined;
    if (keyClause && event) {
      const field = this.keyField(
        event,
        keyClause.field,
        "key a topic by a required `string`, `uuid`, `int`, `long` or enum field, such as the subscriber or account id",
      );
      const cardinality = this.atLeast(
        this.quantity(keyClause.cardinality, "count", "cardinality"),
        1,
        "cardinality",
        keyClause.cardinality?.span,
      );
      if (field)
        key = { path: keyClause.field.text.split("."), field, ...(cardinality !== undefined ? { cardinality } : {}) };
    } else if (!keyClause && inherited?.key && event) {
      const found = this.fieldPath(event, { text: inherited.key.path.join("."), span: inherited.nameSpan });
      if (found) key = { ...inherited.key, field: found.field };
    }

    const partitions = this.atLeast(
      this.quantity(partitionsClause?.value, "count", "partitions"),
      1,
      "partitions",
      partitionsClause?.value.span,
    );
    const retentionMs = this.quantity(retentionClause?.value, "duration", "retention");
    let rate: m.Rate | undefined = inherited?.rate;
    if (rateClause) {
      const average = this.quantity(rateClause.average, "rate", "rate");
      const peak = rateClause.peak ? this.quantity(rateClause.peak, "rate", "peak") : average;
      if (average !== undefined && peak !== undefined) {
        if (peak < average) {
          this.report(
            "EVT0405",
            { peak: rateClause.peak!.text, average: rateClause.average.text },
            rateClause.peak!.span,
          );
        } else rate = { average, peak };
      }
    }
    let compatibility = inherited?.compatibility ?? "backward";
    if (compatibilityClause) {
      const mode = compatibilityClause.value.text;
      if ((m.compatibilityModes as readonly string[]).includes(mode)) compatibility = mode as m.CompatibilityMode;
      else {
        this.report(
          "EVT0412",
          { value: mode, allowed: m.compatibilityModes.map((x) => `\`${x}\``).join(", ") },
          compatibilityClause.value.span,
          {
            help: didYouMean(mode, m.compatibilityModes),
          },
        );
      }
    }
    const maxSizeBytes = this.quantity(maxSizeClause?.value, "size", "maxSize");
    const expectedClause = this.single(clauses, "expectedConsumers") as ast.QuantityClause | undefined;
    const expectedConsumers = this.quantity(expectedClause?.value, "count", "expectedConsumers");
    let segment = inherited?.segment;
    if (segmentClause) {
      segment = this.segments.get(segmentClause.value.text);
      if (!segment) {
        this.report("EVT0306", { name: segmentClause.value.text }, segmentClause.value.span, {
          help:
            didYouMean(segmentClause.value.text, this.segments.keys()) ??
            `declare it: \`segment ${segmentClause.value.text} { … }\``,
        });
      }
    }
    return {
      ...(key ? { key } : {}),
      partitions: partitions ?? inherited?.partitions ?? 1,
      retentionMs: retentionMs ?? inherited?.retentionMs ?? KAFKA_DEFAULT_RETENTION_MS,
      compacted: compacted || (inherited?.compacted ?? false),
      ...(rate ? { rate } : {}),
      compatibility,
      visibility: visibility ?? inherited?.visibility ?? "internal",
      maxSizeBytes: maxSizeBytes ?? inherited?.maxSizeBytes ?? DEFAULT_MAX_SIZE_BYTES,
      ...(segment ? { segment } : {}),
      ...(expectedConsumers !== undefined ? { expectedConsumers } : {}),
    };
  }

  private topicDeclaration(decl: ast.TopicDeclaration): void {
    const owner = this.owner(decl, "topic");
    const eventClause = this.single(decl.clauses, "event") as ast.NameClause | undefined;
    if (!eventClause) this.missing("topic", decl, "event", "name the event the topic carries: `event PaymentReceived`");
    const event = eventClause ? this.eventRef(eventClause.value) : undefined;
    const settings = this.topicSettings(decl.clauses, event, undefined);
    if (!owner || !event) return;
    const deprecated = this.deprecation(decl);
    this.topics.set(decl.name.text, {
      ...topicIdentity(decl.name, decl.docs, owner, event),
      ...settings,
      ...(deprecated !== undefined ? { deprecated } : {}),
    });
  }

  /** A topic by name, building the enricher that publishes it first when needed. */
  private topicRef(name: ast.Name): m.Topic | undefined {
    const topic = this.topics.get(name.text);
    if (topic) return topic;
    const enricherDecl = this.enricherTopics.get(name.text);
    if (enricherDecl) return this.enricher(enricherDecl, name)?.publishes;
    if (this.declared.get("topic")?.has(name.text)) return undefined; // declared but broken: already reported
    const candidates = [...(this.declared.get("topic")?.keys() ?? []), ...this.enricherTopics.keys()];
    this.report("EVT0301", { name: name.text }, name.span, {
      label: "no topic or enricher defines this topic",
      help: didYouMean(name.text, candidates),
    });
    return undefined;
  }

  // ---- consumers and enrichers ------------------------------------------------------------------------

  private lookups(clauses: readonly ast.Clause[], event: m.EventType | undefined): m.Lookup[] {
    const out: m.Lookup[] = [];
    for (const clause of clauses) {
      if (clause.keyword !== "lookup") continue;
      const backend = this.backends.get(clause.backend.text);
      if (!backend) {
        if (!this.declared.get("backend")?.has(clause.backend.text)) {
          this.report("EVT0305", { name: clause.backend.text }, clause.backend.span, {
            help: didYouMean(clause.backend.text, this.declared.get("backend")?.keys() ?? []),
          });
        }
      }
      const field = event
        ? this.keyField(event, clause.by, "look data up by a required `string`, `uuid`, `int`, `long` or enum field")
        : undefined;
      const cacheTtlMs = this.quantity(clause.cache, "duration", "cache");
      const cardinality = this.atLeast(
        this.quantity(clause.cardinality, "count", "cardinality"),
        1,
        "cardinality",
        clause.cardinality?.span,
      );
      if (backend && field) {
        out.push({
          backend,
          by: clause.by.text.split("."),
          span: clause.span,
          ...(cacheTtlMs !== undefined ? { cacheTtlMs } : {}),
          ...(cardinality !== undefined ? { cardinality } : {}),
        });
      }
    }
    return out;
  }

  private readerSettings(
    decl: ast.ConsumerDeclaration | ast.EnricherDeclaration,
    from: m.Topic | undefined,
    delivery: m.Delivery | undefined,
  ) {
    const retryClause = this.single(decl.clauses, "retry") as ast.RetryClause | undefined;
    const latencyClause = this.single(decl.clauses, "latency") as ast.QuantityClause | undefined;
    const concurrencyClause = this.single(decl.clauses, "concurrency") as ast.QuantityClause | undefined;
    let retry: m.RetryPolicy | undefined;
    if (retryClause) {
      const attempts = this.quantity(retryClause.attempts, "count", "retry");
      const backoffFromMs = this.quantity(retryClause.backoffFrom, "duration", "backoff");
      const backoffToMs = this.quantity(retryClause.backoffTo, "duration", "backoff");
      if (attempts !== undefined && attempts > 100) {
        this.report(
          "EVT0411",
          { what: "`retry`", reason: `takes at most 100 attempts, not ${attempts}` },
          retryClause.attempts.span,
        );
      } else if (backoffFromMs !== undefined && backoffToMs !== undefined && backoffFromMs > backoffToMs) {
        this.report(
          "EVT0411",
          {
            what: "the backoff range",
            reason: `must not start above its end (${retryClause.backoffFrom!.text}..${retryClause.backoffTo!.text})`,
          },
          retryClause.backoffFrom!.span,
        );
      } else if (attempts !== undefined) {
        retry = {
          attempts,
          ...(backoffFromMs !== undefined ? { backoffFromMs } : {}),
          ...(backoffToMs !== undefined ? { backoffToMs } : {}),
        };
      }
    }
    const latencyMs = this.quantity(latencyClause?.value, "duration", "latency");
    const concurrency = this.atLeast(
      this.quantity(concurrencyClause?.value, "count", "concurrency"),
      1,
      "concurrency",
      concurrencyClause?.value.span,
    );
    return {
      ...(retry ? { retry } : {}),
      dlq: this.single(decl.clauses, "dlq") !== undefined || delivery === "guaranteed",
      lookups: this.lookups(decl.clauses, from?.event),
      ...(latencyMs !== undefined ? { latencyMs } : {}),
      ...(concurrency !== undefined ? { concurrency } : {}),
    };
  }

  private fromTopic(decl: ast.ConsumerDeclaration | ast.EnricherDeclaration, block: string): m.Topic | undefined {
    const fromClause = this.single(decl.clauses, "from") as ast.NameClause | undefined;
    if (!fromClause) {
      this.missing(block, decl, "from", "name the topic it reads: `from billing.payment.received`");
      return undefined;
    }
    return this.topicRef(fromClause.value);
  }

  private consumer(decl: ast.ConsumerDeclaration): void {
    const owner = this.owner(decl, "consumer");
    const from = this.fromTopic(decl, "consumer");
    const ordering = this.choice(decl.clauses, "ordered", "unordered");
    const delivery = this.choice(decl.clauses, "guaranteed", "best-effort");
    if (!ordering)
      this.missing(
        "consumer",
        decl,
        "ordered` or `unordered",
        "classify the consumer: `ordered` if it needs events of one key in sequence, `unordered` otherwise",
      );
    if (!delivery)
      this.missing(
        "consumer",
        decl,
        "guaranteed` or `best-effort",
        "classify the consumer: `guaranteed` if it must see every event, `best-effort` if it may skip some",
      );
    const deadlineClause = this.single(decl.clauses, "deadline") as ast.QuantityClause | undefined;
    const deadlineMs = this.quantity(deadlineClause?.value, "duration", "deadline");
    const acceptsClause = this.single(decl.clauses, "accepts") as ast.AcceptsClause | undefined;
    const accepts: number[] = [];
    for (const version of acceptsClause?.versions ?? []) {
      if (version.text.includes(".")) {
        this.report(
          "EVT0105",
          { expected: "a major version such as `v2`", found: `\`${version.text}\`` },
          version.span,
          {
            help: "minor versions are always compatible; a consumer accepts whole major versions",
          },
        );
      } else if (this.checkVersion(version) && !accepts.includes(version.major)) accepts.push(version.major);
    }
    const settings = this.readerSettings(decl, from, delivery);
    for (const version of acceptsClause?.versions ?? []) {
      if (from && Number.isSafeInteger(version.major) && version.major > from.event.version.major) {
        this.report(
          "EVT0411",
          {
            what: `\`accepts ${version.text}\``,
            reason: `is ahead of \`${from.event.name}\`, which is at v${from.event.version.major}`,
          },
          version.span,
        );
      }
    }
    if (!owner || !from || !ordering || !delivery) return;
    this.consumers.set(
      decl.name.text,
      this.declared_(decl, {
        owner,
        from,
        ordering,
        delivery,
        accepts: accepts.length > 0 ? accepts.sort((a, b) => a - b) : [from.event.version.major],
        acceptsDeclared: acceptsClause !== undefined,
        ...settings,
        ...(deadlineMs !== undefined ? { deadlineMs } : {}),
      }),
    );
  }

  /**
   * Builds an enricher and the topic it publishes. Enriched topics may feed other enrichers, so this is
   * reached on demand from {@link topicRef} too; `via` is the reference that asked, for the cycle message.
   */
  private enricher(decl: ast.EnricherDeclaration, via?: ast.Name): m.Enricher | undefined {
    const name = decl.name.text;
    const known = this.enrichers.get(name);
    if (known || this.failedEnrichers.has(name)) return known;
    const cycleStart = this.enrichersInProgress.indexOf(name);
    if (cycleStart >= 0) {
      const loop = [...this.enrichersInProgress.slice(cycleStart), name].map((n) => `\`${n}\``).join(" → ");
      this.report("EVT0314", { cycle: loop }, via?.span ?? decl.name.span, {
        help: "an enricher must read a topic upstream of the one it publishes",
      });
      this.failedEnrichers.add(name);
      return undefined;
    }
    this.enrichersInProgress.push(name);
    try {
      const owner = this.owner(decl, "enricher");
      const from = this.fromTopic(decl, "enricher");
      const ordering = this.choice(decl.clauses, "ordered", "unordered") ?? "unordered";
      const delivery = this.choice(decl.clauses, "guaranteed", "best-effort") ?? "guaranteed";
      const settings = this.readerSettings(decl, from, delivery);
      if (!decl.clauses.some((c) => c.keyword === "lookup")) {
        this.missing(
          "enricher",
          decl,
          "lookup",
          "an enricher looks data up: `lookup crm.customer-db by msisdn cache 20m`",
        );
      }
      const publish = this.single(decl.clauses, "publish") as ast.PublishClause | undefined;
      if (!publish)
        this.missing(
          "enricher",
          decl,
          "publish",
          "name the enriched topic and its event: `publish billing.payment.enriched as PaymentEnriched`",
        );
      const published =
        publish && this.enricherTopics.get(publish.topic.text) === decl
          ? this.enrichedTopic(publish, from, owner)
          : undefined;
      if (!owner || !from || !published || this.failedEnrichers.has(name)) {
        this.failedEnrichers.add(name);
        return undefined;
      }
      const enricher: Mutable<m.Enricher> = this.declared_(decl, {
        owner,
        from,
        ordering,
        delivery,
        ...settings,
        publishes: published,
      });
      const topic: m.Topic = { ...published, publisher: { kind: "enricher", enricher } };
      enricher.publishes = topic;
      this.enrichers.set(name, enricher);
      this.topics.set(topic.name, topic);
      return enricher;
    } finally {
      this.enrichersInProgress.pop();
    }
  }

  private enrichedTopic(
    publish: ast.PublishClause,
    source: m.Topic | undefined,
    owner: m.Team | undefined,
  ): m.Topic | undefined {
    for (const clause of publish.overrides) {
      if (clause.keyword === "owner" || clause.keyword === "event") {
        this.report("EVT0203", { word: clause.keyword, block: "publish" }, clause.keywordSpan, {
          help:
            clause.keyword === "owner"
              ? "an enriched topic is owned by its enricher's owner"
              : "the enriched topic's event is the one after `as`",
        });
      }
    }
    const event = this.eventRef(publish.event);
    if (event && source && !extendsEvent(event, source.event)) {
      this.report("EVT0410", { event: event.name, source: source.event.name }, publish.event.span, {
        help:
          event === source.event
            ? `declare the enriched event: \`event ${event.name}Enriched v1.0 extends ${source.event.name} { … }\``
            : `declare it as \`event ${event.name} v${event.version.major}.${event.version.minor} extends ${source.event.name} { … }\``,
      });
      return undefined;
    }
    const settings = this.topicSettings(publish.overrides, event, source);
    if (!event || !source || !owner) return undefined;
    return { ...topicIdentity(publish.topic, publish.docs, owner, event), ...settings };
  }
}

/** What every topic has besides its settings; the publisher is the owner's producer until an enricher claims it. */
function topicIdentity(name: ast.Name, docs: readonly string[], owner: m.Team, event: m.EventType) {
  return {
    name: name.text,
    docs,
    domainName: name.text.split(".")[0]!,
    owner,
    event,
    publisher: { kind: "producer" } as m.Publisher,
    nameSpan: name.span,
  };
}

function extendsEvent(event: m.EventType, ancestor: m.EventType): boolean {
  for (let e: m.EventType | undefined = event.base; e; e = e.base) if (e === ancestor) return true;
  return false;
}

/** `map<Plan[]>`; without recursion, since a type may nest as deep as a file allows before EVT0415 refuses it. */
export function describeType(type: m.FieldType): string {
  const around: Array<"array" | "map"> = [];
  let inner = type;
  while (inner.kind === "array" || inner.kind === "map") {
    around.push(inner.kind);
    inner = inner.kind === "array" ? inner.items : inner.values;
  }
  let text = inner.kind === "builtin" ? inner.name : inner.kind === "enum" ? inner.enum.name : inner.record.name;
  for (const kind of around.reverse()) text = kind === "array" ? `${text}[]` : `map<${text}>`;
  return text;
}
