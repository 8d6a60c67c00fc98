/**
 * Builds an Inventory from filesystem fixtures the way a scan does: each fixture directory becomes
 * one tar layer (modes, owners, symlinks and whiteouts from its meta.json), walked by the real
 * analyzers (layer-meta, os-release, config-files, config-tree) and merged in order.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import tar from 'tar-stream';
import type { Inventory, InventoryPackage } from '../../src/analysis/inventory.js';
import { mergeLayers, type MergeLayer } from '../../src/analysis/merge.js';
import type { Analyzer, PackageType } from '../../src/analysis/types.js';
import { walkLayer } from '../../src/analysis/walker.js';
import { configFilesAnalyzer, configTreeAnalyzer } from '../../src/analysis/analyzers/config-files.js';
import { layerMetaAnalyzer } from '../../src/analysis/analyzers/layer-meta.js';
import { osReleaseAnalyzer } from '../../src/analysis/analyzers/os-release.js';
import type { ImageConfig } from '../../src/image/types.js';
import { STOCK_RELEASES, stockRootfsDir, type StockRelease } from '../../src/demo/rootfs/stock.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/baseline/', import.meta.url));

/**
 * Where a fixture layer lives. `<release>/stock` is the distribution's stock tree the demo images
 * are built from (data/rootfs/<release>, shipped with the package); every other layer (hardened,
 * hardened-common) is a directory under test/fixtures/baseline.
 */
export function fixtureLayerDir(layerDir: string): string {
  const release = /^([^/]+)\/stock$/.exec(layerDir)?.[1];
  if (release === undefined) return join(FIXTURES, layerDir);
  if (!(STOCK_RELEASES as readonly string[]).includes(release)) throw new Error(`no stock tree for ${release} (data/rootfs has ${STOCK_RELEASES.join(', ')})`);
  return stockRootfsDir(release as StockRelease);
}

type Owned = [mode: string, uid: number, gid: number];

interface LayerMeta {
  created?: string;
  modes?: Record<string, Owned>;
  dirs?: Record<string, Owned>;
  symlinks?: Record<string, string>;
  /** Paths this layer deletes (written as `.wh.` entries). */
  whiteouts?: string[];
  /** Entries with no interesting content (binaries, markers): path → mode/owner. */
  extra?: Record<string, Owned>;
  packages?: Array<{ type: PackageType; name: string; version: string }>;
}

export interface LayerSource {
  /** Directory holding `files/` and `meta.json`. */
  dir: string;
}

/** An in-memory layer: entries as the image writer would put them in a tar. */
export interface MemoryEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink';
  content?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  target?: string;
}

const ANALYZERS: Analyzer[] = [layerMetaAnalyzer, osReleaseAnalyzer, configFilesAnalyzer, configTreeAnalyzer];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

function readMeta(dir: string): LayerMeta {
  try {
    return JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as LayerMeta;
  } catch {
    return {};
  }
}

/** Entries of one fixture directory layer. */
export function fixtureEntries(layerDir: string): { entries: MemoryEntry[]; meta: LayerMeta } {
  const dir = fixtureLayerDir(layerDir);
  const meta = readMeta(dir);
  const entries: MemoryEntry[] = [];
  const own = (path: string, fallback: number): Pick<MemoryEntry, 'mode' | 'uid' | 'gid'> => {
    const m = meta.modes?.[path] ?? meta.extra?.[path] ?? meta.dirs?.[path];
    return m ? { mode: parseInt(m[0], 8), uid: m[1], gid: m[2] } : { mode: fallback, uid: 0, gid: 0 };
  };
  for (const [path, m] of Object.entries(meta.dirs ?? {})) entries.push({ path, type: 'dir', mode: parseInt(m[0], 8), uid: m[1], gid: m[2] });
  const filesDir = join(dir, 'files');
  let files: string[] = [];
  try {
    files = walk(filesDir);
  } catch {
    files = [];
  }
  for (const abs of files.sort()) {
    const path = relative(filesDir, abs).split('\\').join('/');
    entries.push({ path, type: 'file', content: readFileSync(abs, 'utf8'), ...own(path, 0o644) });
  }
  for (const path of Object.keys(meta.extra ?? {})) entries.push({ path, type: 'file', content: '', ...own(path, 0o644) });
  for (const [path, target] of Object.entries(meta.symlinks ?? {})) entries.push({ path, type: 'symlink', target, mode: 0o777 });
  for (const w of meta.whiteouts ?? []) {
    const slash = w.lastIndexOf('/');
    entries.push({ path: `${w.slice(0, slash + 1)}.wh.${w.slice(slash + 1)}`, type: 'file', content: '' });
  }
  return { entries, meta };
}

function tarOf(entries: MemoryEntry[]): Readable {
  const pack = tar.pack();
  for (const e of entries) {
    // File-type bits keep mode 0000 truthy (tar-stream replaces a falsy mode with 0644); the header masks them off.
    const typeBits = e.type === 'dir' ? 0o040000 : e.type === 'symlink' ? 0o120000 : 0o100000;
    const header = { name: e.path, mode: (e.mode ?? (e.type === 'dir' ? 0o755 : 0o644)) | typeBits, uid: e.uid ?? 0, gid: e.gid ?? 0, mtime: new Date(0) };
    if (e.type === 'dir') pack.entry({ ...header, type: 'directory' });
    else if (e.type === 'symlink') pack.entry({ ...header, type: 'symlink', linkname: e.target ?? '' });
    else pack.entry({ ...header, type: 'file' }, e.content ?? '');
  }
  pack.finalize();
  return Readable.from(pack as unknown as AsyncIterable<Buffer>);
}

export interface BuiltImage {
  layers: Array<{ entries: MemoryEntry[]; packages?: LayerMeta['packages'] }>;
  config?: Partial<ImageConfig>;
}

/** Walks each layer with the real analyzers and merges them into an inventory. */
export async function inventoryOf(image: BuiltImage): Promise<Inventory> {
  const layers: MergeLayer[] = [];
  const packages: InventoryPackage[] = [];
  for (const [i, layer] of image.layers.entries()) {
    const diffId = `sha256:${createHash('sha256').update(JSON.stringify(layer.entries)).update(String(i)).digest('hex')}`;
    const byAnalyzer = await walkLayer(tarOf(layer.entries), ANALYZERS, { diffId, where: `layer ${i + 1}`, limits: { maxEntries: 100_000 } });
    layers.push({ info: { digest: diffId, diffId, size: 0 }, byAnalyzer });
    for (const p of layer.packages ?? []) packages.push({ ...p, path: p.type === 'deb' ? 'var/lib/dpkg/status' : 'var/lib/rpm/Packages', purl: `pkg:${p.type}/${p.name}@${p.version}`, layerDiffId: diffId });
  }
  const config: ImageConfig = { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((l) => l.info.diffId) }, ...image.config };
  const inv = mergeLayers({
    artifact: { ref: 'fixture', type: 'oci', digest: 'sha256:0', configDigest: 'sha256:0', size: 0, platform: 'linux/amd64' },
    layers,
    analyzers: ANALYZERS,
    config,
    warnings: [],
  });
  // Package analyzers are other modules' job; fixtures state their packages directly.
  inv.packages = [...inv.packages.filter((p) => !packages.some((q) => q.name === p.name)), ...packages];
  return inv;
}

/** An image made of fixture directories, bottom layer first. */
export async function fixtureImage(...layerDirs: string[]): Promise<Inventory> {
  const built = layerDirs.map((d) => fixtureEntries(d));
  const created = built.map((b) => b.meta.created).filter(Boolean).pop();
  return inventoryOf({ layers: built.map((b) => ({ entries: b.entries, packages: b.meta.packages })), config: created ? { created } : {} });
}
