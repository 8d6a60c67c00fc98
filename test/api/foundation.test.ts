import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, renderAlibabaError, renderHssError, toApiError } from '../../src/api/errors.js';
import { TarsierError } from '../../src/errors.js';
import { upsertImage } from '../../src/store/images-repo.js';
import { createToken, ensureProject } from '../../src/store/projects-repo.js';
import { apiFixture, type ApiFixture } from '../helpers/api-foundation.js';
import { demoModule } from './demo-module.js';

let fx: ApiFixture;
let token: string;
let imageId: string;

beforeAll(async () => {
  fx = await apiFixture({ modules: [demoModule] });
  await ensureProject(fx.store, 'proj-a');
  token = (await createToken(fx.store, { projectId: 'proj-a' })).token;
  imageId = await upsertImage(fx.store, { projectId: 'proj-a', imageType: 'harbor', namespace: 'lib', imageName: 'app', imageVersion: '1', reference: 'r/lib/app:1' });
});
afterAll(async () => fx?.close());

const hss = (url: string, extra: { method?: 'GET' | 'POST'; payload?: string | object; headers?: Record<string, string> } = {}) =>
  fx.app.inject({ method: extra.method ?? 'GET', url, payload: extra.payload, headers: { 'x-auth-token': token, ...extra.headers } });
const ali = (query: string, extra: { method?: 'GET' | 'POST'; payload?: string; headers?: Record<string, string> } = {}) =>
  fx.app.inject({ method: extra.method ?? 'GET', url: `/?${query}`, payload: extra.payload, headers: { 'x-auth-token': token, ...extra.headers } });
const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

describe('HSS surface', () => {
  it('answers a valid request with defaults applied and an X-Request-Id', async () => {
    const res = await hss(`/v5/proj-a/demo/images/${imageId}?image_type=harbor`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-request-id']).toMatch(REQUEST_ID);
    expect(res.json()).toEqual({ total_num: 1, data_list: [{ image_id: imageId, image_name: 'app', enterprise_project_id: '0' }], limit: 10 });
    expect((await hss(`/v5/proj-a/demo/images/${imageId}?image_type=harbor&limit=200`)).json().limit).toBe(200);
  });

  it.each([
    ['image_type missing', '', 'HSS.0001', 'image_type is required'],
    ['limit below range', '&image_type=harbor&limit=5', 'HSS.0001', 'limit must be >= 10'],
    ['limit above range', '&image_type=harbor&limit=201', 'HSS.0001', 'limit must be <= 200'],
    ['limit not a number', '&image_type=harbor&limit=ten', 'HSS.0001', 'limit must be integer'],
    ['offset negative', '&image_type=harbor&offset=-1', 'HSS.0001', 'offset must be >= 0'],
    ['enum misspelt', '&image_type=Harbor', 'HSS.0001', 'image_type must be one of: private_image, shared_image, instance_image, cicd, harbor'],
    ['enterprise_project_id empty', '&image_type=harbor&enterprise_project_id=', 'HSS.0001', 'enterprise_project_id must NOT have fewer than 1 characters'],
  ])('400 naming the parameter: %s', async (_name, query, code, detail) => {
    const res = await hss(`/v5/proj-a/demo/images/${imageId}?x=1${query}`);
    expect(res.statusCode).toBe(400);
    expect(res.headers['x-request-id']).toMatch(REQUEST_ID);
    expect(res.json()).toEqual({ error_code: code, error_msg: `invalid param error: ${detail}` });
  });

  it('validates path parameters and bodies, naming the field', async () => {
    const long = 'x'.repeat(129);
    expect((await hss(`/v5/proj-a/demo/images/${long}?image_type=harbor`)).json()).toEqual({ error_code: 'HSS.0001', error_msg: 'invalid param error: image_id must NOT have more than 128 characters' });
    const wrongItem = await hss('/v5/proj-a/demo/echo', { method: 'POST', payload: { names: ['a', 7] } });
    expect(wrongItem.statusCode).toBe(400);
    expect(wrongItem.json().error_msg).toBe('invalid param error: names[1] must be string');
    const missing = await hss('/v5/proj-a/demo/echo', { method: 'POST', payload: {} });
    expect(missing.json()).toEqual({ error_code: 'HSS.0001', error_msg: 'invalid param error: names is required' });
    const badJson = await hss('/v5/proj-a/demo/echo', { method: 'POST', payload: '{"names": [', headers: { 'content-type': 'application/json' } });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json()).toEqual({ error_code: 'HSS.0001', error_msg: 'invalid param error: the request body is not valid JSON' });
    const text = await hss('/v5/proj-a/demo/echo', { method: 'POST', payload: 'names=a', headers: { 'content-type': 'text/plain' } });
    expect(text.statusCode).toBe(400);
    expect(text.json().error_code).toBe('HSS.0001');
    const ok = await hss('/v5/proj-a/demo/echo', { method: 'POST', payload: { names: ['a', 'b'], __proto__: { polluted: true } } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ names: ['a', 'b'], note: null });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers a mutation with an empty 200', async () => {
    const res = await hss('/v5/proj-a/demo/operate', { method: 'POST' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('');
    expect(res.headers['x-request-id']).toMatch(REQUEST_ID);
  });

  it('answers unknown APIs with 404 APIG.0101 in the HSS shape', async () => {
    for (const url of ['/v5/proj-a/image/nothing-here', '/v5/proj-a', '/nope']) {
      const res = await fx.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(404);
      expect(res.headers['x-request-id']).toMatch(REQUEST_ID);
      expect(res.json().error_code).toBe('APIG.0101');
      expect(Object.keys(res.json()).sort()).toEqual(['error_code', 'error_msg']);
    }
    expect((await fx.app.inject({ method: 'DELETE', url: `/v5/proj-a/demo/images/${imageId}` })).json().error_code).toBe('APIG.0101');
  });

  it('turns handler bugs and failing queries into a 500 that reveals nothing', async () => {
    for (const path of ['/v5/proj-a/demo/bug', '/v5/proj-a/demo/slow-sql']) {
      const res = await hss(path);
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error_code: 'HSS.0500', error_msg: 'internal error: the request could not be processed' });
      expect(res.body).not.toMatch(/secret|db\.ts|no_such_table|at /);
      expect(res.headers['x-request-id']).toMatch(REQUEST_ID);
    }
  });

  it('refuses bodies over the limit in the surface shape', async () => {
    const res = await hss('/v5/proj-a/demo/echo', { method: 'POST', payload: JSON.stringify({ names: ['x'.repeat(2 * 1024 * 1024)] }), headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(413);
    expect(res.json().error_code).toBe('APIG.0201');
  });
});

describe('Alibaba RPC surface', () => {
  const V = 'Version=2018-12-03';

  it('dispatches on Action with RequestId in the body, decoding JSON-string arrays and coercing numbers', async () => {
    const res = await ali(`Action=DescribeDemoImages&${V}&PageSize=50&ScanRange=${encodeURIComponent('["image","container"]')}&Lang=en`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.RequestId).toBe(res.headers['x-request-id']);
    expect(body).toMatchObject({ Images: [imageId], PageSize: 50, CurrentPage: 1, ScanRange: ['image', 'container'], Lang: 'en' });
  });

  it('takes parameters from a form body (POST) and flattened lists', async () => {
    const res = await ali(`Action=DescribeDemoImages&${V}`, { method: 'POST', payload: 'ScanRange.1=image&ScanRange.2=agentless&PageSize=7', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ PageSize: 7, ScanRange: ['image', 'agentless'] });
    const items = await ali(`Action=DescribeDemoRequired&${V}&SensitiveFileKey=pem&Items.1.Name=a&Items.2.Name=b`);
    expect(items.json()).toMatchObject({ Key: 'pem', Items: [{ Name: 'a' }, { Name: 'b' }] });
  });

  it.each([
    ['no Action', V, 400, 'MissingParameter', 'The input parameter "Action" that is mandatory for processing this request is not supplied.'],
    ['unknown Action', `Action=DescribeNothing&${V}`, 404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.'],
    ['no Version', 'Action=DescribeDemoImages', 400, 'MissingParameter', 'The input parameter "Version" that is mandatory for processing this request is not supplied.'],
    ['another Version', 'Action=DescribeDemoImages&Version=2017-01-01', 400, 'InvalidVersion', 'Specified parameter Version is not valid (this service speaks 2018-12-03).'],
    ['required param missing', `Action=DescribeDemoRequired&${V}`, 400, 'MissingParameter', 'The input parameter "SensitiveFileKey" that is mandatory for processing this request is not supplied.'],
    ['PageSize out of range', `Action=DescribeDemoImages&${V}&PageSize=0`, 400, 'InvalidParameter', 'The specified parameter "PageSize" is not valid: must be >= 1.'],
    ['PageSize not a number', `Action=DescribeDemoImages&${V}&PageSize=big`, 400, 'InvalidParameter', 'The specified parameter "PageSize" is not valid: must be integer.'],
    ['array not JSON', `Action=DescribeDemoImages&${V}&ScanRange=image`, 400, 'InvalidParameter', 'The specified parameter "ScanRange" is not valid: it must be a JSON-encoded array.'],
    ['array item not allowed', `Action=DescribeDemoImages&${V}&ScanRange=${encodeURIComponent('["host"]')}`, 400, 'InvalidParameter', 'The specified parameter "ScanRange[0]" is not valid: must be one of: image, container, agentless.'],
    ['Lang misspelt', `Action=DescribeDemoImages&${V}&Lang=EN`, 400, 'InvalidParameter', 'The specified parameter "Lang" is not valid: must be one of: zh, en.'],
    ['bad percent-encoding', `Action=DescribeDemoImages&${V}&ImageUuid=%E0%A4%A`, 400, 'InvalidParameter', 'The query string is not valid percent-encoding.'],
  ])('error in the Alibaba shape: %s', async (_name, query, status, code, message) => {
    const res = await ali(query);
    expect(res.statusCode).toBe(status);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['Code', 'HostId', 'Message', 'Recommend', 'RequestId']);
    expect(body).toMatchObject({ Code: code, Message: message, RequestId: res.headers['x-request-id'] });
  });

  it('turns handler bugs into ServerError (seed 001) without internals', async () => {
    const res = await ali(`Action=DemoBug&${V}`);
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ Code: 'ServerError', RequestId: res.headers['x-request-id'] });
    expect(res.body).not.toMatch(/secret|db\.ts/);
  });

  it('sends a person opening the root to the docs', async () => {
    const res = await fx.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/docs');
  });
});

describe('OpenAPI document and docs', () => {
  it('publishes both surfaces from the validating schemas as a well-formed OpenAPI 3.0 document', async () => {
    const res = await fx.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.0.3');
    expect(doc.info.title).toBe('Tarsier');
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['AlibabaSignature', 'SdkHmacSha256', 'XAuthToken']);
    const op = doc.paths['/v5/{project_id}/demo/images/{image_id}'].get;
    expect(op.operationId).toBe('DemoShowImage');
    const param = (name: string) => op.parameters.find((p: { name: string }) => p.name === name);
    expect(param('project_id')).toMatchObject({ in: 'path', required: true });
    expect(param('image_id')).toMatchObject({ in: 'path', required: true, schema: { maxLength: 128 } });
    expect(param('image_type')).toMatchObject({ in: 'query', required: true, schema: { enum: ['private_image', 'shared_image', 'instance_image', 'cicd', 'harbor'] } });
    expect(param('limit')).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', minimum: 10, maximum: 200, default: 10 } });
    expect(param('enterprise_project_id')).toMatchObject({ in: 'query', required: false });
    expect(op.responses['200'].content['application/json'].schema.properties.total_num).toEqual({ type: 'integer' });
    expect(op.responses.default).toEqual({ $ref: '#/components/responses/HssError' });
    const action = doc.paths['/?Action=DescribeDemoImages'].post;
    const scanRange = action.parameters.find((p: { name: string }) => p.name === 'ScanRange');
    expect(scanRange.schema.type).toBe('string');
    expect(action.parameters.find((p: { name: string }) => p.name === 'Version').schema.enum).toEqual(['2018-12-03']);
    expect(doc.paths['/healthz'].get.tags).toEqual(['service']);
    expect(doc.paths['/']).toBeUndefined();
    assertWellFormed(doc);
  });

  it('serves the docs UI', async () => {
    let res = await fx.app.inject({ method: 'GET', url: '/docs' });
    for (let hops = 0; res.statusCode >= 300 && res.statusCode < 400 && hops < 3; hops++) {
      res = await fx.app.inject({ method: 'GET', url: new URL(res.headers.location as string, 'http://x/docs/').pathname });
    }
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toMatch(/swagger/i);
  });
});

/** Structural OpenAPI 3.0 checks: operations have responses, path templates are declared, refs resolve, no 3.1-only keywords. */
function assertWellFormed(doc: Record<string, unknown>): void {
  const paths = doc.paths as Record<string, Record<string, { parameters?: { name: string; in: string }[]; responses?: object; operationId?: string }>>;
  const ids = new Set<string>();
  for (const [path, item] of Object.entries(paths)) {
    expect(path.startsWith('/')).toBe(true);
    for (const [method, op] of Object.entries(item)) {
      expect(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']).toContain(method);
      expect(Object.keys(op.responses ?? {}).length).toBeGreaterThan(0);
      if (op.operationId) {
        expect(ids.has(op.operationId)).toBe(false);
        ids.add(op.operationId);
      }
      for (const name of [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])) {
        expect(op.parameters?.some((p) => p.in === 'path' && p.name === name)).toBe(true);
      }
    }
  }
  const text = JSON.stringify(doc);
  expect(text).not.toMatch(/"const":/);
  for (const m of text.matchAll(/"\$ref":"#\/([^"]+)"/g)) {
    let node: unknown = doc;
    for (const part of m[1]!.split('/')) node = (node as Record<string, unknown> | undefined)?.[part];
    expect(node, m[1]).toBeDefined();
  }
}

describe('health, readiness and metrics', () => {
  it('reports liveness and readiness', async () => {
    const live = await fx.app.inject({ method: 'GET', url: '/healthz' });
    expect(live.statusCode).toBe(200);
    expect(live.json()).toEqual({ status: 'ok' });
    expect(live.headers['x-request-id']).toMatch(REQUEST_ID);
    expect((await fx.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ready' });
  });

  it('exposes request counts, latency histograms and queue depth in the Prometheus text format', async () => {
    const HSS_400 = 'tarsier_http_requests_total{surface="hss",method="GET",route="/v5/:project_id/demo/images/:image_id",status="400"}';
    const ALI_200 = 'tarsier_http_requests_total{surface="alibaba",method="GET",route="/?Action=DescribeDemoImages",status="200"}';
    const scrape = async () => (await fx.app.inject({ method: 'GET', url: '/metrics' })).body.trimEnd().split('\n');
    const value = (lines: string[], series: string) => Number(lines.find((l) => l.startsWith(`${series} `))?.split(' ')[1] ?? 0);
    const before = await scrape();
    await fx.services.queue.enqueue('scan', { imageId }, { dedupeKey: 'metrics-test' });
    await hss(`/v5/proj-a/demo/images/${imageId}?image_type=harbor&limit=5`);
    await ali('Action=DescribeDemoImages&Version=2018-12-03');
    const res = await fx.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const lines = res.body.trimEnd().split('\n');
    for (const line of lines) {
      if (line === '') continue;
      if (line.startsWith('#')) expect(line).toMatch(/^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/);
      else expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")*\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)$/);
    }
    expect(lines).toContain('# TYPE tarsier_http_requests_total counter');
    expect(lines).toContain('# TYPE tarsier_http_request_duration_seconds histogram');
    expect(value(lines, HSS_400) - value(before, HSS_400)).toBe(1);
    expect(value(lines, ALI_200) - value(before, ALI_200)).toBe(1);
    expect(lines.some((l) => l.startsWith('tarsier_http_request_duration_seconds_bucket{le="+Inf",surface="hss",method="GET",route="/v5/:project_id/demo/images/:image_id",status="400"}'))).toBe(true);
    expect(lines).toContain('tarsier_jobs{state="queued"} 1');
    expect(lines).toContain('tarsier_jobs{state="failed"} 0');
    // Unmatched URLs share one label, whatever the path.
    await fx.app.inject({ method: 'GET', url: '/random/path/123' });
    expect((await scrape()).some((l) => l.startsWith('tarsier_http_requests_total{surface="service",method="GET",route="unmatched",status="404"}'))).toBe(true);
  });

  it('says not ready when the store is gone', async () => {
    const other = await apiFixture();
    await other.store.close();
    const res = await other.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json().status).toBe('unavailable');
    // close() also removes the fixture's data dir (its store is already closed; closing twice is fine).
    await other.close();
  });
});

describe('bad input never reaches a 5xx', () => {
  const key = fc.constantFrom('image_type', 'limit', 'offset', 'enterprise_project_id', 'x', 'PageSize', 'CurrentPage', 'ScanRange', 'ScanRange.1', 'Items.1.Name', 'Lang', 'ImageUuid', 'Action', 'Version', '__proto__');
  const value = fc.oneof(fc.string(), fc.integer().map(String), fc.constantFrom('harbor', '10', '200', '-1', '1e3', '[]', '["image"]', '{"a":1}', '%', '%ZZ', 'all_granted_eps', ''));
  const query = fc.array(fc.tuple(key, value), { maxLength: 6 }).map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));

  it('HSS: every answer to generated parameters is a 2xx or a 4xx in the HSS shape', async () => {
    await fc.assert(
      fc.asyncProperty(query, fc.string({ maxLength: 140 }), async (q, id) => {
        const res = await hss(`/v5/proj-a/demo/images/${encodeURIComponent(id || 'x')}?${q}`);
        expect(res.statusCode).toBeLessThan(500);
        if (res.statusCode >= 400) expect(Object.keys(res.json()).sort()).toEqual(['error_code', 'error_msg']);
      }),
      { numRuns: 150 },
    );
  });

  it('Alibaba: every answer to generated parameters is a 2xx or a 4xx in the Alibaba shape', async () => {
    await fc.assert(
      fc.asyncProperty(query, fc.constantFrom('DescribeDemoImages', 'DescribeDemoRequired'), fc.boolean(), async (q, action, post) => {
        const res = post
          ? await ali(`Action=${action}&Version=2018-12-03`, { method: 'POST', payload: q, headers: { 'content-type': 'application/x-www-form-urlencoded' } })
          : await ali(`Action=${action}&Version=2018-12-03&${q}`);
        expect(res.statusCode).toBeLessThan(500);
        if (res.statusCode >= 400) expect(Object.keys(res.json()).sort()).toEqual(['Code', 'HostId', 'Message', 'Recommend', 'RequestId']);
      }),
      { numRuns: 150 },
    );
  });
});

describe('error mapping', () => {
  it('maps store and input errors to client-safe kinds', () => {
    expect(toApiError(new TarsierError('usage', 'project id "x y" must be 1-64 letters')).kind).toBe('invalid_parameter');
    expect(toApiError(new TarsierError('not_found', 'registry r does not exist')).kind).toBe('not_found');
    expect(toApiError(new TarsierError('database_error', 'cannot open postgres://u:pw@h/db')).message).toBe('the store is unavailable');
    expect(toApiError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })).kind).toBe('unavailable');
    expect(toApiError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })).kind).toBe('unavailable');
    expect(toApiError(new TypeError("Cannot read properties of undefined (reading 'x')")).message).toBe('the request could not be processed');
  });

  it('renders each kind in both vocabularies', () => {
    const missing = new ApiError('missing_parameter', 'image_type is required', { param: 'image_type' });
    expect(renderHssError(missing)).toEqual({ status: 400, body: { error_code: 'HSS.0001', error_msg: 'invalid param error: image_type is required' } });
    expect(renderAlibabaError(missing, 'RID', 'host')).toMatchObject({ status: 400, body: { Code: 'MissingParameter', RequestId: 'RID', HostId: 'host' } });
    expect(renderHssError(new ApiError('unavailable', 'the store is unavailable'))).toEqual({ status: 503, body: { error_code: 'HSS.0503', error_msg: 'service unavailable: the store is unavailable' } });
    expect(renderAlibabaError(new ApiError('nonce_used', 'x'), 'R', 'h').body.Code).toBe('SignatureNonceUsed');
    expect(renderAlibabaError(new ApiError('invalid_parameter', 'x', { aliCode: 'InvalidVersion' }), 'R', 'h').body.Code).toBe('InvalidVersion');
  });
});
