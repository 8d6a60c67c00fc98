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
import type { FailureClass } from './failure.js';
import type { Job, JobQueue } from './queue.js';

export const TASK_TYPES = ['manual', 'cycle', 'autoSync', 'manualSync'] as const;
export type TaskType = (typeof TASK_TYPES)[number];

/** The parts of a ServiceContext these functions use (a ServiceContext is one). */
export interface JobsDeps {
  store: Store;
  queue: JobQueue;
}

const CHUNK = 1000;

function chunks<T>(items: T[], size = CHUNK): T[][] {
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

/** Creates a scan task over image references of the project and queues their scans. */
export async function createScanTask(deps: JobsDeps, projectId: string, imageIds: string[], name: string, type: TaskType, now = Date.now()): Promise<string> {
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
    await trx.insertInto('scan_tasks').values({ id: taskId, project_id: projectId, name, task_type: type, created_at: now, finished_at: ids.length === 0 ? now : null }).execute();
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
  await store.query(
    `UPDATE scan_tasks SET finished_at = $2
     WHERE id = ANY($1::text[]) AND finished_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM scan_task_images ti WHERE ti.task_id = scan_tasks.id AND ti.state = 'waiting')`,
    [[...new Set(touched.map((t) => t.task_id))], now],
  );
}

/** The worker's outcome hook for scan jobs: a final success or failure settles the image's tasks. */
export async function settleScanOutcome(store: Store, job: Job, outcome: 'done' | 'retry' | 'failed' | 'lost', failure?: FailureClass): Promise<void> {
  if (job.kind !== 'scan' || typeof job.payload.imageId !== 'string') return;
  if (outcome === 'done') await settleTaskImages(store, job.payload.imageId, { state: 'success' });
  else if (outcome === 'failed') await settleTaskImages(store, job.payload.imageId, { state: 'failed', failedCode: failure?.code ?? 'unknown_error' });
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

export interface FailedTaskImage {
  image_id: string;
  registry_id: string | null;
  registry_name: string | null;
  registry_type: string | null;
  namespace: string;
  image_name: string;
  image_version: string;
  failed_code: string | null;
  failed_reason: string | null;
}

/** A task as HSS `/image/tasks` shows it. */
export interface TaskProgress {
  task_id: string;
  task_name: string;
  task_type: string;
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
  created_at: number;
  finished_at: number | null;
  stopped_at: number | null;
  total: number;
  success: number;
  failed: number;
  risky: number;
}

// Risky = scanned successfully and holding any vulnerability, secret or build-command risk.
const TASK_SELECT = `
  SELECT t.id, t.name, t.task_type, t.created_at, t.finished_at, t.stopped_at,
    count(ti.image_id)::int8 AS total,
    count(*) FILTER (WHERE ti.state = 'success')::int8 AS success,
    count(*) FILTER (WHERE ti.state = 'failed')::int8 AS failed,
    count(*) FILTER (WHERE ti.state = 'success' AND i.digest IS NOT NULL AND (
      EXISTS (SELECT 1 FROM vuln_findings v WHERE v.manifest_digest = i.digest)
      OR EXISTS (SELECT 1 FROM sensitive_findings s WHERE s.manifest_digest = i.digest)
      OR EXISTS (SELECT 1 FROM build_risks b WHERE b.manifest_digest = i.digest)))::int8 AS risky
  FROM scan_tasks t
  LEFT JOIN scan_task_images ti ON ti.task_id = t.id
  LEFT JOIN images i ON i.id = ti.image_id`;

function statusOf(r: TaskRow, timeoutMs: number, now: number): number {
  if (r.stopped_at !== null) return -1;
  const settled = r.success + r.failed;
  if (r.finished_at !== null || settled >= r.total) return r.total > 0 && r.failed === r.total ? -3 : 100;
  if (now - r.created_at > timeoutMs) return -2;
  return Math.min(99, Math.floor((100 * settled) / r.total));
}

async function failedImages(store: Store, taskId: string, limit: number): Promise<FailedTaskImage[]> {
  return store.query<FailedTaskImage>(
    `SELECT i.id AS image_id, i.registry_id, r.name AS registry_name, r.type AS registry_type, i.namespace, i.image_name, i.image_version,
            ti.failed_code, i.failed_reason
     FROM scan_task_images ti JOIN images i ON i.id = ti.image_id LEFT JOIN registries r ON r.id = i.registry_id
     WHERE ti.task_id = $1 AND ti.state = 'failed'
     ORDER BY i.image_name, i.image_version LIMIT $2`,
    [taskId, limit],
  );
}

async function toProgress(store: Store, r: TaskRow, opts: TaskQueryOptions): Promise<TaskProgress> {
  const now = opts.now ?? Date.now();
  return {
    task_id: r.id,
    task_name: r.name,
    task_type: r.task_type,
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

/** A project's tasks, newest first (HSS `GET /image/tasks`: offset/limit, optional task_type). */
export async function listScanTasks(
  deps: Pick<JobsDeps, 'store'>,
  projectId: string,
  page: { offset?: number; limit?: number; taskType?: TaskType } = {},
  opts: Omit<TaskQueryOptions, 'projectId'> = {},
): Promise<{ total_num: number; data_list: TaskProgress[] }> {
  const total = await deps.store.db
    .selectFrom('scan_tasks')
    .select(sql<number>`count(*)::int8`.as('n'))
    .where('project_id', '=', projectId)
    .$if(page.taskType !== undefined, (q) => q.where('task_type', '=', page.taskType!))
    .executeTakeFirstOrThrow();
  const rows = await deps.store.query<TaskRow>(
    `${TASK_SELECT} WHERE t.project_id = $1 AND ($2::text IS NULL OR t.task_type = $2)
     GROUP BY t.id ORDER BY t.created_at DESC, t.id LIMIT $3 OFFSET $4`,
    [projectId, page.taskType ?? null, page.limit ?? 10, page.offset ?? 0],
  );
  const data = [];
  for (const r of rows) data.push(await toProgress(deps.store, r, opts));
  return { total_num: total.n, data_list: data };
}
