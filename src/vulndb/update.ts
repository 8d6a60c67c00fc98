/**
 * `db import` and `db update`: read feeds from paths or URLs into the store, one source per
 * argument, each replaced atomically; a source that fails leaves its previous data in place and
 * does not stop the others.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { TarsierError } from '../errors.js';
import type { Store } from '../store/open-store.js';
import { tryRefreshAdvisoryIndex } from './advisory-index-writer.js';
import { importSource, sourceStatus, type SourceMeta } from './advisory-store.js';
import { fetchFeed } from './fetch-feed.js';
import { detectFeedFormat, readFeed } from './read-feed.js';

const OSV = 'https://osv-vulnerabilities.storage.googleapis.com';

/**
 * Official feeds `db update` uses when no URL source was ever imported: OSV for every ecosystem
 * the matcher reads, Alpine's secdb, and the Debian tracker's JSON export — the only Debian feed
 * that rates issues (its `urgency` per release gives Debian findings their severity; OSV's Debian
 * records, like the DSA/DLA lists, carry none).
 */
export const DEFAULT_FEEDS: readonly string[] = [
  ...['Debian', 'Ubuntu', 'AlmaLinux', 'Rocky%20Linux', 'Red%20Hat', 'openEuler', 'SUSE', 'openSUSE'].map((e) => `${OSV}/${e}/all.zip`),
  ...['npm', 'PyPI', 'Maven', 'Go', 'crates.io', 'RubyGems', 'NuGet', 'Packagist'].map((e) => `${OSV}/${e}/all.zip`),
  ...['v3.18', 'v3.19', 'v3.20', 'v3.21'].flatMap((v) => [`https://secdb.alpinelinux.org/${v}/main.json`, `https://secdb.alpinelinux.org/${v}/community.json`]),
  'https://security-tracker.debian.org/tracker/data/json',
];

export interface ImportOutcome {
  source: string;
  records?: number;
  unchanged?: boolean;
  error?: string;
  warnings: number;
}

function isUrl(target: string): boolean {
  return /^https?:\/\//i.test(target);
}

async function importPath(store: Store, path: string, id: string, location: string, extra: Partial<SourceMeta>, warn: (m: string) => void): Promise<number> {
  const info = await stat(path).catch(() => {
    throw new TarsierError('not_found', `${path}: no such file or directory`);
  });
  const format = info.isDirectory() ? 'folder' : await detectFeedFormat(path);
  if (!format) throw new TarsierError('input', `${path}: not a recognised advisory feed (OSV JSON/YAML or zip, Alpine secdb JSON, Debian DSA/DLA list or tracker JSON)`);
  return importSource(store, { id, format, location, ...extra }, readFeed(path, { warn }), Date.now(), { refreshIndex: false });
}

/**
 * Imports each target (path or URL) as its own source, then brings the embedded store's derived
 * advisory index up to date once (CLI scans read it instead of starting the database).
 */
export async function importTargets(store: Store, targets: string[], warn: (m: string) => void = () => undefined): Promise<ImportOutcome[]> {
  try {
    return await importEach(store, targets, warn);
  } finally {
    await tryRefreshAdvisoryIndex(store, warn);
  }
}

async function importEach(store: Store, targets: string[], warn: (m: string) => void): Promise<ImportOutcome[]> {
  const known = new Map((await sourceStatus(store)).map((s) => [s.id, s]));
  const out: ImportOutcome[] = [];
  for (const target of targets) {
    let warnings = 0;
    const w = (m: string) => {
      warnings++;
      warn(m);
    };
    const id = isUrl(target) ? `url:${target}` : `path:${resolve(target)}`;
    try {
      if (isUrl(target)) {
        const prev = known.get(id);
        const fetched = await fetchFeed(target, { etag: prev?.etag, lastModified: prev?.lastModified });
        try {
          if (!fetched.file) {
            out.push({ source: id, unchanged: true, warnings });
            continue;
          }
          const records = await importPath(store, fetched.file, id, target, { etag: fetched.etag, lastModified: fetched.lastModified }, w);
          out.push({ source: id, records, warnings });
        } finally {
          await fetched.cleanup();
        }
      } else {
        const records = await importPath(store, target, id, resolve(target), {}, w);
        out.push({ source: id, records, warnings });
      }
    } catch (err) {
      out.push({ source: id, error: (err as Error).message.split('\n')[0], warnings });
    }
  }
  return out;
}

/** Re-reads every source imported from a URL (conditional GET), or the default feeds when there are none. */
export async function updateSources(store: Store, warn?: (m: string) => void): Promise<ImportOutcome[]> {
  const urls = (await sourceStatus(store)).filter((s) => s.id.startsWith('url:')).map((s) => s.location);
  return importTargets(store, urls.length > 0 ? urls : [...DEFAULT_FEEDS], warn);
}
