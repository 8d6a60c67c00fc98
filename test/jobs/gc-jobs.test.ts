/**
 * Garbage collection prunes finished jobs older than the retention, and only those nothing reads:
 * never queued or running ones, never the newest job of a (kind, dedupe key) — sync status, stranded
 * scan settling and the scheduler read it — and never the newest finished re-match of an advisory
 * generation, so `db status` says the same before and after. On PGlite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectGarbage, jobRetentionMs } from '../../src/jobs/gc.js';
import { REMATCH_KIND, rematchStatus } from '../../src/jobs/rematch-job.js';
import type { ServiceContext } from '../../src/service/context.js';
import { backends } from '../helpers/stores.js';
import { serviceContext } from './service-fixtures.js';

const DAY = 86_400_000;

describe('job retention from the environment', () => {
  it('defaults to 7 days, takes fractions, refuses anything else naming the variable', () => {
    expect(jobRetentionMs({})).toBe(7 * DAY);
    expect(jobRetentionMs({ TARSIER_JOB_RETENTION_DAYS: '0.5' })).toBe(DAY / 2);
    expect(jobRetentionMs({ TARSIER_JOB_RETENTION_DAYS: '0' })).toBe(0);
    for (const bad of ['-1', '7d', 'week']) expect(() => jobRetentionMs({ TARSIER_JOB_RETENTION_DAYS: bad })).toThrow(/TARSIER_JOB_RETENTION_DAYS=.*non-negative number of days/);
  });
});

describe.each(backends)('finished-job pruning on $name', (backend) => {
  let ctx: ServiceContext & { work: string };
  const now = Date.now();
  const old = now - 30 * DAY;
  const ids: Record<string, number> = {};

  async function job(name: string, kind: string, state: string, opts: { key?: string; finishedAt?: number | null; result?: Record<string, unknown>; createdAt?: number }): Promise<void> {
    const createdAt = opts.createdAt ?? old;
    const finishedAt = opts.finishedAt === undefined ? (state === 'done' || state === 'failed' ? createdAt + 1_000 : null) : opts.finishedAt;
    const [row] = await ctx.store.query<{ id: number }>(
      `INSERT INTO jobs (kind, payload, dedupe_key, state, run_after, created_at, finished_at, result, lease_until) VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8) RETURNING id`,
      [kind, JSON.stringify({}), opts.key ?? null, state, createdAt, finishedAt, opts.result ? JSON.stringify(opts.result) : null, state === 'running' ? now + 60_000 : null],
    );
    ids[name] = row!.id;
  }

  beforeAll(async () => {
    ctx = await serviceContext(backend, { leaseMs: 5_000, backoffBaseMs: 10, backoffMaxMs: 10 });
    await job('scanOld', 'scan', 'done', { key: 'img-1', createdAt: old });
    await job('scanNewest', 'scan', 'failed', { key: 'img-1', createdAt: old + 1 });
    await job('syncOnly', 'sync', 'failed', { key: 'reg-1' });
    await job('unkeyedOld', 'gc', 'done', {});
    await job('unkeyedRecent', 'gc', 'done', { createdAt: now - DAY });
    await job('queuedOld', 'scan', 'queued', { key: 'img-2' });
    await job('runningOld', 'scan', 'running', { key: 'img-3' });
    // Generation g0: re-matched twice long ago; only the newer one matters.
    await job('g0First', REMATCH_KIND, 'done', { key: 'g0', result: { generation: 'g0' }, createdAt: old });
    await job('g0Second', REMATCH_KIND, 'done', { key: 'g0', result: { generation: 'g0' }, createdAt: old + 1 });
    // Generation g1: done, then a later job of the same generation failed: both say something.
    await job('g1Done', REMATCH_KIND, 'done', { key: 'g1', result: { generation: 'g1' }, createdAt: old + 2 });
    await job('g1Failed', REMATCH_KIND, 'failed', { key: 'g1', createdAt: old + 3 });
  }, 60_000);
  afterAll(async () => {
    await ctx?.close();
  });

  it('removes only old finished jobs nothing reads, and db status says the same', async () => {
    const before = await rematchStatus(ctx.store);
    const result = await collectGarbage({ store: ctx.store, locks: ctx.locks, owner: 'gc-jobs-test' }, { graceMs: DAY, jobRetentionMs: 7 * DAY, now, batch: 2 });
    expect(result.jobs).toBe(3);
    const left = new Set((await ctx.store.query<{ id: number }>('SELECT id FROM jobs')).map((r) => r.id));
    const gone = Object.keys(ids).filter((n) => !left.has(ids[n]!)).sort();
    expect(gone).toEqual(['g0First', 'scanOld', 'unkeyedOld']);
    expect(await rematchStatus(ctx.store)).toEqual(before);
    // A second run finds nothing more.
    expect((await collectGarbage({ store: ctx.store, locks: ctx.locks, owner: 'gc-jobs-test' }, { graceMs: DAY, jobRetentionMs: 7 * DAY, now })).jobs).toBe(0);
  });

  it('a longer retention keeps everything younger than it', async () => {
    await ctx.store.query(`UPDATE jobs SET finished_at = $1 WHERE state IN ('done', 'failed')`, [now - 2 * DAY]);
    await job('extra', 'gc', 'done', { createdAt: now - 3 * DAY, finishedAt: now - 2 * DAY });
    expect((await collectGarbage({ store: ctx.store, locks: ctx.locks, owner: 'gc-jobs-test' }, { graceMs: DAY, jobRetentionMs: 3 * DAY, now })).jobs).toBe(0);
    expect((await collectGarbage({ store: ctx.store, locks: ctx.locks, owner: 'gc-jobs-test' }, { graceMs: DAY, jobRetentionMs: DAY, now })).jobs).toBe(2);
  });
});
