/** Runs every detector over an inventory and returns the report's finding lists. */
import type { Inventory } from '../analysis/inventory.js';
import { emptyFindings, type Findings } from '../report/model.js';
import { baselineToReport, evaluateBaseline } from './baseline/evaluate.js';
import { buildRisksToReport, evaluateBuildRisks } from './build/evaluate.js';
import type { Lang } from './sensitive/catalog.js';
import { detectSensitive } from './sensitive/detect.js';
import { matchInventory, type AdvisoryIndex } from './vulns/match.js';

export interface DetectOptions {
  ignoreUnfixed: boolean;
  /**
   * Gives the advisory index for this inventory (from the store). Absent: vulnerabilities are not
   * matched and the caller says so; it is never a silent "0 vulnerabilities".
   */
  advisories?: (inventory: Inventory) => Promise<AdvisoryIndex>;
  /** Language of sensitive-rule names and advice. */
  lang?: Lang;
  /** Told about anything that limits the findings (unknown OS, empty advisory database …). */
  onWarning?: (message: string) => void;
}

export async function runDetectors(inventory: Inventory, opts: DetectOptions): Promise<Findings> {
  const findings = emptyFindings();
  const warn = (m: string) => opts.onWarning?.(m);
  findings.sensitive = detectSensitive(inventory, { lang: opts.lang ?? 'en' });
  const baseline = evaluateBaseline(inventory);
  findings.baseline = baselineToReport(baseline);
  for (const w of baseline.warnings) warn(w);
  findings.buildRisks = buildRisksToReport(evaluateBuildRisks(inventory));
  if (opts.advisories) {
    const index = await opts.advisories(inventory);
    const matched = matchInventory(inventory, index, { ignoreUnfixed: opts.ignoreUnfixed });
    findings.vulnerabilities = matched.vulnerabilities;
    for (const w of matched.warnings) warn(w);
  }
  return findings;
}
