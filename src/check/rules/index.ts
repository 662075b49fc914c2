import type { Rule } from "./rule.js";
import bestEffortNoRetry from "./category/best-effort-no-retry.rule.js";
import orderedChain from "./category/ordered-chain.rule.js";
import orderedNeedsKey from "./category/ordered-needs-key.rule.js";
import orderedSegment from "./category/ordered-segment.rule.js";
import actionPastTense from "./naming/action-past-tense.rule.js";
import ownerDomainPrefix from "./naming/owner-domain-prefix.rule.js";
import topicDomain from "./naming/topic-domain.rule.js";
import topicFormat from "./naming/topic-format.rule.js";
import typeCase from "./naming/type-case.rule.js";
import maxSize from "./not-an-event/max-size.rule.js";
import requestReply from "./not-an-event/request-reply.rule.js";
import singleConsumer from "./not-an-event/single-consumer.rule.js";
import publicContact from "./ownership/public-contact.rule.js";
import backendCapacity from "./load/backend-capacity.rule.js";
import declaredFigures from "./load/declared-figures.rule.js";
import deadline from "./load/deadline.rule.js";
import headroom from "./load/headroom.rule.js";
import partitions from "./load/partitions.rule.js";
import orderedCapacity from "./load/ordered-capacity.rule.js";
import sharedLookup from "./load/shared-lookup.rule.js";
import unorderedCapacity from "./load/unordered-capacity.rule.js";
import ownershipTopicDomain from "./ownership/topic-domain.rule.js";
import patternBacktracking from "./validation/pattern-backtracking.rule.js";

/** Every governance rule, in the order `evtc rules` lists them. */
export const rules: readonly Rule[] = [
  topicFormat,
  topicDomain,
  actionPastTense,
  ownerDomainPrefix,
  typeCase,
  publicContact,
  ownershipTopicDomain,
  singleConsumer,
  requestReply,
  maxSize,
  orderedNeedsKey,
  orderedSegment,
  bestEffortNoRetry,
  orderedChain,
  patternBacktracking,
  backendCapacity,
  sharedLookup,
  partitions,
  orderedCapacity,
  unorderedCapacity,
  deadline,
  headroom,
  declaredFigures,
];

export const rulesById: ReadonlyMap<string, Rule> = new Map(rules.map((rule) => [rule.id, rule]));
