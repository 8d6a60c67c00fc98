/**
 * Writes the derived advisory index of an embedded store (layout and currency rules in
 * advisory-index-files.ts). Only the process holding the embedded database writes it: importSource
 * invalidates it before changing the advisory tables, and the importers rebuild it after —
 * rewriting only the namespaces whose sources changed.
 */
import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { constants, gzipSync } from 'node:zlib';
import type { Store } from '../store/open-store.js';
import { advisoryGeneration } from './advisory-generation.js';
import {
  clusterIdentifier,
  encodeLine,
  INDEX_FORMAT,
  indexRoot,
  manifestPath,
  namespaceFile,
  previousManifestPath,
  sha256,
  type IndexManifest,
  type NamespaceEntry,
  type SourceEntry,
} from './advisory-index-files.js';

/** Advisories read per query while building. */
const PAGE = 2000;
/** Raw bytes of a namespace buffered before they are compressed as one gzip member. */
const CHUNK = 1 << 20;
/**
 * A local cache file read whole: level 1 compresses these JSON lines about 4× (level 6 about 5×)
 * at a fraction of the CPU, and the reader's gunzip is no slower.
 */
const GZIP = { level: 1, strategy: constants.Z_DEFAULT_STRATEGY };
/** Generation directories kept: the new one and its predecessor, which a scan may still be reading. */
const KEEP_GENERATIONS = 2;

const embeddedDir = (store: Store): string | undefined => (store.kind === 'embedded' ? store.dataDir : undefined);

/**
 * Moves the manifest aside before the advisory tables change: from then until a rebuild, scans
 * read the database, and the rebuild starts from it. A failure here stops the import — an index
 * that outlived its data would be served.
 */
export async function invalidateAdvisoryIndex(store: Store): Promise<void> {
  const dir = embeddedDir(store);
  if (!dir) return;
  try {
    await rename(manifestPath(dir), previousManifestPath(dir));
  } catch (err) {
    // Already aside (an earlier import not yet followed by a rebuild): that one stays the base.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Per source: a fingerprint that moves with every import of it (one aggregate over the pk index). */
async function sourceFingerprints(store: Store): Promise<Map<string, string>> {
  const rows = await store.query<{ id: string; updated_at: number; record_count: number; rows: number | null; max: number | null }>(
    `SELECT s.id, s.updated_at, s.record_count, a.rows, a.max FROM advisory_sources s
     LEFT JOIN (SELECT source_id, count(*)::int8 AS rows, max(pk) AS max FROM advisories GROUP BY source_id) a ON a.source_id = s.id`,
  );
  return new Map(rows.map((r) => [r.id, JSON.stringify([r.updated_at, r.record_count, r.rows ?? 0, r.max ?? null])]));
}

async function sourceNamespaces(store: Store, source: string): Promise<string[]> {
  const rows = await store.query<{ namespace: string }>(
    'SELECT DISTINCT p.namespace FROM advisories a JOIN advisory_packages p ON p.advisory_pk = a.pk WHERE a.source_id = $1 ORDER BY 1',
    [source],
  );
  return rows.map((r) => r.namespace);
}

async function readManifestAt(path: string): Promise<IndexManifest | undefined> {
  try {
    const m = JSON.parse(await readFile(path, 'utf8')) as IndexManifest;
    return m.format === INDEX_FORMAT ? m : undefined;
  } catch {
    return undefined;
  }
}

const readManifest = (dataDir: string): Promise<IndexManifest | undefined> => readManifestAt(manifestPath(dataDir));

interface NamespaceBuffer {
  lines: string[];
  rawBytes: number;
  members: Buffer[];
  advisories: number;
}

async function writeDurably(path: string, data: Uint8Array | string): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The namespace files of the previous generation that can be linked into the new one as they are. */
async function reusable(root: string, base: IndexManifest, keep: Iterable<string>): Promise<Map<string, NamespaceEntry>> {
  const out = new Map<string, NamespaceEntry>();
  for (const ns of keep) {
    const entry = base.namespaces[ns];
    if (!entry) continue;
    // Checked like the reader does: a damaged file is rewritten rather than carried on.
    const bytes = await readFile(join(root, base.dir, entry.file)).catch(() => undefined);
    if (bytes && bytes.length === entry.bytes && sha256(bytes) === entry.sha256) out.set(ns, entry);
  }
  return out;
}

/**
 * Every advisory with a package key in `namespaces` (all of them when undefined), one line per
 * namespace of those it names, compressed per namespace.
 */
async function serialize(store: Store, namespaces: ReadonlySet<string> | undefined): Promise<{ buffers: Map<string, NamespaceBuffer>; bySource: Map<string, Set<string>> }> {
  const buffers = new Map<string, NamespaceBuffer>();
  const bySource = new Map<string, Set<string>>();
  const compress = (b: NamespaceBuffer): void => {
    if (b.lines.length === 0) return;
    b.members.push(gzipSync(b.lines.join(''), GZIP));
    b.lines = [];
    b.rawBytes = 0;
  };
  const filter = namespaces ? 'AND namespace = ANY($2::text[])' : '';
  const params = (after: number): unknown[] => (namespaces ? [after, [...namespaces]] : [after]);
  for (let after = 0; ; ) {
    // Advisories without package keys are skipped: no lookup can reach them (advisoriesFor joins on keys).
    const rows = await store.query<{ pk: number; source_id: string; record: string; namespaces: string[]; names: string[] }>(
      `SELECT a.pk, a.source_id, a.record, k.namespaces, k.names FROM advisories a
       JOIN (SELECT advisory_pk, array_agg(namespace) AS namespaces, array_agg(name) AS names FROM advisory_packages
             WHERE advisory_pk > $1 ${filter} GROUP BY advisory_pk ORDER BY advisory_pk LIMIT ${PAGE}) k ON k.advisory_pk = a.pk
       ORDER BY a.pk`,
      params(after),
    );
    if (rows.length === 0) break;
    for (const r of rows) {
      const byNamespace = new Map<string, string[]>();
      r.namespaces.forEach((ns, i) => {
        const names = byNamespace.get(ns) ?? [];
        if (!names.includes(r.names[i]!)) names.push(r.names[i]!);
        byNamespace.set(ns, names);
      });
      const contributed = bySource.get(r.source_id) ?? new Set<string>();
      bySource.set(r.source_id, contributed);
      for (const [ns, names] of byNamespace) {
        contributed.add(ns);
        let b = buffers.get(ns);
        if (!b) buffers.set(ns, (b = { lines: [], rawBytes: 0, members: [], advisories: 0 }));
        const line = encodeLine(r.pk, names, r.record);
        b.lines.push(line);
        b.rawBytes += line.length;
        b.advisories++;
        if (b.rawBytes >= CHUNK) compress(b);
      }
    }
    after = rows[rows.length - 1]!.pk;
  }
  for (const b of buffers.values()) compress(b);
  return { buffers, bySource };
}

export interface RefreshOptions {
  /** Test hook: runs after the namespace files are written and before the manifest is swapped in. */
  beforeManifest?: () => Promise<void> | void;
}

/**
 * Makes the index of an embedded store current: nothing to do when the manifest already matches
 * the store's generation; else the namespaces of changed sources are rewritten (all of them when
 * there is no usable previous manifest), the rest linked from the previous generation, and the
 * manifest swapped in by rename, last. Returns whether it was rebuilt. Server stores have no index.
 */
export async function refreshAdvisoryIndex(store: Store, opts: RefreshOptions = {}): Promise<boolean> {
  const dataDir = embeddedDir(store);
  const cluster = dataDir ? clusterIdentifier(dataDir) : undefined;
  if (!dataDir || !cluster) return false;
  const root = indexRoot(dataDir);
  const generation = await advisoryGeneration(store);
  const current = await readManifest(dataDir);
  if (current?.generation === generation && current.cluster === cluster && existsSync(join(root, current.dir))) return false;

  // The base: the manifest in place (stale) or the one an import moved aside, if built from this cluster.
  const previous = await readManifestAt(previousManifestPath(dataDir));
  const base = [current, previous].find((m) => m?.cluster === cluster && m.bySource && existsSync(join(root, m.dir)));
  if (base && base === previous && base.generation === generation) {
    // The import moved it aside and changed nothing (it failed and rolled back): it is current again.
    await rename(previousManifestPath(dataDir), manifestPath(dataDir));
    return true;
  }
  const fingerprints = await sourceFingerprints(store);
  const bySource: Record<string, SourceEntry> = {};
  let rewrite: Set<string> | undefined;
  if (base?.bySource) {
    rewrite = new Set();
    for (const [id, fingerprint] of fingerprints) {
      const before = base.bySource[id];
      if (before?.fingerprint === fingerprint) {
        bySource[id] = before;
        continue;
      }
      bySource[id] = { fingerprint, namespaces: await sourceNamespaces(store, id) };
      for (const ns of [...(before?.namespaces ?? []), ...bySource[id].namespaces]) rewrite.add(ns);
    }
    // Removed sources: their namespaces lose advisories.
    for (const [id, before] of Object.entries(base.bySource)) if (!fingerprints.has(id)) for (const ns of before.namespaces) rewrite.add(ns);
  }

  const linked = base && rewrite ? await reusable(root, base, Object.keys(base.namespaces).filter((ns) => !rewrite.has(ns))) : new Map<string, NamespaceEntry>();
  if (base && rewrite) for (const ns of Object.keys(base.namespaces)) if (!linked.has(ns)) rewrite.add(ns);
  const written = await serialize(store, rewrite);
  // A full rebuild saw every source's advisories.
  if (!rewrite) for (const [id, fingerprint] of fingerprints) bySource[id] = { fingerprint, namespaces: [...(written.bySource.get(id) ?? [])].sort() };

  const dir = `g-${Date.now().toString(36).padStart(10, '0')}-${generation.slice(-12)}`;
  await mkdir(join(root, dir), { recursive: true });
  const namespaces: Record<string, NamespaceEntry> = {};
  for (const [ns, entry] of linked) {
    // A hard link shares the bytes (files are never rewritten in place); a copy where links fail.
    await link(join(root, base!.dir, entry.file), join(root, dir, entry.file)).catch(() => copyFile(join(root, base!.dir, entry.file), join(root, dir, entry.file)));
    namespaces[ns] = entry;
  }
  for (const [ns, b] of written.buffers) {
    // Concatenated gzip members are one valid gzip stream.
    const bytes = Buffer.concat(b.members);
    const file = namespaceFile(ns);
    await writeDurably(join(root, dir, file), bytes);
    namespaces[ns] = { file, sha256: sha256(bytes), bytes: bytes.length, advisories: b.advisories };
  }
  await opts.beforeManifest?.();
  const manifest: IndexManifest = { format: INDEX_FORMAT, generation, cluster, dir, sources: fingerprints.size, builtAt: Date.now(), namespaces: sortedKeys(namespaces), bySource };
  const tmp = `${manifestPath(dataDir)}.${process.pid}.tmp`;
  await writeDurably(tmp, JSON.stringify(manifest));
  await rename(tmp, manifestPath(dataDir));
  await rm(previousManifestPath(dataDir), { force: true });
  const generations = (await readdir(root)).filter((d) => d.startsWith('g-') && d !== dir).sort();
  for (const old of generations.slice(0, Math.max(0, generations.length - (KEEP_GENERATIONS - 1)))) await rm(join(root, old), { recursive: true, force: true });
  return true;
}

const sortedKeys = <T>(o: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));

/**
 * refreshAdvisoryIndex for importers: the index only saves time, so failing to write it must not
 * fail an import that committed — the manifest stays absent and scans read the database.
 */
export async function tryRefreshAdvisoryIndex(store: Store, warn: (m: string) => void = () => undefined): Promise<void> {
  try {
    await refreshAdvisoryIndex(store);
  } catch (err) {
    warn(`advisory index for scans not written (${(err as Error).message.split('\n')[0]}); scans read the database instead`);
  }
}
