import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue, LeaseLock } from '../../src/jobs/queue.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { backends } from '../helpers/stores.js';

const timing = { leaseMs: 1_000, backoffBaseMs: 100, backoffMaxMs: 1_000 };

describe.each(backends)('job queue on $name', (backend) => {
  let handle: Awaited<ReturnType<typeof backend.create>>;
  let store: Store;
  let q: JobQueue;
  beforeAll(async () => {
    handle = await backend.create();
    store = handle.store;
    q = new JobQueue(store, timing);
  });
  afterAll(async () => handle?.dispose());

  it('dedupes pending jobs by key, and accepts the key again once the job is done', async () => {
    const a = await q.enqueue('t-dedupe', { n: 1 }, { dedupeKey: 'img-1' }, 1000);
    const b = await q.enqueue('t-dedupe', { n: 2 }, { dedupeKey: 'img-1' }, 1000);
    expect(a.created).toBe(true);
    expect(b).toEqual({ id: a.id, created: false });
    const job = await q.claim(['t-dedupe'], 'w1', 1000);
    expect(job?.payload).toEqual({ n: 1 });
    expect(await q.complete(job!.id, 'w1', { ok: true }, 1001)).toBe(true);
    expect((await q.enqueue('t-dedupe', { n: 3 }, { dedupeKey: 'img-1' }, 1002)).created).toBe(true);
  });

  it('hands each job to exactly one of many concurrent claimers', async () => {
    const ids = new Set<number>();
    for (let i = 0; i < 20; i++) ids.add((await q.enqueue('t-race', { i }, {}, 1000)).id);
    const claimed: number[] = [];
    const queues = backend.name === 'postgres' && handle.url
      ? await Promise.all([1, 2, 3].map(() => openStore({ databaseUrl: handle.url!, migrate: false })))
      : [store, store, store];
    await Promise.all(
      queues.map(async (s, w) => {
        const wq = new JobQueue(s, timing);
        for (;;) {
          const j = await wq.claim(['t-race'], `w${w}`, 2000);
          if (!j) break;
          claimed.push(j.id);
          await wq.complete(j.id, `w${w}`, {}, 2001);
        }
      }),
    );
    if (queues[0] !== store) await Promise.all(queues.map((s) => s.close()));
    expect(claimed.sort()).toEqual([...ids].sort());
  });

  it('gives a lapsed lease to another worker, and fences the old owner out', async () => {
    const { id } = await q.enqueue('t-lease', {}, {}, 1000);
    const first = await q.claim(['t-lease'], 'dead', 1000);
    expect(first?.id).toBe(id);
    expect(await q.claim(['t-lease'], 'other', 1500)).toBeUndefined(); // lease still valid
    expect(await q.heartbeat(id, 'dead', 1800)).toBe(true); // renewed to 2800
    expect(await q.claim(['t-lease'], 'other', 2500)).toBeUndefined();
    const taken = await q.claim(['t-lease'], 'other', 2900);
    expect(taken).toMatchObject({ id, attempts: 2 });
    expect(await q.complete(id, 'dead', {}, 2901)).toBe(false);
    expect(await q.heartbeat(id, 'dead', 2901)).toBe(false);
    expect(await q.complete(id, 'other', {}, 2902)).toBe(true);
  });

  it('retries with growing backoff, then fails for good; non-retryable errors fail at once', async () => {
    const { id } = await q.enqueue('t-retry', {}, { maxAttempts: 3 }, 0);
    let now = 0;
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      let job;
      while (!(job = await q.claim(['t-retry'], 'w', now))) now += 10;
      expect(job.attempts).toBe(attempt);
      const before = now;
      const outcome = await q.fail(job, 'w', `boom ${attempt}`, true, now);
      expect(outcome).toBe(attempt < 3 ? 'retry' : 'failed');
      if (attempt < 3) {
        const row = await store.db.selectFrom('jobs').select('run_after').where('id', '=', id).executeTakeFirstOrThrow();
        delays.push(row.run_after - before);
      }
    }
    expect(delays[0]).toBeGreaterThanOrEqual(80);
    expect(delays[1]).toBeGreaterThanOrEqual(160);
    const row = await store.db.selectFrom('jobs').select(['state', 'last_error']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ state: 'failed', last_error: 'boom 3' });

    await q.enqueue('t-fatal', {}, { maxAttempts: 5 }, 0);
    const j = await q.claim(['t-fatal'], 'w', 0);
    expect(await q.fail(j!, 'w', 'bad reference', false, 0)).toBe('failed');
  });

  it('gives up on a job whose last attempt lapsed instead of running it again', async () => {
    await q.enqueue('t-last', {}, { maxAttempts: 1 }, 0);
    expect(await q.claim(['t-last'], 'a', 0)).toBeDefined();
    expect(await q.claim(['t-last'], 'b', 5_000)).toBeUndefined();
    const row = await store.db.selectFrom('jobs').select(['state', 'last_error']).where('kind', '=', 't-last').executeTakeFirstOrThrow();
    expect(row.state).toBe('failed');
    expect(row.last_error).toMatch(/lease expired/);
  });

  it('lease locks admit one owner until release or expiry', async () => {
    const lock = new LeaseLock(store, 1_000);
    expect(await lock.tryAcquire('sha256:x', 'a', 0)).toBe(true);
    expect(await lock.tryAcquire('sha256:x', 'b', 500)).toBe(false);
    expect(await lock.tryAcquire('sha256:x', 'a', 600)).toBe(true); // re-entrant for its owner
    expect(await lock.tryAcquire('sha256:x', 'b', 1_700)).toBe(true); // a's lease (to 1600) lapsed
    expect(await lock.renew('sha256:x', 'a', 1_800)).toBe(false);
    await lock.release('sha256:x', 'a'); // not the owner: no effect
    expect(await lock.tryAcquire('sha256:x', 'c', 1_900)).toBe(false);
    await lock.release('sha256:x', 'b');
    expect(await lock.tryAcquire('sha256:x', 'c', 1_900)).toBe(true);
  });

  it('a lock kept renewed outlives its lease, and lapses once renewal stops', async () => {
    // Renewed every 200 ms: a lease of 600 ms leaves room for a slow timer on a loaded machine.
    const lock = new LeaseLock(store, 600);
    expect(await lock.tryAcquire('layer:renewed', 'a')).toBe(true);
    const stop = lock.keepRenewed('layer:renewed', 'a');
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await lock.tryAcquire('layer:renewed', 'b')).toBe(false);
    stop();
    await new Promise((r) => setTimeout(r, 900));
    expect(await lock.tryAcquire('layer:renewed', 'b')).toBe(true);
  });
});
