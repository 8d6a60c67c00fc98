/**
 * HSS sensitive-information endpoints on a seeded store: the seed contract's exact shape,
 * every parameter's range and default, handling through the shared overlay, the path whitelist
 * under both spellings, the global list, and tenancy (another tenant's image = a missing one).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setFindingStates } from '../../src/store/queries/finding-states.js';
import { AWS_KEY, client, DB_PASS, fp, hssWorld, L1, L2, NPM_TOKEN, SSH_KEY, T1, T2, T3, type HssWorld } from './hss-fixtures.js';

let w: HssWorld;
let call: ReturnType<typeof client>;
beforeAll(async () => {
  w = await hssWorld();
  call = client(w);
});
afterAll(async () => w?.fx.close());

const sensitiveOf = (id: string, query = 'image_type=harbor') => `/v5/proj-a/image/${id}/sensitive?${query}`;

const AWS_ITEM = {
  sensitive_info_id: '',
  severity: 'critical',
  name: 'AWS Access Key',
  description: 'An AWS access key ID or secret access key.',
  position: L2.digest,
  file_path: '/srv/app/.env',
  content: 'AKIAIOSF****',
  latest_scan_time: T1,
  handle_status: 'unhandled',
  operate_accept: 'ignore',
};

describe('GET /v5/{project_id}/image/{image_id}/sensitive', () => {
  it('answers the seed shape: total_num, data_list of ImageSensitiveInfo, most severe first, times in ms', async () => {
    const res = await call('GET', sensitiveOf(w.img.a1));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      total_num: 3,
      data_list: [
        { ...AWS_ITEM, sensitive_info_id: fp(AWS_KEY) },
        {
          sensitive_info_id: fp(SSH_KEY),
          severity: 'high',
          name: 'SSH private key',
          description: 'An SSH private key (client key or host key) stored in the image.',
          position: L1.digest,
          file_path: '/root/.ssh/id_rsa',
          content: '-----BEGIN OPENSSH PRIVATE KEY-----b3Bl****',
          latest_scan_time: T1,
          handle_status: 'unhandled',
          operate_accept: 'ignore',
        },
        {
          sensitive_info_id: fp(DB_PASS),
          severity: 'medium',
          name: 'common credentials',
          description: 'A password, token or API key assigned literally in a file, or credentials embedded in a URL.',
          position: L2.digest,
          file_path: '/usr/local/share/app/db.ini',
          content: 'p****',
          latest_scan_time: T1,
          handle_status: 'unhandled',
          operate_accept: 'ignore',
        },
      ],
    });
    for (const item of res.body!.data_list!) {
      expect(Object.keys(item).sort()).toEqual(Object.keys(AWS_ITEM).sort());
      expect(typeof item.latest_scan_time).toBe('number');
      expect(String(item.sensitive_info_id).length).toBeLessThanOrEqual(128);
      expect(String(item.description).length).toBeLessThanOrEqual(128);
    }
    expect(res.headers['x-request-id']).toBeTruthy();
  });

  it('names a registry image by namespace, name and version; a CI/CD image by type and id', async () => {
    const byName = await call('GET', sensitiveOf('ignored-id', 'image_type=harbor&namespace=library&image_name=web&image_version=2.0'));
    expect(byName.body!.data_list!.map((d) => d.sensitive_info_id)).toEqual([fp(SSH_KEY)]);
    expect(byName.body!.data_list![0]!.latest_scan_time).toBe(T2);
    const cicd = await call('GET', sensitiveOf(w.img.a3, 'image_type=cicd'));
    expect(cicd.body).toMatchObject({ total_num: 1, data_list: [{ sensitive_info_id: fp(NPM_TOKEN), file_path: '/app/.npmrc', latest_scan_time: T3 }] });
    // The type is part of the name: the CI/CD image is not a harbor image.
    expect((await call('GET', sensitiveOf(w.img.a3, 'image_type=harbor'))).body).toEqual({ total_num: 0, data_list: [] });
  });

  it('filters by file_path (substring of the absolute path), severity and handle_status', async () => {
    const ids = async (q: string) => (await call('GET', sensitiveOf(w.img.a1, `image_type=harbor&${q}`))).body!.data_list!.map((d) => d.file_path);
    expect(await ids('file_path=/srv/')).toEqual(['/srv/app/.env']);
    expect(await ids('file_path=.ssh')).toEqual(['/root/.ssh/id_rsa']);
    expect(await ids('severity=medium')).toEqual(['/usr/local/share/app/db.ini']);
    expect(await ids('handle_status=handled')).toEqual([]);
    expect(await ids('handle_status=unhandled')).toHaveLength(3);
  });

  it('pages with offset and limit (default 10, offset 0)', async () => {
    const page = await call('GET', sensitiveOf(w.img.a1, 'image_type=harbor&limit=10&offset=2'));
    expect(page.body).toMatchObject({ total_num: 3, data_list: [{ file_path: '/usr/local/share/app/db.ini' }] });
    const beyond = await call('GET', sensitiveOf(w.img.a1, 'image_type=harbor&offset=2000000'));
    expect(beyond.body).toEqual({ total_num: 3, data_list: [] });
  });

  it.each([
    ['image_type missing', '', 'image_type is required'],
    ['image_type outside the enum', 'image_type=jfrog', 'image_type must be one of: private_image, shared_image, instance_image, cicd, harbor'],
    ['limit below 10', 'image_type=harbor&limit=9', 'limit must be >= 10'],
    ['limit above 200', 'image_type=harbor&limit=201', 'limit must be <= 200'],
    ['offset below 0', 'image_type=harbor&offset=-1', 'offset must be >= 0'],
    ['offset above 2,000,000', 'image_type=harbor&offset=2000001', 'offset must be <= 2000000'],
    ['severity outside the enum', 'image_type=harbor&severity=High', 'severity must be one of: critical, high, medium, low'],
    ['handle_status outside the enum', 'image_type=harbor&handle_status=ignored', 'handle_status must be one of: unhandled, handled'],
    ['enterprise_project_id empty', 'image_type=harbor&enterprise_project_id=', 'enterprise_project_id must NOT have fewer than 1 characters'],
  ])('400 HSS.0001 naming the parameter: %s', async (_n, q, msg) => {
    const res = await call('GET', sensitiveOf(w.img.a1, q));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error_code: 'HSS.0001', error_msg: `invalid param error: ${msg}` });
  });

  it('accepts the boundaries: limit 10 and 200, offset 0 and 2,000,000, a 128-character image_id; refuses 129', async () => {
    for (const q of ['limit=10', 'limit=200', 'offset=0', 'offset=2000000']) expect((await call('GET', sensitiveOf(w.img.a1, `image_type=harbor&${q}`))).status).toBe(200);
    expect((await call('GET', sensitiveOf('x'.repeat(128)))).body).toEqual({ total_num: 0, data_list: [] });
    expect((await call('GET', sensitiveOf('x'.repeat(129)))).body).toEqual({ error_code: 'HSS.0001', error_msg: 'invalid param error: image_id must NOT have more than 128 characters' });
  });

  it('accepts the optional region header (1-128 characters, no effect) and refuses it empty or longer', async () => {
    const withRegion = (region: string) => w.fx.app.inject({ method: 'GET', url: sensitiveOf(w.img.a1), headers: { 'x-auth-token': w.tokens.a, region } });
    const ok = await withRegion('cn-north-4');
    expect(ok.statusCode).toBe(200);
    expect(ok.json().total_num).toBe(3);
    expect((await withRegion('r'.repeat(128))).statusCode).toBe(200);
    for (const bad of ['', 'r'.repeat(129)]) {
      const res = await withRegion(bad);
      expect(res.statusCode).toBe(400);
      expect(res.json().error_msg).toMatch(/^invalid param error: region must NOT have (fewer than 1|more than 128) characters$/);
    }
  });

  it('tenancy: another project, another enterprise project and a missing image all answer the same empty list', async () => {
    const empty = { total_num: 0, data_list: [] };
    const missing = await call('GET', sensitiveOf('00000000-0000-0000-0000-000000000000'));
    expect(missing.body).toEqual(empty);
    // proj-b shares proj-a's manifest but names its own image only.
    expect((await call('GET', `/v5/proj-b/image/${w.img.a1}/sensitive?image_type=harbor`, { token: w.tokens.b })).body).toEqual(empty);
    expect((await call('GET', `/v5/proj-b/image/${w.img.b1}/sensitive?image_type=harbor`, { token: w.tokens.b })).body!.total_num).toBe(3);
    // The ep-2 image is invisible under the default enterprise project, visible with all_granted_eps.
    expect((await call('GET', sensitiveOf(w.img.e1))).body).toEqual(empty);
    expect((await call('GET', sensitiveOf(w.img.e1, 'image_type=harbor&enterprise_project_id=all_granted_eps'))).body!.total_num).toBe(3);
    // A credential limited to enterprise project 0 is refused ep-2 outright, and sees nothing of it via all_granted_eps.
    expect((await call('GET', sensitiveOf(w.img.e1, 'image_type=harbor&enterprise_project_id=ep-2'), { token: w.tokens.a0 })).status).toBe(403);
    expect((await call('GET', sensitiveOf(w.img.e1, 'image_type=harbor&enterprise_project_id=all_granted_eps'), { token: w.tokens.a0 })).body).toEqual(empty);
    // Another project's path with this token: refused before anything is looked up.
    const foreign = await call('GET', `/v5/proj-b/image/${w.img.b1}/sensitive?image_type=harbor`);
    expect(foreign.status).toBe(403);
    expect((await call('GET', sensitiveOf(w.img.a1), { token: null })).status).toBe(401);
  });
});

describe('POST /v5/{project_id}/image/sensitive/operate', () => {
  it('ignores and un-ignores a finding: handle_status and operate_accept follow, for every image carrying it', async () => {
    const op = (operate_type: string | undefined, id = fp(SSH_KEY), token?: string) =>
      call('POST', '/v5/proj-a/image/sensitive/operate?image_type=harbor', { body: { sensitive_info_id: id, ...(operate_type ? { operate_type } : {}) }, token });
    const ignored = await op('ignore');
    expect(ignored.status).toBe(200);
    expect(ignored.body).toBeUndefined();
    const find = async (img: string) => (await call('GET', sensitiveOf(img))).body!.data_list!.find((d) => d.sensitive_info_id === fp(SSH_KEY));
    expect(await find(w.img.a1)).toMatchObject({ handle_status: 'handled', operate_accept: 'do_not_ignore' });
    expect(await find(w.img.a2)).toMatchObject({ handle_status: 'handled', operate_accept: 'do_not_ignore' });
    expect((await call('GET', sensitiveOf(w.img.a1, 'image_type=harbor&handle_status=handled'))).body!.total_num).toBe(1);
    // The overlay is per project: proj-b's copy of the same secret stays unhandled.
    const b = (await call('GET', `/v5/proj-b/image/${w.img.b1}/sensitive?image_type=harbor`, { token: w.tokens.b })).body!.data_list!;
    expect(b.find((d) => d.sensitive_info_id === fp(SSH_KEY))).toMatchObject({ handle_status: 'unhandled', operate_accept: 'ignore' });
    // operate_type defaults to do_not_ignore.
    expect((await op(undefined)).status).toBe(200);
    expect(await find(w.img.a1)).toMatchObject({ handle_status: 'unhandled', operate_accept: 'ignore' });
  });

  it('shows a false positive (set on the Alibaba surface) as handled, accepting do_not_ignore, which clears it', async () => {
    await setFindingStates(w.fx.store.db, { projectId: 'proj-a', kind: 'sensitive', fingerprints: [fp(AWS_KEY)], state: 'false_positive' });
    const aws = async () => (await call('GET', sensitiveOf(w.img.a1))).body!.data_list!.find((d) => d.sensitive_info_id === fp(AWS_KEY));
    expect(await aws()).toMatchObject({ handle_status: 'handled', operate_accept: 'do_not_ignore' });
    const undo = await call('POST', '/v5/proj-a/image/sensitive/operate?image_type=harbor', { body: { sensitive_info_id: fp(AWS_KEY), operate_type: 'do_not_ignore' } });
    expect(undo.status).toBe(200);
    expect(await aws()).toMatchObject({ handle_status: 'unhandled', operate_accept: 'ignore' });
  });

  it('refuses bad input and answers findings the caller cannot see as missing', async () => {
    const post = (q: string, body: unknown, token?: string) => call('POST', `/v5/proj-a/image/sensitive/operate${q}`, { body, token });
    expect((await post('', { sensitive_info_id: fp(SSH_KEY) })).body).toEqual({ error_code: 'HSS.0001', error_msg: 'invalid param error: image_type is required' });
    expect((await post('?image_type=harbor', {})).body).toEqual({ error_code: 'HSS.0001', error_msg: 'invalid param error: sensitive_info_id is required' });
    expect((await post('?image_type=harbor', { sensitive_info_id: fp(SSH_KEY), operate_type: 'delete' })).body).toEqual({
      error_code: 'HSS.0001',
      error_msg: 'invalid param error: operate_type must be one of: ignore, do_not_ignore',
    });
    expect((await post('?image_type=harbor', { sensitive_info_id: 'x'.repeat(129) })).status).toBe(400);
    const missing = await post('?image_type=harbor', { sensitive_info_id: 'f'.repeat(32) });
    expect(missing.status).toBe(404);
    // The CI/CD secret is not a harbor image's; proj-b cannot operate on proj-a's CI/CD finding.
    expect((await post('?image_type=harbor', { sensitive_info_id: fp(NPM_TOKEN) })).body).toEqual(missing.body);
    const foreign = await call('POST', '/v5/proj-b/image/sensitive/operate?image_type=cicd', { body: { sensitive_info_id: fp(NPM_TOKEN), operate_type: 'ignore' }, token: w.tokens.b });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(missing.body);
  });
});

describe('sensitive file-path whitelist', () => {
  it.each(['filepath-whitelist', 'filepath_whitelist'])('GET/POST /image/sensitive/%s: built-in default paths, editable customized paths', async (spelling) => {
    const url = `/v5/proj-a/image/sensitive/${spelling}`;
    const before = await call('GET', url);
    expect(before.status).toBe(200);
    expect(before.body!.default_path).toContain('/usr/share/doc/**');
    expect((before.body!.default_path as string[]).every((p) => p.startsWith('/'))).toBe(true);
    expect(before.body!.customized_path).toEqual([]);
    expect((await call('POST', url, { body: { customized_path: ['/usr/local/share/*', '/opt/x/', '/usr/local/share/*'] } })).status).toBe(200);
    const after = await call('GET', url);
    expect(after.body!.customized_path).toEqual(['/opt/x/', '/usr/local/share/*']);
    expect((await call('GET', `${url}?file_path=opt`)).body).toEqual({ default_path: [], customized_path: ['/opt/x/'] });
    // Findings under a whitelisted path disappear at once, everywhere in the project.
    const list = await call('GET', sensitiveOf(w.img.a1));
    expect(list.body!.data_list!.map((d) => d.file_path)).toEqual(['/srv/app/.env', '/root/.ssh/id_rsa']);
    expect(list.body!.total_num).toBe(2);
    // Another project is unaffected.
    expect((await call('GET', `/v5/proj-b/image/${w.img.b1}/sensitive?image_type=harbor`, { token: w.tokens.b })).body!.total_num).toBe(3);
    expect((await call('GET', `/v5/proj-b/image/sensitive/${spelling}`, { token: w.tokens.b })).body!.customized_path).toEqual([]);
    expect((await call('POST', url, { body: { customized_path: [] } })).status).toBe(200);
    expect((await call('GET', sensitiveOf(w.img.a1))).body!.total_num).toBe(3);
  });

  it('treats * and ? as wildcards and everything else literally; refuses relative paths', async () => {
    const url = '/v5/proj-a/image/sensitive/filepath-whitelist';
    await call('POST', url, { body: { customized_path: ['/srv/app/_env', '/root/.ssh/id_rs?', '/usr/local/share/app/db%ini'] } });
    expect((await call('GET', sensitiveOf(w.img.a1))).body!.data_list!.map((d) => d.file_path)).toEqual(['/srv/app/.env', '/usr/local/share/app/db.ini']);
    await call('POST', url, { body: { customized_path: [] } });
    const bad = await call('POST', url, { body: { customized_path: ['relative/path'] } });
    expect(bad.status).toBe(400);
    expect(String(bad.body!.error_msg)).toMatch(/^invalid param error: customized_path\[0\] must match pattern/);
    expect((await call('POST', url, { body: {} })).body).toEqual({ error_code: 'HSS.0001', error_msg: 'invalid param error: customized_path is required' });
  });
});

describe('GET /v5/{project_id}/image/sensitive-information', () => {
  it('lists each finding once across the images of the type, with the latest scan among them', async () => {
    const res = await call('GET', '/v5/proj-a/image/sensitive-information?image_type=registry');
    expect(res.status).toBe(200);
    expect(res.body!.total_num).toBe(3);
    const ssh = res.body!.data_list!.find((d) => d.sensitive_info_id === fp(SSH_KEY));
    // In web:1.0 (T1) and web:2.0 (T2); the ep-2 copy (T4) is outside the default enterprise project.
    expect(ssh).toMatchObject({ file_path: '/root/.ssh/id_rsa', position: L1.digest, latest_scan_time: T2, handle_status: 'unhandled', operate_accept: 'ignore' });
    const all = await call('GET', '/v5/proj-a/image/sensitive-information?image_type=registry&enterprise_project_id=all_granted_eps');
    expect(all.body!.data_list!.find((d) => d.sensitive_info_id === fp(SSH_KEY))!.latest_scan_time).toBe(1_700_000_300_000);
    const cicd = await call('GET', '/v5/proj-a/image/sensitive-information?image_type=cicd');
    expect(cicd.body).toMatchObject({ total_num: 1, data_list: [{ sensitive_info_id: fp(NPM_TOKEN), severity: 'critical', name: 'NPM access token' }] });
    expect((await call('GET', '/v5/proj-a/image/sensitive-information?image_type=registry&severity=critical')).body!.total_num).toBe(1);
    expect((await call('GET', '/v5/proj-a/image/sensitive-information?image_type=local')).status).toBe(400);
    expect((await call('GET', '/v5/proj-a/image/sensitive-information')).body).toEqual({ error_code: 'HSS.0001', error_msg: 'invalid param error: image_type is required' });
    // proj-b sees its own image's findings only.
    const b = await call('GET', '/v5/proj-b/image/sensitive-information?image_type=cicd', { token: w.tokens.b });
    expect(b.body).toEqual({ total_num: 0, data_list: [] });
  });
});
