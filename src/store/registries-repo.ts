/** Registries registered per project; credentials sealed with the SecretBox, never returned raw by listings. */
import { randomUUID } from 'node:crypto';
import { TarsierError } from '../errors.js';
import type { Store } from './open-store.js';
import type { SecretBox } from './secret-box.js';

export const REGISTRY_TYPES = ['Harbor', 'Jfrog', 'SwrPrivate', 'SwrShared', 'SwrEnterprise', 'Other'] as const;
export type RegistryType = (typeof REGISTRY_TYPES)[number];

export interface RegistryInput {
  projectId: string;
  enterpriseProjectId?: string;
  name: string;
  type: RegistryType;
  protocol: 'http' | 'https';
  /** host[:port], no scheme. */
  addr: string;
  namespace?: string;
  apiVersion?: string;
  username?: string;
  password?: string;
}

export interface RegistryView {
  id: string;
  projectId: string;
  enterpriseProjectId: string;
  name: string;
  type: string;
  protocol: string;
  addr: string;
  namespace: string | null;
  apiVersion: string | null;
  hasCredentials: boolean;
  createdAt: number;
  updatedAt: number;
  lastSyncAt: number | null;
}

export function normaliseRegistryAddr(addr: string): string {
  const a = addr.trim().replace(/^https?:\/\//i, '').replace(/\/+$/, '');
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(a)) throw new TarsierError('usage', `registry_addr "${addr}" must be host[:port]`);
  return a.toLowerCase();
}

export async function createRegistry(store: Store, box: SecretBox, input: RegistryInput, now = Date.now()): Promise<string> {
  const id = randomUUID();
  try {
    await store.db
      .insertInto('registries')
      .values({
        id,
        project_id: input.projectId,
        enterprise_project_id: input.enterpriseProjectId ?? '0',
        name: input.name,
        type: input.type,
        protocol: input.protocol,
        addr: normaliseRegistryAddr(input.addr),
        namespace: input.namespace ?? null,
        api_version: input.apiVersion ?? null,
        username_enc: input.username ? box.seal(input.username) : null,
        password_enc: input.password ? box.seal(input.password) : null,
        created_at: now,
        updated_at: now,
        last_sync_at: null,
      })
      .execute();
  } catch (err) {
    if (/duplicate key|unique/i.test((err as Error).message)) throw new TarsierError('usage', `a registry named "${input.name}" already exists in this project`);
    throw err;
  }
  return id;
}

function view(r: { id: string; project_id: string; enterprise_project_id: string; name: string; type: string; protocol: string; addr: string; namespace: string | null; api_version: string | null; username_enc: string | null; password_enc: string | null; created_at: number; updated_at: number; last_sync_at: number | null }): RegistryView {
  return {
    id: r.id,
    projectId: r.project_id,
    enterpriseProjectId: r.enterprise_project_id,
    name: r.name,
    type: r.type,
    protocol: r.protocol,
    addr: r.addr,
    namespace: r.namespace,
    apiVersion: r.api_version,
    hasCredentials: r.username_enc !== null || r.password_enc !== null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastSyncAt: r.last_sync_at,
  };
}

export async function listRegistries(store: Store, projectId: string): Promise<RegistryView[]> {
  const rows = await store.db.selectFrom('registries').selectAll().where('project_id', '=', projectId).orderBy('created_at').execute();
  return rows.map(view);
}

export async function getRegistry(store: Store, projectId: string, id: string): Promise<RegistryView | undefined> {
  const r = await store.db.selectFrom('registries').selectAll().where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
  return r ? view(r) : undefined;
}

/** For workers only: the decrypted credentials of a registry. */
export async function registryCredentials(store: Store, box: SecretBox, id: string): Promise<{ addr: string; insecure: boolean; username?: string; password?: string } | undefined> {
  const r = await store.db.selectFrom('registries').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) return undefined;
  return {
    addr: r.addr,
    insecure: r.protocol === 'http',
    ...(r.username_enc ? { username: box.open(r.username_enc) } : {}),
    ...(r.password_enc ? { password: box.open(r.password_enc) } : {}),
  };
}

export async function deleteRegistry(store: Store, projectId: string, id: string): Promise<boolean> {
  const res = await store.db.deleteFrom('registries').where('project_id', '=', projectId).where('id', '=', id).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}
