import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, statementNamer, type Store } from '../../src/store/open-store.js';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { backends } from '../helpers/stores.js';

describe.each(backends)('store on $name', (backend) => {
  let handle: Awaited<ReturnType<typeof backend.create>>;
  let store: Store;
  beforeAll(async () => {
    handle = await backend.create();
    store = handle.store;
  });
  afterAll(async () => handle?.dispose());

  it('applies every migration once and records it', async () => {
    const rows = await store.query<{ id: number; name: string }>('SELECT id, name FROM schema_migrations ORDER BY id');
    expect(rows.map((r) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
  });

  it('reopening does not re-apply migrations', async () => {
    await store.close();
    store = await openStore(handle.url ? { databaseUrl: handle.url } : { dataDir: handle.dataDir! });
    handle.store = store;
    const rows = await store.query<{ n: number }>('SELECT count(*)::int8 AS n FROM schema_migrations');
    expect(rows[0]!.n).toBe(MIGRATIONS.length);
  });

  it('returns int8 as numbers and jsonb as objects, the same on both backends', async () => {
    const now = 1_732_000_000_123;
    await store.db.insertInto('projects').values({ id: 'p1', name: 'one', created_at: now }).execute();
    const p = await store.db.selectFrom('projects').selectAll().where('id', '=', 'p1').executeTakeFirstOrThrow();
    expect(p.created_at).toBe(now);
    const j = await store.query<{ v: { a: number[] } }>(`SELECT '{"a":[1,2]}'::jsonb AS v`);
    expect(j[0]!.v).toEqual({ a: [1, 2] });
  });

  it('rolls back a failed transaction and keeps what was stored before', async () => {
    await expect(
      store.db.transaction().execute(async (trx) => {
        await trx.insertInto('projects').values({ id: 'p2', name: 'two', created_at: 1 }).execute();
        await trx.insertInto('projects').values({ id: 'p1', name: 'dup', created_at: 1 }).execute();
      }),
    ).rejects.toThrow();
    const ids = (await store.db.selectFrom('projects').select('id').orderBy('id').execute()).map((r) => r.id);
    expect(ids).toEqual(['p1']);
  });

  it('serialises concurrent transactions without interleaving them', async () => {
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        store.db.transaction().execute(async (trx) => {
          await trx.insertInto('projects').values({ id: `c${i}`, name: 'c', created_at: i }).execute();
          await sql`SELECT pg_sleep(0.01)`.execute(trx);
          await trx.updateTable('projects').set({ name: `c${i}-done` }).where('id', '=', `c${i}`).execute();
        }),
      ),
    );
    const rows = await store.db.selectFrom('projects').select(['id', 'name']).where('id', 'like', 'c%').execute();
    expect(rows).toHaveLength(8);
    for (const r of rows) expect(r.name).toBe(`${r.id}-done`);
  });

  it('runs a prepared statement like any query: same rows, int8 as numbers, repeatable with new values', async () => {
    const statement = sql<{ id: string; created_at: number }>`SELECT id, created_at FROM projects WHERE id = ANY(${['p1', 'c3']}::text[]) ORDER BY id`.compile(store.db);
    const expected = await store.query(statement.sql, [...statement.parameters]);
    expect(await store.prepared(statement)).toEqual(expected);
    expect(await store.prepared(statement)).toEqual([{ id: 'c3', created_at: 3 }, { id: 'p1', created_at: 1_732_000_000_123 }]);
    expect(await store.prepared({ sql: statement.sql, parameters: [['c5']] })).toEqual([{ id: 'c5', created_at: 5 }]);
  });
});

describe('prepared statement names', () => {
  it('one name per distinct text, the same on every call, none past the bound', () => {
    const nameOf = statementNamer(2);
    const a = nameOf('SELECT 1');
    const b = nameOf('SELECT 2');
    expect(a).toBeDefined();
    expect(b).not.toBe(a);
    expect(nameOf('SELECT 1')).toBe(a);
    expect(nameOf('SELECT 3')).toBeUndefined();
    expect(nameOf('SELECT 2')).toBe(b);
  });

  it('a PostgreSQL connection prepares a statement once and reuses it', async () => {
    const server = backends.find((b) => b.name === 'postgres')!;
    const handle = await server.create();
    // One connection, so the session that prepared the statement is the one asked about it.
    const store = await openStore({ databaseUrl: handle.url!, poolSize: 1 });
    try {
      const text = 'SELECT count(*)::int8 AS n FROM schema_migrations WHERE id > $1';
      for (let i = 0; i < 3; i++) expect(await store.prepared<{ n: number }>({ sql: text, parameters: [0] })).toEqual([{ n: MIGRATIONS.length }]);
      const prepared = await store.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements');
      expect(prepared.map((p) => p.statement)).toEqual([text]);
    } finally {
      await store.close();
      await handle.dispose();
    }
  });
});

describe('store on postgres, several processes starting at once', () => {
  it('applies each migration exactly once under concurrent opens', async () => {
    const server = backends.find((b) => b.name === 'postgres')!;
    const first = await server.create();
    // Drop the schema and race three openers against the same fresh database.
    await first.store.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
    const url = first.url!;
    const stores = await Promise.all([openStore({ databaseUrl: url }), openStore({ databaseUrl: url }), openStore({ databaseUrl: url })]);
    const rows = await stores[0]!.query<{ n: number }>('SELECT count(*)::int8 AS n FROM schema_migrations');
    expect(rows[0]!.n).toBe(MIGRATIONS.length);
    await Promise.all(stores.map((s) => s.close()));
    await first.dispose();
  });

  it('reports an unreachable server as one clear line with the password hidden', async () => {
    await expect(openStore({ databaseUrl: 'postgres://u:secret@127.0.0.1:1/x' })).rejects.toThrow(/^cannot open postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x: /);
  });
});

describe('embedded database: one process at a time', () => {
  it('refuses a second opener with a clear line, and takes over a lock whose process is gone', async () => {
    const { mkdtemp, cp, rm, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dataDir = await mkdtemp(join(tmpdir(), 'tarsier-lock-'));
    try {
      if (process.env.TARSIER_PGLITE_TEMPLATE) await cp(process.env.TARSIER_PGLITE_TEMPLATE, dataDir, { recursive: true });
      const first = await openStore({ dataDir });
      // Another process holds it: simulate with a live pid that is not ours (our parent).
      await first.close();
      await writeFile(join(dataDir, 'pgdata.lock'), `${process.ppid}\n`);
      await expect(openStore({ dataDir })).rejects.toThrow(new RegExp(`in use by process ${process.ppid} .*DATABASE_URL`));
      // A crashed owner: a pid that does not exist is taken over.
      await writeFile(join(dataDir, 'pgdata.lock'), '2147483646\n');
      const again = await openStore({ dataDir });
      await again.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
