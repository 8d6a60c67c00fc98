/**
 * Tenancy matrix over every HSS container-image endpoint: proj-b's credential naming proj-a's
 * images, registries, findings and tasks gets exactly the answer a nonexistent one gets (proj-b
 * even shares one of proj-a's manifests); no credential is a 401, proj-b's credential on proj-a's
 * path a 403, and a credential limited to enterprise project 0 never sees ep-2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, fp, hssWorld, NPM_TOKEN, SSH_KEY, type HssWorld } from './hss-fixtures.js';

let w: HssWorld;
let call: ReturnType<typeof client>;
let taskA: string;
beforeAll(async () => {
  w = await hssWorld();
  call = client(w);
  await call('POST', '/v5/proj-a/image/batch-scan', { body: { image_type: 'harbor', image_info_list: [{ namespace: 'library', image_name: 'web', image_version: '2.0' }] } });
  taskA = String((await call('GET', '/v5/proj-a/image/tasks?type=image_scan')).body!.data_list![0]!.task_id);
});
afterAll(async () => w?.fx.close());

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
interface Probe {
  name: string;
  method: Method;
  /** Path and query under /v5/{project}, naming proj-a's resource. */
  foreign: () => string;
  /** The same request naming a resource that does not exist. */
  missing: () => string;
  body?: (id: string) => unknown;
}

const NONE = '00000000-0000-4000-8000-000000000000';
const PROBES: Probe[] = [
  { name: 'sensitive of an image', method: 'GET', foreign: () => `/image/${w.img.a3}/sensitive?image_type=cicd`, missing: () => `/image/${NONE}/sensitive?image_type=cicd` },
  { name: 'sensitive by name', method: 'GET', foreign: () => '/image/x/sensitive?image_type=harbor&namespace=library&image_name=web&image_version=2.0', missing: () => '/image/x/sensitive?image_type=harbor&namespace=library&image_name=nope&image_version=2.0' },
  { name: 'global sensitive', method: 'GET', foreign: () => '/image/sensitive-information?image_type=cicd', missing: () => '/image/sensitive-information?image_type=cicd&file_path=/nope' },
  {
    name: 'operate',
    method: 'POST',
    foreign: () => '/image/sensitive/operate?image_type=cicd',
    missing: () => '/image/sensitive/operate?image_type=cicd#missing',
    body: (which) => ({ sensitive_info_id: which === 'missing' ? 'f'.repeat(32) : fp(NPM_TOKEN), operate_type: 'ignore' }),
  },
  { name: 'risk-configs', method: 'GET', foreign: () => `/image/baseline/risk-configs?image_type=harbor&image_id=${w.img.a2}`, missing: () => `/image/baseline/risk-configs?image_type=harbor&image_id=${NONE}` },
  { name: 'risk-config rules', method: 'GET', foreign: () => `/image/baseline/risk-configs/Debian%2010/rules?image_type=harbor&standard=cn_standard&image_id=${w.img.a2}`, missing: () => `/image/baseline/risk-configs/Debian%2010/rules?image_type=harbor&standard=cn_standard&image_id=${NONE}` },
  {
    name: 'check-rule detail',
    method: 'GET',
    foreign: () => `/image/baseline/check-rule/detail?image_type=harbor&check_name=Debian%2010&check_type=system&check_rule_id=SYS-01&standard=cn_standard&image_id=${w.img.a2}`,
    missing: () => `/image/baseline/check-rule/detail?image_type=harbor&check_name=Debian%2010&check_type=system&check_rule_id=SYS-01&standard=cn_standard&image_id=${NONE}`,
  },
  { name: 'vulnerability images', method: 'GET', foreign: () => `/image/CVE-2021-3711/images?image_id=${w.img.a3}`, missing: () => `/image/CVE-2021-3711/images?image_id=${NONE}` },
  { name: 'image vulnerabilities', method: 'GET', foreign: () => `/image/${w.img.a3}/vulnerabilities?image_type=cicd&namespace=&image_name=ci-app&tag_name=7`, missing: () => `/image/${NONE}/vulnerabilities?image_type=cicd&namespace=&image_name=ci-app&tag_name=7` },
  { name: 'build-rule images', method: 'GET', foreign: () => '/image/build-command-risks/images?image_type=cicd&rule_id=BCR-001', missing: () => '/image/build-command-risks/images?image_type=cicd&rule_id=BCR-034' },
  { name: 'build rules', method: 'GET', foreign: () => `/image/build-command-risks?image_type=registry&image_id=${w.img.a2}`, missing: () => `/image/build-command-risks?image_type=registry&image_id=${NONE}` },
  { name: 'registries', method: 'GET', foreign: () => `/image/registries?registry_id=${w.registries.r1}`, missing: () => `/image/registries?registry_id=${NONE}` },
  { name: 'update registry', method: 'PUT', foreign: () => `/image/registries/${w.registries.r1}`, missing: () => `/image/registries/${NONE}`, body: () => ({ protocol: 'http' }) },
  { name: 'delete registry', method: 'DELETE', foreign: () => `/image/registries/${w.registries.r1}`, missing: () => `/image/registries/${NONE}` },
  { name: 'registry images', method: 'GET', foreign: () => '/image/registries/images?image_name=unscanned', missing: () => '/image/registries/images?image_name=nope' },
  {
    name: 'batch-scan',
    method: 'POST',
    foreign: () => '/image/batch-scan',
    missing: () => '/image/batch-scan#missing',
    body: (which) => ({ image_type: 'harbor', image_info_list: [{ namespace: 'library', image_name: which === 'missing' ? 'nope' : 'unscanned', image_version: '1' }] }),
  },
  { name: 'tasks', method: 'GET', foreign: () => `/image/tasks?type=image_scan&task_id=${taskA}`, missing: () => `/image/tasks?type=image_scan&task_id=${NONE}` },
];

/** Error bodies carry no request-specific text here; compare them whole. */
const strip = (r: Awaited<ReturnType<ReturnType<typeof client>>>) => ({ status: r.status, body: r.body });

describe('HSS tenancy matrix', () => {
  it.each(PROBES.map((p) => [p.name, p] as const))('%s: another project\'s resource answers as a missing one', async (_n, p) => {
    const req = (path: string, which: string) => call(p.method, `/v5/proj-b${path.split('#')[0]}`, { token: w.tokens.b, ...(p.body ? { body: p.body(which) } : {}) });
    const foreign = await req(p.foreign(), 'foreign');
    const missing = await req(p.missing(), 'missing');
    expect(strip(foreign)).toEqual(strip(missing));
    expect(foreign.status === 200 || foreign.status === 404).toBe(true);
    if (foreign.status === 200 && foreign.body && 'total_num' in foreign.body) expect(foreign.body.total_num).toBe(0);
    // The owner does see it (the probe names something real).
    const own = await call(p.method === 'DELETE' || p.method === 'PUT' ? 'GET' : p.method, `/v5/proj-a${p.method === 'DELETE' || p.method === 'PUT' ? `/image/registries?registry_id=${w.registries.r1}` : p.foreign().split('#')[0]}`, p.body && p.method === 'POST' ? { body: p.body('foreign') } : {});
    expect(own.status).toBe(200);
    if (own.body && 'total_num' in own.body) expect(own.body.total_num).toBeGreaterThan(0);
  });

  it.each(PROBES.map((p) => [p.name, p] as const))('%s: no credential is a 401, proj-b on proj-a\'s path a 403', async (_n, p) => {
    const anon = await call(p.method, `/v5/proj-a${p.foreign().split('#')[0]}`, { token: null, ...(p.body ? { body: p.body('foreign') } : {}) });
    expect(anon.status).toBe(401);
    expect(Object.keys(anon.body!).sort()).toEqual(['error_code', 'error_msg']);
    const cross = await call(p.method, `/v5/proj-a${p.foreign().split('#')[0]}`, { token: w.tokens.b, ...(p.body ? { body: p.body('foreign') } : {}) });
    expect(cross.status).toBe(403);
  });

  it('a credential limited to enterprise project 0 never sees ep-2, even with all_granted_eps', async () => {
    const as0 = (url: string) => call('GET', url, { token: w.tokens.a0 });
    expect((await as0(`/v5/proj-a/image/${w.img.e1}/sensitive?image_type=harbor&enterprise_project_id=all_granted_eps`)).body).toEqual({ total_num: 0, data_list: [] });
    expect((await as0('/v5/proj-a/image/registries?enterprise_project_id=all_granted_eps')).body!.data_list!.map((r) => r.registry_name)).toEqual(['harbor-1']);
    expect((await as0('/v5/proj-a/image/registries/images?enterprise_project_id=all_granted_eps&namespace=team')).body).toEqual({ total_num: 0, data_list: [] });
    expect((await as0(`/v5/proj-a/image/CVE-2021-3711/images?enterprise_project_id=all_granted_eps&image_id=${w.img.e1}`)).body).toEqual({ total_num: 0, data_list: [] });
    expect((await as0('/v5/proj-a/image/registries?enterprise_project_id=ep-2')).status).toBe(403);
    // The unrestricted credential sees ep-2 when it asks.
    expect((await call('GET', `/v5/proj-a/image/${w.img.e1}/sensitive?image_type=harbor&enterprise_project_id=ep-2`)).body!.data_list!.map((d) => d.sensitive_info_id)).toContain(fp(SSH_KEY));
  });
});
