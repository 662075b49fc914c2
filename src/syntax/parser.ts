import type { CstNode, IParserErrorMessageProvider, IRecognitionException, IToken, TokenType } from "chevrotain";
import { CstParser, EarlyExitException, EOF, NoViableAltException } from "./chevrotain.js";
import * as t from "./tokens.js";

/**
 * Messages are produced as JSON `{expected, found}` so that the builder can turn them into EVT0201
 * diagnostics with the registry's wording.
 */
function describeFound(token: IToken): string {
  if (token.tokenType === EOF) return "end of file";
  return `\`${token.image}\``;
}

function describeExpected(types: readonly TokenType[]): string {
  // chevrotain's end-of-input token is named `EOF`: a user reads "the end of the file".
  const labels = [...new Set(types.map((type) => (type === EOF ? "the end of the file" : (type.LABEL ?? type.name))))];
  if (labels.length === 1) return labels[0]!;
  return `one of ${labels.slice(0, -1).join(", ")} or ${labels[labels.length - 1]}`;
}

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual }) =>
    JSON.stringify({ expected: describeExpected([expected]), found: describeFound(actual) }),
  buildNotAllInputParsedMessage: ({ firstRedundant }) =>
    JSON.stringify({ expected: "a declaration", found: describeFound(firstRedundant) }),
  buildNoViableAltMessage: ({ expectedPathsPerAlt, actual, customUserDescription }) => {
    const firsts = expectedPathsPerAlt.flatMap((paths) => paths.map((path) => path[0])).filter((x) => x !== undefined);
    const expected = customUserDescription ?? describeExpected(firsts);
    return JSON.stringify({ expected, found: describeFound(actual[0]!) });
  },
  buildEarlyExitMessage: ({ expectedIterationPaths, actual, customUserDescription }) => {
    const firsts = expectedIterationPaths.map((path) => path[0]).filter((x) => x !== undefined);
    const expected = customUserDescription ?? describeExpected(firsts);
    return JSON.stringify({ expected, found: describeFound(actual[0]!) });
  },
};

export const declarationKeywords: readonly TokenType[] = [
  t.Team,
  t.Domain,
  t.Segment,
  t.Enum,
  t.Record,
  t.Event,
  t.Topic,
  t.Backend,
  t.Consumer,
  t.Enricher,
];

/** The words that start a clause, per block. Used to stop a misspelt clause from swallowing the next one. */
export const clauseKeywords = {
  team: [t.Contact, t.Chat],
  domain: [t.Owner, t.Delegate],
  segment: [t.Ordered, t.Replicas, t.MinInsync],
  topic: [
    t.Owner,
    t.Event,
    t.Key,
    t.Partitions,
    t.Retention,
    t.Compacted,
    t.Rate,
    t.Compatibility,
    t.Public,
    t.Internal,
    t.MaxSize,
    t.Segment,
    t.ExpectedConsumers,
  ],
  backend: [t.Owner, t.Capacity, t.Latency],
  consumer: [
    t.Owner,
    t.From,
    t.Ordered,
    t.Unordered,
    t.Guaranteed,
    t.BestEffort,
    t.Deadline,
    t.Retry,
    t.Lookup,
    t.Accepts,
    t.Dlq,
    t.Latency,
    t.Concurrency,
  ],
  enricher: [
    t.Owner,
    t.From,
    t.Lookup,
    t.Publish,
    t.Ordered,
    t.Unordered,
    t.Guaranteed,
    t.BestEffort,
    t.Retry,
    t.Dlq,
    t.Latency,
    t.Concurrency,
  ],
} as const satisfies Record<string, readonly TokenType[]>;

export type BlockKind = keyof typeof clauseKeywords;

/** A clause that is a single word: `ordered`, `public`, `dlq`… */
export const flagKeywords: readonly TokenType[] = [
  t.Ordered,
  t.Unordered,
  t.Guaranteed,
  t.BestEffort,
  t.Public,
  t.Internal,
  t.Compacted,
  t.Dlq,
];

/** A clause that is a word and one quantity: `partitions 12`, `deadline 5s`, `capacity 400/s`… */
export const quantityKeywords: readonly TokenType[] = [
  t.Partitions,
  t.Retention,
  t.MaxSize,
  t.Capacity,
  t.Latency,
  t.Deadline,
  t.Concurrency,
  t.Replicas,
  t.MinInsync,
  t.ExpectedConsumers,
];

/** The constraints of a field that take a number: `min 0`, `maxLength 64`… */
export const boundKeywords: readonly TokenType[] = [t.Min, t.Max, t.MinLength, t.MaxLength, t.MinItems, t.MaxItems];

/** In a topic, `event` and `segment` followed by one of these start a declaration, not a clause. */
export const declarationFollowers: ReadonlySet<TokenType> = new Set([t.Version, t.LCurly, t.Extends]);

/** The words a block's clauses stop at: its own clause words and the declaration keywords. */
export const clauseSets: Record<BlockKind, ReadonlySet<TokenType>> = Object.fromEntries(
  Object.entries(clauseKeywords).map(([block, types]) => [
    block,
    new Set<TokenType>([...types, ...declarationKeywords]),
  ]),
) as unknown as Record<BlockKind, ReadonlySet<TokenType>>;
export const declarationSet: ReadonlySet<TokenType> = new Set(declarationKeywords);
export const ownClauseSets: Record<BlockKind, ReadonlySet<TokenType>> = Object.fromEntries(
  Object.entries(clauseKeywords).map(([block, types]) => [block, new Set<TokenType>(types)]),
) as unknown as Record<BlockKind, ReadonlySet<TokenType>>;

/** Tokens that may appear inside a skipped, unknown clause or declaration (anything but braces). */
const skippableTokens: readonly TokenType[] = [
  t.Identifier,
  t.Quantity,
  t.StringLiteral,
  t.Dot,
  t.DotDot,
  t.Comma,
  t.Question,
  t.Equals,
  t.At,
  t.LAngle,
  t.RAngle,
  t.LSquare,
  t.RSquare,
  t.LParen,
  t.RParen,
];
const strayTokens = skippableTokens.filter((type) => type !== t.Identifier && type !== t.At);

/** What a rule expects when none of its choices fits the next token (see `installCheapErrors`). */
const ruleExpectations: Record<string, string> = {
  file: "a declaration",
  declaration: "a declaration",
  team: "a clause of `team`",
  domain: "a clause of `domain`",
  segment: "a clause of `segment`",
  backend: "a clause of `backend`",
  topicClause: "a clause of `topic`",
  fieldBlock: "a field",
  enumDecl: "an enum member",
  name: "a name",
  literal: "a value: a string, a number or a word",
  typeRef: "a type",
};

export class EvtParser extends CstParser {
  /**
   * `validateGrammar`: run chevrotain's checks of the grammar itself (ambiguities, left recursion…). They find
   * mistakes in this file, never in a user's, so the compiler skips them (about 25 ms of its start-up) and a test
   * runs them (test/syntax/grammar-validation.test.ts).
   */
  constructor({ validateGrammar = false }: { validateGrammar?: boolean } = {}) {
    super(t.allTokens, {
      skipValidations: !validateGrammar,
      recoveryEnabled: true,
      errorMessageProvider: messages,
      // Every decision is made on the next token (gates handle the few contextual cases); this keeps error
      // recovery local: `contact 5` fails inside the contact clause, not in the choice of a clause.
      maxLookahead: 1,
      nodeLocationTracking: "onlyOffset",
    });
    this.installCheapErrors();
    this.performSelfAnalysis();
  }

  /**
   * Chevrotain computes the expected lookahead paths of the whole rule to word a "no viable alternative"
   * error, which costs ~100 ms per error on this grammar. The expected thing is known from the rule (or the
   * ERR_MSG given at the choice), so errors are worded from that instead.
   */
  private installCheapErrors(): void {
    const self = this as unknown as {
      raiseNoAltException: (occurrence: number, description?: string) => never;
      raiseEarlyExitException: (occurrence: number, prodType: unknown, description?: string) => never;
      getCurrRuleFullName: () => string;
      SAVE_ERROR: (error: Error) => Error;
    };
    const fail = (kind: typeof NoViableAltException | typeof EarlyExitException, description: string | undefined) => {
      const expected = description ?? ruleExpectations[self.getCurrRuleFullName()] ?? "something else";
      const message = JSON.stringify({ expected, found: describeFound(this.LA(1)) });
      throw self.SAVE_ERROR(new kind(message, this.LA(1), this.LA(0)));
    };
    self.raiseNoAltException = (_occurrence, description) => fail(NoViableAltException, description);
    self.raiseEarlyExitException = (_occurrence, _prodType, description) => fail(EarlyExitException, description);
  }

  /** A name that is not one of the excluded clause words (so `owner` with its value missing does not eat the next clause). */
  private readonly name = this.RULE("name", (excluded?: ReadonlySet<TokenType>, description?: string) => {
    this.OR({
      DEF: [
        {
          GATE: () => excluded === undefined || !excluded.has(this.LA(1).tokenType),
          ALT: () => this.CONSUME(t.Identifier),
        },
      ],
      ERR_MSG: description ?? "a name",
    });
  });

  private readonly qualifiedName = this.RULE("qualifiedName", (excluded?: ReadonlySet<TokenType>) => {
    this.SUBRULE(this.name, { ARGS: [excluded] });
    this.MANY(() => {
      this.CONSUME(t.Dot);
      this.CONSUME2(t.Identifier);
    });
  });

  /**
   * A declaration's name, or the event after `extends`, written as a string or a number (`team "billing" {`):
   * taken as its name, so that the block after it is parsed as the declaration it is rather than skipped token
   * by token into a cascade of errors. The AST builder reports it (EVT0201) with the unquoted form to write.
   */
  private readonly misquotedName = this.RULE("misquotedName", () => {
    this.OR([{ ALT: () => this.CONSUME(t.StringLiteral) }, { ALT: () => this.CONSUME(t.Quantity) }]);
  });

  /** The name after a declaration's keyword: a word (dotted where `qualified`), or a misquoted one. */
  private headName(qualified: boolean): void {
    this.OR9({
      DEF: [
        {
          ALT: () => {
            if (qualified) this.SUBRULE9(this.qualifiedName);
            else this.SUBRULE9(this.name);
          },
        },
        { ALT: () => this.SUBRULE9(this.misquotedName) },
      ],
      ERR_MSG: "a name",
    });
  }

  readonly file = this.RULE("file", () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.declaration) },
        { ALT: () => this.SUBRULE(this.stray) },
        { ALT: () => this.CONSUME(t.RCurly, { LABEL: "strayBrace" }) },
      ]);
    });
  });

  private readonly declaration = this.RULE("declaration", () => {
    this.MANY(() => this.SUBRULE(this.annotation));
    this.OR([
      { ALT: () => this.SUBRULE(this.team) },
      { ALT: () => this.SUBRULE(this.domain) },
      { ALT: () => this.SUBRULE(this.segment) },
      { ALT: () => this.SUBRULE(this.enumDecl) },
      { ALT: () => this.SUBRULE(this.record) },
      { ALT: () => this.SUBRULE(this.event) },
      { ALT: () => this.SUBRULE(this.topic) },
      { ALT: () => this.SUBRULE(this.backend) },
      { ALT: () => this.SUBRULE(this.consumer) },
      { ALT: () => this.SUBRULE(this.enricher) },
      {
        GATE: () => !declarationSet.has(this.LA(1).tokenType),
        IGNORE_AMBIGUITIES: true,
        ALT: () => this.SUBRULE(this.unknownDeclaration),
      },
    ]);
  });

  /** `topc billing.x.y { … }`: the word, what follows it, and a balanced block, all skipped. */
  private readonly unknownDeclaration = this.RULE("unknownDeclaration", () => {
    this.CONSUME(t.Identifier);
    this.MANY({
      GATE: () => !declarationSet.has(this.LA(1).tokenType),
      DEF: () => this.SUBRULE(this.skippable),
    });
    this.OPTION(() => this.SUBRULE(this.balancedBlock));
  });

  private readonly balancedBlock = this.RULE("balancedBlock", () => {
    this.CONSUME(t.LCurly);
    this.MANY(() => {
      this.OR([{ ALT: () => this.SUBRULE(this.skippable) }, { ALT: () => this.SUBRULE(this.balancedBlock) }]);
    });
    this.CONSUME(t.RCurly);
  });

  private readonly skippable = this.RULE("skippable", () => {
    this.OR(skippableTokens.map((type) => ({ ALT: () => this.CONSUME(type) })));
  });

  /** A token that cannot start anything where it stands (`42`, `"x"`, `]`…), consumed so parsing goes on. */
  private readonly stray = this.RULE("stray", () => {
    this.OR(strayTokens.map((type) => ({ ALT: () => this.CONSUME(type) })));
  });

  private readonly annotation = this.RULE("annotation", () => {
    this.CONSUME(t.At);
    this.CONSUME(t.Identifier);
    this.OPTION(() => {
      this.CONSUME(t.LParen);
      this.MANY_SEP({ SEP: t.Comma, DEF: () => this.SUBRULE(this.literal) });
      this.CONSUME(t.RParen);
    });
  });

  private readonly literal = this.RULE("literal", () => {
    this.OR([
      { ALT: () => this.CONSUME(t.StringLiteral) },
      { ALT: () => this.CONSUME(t.Quantity) },
      { ALT: () => this.CONSUME(t.Identifier) },
    ]);
  });

  /**
   * Inside a block, a declaration keyword that is not one of the block's clauses means the block's `}` is
   * missing: stop there so the parser reports the missing brace and parses the next declaration normally.
   */
  private clauseGate(block: BlockKind): () => boolean {
    const own = ownClauseSets[block];
    return () => {
      const next = this.LA(1).tokenType;
      if (!declarationSet.has(next)) return true;
      if (!own.has(next)) return false;
      // `event` and `segment` are both clauses of a topic and declarations: `event Name v1 {` is a declaration.
      return !declarationFollowers.has(this.LA(3).tokenType);
    };
  }

  /** Clauses of a block, plus anything unknown so that a typo costs one diagnostic and not the block. */
  private unknownClause(block: BlockKind) {
    const known = clauseSets[block];
    return {
      GATE: () => !known.has(this.LA(1).tokenType),
      IGNORE_AMBIGUITIES: true,
      ALT: () => this.SUBRULE(this.unknownClauseBody, { ARGS: [known] }),
    };
  }

  private readonly unknownClauseBody = this.RULE("unknownClauseBody", (known?: ReadonlySet<TokenType>) => {
    this.OR([{ ALT: () => this.CONSUME(t.Identifier) }, { ALT: () => this.SUBRULE(this.stray) }]);
    this.MANY({
      GATE: () => known === undefined || !known.has(this.LA(1).tokenType),
      DEF: () => this.SUBRULE(this.skippable),
    });
  });

  private readonly team = this.RULE("team", () => {
    this.CONSUME(t.Team);
    this.headName(false);
    this.CONSUME(t.LCurly);
    this.MANY({
      GATE: this.clauseGate("team"),
      DEF: () => {
        this.OR([
          { ALT: () => this.SUBRULE(this.contactClause) },
          { ALT: () => this.SUBRULE(this.chatClause) },
          this.unknownClause("team"),
        ]);
      },
    });
    this.CONSUME(t.RCurly);
  });

  private readonly contactClause = this.RULE("contactClause", () => {
    this.CONSUME(t.Contact);
    this.CONSUME(t.StringLiteral);
  });

  private readonly chatClause = this.RULE("chatClause", () => {
    this.CONSUME(t.Chat);
    this.CONSUME(t.StringLiteral);
  });

  private readonly domain = this.RULE("domain", () => {
    this.CONSUME(t.Domain);
    this.headName(false);
    this.CONSUME(t.LCurly);
    this.MANY({
      GATE: this.clauseGate("domain"),
      DEF: () => {
        this.OR([
          { ALT: () => this.SUBRULE(this.ownerClause, { ARGS: [clauseSets.domain] }) },
          { ALT: () => this.SUBRULE(this.delegateClause) },
          this.unknownClause("domain"),
        ]);
      },
    });
    this.CONSUME(t.RCurly);
  });

  private readonly delegateClause = this.RULE("delegateClause", () => {
    this.CONSUME(t.Delegate);
    this.SUBRULE(this.name, { ARGS: [clauseSets.domain, "a team name"] });
  });

  private readonly ownerClause = this.RULE("ownerClause", (excluded?: ReadonlySet<TokenType>) => {
    this.CONSUME(t.Owner);
    this.SUBRULE(this.name, { ARGS: [excluded, "a team name"] });
  });

  private readonly segment = this.RULE("segment", () => {
    this.CONSUME(t.Segment);
    this.headName(false);
    this.CONSUME(t.LCurly);
    this.MANY({
      GATE: this.clauseGate("segment"),
      DEF: () => {
        this.OR([
          { ALT: () => this.SUBRULE(this.flagClause, { ARGS: ["segment"] }) },
          { ALT: () => this.SUBRULE(this.quantityClause) },
          this.unknownClause("segment"),
        ]);
      },
    });
    this.CONSUME(t.RCurly);
  });

  /** A clause that is a single word: `ordered`, `public`, `dlq`… */
  private readonly flagClause = this.RULE("flagClause", (_block?: BlockKind) => {
    this.OR(flagKeywords.map((type) => ({ ALT: () => this.CONSUME(type) })));
  });

  /** A clause that is a word and one quantity: `partitions 12`, `deadline 5s`, `capacity 400/s`… */
  private readonly quantityClause = this.RULE("quantityClause", () => {
    this.OR(quantityKeywords.map((type) => ({ ALT: () => this.CONSUME(type) })));
    this.CONSUME(t.Quantity);
  });

  private readonly enumDecl = this.RULE("enumDecl", () => {
    this.CONSUME(t.Enum);
    this.headName(false);
    this.CONSUME(t.LCurly);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.enumMember) },
        { ALT: () => this.CONSUME(t.Comma) },
        { IGNORE_AMBIGUITIES: true, ALT: () => this.SUBRULE(this.stray) },
      ]);
    });
    this.CONSUME(t.RCurly);
  });

  private readonly enumMember = this.RULE("enumMember", () => {
    this.MANY(() => this.SUBRULE(this.annotation));
    this.CONSUME(t.Identifier);
  });

  private readonly record = this.RULE("record", () => {
    this.CONSUME(t.Record);
    this.headName(false);
    this.SUBRULE(this.fieldBlock);
  });

  private readonly event = this.RULE("event", () => {
    this.CONSUME(t.Event);
    this.headName(false);
    this.OPTION(() => this.CONSUME(t.Version));
    this.OPTION2(() => {
      this.CONSUME(t.Extends);
      this.OR8({
        DEF: [{ ALT: () => this.SUBRULE8(this.name) }, { ALT: () => this.SUBRULE8(this.misquotedName) }],
        ERR_MSG: "a name",
      });
    });
    this.SUBRULE(this.fieldBlock);
  });

  private readonly fieldBlock = this.RULE("fieldBlock", () => {
    this.CONSUME(t.LCurly);
    this.MANY(() => {
      this.OR([{ ALT: () => this.SUBRULE(this.field) }, { ALT: () => this.SUBRULE(this.stray) }]);
    });
    this.CONSUME(t.RCurly);
  });

  private readonly field = this.RULE("field", () => {
    this.MANY(() => this.SUBRULE(this.annotation));
    this.CONSUME(t.Identifier);
    this.OPTION(() => this.CONSUME(t.Question));
    this.SUBRULE(this.typeRef);
    // Repetitions are greedy: without the gate, a next field called `min` would be taken for a constraint.
    this.MANY2({
      GATE: () => {
        const next = this.LA(2).tokenType;
        return this.LA(1).tokenType === t.Equals || next === t.Quantity || next === t.StringLiteral;
      },
      DEF: () => {
        this.OR([{ ALT: () => this.SUBRULE(this.constraint) }, { ALT: () => this.SUBRULE(this.defaultValue) }]);
      },
    });
  });

  private readonly typeRef = this.RULE("typeRef", () => {
    this.CONSUME(t.Identifier, { ERR_MSG: "a type" });
    this.OPTION(() => {
      this.CONSUME(t.LAngle);
      this.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => this.SUBRULE(this.typeRef) });
      this.CONSUME(t.RAngle);
    });
    this.MANY(() => {
      this.CONSUME(t.LSquare);
      this.CONSUME(t.RSquare);
    });
  });

  private readonly constraint = this.RULE("constraint", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(t.Pattern);
          this.CONSUME(t.StringLiteral);
        },
      },
      {
        ALT: () => {
          this.OR2(boundKeywords.map((type) => ({ ALT: () => this.CONSUME(type) })));
          this.CONSUME(t.Quantity);
        },
      },
    ]);
  });

  private readonly defaultValue = this.RULE("defaultValue", () => {
    this.CONSUME(t.Equals);
    this.SUBRULE(this.literal);
  });

  private readonly topic = this.RULE("topic", () => {
    this.CONSUME(t.Topic);
    this.headName(true);
    this.SUBRULE(this.topicBlock);
  });

  private readonly topicBlock = this.RULE("topicBlock", () => {
    this.CONSUME(t.LCurly);
    this.MANY({ GATE: this.clauseGate("topic"), DEF: () => this.SUBRULE(this.topicClause) });
    this.CONSUME(t.RCurly);
  });

  private readonly topicClause = this.RULE("topicClause", () => {
    const excluded = clauseSets.topic;
    this.OR([
      { ALT: () => this.SUBRULE(this.ownerClause, { ARGS: [excluded] }) },
      {
        ALT: () => {
          this.CONSUME(t.Event, { LABEL: "eventClause" });
          this.SUBRULE(this.name, { ARGS: [excluded, "an event name"] });
        },
      },
      {
        ALT: () => {
          this.CONSUME(t.Key);
          this.SUBRULE(this.qualifiedName, { ARGS: [excluded] });
          this.OPTION(() => {
            this.CONSUME(t.Cardinality);
            this.CONSUME(t.Quantity, { LABEL: "cardinality" });
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(t.Rate);
          this.CONSUME2(t.Quantity, { LABEL: "average" });
          this.OPTION2(() => {
            this.CONSUME(t.Peak);
            this.CONSUME3(t.Quantity, { LABEL: "peak" });
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME(t.Compatibility);
          this.SUBRULE2(this.name, { ARGS: [excluded, "a compatibility mode"] });
        },
      },
      {
        ALT: () => {
          this.CONSUME(t.Segment, { LABEL: "segmentClause" });
          this.SUBRULE3(this.name, { ARGS: [excluded, "a segment name"] });
        },
      },
      { ALT: () => this.SUBRULE(this.flagClause, { ARGS: ["topic"] }) },
      { ALT: () => this.SUBRULE(this.quantityClause) },
      this.unknownClause("topic"),
    ]);
  });

  private readonly backend = this.RULE("backend", () => {
    this.CONSUME(t.Backend);
    this.headName(true);
    this.CONSUME(t.LCurly);
    this.MANY({
      GATE: this.clauseGate("backend"),
      DEF: () => {
        this.OR([
          { ALT: () => this.SUBRULE(this.ownerClause, { ARGS: [clauseSets.backend] }) },
          { ALT: () => this.SUBRULE(this.quantityClause) },
          this.unknownClause("backend"),
        ]);
      },
    });
    this.CONSUME(t.RCurly);
  });

  private readonly consumer = this.RULE("consumer", () => {
    this.CONSUME(t.Consumer);
    this.headName(true);
    this.CONSUME(t.LCurly);
    this.MANY({
      GATE: this.clauseGate("consumer"),
      DEF: () => this.SUBRULE(this.consumerClause, { ARGS: ["consumer"] }),
    });
    this.CONSUME(t.RCurly);
  });

  private readonly enricher = this.RULE("enricher", () => {
    this.CONSUME(t.Enricher);
    this.headName(true);
    this.CONSUME(t.LCurly);
    this.MANY({
      GATE: this.clauseGate("enricher"),
      DEF: () => this.SUBRULE(this.consumerClause, { ARGS: ["enricher"] }),
    });
    this.CONSUME(t.RCurly);
  });

  /** Consumers and enrichers share their clauses; which ones are allowed where is checked by the builder. */
  private readonly consumerClause = this.RULE("consumerClause", (block: BlockKind = "consumer") => {
    const excluded = clauseSets[block];
    this.OR({
      ERR_MSG: `a clause of \`${block}\``,
      DEF: [
        { ALT: () => this.SUBRULE(this.ownerClause, { ARGS: [excluded] }) },
        {
          ALT: () => {
            this.CONSUME(t.From);
            this.SUBRULE(this.qualifiedName, { ARGS: [excluded] });
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Retry);
            this.CONSUME(t.Quantity, { LABEL: "attempts" });
            this.OPTION(() => {
              this.CONSUME(t.Backoff);
              this.CONSUME2(t.Quantity, { LABEL: "backoffFrom" });
              this.OPTION2(() => {
                this.CONSUME(t.DotDot);
                this.CONSUME3(t.Quantity, { LABEL: "backoffTo" });
              });
            });
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Lookup);
            this.SUBRULE2(this.qualifiedName, { ARGS: [excluded], LABEL: "backendName" });
            this.CONSUME(t.By);
            this.SUBRULE3(this.qualifiedName, { ARGS: [excluded], LABEL: "byField" });
            this.OPTION3(() => {
              this.CONSUME(t.Cache);
              this.CONSUME4(t.Quantity, { LABEL: "ttl" });
              this.OPTION6(() => {
                this.CONSUME(t.Cardinality);
                this.CONSUME5(t.Quantity, { LABEL: "lookupCardinality" });
              });
            });
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Accepts);
            this.AT_LEAST_ONE({
              ERR_MSG: "a version such as `v1`",
              DEF: () => {
                this.CONSUME(t.Version);
                this.OPTION4(() => this.CONSUME(t.Comma));
              },
            });
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.Publish);
            this.SUBRULE4(this.qualifiedName, { ARGS: [excluded], LABEL: "topicName" });
            this.CONSUME(t.As);
            this.SUBRULE(this.name, { ARGS: [excluded, "an event name"] });
            this.OPTION5(() => this.SUBRULE(this.topicBlock));
          },
        },
        { ALT: () => this.SUBRULE(this.flagClause, { ARGS: [block] }) },
        { ALT: () => this.SUBRULE(this.quantityClause) },
        this.unknownClause(block),
      ],
    });
  });
}

let instance: EvtParser | undefined;

/**
 * One parser instance for the process; `input` resets it for each file. Made on first use: its grammar
 * analysis takes some 80 ms, and a project without mistakes never needs it (see parse-direct.ts).
 */
export function recoveringParser(): EvtParser {
  instance ??= new EvtParser();
  return instance;
}

export interface ParseOutput {
  readonly cst: CstNode;
  readonly errors: readonly IRecognitionException[];
}
