import { diagnostic, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { Code, ParamsOf } from "../diagnostics/registry.js";
import type { Span } from "../diagnostics/source.js";
import { didYouMean } from "../diagnostics/suggest.js";
import type { ProjectConfig } from "../config/config.js";
import type { BusModel } from "../model/bus.js";
import type * as ast from "../syntax/ast.js";
import { rules, rulesById } from "./rules/index.js";

/** An `@allow("rule", "reason")` and the node it covers. */
interface Allow {
  readonly rule: string;
  readonly covers: Span;
  readonly annotation: ast.Annotation;
  used: boolean;
}

function annotatedNodes(file: ast.EvtFile): ast.Documented[] {
  const nodes: Array<ast.Documented & ast.Node> = [];
  for (const decl of file.declarations) {
    nodes.push(decl);
    if (decl.kind === "event" || decl.kind === "record") nodes.push(...decl.fields);
    if (decl.kind === "enum") nodes.push(...decl.members);
  }
  return nodes;
}

function collectAllows(files: readonly ast.EvtFile[], diagnostics: Diagnostic[]): Allow[] {
  const allows: Allow[] = [];
  for (const file of files) {
    for (const node of annotatedNodes(file) as Array<ast.Documented & ast.Node>) {
      for (const annotation of node.annotations) {
        if (annotation.name.text !== "allow") continue;
        const [ruleArg, reasonArg] = annotation.args;
        if (!ruleArg || ruleArg.kind !== "string") {
          diagnostics.push(
            diagnostic(
              "EVT0105",
              {
                expected: "a rule id in quotes",
                found: ruleArg ? `\`${ruleArg.text}\`` : "nothing",
              },
              {
                span: ruleArg?.span ?? annotation.span,
                help: '`@allow("not-an-event/single-consumer", "the reason")`',
              },
            ),
          );
          continue;
        }
        const rule = ruleArg.value;
        if (!rulesById.has(rule)) {
          diagnostics.push(
            diagnostic(
              "EVT0011",
              { rule },
              { span: ruleArg.span, help: didYouMean(rule, rulesById.keys()) ?? "`evtc rules` lists the rules" },
            ),
          );
          continue;
        }
        if (!reasonArg || reasonArg.kind !== "string" || reasonArg.value.trim() === "") {
          diagnostics.push(
            diagnostic(
              "EVT0012",
              { rule },
              { span: annotation.span, help: `\`@allow("${rule}", "why this is fine here")\`` },
            ),
          );
          continue;
        }
        allows.push({ rule, covers: node.span, annotation, used: false });
      }
    }
  }
  return allows;
}

function covers(outer: Span, inner: Span): boolean {
  return outer.file === inner.file && outer.start <= inner.start && inner.start < Math.max(outer.end, outer.start + 1);
}

/**
 * Runs the governance rules over a model that resolved without errors, at the levels the project configured,
 * honouring `@allow` suppressions (and reporting those that suppress nothing).
 */
export function lint(model: BusModel, files: readonly ast.EvtFile[], config: ProjectConfig): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const allows = collectAllows(files, diagnostics);
  for (const rule of rules) {
    const level = config.ruleLevels.get(rule.id) ?? rule.defaultSeverity;
    if (level === "off") {
      for (const allow of allows) if (allow.rule === rule.id) allow.used = true;
      continue;
    }
    rule.check(
      model,
      (at, params, details = {}) => {
        const allow = allows.find((a) => a.rule === rule.id && covers(a.covers, at));
        if (allow) {
          allow.used = true;
          return;
        }
        const found = diagnostic(rule.code, params as ParamsOf<Code>, { ...details, span: at });
        diagnostics.push({ ...found, severity: level });
      },
      { load: config.load },
    );
  }
  for (const allow of allows) {
    if (!allow.used) diagnostics.push(diagnostic("EVT0013", { rule: allow.rule }, { span: allow.annotation.span }));
  }
  return diagnostics;
}
