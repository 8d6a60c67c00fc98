/**
 * What the API calls to start work, and HSS-style scan tasks (`/image/tasks`): a task is a named
 * set of image references queued together; its progress is read from the task's image states,
 * which move when each image's scan job ends (the worker's outcome hook calls
 * `settleScanOutcome`). Scan jobs are deduplicated per image, so an image already queued by a
 * sync or another task is scanned once and settles every task waiting for it.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { TarsierError } from '../errors.js';
import type { FailedCode } from '../store/images-repo.js';
import type { Store } from '../store/open-store.js';
import type { RemovedTaskImage } from '../store/schema.js';
import type { FailureClass } from './failure.js';
import type { Job, JobQueue } from './queue.js';
import { notWhitelistedText } from '../store/queries/sensitive-whitelist.js';

export const TASK_TYPES = ['manual', 'cycle', 'autoSync', 'manualSync'] as const;
export type TaskType = (typeof TASK_TYPES)[number];

/** The parts of a ServiceContext these functions use (a ServiceContext is one). */
export interface JobsDeps {
  store: Store;
  queue: JobQueue;
}

const CHUNK = 1000;

/** `items` in slices of at most `size`, for statements that take id lists as one array parameter. */
export function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Queues a scan of one image reference (at most one pending per image) and shows it as waiting. */
export async function enqueueScan(deps: JobsDeps, image: { id: string; projectId: string }, taskId?: string, now = Date.now()): Promise<{ jobId: number; created: boolean }> {
  const { id: jobId, created } = await deps.queue.enqueue('scan', { imageId: image.id }, { dedupeKey: image.id, projectId: image.projectId, ...(taskId ? { taskId } : {}) }, now);
  // A scan under way keeps showing `scanning`; its failed code (if any) stays until a scan succeeds.
  await deps.store.db.updateTable('images').set({ scan_status: 'waiting_for_scan' }).where('id', '=', image.id).where('scan_status', '!=', 'scanning').execute();
  return { jobId, created };
}

/**
 * Queues a sync of each registry of the project (all of them when `registryIds` is omitted).
 * With `taskType`, each sync records the scans it queues as a scan task of that type.
 */
export async function enqueueSync(
  deps: JobsDeps,
  projectId: string,
  registryIds?: string[],
  options: { taskType?: 'autoSync' | 'manualSync' } = {},
): Promise<Array<{ registryId: string; jobId: number; created: boolean }>> {
  let query = deps.store.db.selectFrom('registries').select('id').where('project_id', '=', projectId);
  if (registryIds !== undefined) {
    if (registryIds.length === 0) return [];
    query = query.where('id', 'in', [...new Set(registryIds)]);
  }
  const found = (await query.orderBy('created_at').execute()).map((r) => r.id);
  const missing = (registryIds ?? []).filter((id) => !found.includes(id));
  if (missing.length > 0) throw new TarsierError('not_found', `registry ${missing[0]} not found in project ${projectId}`);
  const out = [];
  for (const registryId of found) {
    const payload: Record<string, unknown> = { registryId, ...(options.taskType ? { taskType: options.taskType } : {}) };
    const r = await deps.queue.enqueue('sync', payload, { dedupeKey: registryId, projectId });
    out.push({ registryId, jobId: r.id, created: r.created });
  }
  return out;
}

export interface ScanTaskOptions {
  /** HSS enterprise project the task belongs to (its listing is filtered by it); default "0". */
  enterpriseProjectId?: string;
  now?: number;
}

/** Creates a scan task over image references of the project and queues their scans. */
export async function createScanTask(deps: JobsDeps, projectId: string, imageIds: string[], name: string, type: TaskType, options: ScanTaskOptions = {}): Promise<string> {
  const now = options.now ?? Date.now();
  if (!(TASK_TYPES as readonly string[]).includes(type)) throw new TarsierError('usage', `task type "${type}" must be one of ${TASK_TYPES.join(', ')}`);
  if (name.trim() === '' || name.length > 256) throw new TarsierError('usage', 'task name must be 1-256 characters');
  const ids = [...new Set(imageIds)];
  for (const part of chunks(ids)) {
    const rows = await deps.store.db.selectFrom('images').select('id').where('project_id', '=', projectId).where('id', 'in', part).execute();
    if (rows.length !== part.length) {
      const known = new Set(rows.map((r) => r.id));
      throw new TarsierError('not_found', `image ${part.find((id) => !known.has(id))} not found in project ${projectId}`);
    }
  }
  const taskId = randomUUID();
  await deps.store.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('scan_tasks')
      .values({ id: taskId, project_id: projectId, enterprise_project_id: options.enterpriseProjectId ?? '0', name, task_type: type, created_at: now, finished_at: ids.length === 0 ? now : null })
      .execute();
    for (const part of chunks(ids)) {
      await trx.insertInto('scan_task_images').values(part.map((image_id) => ({ task_id: taskId, image_id, failed_code: null }))).execute();
    }
  });
  for (const id of ids) await enqueueScan(deps, { id, projectId }, taskId, now);
  return taskId;
}

/**
 * Records the end of an image's scan in every running task waiting for it, and closes tasks with
 * nothing left to wait for. Each statement commits on its own, so of two images finishing at once
 * the later one always sees the other and closes the task.
 */
export async function settleTaskImages(store: Store, imageId: string, outcome: { state: 'success' } | { state: 'failed'; failedCode: FailedCode }, now = Date.now()): Promise<void> {
  const touched = await store.query<{ task_id: string }>(
    `UPDATE scan_task_images SET state = $2, failed_code = $3
     WHERE image_id = $1 AND state = 'waiting'
       AND task_id IN (SELECT id FROM scan_tasks WHERE finished_at IS NULL AND stopped_at IS NULL)
     RETURNING task_id`,
    [imageId, outcome.state, outcome.state === 'failed' ? outcome.failedCode : null],
  );
  if (touched.length === 0) return;
  await closeSettledTasks(store, [...new Set(touched.map((t) => t.task_id))], now);
}

/** The worker's outcome hook for scan jobs: a final success or failure settles the image's tasks. */
export async function settleScanOutcome(store: Store, job: Job, outcome: 'done' | 'retry' | 'failed' | 'lost', failure?: FailureClass): Promise<void> {
  if (job.kind !== 'scan' || typeof job.payload.imageId !== 'string') return;
  if (outcome === 'done') await settleTaskImages(store, job.payload.imageId, { state: 'success' });
  else if (outcome === 'failed') await settleTaskImages(store, job.payload.imageId, { state: 'failed', failedCode: failure?.code ?? 'unknown_error' });
}

/**
 * Repairs what a process that died between ending a scan job and running its outcome hook left
 * behind (the scheduler runs it every tick): a task image still `waiting` although the image's
 * latest scan job ended after the task began is settled with that job's result, the task closed
 * when nothing is left, and an image still `scanning` under a failed job shows the failure.
 * Returns the task images settled.
 */
export async function settleStrandedScans(store: Store, now = Date.now()): Promise<number> {
  const touched = await store.query<{ task_id: string }>(
    `WITH stranded AS (
       SELECT ti.task_id, ti.image_id, j.state AS job_state, i.failed_code
       FROM scan_task_images ti
       JOIN scan_tasks t ON t.id = ti.task_id AND t.finished_at IS NULL AND t.stopped_at IS NULL
       JOIN images i ON i.id = ti.image_id
       JOIN LATERAL (
         SELECT state, finished_at FROM jobs
         WHERE kind = 'scan' AND dedupe_key = ti.image_id
         ORDER BY created_at DESC, id DESC LIMIT 1) j ON true
       WHERE ti.state = 'waiting' AND j.state IN ('done', 'failed') AND j.finished_at >= t.created_at)
     UPDATE scan_task_images ti
     SET state = CASE WHEN s.job_state = 'done' THEN 'success' ELSE 'failed' END,
         failed_code = CASE WHEN s.job_state = 'done' THEN NULL ELSE coalesce(s.failed_code, 'unknown_error') END
     FROM stranded s
     WHERE ti.task_id = s.task_id AND ti.image_id = s.image_id AND ti.state = 'waiting'
     RETURNING ti.task_id`,
  );
  if (touched.length > 0) await closeSettledTasks(store, [...new Set(touched.map((t) => t.task_id))], now);
  await store.query(
    `UPDATE images i SET scan_status = 'failed', failed_code = coalesce(i.failed_code, 'unknown_error'),
       failed_reason = coalesce(j.last_error, i.failed_reason), latest_scan_time = coalesce(j.finished_at, $1)
     FROM (
       SELECT DISTINCT ON (dedupe_key) dedupe_key, state, last_error, finished_at FROM jobs
       WHERE kind = 'scan' AND dedupe_key IN (SELECT id FROM images WHERE scan_status = 'scanning')
       ORDER BY dedupe_key, created_at DESC, id DESC) j
     WHERE i.id = j.dedupe_key AND i.scan_status = 'scanning' AND j.state = 'failed'`,
    [now],
  );
  return touched.length;
}

/** Closes the given tasks that have no image left waiting. */
export async function closeSettledTasks(store: Store, taskIds: string[], now = Date.now()): Promise<void> {
  for (const part of chunks(taskIds)) {
    await store.query(
      `UPDATE scan_tasks SET finished_at = $2
       WHERE id = ANY($1::text[]) AND finished_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM scan_task_images ti WHERE ti.task_id = scan_tasks.id AND ti.state = 'waiting')`,
      [part, now],
    );
  }
}

/**
 * Stops a task (HSS -1): its images stop counting, and its queued scans that no other running
 * task waits for are cancelled (their images show their last result again). Scans already
 * running finish.
 */
export async function stopScanTask(deps: JobsDeps, projectId: string, taskId: string, now = Date.now()): Promise<boolean> {
  const res = await deps.store.db.updateTable('scan_tasks').set({ stopped_at: now }).where('id', '=', taskId).where('project_id', '=', projectId).where('stopped_at', 'is', null).where('finished_at', 'is', null).executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) return false;
  const cancelled = await deps.store.query<{ image_id: string }>(
    `UPDATE jobs SET state = 'failed', result = '{"error":"scan task stopped"}'::jsonb, last_error = 'scan task stopped', finished_at = $2
     WHERE task_id = $1 AND kind = 'scan' AND state = 'queued'
       AND NOT EXISTS (
         SELECT 1 FROM scan_task_images ti JOIN scan_tasks t ON t.id = ti.task_id
         WHERE ti.image_id = jobs.payload->>'imageId' AND ti.state = 'waiting' AND t.id <> $1 AND t.finished_at IS NULL AND t.stopped_at IS NULL)
     RETURNING payload->>'imageId' AS image_id`,
    [taskId, now],
  );
  const ids = cancelled.map((c) => c.image_id);
  for (const part of chunks(ids)) {
    await deps.store.query(
      `UPDATE images SET scan_status = CASE WHEN latest_scan_time IS NULL THEN 'unscan' WHEN failed_code IS NOT NULL THEN 'failed' ELSE 'success' END
       WHERE id = ANY($1::text[]) AND scan_status = 'waiting_for_scan'`,
      [part],
    );
  }
  return true;
}

/** A failed image of a task: what the snapshot of a deleted reference keeps, plus its id and code. */
export interface FailedTaskImage extends Omit<RemovedTaskImage, 'risky'> {
  image_id: string;
  failed_code: string | null;
}

/** A task as HSS `/image/tasks` shows it. */
export interface TaskProgress {
  task_id: string;
  task_name: string;
  task_type: string;
  enterprise_project_id: string;
  begin_time: number;
  end_time: number | null;
  /** 0-100 progress (100 = done); -1 stopped, -2 timed out, -3 error (every image failed). */
  task_status: number;
  success_num: number;
  failed_num: number;
  total_num: number;
  risky_num: number;
  failed_images: FailedTaskImage[];
}

export interface TaskQueryOptions {
  /** Restrict to this project (the API always passes it). */
  projectId?: string;
  /** A running task older than this counts as timed out (-2); default 24 h. */
  timeoutMs?: number;
  /** failed_images returned per task; default 100. */
  failedImagesLimit?: number;
  now?: number;
}

interface TaskRow {
  id: string;
  name: string;
  task_type: string;
  enterprise_project_id: string;
  created_at: number;
  finished_at: number | null;
  stopped_at: number | null;
  total: number;
  success: number;
  failed: number;
  risky: number;
}

// Risky = scanned successfully and holding any vulnerability, secret or build-command risk. A
// reference deleted since (migration 013) counts as the snapshot taken at its deletion says.
const TASK_SELECT = `
  SELECT t.id, t.name, t.task_type, t.enterprise_project_id, t.created_at, t.finished_at, t.stopped_at,
    count(ti.image_id)::int8 AS total,
    count(*) FILTER (WHERE ti.state = 'success')::int8 AS success,
    count(*) FILTER (WHERE ti.state = 'failed')::int8 AS failed,
    count(*) FILTER (WHERE ti.state = 'success' AND CASE WHEN ti.removed_at IS NOT NULL THEN coalesce((ti.removed_image->>'risky')::boolean, false)
      ELSE i.digest IS NOT NULL AND (
        EXISTS (SELECT 1 FROM vuln_findings v WHERE v.manifest_digest = i.digest)
        OR EXISTS (SELECT 1 FROM sensitive_findings s WHERE s.manifest_digest = i.digest AND ${notWhitelistedText('i.project_id', 's.path')})
        OR EXISTS (SELECT 1 FROM build_risks b WHERE b.manifest_digest = i.digest)
        OR i.signed IS FALSE) END)::int8 AS risky
  FROM scan_tasks t
  LEFT JOIN scan_task_images ti ON ti.task_id = t.id
  LEFT JOIN images i ON i.id = ti.image_id AND ti.removed_at IS NULL`;

function statusOf(r: TaskRow, timeoutMs: number, now: number): number {
  if (r.stopped_at !== null) return -1;
  const settled = r.success + r.failed;
  if (r.finished_at !== null || settled >= r.total) return r.total > 0 && r.failed === r.total ? -3 : 100;
  if (now - r.created_at > timeoutMs) return -2;
  return Math.min(99, Math.floor((100 * settled) / r.total));
}

async function failedImages(store: Store, taskId: string, limit: number): Promise<FailedTaskImage[]> {
  return store.query<FailedTaskImage>(
    `SELECT ti.image_id, f.registry_id, f.registry_name, f.registry_type, f.namespace, f.image_name, f.image_version, ti.failed_code, f.failed_reason
     FROM scan_task_images ti
     LEFT JOIN images i ON i.id = ti.image_id AND ti.removed_at IS NULL
     LEFT JOIN registries r ON r.id = i.registry_id
     -- a deleted reference shows as it was when it went (migration 013)
     CROSS JOIN LATERAL (SELECT
         CASE WHEN ti.removed_at IS NULL THEN i.registry_id ELSE ti.removed_image->>'registry_id' END AS registry_id,
         CASE WHEN ti.removed_at IS NULL THEN r.name ELSE ti.removed_image->>'registry_name' END AS registry_name,
         CASE WHEN ti.removed_at IS NULL THEN r.type ELSE ti.removed_image->>'registry_type' END AS registry_type,
         CASE WHEN ti.removed_at IS NULL THEN i.namespace ELSE ti.removed_image->>'namespace' END AS namespace,
         CASE WHEN ti.removed_at IS NULL THEN i.image_name ELSE ti.removed_image->>'image_name' END AS image_name,
         CASE WHEN ti.removed_at IS NULL THEN i.image_version ELSE ti.removed_image->>'image_version' END AS image_version,
         CASE WHEN ti.removed_at IS NULL THEN i.failed_reason ELSE ti.removed_image->>'failed_reason' END AS failed_reason) f
     WHERE ti.task_id = $1 AND ti.state = 'failed'
     ORDER BY f.image_name, f.image_version LIMIT $2`,
    [taskId, limit],
  );
}

async function toProgress(store: Store, r: TaskRow, opts: TaskQueryOptions): Promise<TaskProgress> {
  const now = opts.now ?? Date.now();
  return {
    task_id: r.id,
    task_name: r.name,
    task_type: r.task_type,
    enterprise_project_id: r.enterprise_project_id,
    begin_time: r.created_at,
    end_time: r.stopped_at ?? r.finished_at,
    task_status: statusOf(r, opts.timeoutMs ?? 24 * 3_600_000, now),
    success_num: r.success,
    failed_num: r.failed,
    total_num: r.total,
    risky_num: r.risky,
    failed_images: r.failed > 0 ? await failedImages(store, r.id, opts.failedImagesLimit ?? 100) : [],
  };
}

/** One task's progress, or undefined when it does not exist (in that project). */
export async function taskProgress(deps: Pick<JobsDeps, 'store'>, taskId: string, opts: TaskQueryOptions = {}): Promise<TaskProgress | undefined> {
  const rows = await deps.store.query<TaskRow>(`${TASK_SELECT} WHERE t.id = $1 AND ($2::text IS NULL OR t.project_id = $2) GROUP BY t.id`, [taskId, opts.projectId ?? null]);
  return rows[0] ? toProgress(deps.store, rows[0], opts) : undefined;
}

/** A project's tasks, newest first (HSS `GET /image/tasks`: offset/limit, optional task_type and enterprise project). */
export async function listScanTasks(
  deps: Pick<JobsDeps, 'store'>,
  projectId: string,
  page: { offset?: number; limit?: number; taskType?: TaskType; enterpriseProjectId?: string } = {},
  opts: Omit<TaskQueryOptions, 'projectId'> = {},
): Promise<{ total_num: number; data_list: TaskProgress[] }> {
  const total = await deps.store.db
    .selectFrom('scan_tasks')
    .select(sql<number>`count(*)::int8`.as('n'))
    .where('project_id', '=', projectId)
    .$if(page.taskType !== undefined, (q) => q.where('task_type', '=', page.taskType!))
    .$if(page.enterpriseProjectId !== undefined, (q) => q.where('enterprise_project_id', '=', page.enterpriseProjectId!))
    .executeTakeFirstOrThrow();
  const rows = await deps.store.query<TaskRow>(
    `${TASK_SELECT} WHERE t.project_id = $1 AND ($2::text IS NULL OR t.task_type = $2) AND ($5::text IS NULL OR t.enterprise_project_id = $5)
     GROUP BY t.id ORDER BY t.created_at DESC, t.id LIMIT $3 OFFSET $4`,
    [projectId, page.taskType ?? null, page.limit ?? 10, page.offset ?? 0, page.enterpriseProjectId ?? null],
  );
  const data = [];
  for (const r of rows) data.push(await toProgress(deps.store, r, opts));
  return { total_num: total.n, data_list: data };
}
