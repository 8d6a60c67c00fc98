/**
 * The layer cache: facts are keyed per (diffID, analyzer, version), so a rescan reads only layers it
 * has not seen, a version bump redoes only that analyzer, and a broken cache never breaks a scan.
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layerMetaAnalyzer } from '../../src/analysis/analyzers/layer-meta.js';
import { osReleaseAnalyzer } from '../../src/analysis/analyzers/os-release.js';
import { LayerCache } from '../../src/analysis/layer-cache.js';
import type { Analyzer, AnalyzerLayerResult } from '../../src/analysis/types.js';
import type { ImageSpec, LayerSpec } from '../../src/image/build/image-writer.js';
import {
  buildImage,
  counted,
  DEBIAN12_OS_RELEASE,
  fakePackageAnalyzer,
  fakeStatus,
  packageLines,
  progressLog,
  removeDir,
  scan,
  tempDir,
} from '../helpers/image-fixtures.js';

const base: LayerSpec = {
  entries: [
    { path: 'usr/lib/os-release', content: DEBIAN12_OS_RELEASE() },
    { path: 'etc/os-release', type: 'symlink', linkTarget: '../usr/lib/os-release' },
    { path: 'var/lib/fakepkg/status', content: fakeStatus([['libc6', '2.36-9'], ['bash', '5.2.15-2']]) },
  ],
};
const app = (name: string): LayerSpec => ({
  entries: [
    { path: `srv/${name}/main.js`, content: `console.log(${JSON.stringify(name)})` },
    { path: 'var/lib/fakepkg/status', content: fakeStatus([['libc6', '2.36-9'], ['bash', '5.2.15-2'], [name, '1.0']]) },
  ],
});
const imageOf = (...layers: LayerSpec[]): ImageSpec => ({ layers });

/** Every file under `dir`, relative to it. */
async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.push(relative(dir, p));
    }
  };
  await walk(dir);
  return out.sort();
}

/** Fresh counted analyzers, as a scan would use them. */
function analyzersWith(pkg = fakePackageAnalyzer()) {
  const meta = counted(layerMetaAnalyzer);
  const os = counted(osReleaseAnalyzer);
  const fake = counted(pkg);
  return { list: [meta.analyzer, os.analyzer, fake.analyzer] as Analyzer[], meta, os, fake };
}

let tmp: string;
beforeAll(async () => {
  tmp = await tempDir('tarsier-cache-');
});
afterAll(() => removeDir(tmp));

describe('layer cache', () => {
  it('a second image sharing the base layer reads only its new layer', async () => {
    const cache = new LayerCache(join(tmp, 'shared-cache'));
    const a = await buildImage('oci', imageOf(base, app('alpha')), tmp, 'share-a');
    const b = await buildImage('oci', imageOf(base, app('beta')), tmp, 'share-b');
    const bFull = await buildImage('oci', imageOf(base, app('beta')), tmp, 'share-b-full');
    expect(b.image.layers[0]?.digest).toBe(a.image.layers[0]?.digest);

    const first = analyzersWith();
    await scan(a.ref, { analyzers: first.list, cache });
    expect(first.os.calls()).toBe(1);

    // Make B's base blob unreadable: a scan that touched it would fail.
    await rm(join(b.path, 'blobs', 'sha256', (b.image.layers[0]?.digest as string).slice(7)));
    const second = analyzersWith();
    const progress = progressLog();
    const cached = await scan(b.ref, { analyzers: second.list, cache, progress });
    expect(progress.starts.map((s) => s.cached)).toEqual([true, false]);
    // Only the new layer was walked: one layer-meta pass, one db read, no os-release read.
    expect(second.meta.calls()).toBe(1);
    expect(second.fake.calls()).toBe(1);
    expect(second.os.calls()).toBe(0);

    const full = await scan(bFull.ref, { analyzers: analyzersWith().list, cache: null });
    expect(cached.inventory.os).toEqual(full.inventory.os);
    expect(cached.inventory.packages).toEqual(full.inventory.packages);
    expect(cached.inventory.symlinks).toEqual(full.inventory.symlinks);
    expect(packageLines(cached.inventory)).toEqual([
      'bash 5.2.15-2 L1 var/lib/fakepkg/status',
      'beta 1.0 L2 var/lib/fakepkg/status',
      'libc6 2.36-9 L1 var/lib/fakepkg/status',
    ]);
    // Without the cache the missing blob is an error naming it.
    await expect(scan(b.ref, { analyzers: analyzersWith().list, cache: null })).rejects.toThrow(/blob sha256:[a-f0-9]{64} is missing/);
  });

  it('bumping one analyzer version re-analyses only that analyzer’s facts', async () => {
    const cache = new LayerCache(join(tmp, 'bump-cache'));
    const img = await buildImage('oci', imageOf(base, app('gamma')), tmp, 'bump');
    const v1 = analyzersWith(fakePackageAnalyzer({ version: '1' }));
    await scan(img.ref, { analyzers: v1.list, cache });
    expect([v1.meta.calls(), v1.os.calls(), v1.fake.calls()]).toEqual([2, 1, 2]);

    const v2 = analyzersWith(fakePackageAnalyzer({ version: '2', suffix: '+v2' }));
    const progress = progressLog();
    const bumped = await scan(img.ref, { analyzers: v2.list, cache, progress });
    // Both layers hold a db, so both are read again, but only by the bumped analyzer.
    expect(progress.starts.map((s) => s.cached)).toEqual([false, false]);
    expect([v2.meta.calls(), v2.os.calls(), v2.fake.calls()]).toEqual([0, 0, 2]);
    expect(bumped.inventory.packages.map((p) => p.version)).toEqual(['5.2.15-2+v2', '1.0+v2', '2.36-9+v2']);
    expect(bumped.inventory.os?.version).toBe('12');

    // The old version's entries are still there: going back reads nothing.
    const again = analyzersWith(fakePackageAnalyzer({ version: '1' }));
    const back = await scan(img.ref, { analyzers: again.list, cache });
    expect([again.meta.calls(), again.os.calls(), again.fake.calls()]).toEqual([0, 0, 0]);
    expect(back.inventory.packages.map((p) => p.version)).toEqual(['5.2.15-2', '1.0', '2.36-9']);
  });

  it('without a cache (--no-cache) nothing is read from or written to it', async () => {
    const dir = join(tmp, 'nocache-cache');
    const cache = new LayerCache(dir);
    const img = await buildImage('oci', imageOf(base), tmp, 'nocache');
    await scan(img.ref, { analyzers: analyzersWith().list, cache: null });
    expect(await listFiles(dir)).toEqual([]);

    // Poison the cache with facts the image does not have: a cached scan shows them, an uncached one does not.
    await scan(img.ref, { analyzers: analyzersWith().list, cache });
    const layer = { diffId: img.image.layers[0]?.diffId as string, digest: img.image.layers[0]?.digest as string };
    const fake = fakePackageAnalyzer();
    await cache.put(layer, fake, {
      facts: [{ kind: 'packages', path: 'var/lib/fakepkg/status', packages: [{ type: 'deb', name: 'from-cache', version: '9', path: 'var/lib/fakepkg/status', purl: 'pkg:deb/from-cache@9' }] }],
      touched: ['var/lib/fakepkg/status'],
    });
    expect((await scan(img.ref, { analyzers: [layerMetaAnalyzer, osReleaseAnalyzer, fake], cache })).inventory.packages.map((p) => p.name)).toEqual(['from-cache']);
    const counters = analyzersWith();
    const uncached = await scan(img.ref, { analyzers: counters.list, cache: null });
    expect(uncached.inventory.packages.map((p) => p.name)).toEqual(['bash', 'libc6']);
    expect(counters.fake.calls()).toBe(1);
  });

  it('writes only JSON entries under the cache dir, atomically (readers never see half a file)', async () => {
    const dir = join(tmp, 'atomic-cache');
    const cache = new LayerCache(dir);
    const diffId = `sha256:${'a'.repeat(64)}`;
    const fake = fakePackageAnalyzer();
    // Big enough that a non-atomic write is observable mid-way.
    const big = (n: number): AnalyzerLayerResult => ({
      facts: [{ kind: 'packages', path: 'p', packages: Array.from({ length: 5_000 }, (_, i) => ({ type: 'npm' as const, name: `pkg-${i}`, version: `${n}.0.0`, path: 'p', purl: `pkg:npm/pkg-${i}@${n}.0.0` })) }],
      touched: ['p'],
    });
    await cache.put(diffId, fake, big(0));
    let torn = 0;
    let reads = 0;
    let writing = true;
    const reader = (async () => {
      while (writing) {
        const got = await cache.get(diffId, fake);
        reads++;
        if (got === undefined || got.facts.length !== 1) torn++;
      }
    })();
    for (let i = 1; i <= 10; i++) await Promise.all([cache.put(diffId, fake, big(i)), cache.put(diffId, fake, big(i + 100))]);
    writing = false;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect(torn).toBe(0);
    const files = await listFiles(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^layers\/sha256-a{64}\/fakepkg-[a-f0-9]{24}\.json$/);
  });

  it('a corrupt cache entry is a miss: the layer is re-analysed and the entry rewritten', async () => {
    const dir = join(tmp, 'corrupt-cache');
    const cache = new LayerCache(dir);
    const img = await buildImage('oci', imageOf(base, app('delta')), tmp, 'corrupt');
    const clean = await scan(img.ref, { analyzers: analyzersWith().list, cache });
    const files = await listFiles(dir);
    expect(files).toHaveLength(6); // 2 layers × 3 analyzers
    const garbage = ['', '{"facts": [', 'null', '{"facts": 1, "touched": []}', '\u0000\u0001binary', '[]'];
    await Promise.all(files.map((f, i) => writeFile(join(dir, f), garbage[i % garbage.length] as string)));

    const counters = analyzersWith();
    const progress = progressLog();
    const rescanned = await scan(img.ref, { analyzers: counters.list, cache, progress });
    expect(progress.starts.map((s) => s.cached)).toEqual([false, false]);
    expect(rescanned.inventory.packages).toEqual(clean.inventory.packages);
    expect(rescanned.inventory.os).toEqual(clean.inventory.os);
    for (const f of files) {
      const parsed = JSON.parse(await readFile(join(dir, f), 'utf8')) as AnalyzerLayerResult;
      expect(Array.isArray(parsed.facts) && Array.isArray(parsed.touched), f).toBe(true);
    }
  });

  it('an unwritable cache directory costs the cache, not the scan', async () => {
    const notADir = join(tmp, 'cache-is-a-file');
    await writeFile(notADir, 'not a directory');
    const img = await buildImage('oci', imageOf(base), tmp, 'unwritable');
    const { inventory, warnings } = await scan(img.ref, { analyzers: analyzersWith().list, cache: new LayerCache(notADir) });
    expect(inventory.os?.version).toBe('12');
    expect(inventory.packages).toHaveLength(2);
    expect(warnings.filter((w) => w.includes('layer cache'))).toHaveLength(1);
    expect((await stat(notADir)).isFile()).toBe(true);
  });
});

describe('layer cache keys', () => {
  it('a blob claiming a cached layer diffID is read and fails its check, not served from the cache', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tarsier-cache-claim-'));
    try {
      const cache = new LayerCache(dir);
      const fake = fakePackageAnalyzer();
      const diffId = `sha256:${'a'.repeat(64)}`;
      const result = { facts: [], touched: [] };
      await cache.put({ diffId, digest: `sha256:${'1'.repeat(64)}` }, fake, result);
      expect(await cache.get({ diffId, digest: `sha256:${'1'.repeat(64)}` }, fake)).toEqual(result);
      // Same diffID, another blob: a miss, so the walker reads the blob and the diffID check decides.
      expect(await cache.get({ diffId, digest: `sha256:${'2'.repeat(64)}` }, fake)).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
