import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAlpineSecdb } from '../../src/vulndb/alpine-secdb.js';
import { advisoriesFor, importSource, sourceStatus } from '../../src/vulndb/advisory-store.js';
import type { Advisory } from '../../src/vulndb/types.js';
import type { Store } from '../../src/store/open-store.js';
import { backends } from '../helpers/stores.js';

const SECDB = new URL('../../../shared/data/vulndb/alpine-secdb/v3.18/main.json', import.meta.url);

describe.each(backends)('advisory store on $name', (backend) => {
  let handle: Awaited<ReturnType<typeof backend.create>>;
  let store: Store;
  let records: Advisory[];
  beforeAll(async () => {
    handle = await backend.create();
    store = handle.store;
    records = parseAlpineSecdb(JSON.parse(readFileSync(SECDB, 'utf8')), 'v3.18-main.json');
  });
  afterAll(async () => handle?.dispose());

  it('imports a real feed and finds the advisories of a package by (namespace, name)', async () => {
    const n = await importSource(store, { id: 'alpine-secdb:v3.18/main', format: 'alpine-secdb', location: 'v3.18-main.json' }, records, 1000);
    expect(n).toBe(records.length);
    expect(n).toBeGreaterThan(100);
    const openssl = records.filter((r) => r.affected.some((p) => p.name === 'openssl'));
    expect(openssl.length).toBeGreaterThan(5);
    const ns = openssl[0]!.affected.find((p) => p.name === 'openssl')!.namespace;
    const found = await advisoriesFor(store, [{ namespace: ns, name: 'openssl' }, { namespace: ns, name: 'openssl' }]);
    expect(found.map((a) => a.id).sort()).toEqual(openssl.map((a) => a.id).sort());
    expect(await advisoriesFor(store, [{ namespace: 'alpine:9.99', name: 'openssl' }])).toEqual([]);
    expect(await sourceStatus(store)).toEqual([{ id: 'alpine-secdb:v3.18/main', format: 'alpine-secdb', location: 'v3.18-main.json', updatedAt: 1000, records: n, etag: null, lastModified: null }]);
  });

  it('a failed re-import leaves the previous data of the source whole', async () => {
    const before = (await sourceStatus(store))[0]!;
    async function* broken(): AsyncGenerator<Advisory> {
      for (const r of records.slice(0, 900)) yield r;
      throw new Error('connection reset while downloading the feed');
    }
    await expect(importSource(store, { id: 'alpine-secdb:v3.18/main', format: 'alpine-secdb', location: 'new' }, broken(), 2000)).rejects.toThrow(/connection reset/);
    expect((await sourceStatus(store))[0]).toEqual(before);
    const count = await store.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM advisories WHERE source_id = 'alpine-secdb:v3.18/main'`);
    expect(count[0]!.n).toBe(before.records);
  });

  it('a re-import replaces the source: withdrawn and vanished records are gone', async () => {
    const kept = records.slice(0, 10);
    const withdrawn = { ...records[10]!, withdrawn: '2026-01-01T00:00:00Z' };
    const n = await importSource(store, { id: 'alpine-secdb:v3.18/main', format: 'alpine-secdb', location: 'v2' }, [...kept, withdrawn], 3000);
    expect(n).toBe(10);
    const ids = await store.query<{ id: string }>(`SELECT id FROM advisories WHERE source_id = 'alpine-secdb:v3.18/main' ORDER BY pk`);
    expect(ids.map((r) => r.id)).toEqual(kept.map((r) => r.id));
  });
});
