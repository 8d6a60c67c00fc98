/**
 * Sensitive-file queries behind the Alibaba Sas actions, scoped by the caller's project (and
 * enterprise projects, when the credential is limited to some). A finding row is one stored
 * sensitive finding of the manifest an image reference points at, with the project's handling
 * state (finding_states) and the image's first/last sighting (finding_sightings) joined on.
 */
import { sql, type ExpressionBuilder, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Store } from '../open-store.js';
import type { Database } from '../schema.js';
import { notWhitelistedSql } from './sensitive-whitelist.js';

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

type ScopedRows = SelectQueryBuilder<Tables, 'i' | 'sf', object>;

/** The selected findings of the scope's images, without the whitelisted ones. */
function scopedFindings(db: Kysely<Database>, scope: ProjectScope, f: SensitiveFilter): ScopedRows {
  let q = (db as unknown as Kysely<Tables>)
    .selectFrom('images as i')
    .innerJoin('sensitive_findings as sf', 'sf.manifest_digest', 'i.digest')
    .where('i.project_id', '=', scope.projectId)
    .where(notWhitelistedSql(scope.projectId, sql.ref('sf.path')));
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
        const text = contains(eb as unknown as Eb, 'sf.key', m.contains);
        alternatives.push(m.containsOutside?.length ? eb.and([text, eb('sf.key', 'not in', [...m.containsOutside])]) : text);
      }
      return alternatives.length > 0 ? eb.or(alternatives) : eb.lit(false);
    });
  }
  return q as unknown as ScopedRows;
}

/** scopedFindings with the project's handling state (`st`) and the image's sighting (`fs`) of each finding. */
function findingRows(db: Kysely<Database>, scope: ProjectScope, f: SensitiveFilter): Rows {
  return scopedFindings(db, scope, f)
    .leftJoin('finding_states as st', (j) => j.onRef('st.project_id', '=', 'i.project_id').on('st.kind', '=', 'sensitive').onRef('st.fingerprint', '=', 'sf.fingerprint'))
    .leftJoin('finding_sightings as fs', (j) => j.onRef('fs.image_id', '=', 'i.id').on('fs.kind', '=', 'sensitive').onRef('fs.fingerprint', '=', 'sf.fingerprint')) as unknown as Rows;
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

/** The columns both statements of listSensitiveFiles answer; with no file on the page, one row carries only the count. */
interface FileRow {
  total: number;
  fingerprint: string | null;
  key: string;
  path: string;
  md5: string;
  rank: number;
  layer_digest: string;
  masked: string;
  first_seen: number;
  last_seen: number;
}

/**
 * Over several images: the files are grouped from what the covering index
 * `sensitive_findings_key_cover` holds (with the images holding each), counted and paged; MD5,
 * layer, masked content and sightings are then looked up for the page's files only.
 */
function filesOfImages(db: Kysely<Database>, scope: ProjectScope, f: SensitiveFilter, page: Page) {
  const files = scopedFindings(db, scope, f)
    .select((eb) => ['sf.fingerprint', 'sf.key', 'sf.path', eb.fn.max(severityRank(eb as unknown as Eb)).as('rank'), eb.fn.agg<string[]>('array_agg', ['i.id']).as('image_ids')])
    .groupBy(['sf.fingerprint', 'sf.key', 'sf.path']);
  return sql<FileRow>`
    WITH g AS ${files}
    SELECT c.total, p.fingerprint, p.key, p.path, d.md5, p.rank, d.layer_digest, d.masked, t.first_seen, t.last_seen
    FROM (SELECT count(*)::int8 AS total FROM g) c
    LEFT JOIN LATERAL (SELECT * FROM g ORDER BY g.rank DESC, g.key, g.path, g.fingerprint LIMIT ${page.limit} OFFSET ${page.offset}) p ON true
    LEFT JOIN LATERAL (
      SELECT min(sf.md5) AS md5, min(sf.layer_digest) AS layer_digest, min(sf.masked) AS masked
      FROM images i JOIN sensitive_findings sf ON sf.manifest_digest = i.digest AND sf.fingerprint = p.fingerprint
      WHERE i.id = ANY(p.image_ids)
    ) d ON true
    LEFT JOIN LATERAL (
      -- Sighting times, falling back to the image's last scan when no sighting was recorded.
      SELECT min(coalesce(fs.first_seen, i.latest_scan_time, 0))::int8 AS first_seen, max(coalesce(fs.last_seen, i.latest_scan_time, 0))::int8 AS last_seen
      FROM images i LEFT JOIN finding_sightings fs ON fs.image_id = i.id AND fs.kind = 'sensitive' AND fs.fingerprint = p.fingerprint
      WHERE i.id = ANY(p.image_ids)
    ) t ON true
    ORDER BY p.rank DESC, p.key, p.path, p.fingerprint`;
}

/**
 * The same answer when one image id is asked for: at most one image (the id is its primary key),
 * whose manifest holds each fingerprint once (primary key of sensitive_findings), so every file
 * is one finding row and there is nothing to group. Skipping the grouping (a sort of every
 * finding of the image) and the per-file lookups is what makes a large image cheap.
 */
function filesOfOneImage(db: Kysely<Database>, scope: ProjectScope, f: SensitiveFilter, page: Page) {
  const files = scopedFindings(db, scope, f).select((eb) => [
    'sf.fingerprint',
    'sf.key',
    'sf.path',
    severityRank(eb as unknown as Eb).as('rank'),
    'sf.md5',
    'sf.layer_digest',
    'sf.masked',
    'i.id as image_id',
    'i.latest_scan_time',
  ]);
  return sql<FileRow>`
    WITH g AS ${files}
    SELECT c.total, p.fingerprint, p.key, p.path, p.md5, p.rank, p.layer_digest, p.masked,
           -- Sighting times, falling back to the image's last scan when no sighting was recorded.
           coalesce(fs.first_seen, p.latest_scan_time, 0)::int8 AS first_seen, coalesce(fs.last_seen, p.latest_scan_time, 0)::int8 AS last_seen
    FROM (SELECT count(*)::int8 AS total FROM g) c
    LEFT JOIN LATERAL (SELECT * FROM g ORDER BY g.rank DESC, g.key, g.path, g.fingerprint LIMIT ${page.limit} OFFSET ${page.offset}) p ON true
    LEFT JOIN finding_sightings fs ON fs.image_id = p.image_id AND fs.kind = 'sensitive' AND fs.fingerprint = p.fingerprint
    ORDER BY p.rank DESC, p.key, p.path, p.fingerprint`;
}

/**
 * Distinct sensitive files (one per fingerprint: rule, path, content) of the selected images,
 * most severe first. Over several images a file found in many appears once, with the earliest
 * first sighting and the latest last one. One prepared statement (see Store.prepared).
 */
export async function listSensitiveFiles(store: Store, scope: ProjectScope, f: SensitiveFilter, page: Page): Promise<{ total: number; rows: SensitiveFileRow[] }> {
  const statement = (f.imageIds?.length === 1 ? filesOfOneImage : filesOfImages)(store.db, scope, f, page);
  const rows = await store.prepared<FileRow>(statement.compile(store.db));
  const out: SensitiveFileRow[] = [];
  for (const r of rows) {
    if (r.fingerprint === null) continue;
    out.push({
      fingerprint: r.fingerprint,
      key: r.key,
      path: r.path,
      md5: r.md5,
      severity: severityOfRank(Number(r.rank)),
      layerDigest: r.layer_digest,
      masked: r.masked,
      firstSeen: Number(r.first_seen),
      lastSeen: Number(r.last_seen),
    });
  }
  return { total: Number(rows[0]?.total ?? 0), rows: out };
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
