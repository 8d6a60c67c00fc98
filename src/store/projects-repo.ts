/** Projects (tenants) and their API tokens. Tokens are shown once and stored as SHA-256 hashes. */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { TarsierError } from '../errors.js';
import type { Store } from './open-store.js';

export interface Principal {
  projectId: string;
  /** Enterprise projects this credential may see; empty = all of the project's. */
  enterpriseProjects: string[];
  tokenId: string;
}

const TOKEN_PREFIX = 'tsk_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function ensureProject(store: Store, id: string, name = id, now = Date.now()): Promise<void> {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(id)) throw new TarsierError('usage', `project id "${id}" must be 1-64 letters, digits, _ or -`);
  await store.db.insertInto('projects').values({ id, name, created_at: now }).onConflict((oc) => oc.column('id').doNothing()).execute();
}

export async function createToken(
  store: Store,
  opts: { projectId: string; enterpriseProjects?: string[]; expiresAt?: number; description?: string },
  now = Date.now(),
): Promise<{ id: string; token: string }> {
  const exists = await store.db.selectFrom('projects').select('id').where('id', '=', opts.projectId).executeTakeFirst();
  if (!exists) throw new TarsierError('not_found', `project "${opts.projectId}" does not exist`);
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const id = randomUUID();
  await store.db
    .insertInto('api_tokens')
    .values({
      id,
      project_id: opts.projectId,
      token_hash: hashToken(token),
      enterprise_projects: opts.enterpriseProjects ?? [],
      description: opts.description ?? null,
      created_at: now,
      expires_at: opts.expiresAt ?? null,
      revoked_at: null,
    })
    .execute();
  return { id, token };
}

/** The principal of a valid, unexpired, unrevoked token; undefined otherwise (never says which). */
export async function verifyToken(store: Store, token: string, now = Date.now()): Promise<Principal | undefined> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
  const hash = hashToken(token);
  const row = await store.db.selectFrom('api_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
  if (!row) return undefined;
  // The lookup is by hash already; the constant-time compare keeps timing independent of the match anyway.
  if (!timingSafeEqual(Buffer.from(row.token_hash, 'hex'), Buffer.from(hash, 'hex'))) return undefined;
  if (row.revoked_at !== null || (row.expires_at !== null && row.expires_at <= now)) return undefined;
  return { projectId: row.project_id, enterpriseProjects: row.enterprise_projects, tokenId: row.id };
}

export async function revokeToken(store: Store, id: string, now = Date.now()): Promise<boolean> {
  const res = await store.db.updateTable('api_tokens').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}
