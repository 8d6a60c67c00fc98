/**
 * HSS baseline endpoints: ListImageRiskConfigs exactly as seed 002 (including its "outside the
 * range → empty result" rule for image_type, severity and standard), the check items of a
 * baseline, one item's detail with evidence, and tenancy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ruleById } from '../../src/detect/baseline/catalog.js';
import { client, hssWorld, type HssWorld } from './hss-fixtures.js';

let w: HssWorld;
let call: ReturnType<typeof client>;
beforeAll(async () => {
  w = await hssWorld();
  call = client(w);
});
afterAll(async () => w?.fx.close());

const CONFIGS = '/v5/proj-a/image/baseline/risk-configs';
const SYSTEM_ROW = {
  severity: 'Medium',
  check_name: 'Debian 10',
  check_type: 'system',
  standard: 'cn_standard',
  check_rule_num: 2,
  failed_rule_num: 1,
  check_type_desc: 'System configuration of Debian 10 images',
};
const SSH_ROW = {
  severity: 'Security',
  check_name: 'Debian 10',
  check_type: 'ssh',
  standard: 'hw_standard',
  check_rule_num: 1,
  failed_rule_num: 0,
  check_type_desc: 'OpenSSH server configuration of Debian 10 images',
};

describe('GET /v5/{project_id}/image/baseline/risk-configs', () => {
  it('answers the seed shape for one image named by namespace, name and version', async () => {
    const res = await call('GET', `${CONFIGS}?offset=0&limit=200&image_type=private_image&namespace=x&image_name=web&image_version=1.0`);
    // private_image selects private images: the harbor tags are not among them.
    expect(res.body).toEqual({ total_num: 0, data_list: [] });
    const harbor = await call('GET', `${CONFIGS}?image_type=harbor&image_name=web&image_version=1.0`);
    expect(harbor.status).toBe(200);
    expect(harbor.body).toEqual({ total_num: 2, data_list: [SSH_ROW, SYSTEM_ROW] });
    for (const row of harbor.body!.data_list!) {
      expect(typeof row.check_rule_num).toBe('number');
      expect(typeof row.failed_rule_num).toBe('number');
      expect(typeof row.check_type).toBe('string');
    }
  });

  it('image_id wins over name and version; cicd images by id; registry = every repository image', async () => {
    expect((await call('GET', `${CONFIGS}?image_type=harbor&image_id=${w.img.a2}&image_name=web&image_version=1.0`)).body).toEqual({
      total_num: 1,
      data_list: [{ ...SYSTEM_ROW, severity: 'Security', failed_rule_num: 0 }],
    });
    expect((await call('GET', `${CONFIGS}?image_type=cicd&image_id=${w.img.a3}`)).body).toEqual({ total_num: 0, data_list: [] });
    const registry = await call('GET', `${CONFIGS}?image_type=registry`);
    // web:2.0 (newest scan first) then web:1.0; the ep-2 image only with all_granted_eps.
    expect(registry.body).toEqual({ total_num: 3, data_list: [{ ...SYSTEM_ROW, severity: 'Security', failed_rule_num: 0 }, SSH_ROW, SYSTEM_ROW] });
    expect((await call('GET', `${CONFIGS}?image_type=registry&enterprise_project_id=all_granted_eps`)).body!.total_num).toBe(5);
  });

  it('image_name is a substring match; image_version counts only with image_name; namespace only for private and shared images', async () => {
    expect((await call('GET', `${CONFIGS}?image_type=harbor&image_name=we`)).body!.total_num).toBe(3);
    expect((await call('GET', `${CONFIGS}?image_type=harbor&image_version=1.0`)).body!.total_num).toBe(3);
    expect((await call('GET', `${CONFIGS}?image_type=harbor&namespace=nobody`)).body!.total_num).toBe(3);
  });

  it('filters by check_name, severity and standard', async () => {
    expect((await call('GET', `${CONFIGS}?image_type=harbor&check_name=Debian%2010&severity=Medium`)).body).toEqual({ total_num: 1, data_list: [SYSTEM_ROW] });
    expect((await call('GET', `${CONFIGS}?image_type=harbor&standard=hw_standard`)).body).toEqual({ total_num: 1, data_list: [SSH_ROW] });
    expect((await call('GET', `${CONFIGS}?image_type=harbor&check_name=CentOS%207`)).body).toEqual({ total_num: 0, data_list: [] });
  });

  it.each([
    ['image_type', 'image_type=swr'],
    ['severity', 'image_type=harbor&severity=medium'],
    ['standard', 'image_type=harbor&standard=qt_standard'],
  ])('a %s outside its range answers an empty result, as the contract says', async (_p, q) => {
    const res = await call('GET', `${CONFIGS}?${q}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ total_num: 0, data_list: [] });
  });

  it.each([
    ['image_type missing', '', 'image_type is required'],
    ['limit below 10', 'image_type=harbor&limit=9', 'limit must be >= 10'],
    ['limit above 200', 'image_type=harbor&limit=201', 'limit must be <= 200'],
    ['offset below 0', 'image_type=harbor&offset=-1', 'offset must be >= 0'],
    ['offset above 2,000,000', 'image_type=harbor&offset=2000001', 'offset must be <= 2000000'],
    ['image_id over 128 characters', `image_type=harbor&image_id=${'x'.repeat(129)}`, 'image_id must NOT have more than 128 characters'],
  ])('400 naming the parameter: %s', async (_n, q, msg) => {
    expect((await call('GET', `${CONFIGS}?${q}`)).body).toEqual({ error_code: 'HSS.0001', error_msg: `invalid param error: ${msg}` });
  });

  it('defaults: limit 10, offset 0', async () => {
    const res = await call('GET', `${CONFIGS}?image_type=registry&offset=2`);
    expect(res.body).toEqual({ total_num: 3, data_list: [SYSTEM_ROW] });
  });

  it('tenancy: proj-b sees its own image only; a foreign image id is an empty result', async () => {
    expect((await call('GET', `/v5/proj-b/image/baseline/risk-configs?image_type=harbor&image_id=${w.img.a1}`, { token: w.tokens.b })).body).toEqual({ total_num: 0, data_list: [] });
    expect((await call('GET', '/v5/proj-b/image/baseline/risk-configs?image_type=registry', { token: w.tokens.b })).body!.total_num).toBe(2);
  });
});

describe('GET /v5/{project_id}/image/baseline/risk-configs/{check_name}/rules', () => {
  const rules = (q: string, token?: string, project = 'proj-a') => call('GET', `/v5/${project}/image/baseline/risk-configs/Debian%2010/rules?${q}`, { token });

  it('lists one image\'s check items with their result', async () => {
    const res = await rules(`image_type=harbor&standard=cn_standard&image_id=${w.img.a1}`);
    expect(res.body).toEqual({
      total_num: 2,
      data_list: [
        { severity: 'Medium', check_name: 'Debian 10', check_type: 'system', standard: 'cn_standard', check_rule_name: 'Password maximum age', check_rule_id: 'SYS-01', scan_result: 'failed' },
        { severity: 'Low', check_name: 'Debian 10', check_type: 'system', standard: 'cn_standard', check_rule_name: 'Password minimum age', check_rule_id: 'SYS-02', scan_result: 'pass' },
      ],
    });
    expect((await rules(`image_type=harbor&standard=cn_standard&image_id=${w.img.a2}`)).body!.data_list!.map((r) => r.scan_result)).toEqual(['pass', 'pass']);
  });

  it('without an image: an item fails when it fails on any selected image; filters by result, name and severity', async () => {
    expect((await rules('image_type=harbor&standard=cn_standard&result_type=failed')).body).toMatchObject({ total_num: 1, data_list: [{ check_rule_id: 'SYS-01' }] });
    expect((await rules('image_type=harbor&standard=cn_standard&result_type=pass')).body).toMatchObject({ total_num: 1, data_list: [{ check_rule_id: 'SYS-02' }] });
    expect((await rules('image_type=harbor&standard=cn_standard&check_rule_name=minimum')).body).toMatchObject({ total_num: 1, data_list: [{ check_rule_id: 'SYS-02' }] });
    expect((await rules('image_type=harbor&standard=cn_standard&severity=Medium')).body).toMatchObject({ total_num: 1, data_list: [{ check_rule_id: 'SYS-01' }] });
    expect((await rules('image_type=harbor&standard=hw_standard')).body).toMatchObject({ total_num: 1, data_list: [{ check_rule_id: 'SSH-01', check_type: 'ssh', severity: 'High' }] });
  });

  it('requires image_type and standard, validates enums, and shows nothing of another tenant', async () => {
    expect((await rules('standard=cn_standard')).body).toEqual({ error_code: 'HSS.0001', error_msg: 'invalid param error: image_type is required' });
    expect((await rules('image_type=harbor')).body).toEqual({ error_code: 'HSS.0001', error_msg: 'invalid param error: standard is required' });
    expect((await rules('image_type=harbor&standard=cn_standard&result_type=passed')).status).toBe(400);
    expect((await rules('image_type=harbor&standard=cn_standard&severity=high')).status).toBe(400);
    expect((await rules(`image_type=harbor&standard=cn_standard&image_id=${w.img.a1}`, w.tokens.b, 'proj-b')).body).toEqual({ total_num: 0, data_list: [] });
  });
});

describe('GET /v5/{project_id}/image/baseline/check-rule/detail', () => {
  const detail = (q: string, token?: string, project = 'proj-a') => call('GET', `/v5/${project}/image/baseline/check-rule/detail?${q}`, { token });
  const base = 'image_type=harbor&check_name=Debian%2010&check_type=system&standard=cn_standard';

  it('answers the catalog text and the image\'s evidence', async () => {
    const rule = ruleById('SYS-01')!;
    const res = await detail(`${base}&check_rule_id=SYS-01&image_id=${w.img.a1}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      description: rule.description,
      reference: 'GB/T 22239-2019 (MLPS 2.0 level 3) 8.1.4.1a; openEuler security configuration benchmark oE 2.2.7; CIS C7/U16 5.4.1.1; SCAP Security Guide accounts_maximum_age_login_defs',
      audit: rule.audit,
      remediation: rule.remediation,
      check_info_list: [{ check_description: '/etc/login.defs:25', current_value: 'PASS_MAX_DAYS 99999', suggest_value: 'PASS_MAX_DAYS 90' }],
    });
    // Passed on web:2.0: no evidence stored.
    expect((await detail(`${base}&check_rule_id=SYS-01&image_id=${w.img.a2}`)).body!.check_info_list).toEqual([]);
  });

  it('404 for an unknown rule, a rule of another type, or an image the caller cannot see', async () => {
    expect((await detail(`${base}&check_rule_id=SYS-999`)).status).toBe(404);
    expect((await detail(`${base.replace('system', 'ssh')}&check_rule_id=SYS-01`)).status).toBe(404);
    const foreign = await detail(`${base}&check_rule_id=SYS-01&image_id=${w.img.a1}`, w.tokens.b, 'proj-b');
    const missing = await detail(`${base}&check_rule_id=SYS-01&image_id=nope`);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(missing.body);
    expect((await detail('image_type=harbor&check_name=Debian%2010&check_type=system&standard=cn_standard')).body).toEqual({
      error_code: 'HSS.0001',
      error_msg: 'invalid param error: check_rule_id is required',
    });
  });
});
