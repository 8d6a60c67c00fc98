/**
 * Repository images (everything but CI/CD uploads) as a tenant sees them, with their scan state
 * and per-image finding counts. Counts are computed for the returned page only; filters on
 * findings use EXISTS against the per-manifest indexes.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Store } from '../open-store.js';
import { imageFilterSql, REGISTRY_IMAGE_TYPES, type VisibilityScope } from './image-refs.js';
import type { Page } from './sensitive-findings.js';
import { notWhitelistedText } from './sensitive-whitelist.js';

export interface RegistryImageRow {
  image_id: string;
  namespace: string;
  image_name: string;
  image_version: string;
  image_type: string;
  digest: string | null;
  size: number | null;
  registry_id: string | null;
  registry_name: string | null;
  registry_type: string | null;
  scan_status: string;
  failed_code: string | null;
  failed_reason: string | null;
  latest_scan_time: number | null;
  latest_sync_time: number | null;
  vul_num: number;
  unsafe_setting_num: number;
  /** Most severe of the vulnerability and failed-baseline severities: 0 critical … 3 low; null when none. */
  worst_rank: number | null;
}

export interface RegistryImageQuery {
  imageType?: string;
  namespace?: string;
  /** Substring of the image name. */
  imageName?: string;
  imageVersion?: string;
  registryName?: string;
  scanStatus?: string;
  hasVul?: boolean;
  hasUnsafeSetting?: boolean;
  risky?: boolean;
  /** Lower case: security, low, medium, high (critical counts as high). */
  severityLevel?: string;
  scanTime?: { from?: number; to?: number };
  syncTime?: { from?: number; to?: number };
  sortDir?: 'asc' | 'desc';
  offset: number;
  limit: number;
}

const RANK = (col: string) => sql.raw(`CASE ${col} WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 END`);
const WORST_RANK = sql<number | null>`(SELECT min(x.rank) FROM (
    SELECT ${RANK('v.severity')} AS rank FROM vuln_findings v WHERE v.manifest_digest = i.digest
    UNION ALL
    SELECT ${RANK("e->>'severity'")} FROM baseline_results b CROSS JOIN LATERAL jsonb_array_elements(b.rules) e
      WHERE b.manifest_digest = i.digest AND e->>'status' = 'failed') x)`;
const HAS_VUL = sql<SqlBool>`EXISTS (SELECT 1 FROM vuln_findings v WHERE v.manifest_digest = i.digest)`;
const HAS_UNSAFE = sql<SqlBool>`EXISTS (SELECT 1 FROM baseline_results b WHERE b.manifest_digest = i.digest AND b.failed_rule_num > 0)`;
const RISKY = sql<SqlBool>`(${HAS_VUL} OR ${HAS_UNSAFE}
  OR EXISTS (SELECT 1 FROM sensitive_findings s WHERE s.manifest_digest = i.digest AND ${sql.raw(notWhitelistedText('i.project_id', 's.path'))})
  OR EXISTS (SELECT 1 FROM build_risks br WHERE br.manifest_digest = i.digest)
  OR i.signed IS FALSE)`;

function level(rank: number | null): string {
  if (rank === null) return 'security';
  return rank <= 1 ? 'high' : rank === 2 ? 'medium' : 'low';
}

function rangeSql(column: string, r: { from?: number; to?: number } | undefined): RawBuilder<SqlBool>[] {
  const out: RawBuilder<SqlBool>[] = [];
  if (r?.from !== undefined) out.push(sql<SqlBool>`${sql.ref(column)} >= ${r.from}`);
  if (r?.to !== undefined) out.push(sql<SqlBool>`${sql.ref(column)} <= ${r.to}`);
  return out;
}

const bool = (cond: RawBuilder<SqlBool>, want: boolean | undefined): RawBuilder<SqlBool>[] => (want === undefined ? [] : [want ? cond : sql<SqlBool>`NOT ${cond}`]);

export async function listRegistryImages(store: Store, scope: VisibilityScope, q: RegistryImageQuery): Promise<Page<Omit<RegistryImageRow, 'worst_rank'> & { severity_level: string | null }>> {
  const parts: RawBuilder<SqlBool>[] = [
    imageFilterSql('i', scope, {
      imageTypes: q.imageType !== undefined ? [q.imageType] : [...REGISTRY_IMAGE_TYPES, 'local_image'],
      ...(q.namespace !== undefined ? { namespace: q.namespace } : {}),
      ...(q.imageName !== undefined && q.imageName !== '' ? { imageName: q.imageName, imageNameContains: true } : {}),
      ...(q.imageVersion !== undefined ? { imageVersion: q.imageVersion } : {}),
    }),
    ...(q.registryName !== undefined ? [sql<SqlBool>`r.name = ${q.registryName}`] : []),
    ...(q.scanStatus !== undefined ? [sql<SqlBool>`i.scan_status = ${q.scanStatus}`] : []),
    ...bool(HAS_VUL, q.hasVul),
    ...bool(HAS_UNSAFE, q.hasUnsafeSetting),
    ...bool(RISKY, q.risky),
    ...rangeSql('i.latest_scan_time', q.scanTime),
    ...rangeSql('i.latest_sync_time', q.syncTime),
  ];
  if (q.severityLevel !== undefined) {
    // Only scanned images have a level; `security` is a scan with nothing above it.
    parts.push(sql<SqlBool>`i.digest IS NOT NULL AND i.scan_status = 'success'`);
    const ranks: Record<string, RawBuilder<SqlBool>> = {
      security: sql<SqlBool>`${WORST_RANK} IS NULL`,
      low: sql<SqlBool>`${WORST_RANK} = 3`,
      medium: sql<SqlBool>`${WORST_RANK} = 2`,
      high: sql<SqlBool>`${WORST_RANK} <= 1`,
    };
    parts.push(Object.hasOwn(ranks, q.severityLevel) ? ranks[q.severityLevel]! : sql<SqlBool>`false`);
  }
  const from = sql`FROM images i LEFT JOIN registries r ON r.id = i.registry_id WHERE ${sql.join(parts, sql` AND `)}`;
  const [count] = (await sql<{ n: number }>`SELECT count(*)::int8 AS n ${from}`.execute(store.db)).rows;
  const total = count?.n ?? 0;
  if (total === 0 || q.offset >= total) return { total, rows: [] };
  const order = q.sortDir === 'desc' ? sql`i.latest_scan_time DESC NULLS LAST` : q.sortDir === 'asc' ? sql`i.latest_scan_time ASC NULLS FIRST` : sql`i.namespace, i.image_name, i.image_version`;
  const rows = await sql<RegistryImageRow>`
    SELECT i.id AS image_id, i.namespace, i.image_name, i.image_version, i.image_type, i.digest, i.size, i.registry_id,
           r.name AS registry_name, r.type AS registry_type, i.scan_status, i.failed_code, i.failed_reason, i.latest_scan_time, i.latest_sync_time,
           (SELECT count(DISTINCT v.vuln_id)::int8 FROM vuln_findings v WHERE v.manifest_digest = i.digest) AS vul_num,
           (SELECT count(DISTINCT e->>'id')::int8 FROM baseline_results b CROSS JOIN LATERAL jsonb_array_elements(b.rules) e
              WHERE b.manifest_digest = i.digest AND e->>'status' = 'failed') AS unsafe_setting_num,
           ${WORST_RANK} AS worst_rank
    ${from}
    ORDER BY ${order}, i.id
    LIMIT ${q.limit} OFFSET ${q.offset}`.execute(store.db);
  return {
    total,
    rows: rows.rows.map(({ worst_rank, ...r }) => ({ ...r, severity_level: r.digest !== null && r.scan_status === 'success' ? level(worst_rank) : null })),
  };
}
