/**
 * The reverse index: which stored images does a vulnerability affect? (HSS
 * `GET /v5/{project_id}/image/{vul_id}/images`.) Answered from the findings of the last match —
 * re-matching after every advisory update keeps them current — in one statement: the
 * vulnerability by id (`vuln_findings_vuln_id`) or alias (`vuln_findings_aliases`, GIN), its
 * manifests joined to the project's image references by digest (`images_digest`), grouped per
 * image with its affected tags, and the page cut and the group count taken in the same pass.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Store } from '../open-store.js';
import type { VisibilityScope } from './image-refs.js';

export interface AffectedImagesQuery {
  /** Matches a finding's id or any of its aliases (CVE ↔ DSA/USN/GHSA/…), exactly. */
  vulnId: string;
  /** Stored image types to include (`private_image`, `cicd`, …); undefined = all. */
  imageTypes?: readonly string[];
  /** Organisation, exactly. */
  namespace?: string;
  /** Fuzzy: the image name contains this, ignoring case (`%` and `_` are literal). */
  imageName?: string;
  /** One image reference (HSS image_id = a tag). */
  imageId?: string;
  /** The affected software (package name), exactly. */
  appName?: string;
  /**
   * `image` (default): one row per image — repository of a registry or CI/CD image name — with
   * every affected tag and, per tag, the affected software. `image-app`: one row per image,
   * software and installed version, as HSS lists them (`app_name`, `version` per entry).
   */
  groupBy?: 'image' | 'image-app';
  offset: number;
  limit: number;
}

export interface AffectedApp {
  /** Package name (HSS app_name). */
  name: string;
  /** Package type: deb, rpm, apk, npm, pypi, golang, … */
  type: string;
  /** The installed version the vulnerability affects. */
  version: string;
}

export interface AffectedTag {
  /** The image reference's id (HSS tag_id / image_id of a tag). */
  imageId: string;
  /** Its tag (HSS tag_name / image_version). */
  tag: string;
  digest: string;
  size: number | null;
  latestScanTime: number | null;
  apps: AffectedApp[];
}

export interface AffectedImage {
  imageType: string;
  registryId: string | null;
  namespace: string;
  imageName: string;
  /** `image-app` grouping only: the software and version of the row. */
  app?: AffectedApp;
  /** The most recently scanned affected tag: what HSS shows as the entry's image_id and version. */
  imageId: string;
  version: string;
  /** Distinct affected software over the tags. */
  apps: AffectedApp[];
  tags: AffectedTag[];
}

export interface AffectedImages {
  /** Rows (groups) in all, before paging. */
  total: number;
  rows: AffectedImage[];
}

/** A LIKE pattern matching `text` anywhere, with LIKE's own wildcards and escape taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}

export interface GroupRow {
  total: number;
  image_type: string;
  registry_id: string;
  namespace: string;
  image_name: string;
  app_name: string | null;
  app_type: string | null;
  app_version: string | null;
  tags: Array<{ id: string; tag: string; digest: string; size: number | null; scanned: number | null; apps: Array<{ name: string; type: string; version: string }> }>;
}

/**
 * Images affected by `q.vulnId` that the scope sees (project, enterprise projects), filtered and
 * paged per group, ordered by namespace, image name, type, registry (then software, version).
 * Each finding counts once per tag, however many ids name it.
 */
export async function imagesAffectedBy(store: Store, scope: VisibilityScope, q: AffectedImagesQuery): Promise<AffectedImages> {
  const { rows } = await affectedImagesSql(scope, q).execute(store.db);
  // Past the last page the window count has no row to ride on: count on its own (rare).
  const total = rows[0]?.total ?? (q.offset > 0 ? await countGroups(store, scope, q) : 0);
  return { total, rows: rows.map(toImage) };
}

/** The statement imagesAffectedBy runs (exported so tests and the benchmark can EXPLAIN it). */
export function affectedImagesSql(scope: VisibilityScope, q: AffectedImagesQuery): RawBuilder<GroupRow> {
  // Findings first, then the image references of just those manifests: `digest = ANY(…)` probes
  // images_digest once per affected manifest, whatever the project's number of images (a plain join
  // lets the planner hash the whole images table when it guesses the hits high).
  const found: RawBuilder<SqlBool>[] = [sql<SqlBool>`(v.vuln_id = ${q.vulnId} OR v.aliases @> ARRAY[${q.vulnId}]::text[])`];
  if (q.appName !== undefined) found.push(sql<SqlBool>`v.package_name = ${q.appName}`);
  const where: RawBuilder<SqlBool>[] = [sql<SqlBool>`i.digest = ANY(ARRAY(SELECT DISTINCT manifest_digest FROM found))`, scope.visible('i')];
  if (q.imageTypes !== undefined) where.push(sql<SqlBool>`i.image_type = ANY(${sql.val([...q.imageTypes])}::text[])`);
  if (q.namespace !== undefined) where.push(sql<SqlBool>`i.namespace = ${q.namespace}`);
  if (q.imageName !== undefined && q.imageName !== '') where.push(sql<SqlBool>`i.image_name ILIKE ${containsPattern(q.imageName)} ESCAPE '\\'`);
  if (q.imageId !== undefined) where.push(sql<SqlBool>`i.id = ${q.imageId}`);

  const perApp = q.groupBy === 'image-app';
  // Group key; registry_id is coalesced so that CI/CD images (no registry) group and join.
  const keyCols = ['namespace', 'image_name', 'image_type', 'registry_id', ...(perApp ? ['app_name', 'app_type', 'app_version'] : [])];
  const key = sql.raw(keyCols.join(', '));
  const gKey = sql.raw(keyCols.map((c) => `g.${c}`).join(', '));
  const hitOn = sql.raw(keyCols.map((c) => `h.${c} = g.${c}`).join(' AND '));
  const joinOn = sql.raw(keyCols.map((c) => `t.${c} = g.${c}`).join(' AND '));
  const gApp = perApp ? sql.raw('') : sql.raw(', NULL::text AS app_name, NULL::text AS app_type, NULL::text AS app_version');
  const tagKey = sql.raw(
    `h.id, h.image_type, h.registry_id, h.namespace, h.image_name, h.image_version, h.size, h.digest, h.latest_scan_time${perApp ? ', h.app_name, h.app_type, h.app_version' : ''}`,
  );

  // The page's groups are cut from the plain hits first; tags and their software lists (jsonb)
  // are built for those groups only. A common vulnerability hits thousands of images, and
  // building every one's JSON to show ten was most of its time. Duplicates (one package version
  // found at two paths) are removed from the findings, not from the joined rows: an image id is
  // unique, so distinct findings join to distinct hits, and the sort is over thousands of narrow
  // rows instead of tens of thousands of wide ones.
  return sql<GroupRow>`
    WITH found AS MATERIALIZED (
      SELECT DISTINCT v.manifest_digest, v.package_name, v.package_type, v.installed_version
      FROM vuln_findings v
      WHERE ${sql.join(found, sql` AND `)}
    ), hits AS MATERIALIZED (
      SELECT i.id, i.image_type, coalesce(i.registry_id, '') AS registry_id, i.namespace, i.image_name, i.image_version,
             i.size, i.digest, i.latest_scan_time, f.package_name AS app_name, f.package_type AS app_type, f.installed_version AS app_version
      FROM images i JOIN found f ON f.manifest_digest = i.digest
      WHERE ${sql.join(where, sql` AND `)}
    ), groups AS MATERIALIZED (
      SELECT ${key}, count(*) OVER () AS total
      FROM hits
      GROUP BY ${key}
      ORDER BY ${key}
      LIMIT ${q.limit} OFFSET ${q.offset}
    ), tags AS (
      SELECT ${tagKey},
             jsonb_agg(jsonb_build_object('name', h.app_name, 'type', h.app_type, 'version', h.app_version)
                       ORDER BY h.app_name, h.app_type, h.app_version) AS apps
      FROM hits h JOIN groups g ON ${hitOn}
      GROUP BY ${tagKey}
    )
    SELECT g.total, ${gKey}${gApp},
           jsonb_agg(jsonb_build_object('id', t.id, 'tag', t.image_version, 'digest', t.digest, 'size', t.size, 'scanned', t.latest_scan_time, 'apps', t.apps)
                     ORDER BY t.image_version, t.id) AS tags
    FROM groups g JOIN tags t ON ${joinOn}
    GROUP BY g.total, ${gKey}
    ORDER BY ${gKey}`;
}

async function countGroups(store: Store, scope: VisibilityScope, q: AffectedImagesQuery): Promise<number> {
  return (await imagesAffectedBy(store, scope, { ...q, offset: 0, limit: 1 })).total;
}

function toImage(g: GroupRow): AffectedImage {
  const tags: AffectedTag[] = g.tags.map((t) => ({ imageId: t.id, tag: t.tag, digest: t.digest, size: t.size, latestScanTime: t.scanned, apps: t.apps }));
  const newest = tags.reduce((a, b) => ((b.latestScanTime ?? -1) > (a.latestScanTime ?? -1) ? b : a));
  const apps = new Map<string, AffectedApp>();
  for (const t of tags) for (const a of t.apps) apps.set(`${a.type}\u0000${a.name}\u0000${a.version}`, a);
  return {
    imageType: g.image_type,
    registryId: g.registry_id === '' ? null : g.registry_id,
    namespace: g.namespace,
    imageName: g.image_name,
    ...(g.app_name !== null && g.app_type !== null && g.app_version !== null ? { app: { name: g.app_name, type: g.app_type, version: g.app_version } } : {}),
    imageId: newest.imageId,
    version: newest.tag,
    apps: [...apps.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version < b.version ? -1 : a.version > b.version ? 1 : 0)),
    tags,
  };
}
