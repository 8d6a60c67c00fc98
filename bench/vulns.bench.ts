/**
 * Vulnerability benchmark (issue #3), in one run:
 * - import rate of the real feeds in ../shared/data/vulndb on PGlite and PostgreSQL, with the
 *   readers alone (no database) as the same-run floor, and write-only (records already in memory);
 * - opening the advisory data as a CLI scan on the embedded store does (fresh process, first
 *   advisory read for a 2,000-package image): through the derived index, against through PGlite;
 * - matching a 2,000-package inventory against the loaded database (per-image advisory load +
 *   match), against matching with an index already in memory;
 * - re-matching 10,000 stored inventories (generated set-based from real feed package names and
 *   versions), against reading their package index alone;
 * - the reverse query ("images affected by X") at 100,000 image references, p50/p99 over real
 *   vulnerability ids as the HSS endpoint asks it, against the plain join it ran before.
 * PostgreSQL: a fresh database on BENCH_DATABASE_URL, else TEST_DATABASE_URL's server, else
 * postgres@127.0.0.1:5432; dropped afterwards. `--quick`: 1,000 inventories, 10,000 images.
 */
import { spawn } from 'node:child_process';
import { renameSync, statfsSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import pg from 'pg';
import { packageInventory, type Inventory, type InventoryPackage } from '../src/analysis/inventory.js';
import { TenantScope } from '../src/api/tenancy.js';
import { buildIndex, matchInventory } from '../src/detect/vulns/match.js';
import { loadForMatching, rematchAll } from '../src/jobs/rematch.js';
import { openStore, type Store } from '../src/store/open-store.js';
import { imagesAffectedBy, affectedImagesSql, containsPattern, type AffectedImagesQuery } from '../src/store/queries/affected-images.js';
import type { VisibilityScope } from '../src/store/queries/image-refs.js';
import { manifestPath } from '../src/vulndb/advisory-index-files.js';
import { refreshAdvisoryIndex } from '../src/vulndb/advisory-index-writer.js';
import { importSource, type ImportOptions } from '../src/vulndb/advisory-store.js';
import { loadIndexFor } from '../src/vulndb/index-loader.js';
import { readFeed } from '../src/vulndb/read-feed.js';
import { importTargets } from '../src/vulndb/update.js';
import type { Advisory } from '../src/vulndb/types.js';
import { repoRoot } from './measure.js';
import { seededRandom } from '../test/helpers/seeded-random.js';
import type { Bench, BenchRow } from './types.js';

const FEEDS = ['alpine-secdb', 'ubuntu-osv', 'almalinux-osv', 'pypa-advisory-db', 'go-vulndb', 'debian-security-tracker'];
const vulndb = join(repoRoot, '../shared/data/vulndb');

/** Replaces a feed folder's source with these records, under the id `db import` gave it. */
const replaceFeed = (store: Store, feed: string, records: Advisory[], opts?: ImportOptions): Promise<number> =>
  importSource(store, { id: `path:${join(vulndb, feed)}`, format: 'folder', location: join(vulndb, feed) }, records, Date.now(), opts);

const started = performance.now();
/** Progress on stderr (the report itself goes to stdout when the run ends). */
const step = (what: string): void => void process.stderr.write(`[vulns ${((performance.now() - started) / 1000).toFixed(1)} s] ${what}\n`);

const cpuMs = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; cpu: number }> {
  const c = cpuMs();
  const t = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t, cpu: cpuMs() - c };
}

/** CPU time of this database's server backends (same machine: /proc), to split client from server work. */
async function serverCpuMs(store: Store): Promise<number> {
  const { readFileSync } = await import('node:fs');
  const pids = await store.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
  let ms = 0;
  for (const { pid } of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ms += (Number(f[11]) + Number(f[12])) * 10; // utime + stime in clock ticks of 10 ms
    } catch {
      // a backend that ended meanwhile
    }
  }
  return ms;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Package names and the fixed versions the feeds name for them, per namespace. */
type Universe = Map<string, Map<string, string[]>>;

export function universeOf(advisories: Iterable<Advisory>): Universe {
  const u: Universe = new Map();
  for (const a of advisories) {
    for (const p of a.affected) {
      const fixed = p.ranges.map((r) => r.fixed).filter((v): v is string => typeof v === 'string' && v !== '0');
      if (fixed.length === 0) continue;
      let names = u.get(p.namespace);
      if (!names) u.set(p.namespace, (names = new Map()));
      names.set(p.name, [...(names.get(p.name) ?? []), ...fixed]);
    }
  }
  return u;
}

interface OsTemplate {
  os: { family: string; name: string; version: string; codename?: string };
  namespace: string;
  type: 'deb' | 'apk';
  distro: string;
}

export const OSES: OsTemplate[] = [
  { os: { family: 'debian', name: 'Debian GNU/Linux', version: '10', codename: 'buster' }, namespace: 'debian:10', type: 'deb', distro: 'debian-10' },
  { os: { family: 'debian', name: 'Debian GNU/Linux', version: '11', codename: 'bullseye' }, namespace: 'debian:11', type: 'deb', distro: 'debian-11' },
  { os: { family: 'alpine', name: 'Alpine Linux', version: '3.18.4' }, namespace: 'alpine:3.18', type: 'apk', distro: 'alpine-3.18' },
  { os: { family: 'alpine', name: 'Alpine Linux', version: '3.16.2' }, namespace: 'alpine:3.16', type: 'apk', distro: 'alpine-3.16' },
];

const LAYER = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

/**
 * A realistic package: a name the feeds know, at one of the versions they name as a fix (so some
 * advisories of the package are fixed in it and later ones are not), and for OS packages a binary
 * name that differs from its source now and then (lib…), as in real databases.
 */
function osPackage(t: OsTemplate, source: string, binary: string, versions: string[], r: () => number, layer: number): InventoryPackage {
  const version = versions[Math.floor(r() * versions.length)]!;
  return {
    type: t.type,
    name: binary,
    version,
    source,
    arch: 'amd64',
    layerDiffId: LAYER(layer),
    path: t.type === 'deb' ? '/var/lib/dpkg/status' : '/lib/apk/db/installed',
    purl: `pkg:${t.type}/${t.os.family}/${binary}@${version}?arch=amd64&distro=${t.distro}`,
  };
}

/** Binary packages of one source, as distributions split them (openssl → openssl, libssl…, …-common). */
const BINARIES = [(s: string) => s, (s: string) => `lib${s}`, (s: string) => `${s}-common`, (s: string) => `${s}-data`, (s: string) => `lib${s}-dev`, (s: string) => `${s}-utils`, (s: string) => `${s}-doc`];

function langPackage(type: 'pypi' | 'golang', name: string, versions: string[], r: () => number, layer: number): InventoryPackage {
  const raw = versions[Math.floor(r() * versions.length)]!;
  const version = type === 'golang' ? `v${raw}` : raw;
  return { type, name, version, layerDiffId: LAYER(layer), path: type === 'pypi' ? `/usr/lib/python3/site-packages/${name}.dist-info/METADATA` : '/usr/local/bin/app', purl: `pkg:${type}/${name}@${version}` };
}

function pick<T>(items: T[], n: number, r: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, n);
}

export function inventoryOf(t: OsTemplate, packages: InventoryPackage[], digest: string): Inventory {
  return packageInventory({ digest, configDigest: digest, platform: 'linux/amd64' }, t.os as Inventory['os'], packages);
}

/** `count` OS packages of the template plus `lang` PyPI and Go packages. */
export function generatePackages(u: Universe, t: OsTemplate, count: number, lang: number, r: () => number): InventoryPackage[] {
  const osNames = pick([...(u.get(t.namespace) ?? new Map<string, string[]>())], Infinity, r);
  const out: InventoryPackage[] = [];
  // Every source once with its main binary, then more binaries of the same sources if asked for more.
  for (let b = 0; b < BINARIES.length && out.length < count; b++) {
    for (const [source, versions] of osNames) {
      if (out.length >= count) break;
      out.push(osPackage(t, source, BINARIES[b]!(source), versions, r, out.length < count * 0.6 ? 1 : 2));
    }
  }
  const py = [...(u.get('pypi') ?? new Map<string, string[]>())];
  const go = [...(u.get('go') ?? new Map<string, string[]>())];
  // 40% Go modules as far as the feed names that many, PyPI projects for the rest
  const goPicked = pick(go, Math.floor(lang * 0.4), r);
  for (const [name, versions] of pick(py, lang - goPicked.length, r)) out.push(langPackage('pypi', name, versions, r, 3));
  for (const [name, versions] of goPicked) out.push(langPackage('golang', name, versions, r, 3));
  return out;
}

/**
 * Stores `inventories` manifests with their package index, set-based: 200 templates of real feed
 * package names (Debian 10/11, Alpine 3.16/3.18 bases, PyPI and Go on top), each manifest one
 * template with one in three versions drifted to another fixed version. Returns the package count.
 */
export async function seedStoredInventories(store: Store, universe: Universe, inventories: number): Promise<number> {
  const templates: Array<{ os: OsTemplate; packages: InventoryPackage[]; alt: InventoryPackage[] }> = [];
  const tr = seededRandom(7);
  for (let i = 0; i < 200; i++) {
    const os = OSES[i % OSES.length]!;
    const count = os.type === 'apk' ? 25 + Math.floor(tr() * 30) : 80 + Math.floor(tr() * 80);
    const packages = generatePackages(universe, os, count, Math.floor(tr() * 40), tr);
    // the same packages at another fixed version: images built at other times
    const alt = packages.map((p) => {
      const versions = (p.source ? universe.get(os.namespace)?.get(p.source) : universe.get(p.type === 'golang' ? 'go' : 'pypi')?.get(p.name)) ?? [p.version];
      const v = versions[Math.floor(tr() * versions.length)]!;
      return { ...p, version: p.type === 'golang' && !v.startsWith('v') ? `v${v}` : v };
    });
    templates.push({ os, packages, alt });
  }
  const flat = templates.flatMap((t, ti) => t.packages.map((p, oi) => ({ ti, oi, p, alt: t.alt[oi]!.version })));
  await sql`CREATE TEMP TABLE bench_tpl AS SELECT * FROM unnest(
      ${flat.map((x) => x.ti)}::int[], ${flat.map((x) => x.oi)}::int[], ${flat.map((x) => x.p.type)}::text[], ${flat.map((x) => x.p.name)}::text[],
      ${flat.map((x) => x.p.version)}::text[], ${flat.map((x) => x.alt)}::text[], ${flat.map((x) => x.p.source ?? null)}::text[], ${flat.map((x) => x.p.path)}::text[], ${flat.map((x) => x.p.purl)}::text[]
    ) AS t(tpl, ordinal, type, name, version, alt_version, source, path, purl)`.execute(store.db);
  await sql`CREATE TEMP TABLE bench_os AS SELECT * FROM unnest(${templates.map((_, i) => i)}::int[], ${templates.map((t) => JSON.stringify(t.os.os))}::jsonb[], ${templates.map((t) => t.os.os.family)}::text[], ${templates.map((t) => t.os.os.version)}::text[]) AS o(tpl, os, family, version)`.execute(store.db);
  await sql`INSERT INTO manifests (digest, config_digest, size, platform, os_family, os_version, os, analyzed_at, inventory, analyzer_set)
    SELECT 'sha256:' || lpad(to_hex(m), 64, '0'), 'sha256:' || lpad(to_hex(m + 1000000), 64, '0'), 50000000, 'linux/amd64', o.family, o.version, o.os, 0, '{}'::jsonb, 'bench'
    FROM generate_series(1, ${inventories}) m JOIN bench_os o ON o.tpl = m % 200`.execute(store.db);
  await sql`INSERT INTO manifest_packages (manifest_digest, ordinal, type, name, version, source, source_version, arch, layer_diff_id, path, purl, evidence, epoch)
    SELECT 'sha256:' || lpad(to_hex(m), 64, '0'), t.ordinal, t.type, t.name,
           CASE WHEN (m / 200 + t.ordinal) % 3 = 0 THEN t.alt_version ELSE t.version END,
           t.source, NULL, CASE WHEN t.source IS NULL THEN NULL ELSE 'amd64' END,
           -- OS packages come from the template's base layer (one diffID shared by every image on that
           -- base, as with real images), language packages from a layer of the image's own
           CASE WHEN t.source IS NULL THEN 'sha256:' || lpad(to_hex(m + 2000000), 64, '0') ELSE 'sha256:' || lpad(to_hex(t.tpl + 3000000), 64, '0') END,
           t.path, t.purl, NULL, NULL
    FROM generate_series(1, ${inventories}) m JOIN bench_tpl t ON t.tpl = m % 200`.execute(store.db);
  await sql`ANALYZE manifests`.execute(store.db);
  await sql`ANALYZE manifest_packages`.execute(store.db);
  return (await store.query<{ n: number }>('SELECT count(*)::int8 AS n FROM manifest_packages'))[0]!.n;
}

/**
 * The reverse query's baseline: findings joined to image references and grouped per repository,
 * software and version, the groups counted in a second statement — the plain form the HSS endpoint
 * ran (listAffectedImages) before it used imagesAffectedBy. Same filters, same page.
 */
async function plainJoinAffected(store: Store, scope: VisibilityScope, vulnId: string, f: Partial<AffectedImagesQuery>): Promise<number> {
  const parts: RawBuilder<SqlBool>[] = [sql<SqlBool>`(v.vuln_id = ${vulnId} OR v.aliases @> ARRAY[${vulnId}]::text[])`, scope.visible('i'), sql<SqlBool>`i.image_type = 'private_image'`];
  if (f.namespace !== undefined) parts.push(sql<SqlBool>`i.namespace = ${f.namespace}`);
  if (f.imageName !== undefined) parts.push(sql<SqlBool>`i.image_name ILIKE ${containsPattern(f.imageName)} ESCAPE '\\'`);
  if (f.appName !== undefined) parts.push(sql<SqlBool>`v.package_name = ${f.appName}`);
  const hits = sql`
    SELECT DISTINCT i.id, i.image_type, i.registry_id, i.namespace, i.image_name, i.image_version, i.size, i.latest_scan_time,
           v.package_name AS app_name, v.installed_version AS version
    FROM vuln_findings v JOIN images i ON i.digest = v.manifest_digest
    WHERE ${sql.join(parts, sql` AND `)}`;
  const key = sql`h.image_type, h.registry_id, h.namespace, h.image_name, h.app_name, h.version`;
  const [count] = (await sql<{ n: number }>`SELECT count(*)::int8 AS n FROM (SELECT 1 FROM (${hits}) h GROUP BY ${key}) g`.execute(store.db)).rows;
  if (!count?.n) return 0;
  await sql`
    SELECT ${key}, jsonb_agg(jsonb_build_object('image_id', h.id, 'image_version', h.image_version, 'size', h.size, 'latest_scan_time', h.latest_scan_time)
                             ORDER BY h.image_version, h.id) AS tags
    FROM (${hits}) h
    GROUP BY ${key}
    ORDER BY h.namespace, h.image_name, h.image_type, h.registry_id NULLS FIRST, h.app_name, h.version
    LIMIT 10`.execute(store.db);
  return count.n;
}

/** A fresh PostgreSQL database for the bench, or null when no server answers. */
async function serverDatabase(): Promise<{ url: string; drop(): Promise<void> } | null> {
  const base = new URL(process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const name = `tarsier_bench_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: base.toString(), connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  } catch {
    return null;
  } finally {
    await admin.end().catch(() => undefined);
  }
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: base.toString() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Runs a module script in a fresh `node --import tsx` process; resolves with its stdout. */
function child(script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DATABASE_URL: '' } });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited ${code}: ${err}`))));
  });
}

const bench: Bench = async ({ workDir, quick }) => {
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  const inventories = quick ? 1_000 : 10_000;
  const imageRefs = quick ? 10_000 : 100_000;
  const targets = FEEDS.map((f) => join(vulndb, f));

  step('reading the feeds');
  // ---- readers alone: the floor of any import
  const perFeed: string[] = [];
  const records = new Map<string, Advisory[]>();
  const read = await timed(async () => {
    let n = 0;
    for (const f of FEEDS) {
      const one = await timed(async () => {
        const list: Advisory[] = [];
        for await (const a of readFeed(join(vulndb, f))) if (!a.withdrawn) list.push(a);
        return list;
      });
      records.set(f, one.value);
      n += one.value.length;
      perFeed.push(`${f} ${one.value.length.toLocaleString('en-US')} in ${(one.ms / 1000).toFixed(2)} s (${Math.round(one.value.length / (one.ms / 1000)).toLocaleString('en-US')}/s)`);
    }
    return n;
  });
  const total = read.value;
  rows.push({ metric: `feed readers alone, ${total.toLocaleString('en-US')} advisories (wall)`, value: total / (read.ms / 1000), unit: 'advisories/s' });
  notes.push(`readers per feed: ${perFeed.join('; ')}; reading used ${(read.cpu / 1000).toFixed(2)} s CPU.`);

  step('PGlite import');
  // ---- PGlite: end-to-end import (fresh database), then write-only re-import (replacing every source)
  const dataDir = join(workDir, 'pglite');
  const embedded = await openStore({ dataDir });
  const e2e = await timed(() => importTargets(embedded, targets));
  const failed = e2e.value.filter((o) => o.error);
  if (failed.length > 0) throw new Error(`import failed: ${failed.map((o) => o.error).join('; ')}`);
  const imported = e2e.value.reduce((n, o) => n + (o.records ?? 0), 0);
  /** An end-to-end import rate against the readers alone, judged by the issue's target. */
  const importRate = (metric: string, advisories: number, ms: number) => {
    const value = advisories / (ms / 1000);
    return { metric, value, unit: 'advisories/s', baseline: { name: 'readers alone', value: total / (read.ms / 1000) }, target: '≥ 20,000/s', pass: value >= 20_000 };
  };
  rows.push(importRate('import, PGlite, end to end (db import of the six feed folders)', imported, e2e.ms));
  const writeOnly = await timed(async () => {
    for (const f of FEEDS) await replaceFeed(embedded, f, records.get(f)!, { refreshIndex: false });
  });
  rows.push({ metric: 'import, PGlite, write only (records in memory, replacing the sources)', value: imported / (writeOnly.ms / 1000), unit: 'advisories/s' });
  // What every import on the embedded store adds at its end (included in the end-to-end figure above).
  const rebuild = await timed(() => refreshAdvisoryIndex(embedded));
  if (!rebuild.value) throw new Error('the derived advisory index was not rebuilt after the import');
  rows.push({ metric: `derived advisory index for CLI scans: full rebuild of ${imported.toLocaleString('en-US')} advisories (wall)`, value: rebuild.ms, unit: 'ms' });
  notes.push(`index rebuild: ${(rebuild.cpu / 1000).toFixed(2)} s CPU; it is part of the end-to-end import figure (db import rebuilds it once, after all sources).`);
  notes.push(
    `PGlite import: end to end ${(e2e.ms / 1000).toFixed(2)} s wall / ${(e2e.cpu / 1000).toFixed(2)} s CPU (reading + the in-process WASM PostgreSQL); write only ${(writeOnly.ms / 1000).toFixed(2)} s wall / ${(writeOnly.cpu / 1000).toFixed(2)} s CPU. CPU time is the figure an idle machine would approach: ${Math.round(imported / (e2e.cpu / 1000)).toLocaleString('en-US')}/s end to end.`,
  );

  step('matching 2,000 packages');
  // ---- matching 2,000 packages against the loaded database (the CLI scan path)
  const universe = universeOf([...records.values()].flat());
  const r = seededRandom(2026);
  const big = inventoryOf(OSES[0]!, generatePackages(universe, OSES[0]!, 1_500, 500, r), 'sha256:match-2000');
  // "After load": the image's advisories loaded from the database and indexed (what a scan does
  // first), then the match itself, on that fresh index. Median of 3 loads in one warm process.
  const loadAndMatch = async (store: Store) => {
    const load = await timed(() => loadIndexFor(store, big));
    const match = await timed(async () => matchInventory(big, load.value).vulnerabilities.length);
    return { loadMs: load.ms, matchMs: match.ms, findings: match.value };
  };
  const median = <T>(xs: T[], by: (x: T) => number): T => [...xs].sort((a, b) => by(a) - by(b))[Math.floor(xs.length / 2)]!;
  const embeddedRuns = [await loadAndMatch(embedded), await loadAndMatch(embedded), await loadAndMatch(embedded)];
  const inMemoryIndex = buildIndex([...records.values()].flat());
  matchInventory(big, inMemoryIndex);
  const memMatch = await timed(async () => matchInventory(big, inMemoryIndex).vulnerabilities.length);
  const embeddedMatch = median(embeddedRuns, (x) => x.matchMs);
  rows.push({
    metric: `match ${big.packages.length.toLocaleString('en-US')} packages after load (fresh per-image index, median of 3)`,
    value: embeddedMatch.matchMs,
    unit: 'ms',
    baseline: { name: 'same match on a warm index of all feeds', value: memMatch.ms },
    target: '≤ 200 ms',
    pass: embeddedMatch.matchMs <= 200,
  });
  rows.push({ metric: 'load of that image\'s advisories from PGlite + index build (median of 3)', value: median(embeddedRuns, (x) => x.loadMs).loadMs, unit: 'ms' });
  rows.push({ metric: 'first load + match in the process (a CLI scan: cold code paths)', value: embeddedRuns[0]!.loadMs + embeddedRuns[0]!.matchMs, unit: 'ms' });
  notes.push(`the 2,000-package inventory (Debian 10: 1,500 deb from the DSA/DLA source names at versions the feeds name as fixes, 300 PyPI, 200 Go) has ${embeddedMatch.findings} findings.`);
  await embedded.close();

  step('opening the advisory data in fresh processes');
  // ---- what a CLI scan on the embedded store pays before its first finding: a fresh process,
  // the advisories of a 2,000-package image loaded through cli-access (modules loaded on first use
  // included), via the derived index and, with its manifest moved aside, via PGlite.
  const inventoryFile = join(workDir, 'inventory-2000.json');
  writeFileSync(inventoryFile, JSON.stringify(big));
  const scanOpenScript = `
    const { readFileSync } = await import('node:fs');
    const inventory = JSON.parse(readFileSync(${JSON.stringify(inventoryFile)}, 'utf8'));
    const { advisoryAccess } = await import('./src/vulndb/cli-access.ts');
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const warnings = [];
    const access = advisoryAccess({ dataDir: ${JSON.stringify(dataDir)}, warn: (m) => warnings.push(m) });
    const index = await access.loader(inventory);
    const t1 = performance.now();
    const c = process.cpuUsage(c0);
    await access.close();
    if (warnings.length > 0) throw new Error(warnings.join('; '));
    process.stdout.write(JSON.stringify({ ms: t1 - t0, cpu: (c.user + c.system) / 1000, hasDebian: index.hasNamespace('debian:10') }));`;
  type ScanOpen = { ms: number; cpu: number; hasDebian: boolean };
  const bestOf3 = async (): Promise<ScanOpen> => {
    const runs: ScanOpen[] = [];
    for (let i = 0; i < 3; i++) runs.push(JSON.parse(await child(scanOpenScript)) as ScanOpen);
    if (!runs.every((x) => x.hasDebian)) throw new Error('the scan path found no debian:10 advisories');
    return runs.sort((a, b) => a.ms - b.ms)[0]!;
  };
  const viaIndex = await bestOf3();
  renameSync(manifestPath(dataDir), `${manifestPath(dataDir)}.aside`);
  let viaDatabase: ScanOpen;
  try {
    viaDatabase = await bestOf3();
  } finally {
    renameSync(`${manifestPath(dataDir)}.aside`, manifestPath(dataDir));
  }
  rows.push({
    metric: 'open the embedded advisory data for a CLI scan: fresh process, first advisory read of a 2,000-package image, via the derived index (best of 3)',
    value: viaIndex.ms,
    unit: 'ms',
    baseline: { name: 'same via PGlite (index manifest moved aside)', value: viaDatabase.ms },
    target: '≤ 1,000 ms',
    pass: viaIndex.ms <= 1000,
  });
  rows.push({ metric: 'CPU time of that open via the derived index (all threads)', value: viaIndex.cpu, unit: 'ms', baseline: { name: 'via PGlite (WebAssembly compilation included)', value: viaDatabase.cpu } });
  notes.push(`load average at the open measurements: ${loadavg().map((l) => l.toFixed(2)).join(' / ')} (1/5/15 min).`);

  step('PostgreSQL');
  // ---- PostgreSQL
  const server = await serverDatabase();
  if (!server) {
    notes.push('PostgreSQL: no server answered; its rows are missing.');
    return { title: 'Vulnerabilities: feeds, matching, re-match, reverse index', rows, notes };
  }
  const freeGiB = statfsSync(workDir).bavail * statfsSync(workDir).bsize / 2 ** 30;
  notes.push(`PostgreSQL: ${new URL(server.url).host} (fresh database, dropped afterwards); free space beside the bench: ${freeGiB.toFixed(1)} GiB.`);
  const store = await openStore({ databaseUrl: server.url, poolSize: 4 });
  try {
    const srv0 = await serverCpuMs(store);
    const pgE2e = await timed(() => importTargets(store, targets));
    const srv1 = await serverCpuMs(store);
    const pgImported = pgE2e.value.reduce((n, o) => n + (o.records ?? 0), 0);
    rows.push(importRate('import, PostgreSQL, end to end', pgImported, pgE2e.ms));
    const pgWrite = await timed(async () => {
      for (const f of FEEDS) await replaceFeed(store, f, records.get(f)!);
    });
    const srv2 = await serverCpuMs(store);
    rows.push({ metric: 'import, PostgreSQL, write only (replacing the sources)', value: pgImported / (pgWrite.ms / 1000), unit: 'advisories/s' });
    notes.push(
      `PostgreSQL import: end to end ${(pgE2e.ms / 1000).toFixed(2)} s wall, ${(pgE2e.cpu / 1000).toFixed(2)} s client CPU (reading included), ${((srv1 - srv0) / 1000).toFixed(2)} s server CPU; write only ${(pgWrite.ms / 1000).toFixed(2)} s wall, ${(pgWrite.cpu / 1000).toFixed(2)} s client CPU, ${((srv2 - srv1) / 1000).toFixed(2)} s server CPU.`,
    );
    const pgRuns = [await loadAndMatch(store), await loadAndMatch(store), await loadAndMatch(store)];
    rows.push({ metric: 'load of that image\'s advisories from PostgreSQL + index build (median of 3)', value: median(pgRuns, (x) => x.loadMs).loadMs, unit: 'ms' });

    // ---- stored inventories, generated set-based (see seedStoredInventories)
    const gen = await timed(() => seedStoredInventories(store, universe, inventories));
    notes.push(`${inventories.toLocaleString('en-US')} stored inventories (${gen.value.toLocaleString('en-US')} packages; Debian 10/11 and Alpine 3.16/3.18 bases from 200 templates of real feed package names, PyPI and Go on top, one in three versions drifted) generated set-based in ${(gen.ms / 1000).toFixed(1)} s.`);

    step('reading inputs, then re-match');
    const readInputs = await timed(async () => {
      const digests = (await store.db.selectFrom('manifests').select('digest').orderBy('digest').execute()).map((x) => x.digest);
      let n = 0;
      // what the re-match reads of the package index, in its pages of 500
      for (let i = 0; i < digests.length; i += 500) n += (await loadForMatching(store, digests.slice(i, i + 500))).size;
      return n;
    });
    const srv3 = await serverCpuMs(store);
    const rematch = await timed(() => rematchAll(store));
    const srv4 = await serverCpuMs(store);
    rows.push({
      metric: `re-match ${inventories.toLocaleString('en-US')} stored inventories, PostgreSQL, first (every finding written)`,
      value: rematch.ms / 1000,
      unit: 's',
      baseline: { name: 'reading their package index alone', value: readInputs.ms / 1000 },
      target: quick ? '≤ 1 s (10,000 ≤ 10 s)' : '≤ 10 s',
      pass: rematch.ms / 1000 <= inventories / 1000,
    });
    notes.push(`first re-match: ${rematch.value.findings.toLocaleString('en-US')} findings in ${rematch.value.changed.toLocaleString('en-US')} manifests written; ${(rematch.cpu / 1000).toFixed(2)} s client CPU, ${((srv4 - srv3) / 1000).toFixed(2)} s server CPU.`);
    // After a database update that leaves most images' findings as they were: the Debian feed
    // re-imported with one advisory withdrawn — the DLA found in the fewest stored images (at least
    // one), so only those images are rewritten.
    const debian = records.get('debian-security-tracker')!;
    const [rarest] = await store.query<{ id: string }>(
      `SELECT a.id FROM vuln_findings v, unnest(v.aliases) AS a(id) WHERE a.id LIKE 'DLA-%' GROUP BY a.id ORDER BY count(DISTINCT v.manifest_digest), a.id LIMIT 1`,
    );
    const dropped = debian.find((a) => a.id === rarest?.id) ?? debian.find((a) => a.affected.some((p) => p.namespace === 'debian:10'))!;
    await replaceFeed(store, 'debian-security-tracker', debian.filter((a) => a !== dropped));
    const srv5 = await serverCpuMs(store);
    const again = await timed(() => rematchAll(store));
    const srv6 = await serverCpuMs(store);
    rows.push({
      metric: `re-match ${inventories.toLocaleString('en-US')} stored inventories after an update (${dropped.id} withdrawn)`,
      value: again.ms / 1000,
      unit: 's',
      baseline: { name: 'reading their package index alone', value: readInputs.ms / 1000 },
      target: quick ? '≤ 1 s (10,000 ≤ 10 s)' : '≤ 10 s',
      pass: again.ms / 1000 <= inventories / 1000,
    });
    notes.push(`re-match after the update: ${again.value.changed.toLocaleString('en-US')} of ${again.value.manifests.toLocaleString('en-US')} manifests had changed findings and were rewritten; ${(again.cpu / 1000).toFixed(2)} s client CPU, ${((srv6 - srv5) / 1000).toFixed(2)} s server CPU.`);

    step('generating image references');
    // ---- the reverse query at N image references (plus another project's, which must cost nothing)
    const imgGen = await timed(async () => {
      await store.db.insertInto('projects').values([{ id: 'bench', name: 'bench', created_at: 0 }, { id: 'other', name: 'other', created_at: 0 }]).execute();
      await sql`INSERT INTO images (id, project_id, enterprise_project_id, registry_id, image_type, namespace, image_name, image_version, reference, digest, size, scan_status, latest_scan_time, created_at)
        SELECT 'img-' || g, CASE WHEN g % 10 = 0 THEN 'other' ELSE 'bench' END, (ARRAY['0', 'ep1', 'ep2', 'ep3'])[1 + g % 4], NULL, 'private_image',
               'org' || (g % 200), 'service-' || (g % 5000), 'v' || (g / 5000) || '.' || (g % 7), 'r',
               'sha256:' || lpad(to_hex(1 + (g * 7919) % ${inventories}), 64, '0'), 50000000, 'success', g, 0
        FROM generate_series(1, ${imageRefs}) g`.execute(store.db);
      await sql`ANALYZE`.execute(store.db);
    });
    const vulnIds = await store.query<{ vuln_id: string; n: number }>('SELECT vuln_id, count(*)::int8 AS n FROM vuln_findings GROUP BY vuln_id');
    const byPopularity = [...vulnIds].sort((a, b) => b.n - a.n);
    const qr = seededRandom(11);
    const uniform = Array.from({ length: 150 }, () => vulnIds[Math.floor(qr() * vulnIds.length)]!.vuln_id);
    // weighted by how many findings name the id: the vulnerabilities of shared base images come up most
    const weighted = await store.query<{ vuln_id: string }>('SELECT vuln_id FROM vuln_findings TABLESAMPLE BERNOULLI (5) REPEATABLE (11) LIMIT 150');
    // Mixed filters, each with the tenancy scope the API builds (project, optionally enterprise projects).
    const filters = (i: number): { eps?: string[]; q: Partial<AffectedImagesQuery> } =>
      [{ q: {} }, { q: {} }, { q: { imageName: 'SERVICE-12' } }, { q: { namespace: `org${i % 200}` } }, { eps: ['0', 'ep1'], q: {} }, { q: { appName: 'openssl' } }][i % 6]!;
    const everyEp = new TenantScope('bench', undefined, '0');
    const runQueries = async (ids: string[], engine: 'ours' | 'plain join'): Promise<number[]> => {
      const times: number[] = [];
      for (const [i, vulnId] of ids.entries()) {
        const { eps, q } = filters(i);
        const scope = new TenantScope('bench', eps, '0');
        const t = performance.now();
        // What the HSS endpoint asks: one row per repository, software and version.
        if (engine === 'ours') await imagesAffectedBy(store, scope, { vulnId, imageTypes: ['private_image'], groupBy: 'image-app', offset: 0, limit: 10, ...q });
        else await plainJoinAffected(store, scope, vulnId, q);
        times.push(performance.now() - t);
      }
      return times.sort((a, b) => a - b);
    };
    step('reverse queries');
    await runQueries(uniform.slice(0, 20), 'ours'); // warm caches and plans
    const oursUniform = await runQueries(uniform, 'ours');
    const oursWeighted = await runQueries(weighted.map((w) => w.vuln_id), 'ours');
    const plainWeighted = await runQueries(weighted.map((w) => w.vuln_id), 'plain join');
    rows.push({
      metric: `reverse query at ${imageRefs.toLocaleString('en-US')} images, p99, vulnerability ids drawn uniformly (150 queries)`,
      value: percentile(oursUniform, 99),
      unit: 'ms',
      target: '≤ 20 ms',
      pass: percentile(oursUniform, 99) <= 20,
    });
    rows.push({ metric: 'reverse query, p50, ids drawn uniformly', value: percentile(oursUniform, 50), unit: 'ms' });
    rows.push({
      metric: 'reverse query, p99, ids drawn by how many findings name them (150 queries)',
      value: percentile(oursWeighted, 99),
      unit: 'ms',
      baseline: { name: 'the plain join the endpoint ran before', value: percentile(plainWeighted, 99) },
      target: '≤ 20 ms',
      pass: percentile(oursWeighted, 99) <= 20,
    });
    rows.push({ metric: 'reverse query, p50, ids drawn by findings', value: percentile(oursWeighted, 50), unit: 'ms', baseline: { name: 'plain join', value: percentile(plainWeighted, 50) } });
    const top = byPopularity[0]!;
    const worst = await timed(() => imagesAffectedBy(store, everyEp, { vulnId: top.vuln_id, imageTypes: ['private_image'], groupBy: 'image-app', offset: 0, limit: 10 }));
    rows.push({ metric: `reverse query for the most common id (${top.vuln_id}: ${top.n.toLocaleString('en-US')} findings, ${worst.value.total.toLocaleString('en-US')} entries)`, value: worst.ms, unit: 'ms' });
    const compiled = affectedImagesSql(everyEp, { vulnId: weighted[0]!.vuln_id, imageTypes: ['private_image'], groupBy: 'image-app', offset: 0, limit: 10 }).compile(store.db);
    const plan = (await store.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${compiled.sql}`, [...compiled.parameters])).map((p) => p['QUERY PLAN']).join('\n');
    const used = ['vuln_findings_vuln_id', 'vuln_findings_aliases', 'images_digest'].filter((i) => plan.includes(i));
    notes.push(
      `reverse query data: ${imageRefs.toLocaleString('en-US')} image references (10% in another project; 200 organisations, 5,000 repositories, four enterprise projects) over the ${inventories.toLocaleString('en-US')} re-matched manifests, generated in ${(imgGen.ms / 1000).toFixed(1)} s; ${vulnIds.length.toLocaleString('en-US')} distinct ids. Queries mix no filter, fuzzy name, namespace, enterprise projects and software; page of 10. The plan uses ${used.join(', ') || 'none of the expected indexes'}.`,
    );
  } finally {
    await store.close();
    // BENCH_KEEP_DB=1 keeps the filled database for EXPLAIN ANALYZE afterwards (its URL on stderr).
    if (process.env.BENCH_KEEP_DB) process.stderr.write(`bench: kept ${server.url}\n`);
    else await server.drop();
  }
  return { title: `Vulnerabilities: feeds, matching, re-match, reverse index${quick ? ' (quick)' : ''}`, rows, notes };
};

export default bench;
