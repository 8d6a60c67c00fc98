/** Public surface of the build-command risk detector. */
export { evaluateBuildRisks, buildRisksToReport } from './evaluate.js';
export { BUILD_RULES, buildRuleById } from './catalog.js';
export { buildSteps, parseCreatedBy, baseImageBoundary, type BuildStep } from './history.js';
export type { BuildRiskFinding, BuildRiskResult, BuildRiskOptions } from './types.js';
