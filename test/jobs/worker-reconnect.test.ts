/**
 * A worker loop survives PostgreSQL dropping its connections (a server restart, a failover, an
 * administrator's pg_terminate_backend): every backend of the worker's database is terminated
 * while the worker idles and while it is in the middle of a job; the loop keeps running, the job
 * in flight completes, and jobs queued afterwards are processed. PostgreSQL only (PGlite has no
 * connection to lose).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue } from '../../src/jobs/queue.js';
import { Worker } from '../../src/jobs/worker.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { createServerDatabase } from '../helpers/stores.js';

describe('worker loop on PostgreSQL', () => {
  let db: { url: string; drop(): Promise<void> };
  let store: Store;
  let producer: Store;
  let worker: Worker;
  const processed: number[] = [];
  const log: string[] = [];
  let release: (() => void) | undefined;
  let entered: (() => void) | undefined;

  /** Terminates every other backend connected to the test database; returns how many. */
  async function dropConnections(): Promise<number> {
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      const res = await admin.query<{ ok: boolean }>(
        'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
      return res.rows.filter((r) => r.ok).length;
    } finally {
      await admin.end();
    }
  }

  async function jobState(id: number): Promise<string | undefined> {
    return (await producer.query<{ state: string }>('SELECT state FROM jobs WHERE id = $1', [id]))[0]?.state;
  }

  async function until(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
    const end = Date.now() + ms;
    while (!(await check().catch(() => false))) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; worker log: ${log.join(' | ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  beforeAll(async () => {
    db = await createServerDatabase();
    store = await openStore({ databaseUrl: db.url });
    const queue = new JobQueue(store, { leaseMs: 3_000, backoffBaseMs: 10, backoffMaxMs: 10 });
    worker = new Worker({
      store,
      queue,
      pollMs: 50,
      log: (line) => log.push(line),
      handlers: {
        probe: async (job) => {
          if (job.payload.hold) {
            await new Promise<void>((resolve) => {
              release = resolve;
              entered?.();
            });
          }
          processed.push(job.id);
          return { ok: true };
        },
      },
    });
    worker.start();
  });

  afterAll(async () => {
    await worker?.stop();
    await store?.close();
    await producer?.close();
    await db?.drop();
  });

  it('keeps processing after its connections are terminated, idle and mid-job', async () => {
    producer = await openStore({ databaseUrl: db.url, migrate: false });
    const queue = new JobQueue(producer);
    const first = await queue.enqueue('probe', {});
    await until('the first job', async () => (await jobState(first.id)) === 'done');

    // Idle: the worker only polls. Kill its connections, and the producer's too.
    expect(await dropConnections()).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    // (A query may still pick a connection whose death it has not noticed: one retry, as any client would.)
    const second = await queue.enqueue('probe', {}).catch(() => queue.enqueue('probe', {}));
    await until('the job queued after the drop', async () => (await jobState(second.id)) === 'done');

    // Mid-job: the handler is running when every connection goes; it then finishes and completes.
    const started = new Promise<void>((resolve) => (entered = resolve));
    const held = await queue.enqueue('probe', { hold: true }).catch(() => queue.enqueue('probe', { hold: true }));
    await started;
    expect(await dropConnections()).toBeGreaterThan(0);
    release!();
    await until('the job in flight during the drop', async () => (await jobState(held.id)) === 'done');

    const after = await queue.enqueue('probe', {}).catch(() => queue.enqueue('probe', {}));
    await until('a job queued after both drops', async () => (await jobState(after.id)) === 'done');
    expect(processed).toEqual([first.id, second.id, held.id, after.id]);
    const attempts = await producer.query<{ id: number; attempts: number }>('SELECT id, attempts FROM jobs ORDER BY id');
    expect(attempts.every((a) => a.attempts === 1)).toBe(true);
  });
});
