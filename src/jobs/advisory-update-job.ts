/**
 * The scheduled `db update` (job kind `advisory-update`, queued by the scheduler): re-fetches every
 * advisory source imported from a URL with a conditional GET, and when any came back changed queues
 * the re-match of stored images (rematch-job.ts). A service whose advisories were only imported
 * from files reaches out to nobody: without URL sources the job does nothing.
 */
import { TarsierError } from '../errors.js';
import type { Store } from '../store/open-store.js';
import type { JobQueue } from './queue.js';
import { enqueueRematch } from './rematch-job.js';

export const ADVISORY_UPDATE_KIND = 'advisory-update';

/** Whether any advisory source was imported from a URL (the scheduler updates only those). */
export async function hasUrlSources(store: Store): Promise<boolean> {
  const rows = await store.query<{ id: string }>(`SELECT id FROM advisory_sources WHERE id LIKE 'url:%' LIMIT 1`);
  return rows.length > 0;
}

export async function runAdvisoryUpdateJob(deps: { store: Store; queue: JobQueue; log?: (line: string) => void }): Promise<Record<string, unknown>> {
  if (!(await hasUrlSources(deps.store))) return { skipped: 'no advisory source was imported from a URL' };
  // The feed readers load only here: a worker that never updates never pays for them.
  const { updateSources } = await import('../vulndb/update.js');
  const outcomes = await updateSources(deps.store, (m) => deps.log?.(`advisory update: ${m}`));
  const updated = outcomes.filter((o) => o.records !== undefined);
  const failed = outcomes.filter((o) => o.error !== undefined);
  for (const f of failed) deps.log?.(`advisory update: ${f.source}: ${f.error}`);
  const rematch = updated.length > 0 ? await enqueueRematch(deps) : undefined;
  // Nothing came through at all: retry with backoff (a feed host down, the network gone).
  if (updated.length === 0 && failed.length === outcomes.length) throw new TarsierError('network', `every advisory source failed; first: ${failed[0]!.source}: ${failed[0]!.error}`);
  return {
    sources: outcomes.length,
    updated: updated.map((o) => o.source),
    unchanged: outcomes.filter((o) => o.unchanged).length,
    failed: failed.map((o) => ({ source: o.source, error: o.error })),
    ...(rematch ? { rematchJob: rematch.jobId } : {}),
  };
}
