/**
 * Which image references a request may see and how the API surfaces select them. Every query in
 * this folder takes a `VisibilityScope` (the API's TenantScope is one) and filters with it, so an
 * image of another project or enterprise project is never found: it answers as a missing one.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Store } from '../open-store.js';

/** What a query needs of the caller's tenancy scope. */
export interface VisibilityScope {
  readonly projectId: string;
  /** SQL predicate over `<alias>.project_id` and `<alias>.enterprise_project_id`. */
  visible(alias: string): RawBuilder<SqlBool>;
}

/** Image types held in registries (everything but CI/CD uploads and local images). */
export const REGISTRY_IMAGE_TYPES = ['private_image', 'shared_image', 'instance_image', 'harbor', 'jfrog'] as const;

/**
 * Selects image references: by type, optionally by id, organisation, name (exact or substring)
 * and version. Omitted fields do not filter.
 */
export interface ImageFilter {
  /** Stored `images.image_type` values; an empty list selects nothing. */
  imageTypes: readonly string[];
  imageId?: string;
  namespace?: string;
  imageName?: string;
  /** Substring match on the name instead of equality. */
  imageNameContains?: boolean;
  imageVersion?: string;
}

/** The predicate of an ImageFilter over the images table under `alias`, inside the scope. */
export function imageFilterSql(alias: string, scope: VisibilityScope, f: ImageFilter): RawBuilder<SqlBool> {
  const col = (c: string) => sql.ref(`${alias}.${c}`);
  const parts: RawBuilder<SqlBool>[] = [scope.visible(alias)];
  parts.push(f.imageTypes.length === 0 ? sql<SqlBool>`false` : sql<SqlBool>`${col('image_type')} = ANY(${sql.val([...f.imageTypes])}::text[])`);
  if (f.imageId !== undefined) parts.push(sql<SqlBool>`${col('id')} = ${f.imageId}`);
  if (f.namespace !== undefined) parts.push(sql<SqlBool>`${col('namespace')} = ${f.namespace}`);
  if (f.imageName !== undefined) {
    parts.push(f.imageNameContains ? sql<SqlBool>`strpos(${col('image_name')}, ${f.imageName}) > 0` : sql<SqlBool>`${col('image_name')} = ${f.imageName}`);
  }
  if (f.imageVersion !== undefined) parts.push(sql<SqlBool>`${col('image_version')} = ${f.imageVersion}`);
  return sql<SqlBool>`(${sql.join(parts, sql` AND `)})`;
}

export interface ImageRef {
  id: string;
  enterprise_project_id: string;
  registry_id: string | null;
  image_type: string;
  namespace: string;
  image_name: string;
  image_version: string;
  digest: string | null;
  size: number | null;
  scan_status: string;
  latest_scan_time: number | null;
}

/**
 * How HSS names one image: CI/CD images by type and id; registry images by type, organisation,
 * name and version (the path id then only breaks a tie between registries holding the same tag).
 */
export interface ImageLocator {
  imageType: string;
  imageId: string;
  namespace?: string;
  imageName?: string;
  imageVersion?: string;
}

/** The one image a locator names within the scope, or undefined (absent or not visible). */
export async function findImage(store: Store, scope: VisibilityScope, loc: ImageLocator): Promise<ImageRef | undefined> {
  return locateImage(store, scope, loc).executeTakeFirst();
}

/** findImage's query, unexecuted: to embed as a subquery (one round trip for image and findings). */
export function locateImage(store: Store, scope: VisibilityScope, loc: ImageLocator) {
  const byIdentity = loc.imageType !== 'cicd' && loc.imageName !== undefined && loc.imageVersion !== undefined;
  const filter: ImageFilter = byIdentity
    ? { imageTypes: [loc.imageType], namespace: loc.namespace ?? '', imageName: loc.imageName, imageVersion: loc.imageVersion }
    : { imageTypes: [loc.imageType], imageId: loc.imageId };
  return store.db
    .selectFrom('images as i')
    .select(['i.id', 'i.enterprise_project_id', 'i.registry_id', 'i.image_type', 'i.namespace', 'i.image_name', 'i.image_version', 'i.digest', 'i.size', 'i.scan_status', 'i.latest_scan_time'])
    .where(imageFilterSql('i', scope, filter))
    .orderBy(sql`(i.id = ${loc.imageId})`, 'desc')
    .orderBy(sql`i.latest_scan_time DESC NULLS LAST`)
    .orderBy('i.id')
    .limit(1);
}

/** The manifest digest inside an analysis key (`cicd/<project>/sha256:…` for uploads, else the digest). */
export function manifestDigestOf(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

/** Severity ranks for ordering: most severe first. */
export const SEVERITY_RANK_SQL = (column: RawBuilder<unknown> | ReturnType<typeof sql.ref>) =>
  sql<number>`CASE ${column} WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END`;

/** Which of these image ids the scope sees. */
export async function visibleImageIds(store: Store, scope: VisibilityScope, ids: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await store.db.selectFrom('images as i').select('i.id').where('i.id', 'in', unique.slice(i, i + 500)).where(scope.visible('i')).execute();
    for (const r of rows) out.add(r.id);
  }
  return out;
}
