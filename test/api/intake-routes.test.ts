/**
 * CI/CD intake over HTTP: the two routes of src/api/intake-routes.ts through fastify.inject on an
 * embedded store (uploads, gzip, validation, limits, auth, a streamed archive that queues a scan),
 * and `tarsier scan --server` against a real `tarsier serve`, whose scheduler must be running.
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/analysis/analyze-image.js';
import type { Inventory } from '../../src/analysis/inventory.js';
import { buildApp, type ApiApp } from '../../src/api/app.js';
import { main } from '../../src/cli/main.js';
import { hssSensitiveModule } from '../../src/api/hss/sensitive.js';
import { writeDockerArchive, type ImageSpec } from '../../src/image/build/image-writer.js';
import { openImage } from '../../src/image/open-image.js';
import { uploadAnalysisKey } from '../../src/intake/accept.js';
import { UPLOAD_SCHEMA } from '../../src/intake/payload.js';
import { uploadArchive } from '../../src/intake/upload.js';
import { CICD_ARCHIVE_ROUTE, CICD_UPLOAD_CONTENT_TYPE, CICD_UPLOAD_ROUTE } from '../../src/intake/routes.js';
import { buildReport, type ScanReport } from '../../src/report/model.js';
import { scanSource } from '../../src/scan/pipeline.js';
import { openServiceContext } from '../../src/service/context.js';
import { createToken, ensureProject } from '../../src/store/projects-repo.js';
import { createRegistry } from '../../src/store/registries-repo.js';
import { openStore } from '../../src/store/open-store.js';
import { apiFixture, type ApiFixture } from '../helpers/api-foundation.js';
import { debianAppSpec } from '../helpers/build-test-images.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// A made-up key of the AWS shape: the secret the uploaded scan reports.
const AWS_LINE = 'AWS_ACCESS_KEY_ID=AKIAZ3MX7Q4N2WBTR5KD\n';

let work: string;
let fx: ApiFixture;
/** The same store and services, with tiny limits. */
let tight: ApiApp;
let intakeDir: string;
let token1: string;
let token2: string;
let tokenEpA: string;
let archive: string;
let report: ScanReport;
let inventory: Inventory;

function appSpec(): ImageSpec {
  const spec = debianAppSpec();
  spec.layers.push({ createdBy: 'COPY .env /srv/app/.env', entries: [{ path: 'srv/app/.env', content: AWS_LINE }] });
  return spec;
}

function doc(mutate: (d: Record<string, unknown>) => void = () => undefined): Buffer {
  const d = JSON.parse(JSON.stringify({ schema: UPLOAD_SCHEMA, image: { namespace: 'team', image_name: 'app', image_version: '1.0' }, report, inventory })) as Record<string, unknown>;
  mutate(d);
  return Buffer.from(JSON.stringify(d));
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, unknown>;
}

async function post(app: ApiApp, url: string, payload: Buffer | Readable | undefined, headers: Record<string, string>): Promise<Answer> {
  const res = await app.app.inject({ method: 'POST', url, payload, headers });
  return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {}, headers: res.headers };
}

const upload = (body: Buffer, headers: Record<string, string> = {}, app: ApiApp = fx) =>
  post(app, CICD_UPLOAD_ROUTE, body, { 'content-type': CICD_UPLOAD_CONTENT_TYPE, 'x-auth-token': token1, ...headers });

const archiveUrl = (query: string) => `${CICD_ARCHIVE_ROUTE}?${query}`;

/** Sends `data` in small chunks with no Content-Length, as a streaming client does. */
function chunked(data: Buffer, size = 16 * 1024): Readable {
  return Readable.from((function* () {
    for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
  })());
}

/** Runs the CLI in this process (a spawn pays the TypeScript loader again), capturing its output. */
async function tarsier(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const names = ['DATABASE_URL', 'TARSIER_SECRET_KEY', 'TARSIER_TOKEN', ...Object.keys(env)];
  const saved = Object.fromEntries(names.map((k) => [k, process.env[k]]));
  for (const k of names) delete process.env[k];
  Object.assign(process.env, env);
  try {
    const code = await main(['node', 'tarsier', ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

async function uploadFiles(suffix: string): Promise<string[]> {
  return (await readdir(join(intakeDir, 'uploads'), { recursive: true }).catch(() => [] as string[])).filter((f) => f.endsWith(suffix));
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tarsier-intake-api-'));
  intakeDir = join(work, 'data');
  fx = await apiFixture({ intake: { dataDir: intakeDir }, modules: [hssSensitiveModule] });
  tight = await buildApp({ services: fx.services, processMetrics: false, intake: { dataDir: intakeDir, maxUploadBytes: 4096, maxUploadJsonBytes: 64 * 1024, maxArchiveBytes: 8192 } });
  await tight.app.ready();
  for (const p of ['p1', 'p2']) await ensureProject(fx.store, p);
  token1 = (await createToken(fx.store, { projectId: 'p1' })).token;
  token2 = (await createToken(fx.store, { projectId: 'p2' })).token;
  tokenEpA = (await createToken(fx.store, { projectId: 'p1', enterpriseProjects: ['ep-a'] })).token;
  // What a CI job would upload: a real local scan of a small Debian image with a secret in it.
  archive = join(work, 'app.tar');
  await writeDockerArchive(appSpec(), archive, 'team/app:1.0');
  const source = await openImage(`docker-archive:${archive}`, { maxImageBytes: 1e9 });
  try {
    const out = await scanSource(source, { cache: null, limits: DEFAULT_LIMITS, platform: 'linux/amd64', detect: { ignoreUnfixed: false } });
    inventory = out.inventory;
    report = buildReport(out.inventory, out.findings);
  } finally {
    await source.close();
  }
}, 60_000);

afterAll(async () => {
  await tight?.app.close();
  await fx?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('POST /api/v1/cicd/uploads', () => {
  let imageId = '';

  it('stores the upload as a cicd image of the token’s project whose findings the HSS API lists', async () => {
    expect(report.sensitive.map((s) => s.path)).toContain('srv/app/.env');
    const res = await upload(doc());
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ image_id: expect.stringMatching(/^[0-9a-f-]{36}$/), image_type: 'cicd', image_digest: inventory.artifact.digest, scan_status: 'success' });
    expect(res.headers['x-request-id']).toMatch(/^[0-9A-F-]{36}$/);
    imageId = res.body.image_id as string;
    const row = await fx.store.db.selectFrom('images').selectAll().where('id', '=', imageId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ project_id: 'p1', image_type: 'cicd', namespace: 'team', image_name: 'app', image_version: '1.0', scan_status: 'success', digest: uploadAnalysisKey('p1', inventory.artifact.digest) });
    const pkgs = await fx.store.db.selectFrom('manifest_packages').select('name').where('manifest_digest', '=', row.digest!).execute();
    expect(pkgs.length).toBe(inventory.packages.length);

    const listed = await fx.app.inject({ method: 'GET', url: `/v5/p1/image/${imageId}/sensitive?image_type=cicd`, headers: { 'x-auth-token': token1 } });
    expect(listed.statusCode).toBe(200);
    const list = listed.json<{ total_num: number; data_list: Array<{ file_path: string; content: string }> }>();
    expect(list.total_num).toBe(report.sensitive.length);
    expect(list.data_list.map((d) => d.file_path)).toContain('/srv/app/.env');
    // Masked as the scanner masked it: the key itself never comes back.
    expect(JSON.stringify(list)).not.toContain('AKIAZ3MX7Q4N2WBTR5KD');
    // Another tenant sees nothing of it.
    const other = await fx.app.inject({ method: 'GET', url: `/v5/p2/image/${imageId}/sensitive?image_type=cicd`, headers: { 'x-auth-token': token2 } });
    expect(other.json()).toEqual({ total_num: 0, data_list: [] });
  });

  it('takes a gzip body (as the client sends it), with Authorization: Bearer, and replaces the image in place', async () => {
    const res = await post(fx, CICD_UPLOAD_ROUTE, gzipSync(doc()), { 'content-type': CICD_UPLOAD_CONTENT_TYPE, 'content-encoding': 'gzip', authorization: `Bearer ${token1}` });
    expect(res.status).toBe(201);
    expect(res.body.image_id).toBe(imageId);
    // Whatever the Content-Type says, the body is read as the upload (not handed to a JSON parser first).
    const plain = await post(fx, CICD_UPLOAD_ROUTE, gzipSync(doc()), { 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-auth-token': token1 });
    expect(plain.status).toBe(201);
    expect(plain.body.image_id).toBe(imageId);
    const rows = await fx.store.db.selectFrom('images').select('id').where('project_id', '=', 'p1').where('image_type', '=', 'cicd').execute();
    expect(rows.map((r) => r.id)).toEqual([imageId]);
  });

  it('answers bad documents with 400 and a message naming the field', async () => {
    const bad = await upload(doc((d) => ((d.image as Record<string, unknown>).image_version = 'no spaces')));
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error_code: 'HSS.0001', error_msg: expect.stringMatching(/body\.image\.image_version/) });
    const unknown = await upload(doc((d) => ((d.report as Record<string, unknown>).extra = 1)));
    expect(unknown.status).toBe(400);
    expect(unknown.body.error_msg).toMatch(/body\.report: unknown field "extra"/);
    const notJson = await upload(Buffer.from('{"schema":'));
    expect(notJson.status).toBe(400);
    expect(notJson.body.error_msg).toMatch(/not valid JSON/);
    const corrupt = await upload(Buffer.from('not gzip'), { 'content-encoding': 'gzip' });
    expect(corrupt.status).toBe(400);
    expect(corrupt.body.error_msg).toMatch(/gzip body is corrupt/);
    const brotli = await upload(doc(), { 'content-encoding': 'br' });
    expect(brotli.status).toBe(400);
    expect(brotli.body.error_msg).toMatch(/Content-Encoding "br" is not supported/);
  });

  it('refuses bodies over the limit as sent and after gunzip with 413', async () => {
    const big = await upload(doc(), {}, tight);
    expect(big.status).toBe(413);
    expect(big.body.error_code).toBe('APIG.0201');
    // Small on the wire, large inflated.
    const bomb = gzipSync(Buffer.alloc(1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(4096);
    const inflated = await upload(bomb, { 'content-encoding': 'gzip' }, tight);
    expect(inflated.status).toBe(413);
    expect(inflated.body.error_msg).toMatch(/decompressed upload is larger than 65536 bytes/);
  });

  it('answers 401 without a valid token and 403 for an enterprise project the token is not granted', async () => {
    const none = await post(fx, CICD_UPLOAD_ROUTE, doc(), { 'content-type': CICD_UPLOAD_CONTENT_TYPE });
    expect(none.status).toBe(401);
    expect(none.body.error_msg).toMatch(/X-Auth-Token/);
    expect((await upload(doc(), { 'x-auth-token': 'tsk_wrong' })).status).toBe(401);
    // Authentication comes first: an anonymous caller does not learn the document is bad.
    expect((await post(fx, CICD_UPLOAD_ROUTE, Buffer.from('{'), { 'content-type': 'application/json' })).status).toBe(401);
    const denied = await upload(doc((d) => Object.assign(d.image as Record<string, unknown>, { image_name: 'scoped', enterprise_project_id: 'ep-b' })), { 'x-auth-token': tokenEpA });
    expect(denied.status).toBe(403);
    expect(denied.body.error_msg).toMatch(/enterprise project "ep-b" is not granted/);
  });
});

describe('POST /api/v1/cicd/archives', () => {
  const headers = () => ({ 'content-type': 'application/octet-stream', 'x-auth-token': token1 });

  it('streams the archive to the data directory and queues a scan of it (202)', async () => {
    const res = await post(fx, archiveUrl('image_name=app&image_version=2.0&namespace=team'), createReadStream(archive), headers());
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ image_id: expect.stringMatching(/^[0-9a-f-]{36}$/), image_type: 'cicd', job_id: expect.any(Number), scan_status: 'waiting_for_scan' });
    const row = await fx.store.db.selectFrom('images').selectAll().where('id', '=', res.body.image_id as string).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ project_id: 'p1', image_type: 'cicd', namespace: 'team', image_name: 'app', image_version: '2.0', scan_status: 'waiting_for_scan' });
    expect(row.reference.startsWith(join(intakeDir, 'uploads'))).toBe(true);
    const job = await fx.store.db.selectFrom('jobs').select(['kind', 'dedupe_key', 'state']).where('id', '=', res.body.job_id as number).executeTakeFirstOrThrow();
    expect(job).toEqual({ kind: 'scan', dedupe_key: row.id, state: 'queued' });
    expect(await uploadFiles('.tar')).toHaveLength(1);

    // While that scan runs, a new archive of the same image is a conflict.
    await fx.store.db.updateTable('jobs').set({ state: 'running', lease_owner: 'someone', lease_until: Date.now() + 60_000 }).where('id', '=', res.body.job_id as number).execute();
    const again = await post(fx, archiveUrl('image_name=app&image_version=2.0&namespace=team'), createReadStream(archive), headers());
    expect(again.status).toBe(409);
    expect(again.body.error_msg).toMatch(/a scan of app:2\.0 is running/);
    expect(again.headers.connection).toBe('close');
  });

  it('names the bad query parameter, refuses non-archives and empty bodies with 400', async () => {
    const missing = await post(fx, archiveUrl('image_name=app'), createReadStream(archive), headers());
    expect(missing.status).toBe(400);
    expect(missing.body.error_msg).toMatch(/image_version/);
    const badName = await post(fx, archiveUrl('image_name=Bad%20Name&image_version=1'), createReadStream(archive), headers());
    expect(badName.status).toBe(400);
    expect(badName.body.error_msg).toMatch(/image_name "Bad Name"/);
    for (const ep of ['a%00b', 'a%01b']) {
      const badEp = await post(fx, archiveUrl(`image_name=app&image_version=1&enterprise_project_id=${ep}`), createReadStream(archive), headers());
      expect(badEp.status, JSON.stringify(badEp.body)).toBe(400);
      expect(badEp.body.error_msg).toMatch(/enterprise_project_id/);
    }
    const junk = await post(fx, archiveUrl('image_name=junk&image_version=1'), Buffer.alloc(4096, 0x41), headers());
    expect(junk.status).toBe(400);
    expect(junk.body.error_msg).toMatch(/not an image archive/);
    const empty = await post(fx, archiveUrl('image_name=junk&image_version=1'), undefined, { 'x-auth-token': token1 });
    expect(empty.status).toBe(400);
    expect(empty.body.error_msg).toMatch(/no body/);
    expect(await uploadFiles('.partial')).toEqual([]);
  });

  it('refuses archives over the limit with 413, declared or streamed, leaving nothing behind', async () => {
    const before = await uploadFiles('.tar');
    const declared = await post(tight, archiveUrl('image_name=big&image_version=1'), createReadStream(archive), headers());
    expect(declared.status).toBe(413);
    expect(declared.headers.connection).toBe('close');
    const data = await readFile(archive);
    const streamed = await post(tight, archiveUrl('image_name=big&image_version=1'), chunked(data), headers());
    expect(streamed.status).toBe(413);
    expect(streamed.body.error_msg).toMatch(/archive is larger than 8192 bytes/);
    expect(await uploadFiles('.partial')).toEqual([]);
    expect(await uploadFiles('.tar')).toEqual(before);
    expect(await fx.store.db.selectFrom('images').select('id').where('image_name', '=', 'big').execute()).toEqual([]);
  });

  it('answers 401 without a token before reading anything', async () => {
    const none = await post(fx, archiveUrl('image_name=app&image_version=3'), createReadStream(archive), { 'content-type': 'application/octet-stream' });
    expect(none.status).toBe(401);
    const invalid = await post(fx, archiveUrl(''), createReadStream(archive), { 'content-type': 'application/octet-stream', 'x-auth-token': 'tsk_wrong' });
    expect(invalid.status).toBe(401);
  });

  it('is in the OpenAPI document with its query parameters', async () => {
    const spec = (await fx.app.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Record<string, { operationId: string; parameters?: Array<{ name: string }> }>> }>();
    expect(spec.paths[CICD_UPLOAD_ROUTE]!.post!.operationId).toBe('CreateCicdUpload');
    const op = spec.paths[CICD_ARCHIVE_ROUTE]!.post!;
    expect(op.operationId).toBe('CreateCicdArchive');
    expect(op.parameters!.map((p) => p.name)).toEqual(expect.arrayContaining(['image_name', 'image_version', 'namespace']));
  });
});

describe('tarsier scan --server against tarsier serve', () => {
  it('uploads the local scan; the served HSS API lists it; the scheduler ran and stopped', async () => {
    const dataDir = join(work, 'serve');
    if (process.env.TARSIER_PGLITE_TEMPLATE) await cp(process.env.TARSIER_PGLITE_TEMPLATE, dataDir, { recursive: true });
    const cliData = { TARSIER_DATA_DIR: join(work, 'cli-data') };
    const created = await tarsier(['token', 'create', '--project', 'p', '--data-dir', dataDir], cliData);
    expect(created.code).toBe(0);
    const token = created.stdout.trimEnd().split('\n').pop()!;
    expect(token).toMatch(/^tsk_/);
    // A registry nobody has synced: the scheduler's first tick must queue its sync.
    const ctx = await openServiceContext({ dataDir });
    try {
      await createRegistry(ctx.store, ctx.box, { projectId: 'p', name: 'local', type: 'Other', protocol: 'http', addr: '127.0.0.1:9' });
    } finally {
      await ctx.close();
    }

    const env: NodeJS.ProcessEnv = { ...process.env, ...cliData, TARSIER_LOG_LEVEL: 'warn' };
    delete env.DATABASE_URL;
    delete env.TARSIER_SECRET_KEY;
    let archiveImageId = '';
    const server = spawn(process.execPath, ['--import', 'tsx', 'src/cli/dev-entry.ts', 'serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const served = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
    let stderr = '';
    server.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const base = await new Promise<string>((resolve, reject) => {
        let stdout = '';
        const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 45_000);
        server.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
        void served.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
      });

      const scanned = await tarsier(['scan', '--no-cache', '-f', 'json', '-o', join(work, 'report.json'), '--server', base, '--token', token, `docker-archive:${archive}`], cliData);
      expect(scanned.stderr).toMatch(/uploaded to http:\/\/127\.0\.0\.1:\d+ as cicd image [0-9a-f-]{36}/);
      expect(scanned.code).toBe(0);
      const images = await fetch(`${base}/v5/p/image/sensitive-information?image_type=cicd`, { headers: { 'x-auth-token': token } });
      expect(images.status).toBe(200);
      expect(JSON.stringify(await images.json())).toContain('/srv/app/.env');
      // The archive route over a real socket: streamed in, or refused before a byte is read.
      const queued = await uploadArchive({ server: base, token, file: archive, imageName: 'app', imageVersion: '2.0' });
      expect(queued).toMatchObject({ image_type: 'cicd', scan_status: 'waiting_for_scan' });
      archiveImageId = queued.image_id;
      await expect(uploadArchive({ server: base, token: 'tsk_wrong', file: archive, imageName: 'app', imageVersion: '2.0', retries: 0 })).rejects.toThrow(/refused the token \(401\)/);
      expect(stderr).toMatch(/scheduler: 1 registry sync\(s\), 0 rescan\(s\) queued/);
    } finally {
      server.kill('SIGTERM');
    }
    const exit = await Promise.race([served, new Promise<string>((r) => setTimeout(() => r('still running'), 15_000))]);
    if (exit === 'still running') server.kill('SIGKILL');
    expect(exit).toBe(0);

    const store = await openStore({ dataDir });
    try {
      const img = await store.db.selectFrom('images').select(['image_type', 'image_name', 'image_version', 'scan_status', 'digest']).where('project_id', '=', 'p').where('image_version', '=', 'latest').execute();
      expect(img).toEqual([{ image_type: 'cicd', image_name: 'app', image_version: 'latest', scan_status: 'success', digest: uploadAnalysisKey('p', inventory.artifact.digest) }]);
      expect(await store.db.selectFrom('jobs').select('kind').where('dedupe_key', '=', archiveImageId).execute()).toEqual([{ kind: 'scan' }]);
      expect(await store.db.selectFrom('jobs').select('kind').where('kind', '=', 'sync').execute()).toHaveLength(1);
      // Stopped, the scheduler let go of its lease.
      expect(await store.query(`SELECT owner FROM scan_locks WHERE name = 'scheduler'`)).toEqual([]);
    } finally {
      await store.close();
    }
  }, 90_000);
});
