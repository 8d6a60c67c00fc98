/**
 * The advisory database in the store: import a feed (replacing that source atomically), load the
 * advisories that can concern a set of packages, and report what is loaded.
 */
import { sql } from 'kysely';
import type { Store } from '../store/open-store.js';
import { invalidateAdvisoryIndex, tryRefreshAdvisoryIndex } from './advisory-index-writer.js';
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

/**
 * Advisories per statement. Bigger batches amortise the per-statement cost; past a few thousand the
 * gain is gone (measured on PGlite and PostgreSQL 15 with the real feeds) while the parameters grow.
 */
const BATCH = 5000;

/** A PostgreSQL array literal of text values (`{"a","b\\"c"}`), parsed by `::text[]` server-side. */
function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/** One batch, encoded as column arrays: a fixed number of parameters whatever the batch size. */
interface EncodedBatch {
  ids: string[];
  aliases: string[];
  /**
   * The records' JSON joined by U+001E. JSON text never contains a raw control character, so the
   * server splits it back exactly; one string costs the drivers one copy, where a text[] of
   * records was escaped element by element (on PostgreSQL 8x the client CPU, 2x the wall time).
   */
  records: string;
  /** Package keys: the 1-based position of their advisory in the batch, namespace, name. */
  keyRow: number[];
  keyNamespace: string[];
  keyName: string[];
}

const RECORD_SEPARATOR = '\u001e';

function encodeBatch(batch: readonly Advisory[]): EncodedBatch {
  const out: EncodedBatch = { ids: [], aliases: [], records: '', keyRow: [], keyNamespace: [], keyName: [] };
  const records: string[] = [];
  batch.forEach((a, i) => {
    out.ids.push(a.id);
    out.aliases.push(textArrayLiteral([...new Set([...a.aliases, ...(a.covers ?? [])])]));
    records.push(JSON.stringify(a));
    const seen = new Set<string>();
    for (const p of a.affected) {
      const k = `${p.namespace}\u0000${p.name}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.keyRow.push(i + 1);
      out.keyNamespace.push(p.namespace);
      out.keyName.push(p.name);
    }
  });
  out.records = records.join(RECORD_SEPARATOR);
  return out;
}

export interface ImportOptions {
  /**
   * Rebuild the embedded store's derived advisory index after the commit (default true). An
   * importer of several sources passes false and calls refreshAdvisoryIndex once at the end.
   */
  refreshIndex?: boolean;
}

/**
 * Replaces everything of `meta.id` with `records`, in one transaction: a failed or interrupted
 * import leaves the previous data of that source untouched. Returns the number stored.
 * The only writer of the advisory tables: it invalidates the derived index (advisory-index-files.ts)
 * before changing them, so an index on disk always describes committed data.
 */
export async function importSource(store: Store, meta: SourceMeta, records: AsyncIterable<Advisory> | Iterable<Advisory>, now = Date.now(), opts: ImportOptions = {}): Promise<number> {
  await invalidateAdvisoryIndex(store);
  try {
    return await importSourceTransaction(store, meta, records, now);
  } finally {
    if (opts.refreshIndex !== false) await tryRefreshAdvisoryIndex(store);
  }
}

async function importSourceTransaction(store: Store, meta: SourceMeta, records: AsyncIterable<Advisory> | Iterable<Advisory>, now: number): Promise<number> {
  return store.db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`advisory-source:${meta.id}`}))`.execute(trx);
    // No cascades since migration 006: the source's rows go here, in the importing transaction.
    await sql`DELETE FROM advisory_packages p USING advisories a WHERE a.source_id = ${meta.id} AND p.advisory_pk = a.pk`.execute(trx);
    await trx.deleteFrom('advisories').where('source_id', '=', meta.id).execute();
    await trx.deleteFrom('advisory_sources').where('id', '=', meta.id).execute();
    await trx
      .insertInto('advisory_sources')
      .values({ id: meta.id, format: meta.format, location: meta.location, etag: meta.etag ?? null, last_modified: meta.lastModified ?? null, updated_at: now, record_count: 0 })
      .execute();
    let count = 0;
    let batch: Advisory[] = [];
    // One statement per batch, six parameters whatever its size (per-row placeholders made
    // import an order slower): the advisories get their keys from the sequence in a materialised
    // CTE, and their package keys join on the batch position.
    const write = async (b: EncodedBatch): Promise<void> => {
      await sql`WITH rows AS MATERIALIZED (
          SELECT nextval('advisories_pk_seq') AS pk, u.n, u.id, u.aliases, u.record
          FROM unnest(${b.ids}::text[], ${b.aliases}::text[], string_to_array(${b.records}, chr(30))) WITH ORDINALITY AS u(id, aliases, record, n)
        ), inserted AS (
          INSERT INTO advisories (pk, source_id, id, aliases, record) SELECT pk, ${meta.id}, id, aliases::text[], record FROM rows
        )
        INSERT INTO advisory_packages (advisory_pk, namespace, name)
        SELECT rows.pk, k.namespace, k.name
        FROM unnest(${b.keyRow}::int8[], ${b.keyNamespace}::text[], ${b.keyName}::text[]) AS k(n, namespace, name)
        JOIN rows ON rows.n = k.n`.execute(trx);
    };
    // At most one statement in flight while the next batch is read and encoded: on a server the
    // reading (JS) and the writing (PostgreSQL) overlap.
    let inflight: Promise<void> = Promise.resolve();
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const encoded = encodeBatch(batch);
      count += batch.length;
      batch = [];
      await inflight;
      inflight = write(encoded);
      // Handled by the next await of `inflight`; this only keeps it from counting as unhandled meanwhile.
      inflight.catch(() => undefined);
    };
    try {
      for await (const a of records) {
        if (a.withdrawn) continue;
        batch.push(a);
        if (batch.length >= BATCH) await flush();
      }
      await flush();
      await inflight;
    } catch (err) {
      // Let the statement on the wire finish before the transaction rolls back.
      await inflight.catch(() => undefined);
      throw err;
    }
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
    // A semi-join: each advisory once, without comparing the (large) records for DISTINCT.
    const rows = await store.query<{ pk: number; record: string }>(
      `SELECT a.pk, a.record FROM advisories a
       WHERE a.pk IN (SELECT p.advisory_pk FROM advisory_packages p
                      JOIN unnest($1::text[], $2::text[]) AS k(namespace, name) ON p.namespace = k.namespace AND p.name = k.name)`,
      [slice.map((k) => k.namespace), slice.map((k) => k.name)],
    );
    for (const r of rows) if (!out.has(r.pk)) out.set(r.pk, JSON.parse(r.record) as Advisory);
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
