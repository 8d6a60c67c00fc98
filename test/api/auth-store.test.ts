/** The SQL behind authentication and tenancy, on both store backends (PGlite and PostgreSQL). */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessKeyResolver, createAccessKey, revokeAccessKey } from '../../src/api/auth/access-keys.js';
import { NonceLedger } from '../../src/api/auth/nonces.js';
import { ApiError } from '../../src/api/errors.js';
import { resolveScope } from '../../src/api/tenancy.js';
import { upsertImage } from '../../src/store/images-repo.js';
import type { Store } from '../../src/store/open-store.js';
import { ensureProject } from '../../src/store/projects-repo.js';
import { SecretBox } from '../../src/store/secret-box.js';
import { backends } from '../helpers/stores.js';

describe.each(backends)('auth and tenancy SQL on $name', (backend) => {
  let handle: Awaited<ReturnType<typeof backend.create>>;
  let store: Store;
  const ids: Record<'a0' | 'a1' | 'a2' | 'b0', string> = { a0: '', a1: '', a2: '', b0: '' };
  beforeAll(async () => {
    handle = await backend.create();
    store = handle.store;
    await ensureProject(store, 'pa');
    await ensureProject(store, 'pb');
    const image = (projectId: string, ep: string, name: string) => upsertImage(store, { projectId, enterpriseProjectId: ep, imageType: 'cicd', imageName: name, imageVersion: '1', reference: name });
    ids.a0 = await image('pa', '0', 'a0');
    ids.a1 = await image('pa', 'ep1', 'a1');
    ids.a2 = await image('pa', 'ep2', 'a2');
    ids.b0 = await image('pb', '0', 'b0');
  });
  afterAll(async () => handle?.dispose());

  const visible = async (principal: { projectId: string; enterpriseProjects: string[] }, ep?: string) => {
    const scope = resolveScope({ ...principal, tokenId: 't' }, ep);
    const rows = await store.db.selectFrom('images').select('image_name').where(scope.visible('images')).orderBy('image_name').execute();
    return rows.map((r) => r.image_name);
  };

  it('scopes images by project and enterprise project', async () => {
    expect(await visible({ projectId: 'pa', enterpriseProjects: [] })).toEqual(['a0']);
    expect(await visible({ projectId: 'pa', enterpriseProjects: [] }, 'ep2')).toEqual(['a2']);
    expect(await visible({ projectId: 'pa', enterpriseProjects: [] }, 'all_granted_eps')).toEqual(['a0', 'a1', 'a2']);
    expect(await visible({ projectId: 'pa', enterpriseProjects: ['ep1', 'ep2'] }, 'all_granted_eps')).toEqual(['a1', 'a2']);
    expect(await visible({ projectId: 'pb', enterpriseProjects: [] }, 'all_granted_eps')).toEqual(['b0']);
    await expect(visible({ projectId: 'pa', enterpriseProjects: ['ep1'] })).rejects.toBeInstanceOf(ApiError);
    // An enterprise project id that looks like SQL is only ever a value.
    expect(await visible({ projectId: 'pa', enterpriseProjects: [] }, "0' OR '1'='1")).toEqual([]);
  });

  it('accepts each nonce once per access key within the retention, then prunes it', async () => {
    const ledger = new NonceLedger(store, 15 * 60_000, 0);
    const t = Date.UTC(2031, 5, 1);
    expect(await ledger.claim('AK', 'n', t)).toBe(true);
    expect(await ledger.claim('AK', 'n', t + 1)).toBe(false);
    expect(await ledger.claim('AK2', 'n', t + 2)).toBe(true);
    expect(await Promise.all([ledger.claim('AK', 'race', t), ledger.claim('AK', 'race', t)])).toEqual(expect.arrayContaining([true, false]));
    expect(await ledger.claim('AK', 'n', t + ledger.retentionMs + 10)).toBe(true);
    await ledger.claim('AK', 'later', t + 5 * ledger.retentionMs);
    const left = await store.query<{ n: number }>('SELECT count(*)::int AS n FROM request_nonces WHERE seen_at < $1', [t + 4 * ledger.retentionMs]);
    expect(left[0]!.n).toBe(0);
  });

  it('resolves live access keys to their project and scope, never revoked ones', async () => {
    const box = SecretBox.fromKey(randomBytes(32));
    const key = await createAccessKey(store, box, { projectId: 'pa', enterpriseProjects: ['ep1'] });
    const resolver = new AccessKeyResolver(store, box);
    expect(await resolver.resolve(key.accessKeyId)).toEqual({ secret: key.secret, principal: { projectId: 'pa', enterpriseProjects: ['ep1'], tokenId: `ak:${key.accessKeyId}` } });
    expect(await resolver.resolve('TSAK' + 'Q'.repeat(16))).toBeUndefined();
    await revokeAccessKey(store, key.accessKeyId);
    expect(await resolver.resolve(key.accessKeyId)).toBeUndefined();
    await expect(createAccessKey(store, box, { projectId: 'nope' })).rejects.toThrow('project "nope" does not exist');
  });
});
