/**
 * Sensitive-information findings as tenants see them: per image (by manifest digest) or across
 * every visible image (one row per fingerprint), with the project's handling state and without
 * findings under the project's whitelisted paths. Paths are stored without the leading `/`;
 * callers see and filter them with it.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Store } from '../open-store.js';
import { isHandledState } from './finding-states.js';
import { imageFilterSql, locateImage, SEVERITY_RANK_SQL, type ImageFilter, type ImageLocator, type VisibilityScope } from './image-refs.js';
import { notWhitelistedSql } from './sensitive-whitelist.js';

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

/** The project's handling row of the finding whose fingerprint is `fingerprint` (unhandled findings have none). */
const handledRow = (projectId: string, fingerprint: ReturnType<typeof sql.ref>) =>
  sql<SqlBool>`fs.project_id = ${projectId} AND fs.kind = 'sensitive' AND fs.fingerprint = ${fingerprint} AND fs.state IN ('ignored', 'false_positive')`;

/** Predicates over sensitive_findings `s`: the project's whitelist, then the request's filters. */
function findingFilters(projectId: string, q: SensitiveQuery): RawBuilder<SqlBool>[] {
  const out: RawBuilder<SqlBool>[] = [notWhitelistedSql(projectId, sql.ref('s.path'))];
  if (q.filePath !== undefined && q.filePath !== '') out.push(sql<SqlBool>`strpos('/' || s.path, ${q.filePath}) > 0`);
  if (q.severity !== undefined) out.push(sql<SqlBool>`s.severity = ${q.severity}`);
  if (q.handled !== undefined) {
    const exists = sql<SqlBool>`EXISTS (SELECT 1 FROM finding_states fs WHERE ${handledRow(projectId, sql.ref('s.fingerprint'))})`;
    out.push(q.handled ? exists : sql<SqlBool>`NOT ${exists}`);
  }
  return out;
}

/**
 * The count and one page of the rows of CTE \`f\` (which has \`rank\`, \`path\` and \`fingerprint\`) in
 * one statement: a page past the end still carries the count. Handling states are looked up for
 * the page's rows only.
 */
function countAndPage(projectId: string, q: SensitiveQuery, extra: RawBuilder<unknown>) {
  return sql`
    SELECT c.total, ${extra}, p.fingerprint, p.key, p.severity, '/' || p.path AS path, p.layer_digest, p.masked,
           (SELECT fs.state FROM finding_states fs WHERE ${handledRow(projectId, sql.ref('p.fingerprint'))}) AS state
    FROM (SELECT count(*)::int8 AS total FROM f) c
    LEFT JOIN LATERAL (SELECT * FROM f ORDER BY f.rank, f.path, f.fingerprint LIMIT ${q.limit} OFFSET ${q.offset}) p ON true
    ORDER BY p.rank, p.path, p.fingerprint`;
}

type PageRow = Omit<SensitiveRow, 'handled' | 'fingerprint'> & { total: number; state: string | null; fingerprint: string | null };

function toPage(rows: PageRow[]): Page<SensitiveRow> {
  const out: SensitiveRow[] = [];
  // With no row on the page, the one row returned carries only the count. Fields are copied by
  // name: rest/spread copies of every row cost more than the rest of this function.
  for (const r of rows) {
    if (r.fingerprint === null) continue;
    out.push({
      fingerprint: r.fingerprint,
      key: r.key,
      severity: r.severity,
      path: r.path,
      layer_digest: r.layer_digest,
      masked: r.masked,
      latest_scan_time: r.latest_scan_time,
      handled: isHandledState(r.state),
    });
  }
  return { total: rows[0]?.total ?? 0, rows: out };
}

/**
 * One image's findings, the image named by an HSS locator within the scope: image, count and page
 * in one prepared statement (one round trip; see Store.prepared). An image that is absent, not
 * visible or not yet scanned has none.
 */
export async function listImageSensitive(store: Store, scope: VisibilityScope, image: ImageLocator, q: SensitiveQuery): Promise<Page<SensitiveRow>> {
  const located = locateImage(store, scope, image).clearSelect().select(['i.digest', 'i.latest_scan_time']);
  const statement = sql<PageRow>`
    WITH img AS ${located},
    f AS (
      SELECT s.fingerprint, s.key, s.severity, s.path, s.layer_digest, s.masked, ${SEVERITY_RANK_SQL(sql.ref('s.severity'))} AS rank
      FROM img JOIN sensitive_findings s ON s.manifest_digest = img.digest
      WHERE ${sql.join(findingFilters(scope.projectId, q), sql` AND `)}
    )
    ${countAndPage(scope.projectId, q, sql`(SELECT latest_scan_time FROM img) AS latest_scan_time`)}`;
  return toPage(await store.prepared<PageRow>(statement.compile(store.db)));
}

/**
 * Every visible image's findings, one row per fingerprint (the same secret in many images is
 * one entry): the layer it appears in first and the latest scan time among those images.
 */
export async function listAllSensitive(store: Store, scope: VisibilityScope, images: ImageFilter, q: SensitiveQuery): Promise<Page<SensitiveRow>> {
  const result = await sql<PageRow>`
    WITH f AS (
      SELECT s.fingerprint, min(s.key) AS key, min(s.severity) AS severity, min(s.path) AS path, min(s.layer_digest) AS layer_digest,
             min(s.masked) AS masked, max(i.latest_scan_time) AS latest_scan_time, min(${SEVERITY_RANK_SQL(sql.ref('s.severity'))}) AS rank
      FROM images i
      JOIN sensitive_findings s ON s.manifest_digest = i.digest
      WHERE ${sql.join([imageFilterSql('i', scope, images), ...findingFilters(scope.projectId, q)], sql` AND `)}
      GROUP BY s.fingerprint
    )
    ${countAndPage(scope.projectId, q, sql`p.latest_scan_time`)}`.execute(store.db);
  return toPage(result.rows);
}

/** Whether a fingerprint is a finding of some visible image of these types. */
export async function sensitiveFindingVisible(store: Store, scope: VisibilityScope, images: ImageFilter, fingerprint: string): Promise<boolean> {
  const rows = await sql<{ one: number }>`
    SELECT 1 AS one FROM images i JOIN sensitive_findings s ON s.manifest_digest = i.digest
    WHERE ${imageFilterSql('i', scope, images)} AND s.fingerprint = ${fingerprint}
    LIMIT 1`.execute(store.db);
  return rows.rows.length > 0;
}
