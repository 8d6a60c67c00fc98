/**
 * Applies layers in order, like an overlay filesystem, to the facts analyzers produced: a
 * whiteout (`.wh.name`) or opaque dir (`.wh..wh..opq`) in layer N hides the facts of lower layers
 * under that path, then layer N's own facts and symlinks replace lower ones at the same path. The
 * result is the image's inventory. Facts of `every-layer` analyzers (secrets) are all kept, each
 * marked visible or not, because a deleted file is still inside the image.
 */
import type { ImageConfig } from '../image/types.js';
import type { Inventory, InventoryPackage, InventorySensitive, LayerInfo, MergedFile } from './inventory.js';
import { chooseOs } from './os-detect.js';
import { withDistro } from './purl.js';
import type { Analyzer, AnalyzerLayerResult, Fact, FileContentFact, LayerMetaFact, OsFact, Package, PackagesFact, SensitiveFact } from './types.js';

export interface MergeLayer {
  info: LayerInfo;
  byAnalyzer: Record<string, AnalyzerLayerResult>;
}

export interface MergeInput {
  artifact: Omit<Inventory['artifact'], 'layers'>;
  layers: MergeLayer[];
  analyzers: Analyzer[];
  config: ImageConfig;
  warnings: string[];
}

/** A surviving overlay fact group: what one analyzer said about one path, and in which layer. */
interface Placed {
  layer: number;
  facts: Fact[];
}

function isUnder(path: string, dir: string): boolean {
  return dir === '' || path === dir || path.startsWith(`${dir}/`);
}

/** Removes every key whose path is `p` or below it. Keys are `analyzer\0path` or plain paths. */
function deleteUnder<V>(map: Map<string, V>, p: string, pathOf: (key: string) => string, opaque: boolean): void {
  for (const key of [...map.keys()]) {
    const path = pathOf(key);
    // An opaque dir hides its contents, not itself; a whiteout hides the path and its subtree.
    if (opaque ? path !== p && isUnder(path, p) : isUnder(path, p)) map.delete(key);
  }
}

const keyOf = (analyzer: string, path: string) => `${analyzer}\0${path}`;
const pathOfKey = (key: string) => key.slice(key.indexOf('\0') + 1);
const identity = (p: string) => p;

function metaOf(layer: MergeLayer): LayerMetaFact | undefined {
  return layer.byAnalyzer['layer-meta']?.facts.find((f): f is LayerMetaFact => f.kind === 'layer-meta');
}

function pkgKey(p: Package): string {
  return `${p.type}\0${p.name}\0${p.version}\0${p.arch ?? ''}`;
}

export function mergeLayers(input: MergeInput): Inventory {
  const overlay = new Map<string, Placed>();
  const symlinks = new Map<string, { target: string; layer: number }>();
  const special = new Map<string, { mode: number; uid: number; type: string; layer: number }>();
  const scopeOf = new Map(input.analyzers.map((a) => [a.name, a.scope ?? 'overlay']));
  const warnings = [...input.warnings];
  // For each surviving package db (same keys as `overlay`): package → layer that introduced it.
  const origins = new Map<string, Map<string, number>>();
  const sensitiveRaw: Array<{ fact: SensitiveFact; layer: number }> = [];
  // For `visible`: paths deleted or replaced after a given layer.
  const hiddenAfter: Array<{ layer: number; path: string; opaque: boolean }> = [];

  input.layers.forEach((layer, li) => {
    const meta = metaOf(layer);
    if (meta) {
      for (const w of meta.whiteouts) {
        deleteUnder(overlay, w, pathOfKey, false);
        deleteUnder(origins, w, pathOfKey, false);
        deleteUnder(symlinks, w, identity, false);
        deleteUnder(special, w, identity, false);
        hiddenAfter.push({ layer: li, path: w, opaque: false });
      }
      for (const d of meta.opaqueDirs) {
        deleteUnder(overlay, d, pathOfKey, true);
        deleteUnder(origins, d, pathOfKey, true);
        deleteUnder(symlinks, d, identity, true);
        deleteUnder(special, d, identity, true);
        hiddenAfter.push({ layer: li, path: d, opaque: true });
      }
      // An entry of any type replaces what lower layers had at that path.
      for (const [path, target] of Object.entries(meta.symlinks)) {
        deleteUnder(overlay, path, pathOfKey, false);
        deleteUnder(origins, path, pathOfKey, false);
        special.delete(path);
        symlinks.set(path, { target, layer: li });
        hiddenAfter.push({ layer: li, path, opaque: false });
      }
      for (const path of Object.keys(meta.hardlinks)) symlinks.delete(path);
      // A real directory (or a hardlink, above) at a lower symlink's path replaces the link.
      if (symlinks.size > 0) for (const path of meta.dirs ?? []) symlinks.delete(path);
      for (const s of meta.specialModes) special.set(s.path, { mode: s.mode, uid: s.uid, type: s.type, layer: li });
    }
    const specialHere = new Set(meta?.specialModes.map((s) => s.path) ?? []);
    for (const [name, result] of Object.entries(layer.byAnalyzer)) {
      for (const f of result.facts) if (f.kind === 'warning') warnings.push(`layer ${li + 1}: ${f.path ? `${f.path}: ` : ''}${f.message}`);
      if (name === 'layer-meta') continue;
      if (scopeOf.get(name) === 'every-layer') {
        for (const f of result.facts) if (f.kind === 'sensitive') sensitiveRaw.push({ fact: f, layer: li });
        continue;
      }
      // What each db at a touched path held before this layer rewrote it.
      const before = new Map<string, Map<string, number>>();
      for (const path of result.touched) {
        const key = keyOf(name, path);
        const prior = origins.get(key);
        if (prior) before.set(key, prior);
        origins.delete(key);
        overlay.delete(key);
        symlinks.delete(path);
        if (!specialHere.has(path)) special.delete(path);
      }
      const grouped = new Map<string, Fact[]>();
      for (const f of result.facts) {
        if (f.kind === 'warning') continue;
        const list = grouped.get(f.path) ?? [];
        list.push(f);
        grouped.set(f.path, list);
        if (f.kind === 'packages') {
          // A package the db already had (same version) keeps its origin; anything else is new here.
          const key = keyOf(name, f.path);
          const prior = before.get(key);
          const now = origins.get(key) ?? new Map<string, number>();
          for (const p of f.packages) now.set(pkgKey(p), prior?.get(pkgKey(p)) ?? li);
          origins.set(key, now);
        }
      }
      for (const [path, facts] of grouped) overlay.set(keyOf(name, path), { layer: li, facts });
    }
  });

  const surviving = [...overlay.values()];
  const survivingKeys = [...overlay.keys()];
  const osFacts = surviving.flatMap((p) => p.facts.filter((f): f is OsFact => f.kind === 'os'));
  const os = chooseOs(osFacts);
  const diffIdOf = (li: number) => (input.layers[li] as MergeLayer).info.diffId;

  const packages: InventoryPackage[] = [];
  surviving.forEach((placed, i) => {
    const dbOrigins = origins.get(survivingKeys[i] as string);
    for (const f of placed.facts) {
      if (f.kind !== 'packages') continue;
      for (const p of (f as PackagesFact).packages) {
        const origin = dbOrigins?.get(pkgKey(p)) ?? placed.layer;
        packages.push({ ...p, purl: withDistro(p, os), layerDiffId: diffIdOf(origin) });
      }
    }
  });
  packages.sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name) || a.version.localeCompare(b.version) || a.path.localeCompare(b.path));

  const files: Record<string, MergedFile> = {};
  for (const placed of surviving) {
    for (const f of placed.facts) if (f.kind === 'file') files[f.path] = { ...(f as FileContentFact), layerDiffId: diffIdOf(placed.layer) };
  }

  const sensitive: InventorySensitive[] = sensitiveRaw.map(({ fact, layer }) => {
    const hidden = hiddenAfter.some((h) => h.layer > layer && (h.opaque ? fact.path !== h.path && isUnder(fact.path, h.path) : isUnder(fact.path, h.path)));
    const info = (input.layers[layer] as MergeLayer).info;
    return { ...fact, layerDigest: info.digest, layerDiffId: info.diffId, visible: !hidden };
  });

  return {
    artifact: { ...input.artifact, layers: input.layers.map((l) => l.info) },
    os,
    packages,
    files: Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b))),
    symlinks: Object.fromEntries([...symlinks].map(([p, s]) => [p, s.target]).sort(([a], [b]) => (a as string).localeCompare(b as string))),
    specialModes: [...special].map(([path, s]) => ({ path, mode: s.mode, uid: s.uid, type: s.type, layerDiffId: diffIdOf(s.layer) })).sort((a, b) => a.path.localeCompare(b.path)),
    sensitive,
    config: input.config,
    history: input.config.history ?? [],
    warnings,
  };
}
