/**
 * Garbage collection of the content-addressed core (job kind `gc`, queued by the scheduler, and
 * `tarsier gc`). Analyses are shared by every reference to a digest and outlive a reference that
 * goes (sync removing a deleted tag, a registry deleted); once no reference points to a manifest
 * any more, its analysis — inventory, package index, findings of every kind, layer list — and then
 * layers and layer facts nothing uses are dead weight.
 *
 * Safety:
 * - Mark, then sweep: an unreferenced manifest is marked (gc_marks, migration 011) and deleted only
 *   when it is still unreferenced a grace period later. A scan saves its analysis before it points
 *   its reference at it; re-saving clears the mark (it cascades with the manifest row) and a scan
 *   reusing a stored analysis clears it under the manifest lock (scan-job.ts), so an in-flight scan
 *   is never robbed; the scan also checks its analysis is still there after recording it.
 * - Each deletion takes the manifest's lease lock (as a scan does) and its transaction lock (as
 *   saveAnalysis does), and re-checks "unreferenced and marked long enough" inside.
 * - Nothing referenced is touched; the handling overlay (finding_states, per project and
 *   fingerprint) is not analysis and is never collected. While a re-match runs (it writes findings
 *   of every manifest) nothing is swept; marking goes on.
 * - Layer facts are kept while their layer is in use; facts of analyzer versions this build no
 *   longer runs, and facts of layers no manifest uses, go once older than the grace period (a scan
 *   in flight writes facts before its layers are recorded).
 * - Finished jobs (done/failed) go once finished longer than the job retention
 *   (TARSIER_JOB_RETENTION_DAYS, default 7), except what other code still reads: the newest job per
 *   (kind, dedupe key) — a registry's sync status, a task's stranded-scan settling, the scheduler's
 *   "queued recently" — and, per advisory generation, the newest finished re-match (`db status`,
 *   and enqueueRematch skipping a generation already re-matched). Queued and running jobs never.
 */
import { sql } from 'kysely';
import { TarsierError } from '../errors.js';
import { defaultAnalyzers } from '../analysis/analyzers/index.js';
import type { Store } from '../store/open-store.js';
import type { LeaseLock } from './queue.js';
import { REMATCH_KIND } from './rematch-job.js';
import { analyzerText } from './shared-layer-cache.js';

export const GC_KIND = 'gc';

/** Default grace period: a day unreferenced (a tag deleted and pushed again the same day keeps its analysis). */
export const DEFAULT_GC_GRACE_MS = 24 * 3_600_000;

export const JOB_RETENTION_ENV = 'TARSIER_JOB_RETENTION_DAYS';
export const DEFAULT_JOB_RETENTION_DAYS = 7;

/** The finished-job retention in force: TARSIER_JOB_RETENTION_DAYS (a non-negative number of days), default 7. */
export function jobRetentionMs(env: NodeJS.ProcessEnv = process.env): number {
  const text = env[JOB_RETENTION_ENV]?.trim();
  if (text === undefined || text === '') return DEFAULT_JOB_RETENTION_DAYS * 86_400_000;
  if (!/^\d+(\.\d+)?$/.test(text)) throw new TarsierError('usage', `${JOB_RETENTION_ENV}=${JSON.stringify(text)}: expected a non-negative number of days (e.g. 7 or 0.5)`);
  return Number(text) * 86_400_000;
}

export interface GcOptions {
  /** How long a manifest must stay unreferenced (and a layer fact unused) before it goes. */
  graceMs: number;
  /** How long a finished job is kept; default {@link jobRetentionMs}(). */
  jobRetentionMs?: number;
  now?: number;
  /** Manifests examined per round of the sweep; default 500. */
  batch?: number;
  log?: (line: string) => void;
}

export interface GcResult extends Record<string, unknown> {
  /** Unreferenced manifests marked by this run. */
  marked: number;
  /** Marks dropped because a reference points to the manifest again. */
  unmarked: number;
  manifests: number;
  layers: number;
  layerFacts: number;
  /** Manifests left for a later run (a scan holds their lock). */
  busy: number;
  /** Finished jobs pruned. */
  jobs: number;
  /** Why the sweep did not run, if it did not. */
  sweepSkipped?: string;
}

const REFERENCED = 'EXISTS (SELECT 1 FROM images i WHERE i.digest = m.digest)';

export async function collectGarbage(deps: { store: Store; locks: LeaseLock; owner: string }, opts: GcOptions): Promise<GcResult> {
  const { store } = deps;
  const now = opts.now ?? Date.now();
  const cutoff = now - opts.graceMs;
  const unmarked = await store.query<{ manifest_digest: string }>(
    `DELETE FROM gc_marks g USING manifests m WHERE m.digest = g.manifest_digest AND ${REFERENCED} RETURNING g.manifest_digest`,
  );
  const marked = await store.query<{ manifest_digest: string }>(
    `INSERT INTO gc_marks (manifest_digest, marked_at) SELECT m.digest, $1 FROM manifests m WHERE NOT ${REFERENCED}
     ON CONFLICT (manifest_digest) DO NOTHING RETURNING manifest_digest`,
    [now],
  );
  const result: GcResult = { marked: marked.length, unmarked: unmarked.length, manifests: 0, layers: 0, layerFacts: 0, busy: 0, jobs: 0 };
  // Job history is not analysis: pruned even while a re-match runs.
  result.jobs = await pruneFinishedJobs(store, now - (opts.jobRetentionMs ?? jobRetentionMs()), opts.batch ?? 500);
  if (result.jobs > 0) opts.log?.(`gc: pruned ${result.jobs} finished job(s)`);
  // Leases are wall-clock times, whatever `now` the caller judges ages by.
  const rematching = await store.query<{ id: number }>(`SELECT id FROM jobs WHERE kind = $1 AND state = 'running' AND lease_until > $2 LIMIT 1`, [REMATCH_KIND, Date.now()]);
  if (rematching.length > 0) {
    result.sweepSkipped = `re-match job ${rematching[0]!.id} is running`;
    return result;
  }
  await sweepManifests(deps, cutoff, opts.batch ?? 500, result);
  result.layers = await sweepLayers(store, opts.log);
  result.layerFacts = await sweepLayerFacts(store, cutoff);
  if (result.manifests + result.layers + result.layerFacts > 0) {
    opts.log?.(`gc: removed ${result.manifests} unreferenced analysis(es), ${result.layers} layer(s), ${result.layerFacts} layer fact(s)`);
  }
  return result;
}

async function sweepManifests(deps: { store: Store; locks: LeaseLock; owner: string }, cutoff: number, batch: number, result: GcResult): Promise<void> {
  let after = '';
  for (;;) {
    const due = await deps.store.query<{ manifest_digest: string }>(
      `SELECT manifest_digest FROM gc_marks WHERE marked_at <= $1 AND manifest_digest > $2 ORDER BY manifest_digest LIMIT $3`,
      [cutoff, after, batch],
    );
    for (const { manifest_digest: digest } of due) {
      const lock = `manifest:${digest}`;
      // A scan of this digest is under way: it will point a reference at it, or a later run decides.
      if (!(await deps.locks.tryAcquire(lock, deps.owner))) {
        result.busy++;
        continue;
      }
      try {
        const deleted = await deps.store.db.transaction().execute(async (trx) => {
          await sql`SELECT pg_advisory_xact_lock(hashtext(${digest}))`.execute(trx);
          const rows = await sql<{ digest: string }>`
            DELETE FROM manifests m USING gc_marks g
            WHERE m.digest = ${digest} AND g.manifest_digest = m.digest AND g.marked_at <= ${cutoff} AND NOT ${sql.raw(REFERENCED)}
            RETURNING m.digest`.execute(trx);
          return rows.rows.length;
        });
        result.manifests += deleted;
      } finally {
        await deps.locks.release(lock, deps.owner);
      }
    }
    if (due.length < batch) return;
    after = due[due.length - 1]!.manifest_digest;
  }
}

/** Layers no manifest lists. A scan saving a manifest that shares one at this very moment makes the statement fail its foreign-key check: nothing is lost, the next run retries. */
async function sweepLayers(store: Store, log?: (line: string) => void): Promise<number> {
  try {
    const [row] = await store.query<{ n: number }>(
      `WITH gone AS (DELETE FROM layers l WHERE NOT EXISTS (SELECT 1 FROM manifest_layers ml WHERE ml.diff_id = l.diff_id) RETURNING 1) SELECT count(*)::int8 AS n FROM gone`,
    );
    return row?.n ?? 0;
  } catch (err) {
    if ((err as { code?: string }).code !== '23503') throw err;
    log?.('gc: a layer was taken into use while being collected; layers are left for the next run');
    return 0;
  }
}

/** Facts older than the grace period whose layer no manifest uses, or whose analyzer version this build no longer runs. */
async function sweepLayerFacts(store: Store, cutoff: number): Promise<number> {
  const current = defaultAnalyzers().map(analyzerText);
  const [row] = await store.query<{ n: number }>(
    `WITH gone AS (
       DELETE FROM layer_facts f
       WHERE f.created_at <= $1
         AND (f.analyzer <> ALL($2::text[])
              OR NOT EXISTS (SELECT 1 FROM layers l WHERE l.diff_id = split_part(f.layer_key, '@', 1)))
       RETURNING 1)
     SELECT count(*)::int8 AS n FROM gone`,
    [cutoff, current],
  );
  return row?.n ?? 0;
}

/** Finished jobs older than the retention that nothing reads any more (see the file comment), in batches. */
async function pruneFinishedJobs(store: Store, finishedBefore: number, batch: number): Promise<number> {
  let total = 0;
  for (;;) {
    const [row] = await store.query<{ n: number }>(
      `WITH gone AS (
         DELETE FROM jobs WHERE id IN (
           SELECT j.id FROM jobs j
           WHERE j.state IN ('done', 'failed') AND j.finished_at IS NOT NULL AND j.finished_at < $1
             AND (j.dedupe_key IS NULL
                  OR EXISTS (SELECT 1 FROM jobs n WHERE n.kind = j.kind AND n.dedupe_key = j.dedupe_key AND (n.created_at, n.id) > (j.created_at, j.id)))
             AND NOT (j.kind = $2 AND j.state = 'done'
                      AND NOT EXISTS (SELECT 1 FROM jobs n WHERE n.kind = $2 AND n.state = 'done' AND n.result->>'generation' = j.result->>'generation' AND n.id > j.id))
           ORDER BY j.id LIMIT $3)
         RETURNING 1)
       SELECT count(*)::int8 AS n FROM gone`,
      [finishedBefore, REMATCH_KIND, batch],
    );
    const n = row?.n ?? 0;
    total += n;
    if (n < batch) return total;
  }
}
