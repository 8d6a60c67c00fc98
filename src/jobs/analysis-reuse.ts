/**
 * Whether a worker may reuse the stored analysis of a manifest digest, and what it must redo.
 *
 * A stored analysis records the fingerprint it was made with (`manifests.analyzer_set`): one part
 * for the inventory (analyzer names@versions, rule-set hashes included, plus the walker and merge
 * code) and one per detector (a hash of the modules that detector loads, its rule sets among them).
 * - inventory part changed → scan again; the layer caches still serve every analyzer whose
 *   version did not change, so only the affected analyzers read layers;
 * - only detector parts changed → those detectors run again on the stored inventory (it keeps
 *   the merged config files, symlinks, special modes, secrets, config and history they read) and
 *   only their findings are replaced: no layer is read, the image is not even downloaded;
 * - nothing changed → reuse as is.
 * A fingerprint in an older or foreign format (an analyzer-set hash, `upload`) means a scan.
 * BCR-021 (image not signed) is not part of a stored analysis: the scan job keeps it per reference
 * (image-signature.ts), so the signature rule's own module is no part of the build fingerprint.
 */
import { createHash } from 'node:crypto';
import { defaultAnalyzers } from '../analysis/analyzers/index.js';
import { WALKER_VERSION } from '../analysis/layer-cache.js';
import type { Analyzer } from '../analysis/types.js';
import { closureFingerprint, runningCodeRoot } from '../scan/code-fingerprint.js';
import { analyzerSetFingerprint } from '../scan/pipeline.js';
import { loadInventory, replaceDetectorFindings, storedAnalyzerSet } from '../store/analysis-repo.js';
import type { Store } from '../store/open-store.js';

export const DETECTORS = ['sensitive', 'baseline', 'build'] as const;
export type Detector = (typeof DETECTORS)[number];

/** The modules each detector's findings come from (their import closures are hashed). */
const DETECTOR_ENTRIES: Record<Detector, string[]> = {
  sensitive: ['detect/sensitive/detect'],
  baseline: ['detect/baseline/evaluate'],
  build: ['detect/build/evaluate'],
};

export interface AnalysisFingerprints {
  inventory: string;
  detectors: Record<Detector, string>;
}

const FORMAT = 'v2';

/** Fingerprints of the code in `root` (src/ or dist/) with these analyzers. */
export function analysisFingerprints(analyzers: Analyzer[] = defaultAnalyzers(), root = runningCodeRoot()): AnalysisFingerprints {
  const inventory = createHash('sha256').update(`${analyzerSetFingerprint(analyzers)}\0walker ${WALKER_VERSION}\0merge ${closureFingerprint(root, 'analysis/merge')}`).digest('hex').slice(0, 16);
  const detectors = Object.fromEntries(
    DETECTORS.map((d) => [d, createHash('sha256').update(DETECTOR_ENTRIES[d].map((e) => closureFingerprint(root, e)).join('\0')).digest('hex').slice(0, 16)]),
  ) as Record<Detector, string>;
  return { inventory, detectors };
}

let memo: string | undefined;

/** The stored form of the running code's fingerprints (computed once per process). */
export function currentAnalysisFingerprint(): string {
  return (memo ??= encodeFingerprints(analysisFingerprints()));
}

export function encodeFingerprints(f: AnalysisFingerprints): string {
  return [FORMAT, `inventory=${f.inventory}`, ...DETECTORS.map((d) => `${d}=${f.detectors[d]}`)].join(' ');
}

export function decodeFingerprints(text: string): AnalysisFingerprints | undefined {
  const [format, ...parts] = text.split(' ');
  if (format !== FORMAT) return undefined;
  const fields = new Map(parts.map((p) => p.split('=', 2) as [string, string]));
  const inventory = fields.get('inventory');
  if (!inventory || DETECTORS.some((d) => !fields.get(d))) return undefined;
  return { inventory, detectors: Object.fromEntries(DETECTORS.map((d) => [d, fields.get(d)!])) as Record<Detector, string> };
}

export type ReusePlan = { action: 'scan' } | { action: 'reuse' } | { action: 'redetect'; detectors: Detector[] };

export function planReuse(stored: string | undefined, current: string): ReusePlan {
  const was = stored === undefined ? undefined : decodeFingerprints(stored);
  const now = decodeFingerprints(current);
  if (!was || !now || was.inventory !== now.inventory) return { action: 'scan' };
  const detectors = DETECTORS.filter((d) => was.detectors[d] !== now.detectors[d]);
  return detectors.length === 0 ? { action: 'reuse' } : { action: 'redetect', detectors };
}

export interface ReuseOptions {
  /** Defaults to the running code's fingerprint. */
  current?: string;
  log?: (line: string) => void;
}

/**
 * Brings the stored analysis of `digest` up to date without reading layers when that is enough.
 * 'scan': it cannot (nothing stored, or the inventory itself is out of date); the caller scans.
 */
export async function reuseStoredAnalysis(store: Store, digest: string, opts: ReuseOptions): Promise<'reused' | 'redetected' | 'scan'> {
  const current = opts.current ?? currentAnalysisFingerprint();
  const plan = planReuse(await storedAnalyzerSet(store, digest), current);
  if (plan.action === 'scan') return 'scan';
  if (plan.action === 'reuse') return 'reused';
  const inventory = await loadInventory(store, digest);
  if (!inventory) return 'scan';
  const warn = (m: string) => opts.log?.(`warning: ${digest}: ${m}`);
  // Loaded only here: a plain reuse never needs the detectors.
  const findings: Parameters<typeof replaceDetectorFindings>[2] = {};
  if (plan.detectors.includes('sensitive')) {
    const { detectSensitive } = await import('../detect/sensitive/detect.js');
    findings.sensitive = detectSensitive(inventory, { lang: 'en' });
  }
  if (plan.detectors.includes('baseline')) {
    const { baselineToReport, evaluateBaseline } = await import('../detect/baseline/evaluate.js');
    const result = evaluateBaseline(inventory);
    for (const w of result.warnings) warn(w);
    findings.baseline = baselineToReport(result);
  }
  if (plan.detectors.includes('build')) {
    const { buildRisksToReport, evaluateBuildRisks } = await import('../detect/build/evaluate.js');
    findings.buildRisks = buildRisksToReport(evaluateBuildRisks(inventory));
  }
  if (!(await replaceDetectorFindings(store, inventory, findings, current))) return 'scan';
  opts.log?.(`${digest}: ${plan.detectors.join(', ')} findings re-evaluated from the stored inventory`);
  return 'redetected';
}
