/**
 * Registries as a tenant sees them: only those of its project and visible enterprise projects,
 * with the number of images synced from each and an access status derived from the latest sync
 * job (`fail` when it failed, `success` once a sync completed, `accessing` before). Credentials
 * are sealed on write and never selected here.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Store } from '../open-store.js';
import { normaliseRegistryAddr } from '../registries-repo.js';
import type { SecretBox } from '../secret-box.js';
import type { VisibilityScope } from './image-refs.js';
import type { Page } from './sensitive-findings.js';

export type RegistryStatus = 'success' | 'fail' | 'accessing';

export interface RegistryRow {
  id: string;
  name: string;
  type: string;
  protocol: string;
  addr: string;
  namespace: string | null;
  api_version: string | null;
  has_credentials: boolean;
  last_sync_at: number | null;
  images_num: number;
  status: RegistryStatus;
}

export interface RegistryQuery {
  name?: string;
  id?: string;
  types?: readonly string[];
  addr?: string;
  status?: RegistryStatus;
  offset: number;
  limit: number;
}

const WITH_STATUS = (scope: VisibilityScope) => sql`
  SELECT r.id, r.name, r.type, r.protocol, r.addr, r.namespace, r.api_version, r.created_at,
         (r.username_enc IS NOT NULL OR r.password_enc IS NOT NULL) AS has_credentials, r.last_sync_at,
         (SELECT count(*)::int8 FROM images i WHERE i.registry_id = r.id) AS images_num,
         CASE WHEN (SELECT j.state FROM jobs j WHERE j.kind = 'sync' AND j.dedupe_key = r.id ORDER BY j.created_at DESC, j.id DESC LIMIT 1) = 'failed' THEN 'fail'
              WHEN r.last_sync_at IS NOT NULL THEN 'success'
              ELSE 'accessing' END AS status
  FROM registries r
  WHERE ${scope.visible('r')}`;

export async function listRegistriesVisible(store: Store, scope: VisibilityScope, q: RegistryQuery): Promise<Page<RegistryRow>> {
  const parts: RawBuilder<SqlBool>[] = [sql<SqlBool>`true`];
  if (q.name !== undefined) parts.push(sql<SqlBool>`x.name = ${q.name}`);
  if (q.id !== undefined) parts.push(sql<SqlBool>`x.id = ${q.id}`);
  if (q.types !== undefined) parts.push(sql<SqlBool>`x.type = ANY(${sql.val([...q.types])}::text[])`);
  if (q.addr !== undefined) parts.push(sql<SqlBool>`x.addr = ${q.addr}`);
  if (q.status !== undefined) parts.push(sql<SqlBool>`x.status = ${q.status}`);
  const from = sql`FROM (${WITH_STATUS(scope)}) x WHERE ${sql.join(parts, sql` AND `)}`;
  const [count] = (await sql<{ n: number }>`SELECT count(*)::int8 AS n ${from}`.execute(store.db)).rows;
  const total = count?.n ?? 0;
  if (total === 0 || q.offset >= total) return { total, rows: [] };
  const rows = await sql<RegistryRow>`
    SELECT x.id, x.name, x.type, x.protocol, x.addr, x.namespace, x.api_version, x.has_credentials, x.last_sync_at, x.images_num, x.status
    ${from} ORDER BY x.created_at, x.id LIMIT ${q.limit} OFFSET ${q.offset}`.execute(store.db);
  return { total, rows: rows.rows };
}

/** The registry if the scope sees it. */
export async function findRegistryVisible(store: Store, scope: VisibilityScope, id: string): Promise<{ id: string; name: string; type: string } | undefined> {
  return store.db.selectFrom('registries as r').select(['r.id', 'r.name', 'r.type']).where('r.id', '=', id).where(scope.visible('r')).executeTakeFirst();
}

/** Registries of the scope (optionally only these types), oldest first. */
export async function registriesVisible(store: Store, scope: VisibilityScope, types?: readonly string[]): Promise<Array<{ id: string; type: string }>> {
  let q = store.db.selectFrom('registries as r').select(['r.id', 'r.type']).where(scope.visible('r'));
  if (types !== undefined) q = q.where('r.type', 'in', types.length > 0 ? [...types] : ['']);
  return q.orderBy('r.created_at').orderBy('r.id').execute();
}

export interface RegistryUpdate {
  protocol?: 'http' | 'https';
  addr?: string;
  namespace?: string | null;
  apiVersion?: string;
  /** '' clears the stored value. */
  username?: string;
  password?: string;
}

/** Updates a visible registry; false when the scope does not see it. Credentials are re-sealed. */
export async function updateRegistryVisible(store: Store, box: SecretBox, scope: VisibilityScope, id: string, u: RegistryUpdate, now = Date.now()): Promise<boolean> {
  const seal = (v: string) => (v === '' ? null : box.seal(v));
  const res = await store.db
    .updateTable('registries as r')
    .set({
      updated_at: now,
      ...(u.protocol !== undefined ? { protocol: u.protocol } : {}),
      ...(u.addr !== undefined ? { addr: normaliseRegistryAddr(u.addr) } : {}),
      ...(u.namespace !== undefined ? { namespace: u.namespace } : {}),
      ...(u.apiVersion !== undefined ? { api_version: u.apiVersion } : {}),
      ...(u.username !== undefined ? { username_enc: seal(u.username) } : {}),
      ...(u.password !== undefined ? { password_enc: seal(u.password) } : {}),
    })
    .where('r.id', '=', id)
    .where(scope.visible('r'))
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}
