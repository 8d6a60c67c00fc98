/**
 * A durable job queue in the store. Workers claim with FOR UPDATE SKIP LOCKED, hold a lease they
 * renew by heartbeat, and finish with a fenced update (only the current lease owner may complete).
 * Failures retry with exponential backoff up to max_attempts; a lapsed lease counts as a failure.
 */
import { sql } from 'kysely';
import type { Store } from '../store/open-store.js';

export interface Job {
  id: number;
  kind: string;
  payload: Record<string, unknown>;
  attempts: number;
  maxAttempts: number;
  projectId: string | null;
  taskId: string | null;
}

export interface EnqueueOptions {
  /** At most one queued-or-running job per (kind, dedupeKey): a second enqueue returns the first. */
  dedupeKey?: string;
  maxAttempts?: number;
  runAfter?: number;
  projectId?: string;
  taskId?: string;
}

export interface QueueTiming {
  /** How long a claim lasts without a heartbeat. */
  leaseMs: number;
  /** Backoff before retry n (1-based): base * 2^(n-1), capped, with ±20% jitter. */
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export const DEFAULT_TIMING: QueueTiming = { leaseMs: 30_000, backoffBaseMs: 2_000, backoffMaxMs: 5 * 60_000 };

export class JobQueue {
  constructor(
    private readonly store: Store,
    readonly timing: QueueTiming = DEFAULT_TIMING,
  ) {}

  async enqueue(kind: string, payload: Record<string, unknown>, opts: EnqueueOptions = {}, now = Date.now()): Promise<{ id: number; created: boolean }> {
    const rows = await this.store.query<{ id: number }>(
      `INSERT INTO jobs (kind, payload, dedupe_key, max_attempts, run_after, project_id, task_id, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (kind, dedupe_key) WHERE state IN ('queued', 'running') AND dedupe_key IS NOT NULL DO NOTHING
       RETURNING id`,
      [kind, JSON.stringify(payload), opts.dedupeKey ?? null, opts.maxAttempts ?? 3, opts.runAfter ?? now, opts.projectId ?? null, opts.taskId ?? null, now],
    );
    if (rows[0]) return { id: rows[0].id, created: true };
    const existing = await this.store.query<{ id: number }>(
      `SELECT id FROM jobs WHERE kind = $1 AND dedupe_key = $2 AND state IN ('queued', 'running') LIMIT 1`,
      [kind, opts.dedupeKey ?? null],
    );
    if (existing[0]) return { id: existing[0].id, created: false };
    // The pending job finished between the two statements: enqueue afresh.
    return this.enqueue(kind, payload, opts, now);
  }

  /**
   * Claims the next ready job of these kinds, or a running one whose lease lapsed. A lapsed job
   * with no attempt left is failed for good instead, and handed to `onGiveUp` so the caller can
   * record the failure where the job's dead holder could not (image status, task progress).
   */
  async claim(kinds: string[], owner: string, now = Date.now(), onGiveUp?: (job: Job, reason: string) => Promise<void>): Promise<Job | undefined> {
    for (;;) {
      const rows = await this.store.query<{ id: number; kind: string; payload: Record<string, unknown>; attempts: number; max_attempts: number; project_id: string | null; task_id: string | null }>(
        `UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = $1, lease_until = $2
         WHERE id = (
           SELECT id FROM jobs
           WHERE kind = ANY($3::text[])
             AND ((state = 'queued' AND run_after <= $4) OR (state = 'running' AND lease_until < $4))
           ORDER BY run_after, id
           FOR UPDATE SKIP LOCKED
           LIMIT 1)
         RETURNING id, kind, payload, attempts, max_attempts, project_id, task_id`,
        [owner, now + this.timing.leaseMs, kinds, now],
      );
      const r = rows[0];
      if (!r) return undefined;
      const job: Job = { id: r.id, kind: r.kind, payload: r.payload, attempts: r.attempts, maxAttempts: r.max_attempts, projectId: r.project_id, taskId: r.task_id };
      if (r.attempts > r.max_attempts) {
        // Its last holder died on the final attempt: give up on it rather than loop forever.
        const reason = `the worker running it stopped responding on its last attempt (${r.max_attempts} of ${r.max_attempts}); lease expired`;
        if ((await this.finish(r.id, owner, 'failed', { error: reason }, now)) && onGiveUp) await onGiveUp({ ...job, attempts: r.max_attempts }, reason);
        continue;
      }
      return job;
    }
  }

  /** Extends the lease; false when the lease was lost (another worker took the job over). */
  async heartbeat(id: number, owner: string, now = Date.now()): Promise<boolean> {
    const rows = await this.store.query<{ id: number }>(
      `UPDATE jobs SET lease_until = $3 WHERE id = $1 AND lease_owner = $2 AND state = 'running' RETURNING id`,
      [id, owner, now + this.timing.leaseMs],
    );
    return rows.length > 0;
  }

  async complete(id: number, owner: string, result: Record<string, unknown> = {}, now = Date.now()): Promise<boolean> {
    return this.finish(id, owner, 'done', result, now);
  }

  /** Retries with backoff while attempts remain and the error is retryable; else fails for good. */
  async fail(job: Job, owner: string, error: string, retryable: boolean, now = Date.now()): Promise<'retry' | 'failed' | 'lost'> {
    if (retryable && job.attempts < job.maxAttempts) {
      const base = Math.min(this.timing.backoffMaxMs, this.timing.backoffBaseMs * 2 ** (job.attempts - 1));
      const delay = Math.round(base * (0.8 + Math.random() * 0.4));
      const rows = await this.store.query<{ id: number }>(
        `UPDATE jobs SET state = 'queued', run_after = $3, lease_owner = NULL, lease_until = NULL, last_error = $4
         WHERE id = $1 AND lease_owner = $2 AND state = 'running' RETURNING id`,
        [job.id, owner, now + delay, error.slice(0, 2000)],
      );
      return rows.length > 0 ? 'retry' : 'lost';
    }
    return (await this.finish(job.id, owner, 'failed', { error: error.slice(0, 2000) }, now)) ? 'failed' : 'lost';
  }

  private async finish(id: number, owner: string, state: 'done' | 'failed', result: Record<string, unknown>, now: number): Promise<boolean> {
    const rows = await this.store.query<{ id: number }>(
      `UPDATE jobs SET state = $3, result = $4, last_error = $5, finished_at = $6, lease_owner = NULL, lease_until = NULL
       WHERE id = $1 AND lease_owner = $2 AND state = 'running' RETURNING id`,
      [id, owner, state, JSON.stringify(result), state === 'failed' ? String(result.error ?? '') : null, now],
    );
    return rows.length > 0;
  }

  async counts(): Promise<Record<string, number>> {
    const rows = await sql<{ state: string; n: number }>`SELECT state, count(*)::int8 AS n FROM jobs GROUP BY state`.execute(this.store.db);
    return Object.fromEntries(rows.rows.map((r) => [r.state, r.n]));
  }
}

/**
 * A named lock with a lease, in the store (works across processes and machines, and on PGlite):
 * used so two workers never analyse the same manifest at once.
 */
export class LeaseLock {
  constructor(
    private readonly store: Store,
    readonly leaseMs = 30_000,
  ) {}

  async tryAcquire(name: string, owner: string, now = Date.now()): Promise<boolean> {
    const rows = await this.store.query<{ owner: string }>(
      `INSERT INTO scan_locks (name, owner, lease_until) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until
         WHERE scan_locks.lease_until < $4 OR scan_locks.owner = EXCLUDED.owner
       RETURNING owner`,
      [name, owner, now + this.leaseMs, now],
    );
    return rows[0]?.owner === owner;
  }

  async renew(name: string, owner: string, now = Date.now()): Promise<boolean> {
    const rows = await this.store.query<{ name: string }>(`UPDATE scan_locks SET lease_until = $3 WHERE name = $1 AND owner = $2 RETURNING name`, [name, owner, now + this.leaseMs]);
    return rows.length > 0;
  }

  async release(name: string, owner: string): Promise<void> {
    await this.store.query(`DELETE FROM scan_locks WHERE name = $1 AND owner = $2`, [name, owner]);
  }

  /**
   * Keeps a held lock from lapsing while its holder works, renewing it well within the lease (short
   * leases in tests, 30 s by default); call the returned function to stop (before releasing it).
   */
  keepRenewed(name: string, owner: string): () => void {
    const timer = setInterval(() => void this.renew(name, owner).catch(() => undefined), Math.max(200, Math.min(5_000, this.leaseMs / 3)));
    return () => clearInterval(timer);
  }
}
