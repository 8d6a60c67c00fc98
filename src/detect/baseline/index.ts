/** Public surface of the baseline (security-configuration) detector. */
export { evaluateBaseline, baselineToReport, hssSeverity, type BaselineOptions } from './evaluate.js';
export { BASELINE_RULES, ruleById } from './catalog.js';
export { THRESHOLDS, type Thresholds } from './thresholds.js';
export { profileFor, type DistroProfile } from './profile.js';
export type { BaselineResult, BaselineSummary, BaselineRuleResult, BaselineEvidence, Standard, CheckType } from './types.js';
