/**
 * The baseline detector: picks the rule pack for the image's OS, evaluates every rule under each
 * requested standard, and summarises per (check name, check type, standard) the way HSS's
 * `image/baseline/risk-configs` reports it.
 */
import type { Inventory } from '../../analysis/inventory.js';
import { MergedFilesystem } from '../../analysis/merged-fs.js';
import type { ReportBaseline, ReportBaselineRule } from '../../report/model.js';
import { BASELINE_RULES } from './catalog.js';
import { imageFacts } from './image-facts.js';
import { type DistroProfile, profileFor } from './profile.js';
import { THRESHOLDS, type Thresholds } from './thresholds.js';
import {
  type BaselineResult,
  type BaselineRule,
  type BaselineRuleResult,
  type BaselineSummary,
  type CheckType,
  type RuleContext,
  type RuleSeverity,
  STANDARDS,
  type Standard,
  type SummarySeverity,
  type Verdict,
} from './types.js';

export interface BaselineOptions {
  /** Standards to evaluate; both by default. */
  standard?: Standard | readonly Standard[];
  /** Per-standard threshold overrides (every threshold is a parameter). */
  thresholds?: Partial<Record<Standard, Partial<Thresholds>>>;
  /** Reference date when the image config has no `created` time. */
  now?: Date;
  /** Restrict to these rule ids (for focused evaluation and tests). */
  ruleIds?: readonly string[];
}

const SEVERITY_ORDER: RuleSeverity[] = ['low', 'medium', 'high'];

const CHECK_TYPES: CheckType[] = ['system', 'ssh'];

const STANDARD_NAMES: Record<Standard, string> = {
  cn_standard: 'the DJCP MLPS compliance standard (GB/T 22239-2019 level 3)',
  hw_standard: 'the cloud security practice standard (openEuler security configuration benchmark values)',
};

function checkTypeDesc(checkName: string, type: CheckType, standard: Standard): string {
  const scope =
    type === 'ssh'
      ? `OpenSSH server configuration of ${checkName} images (sshd_config with first-match semantics, Match blocks, Include and compiled defaults; host keys)`
      : `System configuration of ${checkName} images: password policy and PAM, accounts, file permissions, session settings, kernel parameters, logging, audit, scheduled jobs and legacy services`;
  const absent =
    type === 'ssh'
      ? 'Not applicable when openssh-server is not installed.'
      : standard === 'cn_standard'
        ? 'Logging and audit capabilities missing from the image count as failed (MLPS 8.1.4.3 requires audit records); cron checks are not applicable without cron.'
        : 'Logging, audit and cron checks are not applicable when the image does not install them.';
  return `${scope}, checked against ${STANDARD_NAMES[standard]} from the image files alone. ${absent}`;
}

function runRule(rule: BaselineRule, ctx: RuleContext, warnings: string[]): Verdict {
  if (rule.appliesTo && !rule.appliesTo(ctx.profile)) return { status: 'not_applicable', evidence: [], reason: `not used on ${ctx.profile.checkName}` };
  try {
    return rule.evaluate(ctx);
  } catch (err) {
    warnings.push(`baseline ${rule.id}: ${(err as Error).message}`);
    return { status: 'not_applicable', evidence: [], reason: `could not be evaluated: ${(err as Error).message}` };
  }
}

function resultOf(rule: BaselineRule, v: Verdict): BaselineRuleResult {
  return {
    id: rule.id,
    title: rule.title,
    checkType: rule.checkType,
    severity: v.severity ?? rule.severity,
    status: v.status,
    evidence: v.evidence,
    ...(v.reason ? { reason: v.reason } : {}),
    description: rule.description,
    audit: rule.audit,
    remediation: rule.remediation,
    references: rule.references,
    standards: rule.standards,
  };
}

function summarise(checkName: string, checkType: CheckType, standard: Standard, rules: BaselineRuleResult[]): BaselineSummary {
  const applicable = rules.filter((r) => r.status !== 'not_applicable');
  const failedRules = applicable.filter((r) => r.status === 'failed');
  let severity: SummarySeverity = 'security';
  for (const r of failedRules) if (severity === 'security' || SEVERITY_ORDER.indexOf(r.severity) > SEVERITY_ORDER.indexOf(severity)) severity = r.severity;
  return {
    checkName,
    standard,
    checkType,
    checkTypeDesc: checkTypeDesc(checkName, checkType, standard),
    checkRuleNum: applicable.length,
    failedRuleNum: failedRules.length,
    severity,
    rules,
  };
}

export function evaluateBaseline(inventory: Inventory, opts: BaselineOptions = {}): BaselineResult {
  const profile: DistroProfile | null = profileFor(inventory.os, inventory.packages);
  if (!profile) return { checkName: null, summaries: [], warnings: [] };
  const standards = opts.standard === undefined ? STANDARDS : typeof opts.standard === 'string' ? [opts.standard] : opts.standard;
  const fs = MergedFilesystem.of(inventory);
  const facts = imageFacts(inventory, fs, profile, opts.now);
  const warnings: string[] = [];
  const rules = opts.ruleIds ? BASELINE_RULES.filter((r) => opts.ruleIds?.includes(r.id)) : BASELINE_RULES;
  const summaries: BaselineSummary[] = [];
  for (const standard of standards) {
    const ctx: RuleContext = { fs, inventory, profile, standard, thresholds: { ...THRESHOLDS[standard], ...opts.thresholds?.[standard] }, facts };
    const results = rules.filter((r) => r.standards.includes(standard)).map((r) => resultOf(r, runRule(r, ctx, warnings)));
    for (const type of CHECK_TYPES) {
      const ofType = results.filter((r) => r.checkType === type);
      if (ofType.length > 0) summaries.push(summarise(profile.checkName, type, standard, ofType));
    }
  }
  return { checkName: profile.checkName, summaries, warnings };
}

/** HSS spelling of a summary severity. */
export function hssSeverity(s: SummarySeverity): 'Security' | 'Low' | 'Medium' | 'High' {
  return s === 'security' ? 'Security' : s === 'low' ? 'Low' : s === 'medium' ? 'Medium' : 'High';
}

/** The JSON report's `baseline` items: applicable rules only, evidence without nulls. */
export function baselineToReport(result: BaselineResult): ReportBaseline[] {
  return result.summaries.map((s) => ({
    checkName: s.checkName,
    standard: s.standard,
    checkType: s.checkType,
    checkRuleNum: s.checkRuleNum,
    failedRuleNum: s.failedRuleNum,
    severity: s.severity,
    checkTypeDesc: s.checkTypeDesc,
    rules: s.rules
      .filter((r) => r.status !== 'not_applicable')
      .map(
        (r): ReportBaselineRule => ({
          id: r.id,
          title: r.title,
          severity: r.severity,
          status: r.status as 'passed' | 'failed',
          ...(r.evidence.length > 0
            ? {
                evidence: r.evidence.map((e) => ({
                  ...(e.file !== null ? { file: e.file } : {}),
                  ...(e.line !== null ? { line: e.line } : {}),
                  currentValue: e.currentValue,
                  suggestedValue: e.suggestedValue,
                })),
              }
            : {}),
        }),
      ),
  }));
}
