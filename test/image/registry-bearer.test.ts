/**
 * The bearer-token flow: a proxy in front of a real docker-registry answers 401 with
 * `WWW-Authenticate: Bearer realm,service,scope`, issues tokens at its realm for basic
 * credentials, and forwards authorized requests. Checks scope, account, and one token per scope.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeImage, DEFAULT_LIMITS } from '../../src/analysis/analyze-image.js';
import { defaultAnalyzers } from '../../src/analysis/analyzers/index.js';
import type { Inventory } from '../../src/analysis/inventory.js';
import { writeOciLayout, type WrittenImage } from '../../src/image/build/image-writer.js';
import { openImage } from '../../src/image/open-image.js';
import { RegistryClient } from '../../src/image/registry/client.js';
import { RegistrySource } from '../../src/image/registry/source.js';
import type { ImageSource } from '../../src/image/types.js';
import { debianAppSpec } from '../helpers/build-test-images.js';
import { type BearerProxy, pushImage, type RunningRegistry, startBearerProxy, startRegistry } from '../helpers/registry-server.js';

const USER = { username: 'alice', password: 'wonder land:1' };
let registry: RunningRegistry;
let proxy: BearerProxy;
let work: string;
let app: WrittenImage;

async function scan(source: ImageSource): Promise<Inventory> {
  try {
    return await analyzeImage(source, { analyzers: defaultAnalyzers(), cache: null, limits: DEFAULT_LIMITS, platform: 'linux/amd64' });
  } finally {
    await source.close();
  }
}

function resetLogs(): void {
  proxy.tokenRequests.length = 0;
  proxy.apiRequests.length = 0;
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    return { code: (err as { code: string }).code, message: (err as Error).message };
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tarsier-bearer-test-'));
  registry = await startRegistry();
  app = await writeOciLayout(debianAppSpec(), join(work, 'app'), '2.0');
  await pushImage(registry, { dir: join(work, 'app'), tag: '2.0' }, 'team/app:2.0');
  proxy = await startBearerProxy(registry, USER);
}, 60_000);

afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('bearer token challenge', () => {
  it('scans through the token flow with one token for the whole image', async () => {
    resetLogs();
    const source = await openImage(`${proxy.host}/team/app:2.0`, { insecure: true, ...USER, maxImageBytes: DEFAULT_LIMITS.maxImageBytes });
    const inventory = await scan(source);
    const direct = await scan(await openImage(`oci:${join(work, 'app')}:2.0`, { maxImageBytes: DEFAULT_LIMITS.maxImageBytes }));
    expect(inventory.artifact.digest).toBe(app.manifestDigest);
    expect(inventory.packages).toEqual(direct.packages);
    expect(inventory.os).toEqual(direct.os);

    expect(proxy.tokenRequests).toEqual([{ scopes: ['repository:team/app:pull'], service: 'tarsier-proxy', account: USER.username }]);
    // Only the very first request goes without a token; manifest, config and 3 layers follow with it.
    expect(proxy.apiRequests.filter((r) => !r.authorized)).toHaveLength(1);
    expect(proxy.apiRequests.filter((r) => r.authorized).map((r) => r.path)).toHaveLength(5);
  });

  it('asks for a token per scope and reuses each', async () => {
    resetLogs();
    const client = new RegistryClient(proxy.host, { insecure: true, credentials: USER });
    try {
      await client.getManifest('team/app', '2.0');
      expect(await client.listRepositories()).toEqual(['team/app']);
      await client.getManifest('team/app', app.manifestDigest);
      expect(await client.listTags('team/app')).toEqual(['2.0']);
      expect(await client.listRepositories()).toEqual(['team/app']);
      const head = await client.headManifest('team/app', '2.0');
      expect(head.digest).toBe(app.manifestDigest);
      expect((await client.headBlob('team/app', app.config.digest)).size).toBe(app.config.size);
      await client.ping();
    } finally {
      await client.close();
    }
    // The API root needs no scope: its token is asked for with none.
    expect(proxy.tokenRequests.map((t) => t.scopes)).toEqual([['repository:team/app:pull'], ['registry:catalog:*'], []]);
  });

  it('a wrong password at the token service is the one-line auth error', async () => {
    const source = new RegistrySource(`${proxy.host}/team/app:2.0`, { insecure: true, username: USER.username, password: 'nope' });
    const err = await failure(source.manifest());
    await source.close();
    expect(err).toEqual({ code: 'auth', message: `registry ${proxy.host}: authentication failed for repository team/app (401)` });
  });

  it('without credentials the token service refuses, and the error says what to set', async () => {
    const source = new RegistrySource(`${proxy.host}/team/app:2.0`, { insecure: true, env: { DOCKER_CONFIG: join(work, 'none') } });
    const err = await failure(source.manifest());
    await source.close();
    expect(err.code).toBe('auth');
    expect(err.message).toMatch(/^registry 127\.0\.0\.1:\d+: authentication required for repository team\/app \(401; no credentials: use --username\/--password, TARSIER_USERNAME\/TARSIER_PASSWORD or docker login\)$/);
  });
});
