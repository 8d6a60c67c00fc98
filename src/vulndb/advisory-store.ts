/**
 * The advisory database in the store: import a feed (replacing that source atomically), load the
 * advisories that can concern a set of packages, and report what is loaded.
 */
import { sql } from 'kysely';
import type { Store } from '../store/open-store.js';
import type { Advisory, FeedFormat } from './types.js';

export interface SourceMeta {
  /** Stable name of the feed, e.g. `osv:Debian`, `alpine-secdb:v3.18/main`, `debian-dsa`. */
  id: string;
  /** A FeedFormat, or `folder` for a directory of several feeds. */
  format: FeedFormat | 'folder';
  /** Path or URL it was read from. */
  location: string;
  etag?: string | null;
  lastModified?: string | null;
}

export interface SourceStatus {
  id: string;
  format: string;
  location: string;
  updatedAt: number;
  records: number;
  etag: string | null;
  lastModified: string | null;
}

/** A (namespace, name) an advisory names a package by; see AffectedPackage. */
export interface PackageKey {
  namespace: string;
  name: string;
}

const BATCH = 2000;

/**
 * Replaces everything of `meta.id` with `records`, in one transaction: a failed or interrupted
 * import leaves the previous data of that source untouched. Returns the number stored.
 */
export async function importSource(store: Store, meta: SourceMeta, records: AsyncIterable<Advisory> | Iterable<Advisory>, now = Date.now()): Promise<number> {
  return store.db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`advisory-source:${meta.id}`}))`.execute(trx);
    await trx.deleteFrom('advisory_sources').where('id', '=', meta.id).execute();
    await trx
      .insertInto('advisory_sources')
      .values({ id: meta.id, format: meta.format, location: meta.location, etag: meta.etag ?? null, last_modified: meta.lastModified ?? null, updated_at: now, record_count: 0 })
      .execute();
    let count = 0;
    let batch: Advisory[] = [];
    // Three statements per batch with a few array/jsonb parameters each: per-row parameters
    // (thousands of placeholders compiled and bound per batch) made import an order slower.
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const pks = (await sql<{ pk: number }>`SELECT nextval('advisories_pk_seq')::int8 AS pk FROM generate_series(1, ${batch.length})`.execute(trx)).rows.map((r) => r.pk);
      const rows = batch.map((a) => ({ i: a.id, a: [...new Set([...a.aliases, ...(a.covers ?? [])])], r: a }));
      await sql`INSERT INTO advisories (pk, source_id, id, aliases, record)
        SELECT u.pk, ${meta.id}, j.v->>'i', ARRAY(SELECT jsonb_array_elements_text(j.v->'a')), j.v->'r'
        FROM unnest(${pks}::int8[]) WITH ORDINALITY AS u(pk, n)
        JOIN jsonb_array_elements(${JSON.stringify(rows)}::jsonb) WITH ORDINALITY AS j(v, n) ON u.n = j.n`.execute(trx);
      const keyPk: number[] = [];
      const keyNs: string[] = [];
      const keyName: string[] = [];
      batch.forEach((a, i) => {
        const seen = new Set<string>();
        for (const p of a.affected) {
          const k = `${p.namespace}\u0000${p.name}`;
          if (seen.has(k)) continue;
          seen.add(k);
          keyPk.push(pks[i]!);
          keyNs.push(p.namespace);
          keyName.push(p.name);
        }
      });
      await sql`INSERT INTO advisory_packages (advisory_pk, namespace, name) SELECT * FROM unnest(${keyPk}::int8[], ${keyNs}::text[], ${keyName}::text[])`.execute(trx);
      count += batch.length;
      batch = [];
    };
    for await (const a of records) {
      if (a.withdrawn) continue;
      batch.push(a);
      if (batch.length >= BATCH) await flush();
    }
    await flush();
    await trx.updateTable('advisory_sources').set({ record_count: count }).where('id', '=', meta.id).execute();
    return count;
  });
}

/** Every advisory naming any of these packages (deduplicated). */
export async function advisoriesFor(store: Store, keys: PackageKey[]): Promise<Advisory[]> {
  const unique = [...new Map(keys.map((k) => [`${k.namespace}\u0000${k.name}`, k])).values()];
  if (unique.length === 0) return [];
  const out = new Map<number, Advisory>();
  for (let i = 0; i < unique.length; i += 1000) {
    const slice = unique.slice(i, i + 1000);
    const rows = await store.query<{ pk: number; record: Advisory }>(
      `SELECT DISTINCT a.pk, a.record FROM advisory_packages p JOIN advisories a ON a.pk = p.advisory_pk
       JOIN unnest($1::text[], $2::text[]) AS k(namespace, name) ON p.namespace = k.namespace AND p.name = k.name`,
      [slice.map((k) => k.namespace), slice.map((k) => k.name)],
    );
    for (const r of rows) out.set(r.pk, r.record);
  }
  return [...out.values()];
}

export async function sourceStatus(store: Store): Promise<SourceStatus[]> {
  const rows = await store.db.selectFrom('advisory_sources').selectAll().orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, format: r.format, location: r.location, updatedAt: r.updated_at, records: r.record_count, etag: r.etag, lastModified: r.last_modified }));
}

export async function sourceMeta(store: Store, id: string): Promise<SourceStatus | undefined> {
  return (await sourceStatus(store)).find((s) => s.id === id);
}
