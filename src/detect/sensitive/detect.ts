/**
 * Turns the inventory's sensitive facts (every layer) and the image config's secrets into report
 * entries with names, descriptions and advice in the requested language. Only masked values ever
 * reach this point.
 */
import type { Inventory } from '../../analysis/inventory.js';
import type { ReportSensitive } from '../../report/model.js';
import { describeSensitive, type Lang } from './catalog.js';
import { scanImageConfig, type ConfigFinding } from './config-scan.js';
import type { CompiledRuleSet } from './ruleset.js';
import { severityRank } from './resolve.js';

export interface SensitiveReportOptions {
  lang?: Lang;
  /** Also scan ENV, labels and history of the image config. Default true. */
  includeConfig?: boolean;
  /** Rule set for the config scan (custom rules apply there too) and names of its custom keys; default: built-in rules. */
  rules?: CompiledRuleSet;
}

export function detectSensitive(inv: Inventory, opts: SensitiveReportOptions = {}): ReportSensitive[] {
  const lang = opts.lang ?? 'en';
  const entry = (key: string, detail: string | undefined) => {
    const d = describeSensitive(key, lang, opts.rules?.customKeys);
    return { name: d.name, description: detail ? `${d.description} (${detail})` : d.description, advice: d.advice };
  };
  const out: ReportSensitive[] = inv.sensitive.map((s) => ({
    key: s.key,
    ...pickName(entry(s.key, s.detail)),
    severity: s.severity,
    path: s.path,
    layerDigest: s.layerDigest,
    md5: s.md5,
    masked: s.masked,
    ...(s.line !== undefined ? { line: s.line } : {}),
    visible: s.visible,
  }));
  if (opts.includeConfig ?? true) {
    const seen = new Set<string>();
    for (const f of scanImageConfig(inv.config, opts.rules)) {
      // An ENV line also appears in the history line that set it: report it once.
      const id = `${f.key}\0${f.masked}`;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push({ key: f.key, ...pickName(entry(f.key, f.detail)), severity: f.severity, path: f.path, layerDigest: layerOf(inv, f), md5: f.md5, masked: f.masked, line: f.line });
    }
  }
  return out.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.path.localeCompare(b.path) || a.key.localeCompare(b.key) || (a.line ?? 0) - (b.line ?? 0));
}

function pickName(e: { name: string; description: string; advice: string }) {
  return { name: e.name, description: e.description, advice: e.advice };
}

/** The layer a history line created, or the config digest for ENV/labels and empty layers. */
function layerOf(inv: Inventory, f: ConfigFinding): string {
  if (f.historyIndex === undefined) return inv.artifact.configDigest;
  const history = inv.config.history ?? [];
  if (history[f.historyIndex]?.empty_layer) return inv.artifact.configDigest;
  const layerIndex = history.slice(0, f.historyIndex).filter((h) => !h.empty_layer).length;
  return inv.artifact.layers[layerIndex]?.digest ?? inv.artifact.configDigest;
}
