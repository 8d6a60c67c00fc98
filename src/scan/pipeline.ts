/**
 * The one scan pipeline shared by the CLI and the workers: an opened image source → inventory
 * (layers read once or served from the layer cache) → findings of every detector.
 *
 * With a cache, an unchanged image is answered from the result cache before any layer, analyzer
 * engine or detector module is touched; only the live steps run again: vulnerability matching
 * (the advisory database moves on its own) and the signature check (an image can be signed later).
 */
import type { ScanProgress } from '../analysis/analyze-image.js';
import { defaultAnalyzers } from '../analysis/analyzers/index.js';
import { imageArtifact, readImageHead, type ScanLimits } from '../analysis/image-head.js';
import type { Inventory } from '../analysis/inventory.js';
import type { LayerCache } from '../analysis/layer-cache.js';
import type { Analyzer } from '../analysis/types.js';
import type { DetectOptions } from '../detect/run-detectors.js';
import type { ImageSource } from '../image/types.js';
import type { Findings } from '../report/model.js';
import { createHash } from 'node:crypto';
import { ResultCache, resultKey, type CachedResult } from './result-cache.js';

export interface PipelineOptions {
  /** Layer cache; its directory also holds the whole-result cache. null: read everything. */
  cache: LayerCache | null;
  limits: ScanLimits;
  platform: string;
  detect: DetectOptions;
  analyzers?: Analyzer[];
  progress?: ScanProgress;
  onWarning?: (message: string) => void;
}

export interface ScanOutcome {
  inventory: Inventory;
  findings: Findings;
  /** True when the inventory and non-vulnerability findings came from the result cache. */
  cached?: boolean;
}

export async function scanSource(source: ImageSource, opts: PipelineOptions): Promise<ScanOutcome> {
  const analyzers = opts.analyzers ?? defaultAnalyzers();
  const head = await readImageHead(source, opts.limits);
  const results = opts.cache ? new ResultCache(opts.cache.dir) : null;
  const key = results ? resultKey({ head, analyzers, detect: { lang: opts.detect.lang ?? 'en', sensitiveRules: opts.detect.sensitiveRules?.hash } }) : '';
  const hit = results ? await results.get(key) : undefined;
  let stored: CachedResult;
  if (hit) {
    // The same content under another reference or source type: describe it as given this time.
    stored = { ...hit, inventory: { ...hit.inventory, artifact: imageArtifact(source, head, opts.platform) } };
    for (const w of hit.detectorWarnings) opts.detect.onWarning?.(w);
  } else {
    const { analyzeImage } = await import('../analysis/analyze-image.js');
    const inventory = await analyzeImage(source, {
      analyzers,
      cache: opts.cache,
      limits: opts.limits,
      platform: opts.platform,
      progress: opts.progress,
      onWarning: opts.onWarning,
      head,
    });
    const { runDetectors } = await import('../detect/run-detectors.js');
    const detectorWarnings: string[] = [];
    const { vulnerabilities: _none, ...findings } = await runDetectors(inventory, {
      ...opts.detect,
      advisories: undefined,
      onWarning: (m) => {
        detectorWarnings.push(m);
        opts.detect.onWarning?.(m);
      },
    });
    stored = { inventory, findings, detectorWarnings };
    if (results && opts.cache) {
      try {
        await results.put(key, stored);
      } catch (err) {
        // A read-only or full cache dir costs the next scan time, not this scan its result.
        opts.onWarning?.(`result cache ${results.dir} not written (${(err as Error).message}); continuing without it`);
      }
      // Only a scan that wrote entries can have taken the directory over its bound.
      try {
        const { pruneIfDue } = await import('./cache-prune.js');
        await pruneIfDue(opts.cache.dir, opts.cache.maxBytes);
      } catch (err) {
        opts.onWarning?.(`cache ${opts.cache.dir} not pruned (${(err as Error).message})`);
      }
    }
  }
  const { inventory } = stored;
  const findings: Findings = { ...stored.findings, buildRisks: [...stored.findings.buildRisks], vulnerabilities: [] };
  if (opts.detect.advisories) {
    const { matchVulnerabilities } = await import('../detect/run-detectors.js');
    findings.vulnerabilities = await matchVulnerabilities(inventory, opts.detect);
  }
  // BCR-021 asks the source (registry referrers / cosign tag), so it runs here rather than in runDetectors.
  const { signatureRisks } = await import('../detect/build/signature-risk.js');
  findings.buildRisks.push(...(await signatureRisks(source, inventory, opts.onWarning)));
  return { inventory, findings, cached: hit !== undefined };
}

/** Names and versions of the analyzers: a stored analysis made by the same set needs no rescan. */
export function analyzerSetFingerprint(analyzers: Analyzer[] = defaultAnalyzers()): string {
  const h = createHash('sha256');
  for (const a of [...analyzers].sort((x, y) => x.name.localeCompare(y.name))) h.update(`${a.name}@${a.version}\n`);
  return h.digest('hex').slice(0, 16);
}
