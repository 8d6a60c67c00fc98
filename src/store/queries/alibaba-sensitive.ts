/**
 * Sensitive-file queries behind the Alibaba Sas actions, scoped by the caller's project (and
 * enterprise projects, when the credential is limited to some). A finding row is one stored
 * sensitive finding of the manifest an image reference points at, with the project's handling
 * state (finding_states) and the image's first/last sighting (finding_sightings) joined on.
 */
import { sql, type ExpressionBuilder, type Kysely, type RawBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { Database } from '../schema.js';

/** What a request may see (src/api/tenancy.ts TenantScope fits this shape). */
export interface ProjectScope {
  projectId: string;
  /** undefined = every enterprise project of the project. */
  enterpriseProjectIds?: readonly string[] | undefined;
}

export interface SensitiveFilter {
  /** Image ids; an empty list selects nothing. */
  imageIds?: readonly string[];
  /** Exactly this key. */
  key?: string;
  /** One of these keys (an empty list selects nothing). */
  keyIn?: readonly string[];
  /** Keys matching a free-text search (see KeyMatch). */
  keyMatch?: KeyMatch;
  /** Tarsier severities (critical, high, medium, low). */
  severities?: readonly string[];
}

/** `key ∈ keys` OR (`key` contains `contains`, case-insensitively, and is not in `containsOutside`). */
export interface KeyMatch {
  keys: readonly string[];
  contains?: string;
  /** Keys the substring test does not apply to (those were already judged by `keys`). */
  containsOutside?: readonly string[];
}

export interface Page {
  limit: number;
  offset: number;
}

type Tables = Database & { i: Database['images']; sf: Database['sensitive_findings']; st: Database['finding_states']; fs: Database['finding_sightings'] };
type Rows = SelectQueryBuilder<Tables, 'i' | 'sf' | 'st' | 'fs', object>;
type Eb = ExpressionBuilder<Tables, 'i' | 'sf' | 'st' | 'fs'>;

/** Severity as a number, so the highest of a group can be taken. */
const RANK: Record<string, number> = { critical: 4, high: 3, medium: 2, low: 1 };
const severityRank = (eb: Eb) => eb.case('sf.severity').when('critical').then(4).when('high').then(3).when('medium').then(2).else(1).end();
export function severityOfRank(rank: number): 'critical' | 'high' | 'medium' | 'low' {
  return (Object.entries(RANK).find(([, r]) => r === rank)?.[0] ?? 'low') as 'critical' | 'high' | 'medium' | 'low';
}

/** Sighting times, falling back to the image's last scan when no sighting was recorded. */
const firstSeen = (eb: Eb) => eb.fn.min(eb.fn.coalesce('fs.first_seen', 'i.latest_scan_time', eb.lit(0)));
const lastSeen = (eb: Eb) => eb.fn.max(eb.fn.coalesce('fs.last_seen', 'i.latest_scan_time', eb.lit(0)));

const contains = (eb: Eb, column: 'sf.key' | 'i.digest' | 'i.image_name' | 'i.namespace', needle: string) =>
  eb(eb.fn('strpos', [eb.fn('lower', [eb.ref(column)]), eb.val(needle.toLowerCase())]), '>', 0);

function findingRows(db: Kysely<Database>, scope: ProjectScope, f: SensitiveFilter): Rows {
  let q = (db as unknown as Kysely<Tables>)
    .selectFrom('images as i')
    .innerJoin('sensitive_findings as sf', 'sf.manifest_digest', 'i.digest')
    .leftJoin('finding_states as st', (j) => j.onRef('st.project_id', '=', 'i.project_id').on('st.kind', '=', 'sensitive').onRef('st.fingerprint', '=', 'sf.fingerprint'))
    .leftJoin('finding_sightings as fs', (j) => j.onRef('fs.image_id', '=', 'i.id').on('fs.kind', '=', 'sensitive').onRef('fs.fingerprint', '=', 'sf.fingerprint'))
    .where('i.project_id', '=', scope.projectId)
    .where(notWhitelisted(scope.projectId));
  if (scope.enterpriseProjectIds !== undefined) q = q.where('i.enterprise_project_id', 'in', nonEmpty(scope.enterpriseProjectIds));
  if (f.imageIds !== undefined) q = q.where('i.id', 'in', nonEmpty(f.imageIds));
  if (f.key !== undefined) q = q.where('sf.key', '=', f.key);
  if (f.keyIn !== undefined) q = q.where('sf.key', 'in', nonEmpty(f.keyIn));
  if (f.severities !== undefined) q = q.where('sf.severity', 'in', nonEmpty(f.severities));
  const m = f.keyMatch;
  if (m !== undefined) {
    q = q.where((eb) => {
      const alternatives = [];
      if (m.keys.length > 0) alternatives.push(eb('sf.key', 'in', [...m.keys]));
      if (m.contains !== undefined) {
        const text = contains(eb, 'sf.key', m.contains);
        alternatives.push(m.containsOutside?.length ? eb.and([text, eb('sf.key', 'not in', [...m.containsOutside])]) : text);
      }
      return alternatives.length > 0 ? eb.or(alternatives) : eb.lit(false);
    });
  }
  return q as unknown as Rows;
}

/**
 * The project's sensitive path whitelist hides findings when they are read, the same rule as the
 * HSS surface (sensitive-whitelist.ts): a whitelisted absolute path or glob (`*` any characters,
 * `?` one; a trailing `/` covers everything below) matched against the finding's absolute path.
 */
function notWhitelisted(projectId: string): RawBuilder<SqlBool> {
  const like = sql<string>`replace(replace(replace(replace(replace(w.path, '\\', '\\\\'), '%', '\\%'), '_', '\\_'), '*', '%'), '?', '_')
    || CASE WHEN right(w.path, 1) = '/' THEN '%' ELSE '' END`;
  return sql<SqlBool>`NOT EXISTS (SELECT 1 FROM sensitive_path_whitelist w WHERE w.project_id = ${projectId} AND ('/' || sf.path) LIKE ${like} ESCAPE '\\')`;
}

/** `IN ()` is not SQL: an empty list becomes one value no row has. */
function nonEmpty(values: readonly string[]): string[] {
  return values.length > 0 ? [...values] : ['\u0000'];
}

export interface SensitiveFileRow {
  fingerprint: string;
  key: string;
  path: string;
  md5: string;
  severity: 'critical' | 'high' | 'medium' | 'low';
  layerDigest: string;
  masked: string;
  firstSeen: number;
  lastSeen: number;
}

/**
 * Distinct sensitive files (one per fingerprint: rule, path, content) of the selected images,
 * most severe first. Over several images a file found in many appears once, with the earliest
 * first sighting and the latest last one.
 */
export async function listSensitiveFiles(db: Kysely<Database>, scope: ProjectScope, f: SensitiveFilter, page: Page): Promise<{ total: number; rows: SensitiveFileRow[] }> {
  const base = findingRows(db, scope, f);
  const [count, rows] = await Promise.all([
    base.select((eb) => eb.fn.count<number>('sf.fingerprint').distinct().as('n')).executeTakeFirstOrThrow(),
    base
      .select((eb) => [
        'sf.fingerprint',
        'sf.key',
        'sf.path',
        'sf.md5',
        eb.fn.max(severityRank(eb)).as('rank'),
        eb.fn.min('sf.layer_digest').as('layer_digest'),
        eb.fn.min('sf.masked').as('masked'),
        firstSeen(eb).as('first_seen'),
        lastSeen(eb).as('last_seen'),
      ])
      .groupBy(['sf.fingerprint', 'sf.key', 'sf.path', 'sf.md5'])
      .orderBy('rank', 'desc')
      .orderBy('sf.key')
      .orderBy('sf.path')
      .orderBy('sf.fingerprint')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
  ]);
  return {
    total: Number(count.n),
    rows: rows.map((r) => ({
      fingerprint: r.fingerprint,
      key: r.key,
      path: r.path,
      md5: r.md5,
      severity: severityOfRank(Number(r.rank)),
      layerDigest: r.layer_digest,
      masked: r.masked,
      firstSeen: Number(r.first_seen),
      lastSeen: Number(r.last_seen),
    })),
  };
}

export interface SensitiveKeySummary {
  key: string;
  severity: 'critical' | 'high' | 'medium' | 'low';
  /** Findings (image × file) of this key. */
  findings: number;
  /** Images with at least one unhandled finding of this key. */
  unhandledImages: number;
  firstSeen: number;
  lastSeen: number;
}

/** One summary per sensitive file type found in the selected images, most severe first. */
export async function summarizeSensitiveKeys(db: Kysely<Database>, scope: ProjectScope, f: SensitiveFilter, page: Page): Promise<{ total: number; rows: SensitiveKeySummary[] }> {
  const base = findingRows(db, scope, f);
  const [count, rows] = await Promise.all([
    base.select((eb) => eb.fn.count<number>('sf.key').distinct().as('n')).executeTakeFirstOrThrow(),
    base
      .select((eb) => [
        'sf.key',
        eb.fn.max(severityRank(eb)).as('rank'),
        eb.fn.countAll<number>().as('findings'),
        eb.fn.count<number>('i.id').distinct().filterWhere('st.state', 'is', null).as('unhandled_images'),
        firstSeen(eb).as('first_seen'),
        lastSeen(eb).as('last_seen'),
      ])
      .groupBy('sf.key')
      .orderBy('rank', 'desc')
      .orderBy('sf.key')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
  ]);
  return {
    total: Number(count.n),
    rows: rows.map((r) => ({
      key: r.key,
      severity: severityOfRank(Number(r.rank)),
      findings: Number(r.findings),
      unhandledImages: Number(r.unhandled_images),
      firstSeen: Number(r.first_seen),
      lastSeen: Number(r.last_seen),
    })),
  };
}

export interface ImageFilter {
  digestContains?: string;
  nameContains?: string;
  namespaceContains?: string;
  registryId?: string;
  /** Handling status of the image's selected findings: unhandled (any unhandled), ignored, false_positive (all). */
  status?: 'unhandled' | 'ignored' | 'false_positive';
}

export interface ImageWithSensitiveRow {
  imageId: string;
  digest: string | null;
  namespace: string;
  imageName: string;
  imageVersion: string;
  registryId: string | null;
  registryName: string | null;
  severity: 'critical' | 'high' | 'medium' | 'low';
  status: 'unhandled' | 'ignored' | 'false_positive';
  firstSeen: number;
  lastSeen: number;
}

/** Images carrying the selected findings, most severe first, with their handling status. */
export async function listImagesWithSensitive(db: Kysely<Database>, scope: ProjectScope, f: SensitiveFilter, img: ImageFilter, page: Page): Promise<{ total: number; rows: ImageWithSensitiveRow[] }> {
  let base = findingRows(db, scope, f);
  if (img.digestContains !== undefined) base = base.where((eb) => contains(eb, 'i.digest', img.digestContains!));
  if (img.nameContains !== undefined) base = base.where((eb) => contains(eb, 'i.image_name', img.nameContains!));
  if (img.namespaceContains !== undefined) base = base.where((eb) => contains(eb, 'i.namespace', img.namespaceContains!));
  if (img.registryId !== undefined) base = base.where('i.registry_id', '=', img.registryId);
  // 0 while anything is unhandled; 2 when every finding is a false positive; else 1 (ignored).
  const status = (eb: Eb) =>
    eb
      .case()
      .when(eb.fn.countAll().filterWhere('st.state', 'is', null), '>', 0)
      .then(sql.lit('unhandled'))
      .when(eb.fn.agg<boolean>('bool_and', [eb('st.state', '=', 'false_positive')]), '=', true)
      .then(sql.lit('false_positive'))
      .else(sql.lit('ignored'))
      .end();
  let grouped = base
    .select((eb) => [
      'i.id',
      'i.digest',
      'i.namespace',
      'i.image_name',
      'i.image_version',
      'i.registry_id',
      eb.fn.max(severityRank(eb)).as('rank'),
      status(eb).as('status'),
      firstSeen(eb).as('first_seen'),
      lastSeen(eb).as('last_seen'),
    ])
    .groupBy(['i.id', 'i.digest', 'i.namespace', 'i.image_name', 'i.image_version', 'i.registry_id']);
  if (img.status !== undefined) grouped = grouped.having((eb) => eb(status(eb), '=', sql.lit(img.status!)));
  const [count, rows] = await Promise.all([
    (db as unknown as Kysely<Tables>).selectFrom(grouped.as('g')).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    (db as unknown as Kysely<Tables>)
      .selectFrom(grouped.as('g'))
      .leftJoin('registries as r', 'r.id', 'g.registry_id')
      .select(['g.id', 'g.digest', 'g.namespace', 'g.image_name', 'g.image_version', 'g.registry_id', 'r.name as registry_name', 'g.rank', 'g.status', 'g.first_seen', 'g.last_seen'])
      .orderBy('g.rank', 'desc')
      .orderBy('g.namespace')
      .orderBy('g.image_name')
      .orderBy('g.image_version')
      .orderBy('g.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
  ]);
  return {
    total: Number(count.n),
    rows: rows.map((r) => ({
      imageId: r.id,
      digest: r.digest,
      namespace: r.namespace,
      imageName: r.image_name,
      imageVersion: r.image_version,
      registryId: r.registry_id,
      registryName: r.registry_name ?? null,
      severity: severityOfRank(Number(r.rank)),
      status: r.status as ImageWithSensitiveRow['status'],
      firstSeen: Number(r.first_seen),
      lastSeen: Number(r.last_seen),
    })),
  };
}

/** The fingerprints of the selected findings, as a subquery for setFindingStatesFrom. */
export function sensitiveFingerprints(db: Kysely<Database>, scope: ProjectScope, f: SensitiveFilter): SelectQueryBuilder<Database, 'images', { fingerprint: string }> {
  return findingRows(db, scope, f).select('sf.fingerprint') as unknown as SelectQueryBuilder<Database, 'images', { fingerprint: string }>;
}
