/**
 * The second half of a registry sync: references to tags the registry no longer holds are
 * removed, as HSS drops a deleted image from its registry image list. Only after a listing that
 * completed, and only for tags confirmed gone one by one (a manifest or artifact lookup answering
 * 404), because a paged listing can skip an item while the registry changes under it; a tag the
 * listing skipped but that still exists is recorded like a listed one instead.
 *
 * What a removal keeps: the handling overlay (finding_states, per project and finding
 * fingerprint) is not tied to references, so a finding ignored on a deleted tag stays ignored
 * wherever it shows up again; the content-addressed analysis of the digest stays for other
 * references and for garbage collection (jobs/gc.ts); scan task history stays as it was (a
 * snapshot of the reference, migration 013). What goes with the reference: its sightings, its
 * place in running scan tasks still waiting for it (a task left with nothing to wait for is
 * closed) and its queued scan.
 */
import type { Store } from '../store/open-store.js';
import { chunks, closeSettledTasks } from './tasks.js';
import { namespaces, type ListedTag, type RegistryLister } from './registry-listers/types.js';

export interface UnseenReference {
  id: string;
  namespace: string;
  image_name: string;
  image_version: string;
}

/** References of the registry that the sync begun at `started` has not recorded. */
export async function unseenReferences(store: Store, registryId: string, started: number): Promise<UnseenReference[]> {
  return store.db
    .selectFrom('images')
    .select(['id', 'namespace', 'image_name', 'image_version'])
    .where('registry_id', '=', registryId)
    .where((eb) => eb.or([eb('latest_sync_time', 'is', null), eb('latest_sync_time', '<', started)]))
    .execute();
}

/** The tag a stored reference names, as a lister would have listed it. */
export function tagOfReference(ref: UnseenReference): ListedTag {
  return {
    repository: ref.namespace === '' ? ref.image_name : `${ref.namespace}/${ref.image_name}`,
    namespace: ref.namespace,
    imageName: ref.image_name,
    tag: ref.image_version,
  };
}

/**
 * Splits unseen references into those still tagged (with their digest now) and those gone.
 * A reference outside the registry's namespace is gone without a lookup: the registry no longer
 * covers it.
 */
export async function confirmGone(
  lister: RegistryLister,
  registryNamespace: string | null,
  refs: UnseenReference[],
  concurrency: number,
  onStillThere: (tag: ListedTag, found: { digest: string; size?: number }) => Promise<void>,
): Promise<string[]> {
  const wanted = namespaces(registryNamespace);
  const gone: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < refs.length) {
      const ref = refs[next++]!;
      if (wanted.length > 0 && !wanted.includes(ref.namespace)) {
        gone.push(ref.id);
        continue;
      }
      const tag = tagOfReference(ref);
      const found = await lister.digestOf(tag);
      if (found) await onStillThere(tag, found);
      else gone.push(ref.id);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, refs.length)) }, worker));
  return gone;
}

/**
 * Removes the references (those a sync since `started` recorded again are spared), cancels their
 * queued scans and closes scan tasks left with nothing to wait for. Returns how many were removed.
 */
export async function removeReferences(store: Store, registryId: string, ids: string[], started: number, now = Date.now()): Promise<number> {
  let removed = 0;
  for (const part of chunks(ids)) {
    const tasks = await store.query<{ task_id: string }>(
      `SELECT DISTINCT task_id FROM scan_task_images WHERE image_id = ANY($1::text[]) AND state = 'waiting'`,
      [part],
    );
    const deleted = await store.query<{ id: string }>(
      `DELETE FROM images WHERE id = ANY($1::text[]) AND registry_id = $2 AND (latest_sync_time IS NULL OR latest_sync_time < $3) RETURNING id`,
      [part, registryId, started],
    );
    removed += deleted.length;
    if (deleted.length === 0) continue;
    await store.query(
      `UPDATE jobs SET state = 'done', result = '{"skipped":"the tag was deleted from the registry"}'::jsonb, finished_at = $2
       WHERE kind = 'scan' AND state = 'queued' AND dedupe_key = ANY($1::text[])`,
      [deleted.map((d) => d.id), now],
    );
    await closeSettledTasks(store, tasks.map((t) => t.task_id), now);
  }
  return removed;
}
