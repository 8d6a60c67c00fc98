/**
 * Faults a real registry will not produce on demand, from a scripted node:http fake: 5xx and
 * 429 then success, dropped connections and stalls, lying digests and sizes, range resumes,
 * tag-list pagination.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../src/image/registry/client.js';
import { RegistrySource, type RegistrySourceOptions } from '../../src/image/registry/source.js';
import { MEDIA_TYPES } from '../../src/image/types.js';
import { type HttpTestServer, startHttpServer } from '../helpers/registry-server.js';

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

interface FakeImage {
  layer: Buffer;
  config: Buffer;
  manifest: Buffer;
  digests: { layer: string; config: string; manifest: string };
}

function fakeImage(layer: Buffer = randomBytes(300_000)): FakeImage {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(layer)] } }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config: { mediaType: MEDIA_TYPES.ociConfig, digest: sha256(config), size: config.length },
      layers: [{ mediaType: MEDIA_TYPES.ociLayerTar, digest: sha256(layer), size: layer.length }],
    }),
  );
  return { layer, config, manifest, digests: { layer: sha256(layer), config: sha256(config), manifest: sha256(manifest) } };
}

type Override = (req: IncomingMessage, res: ServerResponse, n: number) => boolean;

/**
 * Serves `image` as repository `app` (tag `v1`) unless `override` answers first; `n` counts
 * requests to the same path. Blobs honour `Range: bytes=N-`.
 */
async function fakeRegistry(image: FakeImage, override: Override = () => false, extra: Record<string, Buffer> = {}): Promise<HttpTestServer & { hits: string[]; ranges: string[] }> {
  const counts = new Map<string, number>();
  const hits: string[] = [];
  const ranges: string[] = [];
  const server = await startHttpServer((req, res) => {
    const path = req.url ?? '/';
    const n = (counts.get(path) ?? 0) + 1;
    counts.set(path, n);
    hits.push(path);
    if (req.headers.range) ranges.push(req.headers.range);
    if (override(req, res, n)) return;
    const manifests: Record<string, Buffer> = { v1: image.manifest, [image.digests.manifest]: image.manifest, ...extra };
    const blobs: Record<string, Buffer> = { [image.digests.config]: image.config, [image.digests.layer]: image.layer };
    let m = /^\/v2\/app\/manifests\/(.+)$/.exec(path);
    const doc = m ? manifests[m[1] as string] : undefined;
    if (doc) {
      const mediaType = (JSON.parse(doc.toString()) as { mediaType?: string }).mediaType ?? MEDIA_TYPES.ociManifest;
      res.writeHead(200, { 'content-type': mediaType, 'docker-content-digest': sha256(doc), 'content-length': doc.length }).end(doc);
      return;
    }
    m = /^\/v2\/app\/blobs\/(.+)$/.exec(path);
    const blob = m ? blobs[m[1] as string] : undefined;
    if (blob) {
      const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? NaN);
      if (Number.isFinite(from)) {
        res.writeHead(206, { 'content-range': `bytes ${from}-${blob.length - 1}/${blob.length}`, 'content-length': blob.length - from }).end(blob.subarray(from));
      } else {
        res.writeHead(200, { 'content-length': blob.length }).end(blob);
      }
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN' }] }));
  });
  servers.push(server);
  return { ...server, hits, ranges };
}

const servers: HttpTestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

/** Fast retries so the tests do not wait on real backoff. */
const FAST: RegistrySourceOptions = { insecure: true, backoffMs: 1, maxBackoffMs: 5, env: {} };

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    return { code: (err as { code: string }).code, message: (err as Error).message };
  }
  throw new Error('expected a failure');
}

async function withSource<T>(host: string, ref: string, options: RegistrySourceOptions, use: (s: RegistrySource) => Promise<T>): Promise<T> {
  const source = new RegistrySource(`${host}/${ref}`, { ...FAST, ...options });
  try {
    return await use(source);
  } finally {
    await source.close();
  }
}

describe('retries', () => {
  it('retries 5xx, then succeeds', async () => {
    const image = fakeImage();
    const reg = await fakeRegistry(image, (req, res, n) => {
      if (req.url === '/v2/app/manifests/v1' && n <= 2) return !!res.writeHead(n === 1 ? 503 : 502).end('busy');
      return false;
    });
    const manifest = await withSource(reg.host, 'app:v1', {}, (s) => s.manifest());
    expect(manifest.digest).toBe(image.digests.manifest);
    expect(reg.hits.filter((h) => h === '/v2/app/manifests/v1')).toHaveLength(3);
  });

  it('gives up after the configured retries with a one-line error', async () => {
    const reg = await fakeRegistry(fakeImage(), (_req, res) => !!res.writeHead(500).end());
    const err = await failure(withSource(reg.host, 'app:v1', { retries: 2 }, (s) => s.manifest()));
    expect(err).toEqual({ code: 'network', message: `registry ${reg.host}: server error 500 fetching tag v1 of repository app after 3 attempts` });
    expect(reg.hits).toHaveLength(3);
  });

  it('honours Retry-After on 429', async () => {
    const reg = await fakeRegistry(fakeImage(), (req, res, n) => {
      if (req.url === '/v2/app/manifests/v1' && n === 1) return !!res.writeHead(429, { 'retry-after': '1' }).end();
      return false;
    });
    const started = Date.now();
    await withSource(reg.host, 'app:v1', {}, (s) => s.manifest());
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('reports rate limiting when it persists, or when Retry-After is too long to wait', async () => {
    const always = await fakeRegistry(fakeImage(), (_req, res) => !!res.writeHead(429).end());
    expect(await failure(withSource(always.host, 'app:v1', { retries: 1 }, (s) => s.manifest()))).toEqual({
      code: 'rate_limited',
      message: `registry ${always.host}: rate limited fetching tag v1 of repository app (429 after 2 attempts)`,
    });
    const long = await fakeRegistry(fakeImage(), (_req, res) => !!res.writeHead(429, { 'retry-after': '600' }).end());
    const started = Date.now();
    expect(await failure(withSource(long.host, 'app:v1', {}, (s) => s.manifest()))).toEqual({
      code: 'rate_limited',
      message: `registry ${long.host}: rate limited fetching tag v1 of repository app; it asks to retry after 600s`,
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('retries a dropped connection and a request that gets no answer in time', async () => {
    const image = fakeImage();
    const reg = await fakeRegistry(image, (req, res, n) => {
      if (req.url === '/v2/app/manifests/v1' && n === 1) {
        req.socket.destroy();
        return true;
      }
      // No answer at all: the client's timeout must fire.
      if (req.url === `/v2/app/blobs/${image.digests.config}` && n === 1) return true;
      return false;
    });
    const config = await withSource(reg.host, 'app:v1', { timeoutMs: 300 }, async (s) => {
      await s.manifest();
      return s.configBytes();
    });
    expect(config.equals(image.config)).toBe(true);
  });

  it('names a stall that never ends', async () => {
    const reg = await fakeRegistry(fakeImage(), () => true);
    const err = await failure(withSource(reg.host, 'app:v1', { timeoutMs: 200, retries: 1 }, (s) => s.manifest()));
    expect(err).toEqual({ code: 'network', message: `registry ${reg.host}: network error fetching tag v1 of repository app: no response within 0.2s (2 attempts)` });
  });
});

describe('blob streams', () => {
  it('resumes a dropped blob download with a Range request', async () => {
    const image = fakeImage();
    const path = `/v2/app/blobs/${image.digests.layer}`;
    const reg = await fakeRegistry(image, (req, res, n) => {
      if (req.url !== path || n !== 1) return false;
      // Half the blob, then the connection drops.
      res.writeHead(200, { 'content-length': image.layer.length });
      res.write(image.layer.subarray(0, 150_000), () => setTimeout(() => req.socket.destroy(), 20));
      return true;
    });
    const layer = await withSource(reg.host, 'app:v1', {}, async (s) => readAll(await s.openBlob((await s.manifest()).layers[0]!)));
    expect(layer.equals(image.layer)).toBe(true);
    expect(reg.ranges).toHaveLength(1);
    expect(Number(/^bytes=(\d+)-$/.exec(reg.ranges[0] ?? '')?.[1])).toBeGreaterThan(0);
  });

  it('skips what it already has when the server ignores Range', async () => {
    const image = fakeImage();
    const path = `/v2/app/blobs/${image.digests.layer}`;
    const reg = await fakeRegistry(image, (req, res, n) => {
      if (req.url !== path) return false;
      res.writeHead(200, { 'content-length': image.layer.length });
      if (n === 1) res.write(image.layer.subarray(0, 100_000), () => setTimeout(() => req.socket.destroy(), 20));
      else res.end(image.layer);
      return true;
    });
    const layer = await withSource(reg.host, 'app:v1', {}, async (s) => readAll(await s.openBlob((await s.manifest()).layers[0]!)));
    expect(layer.equals(image.layer)).toBe(true);
  });

  it('stops resuming after the configured retries', async () => {
    const image = fakeImage();
    const reg = await fakeRegistry(image, (req, res) => {
      if (req.url !== `/v2/app/blobs/${image.digests.layer}`) return false;
      res.writeHead(200, { 'content-length': image.layer.length });
      res.write(image.layer.subarray(0, 1000), () => setTimeout(() => req.socket.destroy(), 20));
      return true;
    });
    const err = await failure(withSource(reg.host, 'app:v1', { retries: 2 }, async (s) => readAll(await s.openBlob((await s.manifest()).layers[0]!))));
    expect(err.code).toBe('network');
    expect(err.message).toMatch(new RegExp(`^registry ${reg.host}: reading blob ${image.digests.layer} of repository app: .+ \\(after 2 resumed attempts\\)$`));
  });

  it('fails the stream when the content does not hash to its digest', async () => {
    const image = fakeImage();
    const tampered = Buffer.from(image.layer);
    tampered[12345] = (tampered[12345] as number) ^ 0xff;
    const reg = await fakeRegistry(image, (req, res) => {
      if (req.url !== `/v2/app/blobs/${image.digests.layer}`) return false;
      res.writeHead(200, { 'content-length': tampered.length }).end(tampered);
      return true;
    });
    const err = await failure(withSource(reg.host, 'app:v1', {}, async (s) => readAll(await s.openBlob((await s.manifest()).layers[0]!))));
    expect(err).toEqual({
      code: 'digest_mismatch',
      message: `registry ${reg.host}: blob ${image.digests.layer} of repository app does not match its descriptor: the content hashes to ${sha256(tampered)}`,
    });
  });

  it('stops reading as soon as a blob is longer than its descriptor', async () => {
    const image = fakeImage(randomBytes(1000));
    const reg = await fakeRegistry(image, (req, res) => {
      if (req.url !== `/v2/app/blobs/${image.digests.layer}`) return false;
      res.writeHead(200);
      res.write(image.layer);
      res.write(randomBytes(64 * 1024)); // and it never ends
      return true;
    });
    const err = await failure(withSource(reg.host, 'app:v1', {}, async (s) => readAll(await s.openBlob((await s.manifest()).layers[0]!))));
    expect(err).toEqual({
      code: 'digest_mismatch',
      message: `registry ${reg.host}: blob ${image.digests.layer} of repository app does not match its descriptor: more than the 1000 bytes its descriptor says arrived`,
    });
  });

  it('refuses a config larger than allowed without downloading it', async () => {
    const image = fakeImage();
    const reg = await fakeRegistry(image);
    const err = await failure(withSource(reg.host, 'app:v1', { maxConfigBytes: 10 }, (s) => s.configBytes()));
    expect(err.code).toBe('input');
    expect(err.message).toMatch(/^registry 127\.0\.0\.1:\d+: blob sha256:[a-f0-9]{64} of repository app is \d+ bytes, more than the 10 bytes allowed$/);
    expect(reg.hits.some((h) => h.includes('/blobs/'))).toBe(false);
  });
});

describe('manifest verification', () => {
  it('checks a manifest pulled by digest against that digest', async () => {
    const image = fakeImage();
    const other = fakeImage(randomBytes(10));
    const wanted = image.digests.manifest;
    const reg = await fakeRegistry(image, (req, res) => {
      if (req.url !== `/v2/app/manifests/${wanted}`) return false;
      res.writeHead(200, { 'content-type': MEDIA_TYPES.ociManifest }).end(other.manifest);
      return true;
    });
    const err = await failure(withSource(reg.host, `app@${wanted}`, {}, (s) => s.manifest()));
    expect(err).toEqual({
      code: 'digest_mismatch',
      message: `registry ${reg.host}: app@${wanted}: manifest ${wanted} was requested but the registry sent content hashing to ${other.digests.manifest}`,
    });
  });

  it('checks a tag against the Docker-Content-Digest the registry claims', async () => {
    const image = fakeImage();
    const claimed = `sha256:${'ab'.repeat(32)}`;
    const reg = await fakeRegistry(image, (req, res) => {
      if (req.url !== '/v2/app/manifests/v1') return false;
      res.writeHead(200, { 'content-type': MEDIA_TYPES.ociManifest, 'docker-content-digest': claimed }).end(image.manifest);
      return true;
    });
    const err = await failure(withSource(reg.host, 'app:v1', {}, (s) => s.manifest()));
    expect(err.code).toBe('digest_mismatch');
    expect(err.message).toBe(`registry ${reg.host}: app:v1: the registry says the manifest is ${claimed} but its content hashes to ${image.digests.manifest}`);
  });

  it('checks the platform manifest an index points to', async () => {
    const image = fakeImage();
    const swapped = fakeImage(randomBytes(10));
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.dockerManifestList,
        manifests: [{ mediaType: MEDIA_TYPES.dockerManifest, digest: image.digests.manifest, size: image.manifest.length, platform: { os: 'linux', architecture: 'amd64' } }],
      }),
    );
    const reg = await fakeRegistry(image, (req, res) => {
      if (req.url !== `/v2/app/manifests/${image.digests.manifest}`) return false;
      res.writeHead(200, { 'content-type': MEDIA_TYPES.ociManifest }).end(swapped.manifest);
      return true;
    }, { multi: index });
    const err = await failure(withSource(reg.host, 'app:multi', {}, (s) => s.manifest()));
    expect(err.code).toBe('digest_mismatch');
    expect(err.message).toContain(`app:multi: manifest ${image.digests.manifest} is ${swapped.manifest.length} bytes, its descriptor says ${image.manifest.length}`);
  });

  it('refuses schema 1 manifests and oversized ones', async () => {
    const image = fakeImage();
    const schema1 = Buffer.from(JSON.stringify({ schemaVersion: 1, name: 'app', tag: 'old', fsLayers: [] }));
    const big = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, padding: 'x'.repeat(5000) }));
    const reg = await fakeRegistry(image, () => false, { old: schema1, big });
    expect(await failure(withSource(reg.host, 'app:old', {}, (s) => s.manifest()))).toEqual({
      code: 'unsupported',
      message: `registry ${reg.host}: app:old manifest ${sha256(schema1)}: Docker schema 1 manifests are not supported (push the image again with a current client)`,
    });
    expect(await failure(withSource(reg.host, 'app:big', { maxManifestBytes: 4096 }, (s) => s.manifest()))).toEqual({
      code: 'input',
      message: `registry ${reg.host}: tag big of repository app is larger than 4 KiB; refusing to read it`,
    });
  });

  it('names the repository on 403', async () => {
    const reg = await fakeRegistry(fakeImage(), (_req, res) => !!res.writeHead(403).end());
    expect(await failure(withSource(reg.host, 'app:v1', {}, (s) => s.manifest()))).toEqual({ code: 'forbidden', message: `registry ${reg.host}: access denied to repository app (403)` });
  });
});

describe('tag listing', () => {
  function pagedTags(pages: string[][], link: (i: number, host: string) => string): Override {
    return (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname !== '/v2/app/tags/list') return false;
      const i = Number(url.searchParams.get('page') ?? 0);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (i + 1 < pages.length) headers.link = link(i + 1, req.headers.host ?? '');
      res.writeHead(200, headers).end(JSON.stringify({ name: 'app', tags: pages[i] }));
      return true;
    };
  }

  it('follows Link rel="next" to the last page', async () => {
    const reg = await fakeRegistry(fakeImage(), pagedTags([['a', 'b'], ['c'], ['d', 'e']], (i) => `</v2/app/tags/list?n=2&page=${i}>; rel="next"`));
    const client = new RegistryClient(reg.host, { insecure: true });
    try {
      expect(await client.listTags('app', { pageSize: 2 })).toEqual(['a', 'b', 'c', 'd', 'e']);
    } finally {
      await client.close();
    }
  });

  it('refuses a next page on another host (it would get our credentials)', async () => {
    const reg = await fakeRegistry(fakeImage(), pagedTags([['a'], ['b']], () => '<http://evil.example/v2/app/tags/list?page=1>; rel="next"'));
    const client = new RegistryClient(reg.host, { insecure: true });
    try {
      expect(await failure(client.listTags('app'))).toEqual({ code: 'input', message: `registry ${reg.host}: the tag list of repository app links its next page to another host (evil.example)` });
    } finally {
      await client.close();
    }
  });
});
