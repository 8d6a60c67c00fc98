/**
 * Against a real registry (Debian's docker-registry with htpasswd basic auth, images pushed with
 * skopeo): scanning by reference equals scanning the OCI layout it was pushed from; digests,
 * platforms, credentials and the one-line errors.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { analyzeImage, DEFAULT_LIMITS } from '../../src/analysis/analyze-image.js';
import { defaultAnalyzers } from '../../src/analysis/analyzers/index.js';
import type { Inventory } from '../../src/analysis/inventory.js';
import { writeOciLayout, type WrittenImage } from '../../src/image/build/image-writer.js';
import { openImage } from '../../src/image/open-image.js';
import { listRepositories, listTags } from '../../src/image/registry/catalog.js';
import { RegistrySource } from '../../src/image/registry/source.js';
import type { ImageSource } from '../../src/image/types.js';
import { MEDIA_TYPES } from '../../src/image/types.js';
import { debianAppSpec, platformImageSpec, writeMultiPlatformLayout, type WrittenIndex } from '../helpers/build-test-images.js';
import { pushImage, type RunningRegistry, startRegistry } from '../helpers/registry-server.js';

let registry: RunningRegistry;
let work: string;
let app: WrittenImage;
let multi: WrittenIndex;
/** Credentials from neither the environment nor a real ~/.docker of whoever runs the tests. */
let emptyDockerConfig: string;

async function scan(source: ImageSource, platform = 'linux/amd64'): Promise<Inventory> {
  try {
    return await analyzeImage(source, { analyzers: defaultAnalyzers(), cache: null, limits: DEFAULT_LIMITS, platform });
  } finally {
    await source.close();
  }
}

function open(ref: string, opts: { username?: string; password?: string; platform?: string } = {}): Promise<ImageSource> {
  return openImage(`${registry.host}/${ref}`, {
    insecure: true,
    username: opts.username ?? registry.username,
    password: opts.password ?? registry.password,
    platform: opts.platform,
    maxImageBytes: DEFAULT_LIMITS.maxImageBytes,
  });
}

/** The inventory without what names where it came from. */
function contents(inv: Inventory): unknown {
  const { ref: _ref, type: _type, ...artifact } = inv.artifact;
  return { ...inv, artifact };
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
  work = await mkdtemp(join(tmpdir(), 'tarsier-registry-test-'));
  emptyDockerConfig = join(work, 'no-docker-config');
  await mkdir(emptyDockerConfig);
  vi.stubEnv('DOCKER_CONFIG', emptyDockerConfig);
  vi.stubEnv('TARSIER_USERNAME', '');
  vi.stubEnv('TARSIER_REGISTRY_USERNAME', '');
  registry = await startRegistry();
  app = await writeOciLayout(debianAppSpec({ zstd: true }), join(work, 'app'), '1.0');
  await writeOciLayout(debianAppSpec(), join(work, 'app-gzip'), '1.0');
  multi = await writeMultiPlatformLayout(join(work, 'multi'), 'v1', [
    { platform: { os: 'linux', architecture: 'amd64' }, spec: platformImageSpec({ os: 'linux', architecture: 'amd64' }, 'ID=debian\nVERSION_ID="12"\nNAME="Debian GNU/Linux"\n') },
    { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, spec: platformImageSpec({ os: 'linux', architecture: 'arm64', variant: 'v8' }, 'ID=alpine\nVERSION_ID=3.18.0\nNAME="Alpine Linux"\n') },
    { platform: { os: 'linux', architecture: 'arm', variant: 'v6' }, spec: platformImageSpec({ os: 'linux', architecture: 'arm', variant: 'v6' }, 'ID=alpine\nVERSION_ID=3.17.0\nNAME="Alpine Linux"\n') },
  ]);
  await pushImage(registry, { dir: join(work, 'app'), tag: '1.0' }, 'team/app:1.0');
  await pushImage(registry, { dir: join(work, 'app-gzip'), tag: '1.0' }, 'team/app:docker', { format: 'v2s2' });
  await pushImage(registry, { dir: join(work, 'app-gzip'), tag: '1.0' }, 'team/app:gzip');
  await pushImage(registry, { dir: join(work, 'multi'), tag: 'v1' }, 'multi:v1', { all: true });
}, 60_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await registry?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('scanning by registry reference', () => {
  it('gives the same inventory as the OCI layout it was pushed from (OCI manifest, gzip + zstd layers)', async () => {
    const fromLayout = await scan(await openImage(`oci:${join(work, 'app')}:1.0`, { maxImageBytes: DEFAULT_LIMITS.maxImageBytes }));
    const fromRegistry = await scan(await open('team/app:1.0'));
    expect(fromRegistry.artifact.type).toBe('registry');
    expect(fromRegistry.artifact.ref).toBe(`${registry.host}/team/app:1.0`);
    expect(fromRegistry.artifact.digest).toBe(app.manifestDigest);
    expect(fromRegistry.os?.family).toBe('debian');
    expect(fromRegistry.artifact.layers).toHaveLength(3);
    expect(contents(fromRegistry)).toEqual(contents(fromLayout));
  });

  it('reads a Docker schema 2 manifest (skopeo --format v2s2) to the same contents', async () => {
    const source = await open('team/app:docker');
    const manifest = await source.manifest();
    expect(manifest.mediaType).toBe(MEDIA_TYPES.dockerManifest);
    expect(manifest.layers.every((l) => l.mediaType === MEDIA_TYPES.dockerLayerGzip)).toBe(true);
    const docker = await scan(source);
    const oci = await scan(await open('team/app:gzip'));
    expect(docker.artifact.layers.map((l) => l.diffId)).toEqual(oci.artifact.layers.map((l) => l.diffId));
    expect(docker.os).toEqual(oci.os);
    expect(docker.packages).toEqual(oci.packages);
    expect(docker.files).toEqual(oci.files);
  });

  it('pulls by digest, and reports a digest the repository does not have', async () => {
    const byDigest = await scan(await open(`team/app@${app.manifestDigest}`));
    expect(byDigest.artifact.digest).toBe(app.manifestDigest);
    expect(byDigest.artifact.ref).toBe(`${registry.host}/team/app@${app.manifestDigest}`);
    const missing = `sha256:${'0'.repeat(64)}`;
    const err = await failure(open(`team/app@${missing}`).then((s) => s.manifest()));
    expect(err).toEqual({ code: 'not_found', message: `registry ${registry.host}: manifest ${missing} not found in repository team/app (404)` });
  });

  it('resolves an image index by platform, with variant fallback', async () => {
    const [amd64, arm64, armv6] = multi.images.map((i) => i.image.manifestDigest);
    const byDefault = await scan(await open('multi:v1'));
    expect(byDefault.artifact.digest).toBe(amd64);
    expect(byDefault.config.architecture).toBe('amd64');
    expect(byDefault.os?.family).toBe('debian');

    const arm = await open('multi:v1', { platform: 'linux/arm64' });
    expect(arm).toBeInstanceOf(RegistrySource);
    const armInventory = await scan(arm, 'linux/arm64');
    expect(armInventory.artifact.digest).toBe(arm64);
    expect(armInventory.os?.family).toBe('alpine');
    expect((arm as RegistrySource).indexDigest).toBe(multi.indexDigest);

    // arm/v7 runs arm/v6 images; that is the closest the index has.
    const v7 = await open('multi:v1', { platform: 'linux/arm/v7' });
    expect((await v7.manifest()).digest).toBe(armv6);
    await v7.close();

    const s390x = await open('multi:v1', { platform: 'linux/s390x' });
    const err = await failure(s390x.manifest());
    await s390x.close();
    expect(err.code).toBe('not_found');
    expect(err.message).toBe(`registry ${registry.host}: multi:v1: no image for platform linux/s390x (available: linux/amd64, linux/arm64, linux/arm/v6)`);
  });

  it('pulls an index by digest and verifies the chosen manifest', async () => {
    const source = await open(`multi@${multi.indexDigest}`, { platform: 'linux/arm64/v8' });
    expect((await source.manifest()).digest).toBe(multi.images[1]?.image.manifestDigest);
    await source.close();
  });
});

describe('registry errors are one line naming the repository', () => {
  it('wrong password', async () => {
    const source = await open('team/app:1.0', { password: 'wrong' });
    const err = await failure(source.manifest());
    await source.close();
    expect(err).toEqual({ code: 'auth', message: `registry ${registry.host}: authentication failed for repository team/app (401)` });
  });

  it('no credentials at all', async () => {
    const source = await openImage(`${registry.host}/team/app:1.0`, { insecure: true, maxImageBytes: 1 << 30 });
    const err = await failure(source.manifest());
    await source.close();
    expect(err.code).toBe('auth');
    expect(err.message).toMatch(new RegExp(`^registry ${registry.host}: authentication required for repository team/app \\(401; no credentials`));
    expect(err.message).not.toContain('\n');
  });

  it('unknown repository and unknown tag', async () => {
    const repo = await open('nope/missing:1.0');
    expect(await failure(repo.manifest())).toEqual({ code: 'not_found', message: `registry ${registry.host}: repository nope/missing not found (404)` });
    await repo.close();
    const tag = await open('team/app:9.9');
    expect(await failure(tag.manifest())).toEqual({ code: 'not_found', message: `registry ${registry.host}: tag 9.9 not found in repository team/app (404)` });
    await tag.close();
  });

  it('refuses plain HTTP unless --insecure', async () => {
    const source = new RegistrySource(`${registry.host}/team/app:1.0`, { username: registry.username, password: registry.password, retries: 0 });
    const err = await failure(source.manifest());
    await source.close();
    expect(err.code).toBe('network');
    expect(err.message).toBe(`registry ${registry.host}: network error fetching tag 1.0 of repository team/app: the registry answers in plain HTTP, not HTTPS (use --insecure to allow plain HTTP)`);
  });
});

describe('credentials from Docker config.json ($DOCKER_CONFIG)', () => {
  async function dockerConfigDir(auths: Record<string, unknown>): Promise<string> {
    const dir = await mkdtemp(join(work, 'docker-config-'));
    await writeFile(join(dir, 'config.json'), JSON.stringify({ auths }));
    return dir;
  }

  it('uses a base64 "auth" entry', async () => {
    vi.stubEnv('DOCKER_CONFIG', await dockerConfigDir({ [registry.host]: { auth: Buffer.from(`${registry.username}:${registry.password}`).toString('base64') } }));
    try {
      const source = new RegistrySource(`${registry.host}/team/app:1.0`, { insecure: true });
      expect((await source.manifest()).digest).toBe(app.manifestDigest);
      await source.close();
    } finally {
      vi.stubEnv('DOCKER_CONFIG', emptyDockerConfig);
    }
  });

  it('uses username/password under an http:// key, and a wrong one fails cleanly', async () => {
    vi.stubEnv('DOCKER_CONFIG', await dockerConfigDir({ [`http://${registry.host}/v2/`]: { username: registry.username, password: registry.password } }));
    try {
      const source = new RegistrySource(`${registry.host}/multi:v1`, { insecure: true });
      expect((await source.manifest()).digest).toBe(multi.images[0]?.image.manifestDigest);
      await source.close();
    } finally {
      vi.stubEnv('DOCKER_CONFIG', emptyDockerConfig);
    }
    const wrong = await dockerConfigDir({ [registry.host]: { username: registry.username, password: 'nope' } });
    const source = new RegistrySource(`${registry.host}/multi:v1`, { insecure: true, env: { DOCKER_CONFIG: wrong } });
    expect(await failure(source.manifest())).toEqual({ code: 'auth', message: `registry ${registry.host}: authentication failed for repository multi (401)` });
    await source.close();
  });

  it('TARSIER_USERNAME / TARSIER_PASSWORD win over the config file', async () => {
    const wrong = await dockerConfigDir({ [registry.host]: { username: 'someone', password: 'else' } });
    const env = { DOCKER_CONFIG: wrong, TARSIER_USERNAME: registry.username, TARSIER_PASSWORD: registry.password };
    const source = new RegistrySource(`${registry.host}/team/app:1.0`, { insecure: true, env });
    expect((await source.manifest()).digest).toBe(app.manifestDigest);
    await source.close();
  });
});

describe('catalog and tag listing', () => {
  const auth = (): { insecure: boolean; username: string; password: string } => ({ insecure: true, username: registry.username, password: registry.password });

  it('lists every repository, following Link pagination', async () => {
    expect(await listRepositories(registry.host, { ...auth(), pageSize: 1 })).toEqual(['multi', 'team/app']);
  });

  it('lists every tag of a repository', async () => {
    // distribution 2.8 ignores n= for tags (pagination of tags is tested against a fake registry).
    expect((await listTags(registry.host, 'team/app', { ...auth(), pageSize: 1 })).sort()).toEqual(['1.0', 'docker', 'gzip']);
  });

  it('names the repository when it does not exist', async () => {
    const err = await failure(listTags(registry.host, 'ghost', auth()));
    expect(err).toEqual({ code: 'not_found', message: `registry ${registry.host}: repository ghost not found (404)` });
  });
});
