/**
 * The build-command risk detector: reads the image config and history (normalised across
 * builders), plus the files and layers the inventory recorded, and reports each rule hit with the
 * instruction that caused it, as HSS's `build-command-risks` lists them.
 */
import type { Inventory } from '../../analysis/inventory.js';
import { MergedFilesystem } from '../../analysis/merged-fs.js';
import type { ReportBuildRisk } from '../../report/model.js';
import { parsePasswd } from '../baseline/parse/accounts.js';
import { BUILD_RULES } from './catalog.js';
import { buildSteps, type BuildStep } from './history.js';
import { CONFIG_LEVEL, displayInstruction } from './instruction.js';
import { bcr021 } from './rules/signature.js';
import type { BuildContext, BuildRiskFinding, BuildRiskOptions, BuildRiskResult, BuildRule, Hit } from './types.js';

function contextOf(inventory: Inventory, options: BuildRiskOptions): BuildContext {
  const diffIds = inventory.config.rootfs?.diff_ids ?? inventory.artifact.layers.map((l) => l.diffId);
  const steps = buildSteps(inventory.config.history ?? inventory.history ?? [], diffIds);
  const byLayer = new Map<string, BuildStep>();
  for (const s of steps) if (s.layerDiffId) byLayer.set(s.layerDiffId, s);
  const fs = MergedFilesystem.of(inventory);
  const passwd = parsePasswd(fs.read('/etc/passwd') ?? '').entries;
  return {
    inventory,
    steps,
    config: inventory.config.config ?? {},
    fs,
    options,
    stepOfLayer: (diffId) => byLayer.get(diffId) ?? null,
    uidOf(user) {
      if (/^\d+$/.test(user)) return Number(user);
      if (user === 'root') return 0;
      return passwd.find((p) => p.name === user)?.uid ?? null;
    },
  };
}

function findingOf(rule: BuildRule, hit: Hit): BuildRiskFinding {
  const text = hit.instruction ?? hit.step?.text ?? CONFIG_LEVEL;
  return {
    ruleId: rule.id,
    name: rule.name,
    severity: hit.severity ?? rule.severity,
    buildInstruction: text === CONFIG_LEVEL ? CONFIG_LEVEL : displayInstruction(text, hit.fragment),
    remediation: rule.remediation,
    description: rule.description,
    references: rule.references,
    historyIndex: hit.step?.index ?? null,
    layerDiffId: hit.step?.layerDiffId ?? null,
    inherited: hit.step?.inherited ?? false,
    evidence: hit.evidence.slice(0, 50),
  };
}

export function evaluateBuildRisks(inventory: Inventory, options: BuildRiskOptions = {}): BuildRiskResult {
  const ctx = contextOf(inventory, options);
  const findings: BuildRiskFinding[] = [];
  const skipped: BuildRiskResult['skipped'] = [];
  // BCR-021 needs the registry's answer, which the scan pipeline asks for itself (signature-risk.ts).
  if (options.signed === undefined) skipped.push({ ruleId: bcr021.id, reason: 'no registry signature information' });
  for (const rule of BUILD_RULES) {
    // One finding per rule and instruction: several hits on one step merge their evidence.
    const byKey = new Map<string, BuildRiskFinding>();
    let hits: Hit[];
    try {
      hits = rule.evaluate(ctx);
    } catch (err) {
      // A rule bug must not hide the other rules' findings; it is reported, not swallowed.
      skipped.push({ ruleId: rule.id, reason: `could not be evaluated: ${(err as Error).message}` });
      continue;
    }
    for (const hit of hits) {
      const f = findingOf(rule, hit);
      const key = `${f.historyIndex ?? ''}\0${f.buildInstruction}`;
      const prev = byKey.get(key);
      if (prev) prev.evidence = [...new Set([...prev.evidence, ...f.evidence])].slice(0, 50);
      else byKey.set(key, f);
    }
    findings.push(...byKey.values());
  }
  return { findings, skipped };
}

/** The JSON report's `buildRisks` items. */
export function buildRisksToReport(result: BuildRiskResult): ReportBuildRisk[] {
  return result.findings.map((f) => ({
    ruleId: f.ruleId,
    name: f.name,
    severity: f.severity,
    buildInstruction: f.buildInstruction,
    remediation: f.remediation,
    ...(f.layerDiffId ? { layerDiffId: f.layerDiffId } : {}),
  }));
}
