/**
 * The one scan pipeline shared by the CLI and the workers: an opened image source → inventory
 * (layers read once or served from the layer cache) → findings of every detector.
 */
import { analyzeImage, type ScanLimits, type ScanProgress } from '../analysis/analyze-image.js';
import { defaultAnalyzers } from '../analysis/analyzers/index.js';
import type { Inventory } from '../analysis/inventory.js';
import type { LayerCache } from '../analysis/layer-cache.js';
import type { Analyzer } from '../analysis/types.js';
import { runDetectors, type DetectOptions } from '../detect/run-detectors.js';
import type { ImageSource } from '../image/types.js';
import type { Findings } from '../report/model.js';
import { createHash } from 'node:crypto';

export interface PipelineOptions {
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
}

export async function scanSource(source: ImageSource, opts: PipelineOptions): Promise<ScanOutcome> {
  const inventory = await analyzeImage(source, {
    analyzers: opts.analyzers ?? defaultAnalyzers(),
    cache: opts.cache,
    limits: opts.limits,
    platform: opts.platform,
    progress: opts.progress,
    onWarning: opts.onWarning,
  });
  const findings = await runDetectors(inventory, opts.detect);
  return { inventory, findings };
}

/** Names and versions of the analyzers: a stored analysis made by the same set needs no rescan. */
export function analyzerSetFingerprint(analyzers: Analyzer[] = defaultAnalyzers()): string {
  const h = createHash('sha256');
  for (const a of [...analyzers].sort((x, y) => x.name.localeCompare(y.name))) h.update(`${a.name}@${a.version}\n`);
  return h.digest('hex').slice(0, 16);
}
