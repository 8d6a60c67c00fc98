/**
 * Vulnerability findings as tenants see them: the visible images a vulnerability affects
 * (grouped by repository, software and version, with the affected tags), and one image's
 * vulnerabilities with the project's handling state. A vulnerability is named by its id or any
 * alias (both indexed).
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Store } from '../open-store.js';
import { imageFilterSql, SEVERITY_RANK_SQL, type ImageFilter, type VisibilityScope } from './image-refs.js';
import type { Page } from './sensitive-findings.js';

/** OS package types: their findings are HSS `linux_vul`, every other type `app_vul`. */
export const OS_PACKAGE_TYPES = ['deb', 'rpm', 'apk', 'os'] as const;

export interface AffectedGroup {
  image_type: string;
  registry_id: string | null;
  namespace: string;
  image_name: string;
  app_name: string;
  version: string;
  /** The group's most recently scanned image. */
  image_id: string;
  tags: Array<{ image_id: string; image_version: string; size: number | null }>;
}

export interface AffectedQuery {
  namespace?: string;
  /** Substring of the image name. */
  imageName?: string;
  imageId?: string;
  appName?: string;
  offset: number;
  limit: number;
}

const matchesVuln = (vulnId: string) => sql<SqlBool>`(v.vuln_id = ${vulnId} OR v.aliases @> ARRAY[${vulnId}]::text[])`;

/**
 * Repository images affected by a vulnerability: one group per (repository, software, installed
 * version), holding every affected tag. Paged by group.
 */
export async function listAffectedImages(store: Store, scope: VisibilityScope, images: ImageFilter, vulnId: string, q: AffectedQuery): Promise<Page<AffectedGroup>> {
  const filter: ImageFilter = {
    ...images,
    ...(q.namespace !== undefined && q.namespace !== '' ? { namespace: q.namespace } : {}),
    ...(q.imageName !== undefined && q.imageName !== '' ? { imageName: q.imageName, imageNameContains: true } : {}),
    ...(q.imageId !== undefined && q.imageId !== '' ? { imageId: q.imageId } : {}),
  };
  const parts: RawBuilder<SqlBool>[] = [matchesVuln(vulnId), imageFilterSql('i', scope, filter)];
  if (q.appName !== undefined && q.appName !== '') parts.push(sql<SqlBool>`v.package_name = ${q.appName}`);
  const hits = sql`
    SELECT DISTINCT i.id, i.image_type, i.registry_id, i.namespace, i.image_name, i.image_version, i.size, i.latest_scan_time,
           v.package_name AS app_name, v.installed_version AS version
    FROM vuln_findings v JOIN images i ON i.digest = v.manifest_digest
    WHERE ${sql.join(parts, sql` AND `)}`;
  const groupKey = sql`h.image_type, h.registry_id, h.namespace, h.image_name, h.app_name, h.version`;
  const [count] = (await sql<{ n: number }>`SELECT count(*)::int8 AS n FROM (SELECT 1 FROM (${hits}) h GROUP BY ${groupKey}) g`.execute(store.db)).rows;
  const total = count?.n ?? 0;
  if (total === 0 || q.offset >= total) return { total, rows: [] };
  const rows = await sql<Omit<AffectedGroup, 'image_id'> & { tags: Array<AffectedGroup['tags'][number] & { latest_scan_time: number | null }> }>`
    SELECT h.image_type, h.registry_id, h.namespace, h.image_name, h.app_name, h.version,
           jsonb_agg(jsonb_build_object('image_id', h.id, 'image_version', h.image_version, 'size', h.size, 'latest_scan_time', h.latest_scan_time)
                     ORDER BY h.image_version, h.id) AS tags
    FROM (${hits}) h
    GROUP BY ${groupKey}
    ORDER BY h.namespace, h.image_name, h.image_type, h.registry_id NULLS FIRST, h.app_name, h.version
    LIMIT ${q.limit} OFFSET ${q.offset}`.execute(store.db);
  return {
    total,
    rows: rows.rows.map((g) => {
      const newest = [...g.tags].sort((a, b) => (b.latest_scan_time ?? -1) - (a.latest_scan_time ?? -1))[0]!;
      return { ...g, image_id: newest.image_id, tags: g.tags.map(({ image_id, image_version, size }) => ({ image_id, image_version, size })) };
    }),
  };
}

export interface ImageVulnRow {
  vuln_id: string;
  severity: string;
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
    SELECT v.vuln_id, v.severity, v.title, v.package_type, v.package_name, v.installed_version, v.fixed_version, v.package_path,
           l.digest AS layer_digest, v.solution, v.url, fs.state IS NOT NULL AS handled
    ${from}
    ORDER BY ${SEVERITY_RANK_SQL(sql.ref('v.severity'))}, v.vuln_id, v.package_name, v.installed_version
    LIMIT ${q.limit} OFFSET ${q.offset}`.execute(store.db);
  return { total, rows: rows.rows };
}
