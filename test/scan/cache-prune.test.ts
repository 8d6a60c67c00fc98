/**
 * The cache directory's bound: least recently used entries (a hit counts as a use) go first, down
 * to 80% of the bound; stale temp files go, fresh ones stay; scans prune after writing; and
 * pruning or `tarsier cache clean` while scans run (here, from another process) only ever turns
 * entries into misses: every scan completes with the same findings.
 */
import { spawn } from 'node:child_process';
import { mkdir, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/analysis/image-head.js';
import { cacheMaxBytes, DEFAULT_CACHE_MAX_BYTES, LayerCache } from '../../src/analysis/layer-cache.js';
import type { Analyzer, AnalyzerLayerResult } from '../../src/analysis/types.js';
import { debian10Image } from '../../src/demo/images/debian10.js';
import { demoSecrets } from '../../src/demo/secrets.js';
import { writeOciLayout } from '../../src/image/build/image-writer.js';
import { openImage } from '../../src/image/open-image.js';
import { cacheStatus, pruneCache, pruneIfDue } from '../../src/scan/cache-prune.js';
import { scanSource, type ScanOutcome } from '../../src/scan/pipeline.js';
import { ResultCache } from '../../src/scan/result-cache.js';
import { tarsier } from '../cli/db-cli.js';
import { REPO_ROOT, removeDir, tempDir } from '../helpers/image-fixtures.js';

const KiB = 1024;
const analyzer = (name: string): Analyzer => ({ name, version: '1' }) as Analyzer;
/** A layer-facts entry of about `bytes` bytes. */
const facts = (bytes: number): AnalyzerLayerResult => ({ facts: [{ kind: 'pad', text: 'x'.repeat(bytes) }], touched: [] }) as unknown as AnalyzerLayerResult;

let tmp: string;
let ociRef: string;
beforeAll(async () => {
  tmp = await tempDir('tarsier-cache-prune-');
  await mkdir(join(tmp, 'oci'));
  await writeOciLayout(debian10Image(demoSecrets()), join(tmp, 'oci'), '10');
  ociRef = `oci:${join(tmp, 'oci')}:10`;
});
afterAll(() => removeDir(tmp));

async function scan(cacheDir: string, maxBytes = Infinity): Promise<ScanOutcome> {
  const source = await openImage(ociRef, { maxImageBytes: DEFAULT_LIMITS.maxImageBytes });
  try {
    return await scanSource(source, { cache: new LayerCache(cacheDir, { maxBytes }), limits: DEFAULT_LIMITS, platform: 'linux/amd64', detect: { ignoreUnfixed: false } });
  } finally {
    await source.close();
  }
}

/** What a report says, minus the source description. */
const findingsOf = (o: ScanOutcome) => JSON.stringify({ packages: o.inventory.packages, findings: o.findings });

async function filesUnder(dir: string): Promise<string[]> {
  const items = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return items.filter((i) => i.isFile()).map((i) => join(i.parentPath, i.name));
}

describe('cache bound', () => {
  it('prunes least recently used first, a hit refreshing an entry, down to 80% of the bound', async () => {
    const dir = join(tmp, 'lru');
    const cache = new LayerCache(dir, { maxBytes: Infinity });
    const results = new ResultCache(dir);
    // Ten 10 KiB layer entries written "t minutes ago" (layer i older than i+1), and one result.
    for (let i = 0; i < 10; i++) await cache.put(`sha256:${String(i).padStart(64, '0')}`, analyzer('a'), facts(10 * KiB));
    await results.put('ab'.repeat(32), { inventory: {} as never, findings: {} as never, detectorWarnings: [] });
    const now = Date.now();
    const files = (await filesUnder(join(dir, 'layers'))).sort();
    for (const [i, f] of files.entries()) await utimes(f, new Date(now - (20 - i) * 60_000), new Date(now - (20 - i) * 60_000));
    const resultFile = (await filesUnder(join(dir, 'results')))[0]!;
    await utimes(resultFile, new Date(now - 30 * 60_000), new Date(now - 30 * 60_000));
    // Reading the oldest layer entry and the result makes them the most recently used.
    expect(await cache.get(`sha256:${'0'.repeat(64)}`, analyzer('a'))).toBeDefined();
    expect(await results.get('ab'.repeat(32))).toBeDefined();

    const before = await cacheStatus(dir);
    expect(before.byArea.layers.entries).toBe(10);
    expect(before.byArea.results.entries).toBe(1);
    const bound = 60 * KiB;
    const r = await pruneCache(dir, bound, { now });
    const after = await cacheStatus(dir);
    expect(after.bytes).toBeLessThanOrEqual(0.8 * bound);
    expect(r.remainingBytes).toBe(after.bytes);
    expect(r.removed).toBe(before.entries - after.entries);
    expect(r.freedBytes).toBe(before.bytes - after.bytes);
    const left = new Set(await filesUnder(dir));
    // The two just read survive; of the rest, the newest survive and the oldest went.
    expect(left.has(files[0]!)).toBe(true);
    expect(left.has(resultFile)).toBe(true);
    expect(left.has(files[9]!)).toBe(true);
    expect(left.has(files[1]!)).toBe(false);
    // Emptied layer folders are gone too.
    expect((await readdir(join(dir, 'layers'))).length).toBe(after.byArea.layers.entries);
    // Under the bound: nothing to do.
    expect((await pruneCache(dir, bound, { now })).removed).toBe(0);
  });

  it('removes temp files of crashed writers, never one being written', async () => {
    const dir = join(tmp, 'temps');
    await mkdir(join(dir, 'results', 'ab'), { recursive: true });
    const old = join(dir, 'results', 'ab', 'x.json.1.a.tmp');
    const young = join(dir, 'results', 'ab', 'y.json.1.b.tmp');
    await writeFile(old, '{');
    await writeFile(young, '{');
    await utimes(old, new Date(Date.now() - 2 * 3_600_000), new Date(Date.now() - 2 * 3_600_000));
    await pruneCache(dir, 0);
    const left = await filesUnder(dir);
    expect(left).toEqual([young]);
  });

  it('a scan prunes after writing, at most once per interval', async () => {
    const dir = join(tmp, 'bounded');
    const first = await scan(dir, 1);
    // Everything written went again: the bound is one byte.
    expect((await cacheStatus(dir)).entries).toBe(0);
    const second = await scan(dir, 1);
    expect(second.cached).toBe(false);
    expect(findingsOf(second)).toBe(findingsOf(first));
    // Within the minute since the first prune, the second scan's entries stay.
    expect((await cacheStatus(dir)).entries).toBeGreaterThan(0);
    expect(await pruneIfDue(dir, 1)).toBeUndefined();
    expect((await pruneIfDue(dir, 1, 0))?.remainingEntries).toBe(0);
    expect(await pruneIfDue(dir, Infinity, 0)).toBeUndefined();
  }, 60_000);

  it('scans running while another process empties the cache over and over all complete with the same findings', async () => {
    const dir = join(tmp, 'concurrent');
    const reference = await scan(join(tmp, 'reference'));
    const script = `import { pruneCache } from ${JSON.stringify(join(REPO_ROOT, 'src/scan/cache-prune.ts'))};
      let runs = 0; const end = Date.now() + 60_000;
      process.stdin.on('data', () => { console.log(runs); process.exit(0); });
      while (Date.now() < end) { await pruneCache(${JSON.stringify(dir)}, 0); runs++; await new Promise((r) => setImmediate(r)); }`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise((r) => child.on('exit', r));
    try {
      // Give the pruner time to start, then scan: some entries read, some vanish under the reads.
      await new Promise((r) => setTimeout(r, 1500));
      const results = new ResultCache(dir);
      for (let i = 0; i < 4; i++) {
        expect(findingsOf(await scan(dir))).toBe(findingsOf(reference));
        // Direct reads of whatever is there: a whole entry or a miss, never an error.
        for (const f of await filesUnder(join(dir, 'results'))) {
          const key = f.split('/').pop()!.replace(/\.json$/, '');
          if (!key.endsWith('.tmp')) {
            const got = await results.get(key);
            if (got) expect(Array.isArray(got.detectorWarnings)).toBe(true);
          }
        }
      }
    } finally {
      child.stdin.write('stop\n');
      await exited;
    }
    expect(Number(out.trim())).toBeGreaterThan(0);
  }, 120_000);
});

describe('cache bound setting', () => {
  it('flag, then TARSIER_CACHE_MAX_SIZE, then 2 GiB; unlimited never prunes; a bad value names its source', () => {
    expect(cacheMaxBytes(undefined, {})).toBe(DEFAULT_CACHE_MAX_BYTES);
    expect(DEFAULT_CACHE_MAX_BYTES).toBe(2 * 2 ** 30);
    expect(cacheMaxBytes(undefined, { TARSIER_CACHE_MAX_SIZE: '512MiB' })).toBe(512 * 2 ** 20);
    expect(cacheMaxBytes('1GiB', { TARSIER_CACHE_MAX_SIZE: '512MiB' })).toBe(2 ** 30);
    expect(cacheMaxBytes('unlimited', {})).toBe(Infinity);
    expect(() => cacheMaxBytes(undefined, { TARSIER_CACHE_MAX_SIZE: 'lots' })).toThrow(/TARSIER_CACHE_MAX_SIZE "lots"/);
    expect(() => cacheMaxBytes('0', {})).toThrow(/--cache-max-size must be greater than zero/);
  });
});

describe('tarsier cache status / clean', () => {
  it('reports entries and size, keeps the most recent up to --keep, then empties the cache', async () => {
    const dir = join(tmp, 'cli');
    await scan(dir);
    const before = await cacheStatus(dir);
    expect(before.byArea.layers.entries).toBeGreaterThan(0);
    expect(before.byArea.results.entries).toBe(1);

    const status = await tarsier(['cache', 'status', '--cache-dir', dir, '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ dir, entries: before.entries, bytes: before.bytes, maxBytes: DEFAULT_CACHE_MAX_BYTES });
    const table = await tarsier(['cache', 'status', '--cache-dir', dir]);
    expect(table.stdout).toMatch(new RegExp(`total +${before.entries} entries`));

    // One byte under the total: the least recently used entries go, the rest stay.
    const keep = before.bytes - 1;
    const halved = await tarsier(['cache', 'clean', '--cache-dir', dir, '--keep', String(keep), '--json']);
    expect(halved.code).toBe(0);
    const mid = await cacheStatus(dir);
    expect(mid.bytes).toBeLessThanOrEqual(keep);
    expect(mid.entries).toBeGreaterThan(0);
    expect(mid.entries).toBeLessThan(before.entries);
    expect(JSON.parse(halved.stdout)).toMatchObject({ remainingEntries: mid.entries, remainingBytes: mid.bytes });

    const cleaned = await tarsier(['cache', 'clean', '--cache-dir', dir]);
    expect(cleaned.code).toBe(0);
    expect(cleaned.stdout).toMatch(/^removed \d+ entries .* 0 entries \(0 B\) left\n$/);
    expect((await cacheStatus(dir)).entries).toBe(0);
    expect((await stat(join(dir, 'layers'))).isDirectory()).toBe(true);

    const bad = await tarsier(['cache', 'clean', '--cache-dir', dir, '--keep', 'half']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^tarsier: --keep "half": expected a size/);

    // scan --cache-max-size: a bad bound is a usage error before the image is opened.
    const badScan = await tarsier(['scan', '--cache-dir', dir, '--cache-max-size', 'lots', ociRef]);
    expect(badScan.code).toBe(2);
    expect(badScan.stderr).toBe('tarsier: --cache-max-size "lots": expected a size such as 512MiB, 2GiB or 1048576\n');
    const bounded = await tarsier(['scan', '--format', 'json', '--cache-dir', dir, '--cache-max-size', '1', ociRef]);
    expect(bounded.code).toBe(0);
    expect(JSON.parse(bounded.stdout)).toHaveProperty('sensitive');
    expect((await cacheStatus(dir)).entries).toBe(0);
  }, 60_000);
});
