/** Runs every detector over an inventory and returns the report's finding lists. */
import type { Inventory } from '../analysis/inventory.js';
import { emptyFindings, type Findings, type ReportVulnerability } from '../report/model.js';
import { baselineToReport, evaluateBaseline } from './baseline/evaluate.js';
import { buildRisksToReport, evaluateBuildRisks } from './build/evaluate.js';
import type { Lang } from './sensitive/catalog.js';
import { detectSensitive } from './sensitive/detect.js';
import type { CompiledRuleSet } from './sensitive/ruleset.js';
import type { AdvisoryIndex } from './vulns/match.js';

export interface DetectOptions {
  ignoreUnfixed: boolean;
  /**
   * Gives the advisory index for this inventory (from the store). Absent: vulnerabilities are not
   * matched and the caller says so; it is never a silent "0 vulnerabilities".
   */
  advisories?: (inventory: Inventory) => Promise<AdvisoryIndex>;
  /** Language of sensitive-rule names and advice. */
  lang?: Lang;
  /** The user's sensitive rule set (custom rules, whitelist, ignore file) for the image-config scan; default built-in. */
  sensitiveRules?: CompiledRuleSet;
  /** Told about anything that limits the findings (unknown OS, empty advisory database …). */
  onWarning?: (message: string) => void;
}

export async function runDetectors(inventory: Inventory, opts: DetectOptions): Promise<Findings> {
  const findings = emptyFindings();
  const warn = (m: string) => opts.onWarning?.(m);
  findings.sensitive = detectSensitive(inventory, { lang: opts.lang ?? 'en', rules: opts.sensitiveRules });
  const baseline = evaluateBaseline(inventory);
  findings.baseline = baselineToReport(baseline);
  for (const w of baseline.warnings) warn(w);
  findings.buildRisks = buildRisksToReport(evaluateBuildRisks(inventory));
  findings.vulnerabilities = await matchVulnerabilities(inventory, opts);
  return findings;
}

/**
 * The vulnerability step alone: it always runs against the current advisory database, also for a
 * scan whose other findings came from the result cache. The matcher loads only when there is one.
 */
export async function matchVulnerabilities(inventory: Inventory, opts: DetectOptions): Promise<ReportVulnerability[]> {
  if (!opts.advisories) return [];
  const index = await opts.advisories(inventory);
  const { matchInventory } = await import('./vulns/match.js');
  const matched = matchInventory(inventory, index, { ignoreUnfixed: opts.ignoreUnfixed });
  for (const w of matched.warnings) opts.onWarning?.(w);
  return matched.vulnerabilities;
}
