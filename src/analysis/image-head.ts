/**
 * What an image says about itself before any layer is read: manifest, verified config, diffIDs,
 * and the cheap size refusals. Kept apart from the layer machinery so that a scan answered from
 * the result cache loads no decompressor, tar parser or analyzer engine.
 */
import { createHash } from 'node:crypto';
import { TarsierError } from '../errors.js';
import type { ImageConfig, ImageSource, ResolvedManifest } from '../image/types.js';
import type { Inventory, LayerInfo } from './inventory.js';

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

export interface ImageHead {
  manifest: ResolvedManifest;
  /** `sha256:` of the config bytes as read (checked against the manifest). */
  configDigest: string;
  config: ImageConfig;
  /** One per manifest layer, each a well-formed `sha256:` digest. */
  diffIds: string[];
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

/** Reads and checks the manifest and config; refuses what the stored sizes already show is too big. */
export async function readImageHead(source: ImageSource, limits: ScanLimits): Promise<ImageHead> {
  const where = source.ref;
  const manifest = await source.manifest();
  const configBytes = await source.configBytes();
  const configDigest = `sha256:${createHash('sha256').update(configBytes).digest('hex')}`;
  if (manifest.config.digest.startsWith('sha256:') && configDigest !== manifest.config.digest) {
    throw new TarsierError('digest_mismatch', `${where}: config does not match its digest ${manifest.config.digest}`);
  }
  const config = parseConfig(configBytes, where);
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (!Array.isArray(diffIds) || diffIds.length !== manifest.layers.length) {
    throw new TarsierError('input', `${where}: manifest has ${manifest.layers.length} layers but the config lists ${Array.isArray(diffIds) ? diffIds.length : 0} diffIDs`);
  }
  for (const [i, d] of diffIds.entries()) {
    if (typeof d !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(d)) throw new TarsierError('input', `${where}: invalid diffID ${JSON.stringify(d).slice(0, 80)} for layer ${i + 1}`);
  }
  // Cheap early refusals: stored sizes are lower bounds of uncompressed sizes for real layers.
  const storedTotal = manifest.layers.reduce((s, l) => s + l.size, 0);
  if (storedTotal > limits.maxImageBytes) throw new TarsierError('image_oversized', `${where}: ${storedTotal} compressed bytes, over the ${limits.maxImageBytes}-byte image limit`);
  for (const [i, l] of manifest.layers.entries()) {
    if (l.size > limits.maxLayerBytes) throw new TarsierError('layer_oversized', `${where}: layer ${i + 1} is ${l.size} bytes compressed, over the ${limits.maxLayerBytes}-byte layer limit`);
  }
  return { manifest, configDigest, config, diffIds };
}

/** Maps each layer to the history line that created it (history has extra empty_layer lines). */
function layerCommands(config: ImageConfig, layerCount: number): Array<string | undefined> {
  const made = (config.history ?? []).filter((h) => !h.empty_layer);
  if (made.length !== layerCount) return Array.from({ length: layerCount }, (_, i) => made[i]?.created_by);
  return made.map((h) => h.created_by);
}

export function layerInfos(head: ImageHead): LayerInfo[] {
  const commands = layerCommands(head.config, head.manifest.layers.length);
  return head.manifest.layers.map((desc, i) => ({ digest: desc.digest, diffId: head.diffIds[i] as string, size: desc.size, ...(commands[i] ? { createdBy: commands[i] } : {}) }));
}

/** The inventory's description of the image as this source presents it. */
export function imageArtifact(source: ImageSource, head: ImageHead, fallbackPlatform: string): Inventory['artifact'] {
  const c = head.config;
  const platform = [c.os, c.architecture, c.variant].filter(Boolean).join('/') || fallbackPlatform;
  return { ref: source.ref, type: source.type, digest: head.manifest.digest, configDigest: head.configDigest, size: head.manifest.size, layers: layerInfos(head), platform };
}
