/**
 * The spine: image source → manifest and config → each layer once (or its cached facts) →
 * merged inventory. Layers whose facts are all cached are never downloaded.
 */
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { TarsierError } from '../errors.js';
import { uncompressedLayer } from '../image/layer-stream.js';
import type { ImageSource } from '../image/types.js';
import { imageArtifact, layerInfos, readImageHead, type ImageHead, type ScanLimits } from './image-head.js';
import type { Inventory } from './inventory.js';
import type { LayerCache } from './layer-cache.js';
import { mergeLayers, type MergeLayer } from './merge.js';
import type { Analyzer, AnalyzerLayerResult } from './types.js';
import { walkLayer } from './walker.js';

export { DEFAULT_LIMITS, type ScanLimits } from './image-head.js';

/**
 * Layers at least this big (stored) are hashed on the worker thread, which frees the main thread
 * that parses tar and runs the analyzers; a small layer is cheaper to hash than to copy across.
 */
const OFF_THREAD_HASH_MIN_BYTES = 1 << 20;

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
  /** Manifest and config already read and checked by the caller (the pipeline reads them first). */
  head?: ImageHead;
}

export async function analyzeImage(source: ImageSource, opts: AnalyzeOptions): Promise<Inventory> {
  const where = source.ref;
  const head = opts.head ?? (await readImageHead(source, opts.limits));
  const { manifest, diffIds } = head;
  const infos = layerInfos(head);
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
    const info = infos[i]!;
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
          offThreadHash: desc.size >= OFF_THREAD_HASH_MIN_BYTES,
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
  // The artifact's layer list is rebuilt by the merge from the same infos.
  return mergeLayers({ artifact: imageArtifact(source, head, opts.platform), layers, analyzers: opts.analyzers, config: head.config, warnings });
}

/** Reads a stream to its end and surfaces any error it had, even one raised before we got here. */
async function drain(stream: Readable): Promise<void> {
  stream.resume();
  await finished(stream);
}
