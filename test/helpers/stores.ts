/**
 * Both store backends for the same tests: embedded PGlite in a temp dir, and a fresh database on
 * the real PostgreSQL server (TEST_DATABASE_URL's server, else 127.0.0.1:5432 as postgres).
 */
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/open-store.js';

export interface Backend {
  name: 'pglite' | 'postgres';
  /** A new, empty, migrated store; `dispose` removes it. */
  create(): Promise<{ store: Store; url?: string; dataDir?: string; dispose(): Promise<void> }>;
}

function serverBase(): URL {
  const u = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
  return u;
}

export async function createServerDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = new pg.Client({ connectionString: serverBase().toString() });
  await admin.connect();
  const name = `tarsier_t_${randomBytes(6).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverBase().toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: serverBase().toString() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export const backends: Backend[] = [
  {
    name: 'pglite',
    async create() {
      const dataDir = await mkdtemp(join(tmpdir(), 'tarsier-store-'));
      const template = process.env.TARSIER_PGLITE_TEMPLATE;
      if (template) await cp(template, dataDir, { recursive: true });
      const store = await openStore({ dataDir });
      return {
        store,
        dataDir,
        async dispose() {
          await store.close();
          await rm(dataDir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    async create() {
      const db = await createServerDatabase();
      const store = await openStore({ databaseUrl: db.url });
      return {
        store,
        url: db.url,
        async dispose() {
          await store.close();
          await db.drop();
        },
      };
    },
  },
];
