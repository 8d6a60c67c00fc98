/** The registry client's pure parts: references, challenges, tokens, backoff, credentials, manifests, platforms. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseChallenges, parseTokenResponse, pickChallenge, TokenCache, tokenRequest } from '../../src/image/registry/auth.js';
import { resolveCredentials } from '../../src/image/registry/credentials.js';
import { parseManifestDocument } from '../../src/image/registry/manifest.js';
import { formatReference, manifestReference, parseReference } from '../../src/image/registry/reference.js';
import { backoffDelay, isRetryableStatus, retryAfterMs } from '../../src/image/registry/retry.js';
import { formatPlatform, parsePlatform, selectManifest } from '../../src/image/platform.js';
import { type Descriptor, MEDIA_TYPES, type Platform } from '../../src/image/types.js';

describe('image references', () => {
  it.each([
    ['127.0.0.1:5000/app:1.0', { registry: '127.0.0.1:5000', repository: 'app', tag: '1.0' }],
    ['localhost/team/app', { registry: 'localhost', repository: 'team/app', tag: 'latest' }],
    ['alpine:3.19', { registry: 'docker.io', repository: 'library/alpine', tag: '3.19' }],
    ['bitnami/redis', { registry: 'docker.io', repository: 'bitnami/redis', tag: 'latest' }],
    ['index.docker.io/library/debian:12', { registry: 'docker.io', repository: 'library/debian', tag: '12' }],
    ['swr.cn-north-4.myhuaweicloud.com/ns/app_x-1:v2.0', { registry: 'swr.cn-north-4.myhuaweicloud.com', repository: 'ns/app_x-1', tag: 'v2.0' }],
    ['[::1]:5000/app', { registry: '[::1]:5000', repository: 'app', tag: 'latest' }],
    [`reg:443/app@sha256:${'a'.repeat(64)}`, { registry: 'reg:443', repository: 'app', digest: `sha256:${'a'.repeat(64)}` }],
    [`reg/app:1@sha256:${'b'.repeat(64)}`, { registry: 'docker.io', repository: 'reg/app', tag: '1', digest: `sha256:${'b'.repeat(64)}` }],
  ])('%s', (text, expected) => {
    expect(parseReference(text)).toEqual(expected);
  });

  it('a digest wins over a tag, and references print back normalised', () => {
    const ref = parseReference(`h.example/app:1@sha256:${'c'.repeat(64)}`);
    expect(manifestReference(ref)).toBe(`sha256:${'c'.repeat(64)}`);
    expect(formatReference(parseReference('nginx'))).toBe('docker.io/library/nginx:latest');
  });

  it.each([
    ['', /it is empty/],
    ['https://reg/app', /without a URL scheme/],
    ['reg.io/App:1', /lower-case/],
    ['reg.io/app:-bad', /not a valid tag/],
    ['reg.io/app@sha256:abc', /not a digest/],
    [`reg.io/app@md5:${'a'.repeat(32)}`, /not supported/],
    ['reg.io//app', /empty component/],
  ])('rejects %j with a usage error', (text, message) => {
    expect(() => parseReference(text)).toThrow(message);
    try {
      parseReference(text);
    } catch (err) {
      expect((err as { code: string }).code).toBe('usage');
    }
  });
});

describe('WWW-Authenticate challenges and tokens', () => {
  it('parses bearer parameters, quoted commas and several challenges', () => {
    const challenges = parseChallenges([
      'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"',
      'Basic realm="x"',
    ]);
    expect(challenges).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push' } },
      { scheme: 'basic', params: { realm: 'x' } },
    ]);
    expect(pickChallenge(challenges)?.scheme).toBe('bearer');
    expect(parseChallenges('Basic realm="r", Bearer realm="https://t",error="insufficient_scope"').map((c) => c.scheme)).toEqual(['basic', 'bearer']);
    expect(parseChallenges(undefined)).toEqual([]);
  });

  it('asks the realm for each scope, with the account and basic credentials', () => {
    const [challenge] = parseChallenges('Bearer realm="https://auth.example/token?x=1",service="reg"');
    const req = tokenRequest(challenge!, ['repository:app:pull', 'registry:catalog:*'], { username: 'u', password: 'p' });
    expect(req.method).toBe('GET');
    expect(req.url.searchParams.getAll('scope')).toEqual(['repository:app:pull', 'registry:catalog:*']);
    expect(req.url.searchParams.get('service')).toBe('reg');
    expect(req.url.searchParams.get('account')).toBe('u');
    expect(req.url.searchParams.get('x')).toBe('1');
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    const refresh = tokenRequest(challenge!, ['repository:app:pull'], { identityToken: 'rt' });
    expect(refresh.method).toBe('POST');
    expect(new URLSearchParams(refresh.body).get('grant_type')).toBe('refresh_token');
  });

  it('reads token and access_token, defaulting the lifetime to 60 s', () => {
    expect(parseTokenResponse({ token: 't', expires_in: 300 })).toEqual({ token: 't', expiresIn: 300 });
    expect(parseTokenResponse({ access_token: 'a' })).toEqual({ token: 'a', expiresIn: 60 });
    expect(parseTokenResponse({ nothing: true })).toBeUndefined();
  });

  it('caches per realm, service and scope until shortly before expiry', () => {
    let now = 1_000_000;
    const cache = new TokenCache(() => now);
    const [c] = parseChallenges('Bearer realm="https://t",service="s"');
    cache.set(c!, 'repository:a:pull', 'tok', 60);
    expect(cache.get(c!, 'repository:a:pull')).toBe('tok');
    expect(cache.get(c!, 'repository:b:pull')).toBeUndefined();
    now += 47_000;
    expect(cache.get(c!, 'repository:a:pull')).toBe('tok');
    now += 2_000;
    expect(cache.get(c!, 'repository:a:pull')).toBeUndefined();
  });
});

describe('backoff and Retry-After', () => {
  it('grows exponentially, capped, with jitter in the upper half', () => {
    const opts = { baseMs: 100, maxMs: 1000 };
    expect(backoffDelay(0, opts, () => 0)).toBe(50);
    expect(backoffDelay(0, opts, () => 1)).toBe(100);
    expect(backoffDelay(3, opts, () => 0.5)).toBe(600);
    expect(backoffDelay(20, opts, () => 1)).toBe(1000);
  });

  it('retries what may change', () => {
    expect([408, 429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 501, 505].some(isRetryableStatus)).toBe(false);
  });

  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs({ 'retry-after': '3' })).toBe(3000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs({ 'retry-after': 'Thu, 01 Jan 2026 00:00:10 GMT' }, now)).toBe(10_000);
    expect(retryAfterMs({ 'retry-after': 'soon' })).toBeUndefined();
    expect(retryAfterMs({})).toBeUndefined();
  });
});

describe('credentials', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tarsier-creds-'));
    const auths = {
      'reg.example:5000': { auth: Buffer.from('alice:pa:ss').toString('base64') },
      'https://index.docker.io/v1/': { username: 'hubuser', password: 'hubpw' },
      'token.example': { identitytoken: 'refresh-me' },
      'broken.example': { auth: Buffer.from('no-colon').toString('base64') },
      'helper.example': {},
    };
    await writeFile(join(dir, 'config.json'), JSON.stringify({ auths, credsStore: 'desktop' }));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds entries in $DOCKER_CONFIG/config.json by registry host', () => {
    const env = { DOCKER_CONFIG: dir };
    expect(resolveCredentials('reg.example:5000', { env })).toEqual({ username: 'alice', password: 'pa:ss' });
    expect(resolveCredentials('docker.io', { env })).toEqual({ username: 'hubuser', password: 'hubpw' });
    expect(resolveCredentials('token.example', { env })).toEqual({ identityToken: 'refresh-me' });
    expect(resolveCredentials('helper.example', { env })).toBeUndefined();
    expect(resolveCredentials('other.example', { env })).toBeUndefined();
  });

  it('says where a malformed entry is without printing it', () => {
    expect(() => resolveCredentials('broken.example', { env: { DOCKER_CONFIG: dir } })).toThrow(`docker config ${join(dir, 'config.json')}: "auth" for broken.example is not base64 of username:password`);
  });

  it('options beat the environment, which beats the file', () => {
    const env = { DOCKER_CONFIG: dir, TARSIER_USERNAME: 'envuser', TARSIER_PASSWORD: 'envpw' };
    expect(resolveCredentials('reg.example:5000', { env })).toEqual({ username: 'envuser', password: 'envpw' });
    expect(resolveCredentials('reg.example:5000', { env, username: 'flag', password: 'flagpw' })).toEqual({ username: 'flag', password: 'flagpw' });
    expect(resolveCredentials('reg.example:5000', { env: { TARSIER_REGISTRY_USERNAME: 'old', TARSIER_REGISTRY_PASSWORD: 'name' } })).toEqual({ username: 'old', password: 'name' });
    expect(() => resolveCredentials('r', { env: {}, username: 'only-user' })).toThrow(/username was given without a password/);
  });

  it('no config file means anonymous', () => {
    expect(resolveCredentials('reg.example:5000', { env: { DOCKER_CONFIG: join(dir, 'missing') } })).toBeUndefined();
  });
});

describe('manifest documents', () => {
  const desc = (digestChar: string, size = 10): Descriptor => ({ mediaType: MEDIA_TYPES.ociLayerGzip, digest: `sha256:${digestChar.repeat(64)}`, size });
  const doc = (o: unknown): Buffer => Buffer.from(JSON.stringify(o));

  it('tells an index from an image manifest, trusting the document over Content-Type', () => {
    const index = parseManifestDocument(doc({ schemaVersion: 2, manifests: [desc('a')] }), 'application/json', 'w');
    expect(index.kind).toBe('index');
    const image = parseManifestDocument(doc({ schemaVersion: 2, mediaType: MEDIA_TYPES.dockerManifest, config: desc('b'), layers: [desc('c')] }), MEDIA_TYPES.ociIndex, 'w');
    expect(image).toMatchObject({ kind: 'image', mediaType: MEDIA_TYPES.dockerManifest });
  });

  it.each([
    [{ schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config: desc('a'), layers: [{ ...desc('b'), digest: 'sha256:../../etc' }] }, /w: layers 1 has an invalid digest/],
    [{ schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config: { ...desc('a'), size: -1 }, layers: [] }, /config sha256:a+ has an invalid size/],
    [{ schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config: desc('a') }, /no layers list/],
    [{ schemaVersion: 2, mediaType: 'application/vnd.example+json' }, /unsupported manifest type/],
  ])('rejects a bad manifest %#', (body, message) => {
    expect(() => parseManifestDocument(doc(body), '', 'w')).toThrow(message);
  });
});

describe('platform selection', () => {
  const entry = (p: Platform, c: string, extra: Partial<Descriptor> = {}): Descriptor => ({ mediaType: MEDIA_TYPES.ociManifest, digest: `sha256:${c.repeat(64)}`, size: 1, platform: p, ...extra });
  const index = [
    entry({ os: 'linux', architecture: 'amd64' }, 'a'),
    entry({ os: 'linux', architecture: 'arm64', variant: 'v8' }, 'b'),
    entry({ os: 'linux', architecture: 'arm', variant: 'v6' }, 'c'),
    entry({ os: 'linux', architecture: 'arm', variant: 'v7' }, 'd'),
    entry({ os: 'unknown', architecture: 'unknown' }, 'e', { annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } }),
  ];
  const pick = (p: string): string => selectManifest(index, parsePlatform(p)).digest.slice(7, 8);

  it('matches os/arch/variant, with aliases and default variants', () => {
    expect(pick('linux/amd64')).toBe('a');
    expect(pick('linux/x86_64')).toBe('a');
    expect(pick('linux/arm64')).toBe('b');
    expect(pick('linux/aarch64/v8')).toBe('b');
    expect(pick('linux/arm')).toBe('d');
    expect(pick('linux/arm/v6')).toBe('c');
    expect(pick('linux/armhf')).toBe('d');
  });

  it('falls back to an older compatible variant, never a newer one', () => {
    expect(selectManifest([index[2]!], parsePlatform('linux/arm/v7')).digest).toBe(index[2]!.digest);
    expect(() => selectManifest([index[3]!], parsePlatform('linux/arm/v6'), 'img')).toThrow('img: no image for platform linux/arm/v6 (available: linux/arm/v7)');
  });

  it('leaves attestations out of the available list', () => {
    expect(() => selectManifest(index, parsePlatform('windows/amd64'), 'img')).toThrow('img: no image for platform windows/amd64 (available: linux/amd64, linux/arm64, linux/arm/v6, linux/arm/v7)');
  });

  it('parses and prints platforms', () => {
    expect(formatPlatform(parsePlatform('Linux/ARM64/v8'))).toBe('linux/arm64');
    expect(() => parsePlatform('linux')).toThrow(/expected OS\/ARCH\[\/VARIANT\]/);
  });
});
