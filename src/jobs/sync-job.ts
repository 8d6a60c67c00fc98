/**
 * The `sync` job: list every tag of one registry (restricted to its namespace), record each as an
 * image reference of the registry's project with the digest the tag names now, and queue a scan
 * only where that digest has no successful scan on record — new tags, moved tags, and tags whose
 * last scan failed. Unchanged tags cost one HEAD (none on Harbor) and no scan. After a complete
 * listing, references to tags the registry no longer holds are removed (sync-reconcile.ts).
 */
import { TarsierError } from '../errors.js';
import type { ImageType } from '../store/images-repo.js';
import { upsertImage } from '../store/images-repo.js';
import type { Store } from '../store/open-store.js';
import { registryCredentials } from '../store/registries-repo.js';
import type { SecretBox } from '../store/secret-box.js';
import type { Job, JobQueue } from './queue.js';
import { listerFor, type ListedTag, type ListerOptions } from './registry-listers/index.js';
import { confirmGone, removeReferences, unseenReferences } from './sync-reconcile.js';
import { createScanTask, enqueueScan, type TaskType } from './tasks.js';

export interface SyncJobDeps {
  store: Store;
  box: SecretBox;
  queue: JobQueue;
  /** Tags resolved and recorded at once; default 8. */
  concurrency?: number;
  lister?: ListerOptions;
  log?: (line: string) => void;
}

export interface SyncResult extends Record<string, unknown> {
  registryId: string;
  skipped?: string;
  /** Tags listed. */
  tags: number;
  /** References seen for the first time. */
  new: number;
  /** Tags whose digest moved since the last sync. */
  changed: number;
  /** Tags whose digest is scanned already: nothing queued. */
  upToDate: number;
  /** Scan jobs created (a scan already pending for an image is not queued twice). */
  queued: number;
  /** Tags that disappeared between listing and their digest lookup. */
  vanished: number;
  /** References removed because their tag is no longer in the registry (or its namespace). */
  removed: number;
  taskId?: string;
}

/** HSS image_type of the images a registry type holds. */
export function imageTypeForRegistry(type: string): ImageType {
  switch (type) {
    case 'Harbor':
      return 'harbor';
    case 'Jfrog':
      return 'jfrog';
    case 'SwrShared':
      return 'shared_image';
    case 'SwrEnterprise':
      return 'instance_image';
    default:
      return 'private_image';
  }
}

interface TagRecord {
  old_tag_digest: string | null;
  up_to_date: boolean;
}

/**
 * Stores the tag's current digest and, unless a successful scan of that digest is on record,
 * marks the image waiting (so a sync that dies before queueing still queues it next time).
 */
async function recordTagDigest(store: Store, imageId: string, digest: string, now: number): Promise<TagRecord> {
  const rows = await store.query<TagRecord>(
    `WITH old AS (SELECT id, tag_digest, scanned_tag_digest, scan_status FROM images WHERE id = $1 FOR UPDATE)
     UPDATE images i SET tag_digest = $2::text, latest_sync_time = $3,
       scan_status = CASE
         WHEN old.scan_status = 'success' AND old.scanned_tag_digest = $2::text THEN old.scan_status
         WHEN old.scan_status = 'scanning' THEN old.scan_status
         ELSE 'waiting_for_scan' END
     FROM old WHERE i.id = old.id
     RETURNING old.tag_digest AS old_tag_digest, (old.scan_status = 'success' AND old.scanned_tag_digest IS NOT DISTINCT FROM $2::text) AS up_to_date`,
    [imageId, digest, now],
  );
  if (!rows[0]) throw new TarsierError('database_error', `image ${imageId} vanished while syncing`);
  return rows[0];
}

/** Runs `fn` over the items of `items` with at most `limit` in flight; the first error stops it. */
async function forEachConcurrent<T>(items: AsyncIterable<T>, limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const running = new Set<Promise<void>>();
  let failure: { err: unknown } | undefined;
  for await (const item of items) {
    if (failure) break;
    const p: Promise<void> = fn(item).catch((err: unknown) => {
      failure ??= { err };
    });
    const tracked = p.finally(() => running.delete(tracked));
    running.add(tracked);
    if (running.size >= limit) await Promise.race(running);
  }
  await Promise.all(running);
  if (failure) throw failure.err;
}

export async function runSyncJob(deps: SyncJobDeps, job: Job): Promise<SyncResult> {
  assertSyncPayload(job.payload);
  const registryId = String(job.payload.registryId);
  const taskType = job.payload.taskType as TaskType | undefined;
  const result: SyncResult = { registryId, tags: 0, new: 0, changed: 0, upToDate: 0, queued: 0, vanished: 0, removed: 0 };
  const reg = await deps.store.db.selectFrom('registries').selectAll().where('id', '=', registryId).executeTakeFirst();
  if (!reg) return { ...result, skipped: 'registry was deleted' };
  const creds = await registryCredentials(deps.store, deps.box, registryId);
  const lister = listerFor(
    { type: reg.type, protocol: reg.protocol === 'http' ? 'http' : 'https', addr: reg.addr, namespace: reg.namespace, username: creds?.username, password: creds?.password },
    deps.lister,
  );
  const imageType = imageTypeForRegistry(reg.type);
  const toScan: string[] = [];
  const started = Date.now();
  const concurrency = deps.concurrency ?? 8;
  /** Records a tag the registry holds at this digest, and queues its scan unless that digest is scanned. */
  const recordTag = async (tag: ListedTag, found: { digest: string }): Promise<void> => {
    const now = Date.now();
    const imageId = await upsertImage(
      deps.store,
      {
        projectId: reg.project_id,
        enterpriseProjectId: reg.enterprise_project_id,
        registryId,
        imageType,
        namespace: tag.namespace,
        imageName: tag.imageName,
        imageVersion: tag.tag,
        reference: `${reg.addr}/${tag.repository}:${tag.tag}`,
      },
      now,
    );
    const rec = await recordTagDigest(deps.store, imageId, found.digest, now);
    if (rec.old_tag_digest === null) result.new++;
    else if (rec.old_tag_digest !== found.digest) result.changed++;
    if (rec.up_to_date) {
      result.upToDate++;
      return;
    }
    if (taskType) toScan.push(imageId);
    else if ((await enqueueScan(deps, { id: imageId, projectId: reg.project_id }, undefined, now)).created) result.queued++;
  };
  try {
    await forEachConcurrent(lister.tags(), concurrency, async (tag: ListedTag) => {
      result.tags++;
      const found = await lister.digestOf(tag);
      if (found) await recordTag(tag, found);
      else result.vanished++;
    });
    // The listing is complete (an error above ends the job before anything is removed).
    const unseen = await unseenReferences(deps.store, registryId, started);
    const gone = await confirmGone(lister, reg.namespace, unseen, concurrency, async (tag, found) => {
      // Skipped by a listing that shifted under us, yet still there: record it like a listed tag.
      result.tags++;
      await recordTag(tag, found);
    });
    result.removed = await removeReferences(deps.store, registryId, gone, started);
  } finally {
    await lister.close();
  }
  // The task is made once the listing is complete, so its total is final from the start; a
  // timed sync that found nothing to scan leaves no empty task behind.
  if (taskType && (toScan.length > 0 || taskType === 'manualSync')) {
    result.taskId = await createScanTask(deps, reg.project_id, toScan, `sync ${reg.name}`, taskType, { enterpriseProjectId: reg.enterprise_project_id });
    result.queued = toScan.length;
  }
  await deps.store.db.updateTable('registries').set({ last_sync_at: started }).where('id', '=', registryId).execute();
  deps.log?.(`sync ${reg.name}: ${result.tags} tags, ${result.new} new, ${result.changed} changed, ${result.upToDate} up to date, ${result.queued} scans queued, ${result.removed} deleted tags removed`);
  return result;
}

/** Rejects a job payload that cannot be a sync (bad enqueue): never retried. */
export function assertSyncPayload(payload: Record<string, unknown>): void {
  if (typeof payload.registryId !== 'string' || payload.registryId === '') throw new TarsierError('usage', 'sync job without a registryId');
}
