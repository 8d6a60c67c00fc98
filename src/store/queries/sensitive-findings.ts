/**
 * Sensitive-information findings as tenants see them: per image (by manifest digest) or across
 * every visible image (one row per fingerprint), with the project's handling state and without
 * findings under the project's whitelisted paths. Paths are stored without the leading `/`;
 * callers see and filter them with it.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Store } from '../open-store.js';
import { isHandledState } from './finding-states.js';
import { imageFilterSql, SEVERITY_RANK_SQL, type ImageFilter, type VisibilityScope } from './image-refs.js';

export interface SensitiveQuery {
  /** Substring of the absolute file path. */
  filePath?: string;
  severity?: string;
  handled?: boolean;
  offset: number;
  limit: number;
}

export interface SensitiveRow {
  fingerprint: string;
  key: string;
  severity: string;
  /** Absolute path in the image. */
  path: string;
  layer_digest: string;
  masked: string;
  latest_scan_time: number | null;
  handled: boolean;
}

export interface Page<T> {
  total: number;
  rows: T[];
}

/**
 * A whitelisted path as a LIKE pattern, built in SQL: `*` any characters, `?` one, and a path
 * ending in `/` covers everything below it.
 */
const WHITELIST_LIKE = sql<string>`replace(replace(replace(replace(replace(w.path, '\\', '\\\\'), '%', '\\%'), '_', '\\_'), '*', '%'), '?', '_')
  || CASE WHEN right(w.path, 1) = '/' THEN '%' ELSE '' END`;

function notWhitelisted(projectId: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`NOT EXISTS (SELECT 1 FROM sensitive_path_whitelist w WHERE w.project_id = ${projectId} AND ('/' || s.path) LIKE ${WHITELIST_LIKE} ESCAPE '\\')`;
}

function findingFilters(q: SensitiveQuery): RawBuilder<SqlBool>[] {
  const out: RawBuilder<SqlBool>[] = [];
  if (q.filePath !== undefined && q.filePath !== '') out.push(sql<SqlBool>`strpos('/' || s.path, ${q.filePath}) > 0`);
  if (q.severity !== undefined) out.push(sql<SqlBool>`s.severity = ${q.severity}`);
  if (q.handled === true) out.push(sql<SqlBool>`fs.state IS NOT NULL`);
  if (q.handled === false) out.push(sql<SqlBool>`fs.state IS NULL`);
  return out;
}

const HANDLED_JOIN = (projectId: string) =>
  sql`LEFT JOIN finding_states fs ON fs.project_id = ${projectId} AND fs.kind = 'sensitive' AND fs.fingerprint = s.fingerprint AND fs.state IN ('ignored', 'false_positive')`;

/** One image's findings (the image was found visible by the caller). */
export async function listImageSensitive(store: Store, projectId: string, image: { digest: string; latestScanTime: number | null }, q: SensitiveQuery): Promise<Page<SensitiveRow>> {
  const where = sql.join([sql<SqlBool>`s.manifest_digest = ${image.digest}`, notWhitelisted(projectId), ...findingFilters(q)], sql` AND `);
  const from = sql`FROM sensitive_findings s ${HANDLED_JOIN(projectId)} WHERE ${where}`;
  const [count] = (await sql<{ n: number }>`SELECT count(*)::int8 AS n ${from}`.execute(store.db)).rows;
  const total = count?.n ?? 0;
  if (total === 0 || q.offset >= total) return { total, rows: [] };
  const rows = await sql<Omit<SensitiveRow, 'latest_scan_time'> & { state: string | null }>`
    SELECT s.fingerprint, s.key, s.severity, '/' || s.path AS path, s.layer_digest, s.masked, fs.state
    ${from}
    ORDER BY ${SEVERITY_RANK_SQL(sql.ref('s.severity'))}, s.path, s.fingerprint
    LIMIT ${q.limit} OFFSET ${q.offset}`.execute(store.db);
  return { total, rows: rows.rows.map(({ state, ...r }) => ({ ...r, latest_scan_time: image.latestScanTime, handled: isHandledState(state) })) };
}

/**
 * Every visible image's findings, one row per fingerprint (the same secret in many images is
 * one entry): the layer it appears in first and the latest scan time among those images.
 */
export async function listAllSensitive(store: Store, scope: VisibilityScope, images: ImageFilter, q: SensitiveQuery): Promise<Page<SensitiveRow>> {
  const where = sql.join([imageFilterSql('i', scope, images), notWhitelisted(scope.projectId), ...findingFilters(q)], sql` AND `);
  const grouped = sql`
    SELECT s.fingerprint, min(s.key) AS key, min(s.severity) AS severity, min('/' || s.path) AS path, min(s.layer_digest) AS layer_digest,
           min(s.masked) AS masked, max(i.latest_scan_time) AS latest_scan_time, min(fs.state) AS state
    FROM images i
    JOIN sensitive_findings s ON s.manifest_digest = i.digest
    ${HANDLED_JOIN(scope.projectId)}
    WHERE ${where}
    GROUP BY s.fingerprint`;
  const [count] = (await sql<{ n: number }>`SELECT count(*)::int8 AS n FROM (${grouped}) g`.execute(store.db)).rows;
  const total = count?.n ?? 0;
  if (total === 0 || q.offset >= total) return { total, rows: [] };
  const rows = await sql<Omit<SensitiveRow, 'handled'> & { state: string | null }>`
    SELECT g.* FROM (${grouped}) g
    ORDER BY ${SEVERITY_RANK_SQL(sql.ref('g.severity'))}, g.path, g.fingerprint
    LIMIT ${q.limit} OFFSET ${q.offset}`.execute(store.db);
  return { total, rows: rows.rows.map(({ state, ...r }) => ({ ...r, handled: isHandledState(state) })) };
}

/** Whether a fingerprint is a finding of some visible image of these types. */
export async function sensitiveFindingVisible(store: Store, scope: VisibilityScope, images: ImageFilter, fingerprint: string): Promise<boolean> {
  const rows = await sql<{ one: number }>`
    SELECT 1 AS one FROM images i JOIN sensitive_findings s ON s.manifest_digest = i.digest
    WHERE ${imageFilterSql('i', scope, images)} AND s.fingerprint = ${fingerprint}
    LIMIT 1`.execute(store.db);
  return rows.rows.length > 0;
}
