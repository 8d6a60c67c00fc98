/** Shapes of the baseline (security-configuration) detector: rules, results and summaries. */
import type { Inventory } from '../../analysis/inventory.js';
import type { MergedFilesystem } from '../../analysis/merged-fs.js';
import type { DistroProfile } from './profile.js';
import type { ImageFacts } from './image-facts.js';
import type { Thresholds } from './thresholds.js';

export type Standard = 'cn_standard' | 'hw_standard';
export const STANDARDS: readonly Standard[] = ['cn_standard', 'hw_standard'];

/** `system`: accounts, PAM, files, kernel, logging; `ssh`: the OpenSSH server configuration. */
export type CheckType = 'system' | 'ssh';

export type RuleSeverity = 'high' | 'medium' | 'low';
/** Summary severity: the highest failed rule's, or `security` when nothing failed. */
export type SummarySeverity = RuleSeverity | 'security';

/** One piece of evidence for one evaluation: where, what is there, what should be there. */
export interface BaselineEvidence {
  /** Absolute path in the image; null when the verdict comes from an absent file or a compiled default. */
  file: string | null;
  line: number | null;
  currentValue: string;
  suggestedValue: string;
}

export type RuleStatus = 'passed' | 'failed' | 'not_applicable';

export interface Verdict {
  status: RuleStatus;
  evidence: BaselineEvidence[];
  /** Overrides the rule's severity for this evaluation (e.g. `prohibit-password` root login is Low). */
  severity?: RuleSeverity;
  /** Why a rule did not apply. */
  reason?: string;
}

export interface RuleReferences {
  /** GB/T 22239-2019 level-3 clause (cn_standard). */
  cn?: string;
  /** openEuler security configuration benchmark item (hw_standard). */
  hw?: string;
  cis?: string;
  ssg?: string;
  /** Listed among the HSS image-baseline check items. */
  hssImage?: boolean;
}

/** Everything a rule may read while evaluating one image under one standard. */
export interface RuleContext {
  fs: MergedFilesystem;
  inventory: Inventory;
  profile: DistroProfile;
  standard: Standard;
  thresholds: Thresholds;
  facts: ImageFacts;
}

export interface BaselineRule {
  id: string;
  checkType: CheckType;
  title: string;
  severity: RuleSeverity;
  /** Standards under which the rule runs (a check_name × standard pair runs this subset). */
  standards: readonly Standard[];
  references: RuleReferences;
  description: string;
  /** How an auditor verifies the check by hand. */
  audit: string;
  remediation: string;
  /** Distribution applicability; absent = every supported distribution. */
  appliesTo?: (profile: DistroProfile) => boolean;
  evaluate(ctx: RuleContext): Verdict;
}

/** One rule's evaluation with everything the HSS API and the report may show. */
export interface BaselineRuleResult {
  id: string;
  title: string;
  checkType: CheckType;
  /** Effective severity of this evaluation (a rule may lower it, e.g. prohibit-password root login). */
  severity: RuleSeverity;
  status: RuleStatus;
  evidence: BaselineEvidence[];
  /** Why the rule did not apply (status `not_applicable`). */
  reason?: string;
  description: string;
  audit: string;
  remediation: string;
  references: RuleReferences;
  standards: readonly Standard[];
}

/** One (checkName, checkType, standard) evaluation: HSS `risk-configs` row plus its rules. */
export interface BaselineSummary {
  checkName: string;
  standard: Standard;
  checkType: CheckType;
  checkTypeDesc: string;
  /** Applicable rules (not-applicable ones are excluded from both counts). */
  checkRuleNum: number;
  failedRuleNum: number;
  severity: SummarySeverity;
  /** Every rule of the pack for this standard, including not-applicable ones. */
  rules: BaselineRuleResult[];
}

export interface BaselineResult {
  /** The rule pack used, or null when no pack covers the image's OS. */
  checkName: string | null;
  summaries: BaselineSummary[];
  /** Rules that could not be evaluated (bugs or unreadable input), one line each. */
  warnings: string[];
}
