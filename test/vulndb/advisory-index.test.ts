/**
 * The derived advisory index a CLI scan reads instead of starting PGlite: on the bundled snapshot
 * plus real feeds of ../shared/data/vulndb, the demo images and real package databases get exactly
 * the findings through the index that they get through the database; `db import` of a newer feed
 * refreshes it (a newer DSA reaches the scan); a damaged or truncated namespace file is detected by
 * its checksum and the scan reads the database instead.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/analysis/analyze-image.js';
import { parseReleaseFile } from '../../src/analysis/analyzers/os-release.js';
import { packageInventory, type Inventory, type InventoryPackage } from '../../src/analysis/inventory.js';
import { parseApkInstalled } from '../../src/analysis/os-pkg/apk-installed.js';
import { parseDpkgStatus } from '../../src/analysis/os-pkg/dpkg-status.js';
import type { OsInfo, Package } from '../../src/analysis/types.js';
import { writeDemoImages } from '../../src/demo/demo-images.js';
import { matchInventory } from '../../src/detect/vulns/match.js';
import { openImage } from '../../src/image/open-image.js';
import { scanSource } from '../../src/scan/pipeline.js';
import type { Store } from '../../src/store/open-store.js';
import { indexRoot, manifestPath, previousManifestPath, type IndexManifest } from '../../src/vulndb/advisory-index-files.js';
import { loadIndexFromFiles } from '../../src/vulndb/advisory-index-reader.js';
import { advisoryGeneration } from '../../src/vulndb/advisory-generation.js';
import { refreshAdvisoryIndex } from '../../src/vulndb/advisory-index-writer.js';
import { importSource } from '../../src/vulndb/advisory-store.js';
import { advisoryAccess } from '../../src/vulndb/cli-access.js';
import type { Advisory } from '../../src/vulndb/types.js';
import { loadIndexFor } from '../../src/vulndb/index-loader.js';
import { importTargets } from '../../src/vulndb/update.js';
import { backends } from '../helpers/stores.js';

const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const SNAPSHOT = join(REPO, 'data/advisories');
const SHARED = resolve(REPO, '../shared/data');
const FEEDS = ['debian-security-tracker', 'alpine-secdb', 'ubuntu-osv'].map((f) => join(SHARED, 'vulndb', f));
/** The day the shared data was gathered: end-of-life findings are pinned to it. */
const NOW = new Date('2026-11-23T12:00:00Z');
const LAYER = 'sha256:1111111111111111111111111111111111111111111111111111111111111111';
const pglite = backends.find((b) => b.name === 'pglite')!;

function pkgdbInventory(os: OsInfo, packages: Package[]): Inventory {
  const artifact = { ref: 'test', type: 'docker-archive' as const, digest: 'sha256:d', configDigest: 'sha256:c', layers: [{ digest: 'sha256:l', diffId: LAYER, size: 0 }], platform: 'linux/amd64' };
  return packageInventory(artifact, os, packages.map((p): InventoryPackage => ({ ...p, layerDiffId: LAYER })));
}

function osRelease(file: string): OsInfo {
  const result = parseReleaseFile('os-release', readFileSync(file, 'utf8'));
  if (!('os' in result)) throw new Error(result.problem);
  return result.os;
}

const dpkg = (dir: string): Package[] => parseDpkgStatus(readFileSync(join(SHARED, 'pkgdb/dpkg', dir, 'var/lib/dpkg/status')), { path: 'var/lib/dpkg/status', statusDir: false }).packages;
const apk = (dir: string): Package[] => parseApkInstalled(readFileSync(join(SHARED, 'pkgdb/apk', dir, 'lib/apk/db/installed')), 'lib/apk/db/installed').packages;

/** One DSA in data/DSA/list format, for buster's bash (the demo Debian 10 image has bash 5.0-4). */
const DSA = `[01 Jan 2030] DSA-9999-1 bash - security update
\t{CVE-2030-0001}
\t[buster] - bash 5.0-5
`;

describe('derived advisory index of the embedded store', () => {
  let handle: Awaited<ReturnType<typeof pglite.create>>;
  let store: Store;
  let dataDir: string;
  let work: string;
  const inventories = new Map<string, Inventory>();

  const viaDatabase = async (inv: Inventory) => matchInventory(inv, await loadIndexFor(store, inv), { now: NOW });
  const viaFiles = (inv: Inventory) => {
    const loaded = loadIndexFromFiles(dataDir, inv);
    expect(loaded, 'the index is present and current').toBeDefined();
    return matchInventory(inv, loaded!.index, { now: NOW });
  };
  const manifest = async (): Promise<IndexManifest> => JSON.parse(await readFile(manifestPath(dataDir), 'utf8')) as IndexManifest;

  beforeAll(async () => {
    handle = await pglite.create();
    store = handle.store;
    dataDir = handle.dataDir!;
    work = await mkdtemp(join(tmpdir(), 'tarsier-advisory-index-'));
    for (const image of (await writeDemoImages(join(work, 'images'))).filter((i) => ['demo/debian:10', 'demo/alpine:3.18', 'demo/ubuntu:16.04'].includes(i.name))) {
      const source = await openImage(image.ref, { maxImageBytes: DEFAULT_LIMITS.maxImageBytes });
      try {
        const { inventory } = await scanSource(source, { cache: null, limits: DEFAULT_LIMITS, platform: 'linux/amd64', detect: { ignoreUnfixed: false } });
        inventories.set(image.name, inventory);
      } finally {
        await source.close();
      }
    }
    inventories.set('pkgdb debian11-bullseye-minbase', pkgdbInventory(osRelease(join(SHARED, 'pkgdb/dpkg/debian11-bullseye-minbase/usr/lib/os-release')), dpkg('debian11-bullseye-minbase')));
    inventories.set('pkgdb debian10-claircore-postgresql', pkgdbInventory({ family: 'debian', name: 'Debian GNU/Linux', version: '10', codename: 'buster' }, dpkg('debian10-claircore-postgresql')));
    inventories.set('pkgdb ubuntu1804-trivy-valid', pkgdbInventory({ family: 'ubuntu', name: 'Ubuntu', version: '18.04', codename: 'bionic' }, dpkg('ubuntu1804-trivy-valid')));
    inventories.set('pkgdb alpine318-scalibr', pkgdbInventory({ family: 'alpine', name: 'Alpine Linux', version: '3.18.0' }, apk('alpine318-scalibr')));
    const outcomes = await importTargets(store, [SNAPSHOT, ...FEEDS]);
    expect(outcomes.filter((o) => o.error)).toEqual([]);
  }, 180_000);

  afterAll(async () => {
    await handle?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('is written by the import, for the store generation it holds', async () => {
    const m = await manifest();
    expect(m.generation).toBe(await advisoryGeneration(store));
    expect(m.sources).toBe(1 + FEEDS.length);
    // one file per namespace: Debian, Alpine branches and Ubuntu releases each on their own
    expect(Object.keys(m.namespaces).length).toBeGreaterThan(5);
  });

  it('gives every real image and package database exactly the findings the database gives', async () => {
    let total = 0;
    for (const [name, inv] of inventories) {
      const expected = await viaDatabase(inv);
      expect(viaFiles(inv), name).toEqual(expected);
      total += expected.vulnerabilities.length;
    }
    // not an agreement of two empty answers
    expect(total).toBeGreaterThan(50);
    expect((await viaDatabase(inventories.get('demo/debian:10')!)).vulnerabilities.some((v) => v.id === 'CVE-2021-3449' && v.packageName === 'libssl1.1')).toBe(true);
  });

  it('is refreshed by a `db import` of a newer feed', async () => {
    const before = await manifest();
    const debian = inventories.get('demo/debian:10')!;
    expect(viaFiles(debian).vulnerabilities.some((v) => v.id === 'DSA-9999-1' || v.aliases.includes('CVE-2030-0001'))).toBe(false);
    const list = join(work, 'DSA-list');
    await writeFile(list, DSA);
    expect((await importTargets(store, [list]))[0]).toMatchObject({ records: 1 });
    const after = await manifest();
    expect(after.generation).not.toBe(before.generation);
    expect(after.generation).toBe(await advisoryGeneration(store));
    const found = viaFiles(debian);
    expect(found.vulnerabilities.some((v) => v.packageName === 'bash' && (v.id === 'CVE-2030-0001' || v.aliases.includes('CVE-2030-0001')))).toBe(true);
    expect(found).toEqual(await viaDatabase(debian));
  });

  it('rewrites only the namespaces of the source an import replaced; every other file is reused as it was', async () => {
    const before = await manifest();
    const fileOf = (m: IndexManifest, ns: string) => join(indexRoot(dataDir), m.dir, m.namespaces[ns]!.file);
    const stats = new Map(Object.keys(before.namespaces).map((ns) => [ns, statSync(fileOf(before, ns))]));
    // one real Alpine advisory, imported again as a source of its own
    const [row] = await store.query<{ record: string }>(
      "SELECT a.record FROM advisories a JOIN advisory_packages p ON p.advisory_pk = a.pk WHERE p.namespace LIKE 'alpine:%' ORDER BY a.pk LIMIT 1",
    );
    const record = JSON.parse(row!.record) as Advisory;
    const touched = new Set(record.affected.map((p) => p.namespace));
    expect(touched.size).toBeLessThan(Object.keys(before.namespaces).length);
    expect(await importSource(store, { id: 'path:/one-record', format: 'osv', location: '/one-record' }, [{ ...record, id: 'TEST-ONE-1', aliases: [] }])).toBe(1);
    const after = await manifest();
    expect(after.dir).not.toBe(before.dir);
    expect(after.bySource?.['path:/one-record']?.namespaces).toEqual([...touched].sort());
    for (const [ns, st] of stats) {
      const now = statSync(fileOf(after, ns));
      if (touched.has(ns)) expect(now.ino, ns).not.toBe(st.ino);
      else expect([now.ino, now.mtimeMs], ns).toEqual([st.ino, st.mtimeMs]);
    }
    for (const inv of inventories.values()) expect(viaFiles(inv)).toEqual(await viaDatabase(inv));
  });

  it('leaves the previous manifest or none when it stops between the files and the manifest, and the scan reads the database', async () => {
    const debian = inventories.get('demo/debian:10')!;
    const crash = new Error('simulated crash');
    // A stale manifest in place (no import moved it aside): the swap keeps it whole until the rename.
    const old = await readFile(manifestPath(dataDir), 'utf8');
    await store.query("UPDATE advisory_sources SET updated_at = updated_at + 1 WHERE id = 'path:/one-record'");
    await expect(refreshAdvisoryIndex(store, { beforeManifest: () => { throw crash; } })).rejects.toThrow(crash);
    expect(await readFile(manifestPath(dataDir), 'utf8')).toBe(old);
    expect(viaFiles(debian)).toEqual(await viaDatabase(debian));
    // An import moved it aside: no manifest, the loader declines and the caller reads the database.
    await importSource(store, { id: 'path:/crash', format: 'osv', location: '/crash' }, [], Date.now(), { refreshIndex: false });
    await expect(refreshAdvisoryIndex(store, { beforeManifest: () => { throw crash; } })).rejects.toThrow(crash);
    expect(existsSync(manifestPath(dataDir))).toBe(false);
    expect(existsSync(previousManifestPath(dataDir))).toBe(true);
    expect(loadIndexFromFiles(dataDir, debian)).toBeUndefined();
    // the next rebuild starts from the manifest moved aside and is current
    expect(await refreshAdvisoryIndex(store)).toBe(true);
    expect((await manifest()).generation).toBe(await advisoryGeneration(store));
    expect(viaFiles(debian)).toEqual(await viaDatabase(debian));
  });

  it('is current again after a failed import, which left the data as it was', async () => {
    const generation = await advisoryGeneration(store);
    async function* broken() {
      yield* [];
      throw new Error('connection reset');
    }
    await expect(importSource(store, { id: 'path:/nowhere', format: 'osv', location: '/nowhere' }, broken())).rejects.toThrow(/connection reset/);
    expect((await manifest()).generation).toBe(generation);
  });

  it('detects a damaged or truncated namespace file by its checksum, and the scan reads the database', async () => {
    const debian = inventories.get('demo/debian:10')!;
    const expected = await viaDatabase(debian);
    const m = await manifest();
    const entry = m.namespaces['debian:10'] ?? Object.entries(m.namespaces).find(([ns]) => ns.toLowerCase().startsWith('debian'))![1];
    const file = join(indexRoot(dataDir), m.dir, entry.file);
    const original = readFileSync(file);
    // same length, one byte changed: only the checksum can tell
    const flipped = Buffer.from(original);
    flipped[flipped.length >> 1]! ^= 0xff;
    writeFileSync(file, flipped);
    expect(loadIndexFromFiles(dataDir, debian)).toBeUndefined();
    await truncate(file, original.length >> 1);
    expect(loadIndexFromFiles(dataDir, debian)).toBeUndefined();

    // The CLI's access path: the store must be free for its fallback to open it.
    await store.close();
    const warnings: string[] = [];
    const access = advisoryAccess({ dataDir, warn: (m) => warnings.push(m) });
    try {
      expect(matchInventory(debian, await access.loader!(debian), { now: NOW })).toEqual(expected);
    } finally {
      await access.close();
    }
    expect(warnings).toEqual([]);
    writeFileSync(file, original);
    // with the file whole again the index serves the scan (no database open needed)
    expect(viaFiles(debian)).toEqual(expected);
    const reopened = await (await import('../../src/store/open-store.js')).openStore({ dataDir });
    store = reopened;
    handle = { ...handle, store: reopened, dispose: async () => { await reopened.close(); await rm(dataDir, { recursive: true, force: true }); } };
  });
});
