/** Over a real socket (inject skips Node's HTTP parser): an X-Auth-Token as long as HSS allows reaches authentication. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_MODULES } from '../../src/api/modules.js';
import { apiFixture, type ApiFixture } from '../helpers/api-foundation.js';

let fx: ApiFixture;
let base: string;
beforeAll(async () => {
  fx = await apiFixture({ modules: API_MODULES });
  base = await fx.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => fx?.close());

describe('X-Auth-Token of 32,768 characters (seed range 1-32,768)', () => {
  it('is answered in the HSS error shape with a request id, not by the HTTP parser', async () => {
    const res = await fetch(`${base}/v5/proj/image/x/sensitive?image_type=harbor`, { headers: { 'x-auth-token': `tsk_${'a'.repeat(32_764)}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(await res.json()).toEqual({ error_code: 'APIG.1002', error_msg: 'Incorrect token or token resolution failed: the token is unknown, expired or revoked' });
  });

  it('on the Alibaba surface too', async () => {
    const res = await fetch(`${base}/?Action=DescribeImageSensitiveFileByKey&Version=2018-12-03`, { method: 'POST', headers: { 'x-auth-token': 'x'.repeat(32_768) } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { Code: string }).Code).toBe('InvalidSecurityToken.Expired');
  });
});
