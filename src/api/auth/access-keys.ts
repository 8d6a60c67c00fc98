/**
 * Access keys (AK/SK) for signed requests, one project each. The secret is shown once at creation
 * and stored sealed (SecretBox): verifying a signature needs the secret itself, so it cannot be hashed.
 */
import { randomBytes } from 'node:crypto';
import { TarsierError } from '../../errors.js';
import type { Store } from '../../store/open-store.js';
import type { Principal } from '../../store/projects-repo.js';
import type { SecretBox } from '../../store/secret-box.js';

const AK_PREFIX = 'TSAK';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** How often a key's last_used_at is rewritten at most (per process). */
const USAGE_WRITE_INTERVAL_MS = 5 * 60_000;

export interface AccessKeyView {
  accessKeyId: string;
  projectId: string;
  enterpriseProjects: string[];
  description: string | null;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** 20 upper-case characters, like the vendors' AKs, so SDK-side validation accepts it. */
function newAccessKeyId(): string {
  const bytes = randomBytes(16);
  let id = AK_PREFIX;
  for (let i = 0; i < 16; i++) id += BASE32[bytes[i]! & 31];
  return id;
}

export async function createAccessKey(
  store: Store,
  box: SecretBox,
  opts: { projectId: string; enterpriseProjects?: string[]; description?: string },
  now = Date.now(),
): Promise<{ accessKeyId: string; secret: string }> {
  const exists = await store.db.selectFrom('projects').select('id').where('id', '=', opts.projectId).executeTakeFirst();
  if (!exists) throw new TarsierError('not_found', `project "${opts.projectId}" does not exist`);
  const accessKeyId = newAccessKeyId();
  const secret = randomBytes(30).toString('base64url');
  await store.db
    .insertInto('access_keys')
    .values({
      access_key_id: accessKeyId,
      project_id: opts.projectId,
      secret_enc: box.seal(secret),
      created_at: now,
      revoked_at: null,
      enterprise_projects: opts.enterpriseProjects ?? [],
      description: opts.description ?? null,
      last_used_at: null,
    })
    .execute();
  return { accessKeyId, secret };
}

export async function revokeAccessKey(store: Store, accessKeyId: string, now = Date.now()): Promise<boolean> {
  const res = await store.db.updateTable('access_keys').set({ revoked_at: now }).where('access_key_id', '=', accessKeyId).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function listAccessKeys(store: Store, projectId?: string): Promise<AccessKeyView[]> {
  let q = store.db.selectFrom('access_keys').select(['access_key_id', 'project_id', 'enterprise_projects', 'description', 'created_at', 'last_used_at', 'revoked_at']);
  if (projectId !== undefined) q = q.where('project_id', '=', projectId);
  const rows = await q.orderBy('created_at').execute();
  return rows.map((r) => ({
    accessKeyId: r.access_key_id,
    projectId: r.project_id,
    enterpriseProjects: r.enterprise_projects,
    description: r.description,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  }));
}

export interface ResolvedAccessKey {
  secret: string;
  principal: Principal;
}

/** Resolves live access keys and remembers when each was last used (throttled writes). */
export class AccessKeyResolver {
  private readonly lastWrite = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly box: SecretBox,
  ) {}

  /** The secret and principal of a live key; undefined for unknown or revoked ones. */
  async resolve(accessKeyId: string): Promise<ResolvedAccessKey | undefined> {
    if (accessKeyId.length === 0 || accessKeyId.length > 128) return undefined;
    const row = await this.store.db
      .selectFrom('access_keys')
      .select(['project_id', 'secret_enc', 'enterprise_projects', 'revoked_at'])
      .where('access_key_id', '=', accessKeyId)
      .executeTakeFirst();
    if (!row || row.revoked_at !== null) return undefined;
    return { secret: this.box.open(row.secret_enc), principal: { projectId: row.project_id, enterpriseProjects: row.enterprise_projects, tokenId: `ak:${accessKeyId}` } };
  }

  /** Called after a signature verified; writes last_used_at at most every few minutes per key. */
  async touch(accessKeyId: string, now = Date.now()): Promise<void> {
    const last = this.lastWrite.get(accessKeyId) ?? 0;
    if (now - last < USAGE_WRITE_INTERVAL_MS) return;
    this.lastWrite.set(accessKeyId, now);
    if (this.lastWrite.size > 10_000) this.lastWrite.clear();
    await this.store.db.updateTable('access_keys').set({ last_used_at: now }).where('access_key_id', '=', accessKeyId).execute();
  }
}
