/**
 * The spine: image source → manifest and config → each layer once (or its cached facts) →
 * merged inventory. Layers whose facts are all cached are never downloaded.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { TarsierError } from '../errors.js';
import { uncompressedLayer } from '../image/layer-stream.js';
import type { ImageConfig, ImageSource } from '../image/types.js';
import type { Inventory, LayerInfo } from './inventory.js';
import type { LayerCache } from './layer-cache.js';
import { mergeLayers, type MergeLayer } from './merge.js';
import type { Analyzer, AnalyzerLayerResult } from './types.js';
import { walkLayer } from './walker.js';

export interface ScanLimits {
  /** Uncompressed bytes of the whole image. */
  maxImageBytes: number;
  /** Uncompressed bytes of one layer. */
  maxLayerBytes: number;
  /** Tar entries in one layer. */
  maxEntries: number;
}

export const DEFAULT_LIMITS: ScanLimits = {
  maxImageBytes: 32 * 2 ** 30,
  maxLayerBytes: 16 * 2 ** 30,
  maxEntries: 2_000_000,
};

export interface ScanProgress {
  layerStart(index: number, total: number, desc: { digest: string; size: number }, cached: boolean): void;
  /** Bytes of one layer so far; several layers may be in flight at once (`index` says which). */
  layerBytes(stored: number, uncompressed: number, index: number): void;
  layerDone(index: number): void;
}

export interface AnalyzeOptions {
  analyzers: Analyzer[];
  cache: LayerCache | null;
  limits: ScanLimits;
  platform: string;
  progress?: ScanProgress;
  onWarning?: (message: string) => void;
  /**
   * Layers read at once (default 2). zlib inflates on the thread pool while the main thread walks
   * tar entries, so a second layer in flight keeps both cores busy; memory stays per-layer bounded.
   */
  layerConcurrency?: number;
}

function parseConfig(bytes: Buffer, where: string): ImageConfig {
  try {
    const cfg = JSON.parse(bytes.toString('utf8')) as ImageConfig;
    if (typeof cfg !== 'object' || cfg === null) throw new Error('not an object');
    return cfg;
  } catch (err) {
    throw new TarsierError('input', `${where}: image config is not valid JSON (${(err as Error).message})`);
  }
}

/** Maps each layer to the history line that created it (history has extra empty_layer lines). */
function layerCommands(config: ImageConfig, layerCount: number): Array<string | undefined> {
  const made = (config.history ?? []).filter((h) => !h.empty_layer);
  if (made.length !== layerCount) return Array.from({ length: layerCount }, (_, i) => made[i]?.created_by);
  return made.map((h) => h.created_by);
}

export async function analyzeImage(source: ImageSource, opts: AnalyzeOptions): Promise<Inventory> {
  const where = source.ref;
  const manifest = await source.manifest();
  const configBytes = await source.configBytes();
  const configDigest = `sha256:${createHash('sha256').update(configBytes).digest('hex')}`;
  if (manifest.config.digest.startsWith('sha256:') && configDigest !== manifest.config.digest) {
    throw new TarsierError('digest_mismatch', `${where}: config does not match its digest ${manifest.config.digest}`);
  }
  const config = parseConfig(configBytes, where);
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== manifest.layers.length) {
    throw new TarsierError('input', `${where}: manifest has ${manifest.layers.length} layers but the config lists ${diffIds.length} diffIDs`);
  }
  // Cheap early refusals: stored sizes are lower bounds of uncompressed sizes for real layers.
  const storedTotal = manifest.layers.reduce((s, l) => s + l.size, 0);
  if (storedTotal > opts.limits.maxImageBytes) throw new TarsierError('image_oversized', `${where}: ${storedTotal} compressed bytes, over the ${opts.limits.maxImageBytes}-byte image limit`);
  for (const [i, l] of manifest.layers.entries()) {
    if (l.size > opts.limits.maxLayerBytes) throw new TarsierError('layer_oversized', `${where}: layer ${i + 1} is ${l.size} bytes compressed, over the ${opts.limits.maxLayerBytes}-byte layer limit`);
  }
  const commands = layerCommands(config, manifest.layers.length);
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    opts.onWarning?.(m);
  };

  const image = { bytes: 0 };
  let cacheWritable = true;
  const inFlight = new Set<Readable>();
  let failed = false;

  const analyzeLayer = async (i: number): Promise<MergeLayer> => {
    const desc = manifest.layers[i]!;
    const diffId = diffIds[i] as string;
    if (!/^sha256:[a-f0-9]{64}$/.test(diffId)) throw new TarsierError('input', `${where}: invalid diffID ${JSON.stringify(diffId).slice(0, 80)} for layer ${i + 1}`);
    const info: LayerInfo = { digest: desc.digest, diffId, size: desc.size, ...(commands[i] ? { createdBy: commands[i] } : {}) };
    const byAnalyzer: Record<string, AnalyzerLayerResult> = {};
    const missing: Analyzer[] = [];
    for (const a of opts.analyzers) {
      const hit = opts.cache ? await opts.cache.get({ diffId, digest: desc.digest }, a) : undefined;
      if (hit) byAnalyzer[a.name] = hit;
      else missing.push(a);
    }
    opts.progress?.layerStart(i, manifest.layers.length, desc, missing.length === 0);
    if (missing.length > 0) {
      const layerWhere = `${where} layer ${i + 1} (${desc.digest.slice(0, 19)})`;
      const blob = await source.openBlob(desc);
      if (failed) {
        blob.destroy();
        throw new TarsierError('input', `${layerWhere}: not read, another layer failed`);
      }
      inFlight.add(blob);
      try {
        const stream = uncompressedLayer(blob, {
          desc,
          diffId,
          imageBytesSoFar: 0,
          imageCounter: image,
          maxImageBytes: opts.limits.maxImageBytes,
          maxLayerBytes: opts.limits.maxLayerBytes,
          where: layerWhere,
          storedDigestVerified: source.verifiesBlobs === true,
          onProgress: (s, u) => opts.progress?.layerBytes(s, u, i),
        });
        const fresh = await walkLayer(stream.tar, missing, { diffId, where: layerWhere, limits: { maxEntries: opts.limits.maxEntries }, onWarning: warn });
        // The walker may finish at the end-of-archive marker; drain so digest checks complete.
        await drain(stream.tar);
        for (const a of missing) {
          const result = fresh[a.name] as AnalyzerLayerResult;
          byAnalyzer[a.name] = result;
          if (opts.cache && cacheWritable) {
            try {
              await opts.cache.put({ diffId, digest: desc.digest }, a, result);
            } catch (err) {
              // A read-only or full cache dir costs the next scan time, not this scan its result.
              cacheWritable = false;
              warn(`layer cache ${opts.cache.dir} not written (${(err as Error).message}); continuing without it`);
            }
          }
        }
      } finally {
        inFlight.delete(blob);
      }
    }
    opts.progress?.layerDone(i);
    return { info, byAnalyzer };
  };

  const layers: MergeLayer[] = new Array<MergeLayer>(manifest.layers.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (!failed && next < manifest.layers.length) {
      const i = next++;
      layers[i] = await analyzeLayer(i);
    }
  };
  const lanes = Math.max(1, Math.min(opts.layerConcurrency ?? 2, manifest.layers.length));
  try {
    await Promise.all(Array.from({ length: lanes }, lane));
  } catch (err) {
    // Stop the other layer at once: its blob may be a long download we no longer need.
    failed = true;
    for (const b of inFlight) b.destroy();
    throw err;
  }
  const platform = [config.os, config.architecture, config.variant].filter(Boolean).join('/') || opts.platform;
  return mergeLayers({
    artifact: { ref: source.ref, type: source.type, digest: manifest.digest, configDigest, size: manifest.size, platform },
    layers,
    analyzers: opts.analyzers,
    config,
    warnings,
  });
}

/** Reads a stream to its end and surfaces any error it had, even one raised before we got here. */
async function drain(stream: Readable): Promise<void> {
  stream.resume();
  await finished(stream);
}
