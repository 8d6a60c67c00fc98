/**
 * Versioned migrations. Each runs in its own transaction under a transaction-scoped advisory lock,
 * so several processes starting against one server apply each migration exactly once.
 */
import { sql } from 'kysely';
import { TarsierError } from '../errors.js';
import { MIGRATIONS } from './migrations/index.js';
import type { Store } from './open-store.js';

const LOCK_KEY = 0x7a5e_0001;

export async function migrate(store: Store): Promise<string[]> {
  // Under the lock too: CREATE TABLE IF NOT EXISTS itself races between processes.
  await store.db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${LOCK_KEY})`.execute(trx);
    await sql`CREATE TABLE IF NOT EXISTS schema_migrations (id integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)`.execute(trx);
  });
  const applied: string[] = [];
  for (const m of MIGRATIONS) {
    await store.db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${LOCK_KEY})`.execute(trx);
      const done = await sql<{ id: number }>`SELECT id FROM schema_migrations WHERE id = ${m.id}`.execute(trx);
      if (done.rows.length > 0) return;
      await sql.raw(m.sql).execute(trx);
      await sql`INSERT INTO schema_migrations (id, name, applied_at) VALUES (${m.id}, ${m.name}, ${Date.now()})`.execute(trx);
      applied.push(m.name);
    });
  }
  const newest = await store.query<{ id: number }>('SELECT max(id) AS id FROM schema_migrations');
  const known = MIGRATIONS[MIGRATIONS.length - 1]?.id ?? 0;
  if ((newest[0]?.id ?? 0) > known) {
    throw new TarsierError('database_error', `the database schema (migration ${newest[0]?.id}) is newer than this Tarsier (${known}); upgrade Tarsier`);
  }
  return applied;
}
