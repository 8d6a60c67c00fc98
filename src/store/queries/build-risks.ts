/**
 * Build-command risks of visible images: the images one rule fires on (with the risky
 * instructions of each), and the rules that fire on any selected image. `build_risks` is indexed
 * by rule id, so "images affected by rule R" is an indexed join. BCR-021 (image not signed) is
 * not in it: signatures live per repository, so it comes from each reference's own verdict
 * (images.signed, migration 012; unsigned → listed, signed or unknown → not).
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { CONFIG_LEVEL } from '../../detect/build/instruction.js';
import { bcr021 } from '../../detect/build/rules/signature.js';
import type { Store } from '../open-store.js';
import { imageFilterSql, SEVERITY_RANK_SQL, type ImageFilter, type VisibilityScope } from './image-refs.js';
import type { Page } from './sensitive-findings.js';

export interface RuleImageRow {
  image_id: string;
  image_type: string;
  namespace: string;
  image_name: string;
  image_version: string;
  digest: string;
  size: number | null;
  latest_scan_time: number | null;
  risks: Array<{ build_instruction: string; remediation: string }>;
}

/**
 * The build risks of reference `i`: its digest's stored findings and, when the reference's
 * registry answered "not signed", BCR-021 after them (as a scan orders it), as a stored finding
 * would read: config-level, the rule's own name, severity and remediation.
 */
const IMAGE_BUILD_RISKS = sql`(
  SELECT b.rule_id, b.name, b.severity, b.build_instruction, b.remediation, b.ordinal
    FROM build_risks b WHERE b.manifest_digest = i.digest AND b.rule_id <> ${bcr021.id}
  UNION ALL
  SELECT ${bcr021.id}::text, ${bcr021.name}::text, ${bcr021.severity}::text, ${CONFIG_LEVEL}::text, ${bcr021.remediation}::text, 2147483647
    WHERE i.signed IS FALSE)`;

/** Images on which the rule fired, most recently scanned first, each with its findings of the rule. */
export async function listRuleImages(store: Store, scope: VisibilityScope, images: ImageFilter, ruleId: string, page: { offset: number; limit: number }): Promise<Page<RuleImageRow>> {
  // Kept apart so "images affected by rule R" stays an indexed lookup for the stored rules.
  const fired = ruleId === bcr021.id ? sql`i.signed IS FALSE` : sql`EXISTS (SELECT 1 FROM build_risks b WHERE b.manifest_digest = i.digest AND b.rule_id = ${ruleId})`;
  const where = sql`${imageFilterSql('i', scope, images)} AND ${fired}`;
  const [count] = (await sql<{ n: number }>`SELECT count(*)::int8 AS n FROM images i WHERE ${where}`.execute(store.db)).rows;
  const total = count?.n ?? 0;
  if (total === 0 || page.offset >= total) return { total, rows: [] };
  const rows = await sql<RuleImageRow>`
    SELECT i.id AS image_id, i.image_type, i.namespace, i.image_name, i.image_version, i.digest, i.size, i.latest_scan_time,
           (SELECT jsonb_agg(jsonb_build_object('build_instruction', b.build_instruction, 'remediation', b.remediation) ORDER BY b.ordinal)
              FROM ${IMAGE_BUILD_RISKS} b WHERE b.rule_id = ${ruleId}) AS risks
    FROM images i WHERE ${where}
    ORDER BY i.latest_scan_time DESC NULLS LAST, i.id
    LIMIT ${page.limit} OFFSET ${page.offset}`.execute(store.db);
  return { total, rows: rows.rows.map((r) => ({ ...r, risks: r.risks ?? [] })) };
}

export interface RuleSummaryRow {
  rule_id: string;
  /** The stored finding name (the rule's name). */
  name: string;
  /** Highest severity the rule was reported with. */
  severity: string;
  image_num: number;
  latest_scan_time: number | null;
}

export interface RuleSummaryQuery {
  /** Substring of the rule name. */
  nameContains?: string;
  severity?: string;
  offset: number;
  limit: number;
}

/** The rules firing on the selected images: how many images each, and the latest scan among them. */
export async function listRuleSummaries(store: Store, scope: VisibilityScope, images: ImageFilter, q: RuleSummaryQuery): Promise<Page<RuleSummaryRow>> {
  const parts: RawBuilder<SqlBool>[] = [imageFilterSql('i', scope, images)];
  if (q.nameContains !== undefined && q.nameContains !== '') parts.push(sql<SqlBool>`strpos(b.name, ${q.nameContains}) > 0`);
  const grouped = sql`
    SELECT b.rule_id, min(b.name) AS name,
           (array_agg(b.severity ORDER BY ${SEVERITY_RANK_SQL(sql.ref('b.severity'))}))[1] AS severity,
           count(DISTINCT i.id)::int8 AS image_num, max(i.latest_scan_time) AS latest_scan_time
    FROM images i CROSS JOIN LATERAL ${IMAGE_BUILD_RISKS} b
    WHERE ${sql.join(parts, sql` AND `)}
    GROUP BY b.rule_id`;
  const having = q.severity !== undefined ? sql`WHERE g.severity = ${q.severity}` : sql``;
  const [count] = (await sql<{ n: number }>`SELECT count(*)::int8 AS n FROM (${grouped}) g ${having}`.execute(store.db)).rows;
  const total = count?.n ?? 0;
  if (total === 0 || q.offset >= total) return { total, rows: [] };
  const rows = await sql<RuleSummaryRow>`
    SELECT g.* FROM (${grouped}) g ${having}
    ORDER BY ${SEVERITY_RANK_SQL(sql.ref('g.severity'))}, g.rule_id
    LIMIT ${q.limit} OFFSET ${q.offset}`.execute(store.db);
  return { total, rows: rows.rows };
}
