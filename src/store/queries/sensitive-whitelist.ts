/**
 * A project's sensitive-file path whitelist: absolute paths or globs (`*`, `?`; a trailing `/`
 * covers a directory) whose findings are not reported. Applied when findings are read, so a
 * change takes effect at once for every image already scanned.
 */
import type { Store } from '../open-store.js';

export async function listWhitelistedPaths(store: Store, projectId: string): Promise<string[]> {
  const rows = await store.db.selectFrom('sensitive_path_whitelist').select('path').where('project_id', '=', projectId).orderBy('path').execute();
  return rows.map((r) => r.path);
}

/** Replaces the project's list with `paths` (deduplicated) in one transaction; read back sorted. */
export async function replaceWhitelistedPaths(store: Store, projectId: string, paths: readonly string[], now = Date.now()): Promise<void> {
  const unique = [...new Set(paths)];
  await store.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('sensitive_path_whitelist').where('project_id', '=', projectId).execute();
    for (let i = 0; i < unique.length; i += 500) {
      await trx
        .insertInto('sensitive_path_whitelist')
        .values(unique.slice(i, i + 500).map((path) => ({ project_id: projectId, path, created_at: now })))
        .execute();
    }
  });
}
