/**
 * On-disk cache of layer facts, one file per (diffID, analyzer, analyzer version). Keying per
 * analyzer means a rule edit in one analyzer re-analyses only that analyzer's facts; layers whose
 * every analyzer is cached are not even downloaded. Writes are atomic (temp file + rename), and a
 * corrupt or unreadable entry is simply a miss.
 *
 * The directory is bounded (`maxBytes`, scan/cache-prune.ts): a hit marks its file used (mtime),
 * and the least recently used entries go first. An entry pruned while another process reads it
 * is a miss there, never a partial read: files are only ever replaced whole or unlinked.
 */
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseSize } from '../cli/options.js';
import { TarsierError } from '../errors.js';
import { readEntry, writeEntry } from './cache-entry.js';
import type { Analyzer, AnalyzerLayerResult } from './types.js';

/** Bump when the walker's own behaviour changes (path normalisation, what counts as touched). */
export const WALKER_VERSION = '2';

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

/** Default bound of a cache directory (layer facts and whole results together). */
export const DEFAULT_CACHE_MAX_BYTES = 2 * 2 ** 30;
export const CACHE_MAX_SIZE_ENV = 'TARSIER_CACHE_MAX_SIZE';

/** A cache size as given by a person: `512MiB`, `2GiB`, or `unlimited` (never pruned). */
export function parseCacheMaxSize(what: string, text: string): number {
  return text.trim().toLowerCase() === 'unlimited' ? Infinity : parseSize(what, text);
}

/** The bound in force: the flag, else TARSIER_CACHE_MAX_SIZE, else {@link DEFAULT_CACHE_MAX_BYTES}. */
export function cacheMaxBytes(flag?: string, env: NodeJS.ProcessEnv = process.env): number {
  if (flag !== undefined) return parseCacheMaxSize('--cache-max-size', flag);
  const fromEnv = env[CACHE_MAX_SIZE_ENV];
  if (fromEnv === undefined || fromEnv.trim() === '') return DEFAULT_CACHE_MAX_BYTES;
  try {
    return parseCacheMaxSize(CACHE_MAX_SIZE_ENV, fromEnv);
  } catch (err) {
    throw new TarsierError('usage', (err as Error).message);
  }
}

export interface LayerCacheOptions {
  /** Bound of the directory in bytes (Infinity: never pruned); default {@link cacheMaxBytes}(). */
  maxBytes?: number;
}

/** A whole entry: anything else (`null`, a truncated write, garbage) is a miss. */
export function isLayerResult(v: unknown): v is AnalyzerLayerResult {
  const r = v as Partial<AnalyzerLayerResult> | null;
  return typeof r === 'object' && r !== null && Array.isArray(r.facts) && Array.isArray(r.touched);
}

export class LayerCache {
  readonly maxBytes: number;

  constructor(
    readonly dir: string,
    options: LayerCacheOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? cacheMaxBytes();
  }

  private file(layerKey: LayerKey, analyzer: Analyzer): string {
    const diffId = typeof layerKey === 'string' ? layerKey : layerKey.diffId;
    const blob = typeof layerKey === 'string' ? '' : layerKey.digest;
    const key = createHash('sha256').update(`${WALKER_VERSION}\0${analyzer.name}\0${analyzer.version}\0${blob}`).digest('hex').slice(0, 24);
    const layer = diffId.replace(':', '-');
    return join(this.dir, 'layers', layer, `${analyzer.name.replace(/[^a-zA-Z0-9_.-]/g, '_')}-${key}.json`);
  }

  async get(diffId: LayerKey, analyzer: Analyzer): Promise<AnalyzerLayerResult | undefined> {
    return readEntry(this.file(diffId, analyzer), isLayerResult);
  }

  async put(diffId: LayerKey, analyzer: Analyzer, result: AnalyzerLayerResult): Promise<void> {
    await writeEntry(this.file(diffId, analyzer), JSON.stringify(result));
  }
}
