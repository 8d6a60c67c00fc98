import type { HistoryEntry, ImageConfig, SourceType } from '../image/types.js';
import type { FileContentFact, OsInfo, Package, SensitiveFact } from './types.js';

/** One layer of the image as the report shows it. */
export interface LayerInfo {
  /** Digest of the blob as stored (compressed). */
  digest: string;
  /** sha256 of the uncompressed tar. */
  diffId: string;
  /** Compressed size as stored. */
  size: number;
  /** The history line that made this layer, when the config has one. */
  createdBy?: string;
}

export interface InventoryPackage extends Package {
  /** Diff ID of the layer that introduced this exact package version. */
  layerDiffId: string;
}

export interface InventorySensitive extends SensitiveFact {
  /** Digest of the layer blob holding the file (as stored). */
  layerDigest: string;
  layerDiffId: string;
  /** false when a later layer deleted or replaced the file: still in the image, not visible. */
  visible: boolean;
}

/** A file of the merged filesystem, with its content if an analyzer kept it. */
export interface MergedFile extends FileContentFact {
  layerDiffId: string;
}

/**
 * Everything detectors need, produced once per image. Plain JSON, so it can be stored and
 * re-matched later without reading layers.
 */
export interface Inventory {
  artifact: {
    ref: string;
    type: SourceType;
    digest: string;
    configDigest: string;
    size: number;
    layers: LayerInfo[];
    platform: string;
  };
  os: OsInfo | null;
  packages: InventoryPackage[];
  /** Files kept by the config-file collector, from the merged filesystem, by path. */
  files: Record<string, MergedFile>;
  /** Symlinks of the merged filesystem: path → target as written. */
  symlinks: Record<string, string>;
  /** setuid/setgid and world-writable entries of the merged filesystem. */
  specialModes: Array<{ path: string; mode: number; uid: number; type: string; layerDiffId: string }>;
  /** Secrets in every layer, including those in files a later layer deleted. */
  sensitive: InventorySensitive[];
  config: ImageConfig;
  history: HistoryEntry[];
  warnings: string[];
}

/**
 * An inventory of an OS and its packages only, nothing read from layers: what the matcher needs
 * to re-match a stored manifest from its package index (and what tests and benchmarks hand it).
 * Artifact fields not given are empty.
 */
export function packageInventory(artifact: Partial<Inventory['artifact']> & { digest: string }, os: OsInfo | null, packages: InventoryPackage[]): Inventory {
  return {
    artifact: { ref: artifact.digest, type: 'registry', configDigest: '', size: 0, layers: [], platform: '', ...artifact },
    os,
    packages,
    files: {},
    symlinks: {},
    specialModes: [],
    sensitive: [],
    config: {},
    history: [],
    warnings: [],
  };
}
