/**
 * The advisory generation: one value naming what the advisory tables hold, so that "has anything
 * been imported since?" is one comparison. Re-match jobs are keyed by it (jobs/rematch-job.ts), a
 * scan job compares it before and after matching (jobs/scan-job.ts), and the derived advisory index
 * records the one it was built from (advisory-index-files.ts).
 */
import { createHash } from 'node:crypto';
import type { Store } from '../store/open-store.js';

/**
 * Changes with every committed import or removal of any source: importSource rewrites its source's
 * row (time, count) and takes new keys from the sequence, so even two imports of one source within
 * the same millisecond and with the same count differ by the largest key.
 */
export async function advisoryGeneration(store: Store): Promise<string> {
  const sources = await store.query<{ id: string; updated_at: number; record_count: number }>('SELECT id, updated_at, record_count FROM advisory_sources ORDER BY id');
  const [top] = await store.query<{ max: number | null }>('SELECT max(pk) AS max FROM advisories');
  const hash = createHash('sha256');
  for (const s of sources) hash.update(`${s.id}\u0000${s.updated_at}\u0000${s.record_count}\n`);
  hash.update(String(top?.max ?? ''));
  return `advisories:${hash.digest('hex').slice(0, 24)}`;
}
