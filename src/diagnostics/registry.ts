/**
 * The one registry of diagnostic codes. Codes are stable and never reused: a retired code stays here with
 * `retired: true` so `evtc explain` can still say what it meant.
 *
 * Ranges: EVT00xx input files and project configuration, EVT01xx tokens and literals, EVT02xx syntax,
 * EVT03xx names and references, EVT04xx the meaning of declarations, EVT05xx governance rules (each code
 * belongs to one rule of src/check/rules, whose severity the project may change), EVT06xx schema contracts
 * and their history (the lock file, compatibility), EVT07xx fan-out load and capacity (rules of category
 * `load/`, figures from src/load/analysis.ts).
 */
export type Severity = "error" | "warning";

interface Entry<P> {
  /** A short kebab-case name, shown by `evtc explain` and usable in docs. */
  readonly name: string;
  readonly severity: Severity;
  readonly message: (params: P) => string;
  /** The longer explanation printed by `evtc explain`, in Markdown. */
  readonly explanation: string;
  /** Problems with the command line or the file system rather than with a file's content: exit code 2. */
  readonly usage?: true;
}

function entry<P = Record<string, never>>(e: Entry<P>): Entry<P> {
  return e;
}

type Named = { name: string };

export const registry = {
  EVT0001: entry<{ path: string }>({
    name: "path-not-found",
    severity: "error",
    usage: true,
    message: (p) => `no such file or directory \`${p.path}\``,
    explanation: `A path given on the command line does not exist.

Check the spelling, or run the command from the directory the path is relative to. \`evtc check\` takes
\`.evt\` files and directories; a directory stands for every \`.evt\` file under it.`,
  }),
  EVT0002: entry<{ path: string }>({
    name: "no-evt-files",
    severity: "error",
    usage: true,
    message: (p) => `no \`.evt\` files in \`${p.path}\``,
    explanation: `A directory given on the command line contains no \`.evt\` files, at any depth.

evtc reads every file ending in \`.evt\` under a directory (hidden directories and \`node_modules\` are skipped).
An empty project is almost always a wrong path, so it is reported rather than checked as clean.`,
  }),
  EVT0003: entry<{ path: string; reason: string }>({
    name: "unreadable-path",
    severity: "error",
    usage: true,
    message: (p) => `cannot read \`${p.path}\`: ${p.reason}`,
    explanation: `The operating system refused to read a file or directory (permissions, a broken link, a device).

The reason printed is the system's own. Nothing was checked for that path.`,
  }),
  EVT0004: entry({
    name: "binary-file",
    severity: "error",
    message: () => `this is a binary file, not an \`.evt\` source`,
    explanation: `The file contains NUL bytes, which never appear in text. It is probably not the file you meant
(an archive, an image, a compiled artifact with an \`.evt\` name). The caret points at the first NUL byte.`,
  }),
  EVT0005: entry({
    name: "invalid-utf8",
    severity: "error",
    message: () => `the file is not valid UTF-8`,
    explanation: `\`.evt\` files are UTF-8. The caret points at the first byte sequence that is not valid UTF-8.

Editors usually offer "reopen with encoding" and "save with encoding UTF-8"; \`iconv -f latin1 -t utf-8\` converts
from the shell. A UTF-8 byte-order mark at the start of a file is accepted and ignored.`,
  }),
  EVT0006: entry<{ size: string; limit: string }>({
    name: "file-too-large",
    severity: "error",
    message: (p) => `the file is ${p.size}, over the ${p.limit} limit for one \`.evt\` file`,
    explanation: `One \`.evt\` file may be at most 8 MiB. A bus description that large is almost certainly
generated or not an \`.evt\` file at all; split a real project into one file per domain. The limit keeps a
mistaken path (a log, a dump) from stalling the compiler.`,
  }),
  EVT0007: entry({
    name: "empty-file",
    severity: "warning",
    message: () => `the file is empty`,
    explanation: `The file has no declarations (it is empty or holds only whitespace and comments). It is
harmless, but usually a leftover: delete it or add the declarations it was meant for.`,
  }),

  EVT0010: entry<{ reason: string }>({
    name: "invalid-config",
    severity: "error",
    usage: true,
    message: (p) => `invalid \`evtc.json\`: ${p.reason}`,
    explanation: `The project configuration \`evtc.json\` is not valid. It is JSON (comments and trailing commas
allowed) of the form:

    {
      "rules": { "naming/action-past-tense": "off", "not-an-event/single-consumer": "error" },
      "compatibilityPolicy": "strict",
      "load": { "headroom": "30%", "partitionThroughput": "1000/s", "transportLatency": "10ms", "partitionsAtOnce": 4 },
      "strimzi": { "cluster": "my-cluster", "authentication": "tls" }
    }

Each rule takes \`"error"\`, \`"warning"\` or \`"off"\`. \`evtc rules\` lists the rules. \`"compatibilityPolicy"\` is
\`"strict"\` or \`"lenient"\`. In \`"load"\`, \`"partitionsAtOnce"\` is a whole number of partitions, at least 1. The Strimzi \`"cluster"\` is a Kubernetes label value (up to 63 letters, digits,
\`-\`, \`_\` and \`.\`), and \`"authentication"\` one of \`"tls"\`, \`"tls-external"\` and \`"scram-sha-512"\`. A file
whose objects and arrays nest more than 512 deep is not read at all, rather than run out of stack.`,
  }),
  EVT0011: entry<{ rule: string }>({
    name: "unknown-rule",
    severity: "error",
    message: (p) => `unknown rule \`${p.rule}\``,
    explanation: `A rule id in \`evtc.json\` or in an \`@allow\` annotation is not one of evtc's rules.
\`evtc rules\` lists them; ids look like \`naming/topic-format\`.`,
  }),
  EVT0012: entry<{ rule: string }>({
    name: "allow-without-reason",
    severity: "error",
    message: (p) => `\`@allow("${p.rule}")\` needs a reason`,
    explanation: `Suppressing a finding in place is a decision others will want to understand, so \`@allow\`
takes the rule and a reason: \`@allow("not-an-event/single-consumer", "fraud scoring joins next quarter")\`.`,
  }),
  EVT0013: entry<{ rule: string }>({
    name: "unused-allow",
    severity: "warning",
    message: (p) => `\`@allow("${p.rule}")\` suppresses nothing here`,
    explanation: `The rule named by this \`@allow\` reports nothing on the declaration it is attached to (the
problem was fixed, or the annotation sits on the wrong declaration). Remove it so that suppressions stay
meaningful.`,
  }),

  EVT0101: entry<{ text: string }>({
    name: "unexpected-character",
    severity: "error",
    message: (p) => `unexpected character ${p.text}`,
    explanation: `The lexer met a character that cannot start any token of the \`.evt\` language.

Names are letters, digits, \`_\` and inner \`-\`; strings are in double quotes; comments start with \`//\`
(block comments \`/* */\` do not exist).`,
  }),
  EVT0102: entry({
    name: "unterminated-string",
    severity: "error",
    message: () => `unterminated string`,
    explanation: `A string starts with \`"\` and must end with \`"\` on the same line. To put a quote inside a
string, escape it: \`"say \\"hi\\""\`.`,
  }),
  EVT0103: entry<{ escape: string }>({
    name: "invalid-escape",
    severity: "error",
    message: (p) => `unknown escape \`${p.escape}\` in string`,
    explanation: `Strings accept the JSON escapes: \`\\"\`, \`\\\\\`, \`\\/\`, \`\\b\`, \`\\f\`, \`\\n\`, \`\\r\`, \`\\t\` and
\`\\uXXXX\`. In a \`pattern\`, a regex backslash is written twice: \`pattern "^\\\\d+$"\`.`,
  }),
  EVT0104: entry<{ text: string; reason: string }>({
    name: "invalid-quantity",
    severity: "error",
    message: (p) => `invalid value \`${p.text}\`: ${p.reason}`,
    explanation: `A number with a unit is not well formed.

Units: durations \`ms\`, \`s\`, \`m\`, \`h\`, \`d\`, \`w\` (\`200ms\`, \`20m\`, \`7d\`); rates \`/s\`, \`/m\`, \`/h\`, \`/d\`
with an optional \`k\` or \`M\` multiplier (\`2000/s\`, \`5k/s\`, \`1.2M/h\`); sizes \`B\`, \`KiB\`, \`MiB\`, \`GiB\`,
\`KB\`, \`MB\`, \`GB\` (\`512KiB\`, \`1MiB\`); counts with an optional \`k\`, \`M\` or \`G\` (\`12\`, \`5M\`).`,
  }),
  EVT0105: entry<{ expected: string; found: string }>({
    name: "wrong-kind-of-value",
    severity: "error",
    message: (p) => `expected ${p.expected}, found ${p.found}`,
    explanation: `A clause got a value of the wrong kind: a duration where a rate belongs, a size where a count
belongs, and so on. The message names what the clause takes; \`docs/language.md\` lists every clause with its
value.`,
  }),

  EVT0201: entry<{ expected: string; found: string }>({
    name: "syntax-error",
    severity: "error",
    message: (p) => `expected ${p.expected}, found ${p.found}`,
    explanation: `The parser expected something else at this point. The parser recovers and goes on, so one run
reports every syntax error of a file; fix the first one first, as later ones may follow from it.`,
  }),
  EVT0202: entry<{ word: string }>({
    name: "unknown-declaration",
    severity: "error",
    message: (p) => `\`${p.word}\` does not start a declaration`,
    explanation: `At the top level of a file, each declaration starts with one of \`team\`, \`domain\`,
\`segment\`, \`enum\`, \`record\`, \`event\`, \`topic\`, \`backend\`, \`consumer\` or \`enricher\`. The whole unknown
declaration (up to its closing \`}\`) is skipped.`,
  }),
  EVT0203: entry<{ word: string; block: string }>({
    name: "unknown-clause",
    severity: "error",
    message: (p) => `\`${p.word}\` is not a clause of \`${p.block}\``,
    explanation: `Inside a block, each clause starts with one of the words that block accepts. The \`help\`
line lists the closest one, and \`docs/language.md\` lists every clause of every block. The unknown clause and
its values are skipped.`,
  }),
  EVT0204: entry<{ limit: number }>({
    name: "nesting-too-deep",
    severity: "error",
    message: (p) => `brackets nested more than ${p.limit} deep`,
    explanation: `Blocks and type arguments nest a few levels deep in any real file: an enricher's \`publish\`
block inside the enricher, a \`map<map<int[]>>\`. The parser stops at a bracket (\`{\`, \`<\`, \`(\` or \`[\`)
opened inside this many others, and reads nothing more of the file, rather than run out of stack. How deep a
field's type nests arrays, maps and records, through other declarations too, has a limit of its own (EVT0415).`,
  }),

  EVT0301: entry<Named>({
    name: "unknown-topic",
    severity: "error",
    message: (p) => `unknown topic \`${p.name}\``,
    explanation: `A consumer or enricher reads a topic that no \`topic\` declaration and no enricher's \`publish\`
defines anywhere in the project. Either the name is misspelt (see the \`help\` line) or the topic's producer
has not been declared yet: a consumer cannot read what nobody publishes.`,
  }),
  EVT0302: entry<Named>({
    name: "unknown-team",
    severity: "error",
    message: (p) => `unknown team \`${p.name}\``,
    explanation: `An \`owner\` names a team that is not declared. Declare it with
\`team <name> { contact "…" }\` in any file of the project.`,
  }),
  EVT0303: entry<Named>({
    name: "unknown-type",
    severity: "error",
    message: (p) => `unknown type \`${p.name}\``,
    explanation: `A field's type is neither a built-in type (\`string\`, \`int\`, \`long\`, \`double\`, \`decimal\`,
\`boolean\`, \`uuid\`, \`timestamp\`, \`date\`, \`duration\`, \`bytes\`), nor \`map<T>\`, nor a \`record\` or \`enum\`
declared in the project. Arrays are written \`T[]\`.`,
  }),
  EVT0304: entry<Named>({
    name: "unknown-event",
    severity: "error",
    message: (p) => `unknown event \`${p.name}\``,
    explanation: `A topic, an enricher or an \`extends\` names an event that is not declared in the project.`,
  }),
  EVT0305: entry<Named>({
    name: "unknown-backend",
    severity: "error",
    message: (p) => `unknown back-end \`${p.name}\``,
    explanation: `A \`lookup\` names a back-end that is not declared. Declare it with
\`backend <domain>.<name> { owner … capacity …/s latency …ms }\`.`,
  }),
  EVT0306: entry<Named>({
    name: "unknown-segment",
    severity: "error",
    message: (p) => `unknown segment \`${p.name}\``,
    explanation: `A topic is placed on a segment that is not declared. Declare it with
\`segment <name> { … }\`.`,
  }),
  EVT0307: entry<{ name: string; event: string }>({
    name: "unknown-field",
    severity: "error",
    message: (p) => `event \`${p.event}\` has no field \`${p.name}\``,
    explanation: `A topic's \`key\` or a look-up's \`by\` names a field that the event (including the fields it
inherits through \`extends\`) does not have. A path such as \`customer.msisdn\` walks into nested records.`,
  }),
  EVT0308: entry<{ name: string; enumName: string }>({
    name: "unknown-enum-member",
    severity: "error",
    message: (p) => `enum \`${p.enumName}\` has no member \`${p.name}\``,
    explanation: `A field's default value (\`= value\`) on an enum field must be one of the members of that enum,
written as a bare word: \`currency Currency = EUR\`.`,
  }),
  EVT0309: entry<Named>({
    name: "unknown-annotation",
    severity: "error",
    message: (p) => `unknown annotation \`@${p.name}\``,
    explanation: `There are two annotations, on declarations, fields and enum members: \`@deprecated("reason")\`
marks something to stop using, and \`@allow("rule", "reason")\` suppresses one governance rule's findings on
what it annotates.`,
  }),
  EVT0310: entry<{ kind: string; name: string }>({
    name: "duplicate-definition",
    severity: "error",
    message: (p) => `${p.kind} \`${p.name}\` is defined more than once`,
    explanation: `Names are global to a project, across all its files. Teams, domains, segments, back-ends,
consumers and enrichers each have their own namespace; events, records and enums share one (they are all types);
topics share one with the topics that enrichers publish. The related location shows the first definition.

An event has one declaration holding its current version: earlier versions live in the lock file, not in
\`.evt\` sources.`,
  }),
  EVT0311: entry<{ name: string; owner: string }>({
    name: "duplicate-field",
    severity: "error",
    message: (p) => `field \`${p.name}\` is defined more than once in \`${p.owner}\``,
    explanation: `Each field name appears once in an event or record, counting the fields inherited through
\`extends\`: an enriched event cannot redefine a field of the event it extends.`,
  }),
  EVT0312: entry<{ name: string; owner: string }>({
    name: "duplicate-enum-member",
    severity: "error",
    message: (p) => `member \`${p.name}\` appears more than once in enum \`${p.owner}\``,
    explanation: `Each member of an enum is listed once. Members are compared exactly, so \`EUR\` and \`Eur\`
are two members (which naming rules may flag).`,
  }),
  EVT0313: entry<Named>({
    name: "topic-published-twice",
    severity: "error",
    message: (p) => `topic \`${p.name}\` is already defined elsewhere`,
    explanation: `An enricher's \`publish\` defines the enriched topic: its settings come from the source topic,
with the overrides in the optional block after \`publish\`. A topic therefore has exactly one definition, either a
\`topic\` declaration (published by its owner's producer) or one enricher's \`publish\`. Two definitions would mean
two writers of one contract; rename the enriched topic or remove the other definition.`,
  }),
  EVT0314: entry<{ cycle: string }>({
    name: "enrichment-cycle",
    severity: "error",
    message: (p) => `enrichment chain forms a cycle: ${p.cycle}`,
    explanation: `Enrichers read one topic and publish another. When the topics they publish lead back to the
topic they read, every event would be enriched forever. Break the cycle by having one of the enrichers read an
upstream topic.`,
  }),
  EVT0315: entry<{ cycle: string }>({
    name: "extends-cycle",
    severity: "error",
    message: (p) => `\`extends\` forms a cycle: ${p.cycle}`,
    explanation: `An event cannot extend itself, directly or through other events.`,
  }),
  EVT0316: entry<{ name: string; first: string; second: string }>({
    name: "broker-name-taken",
    severity: "error",
    message: (p) => `\`${p.name}\` would be both ${p.first} and ${p.second}`,
    explanation: `Besides the topics declared, evtc names what it creates on the broker after the readers: a
consumer or enricher \`billing.account-opening\` reads in the consumer group \`billing.account-opening\`, dead-letters
to the topic \`billing.account-opening.dlq\` (when guaranteed or declaring \`dlq\`), and replays those dead letters
in the group \`billing.account-opening.replay\`. Two of these names may not be the same: a declared topic named
like a reader's dead-letter topic, a consumer and an enricher of the same name (they would share a group and a
dead-letter topic), or a reader named like another's replay group. Rename one of them.`,
  }),
  EVT0317: entry<{ what: string; name: string; length: number }>({
    name: "topic-name-too-long",
    severity: "error",
    message: (p) => `${p.what} \`${p.name}\` is ${p.length} characters long; Kafka allows 249`,
    explanation: `Kafka refuses topic names longer than 249 characters. That counts the dead-letter topics evtc
creates, named \`<reader>.dlq\` after the consumer or enricher, so a guaranteed reader's name can be at most 245
characters.`,
  }),
  EVT0318: entry<{ path: string; first: string; second: string }>({
    name: "output-path-taken",
    severity: "error",
    message: (p) => `\`${p.path}\` would be generated both for ${p.first} and for ${p.second}`,
    explanation: `\`evtc build\` names its files after what they hold: a module after its \`.evt\` file
(\`billing.evt\` gives \`billing.ts\` and \`billing.consumers.ts\`), a validator after its event
(\`validators/PaymentReceived.v1.1.js\`), a folder of JSON Schemas after its topic's registry subject
(\`schemas/billing.payment.received-value/\`), and the wiring is \`index.ts\`. Two of these may not be the same
file — a source file named \`index.evt\`, or \`billing.consumers.evt\` beside \`billing.evt\` — nor differ only in
case (\`OrderPlaced\` and \`Orderplaced\`): macOS and Windows keep file names as written but find them ignoring case,
so one file would overwrite the other there, and the project would build differently on Linux. Rename one of
them.`,
  }),
  EVT0319: entry<{ file: string; project: string }>({
    name: "source-outside-project",
    severity: "error",
    message: (p) => `\`${p.file}\` is outside the project directory \`${p.project}\``,
    explanation: `The project directory is the directory named on the command line, or the first file's
directory when files are named; it holds \`evtc.json\` and \`evt.lock\`, and \`evtc build\` names each module
after its \`.evt\` file's path in it (\`crm/customer.evt\` gives \`crm/customer.ts\`). A file outside it would have
its module written outside the output directory. Name the directory that holds every file instead (as
\`tsc\` refuses a file outside its \`rootDir\`), or move the file into the project.`,
  }),

  EVT0320: entry<{ file: string; reason: string }>({
    name: "source-name-unusable",
    severity: "error",
    message: (p) => `\`${p.file}\` cannot name a module: ${p.reason}`,
    explanation: `\`evtc build\` names each module after its \`.evt\` file (\`billing.evt\` gives \`billing.ts\`),
and the wiring imports them by those names. In an import specifier \`#\` starts a fragment, \`?\` a query and
\`%\` an escape, and Node reads \`\\\` as a folder separator: a module named with one would compile, or not,
and then fail to load. Control characters are refused too. Nor may a module go in a hidden folder (\`.drafts/\`)
or in \`node_modules\`, which a build never looks through for files it no longer generates: it would stay there
after its \`.evt\` file was gone. Rename the file with letters, digits, \`-\`, \`_\` and \`.\`, or move it.`,
  }),

  EVT0401: entry<{ block: string; name: string; clause: string }>({
    name: "missing-clause",
    severity: "error",
    message: (p) => `${p.block} \`${p.name}\` has no \`${p.clause}\``,
    explanation: `Some clauses are required: a domain's \`owner\`; a topic's \`owner\` and \`event\`; a back-end's
\`owner\`; a consumer's \`owner\` and \`from\`; an enricher's \`owner\`, \`from\`, \`lookup\` and \`publish\`.`,
  }),
  EVT0402: entry<{ clause: string }>({
    name: "duplicate-clause",
    severity: "error",
    message: (p) => `\`${p.clause}\` is given more than once`,
    explanation: `A clause that takes one value appears twice in a block; only one can hold. (\`lookup\` and
\`contact\` may repeat.)`,
  }),
  EVT0403: entry<{ first: string; second: string }>({
    name: "conflicting-clauses",
    severity: "error",
    message: (p) => `\`${p.second}\` contradicts \`${p.first}\``,
    explanation: `Some clauses exclude each other: \`ordered\` and \`unordered\`, \`guaranteed\` and
\`best-effort\`, \`public\` and \`internal\`.`,
  }),
  EVT0404: entry<Named>({
    name: "missing-version",
    severity: "error",
    message: (p) => `event \`${p.name}\` has no version`,
    explanation: `Every event carries the version of its contract, \`major.minor\`, right after its name:
\`event PaymentReceived v1.1 { … }\`. \`v2\` means \`v2.0\`.`,
  }),
  EVT0405: entry<{ peak: string; average: string }>({
    name: "peak-below-average",
    severity: "error",
    message: (p) => `peak rate ${p.peak} is below the average rate ${p.average}`,
    explanation: `\`rate A peak P\` gives the average and the peak rate of a topic; the peak is at least the
average. Write \`rate 2000/s\` alone when the two are the same.`,
  }),
  EVT0406: entry<{ constraint: string; type: string }>({
    name: "constraint-not-applicable",
    severity: "error",
    message: (p) => `\`${p.constraint}\` does not apply to a field of type \`${p.type}\``,
    explanation: `Constraints apply to some types only: \`pattern\`, \`minLength\` and \`maxLength\` to strings;
\`min\` and \`max\` to \`int\`, \`long\`, \`double\` and \`decimal\`; \`minItems\` and \`maxItems\` to arrays.`,
  }),
  EVT0407: entry<{ reason: string }>({
    name: "invalid-constraint",
    severity: "error",
    message: (p) => `invalid constraint: ${p.reason}`,
    explanation: `A constraint's value is out of range or contradicts another one (\`min\` above \`max\`, a
negative length, a \`pattern\` that is not a valid regular expression). Patterns are ECMAScript regular
expressions with the \`u\` flag, as JSON Schema validators use them.

\`min\` and \`max\` are values of the field's type: an \`int\` is a 32-bit integer (-2147483648 to 2147483647), a
\`long\` a 64-bit one (-9223372036854775808 to 9223372036854775807), and the bounds of a \`double\` or a
\`decimal\` are finite numbers. A bound beyond them would make a schema that no value passes, or that JSON cannot
write.`,
  }),
  EVT0408: entry<{ type: string; reason: string }>({
    name: "invalid-default",
    severity: "error",
    message: (p) => `invalid default for a field of type \`${p.type}\`: ${p.reason}`,
    explanation: `A default (\`= value\`) must be a literal of the field's type: a string for \`string\`, a whole
number for \`int\` and \`long\`, a number for \`double\` and \`decimal\`, \`true\` or \`false\` for \`boolean\`, a
member for an enum, within the type's range (an \`int\` fits in 32 bits, a \`long\` in 64, any other number is
finite). It must also satisfy the field's constraints.`,
  }),
  EVT0409: entry<{ field: string; type: string }>({
    name: "invalid-key-field",
    severity: "error",
    message: (p) => `field \`${p.field}\` of type \`${p.type}\` cannot be a key`,
    explanation: `A topic's key decides the partition, and so the order, of its events: it must be a required
scalar field (\`string\`, \`uuid\`, \`int\`, \`long\` or an enum), not an optional field, a record, an array or a map.`,
  }),
  EVT0410: entry<{ event: string; source: string }>({
    name: "enriched-event-not-extending",
    severity: "error",
    message: (p) => `enriched event \`${p.event}\` does not extend \`${p.source}\``,
    explanation: `An enricher republishes the event it read with the looked-up data added, so the event it
publishes must \`extends\` the source topic's event (directly or through other events). Consumers of the
enriched topic then see every field of the original.`,
  }),
  EVT0411: entry<{ what: string; reason: string }>({
    name: "value-out-of-range",
    severity: "error",
    message: (p) => `${p.what} ${p.reason}`,
    explanation: `A number is outside the range its clause allows: partitions and replicas at least 1, retry
attempts from 0 to 100, a backoff range whose start is not above its end, sizes and rates above zero. The major and
minor numbers of a version are at most 9007199254740991 (\`Number.MAX_SAFE_INTEGER\`), the largest whole number
JavaScript, and so the generated code, holds exactly: a larger one would be rounded.`,
  }),
  EVT0412: entry<{ value: string; allowed: string }>({
    name: "unknown-keyword-value",
    severity: "error",
    message: (p) => `\`${p.value}\` is not one of ${p.allowed}`,
    explanation: `A clause takes one of a fixed set of words, such as the compatibility modes \`backward\`,
\`backward-transitive\`, \`forward\`, \`forward-transitive\`, \`full\`, \`full-transitive\` and \`none\`.`,
  }),
  EVT0413: entry<{ name: string; kind: string; expected: string }>({
    name: "wrong-kind-of-name",
    severity: "error",
    message: (p) => `\`${p.name}\` is ${p.kind}, not ${p.expected}`,
    explanation: `A name refers to a declaration of the wrong kind: a record where a topic needs an event, an
event used as a field's type (events are versioned contracts; share structure through a \`record\`), a
built-in type with type arguments, or a type argument missing from \`map<T>\`.`,
  }),

  EVT0414: entry<{ name: string }>({
    name: "reserved-field-name",
    severity: "error",
    message: (p) => `a field cannot be called \`${p.name}\``,
    explanation: `\`__proto__\` is special in JavaScript: assigning it replaces an object's prototype instead of
setting a property, so JSON validators (ajv among them) and JavaScript consumers ignore or mishandle a field
of that name. Choose another name.`,
  }),
  EVT0415: entry<{ field: string; depth: number; limit: number; cycle: boolean }>({
    name: "type-too-deep",
    severity: "error",
    message: (p) =>
      p.cycle
        ? `field \`${p.field}\` nests arrays, maps and records up to ${p.depth} deep through a cycle of records, over the limit of ${p.limit}`
        : `field \`${p.field}\` nests arrays, maps and records ${p.depth} deep, over the limit of ${p.limit}`,
    explanation: `A field's type may nest arrays, maps and records at most 64 deep. Each \`[]\`, each \`map<…>\` and each
record counts one level, along the deepest path through the type: \`a string[][]\` is 2 deep, \`a map<int[]>\` 2, and
\`a Address\` one more than the deepest field of \`Address\`. Real event schemas nest a handful of levels; the
schemas, types and validators generated from deeper ones are more than schema tools and code generators are built
for, and evtc stops here rather than run out of stack (as EVT0204 stops the parser at brackets nested 64 deep).

The error points at the field where the nesting passes the limit: in a chain of records, each holding the next, that
is the field holding the last record still within it, not every field above it. Records that refer to each other in
a cycle (\`record Node { children Node[] }\` is one, of one record) are counted as if a value went through each of
them in turn, once; a cycle too long for that is reported once, at its first record.

Flatten the type: fewer arrays and maps inside each other, or a list of records rather than each record holding the
next.`,
  }),

  EVT0501: entry<{ name: string; reason: string }>({
    name: "topic-format",
    severity: "error",
    message: (p) => `topic \`${p.name}\` ${p.reason}`,
    explanation: `Rule \`naming/topic-format\`. Topics are named \`{domain}.{entity}.{action}\`: exactly three
segments, each lowercase letters and digits, words inside a segment joined by \`-\` (kebab-case):
\`billing.payment.received\`, \`billing.top-up.completed\`. One naming scheme across the bus is what keeps 50
systems' topics findable.`,
  }),
  EVT0502: entry<{ name: string; domain: string }>({
    name: "topic-domain",
    severity: "error",
    message: (p) => `topic \`${p.name}\` is in domain \`${p.domain}\`, which is not declared`,
    explanation: `Rule \`naming/topic-domain\`. The first segment of a topic name is its business domain, and the
domain must be declared (\`domain billing { owner billing }\`) so that it has an owning team.`,
  }),
  EVT0503: entry<{ name: string; action: string }>({
    name: "action-past-tense",
    severity: "warning",
    message: (p) => `the action \`${p.action}\` of topic \`${p.name}\` is not in the past tense`,
    explanation: `Rule \`naming/action-past-tense\`. An event is a fact: something that happened
(\`payment.received\`, \`subscriber.activated\`). An imperative (\`create\`, \`update\`, \`send\`) names a command
to one service, which is a request, not an event. Words ending in \`-ed\` and common irregular past
participles (\`sent\`, \`paid\`, \`sold\`…) are accepted.`,
  }),
  EVT0504: entry<{ kind: string; name: string; owner: string }>({
    name: "owner-domain-prefix",
    severity: "error",
    message: (p) => `${p.kind} \`${p.name}\` does not start with a domain of its owner \`${p.owner}\``,
    explanation: `Rule \`naming/owner-domain-prefix\`. Consumers, enrichers and back-ends are named
\`<domain>.<name>\`, where the domain is one its owning team owns or is delegated (\`crm.payment-sync\` owned by
\`crm\`). The name then tells who to call when it misbehaves.`,
  }),
  EVT0505: entry<{ kind: string; name: string }>({
    name: "type-case",
    severity: "error",
    message: (p) => `${p.kind} name \`${p.name}\` is not PascalCase`,
    explanation: `Rule \`naming/type-case\`. Events, records and enums are types in the generated code and are
named in PascalCase: \`PaymentReceived\`, \`CustomerProfile\`.`,
  }),
  EVT0506: entry<{ name: string; team: string }>({
    name: "public-topic-contact",
    severity: "error",
    message: (p) => `public topic \`${p.name}\` is owned by \`${p.team}\`, which has no contact`,
    explanation: `Rule \`ownership/public-contact\`. Other teams build on a public topic; when it breaks they
need someone to reach. Give the owning team a \`contact "…"\`.`,
  }),
  EVT0507: entry<{ name: string; team: string; domain: string }>({
    name: "topic-outside-owner-domain",
    severity: "error",
    message: (p) => `\`${p.team}\` owns topic \`${p.name}\` but not its domain \`${p.domain}\``,
    explanation: `Rule \`ownership/topic-domain\`. A topic belongs to the team that owns its domain, so that a
domain's events have one accountable owner. Another team may publish in a domain only when the domain says so:
\`domain billing { owner billing delegate crm }\`. An enriched topic is owned by its enricher's owner.`,
  }),
  EVT0508: entry<{ name: string; count: number }>({
    name: "single-consumer",
    severity: "warning",
    message: (p) => `topic \`${p.name}\` has ${p.count === 0 ? "no consumer" : "only one consumer"}`,
    explanation: `Rule \`not-an-event/single-consumer\`. An event is something that happened and interests at
least two consumers (enrichers count). A topic with one consumer is usually a remote call in disguise, better
served by an API. When more consumers are planned, say so: \`expectedConsumers 3\`.`,
  }),
  EVT0509: entry<{ name: string; reason: string }>({
    name: "request-reply",
    severity: "warning",
    message: (p) => `topic \`${p.name}\` ${p.reason}`,
    explanation: `Rule \`not-an-event/request-reply\`. Request/response belongs in an API gateway, not on the
event bus: topics named \`*.request\`, \`*.reply\`, \`*.response\`, \`*.command\` or \`*.query\`, and an enricher
that publishes back into the domain of the topic it reads, keyed by a correlation id, are that pattern.`,
  }),
  EVT0510: entry<{ name: string; size: string }>({
    name: "event-too-large",
    severity: "error",
    message: (p) => `topic \`${p.name}\` allows events of ${p.size}, over 1 MiB`,
    explanation: `Rule \`not-an-event/max-size\`. Events are small facts. Files (call detail record batches,
exports) belong in a file transfer or object store, with at most an event that says the file is ready.`,
  }),
  EVT0511: entry<{ consumer: string; topic: string }>({
    name: "ordered-without-key",
    severity: "error",
    message: (p) => `ordered consumer \`${p.consumer}\` reads \`${p.topic}\`, which has no key`,
    explanation: `Rule \`category/ordered-needs-key\`. Kafka keeps order per partition, and the key chooses the
partition: without a key, events of one subscriber or account land on different partitions and arrive in any
order. Give the topic a \`key\`, or make the consumer \`unordered\`.`,
  }),
  EVT0512: entry<{ consumer: string; topic: string }>({
    name: "ordered-outside-segment",
    severity: "error",
    message: (p) =>
      `ordered consumer \`${p.consumer}\` reads \`${p.topic}\`, which is not on a segment for ordered flows`,
    explanation: `Rule \`category/ordered-segment\`. When the bus declares a segment for ordered flows
(\`segment ordered-flows { ordered }\`), the topics that ordered consumers read live there, so that a stalled
ordered partition cannot hold back the rest of the bus. Add \`segment <name>\` to the topic.`,
  }),
  EVT0513: entry<{ name: string; clause: string }>({
    name: "best-effort-with-retries",
    severity: "warning",
    message: (p) => `best-effort consumer \`${p.name}\` declares \`${p.clause}\``,
    explanation: `Rule \`category/best-effort-no-retry\`. A best-effort consumer may skip an event that fails:
retries and a dead-letter topic contradict that. Either the consumer needs its events (make it \`guaranteed\`,
which always gets a dead-letter topic) or drop the clause.`,
  }),
  EVT0514: entry<{ reader: string; topic: string; enricher: string }>({
    name: "ordered-after-unordered-enricher",
    severity: "error",
    message: (p) => `ordered \`${p.reader}\` reads \`${p.topic}\`, republished by unordered enricher \`${p.enricher}\``,
    explanation: `Rule \`category/ordered-chain\`. An unordered enricher processes events of one key
concurrently and may republish them out of order, so what an ordered consumer reads downstream has lost the
order. Make the enricher \`ordered\`.`,
  }),
  EVT0515: entry<{ field: string; reason: string }>({
    name: "pattern-backtracking",
    severity: "error",
    message: (p) => `the pattern of field \`${p.field}\` ${p.reason}`,
    explanation: `Rule \`validation/pattern-backtracking\`. Every producer and consumer validates each event against its fields' patterns, with JavaScript's
backtracking regular-expression engine. A pattern in which the same text can be matched in many ways makes
that engine try them all before it rejects a value: \`^(a+)+$\` takes seconds on 30 characters, so one
crafted event stalls every service that reads it. evtc checks each pattern with redos-detector and rejects one
that can backtrack catastrophically, one the analysis cannot settle within its step limit (redos-detector
counts that as unsafe too, and a step count judges a pattern the same on every machine), and one it cannot
read (named groups \`(?<name>…)\`: write \`(…)\`, a pattern's captures are never used).

Rewrite the pattern so that each character can be matched in one way only:
- no quantifier inside a quantified group: \`(a+)+\` → \`a+\`;
- no alternatives that match the same text: \`(a|a)*\` → \`a*\`, \`(\\d+|x)*\` → \`[\\dx]*\`;
- no neighbouring repeats that can take the same characters: \`(\\w+\\s?)*\` → \`\\w+(\\s\\w+)*\`,
  \`\\d+\\d*\` → \`\\d+\`, \`.*x.*\` → \`[^x]*x.*\`;
- start it with \`^\` when the value must start with it: an unanchored pattern is tried from every position
  of the value, which makes even \`\\d+x\` quadratic.

The analysis is conservative: it may reject a pattern that happens to run in linear time (two optional
groups that both start with \`\\d+\`). Accept such a pattern in place with
\`@allow("validation/pattern-backtracking", "<why it is safe>")\` on its event or record.`,
  }),

  EVT0601: entry<{ path: string; reason: string }>({
    name: "invalid-schema-file",
    severity: "error",
    usage: true,
    message: (p) => `\`${p.path}\` is not a JSON Schema: ${p.reason}`,
    explanation: `\`evtc compat\` compares two JSON Schema files; this one is not valid JSON, its top level is
neither an object nor a boolean, or it has a \`$ref\` the comparison cannot follow: to another document (which it
does not fetch) or to nothing in this one. Compared as it stands, such a reference would accept anything, and
every change behind it would pass. JSON Schema documents are JSON (comments are tolerated).

It is also refused when it nests deeper than evtc goes, rather than run out of stack: objects and arrays more than
512 deep in the file, or, in both files at once, subschemas more than 128 deep (each one under \`properties\`,
\`items\`, \`allOf\`… a level, wherever \`$ref\`s lead, so a flat file with a long chain of references counts). No
real schema comes near: evtc's own go at most 65 deep.`,
  }),
  EVT0602: entry<{ reason: string }>({
    name: "invalid-lock-file",
    severity: "error",
    message: (p) => `invalid \`evt.lock\`: ${p.reason}`,
    explanation: `\`evt.lock\` records every published version of every event; \`evtc lock\` writes it and it is
committed. This one cannot be read as such. If it was edited by hand or mangled by a merge, restore it from
version control and run \`evtc lock\` again. A merge of two branches that each recorded versions leaves conflict
markers in it: take either side, then run \`evtc lock\`, which records the versions the merged \`.evt\` files
declare after checking them against the history it keeps. A file whose objects and arrays nest more than 512 deep
is not read at all, rather than run out of stack: no schema evtc records comes near.`,
  }),
  EVT0603: entry<{ event: string; version: string }>({
    name: "published-version-changed",
    severity: "error",
    message: (p) => `\`${p.event}\` v${p.version} differs from the published v${p.version} in \`evt.lock\``,
    explanation: `A published version is immutable: consumers and registries already hold its schema. Any change
to the contract (fields, types, constraints, defaults) needs a new version: a minor bump for a compatible change,
a major bump for a breaking one. Changes to documentation alone do not count. The related location shows the
recorded version; the help line lists what changed and the version it needs (the next minor when the change is
compatible under every mode of the topics carrying the event). Reordering fields or enum members counts too: the
published schema's text is what registries hold, though its contract is the same.`,
  }),
  EVT0604: entry<{ event: string; version: string; latest: string }>({
    name: "version-went-backwards",
    severity: "error",
    message: (p) => `\`${p.event}\` is at v${p.version}, below v${p.latest} already published`,
    explanation: `Versions only go up. The lock file records a later version of this event than the one the
\`.evt\` file declares; a rollback is published as a new version with the old content.`,
  }),
  EVT0605: entry<{ event: string; version: string; change: string; mode: string; against: string }>({
    name: "incompatible-change",
    severity: "error",
    message: (p) => `\`${p.event}\` v${p.version} breaks ${p.mode} compatibility with v${p.against}: ${p.change}`,
    explanation: `The new version of the event is not compatible with a published version of the same major
version, under the compatibility mode of the topic that carries it. Modes have Confluent Schema Registry's
meanings: \`backward\` (consumers on the new schema read data written with the latest published one),
\`forward\` (consumers on the published schema read data written with the new one), \`full\` (both), each
against all published versions when \`-transitive\`. The verdict of each change follows Confluent's JSON Schema
rules (STRICT policy unless the project sets \`"compatibilityPolicy": "lenient"\`).

Either make the change compatible (add an optional field rather than a required one, widen rather than narrow
a constraint), or publish it as a new major version, which consumers of a public topic then acknowledge with
\`accepts\`. \`docs/compatibility.md\` lists the rules.`,
  }),
  EVT0606: entry<{ reader: string; event: string; major: number; topic: string }>({
    name: "major-not-accepted",
    severity: "error",
    message: (p) => `\`${p.reader}\` does not accept v${p.major} of \`${p.event}\`, published on \`${p.topic}\``,
    explanation: `A new major version of an event breaks its consumers by definition. On a public topic, every
consumer reading it states which major versions it handles (\`accepts v1, v2\`), so that the producer cannot
ship v2 before each consumer team has acknowledged it. A reader that declares \`accepts\` must also include the
current major version, or it could not read what is published. An enricher takes no \`accepts\`: its enriched
event extends the source's current version, so a breaking change of the source is one of the enriched event
too, which the check then wants published as a new major of its own (EVT0603, EVT0605), for the enriched topic's
consumers to acknowledge.`,
  }),
  EVT0607: entry<{ topic: string; before: string; version: string; event: string; mode: string; change: string }>({
    name: "topic-history-broken",
    severity: "error",
    message: (p) =>
      `topic \`${p.topic}\` carried \`${p.before}\` (v${p.version} published); \`${p.event}\` breaks ${p.mode} compatibility with it: ${p.change}`,
    explanation: `A topic's schema history is the topic's: its registry subject (\`<topic>-value\`, Confluent's
TopicNameStrategy) holds every version published on it, and its consumers read them, whatever the event is called
in the \`.evt\` files. \`evt.lock\` records the event each topic carried when \`evtc lock\` last ran; when a topic now
carries another event (renamed, or replaced by another declaration), the new event is checked against the
published versions of the old one, under the topic's \`compatibility\`, as the registry would check it. A renamed
event that keeps its contract passes. Otherwise make it compatible, publish it as a new major version (its
consumers then acknowledge it with \`accepts\`, EVT0606), or publish it on a new topic.`,
  }),
  EVT0608: entry<{ topic: string; event: string }>({
    name: "published-topic-removed",
    severity: "warning",
    message: (p) => `topic \`${p.topic}\` (carrying \`${p.event}\`) is recorded in \`evt.lock\` but no longer declared`,
    explanation: `A topic that was published may have readers outside this project, which lose it when it goes (as
buf warns of a deleted message). When it is retired on purpose, run \`evtc lock\`: it records that the topic is
gone, and the warning ends. The versions of its event stay in \`evt.lock\`, where the history belongs.`,
  }),
  EVT0609: entry<{ reader: string; major: number; event: string; topic: string }>({
    name: "accepted-major-unpublished",
    severity: "error",
    message: (p) =>
      `\`${p.reader}\` accepts v${p.major} of \`${p.event}\`, but no v${p.major} was published on \`${p.topic}\` (\`evt.lock\`)`,
    explanation: `A consumer that accepts an older major version reads its events with the validator and the type of
that version's schema, which only \`evt.lock\` holds once the \`.evt\` files moved on. A major version the lock
does not record (on this event, or on the event the topic carried before it was renamed) has no schema to read it
with: the generated consumer would refuse its events. Record versions with \`evtc lock\` while they are current.`,
  }),

  EVT0610: entry<{ event: string; version: string; change: string; against: string }>({
    name: "lenient-only-change",
    severity: "warning",
    message: (p) =>
      `\`${p.event}\` v${p.version} is compatible with v${p.against} only under LENIENT, and evtc's readers are strict: ${p.change}`,
    explanation: `The LENIENT policy (\`"compatibilityPolicy": "lenient"\` in \`evtc.json\`) accepts what readers that
ignore unknown properties can read, such as an optional field removed from a closed object, or (under \`forward\`
and \`full\`) one added. evtc's generated readers validate with closed schemas: they refuse, and dead-letter, an
event that carries a property their version does not have — a consumer at the new version the old events with a
removed field, a consumer at the old version the new events with an added one. Order the deployments so that no
reader meets such events (the help line says which way), or publish the change as a new major version.`,
  }),

  EVT0701: entry<{ backend: string; load: string; capacity: string }>({
    name: "backend-over-capacity",
    severity: "error",
    message: (p) => `back-end \`${p.backend}\` gets ${p.load} at peak, over its capacity of ${p.capacity}`,
    explanation: `Rule \`load/backend-capacity\`. The declared rates of the topics, and the look-ups consumers and
enrichers make for each event, add up to more requests than the back-end sustains at peak. This is the avalanche
of the telco case study: each consumer enriching the same event on its own, hammering the same back-end. More
hardware does not fix it for long; the enrichment pattern does: one enricher looks the data up once per event,
behind a TTL cache, and republishes an enriched event that the consumers read instead. The \`help\` line proposes
the enricher, the consumers to move and the load to expect after. \`evtc load\` shows the whole computation.`,
  }),
  EVT0702: entry<{ backend: string; topic: string; readers: string }>({
    name: "shared-lookup",
    severity: "warning",
    message: (p) => `${p.readers} of \`${p.topic}\` each look up \`${p.backend}\``,
    explanation: `Rule \`load/shared-lookup\`. Several readers of the same event look the same data up in the same
back-end, once each per event. Even while capacity holds, this multiplies the back-end's load with every new
consumer. One enricher doing the look-up once (with a cache) and republishing an enriched event scales with the
event rate instead of the number of consumers.`,
  }),
  EVT0703: entry<{ topic: string; partitions: number; needed: number; reason: string }>({
    name: "too-few-partitions",
    severity: "warning",
    message: (p) =>
      `topic \`${p.topic}\` has ${p.partitions} partition${p.partitions === 1 ? "" : "s"} but needs ${p.needed}: ${p.reason}`,
    explanation: `Rule \`load/partitions\`. A topic needs enough partitions for its peak rate (each partition carries
the per-partition throughput set in \`evtc.json\`, 1,000 events/s by default) and for its ordered readers: an
ordered reader handles one partition's events in sequence, so at peak it needs rate × time per event partitions
to keep up (Little's law). Partitions can be added later, but adding them moves keys between partitions and
breaks the order of in-flight keys, so plan them with headroom.`,
  }),
  EVT0704: entry<{ consumer: string; total: string; deadline: string }>({
    name: "deadline-unmeetable",
    severity: "error",
    message: (p) => `\`${p.consumer}\` must handle events within ${p.deadline}, but its chain takes ${p.total}`,
    explanation: `Rule \`load/deadline\`. The on-time delivery check: from the producer, through each enricher hop
(broker transport, processing, look-ups at the back-end's declared latency, counting every cache as missing) to
the consumer's own processing, the chain cannot meet the consumer's \`deadline\`. The \`help\` line spells out
the budget hop by hop. Shorten the chain, speed up a hop, or relax the deadline — before "paid but shown as
unpaid" reaches a customer.`,
  }),
  EVT0705: entry<{ what: string; used: string; headroom: string; margin: string; growth: string }>({
    name: "low-headroom",
    severity: "warning",
    message: (p) =>
      `${p.what} uses ${p.used} at peak: headroom ${p.headroom} is below ${p.margin} (it breaks at ${p.growth} today's rates)`,
    explanation: `Rule \`load/headroom\`. Capacity that is never recalculated is how a bus fails: the rates grow,
the back-ends and partitions do not. A back-end or a topic with less headroom at peak than the project's margin
(\`"load": { "headroom": "30%" }\` in \`evtc.json\`) is reported with the growth factor at which it breaks.
\`evtc load --scale N\` shows the bus at N times today's rates.`,
  }),
  EVT0706: entry<{ what: string; missing: string }>({
    name: "load-unknown",
    severity: "warning",
    message: (p) => `${p.what} declares no ${p.missing}, so its load cannot be checked`,
    explanation: `Rule \`load/declared-figures\`. The load analysis works from declared figures: a back-end that is
looked up needs a \`capacity\` (and a \`latency\` for deadlines), and a topic whose events cause look-ups needs a
\`rate\`. Without them evtc cannot tell whether the bus holds.`,
  }),
  EVT0707: entry<{ reader: string; limit: string; needed: string; at: string }>({
    name: "ordered-capacity",
    severity: "warning",
    message: (p) =>
      `ordered \`${p.reader}\` can process ${p.limit}, but has ${p.needed} events in processing at peak (${p.at})`,
    explanation: `Rule \`load/ordered-capacity\`. An ordered reader processes the events of a partition one after
the other, and at most \`concurrency\` partitions at once (1 when not declared); the events of one key are in one
partition. By Little's law it has rate × time per event events in processing at peak, on average; when that is more
than it can have at once, it falls behind for as long as the peak lasts. More partitions (EVT0703) help only when
they are the limit; when \`concurrency\` is, raise it; when the topic's keys are (fewer keys than partitions), only
a faster reader, an unordered one, or a key with more values does.`,
  }),
  EVT0708: entry<{ reader: string; limit: string; needed: string; at: string }>({
    name: "unordered-capacity",
    severity: "warning",
    message: (p) =>
      `unordered \`${p.reader}\` can process ${p.limit}, but has ${p.needed} events in processing at peak (${p.at})`,
    explanation: `Rule \`load/unordered-capacity\`. An unordered reader processes up to \`concurrency\` events of a
partition at once (1 when not declared), on as many partitions at once as its service's transport hands it: the
Kafka transport's \`partitionsConsumedConcurrently\`, 4 unless the service sets it, which the check reads from
\`"partitionsAtOnce"\` in evtc.json's \`"load"\`. By Little's law it has rate × time per event events in processing at
peak, on average; when that is more than concurrency × min(partitions, partitions at once), it falls behind for as
long as the peak lasts. Raise \`concurrency\`, or let the service handle more partitions at once. The figure is an
upper bound: a record waiting for its retry holds back its partition's next records (docs/runtime.md), so a reader
that fails often has less.`,
  }),
} as const;

export type Code = keyof typeof registry;
export type ParamsOf<C extends Code> = Parameters<(typeof registry)[C]["message"]>[0];

export function isCode(text: string): text is Code {
  return Object.prototype.hasOwnProperty.call(registry, text);
}
