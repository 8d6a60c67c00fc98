/**
 * Baseline (security configuration) results of visible images: the per-image summaries
 * (check name × check type × standard), the check items of one baseline, and the stored
 * evaluation of one rule. Rules are kept whole in `baseline_results.rules` (jsonb).
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Store } from '../open-store.js';
import type { Page } from './sensitive-findings.js';
import { imageFilterSql, type ImageFilter, type VisibilityScope } from './image-refs.js';

export interface BaselineSummaryRow {
  image_id: string;
  check_name: string;
  check_type: string;
  standard: string;
  check_type_desc: string;
  check_rule_num: number;
  failed_rule_num: number;
  /** Lower case: security, low, medium, high. */
  severity: string;
}

export interface SummaryQuery {
  checkName?: string;
  /** Lower case. */
  severity?: string;
  standard?: string;
  offset: number;
  limit: number;
}

function summaryWhere(scope: VisibilityScope, images: ImageFilter, q: Pick<SummaryQuery, 'checkName' | 'severity' | 'standard'>): RawBuilder<SqlBool> {
  const parts: RawBuilder<SqlBool>[] = [imageFilterSql('i', scope, images)];
  if (q.checkName !== undefined) parts.push(sql<SqlBool>`b.check_name = ${q.checkName}`);
  if (q.severity !== undefined) parts.push(sql<SqlBool>`b.severity = ${q.severity}`);
  if (q.standard !== undefined) parts.push(sql<SqlBool>`b.standard = ${q.standard}`);
  return sql.join(parts, sql` AND `) as RawBuilder<SqlBool>;
}

/** One row per (visible image, check name, check type, standard). */
export async function listBaselineSummaries(store: Store, scope: VisibilityScope, images: ImageFilter, q: SummaryQuery): Promise<Page<BaselineSummaryRow>> {
  const from = sql`FROM images i JOIN baseline_results b ON b.manifest_digest = i.digest WHERE ${summaryWhere(scope, images, q)}`;
  const [count] = (await sql<{ n: number }>`SELECT count(*)::int8 AS n ${from}`.execute(store.db)).rows;
  const total = count?.n ?? 0;
  if (total === 0 || q.offset >= total) return { total, rows: [] };
  const rows = await sql<BaselineSummaryRow>`
    SELECT i.id AS image_id, b.check_name, b.check_type, b.standard, b.check_type_desc, b.check_rule_num, b.failed_rule_num, b.severity
    ${from}
    ORDER BY i.latest_scan_time DESC NULLS LAST, i.id, b.check_name, b.check_type, b.standard
    LIMIT ${q.limit} OFFSET ${q.offset}`.execute(store.db);
  return { total, rows: rows.rows };
}

export interface BaselineRuleRow {
  check_name: string;
  check_type: string;
  standard: string;
  rule_id: string;
  title: string;
  /** Lower case. */
  severity: string;
  /** failed when the rule failed on any selected image. */
  status: 'passed' | 'failed';
}

export interface RuleQuery {
  checkName: string;
  standard: string;
  status?: 'passed' | 'failed';
  /** Substring of the rule title. */
  titleContains?: string;
  /** Lower case. */
  severity?: string;
  offset: number;
  limit: number;
}

/**
 * The check items of one baseline over the selected images: one row per rule, failed when it
 * failed on any of them (one image selected: that image's result).
 */
export async function listBaselineRules(store: Store, scope: VisibilityScope, images: ImageFilter, q: RuleQuery): Promise<Page<BaselineRuleRow>> {
  const itemFilters: RawBuilder<SqlBool>[] = [];
  if (q.status !== undefined) itemFilters.push(sql<SqlBool>`r.status = ${q.status}`);
  if (q.titleContains !== undefined && q.titleContains !== '') itemFilters.push(sql<SqlBool>`strpos(r.title, ${q.titleContains}) > 0`);
  if (q.severity !== undefined) itemFilters.push(sql<SqlBool>`r.severity = ${q.severity}`);
  const rules = sql`
    SELECT b.check_name, b.check_type, b.standard, e->>'id' AS rule_id, min(e->>'title') AS title, min(e->>'severity') AS severity,
           CASE WHEN bool_or(e->>'status' = 'failed') THEN 'failed' ELSE 'passed' END AS status
    FROM images i
    JOIN baseline_results b ON b.manifest_digest = i.digest
    CROSS JOIN LATERAL jsonb_array_elements(b.rules) e
    WHERE ${summaryWhere(scope, images, { checkName: q.checkName, standard: q.standard })}
    GROUP BY b.check_name, b.check_type, b.standard, e->>'id'`;
  const where = itemFilters.length > 0 ? sql`WHERE ${sql.join(itemFilters, sql` AND `)}` : sql``;
  const [count] = (await sql<{ n: number }>`SELECT count(*)::int8 AS n FROM (${rules}) r ${where}`.execute(store.db)).rows;
  const total = count?.n ?? 0;
  if (total === 0 || q.offset >= total) return { total, rows: [] };
  const rows = await sql<BaselineRuleRow>`
    SELECT r.* FROM (${rules}) r ${where}
    ORDER BY r.check_type, r.rule_id
    LIMIT ${q.limit} OFFSET ${q.offset}`.execute(store.db);
  return { total, rows: rows.rows };
}

export interface RuleEvidence {
  file?: string;
  line?: number;
  currentValue?: string;
  suggestedValue?: string;
}

/**
 * The stored evaluations of one rule on the selected images: whether it exists there and its
 * evidence, deduplicated (the same image content gives the same evidence).
 */
export async function ruleEvaluations(
  store: Store,
  scope: VisibilityScope,
  images: ImageFilter,
  rule: { checkName: string; checkType: string; standard: string; ruleId: string },
  maxEvidence = 100,
): Promise<{ found: boolean; evidence: RuleEvidence[] }> {
  const rows = await sql<{ evidence: RuleEvidence[] | null }>`
    SELECT DISTINCT e->'evidence' AS evidence
    FROM images i
    JOIN baseline_results b ON b.manifest_digest = i.digest
    CROSS JOIN LATERAL jsonb_array_elements(b.rules) e
    WHERE ${summaryWhere(scope, images, { checkName: rule.checkName, standard: rule.standard })}
      AND b.check_type = ${rule.checkType} AND e->>'id' = ${rule.ruleId}
    LIMIT ${maxEvidence}`.execute(store.db);
  const seen = new Set<string>();
  const evidence: RuleEvidence[] = [];
  for (const r of rows.rows) {
    for (const e of r.evidence ?? []) {
      const k = JSON.stringify(e);
      if (seen.has(k) || evidence.length >= maxEvidence) continue;
      seen.add(k);
      evidence.push(e);
    }
  }
  return { found: rows.rows.length > 0, evidence };
}
