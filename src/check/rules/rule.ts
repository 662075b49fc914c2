import type { DiagnosticDetails } from "../../diagnostics/diagnostic.js";
import type { Code, ParamsOf, Severity } from "../../diagnostics/registry.js";
import type { Span } from "../../diagnostics/source.js";
import type { BusModel } from "../../model/bus.js";
import type { LoadSettings } from "../../load/analysis.js";

/** What a rule may read besides the model: the project's settings. */
export interface RuleContext {
  readonly load: LoadSettings;
}

export type Finding<C extends Code> = (
  at: Span,
  params: ParamsOf<C>,
  details?: Omit<DiagnosticDetails, "span" | "path">,
) => void;

/**
 * A governance rule: a stable id, one sentence of purpose, a default severity, and a check over the model.
 * Each rule owns one diagnostic code; its severity comes from the project configuration.
 */
export interface RuleDefinition<C extends Code> {
  /** `<category>/<name>`, stable: configuration and `@allow` refer to it. */
  readonly id: string;
  readonly code: C;
  /** One sentence, starting with "Checks that". */
  readonly purpose: string;
  readonly defaultSeverity: Severity;
  readonly check: (model: BusModel, report: Finding<C>, context: RuleContext) => void;
}

/** A rule with its code's type erased, so rules of different codes can share one list. */
export interface Rule {
  readonly id: string;
  readonly code: Code;
  readonly purpose: string;
  readonly defaultSeverity: Severity;
  readonly check: (model: BusModel, report: Finding<Code>, context: RuleContext) => void;
}

export function defineRule<C extends Code>(rule: RuleDefinition<C>): Rule {
  return rule as unknown as Rule;
}
