/** Irregular past participles that name what happened (`sent`, `paid`), accepted as actions. */
const irregularPast = new Set([
  "begun",
  "bought",
  "brought",
  "built",
  "caught",
  "chosen",
  "come",
  "cut",
  "dealt",
  "done",
  "drawn",
  "driven",
  "fallen",
  "felt",
  "found",
  "forgotten",
  "frozen",
  "given",
  "gone",
  "grown",
  "held",
  "hidden",
  "hit",
  "hung",
  "kept",
  "known",
  "laid",
  "led",
  "left",
  "lent",
  "let",
  "lost",
  "made",
  "meant",
  "met",
  "overdrawn",
  "paid",
  "put",
  "quit",
  "read",
  "reset",
  "rewritten",
  "ridden",
  "risen",
  "run",
  "said",
  "seen",
  "sent",
  "set",
  "shown",
  "shut",
  "sold",
  "spent",
  "split",
  "spoken",
  "stolen",
  "struck",
  "swept",
  "taken",
  "taught",
  "told",
  "thrown",
  "undone",
  "understood",
  "upheld",
  "withdrawn",
  "won",
  "written",
]);

const irregularFromBase: Record<string, string> = {
  begin: "begun",
  buy: "bought",
  build: "built",
  choose: "chosen",
  do: "done",
  draw: "drawn",
  find: "found",
  freeze: "frozen",
  give: "given",
  hold: "held",
  keep: "kept",
  lose: "lost",
  make: "made",
  pay: "paid",
  run: "run",
  sell: "sold",
  send: "sent",
  set: "set",
  show: "shown",
  spend: "spent",
  take: "taken",
  withdraw: "withdrawn",
  write: "written",
  win: "won",
};

/** The last word of a kebab-case segment: `top-up-completed` → `completed`. */
export function lastWord(segment: string): string {
  return segment.split("-").pop() ?? segment;
}

export function isPastTense(word: string): boolean {
  return (word.endsWith("ed") && word.length > 3) || irregularPast.has(word);
}

/** A past-tense form to propose for a verb: `create` → `created`, `pay` → `paid`, `apply` → `applied`. */
export function pastTenseOf(word: string): string {
  const irregular = irregularFromBase[word];
  if (irregular) return irregular;
  if (word.endsWith("e")) return `${word}d`;
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ied`;
  if (/^[a-z]*[^aeiou][aeiou][bdgmnpt]$/.test(word) && word.length <= 4) return `${word}${word.at(-1)}ed`;
  return `${word}ed`;
}

/** `PaymentReceived` from `payment_received`, `paymentReceived` or `payment-received`. */
export function toPascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join("");
}

/** `payment-received` from `PaymentReceived`, `payment_received` or `PAYMENT_RECEIVED`. */
export function toKebabCase(segment: string): string {
  return segment
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .toLowerCase();
}
