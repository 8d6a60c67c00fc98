/**
 * One image's vulnerability findings as tenants see them, with the project's handling state, and
 * the HSS repair necessity of a finding. (The images a vulnerability affects: affected-images.ts.)
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Store } from '../open-store.js';
import { SEVERITY_RANK_SQL } from './image-refs.js';
import type { Page } from './sensitive-findings.js';

/** OS package types: their findings are HSS `linux_vul`, every other type `app_vul`. */
export const OS_PACKAGE_TYPES = ['deb', 'rpm', 'apk', 'os'] as const;

export type RepairNecessity = 'immediate_repair' | 'delay_repair' | 'not_needed_repair';

/**
 * HSS `repair_necessity` of a finding. The vendor's state decides first: a fix it will not make
 * (Debian "ignored", Red Hat "Will not fix": judged not worth fixing in the release) needs no
 * repair, a fix it has postponed cannot be applied yet and waits; otherwise the severity does
 * (critical/high now, medium later, low/unrated not needed). Kept equal to REPAIR_NECESSITY_SQL.
 */
export function repairNecessity(severity: string, status: string): RepairNecessity {
  if (status === 'will_not_fix') return 'not_needed_repair';
  if (status === 'fix_deferred') return 'delay_repair';
  if (severity === 'critical' || severity === 'high') return 'immediate_repair';
  return severity === 'medium' ? 'delay_repair' : 'not_needed_repair';
}

/** repairNecessity over vuln_findings `v`, for filtering in SQL. */
export const REPAIR_NECESSITY_SQL = sql<RepairNecessity>`(CASE WHEN v.status = 'will_not_fix' THEN 'not_needed_repair'
  WHEN v.status = 'fix_deferred' THEN 'delay_repair'
  WHEN v.severity IN ('critical', 'high') THEN 'immediate_repair'
  WHEN v.severity = 'medium' THEN 'delay_repair'
  ELSE 'not_needed_repair' END)`;

export interface ImageVulnRow {
  vuln_id: string;
  severity: string;
  /** Vendor state: fixed, affected, will_not_fix, fix_deferred, end_of_life, under_investigation. */
  status: string;
  title: string | null;
  package_type: string;
  package_name: string;
  installed_version: string;
  fixed_version: string | null;
  package_path: string | null;
  /** Digest of the layer that introduced the package, when known. */
  layer_digest: string | null;
  solution: string | null;
  url: string | null;
  /** The project has handled (ignored…) this finding. */
  handled: boolean;
}

/**
 * `vulnFingerprint` (fingerprints.ts) computed in SQL: sha256 over the NUL-joined parts, first
 * 32 hex digits. Built over bytea because text cannot hold NUL.
 */
export const VULN_FINGERPRINT_SQL = sql<string>`left(encode(sha256(
  convert_to('vuln', 'UTF8') || decode('00', 'hex') || convert_to(v.vuln_id, 'UTF8') || decode('00', 'hex')
  || convert_to(v.package_type, 'UTF8') || decode('00', 'hex') || convert_to(v.package_name, 'UTF8')), 'hex'), 32)`;

export interface ImageVulnQuery {
  /** Lower-case severities to keep. */
  severities?: readonly string[];
  repairNecessity?: RepairNecessity;
  /** Substring of the vulnerability id. */
  vulnIdContains?: string;
  appName?: string;
  kind?: 'os' | 'app';
  handled?: boolean;
  offset: number;
  limit: number;
}

/** One manifest's vulnerability findings, most severe first. */
export async function listImageVulns(store: Store, projectId: string, digest: string, q: ImageVulnQuery): Promise<Page<ImageVulnRow>> {
  const parts: RawBuilder<SqlBool>[] = [sql<SqlBool>`v.manifest_digest = ${digest}`];
  if (q.severities !== undefined) parts.push(sql<SqlBool>`v.severity = ANY(${sql.val([...q.severities])}::text[])`);
  if (q.repairNecessity !== undefined) parts.push(sql<SqlBool>`${REPAIR_NECESSITY_SQL} = ${q.repairNecessity}`);
  if (q.vulnIdContains !== undefined && q.vulnIdContains !== '') parts.push(sql<SqlBool>`strpos(v.vuln_id, ${q.vulnIdContains}) > 0`);
  if (q.appName !== undefined && q.appName !== '') parts.push(sql<SqlBool>`v.package_name = ${q.appName}`);
  if (q.kind === 'os') parts.push(sql<SqlBool>`v.package_type = ANY(${sql.val([...OS_PACKAGE_TYPES])}::text[])`);
  if (q.kind === 'app') parts.push(sql<SqlBool>`NOT (v.package_type = ANY(${sql.val([...OS_PACKAGE_TYPES])}::text[]))`);
  if (q.handled === true) parts.push(sql<SqlBool>`fs.state IS NOT NULL`);
  if (q.handled === false) parts.push(sql<SqlBool>`fs.state IS NULL`);
  const from = sql`FROM vuln_findings v
    LEFT JOIN layers l ON l.diff_id = v.layer_diff_id
    LEFT JOIN finding_states fs ON fs.project_id = ${projectId} AND fs.kind = 'vuln' AND fs.fingerprint = ${VULN_FINGERPRINT_SQL} AND fs.state IN ('ignored', 'false_positive')
    WHERE ${sql.join(parts, sql` AND `)}`;
  const [count] = (await sql<{ n: number }>`SELECT count(*)::int8 AS n ${from}`.execute(store.db)).rows;
  const total = count?.n ?? 0;
  if (total === 0 || q.offset >= total) return { total, rows: [] };
  const rows = await sql<ImageVulnRow>`
    SELECT v.vuln_id, v.severity, v.status, v.title, v.package_type, v.package_name, v.installed_version, v.fixed_version, v.package_path,
           l.digest AS layer_digest, v.solution, v.url, fs.state IS NOT NULL AS handled
    ${from}
    ORDER BY ${SEVERITY_RANK_SQL(sql.ref('v.severity'))}, v.vuln_id, v.package_name, v.installed_version
    LIMIT ${q.limit} OFFSET ${q.offset}`.execute(store.db);
  return { total, rows: rows.rows };
}
