/**
 * Property-based fuzzing of every HSS container-image endpoint: parameters inside, at and outside
 * the documented ranges, misspelt enums, NUL and non-ASCII text, odd path segments and JSON
 * bodies of any shape. The answer is never a 5xx; an error is always the HSS shape; a list is
 * always `total_num` + `data_list` within the page size.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hssWorld, type HssWorld } from './hss-fixtures.js';

let w: HssWorld;
beforeAll(async () => {
  w = await hssWorld();
});
afterAll(async () => w?.fx.close());

/** Percent-encodes UTF-8 bytes (lone surrogates become U+FFFD, as a client would send them). */
function enc(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const ENUMS = [
  'private_image', 'shared_image', 'instance_image', 'cicd', 'harbor', 'jfrog', 'registry', 'local', 'local_image', 'Harbor', 'Jfrog', 'Other',
  'critical', 'high', 'medium', 'low', 'High', 'Security', 'Critical', 'unhandled', 'handled', 'ignore', 'do_not_ignore', 'cn_standard', 'hw_standard',
  'pass', 'failed', 'immediate_repair', 'delay_repair', 'not_needed_repair', 'linux_vul', 'app_vul', 'image_scan', 'image_sync', 'manual', 'manualSync',
  'scanning', 'finished', 'unscan', 'success', 'latest_scan_time', 'asc', 'desc', 'http', 'https', 'V1', 'V2', 'all_granted_eps', 'ep-2', 'BCR-001', 'SYS-01',
  'Debian 10', 'system', 'ssh', 'CVE-2021-3711', 'DSA-4963-1', 'library', 'web', '1.0',
];
const EDGES = ['', '0', '1', '9', '10', '200', '201', '-1', '2000000', '2000001', '99999999999999999999', '1e3', '1.5', 'NaN', 'true', 'false', 'null', '[]', '{}', '%', '\u0000', 'a\u0000b', '中文', '\u202e', '../..', '/', "'; DROP TABLE images; --", '*', '?', '_', '\\'];

const value = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ENUMS, ...EDGES) },
  { weight: 2, arbitrary: fc.integer({ min: -5, max: 2_100_000 }).map(String) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 70_000 }).map((n) => 'x'.repeat(n % 4 === 0 ? n : n % 300)) },
);

interface Endpoint {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path under /v5/proj-a with `{}` for a generated segment. */
  path: string;
  params: string[];
  list?: 'hss';
  body?: string[];
}

const PAGE = ['limit', 'offset'];
const ENDPOINTS: Endpoint[] = [
  { method: 'GET', path: '/image/{}/sensitive', params: [...PAGE, 'image_type', 'namespace', 'image_name', 'image_version', 'file_path', 'severity', 'handle_status'], list: 'hss' },
  { method: 'GET', path: '/image/baseline/risk-configs', params: [...PAGE, 'image_type', 'namespace', 'image_name', 'image_version', 'image_id', 'check_name', 'severity', 'standard', 'instance_id'], list: 'hss' },
  { method: 'GET', path: '/image/{}/images', params: [...PAGE, 'namespace', 'image_name', 'image_id', 'app_name'], list: 'hss' },
  { method: 'GET', path: '/image/build-command-risks/images', params: [...PAGE, 'image_type', 'rule_id', 'image_id'], list: 'hss' },
  { method: 'GET', path: '/image/sensitive-information', params: [...PAGE, 'image_type', 'file_path', 'severity', 'handle_status'], list: 'hss' },
  { method: 'POST', path: '/image/sensitive/operate', params: ['image_type'], body: ['sensitive_info_id', 'operate_type'] },
  { method: 'GET', path: '/image/sensitive/filepath-whitelist', params: ['file_path'] },
  { method: 'GET', path: '/image/sensitive/filepath_whitelist', params: ['file_path'] },
  { method: 'POST', path: '/image/sensitive/filepath-whitelist', params: [], body: ['customized_path'] },
  { method: 'POST', path: '/image/sensitive/filepath_whitelist', params: [], body: ['customized_path'] },
  { method: 'GET', path: '/image/baseline/risk-configs/{}/rules', params: [...PAGE, 'image_type', 'standard', 'image_id', 'image_name', 'result_type', 'check_rule_name', 'severity'], list: 'hss' },
  { method: 'GET', path: '/image/baseline/check-rule/detail', params: ['image_type', 'check_name', 'check_type', 'check_rule_id', 'standard', 'image_id', 'image_name', 'image_version'] },
  { method: 'GET', path: '/image/build-command-risks', params: [...PAGE, 'image_type', 'image_id', 'risk_name', 'risk_level'], list: 'hss' },
  { method: 'GET', path: '/image/{}/vulnerabilities', params: [...PAGE, 'image_type', 'namespace', 'image_name', 'tag_name', 'repair_necessity', 'vul_id', 'app_name', 'type', 'handle_status'], list: 'hss' },
  { method: 'GET', path: '/image/registries', params: [...PAGE, 'registry_name', 'registry_id', 'registry_type', 'registry_addr', 'status'], list: 'hss' },
  { method: 'POST', path: '/image/registries', params: [], body: ['registry_name', 'registry_type', 'api_version', 'protocol', 'registry_addr', 'registry_username', 'registry_password', 'namespace'] },
  { method: 'PUT', path: '/image/registries/{}', params: [], body: ['protocol', 'registry_addr', 'registry_username', 'registry_password', 'namespace', 'api_version'] },
  { method: 'DELETE', path: '/image/registries/{}', params: [] },
  { method: 'POST', path: '/image/synchronize', params: [], body: ['image_type'] },
  {
    method: 'GET',
    path: '/image/registries/images',
    params: [...PAGE, 'image_type', 'scan_status', 'namespace', 'image_name', 'image_version', 'registry_name', 'has_vul', 'risky', 'severity_level', 'sort_key', 'sort_dir', 'start_latest_scan_time', 'end_latest_scan_time'],
    list: 'hss',
  },
  { method: 'POST', path: '/image/batch-scan', params: [], body: ['image_type', 'image_info_list', 'operate_all', 'image_name', 'scan_status'] },
  { method: 'GET', path: '/image/tasks', params: [...PAGE, 'type', 'task_type', 'task_name', 'task_id', 'task_status', 'global_image_type'], list: 'hss' },
];

/** A JSON body made of the endpoint's fields (some missing, some of the wrong type) and strays. */
function bodyOf(fields: string[]) {
  const field = fc.oneof(
    value,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(value, { maxLength: 4 }),
    fc.array(fc.record({ namespace: value, image_name: value, image_version: value }, { requiredKeys: [] }), { maxLength: 3 }),
  );
  return fc.oneof(
    { weight: 5, arbitrary: fc.dictionary(fc.constantFrom(...fields, '__proto__', 'constructor', 'extra'), field, { maxKeys: fields.length + 1 }).map((o) => JSON.stringify(o)) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.constantFrom('', '{', 'null', '[]', '"x"') },
  );
}

/** Path segments of many shapes, up to 512 characters (a 600-character vul_id is tested below). */
const segment = () => fc.oneof(fc.constantFrom('', 'x', 'CVE-2021-3711', 'Debian%2010', '..', '%2F', 'a'.repeat(129), 'a'.repeat(512)), value.map(enc).filter((s) => s.length <= 512));

function request(ep: Endpoint) {
  const query = fc.array(fc.tuple(fc.constantFrom(...ep.params, 'enterprise_project_id', 'stray'), value), { maxLength: 6 });
  return fc.record({
    seg: segment(),
    query,
    body: ep.body ? bodyOf(ep.body) : fc.constant(undefined),
  });
}

describe('HSS fuzzing: never a 5xx, always the HSS shape', () => {
  it.each(ENDPOINTS.map((e) => [`${e.method} ${e.path}`, e] as const))('%s', async (_name, ep) => {
    await fc.assert(
      fc.asyncProperty(request(ep), async ({ seg, query, body }) => {
        const qs = query.map(([k, v]) => `${k}=${enc(v)}`).join('&');
        const url = `/v5/proj-a${ep.path.replace('{}', seg)}${qs ? `?${qs}` : ''}`;
        const res = await w.fx.app.inject({
          method: ep.method,
          url,
          headers: { 'x-auth-token': w.tokens.a, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          ...(body !== undefined ? { payload: body } : {}),
        });
        const what = `${ep.method} ${url.slice(0, 200)} ${(body ?? '').slice(0, 200)} → ${res.body.slice(0, 200)}`;
        expect(res.statusCode, what).toBeLessThan(500);
        expect(res.headers['x-request-id'], what).toBeTruthy();
        if (res.statusCode >= 400) {
          const err = res.json() as Record<string, unknown>;
          expect(Object.keys(err).sort(), what).toEqual(['error_code', 'error_msg']);
          expect(String(err.error_code)).toMatch(/^(HSS|APIG)\.\d{4}$/);
          return;
        }
        if (ep.list === 'hss') {
          const page = res.json() as { total_num: number; data_list: unknown[] };
          expect(Number.isInteger(page.total_num) && page.total_num >= 0).toBe(true);
          expect(Array.isArray(page.data_list)).toBe(true);
          expect(page.data_list.length).toBeLessThanOrEqual(200);
          expect(page.data_list.length).toBeLessThanOrEqual(page.total_num);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('path parameters longer than the router allows', () => {
  // Seed 003 allows a vul_id of up to 65,535 characters: the router lets such ids through to
  // validation instead of answering Fastify's own 414.
  it('a 600-character vul_id answers in the HSS shape with a request id', async () => {
    const res = await w.fx.app.inject({ method: 'GET', url: `/v5/proj-a/image/${'a'.repeat(600)}/images`, headers: { 'x-auth-token': w.tokens.a } });
    expect(res.headers['x-request-id']).toBeTruthy();
    expect(Object.keys(res.json() as object).sort()).toEqual(res.statusCode === 200 ? ['data_list', 'total_num'] : ['error_code', 'error_msg']);
  });
});

describe('enterprise_project_id', () => {
  // A request each endpoint accepts, to which the bad parameter is added (validation reports one error).
  const ACCEPTED: Array<[method: Endpoint['method'], path: string, body?: unknown]> = [
    ['GET', '/image/x/sensitive?image_type=harbor'],
    ['GET', '/image/baseline/risk-configs?image_type=registry'],
    ['GET', '/image/CVE-2021-3711/images?x=1'],
    ['GET', '/image/build-command-risks/images?image_type=registry&rule_id=BCR-001'],
    ['GET', '/image/sensitive-information?image_type=registry'],
    ['POST', '/image/sensitive/operate?image_type=harbor', { sensitive_info_id: 'x' }],
    ['GET', '/image/sensitive/filepath-whitelist?x=1'],
    ['POST', '/image/sensitive/filepath_whitelist?x=1', { customized_path: [] }],
    ['GET', '/image/baseline/risk-configs/Debian%2010/rules?image_type=registry&standard=hw_standard'],
    ['GET', '/image/baseline/check-rule/detail?image_type=registry&check_name=Debian%2010&check_type=system&check_rule_id=SYS-01&standard=hw_standard'],
    ['GET', '/image/build-command-risks?image_type=registry'],
    ['GET', '/image/x/vulnerabilities?image_type=harbor&namespace=n&image_name=a&tag_name=1'],
    ['GET', '/image/registries?x=1'],
    ['PUT', '/image/registries/x?x=1', {}],
    ['DELETE', '/image/registries/x?x=1'],
    ['POST', '/image/synchronize?x=1', { image_type: 'registry' }],
    ['GET', '/image/registries/images?x=1'],
    ['POST', '/image/batch-scan?x=1', { image_type: 'harbor', operate_all: true }],
    ['GET', '/image/tasks?type=image_scan'],
  ];

  it('holding a control character or NUL is a 400 naming it, on every endpoint', async () => {
    for (const [method, path, body] of ACCEPTED) {
      for (const bad of ['a%01b', 'a%00b', '%1F']) {
        const res = await w.fx.app.inject({
          method,
          url: `/v5/proj-a${path}&enterprise_project_id=${bad}`,
          headers: { 'x-auth-token': w.tokens.a, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
        });
        const what = `${method} ${path} enterprise_project_id=${bad} → ${res.body}`;
        expect(res.statusCode, what).toBe(400);
        expect(res.json(), what).toMatchObject({ error_code: 'HSS.0001', error_msg: expect.stringContaining('enterprise_project_id') });
      }
    }
  });
});
