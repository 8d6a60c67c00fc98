/**
 * The stock root filesystems the demo images are built from, read at run time from the package's
 * data/rootfs/<release> (data/rootfs/README.md describes the layout). The baseline tests lay the
 * same trees under their hardened fixtures, so there is one copy of each distribution's files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OwnedPath, StockRootfs } from './types.js';

export const STOCK_RELEASES = ['centos7', 'debian10', 'euleros', 'ubuntu1604'] as const;
export type StockRelease = (typeof STOCK_RELEASES)[number];

/** [mode as an octal string, uid, gid], as meta.json writes owners. */
type OwnerTuple = [string, number, number];

/** The repository's data/rootfs/<release>, from src/ (tsx) and from dist/ alike. */
export function stockRootfsDir(release: StockRelease): string {
  return fileURLToPath(new URL(`../../../data/rootfs/${release}`, import.meta.url));
}

const loaded = new Map<StockRelease, StockRootfs>();

/** The release's stock tree; read once per process (the demo builds each image from it). */
export function loadStockRootfs(release: StockRelease): StockRootfs {
  let rootfs = loaded.get(release);
  if (!rootfs) {
    rootfs = readStockRootfs(stockRootfsDir(release));
    loaded.set(release, rootfs);
  }
  return rootfs;
}

/** Reads one tree: `files/` (contents) and `meta.json` (owners, directories, symlinks, markers). */
export function readStockRootfs(dir: string): StockRootfs {
  const metaFile = join(dir, 'meta.json');
  const meta = readJsonObject(metaFile);
  const modes = ownerMap(meta, 'modes', metaFile);
  const dirs = ownerMap(meta, 'dirs', metaFile);
  const extra = ownerMap(meta, 'extra', metaFile);
  const symlinks = stringMap(meta, 'symlinks', metaFile);

  const filesDir = join(dir, 'files');
  const files = listFiles(filesDir).map((path) => {
    const owner = modes.get(path) ?? { path, mode: 0o644, uid: 0, gid: 0 };
    return { ...owner, content: readFileSync(join(filesDir, path), 'utf8') };
  });
  for (const path of modes.keys()) {
    if (!files.some((f) => f.path === path)) throw new Error(`${metaFile}: "modes" names ${path}, which is not under files/`);
  }
  return {
    files,
    dirs: [...dirs.values()],
    symlinks: [...symlinks].map(([path, target]) => ({ path, target })),
    markers: [...extra.values()],
  };
}

function readJsonObject(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`stock rootfs metadata ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)}); is the package's data/ directory installed?`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(value)) throw new Error(`${file} must hold a JSON object`);
  return value;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function section(meta: Record<string, unknown>, key: string, file: string): Record<string, unknown> {
  const v = meta[key];
  if (v === undefined) return {};
  if (!isObject(v)) throw new Error(`${file}: "${key}" must be an object keyed by path`);
  return v;
}

function ownerMap(meta: Record<string, unknown>, key: string, file: string): Map<string, OwnedPath> {
  const out = new Map<string, OwnedPath>();
  for (const [path, v] of Object.entries(section(meta, key, file))) out.set(path, { path, ...owner(v, `${file}: "${key}"."${path}"`) });
  return out;
}

function owner(v: unknown, where: string): Omit<OwnedPath, 'path'> {
  const ok = Array.isArray(v) && v.length === 3 && typeof v[0] === 'string' && /^[0-7]{3,4}$/.test(v[0]) && Number.isInteger(v[1]) && Number.isInteger(v[2]);
  if (!ok) throw new Error(`${where} must be ["<octal mode>", uid, gid], got ${JSON.stringify(v)}`);
  const [mode, uid, gid] = v as OwnerTuple;
  return { mode: parseInt(mode, 8), uid, gid };
}

function stringMap(meta: Record<string, unknown>, key: string, file: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [path, v] of Object.entries(section(meta, key, file))) {
    if (typeof v !== 'string' || v === '') throw new Error(`${file}: "${key}"."${path}" must be a non-empty string`);
    out.set(path, v);
  }
  return out;
}

/** Regular files under `root`, as sorted slash-separated relative paths (stable layer order). */
function listFiles(root: string, prefix = ''): string[] {
  const out: string[] = [];
  let entries;
  try {
    entries = readdirSync(join(root, prefix), { withFileTypes: true });
  } catch (e) {
    throw new Error(`stock rootfs directory ${join(root, prefix)} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  for (const e of entries) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(root, rel));
    else if (e.isFile()) out.push(rel);
    // Symlinks and owners live in meta.json so they survive any checkout; a link here would be ambiguous.
    else throw new Error(`${join(root, rel)}: only regular files belong under files/ (symlinks go in meta.json "symlinks")`);
  }
  return out.sort();
}
