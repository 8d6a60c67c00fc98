/**
 * Authentication and tenancy through the app: every credential kind against the demo routes of
 * both surfaces. Signed requests are signed by the independent Python implementation.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessKey, listAccessKeys, revokeAccessKey } from '../../src/api/auth/access-keys.js';
import { sha256Hex } from '../../src/api/auth/encoding.js';
import { NonceLedger } from '../../src/api/auth/nonces.js';
import { upsertImage } from '../../src/store/images-repo.js';
import { createToken, ensureProject, revokeToken } from '../../src/store/projects-repo.js';
import { aliyunTimestamp, apiFixture, encodeQuery, referenceSign, sdkDate, type ApiFixture, type SignSpec } from '../helpers/api-foundation.js';
import { demoModule } from './demo-module.js';

let fx: ApiFixture;
interface Key {
  ak: string;
  sk: string;
}
let tokens: { a: string; b: string; aEp1: string; expired: string; revoked: string };
let keys: { a: Key; b: Key; revoked: Key };
let img: { a0: string; a1: string; b: string };
const HOST = 'tarsier.test';
const MIN = 60_000;

beforeAll(async () => {
  fx = await apiFixture({ modules: [demoModule] });
  const s = fx.store;
  await ensureProject(s, 'proj-a');
  await ensureProject(s, 'proj-b');
  const revoked = await createToken(s, { projectId: 'proj-a' });
  await revokeToken(s, revoked.id);
  tokens = {
    a: (await createToken(s, { projectId: 'proj-a' })).token,
    b: (await createToken(s, { projectId: 'proj-b' })).token,
    aEp1: (await createToken(s, { projectId: 'proj-a', enterpriseProjects: ['ep1'] })).token,
    expired: (await createToken(s, { projectId: 'proj-a', expiresAt: Date.now() - 1000 })).token,
    revoked: revoked.token,
  };
  const ak = async (projectId: string): Promise<Key> => {
    const k = await createAccessKey(s, fx.services.box, { projectId });
    return { ak: k.accessKeyId, sk: k.secret };
  };
  keys = { a: await ak('proj-a'), b: await ak('proj-b'), revoked: await ak('proj-a') };
  await revokeAccessKey(s, keys.revoked.ak);
  const image = (projectId: string, ep: string, name: string) => upsertImage(s, { projectId, enterpriseProjectId: ep, imageType: 'harbor', namespace: 'lib', imageName: name, imageVersion: '1', reference: `r/lib/${name}:1` });
  img = { a0: await image('proj-a', '0', 'a-zero'), a1: await image('proj-a', 'ep1', 'a-one'), b: await image('proj-b', '0', 'b-zero') };
});
afterAll(async () => fx?.close());

type Headers = Record<string, string>;
const inject = (method: 'GET' | 'POST', url: string, headers: Headers, payload?: string) => fx.app.inject({ method, url, headers, payload });

interface HssSigned {
  ak: string;
  sk: string;
  method?: 'GET' | 'POST';
  path: string;
  query: [string, string][];
  body?: string;
  headers?: Headers;
  at?: number;
}

/** Signs HSS requests in one Python batch; returns the headers to send with each. */
function signHss(reqs: HssSigned[]): Headers[] {
  const specs: SignSpec[] = reqs.map((r) => ({
    scheme: 'hss', ak: r.ak, sk: r.sk, method: r.method ?? 'GET', path: r.path, query: r.query, body: r.body ?? '',
    headers: { host: HOST, ...(r.body ? { 'content-type': 'application/json' } : {}), ...r.headers }, sdkDate: sdkDate(r.at ?? Date.now()),
  }));
  return referenceSign(specs).map((authorization, i) => {
    const spec = specs[i] as Extract<SignSpec, { scheme: 'hss' }>;
    return { ...spec.headers, 'x-sdk-date': spec.sdkDate, authorization };
  });
}

const hssUrl = (r: HssSigned) => `${r.path}${r.query.length ? `?${encodeQuery(r.query)}` : ''}`;
const showA0 = (ak: Key, extra: Partial<HssSigned> = {}): HssSigned => ({ ...ak, path: `/v5/proj-a/demo/images/${img.a0}`, query: [['image_type', 'harbor']], ...extra });

describe('HSS authentication', () => {
  it.each([
    ['own token', () => tokens.a, 200, undefined],
    ['no credential', () => undefined, 401, { error_code: 'APIG.0301', error_msg: 'Incorrect IAM authentication information: x-auth-token not found' }],
    ['expired token', () => tokens.expired, 401, { error_code: 'APIG.1002', error_msg: 'Incorrect token or token resolution failed: the token is unknown, expired or revoked' }],
    ['revoked token', () => tokens.revoked, 401, { error_code: 'APIG.1002', error_msg: 'Incorrect token or token resolution failed: the token is unknown, expired or revoked' }],
    ['made-up token', () => 'tsk_' + 'A'.repeat(43), 401, { error_code: 'APIG.1002', error_msg: 'Incorrect token or token resolution failed: the token is unknown, expired or revoked' }],
    ["another project's token", () => tokens.b, 403, { error_code: 'APIG.0302', error_msg: 'The IAM user is not authorized to access the API: the credential is not valid for this project_id' }],
  ])('%s', async (_name, token, status, body) => {
    const t = token();
    const res = await inject('GET', `/v5/proj-a/demo/images/${img.a0}?image_type=harbor`, t === undefined ? {} : { 'x-auth-token': t });
    expect(res.statusCode).toBe(status);
    expect(res.headers['x-request-id']).toBeTruthy();
    if (body) expect(res.json()).toEqual(body);
    else expect(res.json().data_list[0].image_id).toBe(img.a0);
  });

  it('authenticates before validating: an anonymous caller learns nothing about parameters', async () => {
    const res = await inject('GET', `/v5/proj-a/demo/images/${img.a0}?limit=1`, {});
    expect(res.statusCode).toBe(401);
  });

  it('accepts SDK-HMAC-SHA256 signatures and refuses every kind of bad one', async () => {
    const now = Date.now();
    const bodyReq: HssSigned = { ...keys.a, method: 'POST' as const, path: '/v5/proj-a/demo/echo', query: [['tag', 'x y+z/ü']], body: JSON.stringify({ names: ['a', 'b'] }) };
    const reqs: Record<string, HssSigned> = {
      ok: showA0(keys.a),
      okOddQuery: showA0(keys.a, { query: [['image_type', 'harbor'], ['limit', '20'], ['note', "a b&c=d/é*(!)'~"], ['Upper', 'X']] }),
      okBody: bodyReq,
      tamperedBody: bodyReq,
      unsignedPayload: { ...bodyReq, headers: { 'x-sdk-content-sha256': 'UNSIGNED-PAYLOAD' } },
      wrongSecret: showA0({ ak: keys.a.ak, sk: 'not-the-secret' }),
      tamperedQuery: showA0(keys.a),
      unknownKey: showA0({ ak: 'TSAKAAAAAAAAAAAAAAAA', sk: keys.a.sk }),
      revokedKey: showA0(keys.revoked),
      otherProjectKey: showA0(keys.b),
      stale: showA0(keys.a, { at: now - 16 * MIN }),
      future: showA0(keys.a, { at: now + 16 * MIN }),
      slightlySkewed: showA0(keys.a, { at: now - 14 * MIN }),
    };
    const names = Object.keys(reqs);
    const signed = Object.fromEntries(signHss(Object.values(reqs)).map((h, i) => [names[i]!, h]));
    const send = (name: string, mutate?: { url?: string; body?: string; headers?: Headers }) => {
      const r = reqs[name]!;
      return inject(r.method ?? 'GET', mutate?.url ?? hssUrl(r), { ...signed[name], ...mutate?.headers }, mutate?.body ?? r.body);
    };
    expect((await send('ok')).statusCode).toBe(200);
    expect((await send('okOddQuery')).json().limit).toBe(20);
    expect((await send('okBody')).json()).toEqual({ names: ['a', 'b'], note: null });
    expect((await send('unsignedPayload', { body: JSON.stringify({ names: ['c'] }) })).json()).toEqual({ names: ['c'], note: null });
    expect((await send('slightlySkewed')).statusCode).toBe(200);

    const refused = async (name: string, status: number, code: string, msg: string, mutate?: Parameters<typeof send>[1]) => {
      const res = await send(name, mutate);
      expect(res.statusCode, name).toBe(status);
      expect(res.json(), name).toEqual({ error_code: code, error_msg: msg });
    };
    const IAM = 'Incorrect IAM authentication information: ';
    await refused('tamperedBody', 401, 'APIG.0301', `${IAM}verify aksk signature fail`, { body: JSON.stringify({ names: ['a', 'b', 'c'] }) });
    await refused('wrongSecret', 401, 'APIG.0301', `${IAM}verify aksk signature fail`);
    await refused('tamperedQuery', 401, 'APIG.0301', `${IAM}verify aksk signature fail`, { url: `${hssUrl(reqs.tamperedQuery!)}&limit=200` });
    await refused('ok', 401, 'APIG.0301', `${IAM}verify aksk signature fail`, { url: `/v5/proj-a/demo/images/${img.a1}?image_type=harbor` });
    await refused('unknownKey', 401, 'APIG.0301', `${IAM}Specified access key is not found or revoked.`);
    await refused('revokedKey', 401, 'APIG.0301', `${IAM}Specified access key is not found or revoked.`);
    await refused('otherProjectKey', 403, 'APIG.0302', 'The IAM user is not authorized to access the API: the credential is not valid for this project_id');
    await refused('stale', 401, 'APIG.0301', `${IAM}X-Sdk-Date is more than 15 minutes away from the server time.`);
    await refused('future', 401, 'APIG.0301', `${IAM}X-Sdk-Date is more than 15 minutes away from the server time.`);
    await refused('ok', 401, 'APIG.0301', `${IAM}X-Sdk-Date is not a valid time (yyyyMMddTHHmmssZ, UTC).`, { headers: { 'x-sdk-date': '2024-01-01T00:00:00Z' } });
    const auth = signed.ok!.authorization!;
    await refused('ok', 401, 'APIG.0301', `${IAM}X-Sdk-Date must be sent and signed`, { headers: { authorization: auth.replace('SignedHeaders=host;x-sdk-date', 'SignedHeaders=host') } });
    await refused('ok', 401, 'APIG.0301', `${IAM}the Authorization header is not a complete SDK-HMAC-SHA256 signature (Access, SignedHeaders, Signature)`, { headers: { authorization: auth.replace(/, Signature=.*/, '') } });
  });
});

describe('tenancy', () => {
  const show = (project: string, id: string, token: string, query = '') => inject('GET', `/v5/${project}/demo/images/${id}?image_type=harbor${query}`, { 'x-auth-token': token });

  it("answers for another tenant's image exactly as for one that does not exist", async () => {
    const foreign = await show('proj-b', img.a0, tokens.b);
    const missing = await show('proj-b', randomUUID(), tokens.b);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body).toBe(missing.body);
    expect(foreign.json().error_code).toBe('HSS.0404');
    expect(Object.keys(foreign.headers).sort()).toEqual(Object.keys(missing.headers).sort());
    expect((await show('proj-b', img.b, tokens.b)).statusCode).toBe(200);
  });

  it('narrows to enterprise projects: default "0", a granted one, or all_granted_eps', async () => {
    const list = async (token: string, query = '') => inject('GET', `/v5/proj-a/demo/images${query}`, { 'x-auth-token': token });
    expect((await list(tokens.a)).json().data_list).toEqual([img.a0]);
    expect((await list(tokens.a, '?enterprise_project_id=ep1')).json().data_list).toEqual([img.a1]);
    expect((await list(tokens.a, '?enterprise_project_id=all_granted_eps')).json().data_list.sort()).toEqual([img.a0, img.a1].sort());
    // A credential limited to ep1: the default "0" is not granted to it.
    const denied = await list(tokens.aEp1);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error_code).toBe('APIG.0302');
    expect((await list(tokens.aEp1, '?enterprise_project_id=all_granted_eps')).json().data_list).toEqual([img.a1]);
    expect((await show('proj-a', img.a0, tokens.aEp1, '&enterprise_project_id=ep1')).statusCode).toBe(404);
    expect((await show('proj-a', img.a1, tokens.aEp1, '&enterprise_project_id=ep1')).statusCode).toBe(200);
  });
});

describe('Alibaba authentication', () => {
  const action = 'DescribeDemoImages';

  interface V1 {
    ak: string;
    sk: string;
    at?: number;
    nonce?: string;
    extra?: [string, string][];
    method?: 'GET' | 'POST';
  }
  function v1Params(r: V1): [string, string][] {
    return [
      ['Action', action], ['Version', '2018-12-03'], ['Format', 'JSON'], ['AccessKeyId', r.ak], ['SignatureMethod', 'HMAC-SHA1'], ['SignatureVersion', '1.0'],
      ['SignatureNonce', r.nonce ?? randomUUID()], ['Timestamp', aliyunTimestamp(r.at ?? Date.now())], ...(r.extra ?? []),
    ];
  }
  interface V3 {
    ak: string;
    sk: string;
    at?: number;
    nonce?: string;
    query?: [string, string][];
    body?: string;
    actionInHeader?: boolean;
  }
  function v3Spec(r: V3): SignSpec {
    const headers: Headers = { host: HOST, 'x-acs-version': '2018-12-03', 'x-acs-date': aliyunTimestamp(r.at ?? Date.now()), 'x-acs-signature-nonce': r.nonce ?? randomUUID() };
    if (r.actionInHeader !== false) headers['x-acs-action'] = action;
    if (r.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    return { scheme: 'aliyun-v3', ak: r.ak, sk: r.sk, method: 'POST', path: '/', query: r.query ?? [], headers, body: r.body ?? '' };
  }
  const images = (res: { json(): { Images?: string[] } }) => res.json().Images?.sort();

  it.each([
    ['own token', () => ({ 'x-auth-token': tokens.a }), 200, 'proj-a'],
    ["another project's token", () => ({ 'x-auth-token': tokens.b }), 200, 'proj-b'],
    ['no credential', () => ({}), 400, 'MissingParameter'],
    ['expired token', () => ({ 'x-auth-token': tokens.expired }), 401, 'InvalidSecurityToken.Expired'],
    ['revoked token', () => ({ 'x-auth-token': tokens.revoked }), 401, 'InvalidSecurityToken.Expired'],
  ])('X-Auth-Token: %s', async (_name, headers, status, expectation) => {
    const res = await inject('GET', `/?Action=${action}&Version=2018-12-03`, headers());
    expect(res.statusCode).toBe(status);
    if (expectation === 'proj-a') expect(images(res)).toEqual([img.a0, img.a1].sort());
    else if (expectation === 'proj-b') expect(images(res)).toEqual([img.b]);
    else expect(res.json()).toMatchObject({ Code: expectation, RequestId: res.headers['x-request-id'] });
  });

  it('V1 (HMAC-SHA1): accepts a signed GET or form POST once, refuses replays, stale times and bad signatures', async () => {
    const now = Date.now();
    const cases: Record<string, { r: V1; params: [string, string][] }> = {};
    const add = (name: string, r: V1) => {
      cases[name] = { r, params: v1Params(r) };
    };
    add('get', { ...keys.a, extra: [['ScanRange', '["image"]'], ['PageSize', '5']] });
    add('post', { ...keys.a, method: 'POST', extra: [['Lang', 'en']] });
    add('otherTenant', { ...keys.b, extra: [['ImageUuid', img.a0]] });
    add('wrongSecret', { ak: keys.a.ak, sk: 'nope' });
    add('stale', { ...keys.a, at: now - 16 * MIN });
    add('unknownKey', { ak: 'TSAKZZZZZZZZZZZZZZZZ', sk: 'x' });
    add('revokedKey', keys.revoked);
    add('badTime', { ...keys.a });
    cases.badTime!.params = cases.badTime!.params.map(([k, v]) => (k === 'Timestamp' ? [k, '2024/01/01 00:00'] : [k, v]));
    add('sameNonceOtherKey', { ...keys.b, nonce: cases.get!.params.find(([k]) => k === 'SignatureNonce')![1] });
    const names = Object.keys(cases);
    const sigs = referenceSign(names.map((n) => ({ scheme: 'aliyun-v1', sk: cases[n]!.r.sk, method: cases[n]!.r.method ?? 'GET', params: cases[n]!.params })));
    const send = (name: string, tamper?: (p: [string, string][]) => [string, string][]) => {
      const c = cases[name]!;
      let params: [string, string][] = [...c.params, ['Signature', sigs[names.indexOf(name)]!]];
      if (tamper) params = tamper(params);
      if (c.r.method === 'POST') return inject('POST', '/', { 'content-type': 'application/x-www-form-urlencoded' }, encodeQuery(params));
      return inject('GET', `/?${encodeQuery(params)}`, {});
    };

    const ok = await send('get');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ ScanRange: ['image'], PageSize: 5 });
    expect(images(ok)).toEqual([img.a0, img.a1].sort());
    expect((await send('post')).json()).toMatchObject({ Lang: 'en' });
    expect((await send('otherTenant')).json().Images).toEqual([]);
    expect((await send('sameNonceOtherKey')).statusCode).toBe(200);

    const refused = async (res: Promise<{ statusCode: number; json(): Record<string, string> }>, status: number, code: string) => {
      const r = await res;
      expect(r.statusCode, code).toBe(status);
      expect(r.json().Code).toBe(code);
      expect(Object.keys(r.json()).sort()).toEqual(['Code', 'HostId', 'Message', 'Recommend', 'RequestId']);
    };
    await refused(send('get'), 400, 'SignatureNonceUsed');
    await refused(send('wrongSecret'), 400, 'SignatureDoesNotMatch');
    await refused(send('stale'), 400, 'InvalidTimeStamp.Expired');
    await refused(send('badTime'), 400, 'InvalidTimeStamp.Format');
    await refused(send('unknownKey'), 404, 'InvalidAccessKeyId.NotFound');
    await refused(send('revokedKey'), 404, 'InvalidAccessKeyId.NotFound');
    // Changing a signed parameter after signing (a fresh nonce so replay is not what trips it).
    await refused(send('post', (p) => p.map(([k, v]) => (k === 'Lang' ? [k, 'zh'] : [k, v]))), 400, 'SignatureDoesNotMatch');
    await refused(send('stale', (p) => p.filter(([k]) => k !== 'SignatureNonce')), 400, 'IncompleteSignature');
    await refused(send('stale', (p) => p.map(([k, v]) => (k === 'SignatureMethod' ? [k, 'HMAC-SHA256'] : [k, v]))), 400, 'IncompleteSignature');
    const mismatch = await send('wrongSecret');
    expect(mismatch.json().Message).toMatch(/^Specified signature is not matched with our calculation\. server string to sign is:GET&%2F&AccessKeyId%3D/);
  });

  it('V3 (ACS3-HMAC-SHA256): accepts a signed request once, refuses replays, stale times, tampered bodies and bad signatures', async () => {
    const now = Date.now();
    const reqs: Record<string, V3> = {
      query: { ...keys.a, query: [['PageSize', '3'], ['ScanRange', '["container"]']] },
      form: { ...keys.a, body: 'Lang=en&PageSize=9' },
      actionInQuery: { ...keys.a, actionInHeader: false, query: [['Action', action], ['Version', '2018-12-03']] },
      otherTenant: { ...keys.b, query: [['ImageUuid', img.a1]] },
      wrongSecret: { ak: keys.a.ak, sk: 'nope' },
      stale: { ...keys.a, at: now - 16 * MIN },
      unknownKey: { ak: 'TSAKYYYYYYYYYYYYYYYY', sk: 'x' },
    };
    const names = Object.keys(reqs);
    const specs = names.map((n) => v3Spec(reqs[n]!));
    const auths = referenceSign(specs);
    const send = (name: string, mutate?: { body?: string; headers?: Headers; query?: string }) => {
      const spec = specs[names.indexOf(name)] as Extract<SignSpec, { scheme: 'aliyun-v3' }>;
      const body = mutate?.body ?? spec.body;
      const headers: Headers = { ...spec.headers, 'x-acs-content-sha256': '', authorization: auths[names.indexOf(name)]!, ...mutate?.headers };
      // The sender hashes what it sends; a tampered body keeps the hash of the signed one.
      headers['x-acs-content-sha256'] = mutate?.headers?.['x-acs-content-sha256'] ?? sha256Hex(spec.body);
      const q = mutate?.query ?? encodeQuery(spec.query);
      return inject('POST', `/${q ? `?${q}` : ''}`, headers, body || undefined);
    };

    const ok = await send('query');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ PageSize: 3, ScanRange: ['container'] });
    expect((await send('form')).json()).toMatchObject({ Lang: 'en', PageSize: 9 });
    expect((await send('actionInQuery')).statusCode).toBe(200);
    expect((await send('otherTenant')).json().Images).toEqual([]);

    const refused = async (res: Promise<{ statusCode: number; json(): Record<string, string> }>, status: number, code: string) => {
      const r = await res;
      expect(r.statusCode, code).toBe(status);
      expect(r.json().Code).toBe(code);
    };
    await refused(send('query'), 400, 'SignatureNonceUsed');
    await refused(send('wrongSecret'), 400, 'SignatureDoesNotMatch');
    await refused(send('stale'), 400, 'InvalidTimeStamp.Expired');
    await refused(send('unknownKey'), 404, 'InvalidAccessKeyId.NotFound');
    await refused(send('form', { body: 'Lang=zh&PageSize=9' }), 400, 'SignatureDoesNotMatch');
    await refused(send('otherTenant', { query: encodeQuery([['ImageUuid', img.b]]) }), 400, 'SignatureDoesNotMatch');
    const incomplete = auths[names.indexOf('wrongSecret')]!.replace(/x-acs-signature-nonce;?/, '');
    await refused(send('wrongSecret', { headers: { authorization: incomplete } }), 400, 'IncompleteSignature');
  });
});

describe('credential bookkeeping', () => {
  it('lists access keys without secrets and records their last use', async () => {
    const listed = await listAccessKeys(fx.store, 'proj-a');
    expect(listed.map((k) => k.accessKeyId).sort()).toEqual([keys.a.ak, keys.revoked.ak].sort());
    expect(JSON.stringify(listed)).not.toContain(keys.a.sk);
    expect(listed.find((k) => k.accessKeyId === keys.a.ak)!.lastUsedAt).toBeGreaterThan(0);
    expect(listed.find((k) => k.accessKeyId === keys.revoked.ak)!.revokedAt).toBeGreaterThan(0);
    const row = await fx.store.db.selectFrom('access_keys').select('secret_enc').where('access_key_id', '=', keys.a.ak).executeTakeFirstOrThrow();
    expect(row.secret_enc).not.toContain(keys.a.sk);
    expect(fx.services.box.open(row.secret_enc)).toBe(keys.a.sk);
  });

  it('remembers nonces for twice the window, then forgets and prunes them', async () => {
    const ledger = new NonceLedger(fx.store, 15 * MIN, 0);
    const t0 = Date.UTC(2030, 0, 1);
    expect(await ledger.claim('AK1', 'n-1', t0)).toBe(true);
    expect(await ledger.claim('AK1', 'n-1', t0 + 30 * MIN)).toBe(false);
    expect(await ledger.claim('AK2', 'n-1', t0)).toBe(true);
    expect(await ledger.claim('AK1', 'n-1', t0 + ledger.retentionMs + 1)).toBe(true);
    await ledger.claim('AK3', 'n-2', t0 + 10 * ledger.retentionMs);
    const left = await fx.store.query<{ n: number }>('SELECT count(*)::int AS n FROM request_nonces WHERE seen_at >= $1 AND seen_at < $2', [t0, t0 + 10 * ledger.retentionMs]);
    expect(left[0]!.n).toBe(0);
  });
});
