/**
 * A layer shared by images scanned at the same time is analysed once: two workers with their own
 * disk caches (as on two machines) and one store; the second waits for the first's facts instead
 * of reading the layer. Runs on PGlite and PostgreSQL.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeImage, DEFAULT_LIMITS } from '../../src/analysis/analyze-image.js';
import { defaultAnalyzers } from '../../src/analysis/analyzers/index.js';
import type { Inventory } from '../../src/analysis/inventory.js';
import { type LayerEntrySpec, writeOciLayout, type WrittenImage } from '../../src/image/build/image-writer.js';
import { openImage } from '../../src/image/open-image.js';
import { LeaseLock } from '../../src/jobs/queue.js';
import { analyzerText, SharedLayerCache } from '../../src/jobs/shared-layer-cache.js';
import type { Store } from '../../src/store/open-store.js';
import { backends } from '../helpers/stores.js';
import { ALPINE_RELEASE, tinySpec } from './sync-fixtures.js';

let dir: string;
let images: WrittenImage[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tarsier-service-layers-'));
  // The same 6 MiB base layer, holding a secret, under two different top layers.
  const base = tinySpec('base', 6 * 1024 * 1024).layers[0]!;
  (base.entries as LayerEntrySpec[]).push({ path: 'srv/.env', content: 'AWS_ACCESS_KEY_ID=AKIA2JQ7XKZ4PLM3QW7N\nAWS_SECRET_ACCESS_KEY=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\n' });
  images = [];
  for (const name of ['one', 'two']) {
    const top = { entries: [{ path: `srv/${name}.txt`, content: `${name}\n` }, { path: 'etc/os-release', content: ALPINE_RELEASE }], compression: 'gzip' as const };
    images.push(await writeOciLayout({ layers: [base, top], config: { config: { Cmd: ['/bin/sh'] } } }, join(dir, name)));
  }
  expect(images[0]!.layers[0]!.digest).toBe(images[1]!.layers[0]!.digest);
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.each(backends)('shared layer facts on $name', (backend) => {
  let store: Store;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ store, dispose } = await backend.create());
  });
  afterAll(async () => dispose?.());

  async function scan(name: string, cache: SharedLayerCache, readLayers: string[]): Promise<Inventory> {
    const source = await openImage(`oci:${join(dir, name)}`, { platform: 'linux/amd64', maxImageBytes: DEFAULT_LIMITS.maxImageBytes });
    try {
      return await analyzeImage(source, {
        analyzers: defaultAnalyzers(),
        cache,
        limits: DEFAULT_LIMITS,
        platform: 'linux/amd64',
        progress: { layerStart: (_i, _n, desc, cached) => void (cached ? undefined : readLayers.push(desc.digest)), layerBytes: () => undefined, layerDone: () => undefined },
      });
    } finally {
      await cache.releaseAll();
      await source.close();
    }
  }

  it('analyses a base layer two concurrent scans share once, and the other scan gets the same facts', async () => {
    const locks = new LeaseLock(store, 5_000);
    const caches = await Promise.all(['a', 'b'].map(async (w) => new SharedLayerCache(await mkdtemp(join(dir, `cache-${backend.name}-${w}-`)), store, locks, `worker-${w}`, { pollMs: 20 })));
    const read: string[][] = [[], []];
    const [one, two] = await Promise.all([scan('one', caches[0]!, read[0]!), scan('two', caches[1]!, read[1]!)]);
    const base = images[0]!.layers[0]!.digest;
    // Exactly one of the two read the base layer; each read its own top layer.
    expect(read.flat().filter((d) => d === base)).toHaveLength(1);
    expect(read.flat()).toHaveLength(3);
    expect([...caches[0]!.analysedLayers, ...caches[1]!.analysedLayers].filter((k) => k.endsWith(`@${base}`))).toHaveLength(1);
    // Both inventories carry the base layer's facts: its secret, found once by whoever read it.
    const secrets = (inv: Inventory) => inv.sensitive.map((x) => `${x.key} ${x.path} ${x.layerDiffId}`).sort();
    expect(secrets(one)).toEqual([`aws_access_key srv/.env ${images[0]!.layers[0]!.diffId}`]);
    expect(secrets(two)).toEqual(secrets(one));
    expect(one.os).toEqual(two.os);
    const rows = await store.db.selectFrom('layer_facts').select(['layer_key']).where('layer_key', 'like', `%@${base}`).execute();
    expect(rows.length).toBeGreaterThan(0);
    // No layer lock is left behind.
    expect(await store.db.selectFrom('scan_locks').select('name').where('name', 'like', 'layer:%').execute()).toEqual([]);
    // A third worker on a fresh disk cache reads nothing: every layer's facts come from the store.
    const third: string[] = [];
    await scan('two', new SharedLayerCache(await mkdtemp(join(dir, `cache-${backend.name}-c-`)), store, locks, 'worker-c'), third);
    expect(third).toEqual([]);
  }, 60_000);

  it('treats a stored row that is no whole result (null, garbage) as a miss', async () => {
    const analyzer = defaultAnalyzers()[0]!;
    const cache = new SharedLayerCache(await mkdtemp(join(dir, `cache-${backend.name}-n-`)), store, new LeaseLock(store, 5_000), 'worker-n');
    for (const [i, text] of ['null', '{"facts":[]}', 'not json'].entries()) {
      const key = `sha256:${String(i).repeat(64)}`;
      await store.query(`INSERT INTO layer_facts (layer_key, analyzer, result, created_at) VALUES ($1, $2, $3, 0)`, [key, analyzerText(analyzer), text]);
      expect(await cache.get(key, analyzer)).toBeUndefined();
    }
    await cache.releaseAll();
  });

  it('takes over a layer whose holder died (its lease lapses) and analyses it itself', async () => {
    const locks = new LeaseLock(store, 300);
    const layer = images[1]!.layers[1]!;
    // A holder that dies right after taking the lock on a layer nobody has facts for yet.
    await store.query(`DELETE FROM layer_facts`);
    expect(await locks.tryAcquire(`layer:${layer.diffId}@${layer.digest}`, 'dead-worker')).toBe(true);
    const read: string[] = [];
    const started = Date.now();
    await scan('two', new SharedLayerCache(await mkdtemp(join(dir, `cache-${backend.name}-d-`)), store, locks, 'worker-d', { pollMs: 20 }), read);
    expect(read).toContain(layer.digest);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  }, 60_000);
});
