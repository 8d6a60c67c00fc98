/**
 * HSS vulnerability and build-command-risk endpoints: seed 003 (images affected by a
 * vulnerability, by id or alias) and seed 004 (images affected by a build rule) exactly, plus one
 * image's vulnerabilities and the build-rule list; the SQL vulnerability fingerprint agrees with
 * the JavaScript one (the handling overlay depends on it).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vulnFingerprint } from '../../src/store/fingerprints.js';
import { setFindingStates } from '../../src/store/queries/finding-states.js';
import { VULN_FINGERPRINT_SQL } from '../../src/store/queries/vuln-findings.js';
import { client, D1, D2, D3_REAL, hssWorld, L1, L2, ROOT_REMEDIATION, T1, T2, T3, type HssWorld } from './hss-fixtures.js';

let w: HssWorld;
let call: ReturnType<typeof client>;
beforeAll(async () => {
  w = await hssWorld();
  call = client(w);
});
afterAll(async () => w?.fx.close());

const OPENSSL_VERSION = '1.1.1d-0+deb10u3';

describe('GET /v5/{project_id}/image/{vul_id}/images', () => {
  it('answers the seed shape: one entry per repository, software and version, with the affected tags', async () => {
    const res = await call('GET', '/v5/proj-a/image/CVE-2021-3711/images');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      total_num: 2,
      data_list: [
        {
          namespace: '',
          image_id: w.img.a3,
          image_name: 'ci-app',
          app_name: 'openssl',
          version: OPENSSL_VERSION,
          tag_count: 1,
          image_type: 'cicd',
          data_list: [{ tag_id: w.img.a3, tag_name: '7', size: 3000, app_name: 'openssl' }],
        },
        {
          namespace: 'library',
          image_id: w.img.a2,
          image_name: 'web',
          app_name: 'openssl',
          version: OPENSSL_VERSION,
          tag_count: 2,
          image_type: 'harbor',
          data_list: [
            { tag_id: w.img.a1, tag_name: '1.0', size: 1000, app_name: 'openssl' },
            { tag_id: w.img.a2, tag_name: '2.0', size: 2000, app_name: 'openssl' },
          ],
        },
      ],
    });
  });

  it('finds a vulnerability by any alias', async () => {
    expect((await call('GET', '/v5/proj-a/image/DSA-4963-1/images')).body!.total_num).toBe(2);
    expect((await call('GET', '/v5/proj-a/image/CVE-2021-23337/images')).body).toMatchObject({ total_num: 1, data_list: [{ app_name: 'lodash', version: '4.17.20', tag_count: 1 }] });
    expect((await call('GET', '/v5/proj-a/image/CVE-1999-0001/images')).body).toEqual({ total_num: 0, data_list: [] });
  });

  it('filters by namespace, image_name (substring), image_id and app_name; pages by entry', async () => {
    const q = async (s: string) => (await call('GET', `/v5/proj-a/image/CVE-2021-3711/images?${s}`)).body!;
    expect((await q('namespace=library')).total_num).toBe(1);
    expect((await q('image_name=ci-')).data_list!.map((d) => d.image_name)).toEqual(['ci-app']);
    expect((await q(`image_id=${w.img.a1}`)).data_list).toMatchObject([{ tag_count: 1, image_id: w.img.a1, data_list: [{ tag_name: '1.0' }] }]);
    expect((await q('app_name=zlib1g')).total_num).toBe(0);
    expect(await q('offset=1&limit=10')).toMatchObject({ total_num: 2, data_list: [{ image_name: 'web' }] });
  });

  it('validates paging and shows nothing of another tenant', async () => {
    for (const [q, msg] of [
      ['limit=9', 'limit must be >= 10'],
      ['limit=201', 'limit must be <= 200'],
      ['offset=-1', 'offset must be >= 0'],
      ['offset=2000001', 'offset must be <= 2000000'],
    ] as const) {
      expect((await call('GET', `/v5/proj-a/image/CVE-2021-3711/images?${q}`)).body).toEqual({ error_code: 'HSS.0001', error_msg: `invalid param error: ${msg}` });
    }
    const b = await call('GET', '/v5/proj-b/image/CVE-2021-3711/images', { token: w.tokens.b });
    expect(b.body).toMatchObject({ total_num: 1, data_list: [{ image_id: w.img.b1, tag_count: 1 }] });
    expect((await call('GET', `/v5/proj-b/image/CVE-2021-3711/images?image_id=${w.img.a1}`, { token: w.tokens.b })).body).toEqual({ total_num: 0, data_list: [] });
    const all = await call('GET', '/v5/proj-a/image/CVE-2021-3711/images?enterprise_project_id=all_granted_eps');
    expect(all.body!.total_num).toBe(3);
  });
});

describe('GET /v5/{project_id}/image/{image_id}/vulnerabilities', () => {
  const vulns = (q: string, id = w.img.a1) => call('GET', `/v5/proj-a/image/${id}/vulnerabilities?image_type=harbor&namespace=library&image_name=web&tag_name=1.0${q}`);

  it('lists an image\'s vulnerabilities, most severe first, with the layer that introduced the package', async () => {
    const res = await vulns('');
    expect(res.body).toEqual({
      total_num: 3,
      data_list: [
        { vul_id: 'CVE-2021-3711', repair_necessity: 'immediate_repair', description: 'SM2 decryption buffer overflow', position: L1.digest, app_name: 'openssl', version: OPENSSL_VERSION, solution: 'Upgrade openssl to 1.1.1d-0+deb10u7 or later.' },
        { vul_id: 'GHSA-35jh-r3h4-6jhm', repair_necessity: 'immediate_repair', description: 'Command Injection in lodash', position: L2.digest, app_name: 'lodash', version: '4.17.20', solution: 'Upgrade lodash to 4.17.21 or later.' },
        { vul_id: 'CVE-2018-25032', repair_necessity: 'not_needed_repair', description: 'zlib memory corruption on deflate', position: L1.digest, app_name: 'zlib1g', version: '1:1.2.11.dfsg-1', solution: '' },
      ],
    });
  });

  it('filters by repair_necessity, type, vul_id (substring), app_name and handle_status', async () => {
    const ids = async (q: string) => (await vulns(q)).body!.data_list!.map((d) => d.vul_id);
    expect(await ids('&repair_necessity=not_needed_repair')).toEqual(['CVE-2018-25032']);
    expect(await ids('&repair_necessity=delay_repair')).toEqual([]);
    expect(await ids('&type=app_vul')).toEqual(['GHSA-35jh-r3h4-6jhm']);
    expect(await ids('&type=linux_vul')).toEqual(['CVE-2021-3711', 'CVE-2018-25032']);
    expect(await ids('&vul_id=2021')).toEqual(['CVE-2021-3711']);
    expect(await ids('&app_name=openssl')).toEqual(['CVE-2021-3711']);
    expect(await ids('&handle_status=handled')).toEqual([]);
    await setFindingStates(w.fx.store.db, { projectId: 'proj-a', kind: 'vuln', state: 'ignored', fingerprints: [vulnFingerprint({ id: 'CVE-2021-3711', packageType: 'deb', packageName: 'openssl' })] });
    expect(await ids('&handle_status=handled')).toEqual(['CVE-2021-3711']);
    expect(await ids('&handle_status=unhandled')).toEqual(['GHSA-35jh-r3h4-6jhm', 'CVE-2018-25032']);
  });

  it('the SQL fingerprint equals vulnFingerprint for every stored finding', async () => {
    const rows = await sql<{ vuln_id: string; package_type: string; package_name: string; f: string }>`
      SELECT v.vuln_id, v.package_type, v.package_name, ${VULN_FINGERPRINT_SQL} AS f FROM vuln_findings v`.execute(w.fx.store.db);
    expect(rows.rows.length).toBeGreaterThan(3);
    for (const r of rows.rows) expect(r.f).toBe(vulnFingerprint({ id: r.vuln_id, packageType: r.package_type, packageName: r.package_name }));
  });

  it('names CI/CD images by id; requires the identity parameters; another tenant\'s image is a missing one', async () => {
    const cicd = await call('GET', `/v5/proj-a/image/${w.img.a3}/vulnerabilities?image_type=cicd&namespace=&image_name=ci-app&tag_name=7`);
    expect(cicd.body).toMatchObject({ total_num: 1, data_list: [{ vul_id: 'CVE-2021-3711' }] });
    expect((await call('GET', `/v5/proj-a/image/${w.img.a1}/vulnerabilities?image_type=harbor&image_name=web&tag_name=1.0`)).body).toEqual({
      error_code: 'HSS.0001',
      error_msg: 'invalid param error: namespace is required',
    });
    expect((await vulns('&repair_necessity=urgent')).status).toBe(400);
    expect((await vulns('&type=os_vul')).status).toBe(400);
    const foreign = await call('GET', `/v5/proj-b/image/${w.img.a3}/vulnerabilities?image_type=cicd&namespace=&image_name=ci-app&tag_name=7`, { token: w.tokens.b });
    expect(foreign.body).toEqual({ total_num: 0, data_list: [] });
  });
});

describe('GET /v5/{project_id}/image/build-command-risks/images', () => {
  const images = (q: string, token?: string, project = 'proj-a') => call('GET', `/v5/${project}/image/build-command-risks/images?${q}`, { token });

  it('answers the seed shape, newest scan first', async () => {
    const res = await images('image_type=registry&rule_id=BCR-001');
    expect(res.status).toBe(200);
    const item = (id: string, version: string, digest: string, size: number, at: number) => ({
      namespace: 'library',
      image_digest: digest,
      image_id: id,
      image_name: 'web',
      image_version: version,
      image_type: 'harbor',
      image_size: size,
      latest_scan_time: at,
      risk_detail_info: { risk_num: 1, risk_list: [{ build_instruction: '--', remediation: ROOT_REMEDIATION }] },
    });
    expect(res.body).toEqual({ total_num: 2, data_list: [item(w.img.a2, '2.0', D2, 2000, T2), item(w.img.a1, '1.0', D1, 1000, T1)] });
  });

  it('CI/CD images show the real manifest digest; image_id and rule_id narrow the list', async () => {
    expect((await images('image_type=cicd&rule_id=BCR-001')).body).toMatchObject({ total_num: 1, data_list: [{ image_id: w.img.a3, image_digest: D3_REAL, latest_scan_time: T3, image_type: 'cicd' }] });
    expect((await images('image_type=registry&rule_id=BCR-002')).body).toMatchObject({ total_num: 1, data_list: [{ image_id: w.img.a1, risk_detail_info: { risk_num: 1, risk_list: [{ build_instruction: 'USER app' }] } }] });
    expect((await images(`image_type=registry&rule_id=BCR-001&image_id=${w.img.a1}`)).body!.total_num).toBe(1);
    expect((await images('image_type=registry&rule_id=BCR-034')).body).toEqual({ total_num: 0, data_list: [] });
  });

  it.each([
    ['image_type missing', 'rule_id=BCR-001', 'image_type is required'],
    ['rule_id missing', 'image_type=registry', 'rule_id is required'],
    ['image_type outside the enum', 'image_type=harbor&rule_id=BCR-001', 'image_type must be one of: cicd, registry'],
    ['rule_id empty', 'image_type=registry&rule_id=', 'rule_id must NOT have fewer than 1 characters'],
    ['rule_id over 64', `image_type=registry&rule_id=${'r'.repeat(65)}`, 'rule_id must NOT have more than 64 characters'],
    ['image_id over 128', `image_type=registry&rule_id=BCR-001&image_id=${'i'.repeat(129)}`, 'image_id must NOT have more than 128 characters'],
    ['limit below 10', 'image_type=registry&rule_id=BCR-001&limit=9', 'limit must be >= 10'],
    ['offset above 2,000,000', 'image_type=registry&rule_id=BCR-001&offset=2000001', 'offset must be <= 2000000'],
  ])('400 naming the parameter: %s', async (_n, q, msg) => {
    expect((await images(q)).body).toEqual({ error_code: 'HSS.0001', error_msg: `invalid param error: ${msg}` });
  });

  it('tenancy: proj-b sees its own image only', async () => {
    // proj-b's image shares web:1.0's manifest: same findings, its own image only.
    expect((await images('image_type=registry&rule_id=BCR-001', w.tokens.b, 'proj-b')).body).toMatchObject({ total_num: 1, data_list: [{ image_id: w.img.b1 }] });
    expect((await images(`image_type=registry&rule_id=BCR-001&image_id=${w.img.a1}`, w.tokens.b, 'proj-b')).body).toEqual({ total_num: 0, data_list: [] });
    expect((await images('image_type=cicd&rule_id=BCR-001', w.tokens.b, 'proj-b')).body).toEqual({ total_num: 0, data_list: [] });
  });
});

describe('GET /v5/{project_id}/image/build-command-risks', () => {
  const list = (q: string) => call('GET', `/v5/proj-a/image/build-command-risks?${q}`);

  it('lists the rules firing on the images of the type, with image counts and descriptions', async () => {
    const res = await list('image_type=registry');
    expect(res.body).toEqual({
      total_num: 2,
      data_list: [
        {
          latest_scan_time: T2,
          image_num: 2,
          risk_id: 'BCR-001',
          rule_id: 'BCR-001',
          risk_name: 'Image runs as root',
          risk_level: 'high',
          description: "The final user (config.User) is empty, root, 0, or a name that resolves to UID 0 in the image's /etc/passwd, so container processes run as root.",
          image_type: 'registry',
        },
        expect.objectContaining({ rule_id: 'BCR-002', image_num: 1, latest_scan_time: T1, risk_level: 'low', risk_name: 'Non-numeric final USER' }),
      ],
    });
    expect((await list('image_type=registry&risk_name=Non-numeric')).body!.data_list!.map((d) => d.rule_id)).toEqual(['BCR-002']);
    expect((await list('image_type=registry&risk_level=high')).body!.data_list!.map((d) => d.rule_id)).toEqual(['BCR-001']);
    expect((await list(`image_type=registry&image_id=${w.img.a2}`)).body).toMatchObject({ total_num: 1, data_list: [{ rule_id: 'BCR-001', image_num: 1 }] });
    expect((await list('image_type=cicd')).body).toMatchObject({ total_num: 1, data_list: [{ rule_id: 'BCR-001', image_type: 'cicd', latest_scan_time: T3 }] });
    expect((await list('image_type=registry&risk_level=High')).status).toBe(400);
    expect((await list('image_type=registry&risk_name=')).status).toBe(400);
  });
});
