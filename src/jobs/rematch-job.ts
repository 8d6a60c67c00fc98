/**
 * Re-matching after an advisory update, as a durable job on the lease queue (kind `rematch`): any
 * worker of the service runs it with the usual lease, heartbeat and retry, so `tarsier db update`
 * on a cron refreshes a running service's findings without a restart, and a worker dying mid-way
 * leaves a job another worker finishes. Re-matching is idempotent (rematch.ts rewrites a manifest
 * only when its findings changed), so a retried job ends where an uninterrupted one would.
 *
 * Jobs are keyed by the advisory generation (vulndb/advisory-generation.ts), a hash of what is
 * imported: two requests for the same generation collapse into one job, and one whose generation
 * was already re-matched is not queued again. A job re-matches against whatever is imported when it starts and records that
 * generation, so an older queued job that runs after a newer import covers the newer one too.
 */
import type { Store } from '../store/open-store.js';
import { advisoryGeneration } from '../vulndb/advisory-generation.js';
import type { Job, JobQueue } from './queue.js';
import { rematchAll } from './rematch.js';
import { Worker } from './worker.js';

export const REMATCH_KIND = 'rematch';

export interface RematchJobResult extends Record<string, unknown> {
  generation: string;
  manifests: number;
  findings: number;
  changed: number;
  /** Set when the job found its generation already re-matched by another job. */
  skipped?: string;
}

async function doneFor(store: Store, generation: string, exceptId?: number): Promise<{ id: number; result: RematchJobResult } | undefined> {
  const rows = await store.query<{ id: number; result: RematchJobResult }>(
    `SELECT id, result FROM jobs WHERE kind = $1 AND state = 'done' AND result->>'generation' = $2 AND id <> $3 ORDER BY id DESC LIMIT 1`,
    [REMATCH_KIND, generation, exceptId ?? 0],
  );
  return rows[0];
}

export interface RematchRequest {
  jobId: number;
  generation: string;
  /** False when an equal job was already pending, or this generation was already re-matched. */
  created: boolean;
  /** The earlier job's result when this generation was already re-matched. */
  alreadyDone?: RematchJobResult;
}

/** Queues a re-match of every stored image against the advisories imported now (see the file comment). */
export async function enqueueRematch(deps: { store: Store; queue: JobQueue }, now = Date.now()): Promise<RematchRequest> {
  const generation = await advisoryGeneration(deps.store);
  const done = await doneFor(deps.store, generation);
  if (done) return { jobId: done.id, generation, created: false, alreadyDone: done.result };
  const { id, created } = await deps.queue.enqueue(REMATCH_KIND, { generation }, { dedupeKey: generation, maxAttempts: 5 }, now);
  return { jobId: id, generation, created };
}

export interface RematchJobDeps {
  store: Store;
  log?: (line: string) => void;
  /** How often to look whether another re-match still runs; default 1 s. */
  pollMs?: number;
}

/** The `rematch` job handler. */
export async function runRematchJob(deps: RematchJobDeps, job: Job): Promise<RematchJobResult> {
  // One re-match at a time: a second (of another generation) waits, then usually finds its
  // generation covered. Only jobs whose lease is alive count: a dead holder's job is retried.
  for (;;) {
    const others = await deps.store.query<{ id: number }>(`SELECT id FROM jobs WHERE kind = $1 AND state = 'running' AND id <> $2 AND lease_until > $3 LIMIT 1`, [REMATCH_KIND, job.id, Date.now()]);
    if (others.length === 0) break;
    await new Promise((r) => setTimeout(r, deps.pollMs ?? 1_000));
  }
  // Read before matching: an import landing meanwhile gets a generation of its own and its own job.
  const generation = await advisoryGeneration(deps.store);
  const done = await doneFor(deps.store, generation, job.id);
  if (done) return { generation, manifests: 0, findings: 0, changed: 0, skipped: `already re-matched by job ${done.id}` };
  let logged = 0;
  const result = await rematchAll(deps.store, (n, total) => {
    if (Date.now() - logged < 10_000 && n < total) return;
    logged = Date.now();
    deps.log?.(`re-match job ${job.id}: ${n} of ${total} stored image(s)`);
  });
  return { generation, ...result };
}

export interface RematchStatus {
  /** The advisory generation imported now. */
  generation: string;
  /** Whether a finished re-match covers the current generation. */
  upToDate: boolean;
  latest?: RematchJobView;
  /** The latest finished one, when the latest is not. */
  lastDone?: RematchJobView;
}

export interface RematchJobView {
  id: number;
  state: 'queued' | 'running' | 'done' | 'failed';
  attempts: number;
  createdAt: number;
  finishedAt: number | null;
  generation: string | null;
  result: Record<string, unknown> | null;
  error: string | null;
}

/** What `tarsier db status` shows of re-matching. */
export async function rematchStatus(store: Store): Promise<RematchStatus> {
  const generation = await advisoryGeneration(store);
  const view = (r: { id: number; state: RematchJobView['state']; attempts: number; created_at: number; finished_at: number | null; result: Record<string, unknown> | null; last_error: string | null; payload: Record<string, unknown> }): RematchJobView => ({
    id: r.id,
    state: r.state,
    attempts: r.attempts,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    generation: typeof r.result?.generation === 'string' ? r.result.generation : typeof r.payload.generation === 'string' ? r.payload.generation : null,
    result: r.result,
    error: r.last_error,
  });
  const select = `SELECT id, state, attempts, created_at, finished_at, result, last_error, payload FROM jobs WHERE kind = $1`;
  const [latest] = await store.query<Parameters<typeof view>[0]>(`${select} ORDER BY id DESC LIMIT 1`, [REMATCH_KIND]);
  const [lastDone] = latest && latest.state !== 'done' ? await store.query<Parameters<typeof view>[0]>(`${select} AND state = 'done' ORDER BY id DESC LIMIT 1`, [REMATCH_KIND]) : [];
  return {
    generation,
    upToDate: (await doneFor(store, generation)) !== undefined,
    ...(latest ? { latest: view(latest) } : {}),
    ...(lastDone ? { lastDone: view(lastDone) } : {}),
  };
}

/**
 * Runs the re-match job `jobId` in this process, through the queue (so a service worker holding it
 * is never doubled: this process then waits for that worker). Resolves with the job's final row.
 */
export async function runRematchHere(deps: { store: Store; queue: JobQueue; log?: (line: string) => void }, jobId: number, pollMs = 250): Promise<{ state: 'done' | 'failed'; result: Record<string, unknown> | null; error: string | null }> {
  const worker = new Worker({ store: deps.store, queue: deps.queue, handlers: { [REMATCH_KIND]: (job) => runRematchJob({ store: deps.store, log: deps.log }, job) }, log: deps.log });
  for (;;) {
    const [row] = await deps.store.query<{ state: string; result: Record<string, unknown> | null; last_error: string | null }>('SELECT state, result, last_error FROM jobs WHERE id = $1', [jobId]);
    if (!row) throw new Error(`re-match job ${jobId} vanished from the queue`);
    if (row.state === 'done' || row.state === 'failed') return { state: row.state, result: row.result, error: row.last_error };
    if (!(await worker.runOnce())) await new Promise((r) => setTimeout(r, pollMs));
  }
}

/**
 * Waits up to `ms` for some worker to take job `jobId` (or finish it); false when it is still
 * queued, i.e. no worker is around to run it soon.
 */
export async function waitForClaim(store: Store, jobId: number, ms: number, pollMs = 250): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    const [row] = await store.query<{ state: string }>('SELECT state FROM jobs WHERE id = $1', [jobId]);
    if (!row || row.state !== 'queued') return true;
    if (Date.now() >= until) return false;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
