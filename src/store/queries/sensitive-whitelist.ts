/**
 * A project's sensitive-file path whitelist: absolute paths or globs (`*`, `?`; a trailing `/`
 * covers a directory) whose findings are not reported. Applied when findings are read, so a
 * change takes effect at once for every image already scanned.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Store } from '../open-store.js';

/**
 * A whitelisted path as a LIKE pattern (backslash, LIKE's default escape, protects literal `%`, `_`
 * and `\`): `*` any characters, `?` one, and a path ending in `/` covers everything below it.
 */
const PATTERN_TEXT = `replace(replace(replace(replace(replace(w.path, '\\', '\\\\'), '%', '\\%'), '_', '\\_'), '*', '%'), '?', '_')
  || CASE WHEN right(w.path, 1) = '/' THEN '%' ELSE '' END`;
const PATTERN = sql.raw<string>(PATTERN_TEXT);

/**
 * True when the finding at `path` (stored without the leading `/`) is under none of the project's
 * whitelisted paths. The patterns are built once per statement (an uncorrelated ARRAY subquery),
 * not once per finding and whitelist entry.
 */
export function notWhitelistedSql(projectId: string, path: RawBuilder<string> | ReturnType<typeof sql.ref>): RawBuilder<SqlBool> {
  return sql<SqlBool>`NOT (('/' || ${path}) LIKE ANY (ARRAY(SELECT ${PATTERN} FROM sensitive_path_whitelist w WHERE w.project_id = ${projectId})))`;
}

/**
 * The same test as SQL text, for whole-image questions (is an image risky) where the project is a
 * column: `projectIdExpr` and `pathExpr` are SQL expressions such as `i.project_id`, `s.path`.
 */
export function notWhitelistedText(projectIdExpr: string, pathExpr: string): string {
  return `NOT (('/' || ${pathExpr}) LIKE ANY (ARRAY(SELECT ${PATTERN_TEXT} FROM sensitive_path_whitelist w WHERE w.project_id = ${projectIdExpr})))`;
}

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
