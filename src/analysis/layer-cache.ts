/**
 * On-disk cache of layer facts, one file per (diffID, analyzer, analyzer version). Keying per
 * analyzer means a rule edit in one analyzer re-analyses only that analyzer's facts; layers whose
 * every analyzer is cached are not even downloaded. Writes are atomic (temp file + rename), and a
 * corrupt or unreadable entry is simply a miss.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Analyzer, AnalyzerLayerResult } from './types.js';

/** Bump when the walker's own behaviour changes (path normalisation, what counts as touched). */
const WALKER_VERSION = '2';

export function defaultCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && xdg !== '' ? xdg : join(homedir(), '.cache'), 'tarsier');
}

/**
 * Which layer: its diffID, and the digest of the blob as stored. Keying by the pair, not the diffID
 * alone, means an image cannot claim another layer's diffID to have that layer's cached facts
 * stand in for a blob that is never read: a different blob is a miss, gets read, and fails its
 * diffID check. (A plain string is a diffID alone, for callers without a blob.)
 */
export type LayerKey = string | { diffId: string; digest: string };

export class LayerCache {
  constructor(readonly dir: string) {}

  private file(layerKey: LayerKey, analyzer: Analyzer): string {
    const diffId = typeof layerKey === 'string' ? layerKey : layerKey.diffId;
    const blob = typeof layerKey === 'string' ? '' : layerKey.digest;
    const key = createHash('sha256').update(`${WALKER_VERSION}\0${analyzer.name}\0${analyzer.version}\0${blob}`).digest('hex').slice(0, 24);
    const layer = diffId.replace(':', '-');
    return join(this.dir, 'layers', layer, `${analyzer.name.replace(/[^a-zA-Z0-9_.-]/g, '_')}-${key}.json`);
  }

  async get(diffId: LayerKey, analyzer: Analyzer): Promise<AnalyzerLayerResult | undefined> {
    try {
      const parsed = JSON.parse(await readFile(this.file(diffId, analyzer), 'utf8')) as AnalyzerLayerResult;
      return Array.isArray(parsed.facts) && Array.isArray(parsed.touched) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  async put(diffId: LayerKey, analyzer: Analyzer, result: AnalyzerLayerResult): Promise<void> {
    const file = this.file(diffId, analyzer);
    await mkdir(join(file, '..'), { recursive: true });
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(tmp, JSON.stringify(result));
    await rename(tmp, file);
  }
}
