/** Verified tokens are trusted for a few seconds: revocation and expiry still win within that window. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessKeyResolver } from '../../src/api/auth/access-keys.js';
import { Authenticator } from '../../src/api/auth/authenticate.js';
import { NonceLedger } from '../../src/api/auth/nonces.js';
import { TOKEN_CACHE_TTL_MS } from '../../src/api/auth/token-cache.js';
import { ApiError } from '../../src/api/errors.js';
import type { Store } from '../../src/store/open-store.js';
import { createToken, ensureProject, revokeToken } from '../../src/store/projects-repo.js';
import { SecretBox } from '../../src/store/secret-box.js';
import { backends } from '../helpers/stores.js';

const backend = backends.find((b) => b.name === 'pglite')!;

describe('token verification cache', () => {
  let handle: Awaited<ReturnType<typeof backend.create>>;
  let store: Store;
  let clock = Date.UTC(2031, 0, 1);
  let auth: Authenticator;
  const request = (token: string) => ({ method: 'GET', url: '/v5/p/image/x/sensitive', headers: { 'x-auth-token': token } });

  beforeAll(async () => {
    handle = await backend.create();
    store = handle.store;
    await ensureProject(store, 'p');
    const box = await SecretBox.load(handle.dataDir!);
    auth = new Authenticator({ store, keys: new AccessKeyResolver(store, box), nonces: new NonceLedger(store, 15 * 60_000), now: () => clock });
  });
  afterAll(async () => handle?.dispose());

  it('a token revoked while in use stops working once the cache entry lapses', async () => {
    const { id, token } = await createToken(store, { projectId: 'p' }, clock);
    expect((await auth.hss(request(token))).projectId).toBe('p');
    await revokeToken(store, id, clock);
    clock += TOKEN_CACHE_TTL_MS - 1;
    expect((await auth.hss(request(token))).projectId).toBe('p');
    clock += 2;
    await expect(auth.hss(request(token))).rejects.toMatchObject({ kind: 'invalid_token' });
  });

  it('never remembers a refusal: a token revoked or expired before its first use is refused at once', async () => {
    const revoked = await createToken(store, { projectId: 'p' }, clock);
    await revokeToken(store, revoked.id, clock);
    await expect(auth.hss(request(revoked.token))).rejects.toBeInstanceOf(ApiError);
    const expired = await createToken(store, { projectId: 'p', expiresAt: clock - 1 }, clock);
    await expect(auth.hss(request(expired.token))).rejects.toMatchObject({ kind: 'invalid_token' });
    await expect(auth.hss(request('tsk_unknown'))).rejects.toMatchObject({ kind: 'invalid_token' });
  });

  it('a token is trusted with its own scope only (the cache is keyed by token)', async () => {
    const limited = await createToken(store, { projectId: 'p', enterpriseProjects: ['ep1'] }, clock);
    const full = await createToken(store, { projectId: 'p' }, clock);
    expect((await auth.hss(request(limited.token))).enterpriseProjects).toEqual(['ep1']);
    expect((await auth.hss(request(full.token))).enterpriseProjects).toEqual([]);
    expect((await auth.hss(request(` ${limited.token} `))).enterpriseProjects).toEqual(['ep1']);
  });
});
