/**
 * Keeps a cache directory (`layers/` facts and `results/` whole scans) within its bound: when it
 * is over, the least recently used entries (by mtime, which a hit refreshes) go until it is at
 * 80% of the bound, so a scan that adds a little does not prune again at once.
 *
 * Safe with scans running in other processes: entries are files written whole by rename, so
 * removing one only turns a later read into a miss (a read already open keeps its data); a
 * temp file being written is left alone unless it is an hour old (a crashed writer's); emptied
 * folders are removed with rmdir, which fails on a folder a writer has just put a file in, and
 * writers make a vanished folder again (analysis/cache-entry.ts).
 */
import type { Dirent } from 'node:fs';
import { readdir, rmdir, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TEMP_SUFFIX } from '../analysis/cache-entry.js';

/** The folders of a cache directory that hold entries, each one or two levels deep. */
const AREAS = ['layers', 'results'] as const;
type Area = (typeof AREAS)[number];

const LOW_WATER = 0.8;
const STALE_TEMP_MS = 60 * 60_000;
/** Marker whose mtime is the last prune walk (see {@link pruneIfDue}). */
const PRUNE_MARK = '.last-prune';

interface Entry {
  path: string;
  area: Area;
  bytes: number;
  usedMs: number;
}

export interface CacheStatus {
  dir: string;
  entries: number;
  bytes: number;
  byArea: Record<Area, { entries: number; bytes: number }>;
  /** Last use of the least and the most recently used entry (epoch ms), when there are entries. */
  oldestUseMs?: number;
  newestUseMs?: number;
}

export interface PruneResult {
  removed: number;
  freedBytes: number;
  remainingEntries: number;
  remainingBytes: number;
}

async function list(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    // Not created yet, or removed by another pruner: nothing there.
    return [];
  }
}

/** Every entry and temp file under the cache's areas; files that vanish while listed are skipped. */
async function walk(dir: string): Promise<{ entries: Entry[]; temps: Entry[]; folders: string[] }> {
  const entries: Entry[] = [];
  const temps: Entry[] = [];
  const folders: string[] = [];
  const visit = async (folder: string, area: Area, depth: number): Promise<void> => {
    const items = await list(folder);
    await Promise.all(
      items.map(async (item) => {
        const path = join(folder, item.name);
        if (item.isDirectory()) {
          if (depth < 2) {
            folders.push(path);
            await visit(path, area, depth + 1);
          }
          return;
        }
        if (!item.isFile()) return;
        const st = await stat(path).catch(() => undefined);
        if (!st) return;
        const entry = { path, area, bytes: st.size, usedMs: st.mtimeMs };
        if (item.name.endsWith(TEMP_SUFFIX)) temps.push(entry);
        else if (item.name.endsWith('.json')) entries.push(entry);
      }),
    );
  };
  for (const area of AREAS) await visit(join(dir, area), area, 1);
  return { entries, temps, folders };
}

function summarise(dir: string, entries: Entry[]): CacheStatus {
  const byArea = { layers: { entries: 0, bytes: 0 }, results: { entries: 0, bytes: 0 } };
  let bytes = 0;
  for (const e of entries) {
    bytes += e.bytes;
    byArea[e.area].entries++;
    byArea[e.area].bytes += e.bytes;
  }
  const uses = entries.map((e) => e.usedMs);
  return {
    dir,
    entries: entries.length,
    bytes,
    byArea,
    ...(uses.length > 0 ? { oldestUseMs: Math.min(...uses), newestUseMs: Math.max(...uses) } : {}),
  };
}

export async function cacheStatus(dir: string): Promise<CacheStatus> {
  return summarise(dir, (await walk(dir)).entries);
}

async function removeFile(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (err) {
    // Gone already: another pruner or `cache clean` took it.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Removes folders left empty; one a writer is using is not empty, and rmdir then just fails. */
async function removeEmptyFolders(folders: string[]): Promise<void> {
  // Deepest first, so a layer's folder goes before its parent would be considered.
  for (const f of [...folders].sort((a, b) => b.length - a.length)) await rmdir(f).catch(() => undefined);
}

export interface PruneOptions {
  /** Fraction of `maxBytes` to prune down to once over it; default 0.8 (1: exactly the bound). */
  lowWater?: number;
  now?: number;
}

/**
 * Prunes `dir` to `maxBytes` if it is over (down to `lowWater` of it), least recently used first.
 * `maxBytes` 0 removes every entry (`tarsier cache clean`); Infinity only clears stale temp files.
 */
export async function pruneCache(dir: string, maxBytes: number, opts: PruneOptions = {}): Promise<PruneResult> {
  const now = opts.now ?? Date.now();
  const { entries, temps, folders } = await walk(dir);
  for (const t of temps) if (now - t.usedMs > STALE_TEMP_MS) await removeFile(t.path);
  let total = entries.reduce((s, e) => s + e.bytes, 0);
  let removed = 0;
  let freedBytes = 0;
  const kept: Entry[] = [];
  if (total > maxBytes) {
    const target = Math.floor(maxBytes * (opts.lowWater ?? LOW_WATER));
    const byAge = [...entries].sort((a, b) => a.usedMs - b.usedMs);
    for (const e of byAge) {
      if (total <= target) {
        kept.push(e);
        continue;
      }
      total -= e.bytes;
      if (await removeFile(e.path)) {
        removed++;
        freedBytes += e.bytes;
      }
    }
    await removeEmptyFolders(folders);
  } else {
    kept.push(...entries);
  }
  return { removed, freedBytes, remainingEntries: kept.length, remainingBytes: total };
}

/**
 * {@link pruneCache} at most once per `minIntervalMs` per directory (across processes, by the
 * mtime of a marker file): scans call it after writing, and listing a large cache on every scan
 * would cost more than the pruning saves. The bound may be exceeded by one interval's writes.
 */
export async function pruneIfDue(dir: string, maxBytes: number, minIntervalMs = 60_000, now = Date.now()): Promise<PruneResult | undefined> {
  if (!Number.isFinite(maxBytes)) return undefined;
  const mark = join(dir, PRUNE_MARK);
  const last = await stat(mark).then((s) => s.mtimeMs, () => 0);
  if (now - last < minIntervalMs) return undefined;
  // Claim the interval first, so concurrent scans do not all walk the directory.
  await writeFile(mark, '').catch(() => undefined);
  await utimes(mark, new Date(now), new Date(now)).catch(() => undefined);
  return pruneCache(dir, maxBytes, { now });
}
