/**
 * Opens the one store: an embedded PGlite database in the data directory by default, or a
 * PostgreSQL server when `DATABASE_URL` is set. Both speak the same SQL and run the same migrations.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { TarsierError } from '../errors.js';
import { migrate } from './migrate.js';
import { pglitePool, PgliteSession } from './pglite-pool.js';
import type { Database } from './schema.js';
import { defaultDataDir } from './data-dir.js';
import { lockDataDir } from './dir-lock.js';

export interface StoreOptions {
  /** PostgreSQL connection string; when absent, the embedded database in `dataDir` is used. */
  databaseUrl?: string;
  /** Directory of the embedded database (and other service state). */
  dataDir?: string;
  /** Run pending migrations on open (default true). */
  migrate?: boolean;
  /** Server pool size. */
  poolSize?: number;
}

export interface Store {
  readonly kind: 'embedded' | 'server';
  /** The data directory of an embedded store (derived files such as the advisory index live beside it). */
  readonly dataDir?: string;
  readonly db: Kysely<Database>;
  /** Parameterless, possibly multi-statement SQL (migrations, queue schema). */
  exec(script: string): Promise<void>;
  /** One parameterised statement; rows come back with int8 as number on both backends. */
  query<T>(text: string, values?: unknown[]): Promise<T[]>;
  /**
   * A statement run on every API request, as a named prepared statement on a PostgreSQL server:
   * each pooled connection parses it once, and PostgreSQL can keep its plan, instead of parsing
   * and planning it on every call. Its text must not vary with the data (lists go as one array
   * parameter), as each distinct text stays prepared on every connection; past a bound, further
   * texts run unnamed. On the embedded backend it is an ordinary query.
   */
  prepared<T>(statement: { sql: string; parameters: readonly unknown[] }): Promise<T[]>;
  close(): Promise<void>;
}

export { defaultDataDir };

// int8 as number: counts, sizes and millisecond timestamps all fit in 2^53, and the API wants numbers.
const INT8 = 20;
const NUMERIC = 1700;
const toNumber = (v: string): number => Number(v);

/** Distinct prepared statement texts per server store: far above the API's few dozen query shapes. */
export const MAX_PREPARED_STATEMENTS = 200;

/** Statement names by text: the same text gets the same name on every connection of the pool. */
export function statementNamer(max = MAX_PREPARED_STATEMENTS): (text: string) => string | undefined {
  const names = new Map<string, string>();
  return (text) => {
    let name = names.get(text);
    if (name === undefined && names.size < max) {
      name = `tarsier_${names.size + 1}`;
      names.set(text, name);
    }
    return name;
  };
}

export async function openStore(opts: StoreOptions = {}): Promise<Store> {
  const url = opts.databaseUrl ?? process.env.DATABASE_URL;
  const store = url ? openServer(url, opts.poolSize ?? 10) : await openEmbedded(opts.dataDir ?? defaultDataDir());
  try {
    await store.db.selectNoFrom(sql<number>`1`.as('one')).execute();
    if (opts.migrate !== false) await migrate(store);
  } catch (err) {
    await store.close().catch(() => undefined);
    if (err instanceof TarsierError) throw err;
    const where = url ? redactUrl(url) : 'the embedded database';
    throw new TarsierError('database_error', `cannot open ${where}: ${(err as Error).message}`);
  }
  return store;
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'DATABASE_URL (not a valid URL)';
  }
}

function openServer(url: string, max: number): Store {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 || oid === NUMERIC ? toNumber : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // A server restart kills idle clients; the pool replaces them. Without a listener the error would crash the process.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const nameOf = statementNamer();
  return {
    kind: 'server',
    db,
    async exec(script) {
      await pool.query(script);
    },
    async query<T>(text: string, values: unknown[] = []) {
      const res = await pool.query(text, values);
      return res.rows as T[];
    },
    async prepared<T>({ sql: text, parameters }: { sql: string; parameters: readonly unknown[] }) {
      const res = await pool.query({ name: nameOf(text), text, values: [...parameters] });
      return res.rows as T[];
    },
    async close() {
      await db.destroy();
    },
  };
}

async function openEmbedded(dataDir: string): Promise<Store> {
  const { PGlite } = await import('@electric-sql/pglite');
  const dir = join(dataDir, 'pgdata');
  await mkdir(dir, { recursive: true });
  const unlock = await lockDataDir(join(dataDir, 'pgdata.lock'), `the embedded database in ${dataDir}`);
  let pglite;
  try {
    pglite = await PGlite.create({ dataDir: dir, parsers: { [INT8]: toNumber, [NUMERIC]: toNumber } });
  } catch (err) {
    await unlock();
    throw err;
  }
  const session = new PgliteSession(pglite);
  const query = async <T>(text: string, values: unknown[] = []): Promise<T[]> => {
    const release = await session.acquire();
    try {
      return (await pglite.query<T>(text, values)).rows;
    } finally {
      release();
    }
  };
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: pglitePool(session) }) });
  return {
    kind: 'embedded',
    dataDir,
    db,
    async exec(script) {
      const release = await session.acquire();
      try {
        await pglite.exec(script);
      } finally {
        release();
      }
    },
    query,
    prepared: <T>({ sql: text, parameters }: { sql: string; parameters: readonly unknown[] }) => query<T>(text, [...parameters]),
    async close() {
      try {
        await db.destroy();
      } finally {
        await unlock();
      }
    },
  };
}
