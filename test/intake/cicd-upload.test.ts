/**
 * CI/CD intake end to end: the upload client (and `tarsier scan --server`) against a small
 * node:http server that authenticates the token and calls acceptCicdUpload / acceptArchiveUpload
 * directly, mapping errors the way routes.ts says the API does.
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/analysis/analyze-image.js';
import type { Inventory } from '../../src/analysis/inventory.js';
import { scanCommand } from '../../src/cli/scan.js';
import { isTarsierError } from '../../src/errors.js';
import { writeDockerArchive, writeOciArchive, type WrittenImage } from '../../src/image/build/image-writer.js';
import { openImage } from '../../src/image/open-image.js';
import { acceptArchiveUpload, acceptCicdUpload, digestOfAnalysisKey, UploadConflictError, UploadTooLargeError, uploadAnalysisKey } from '../../src/intake/accept.js';
import { UPLOAD_SCHEMA } from '../../src/intake/payload.js';
import { CICD_ARCHIVE_ROUTE, CICD_UPLOAD_ROUTE } from '../../src/intake/routes.js';
import { uploadArchive, uploadIdentity, uploadScanResult } from '../../src/intake/upload.js';
import { buildReport, type ScanReport } from '../../src/report/model.js';
import { scanSource } from '../../src/scan/pipeline.js';
import { createToken, ensureProject, verifyToken, type Principal } from '../../src/store/projects-repo.js';
import { createWorker, openServiceContext, type ServiceContext } from '../../src/service/context.js';
import { debianAppSpec } from '../helpers/build-test-images.js';
import { type HttpTestServer, startHttpServer } from '../helpers/registry-server.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
let ctx: ServiceContext;
let dataDir: string;
let work: string;
let server: HttpTestServer;
let url: string;
let token1: string;
let token2: string;
let report: ScanReport;
let inventory: Inventory;
let archive: string;
let archiveImage: WrittenImage;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function statusOf(err: unknown): number {
  if (err instanceof UploadTooLargeError) return 413;
  if (err instanceof UploadConflictError) return 409;
  if (isTarsierError(err)) return err.code === 'forbidden' ? 403 : 400;
  return 500;
}

/** What the API does with these routes: authenticate, hand the raw body over, map errors. */
async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const u = new URL(req.url ?? '/', 'http://x');
  const principal: Principal | undefined = await verifyToken(ctx.store, String(req.headers['x-auth-token'] ?? ''));
  if (!principal) {
    req.resume();
    return send(res, 401, { error_code: 'HSS.1002', error_msg: 'the token is not valid' });
  }
  try {
    if (req.method === 'POST' && u.pathname === `/prefix${CICD_UPLOAD_ROUTE}`) {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      return send(res, 201, await acceptCicdUpload(ctx, principal, Buffer.concat(chunks), { contentEncoding: req.headers['content-encoding'] }));
    }
    if (req.method === 'POST' && u.pathname === `/prefix${CICD_ARCHIVE_ROUTE}`) {
      const result = await acceptArchiveUpload(ctx, principal, req, u.searchParams.get('image_name') ?? '', u.searchParams.get('image_version') ?? '', {
        ...(u.searchParams.get('namespace') ? { namespace: u.searchParams.get('namespace')! } : {}),
        maxBytes: Number(u.searchParams.get('max') ?? 64 * 1024 * 1024),
      });
      return send(res, 202, result);
    }
    req.resume();
    send(res, 404, { error_msg: 'no route' });
  } catch (err) {
    req.resume();
    send(res, statusOf(err), { error_code: 'HSS.0001', error_msg: (err as Error).message });
  }
}

function principal(projectId: string, enterpriseProjects: string[] = []): Principal {
  return { projectId, enterpriseProjects, tokenId: 't' };
}

function doc(overrides: (d: Record<string, unknown>) => void = () => undefined): Buffer {
  const d = JSON.parse(JSON.stringify({ schema: UPLOAD_SCHEMA, image: { namespace: 'team', image_name: 'app', image_version: '1.0' }, report, inventory })) as Record<string, unknown>;
  overrides(d);
  return Buffer.from(JSON.stringify(d));
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tarsier-intake-'));
  dataDir = join(work, 'data');
  if (process.env.TARSIER_PGLITE_TEMPLATE) await cp(process.env.TARSIER_PGLITE_TEMPLATE, dataDir, { recursive: true });
  ctx = await openServiceContext({ dataDir, leaseMs: 5_000 });
  await ensureProject(ctx.store, 'p1');
  await ensureProject(ctx.store, 'p2');
  token1 = (await createToken(ctx.store, { projectId: 'p1' })).token;
  token2 = (await createToken(ctx.store, { projectId: 'p2' })).token;
  // A real local scan of the Debian test image: what the CI job would upload.
  archive = join(work, 'app.tar');
  archiveImage = await writeOciArchive(debianAppSpec(), archive, 'v1');
  const source = await openImage(`oci-archive:${archive}`, { maxImageBytes: 1e9 });
  try {
    const out = await scanSource(source, { cache: null, limits: DEFAULT_LIMITS, platform: 'linux/amd64', detect: { ignoreUnfixed: false } });
    inventory = out.inventory;
    report = buildReport(out.inventory, out.findings);
  } finally {
    await source.close();
  }
  server = await startHttpServer((req, res) => void handle(req, res));
  url = `http://${server.host}/prefix`;
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await ctx?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('scan-result upload', () => {
  it('stores the uploaded scan as a cicd image of the token’s project, under a project-scoped analysis key', async () => {
    const image = await uploadIdentity('registry.example.com:5000/team/app:1.0');
    expect(image).toEqual({ namespace: 'team', image_name: 'app', image_version: '1.0', reference: 'registry.example.com:5000/team/app:1.0' });
    const answer = await uploadScanResult({ server: url, token: token1, image, report, inventory });
    expect(answer).toMatchObject({ image_type: 'cicd', image_digest: archiveImage.manifestDigest, scan_status: 'success' });
    const row = await ctx.store.db.selectFrom('images').selectAll().where('id', '=', answer.image_id).executeTakeFirstOrThrow();
    const key = uploadAnalysisKey('p1', archiveImage.manifestDigest);
    expect(row).toMatchObject({ project_id: 'p1', image_type: 'cicd', namespace: 'team', image_name: 'app', image_version: '1.0', scan_status: 'success', digest: key, registry_id: null });
    expect(digestOfAnalysisKey(row.digest!)).toBe(archiveImage.manifestDigest);
    const pkgs = await ctx.store.db.selectFrom('manifest_packages').select('name').where('manifest_digest', '=', key).execute();
    expect(pkgs.length).toBe(inventory.packages.length);
    expect(pkgs.length).toBeGreaterThan(50);
    const m = await ctx.store.db.selectFrom('manifests').select(['os_family', 'analyzer_set']).where('digest', '=', key).executeTakeFirstOrThrow();
    expect(m).toEqual({ os_family: 'debian', analyzer_set: 'upload' });
  });

  it('never touches the shared analysis of the digest, nor another project’s upload', async () => {
    await uploadScanResult({ server: url, token: token2, image: { image_name: 'app', image_version: '1.0' }, report, inventory });
    const keys = (await ctx.store.db.selectFrom('manifests').select('digest').execute()).map((r) => r.digest).sort();
    expect(keys).toEqual([uploadAnalysisKey('p1', archiveImage.manifestDigest), uploadAnalysisKey('p2', archiveImage.manifestDigest)].sort());
    // Uploading again replaces the project's own image in place.
    const again = await uploadScanResult({ server: url, token: token1, image: { namespace: 'team', image_name: 'app', image_version: '1.0' }, report, inventory });
    const rows = await ctx.store.db.selectFrom('images').select('id').where('project_id', '=', 'p1').where('image_type', '=', 'cicd').execute();
    expect(rows.map((r) => r.id)).toEqual([again.image_id]);
  });

  it('refuses a bad token, unknown fields, inconsistent documents and bad names with one clear line', async () => {
    await expect(uploadScanResult({ server: url, token: 'tsk_wrong', image: { image_name: 'app', image_version: '1' }, report, inventory })).rejects.toMatchObject({ code: 'auth', message: expect.stringMatching(/refused the token \(401\): the token is not valid/) });
    const cases: Array<[string, (d: Record<string, unknown>) => void, RegExp]> = [
      ['unknown field', (d) => ((d.report as Record<string, unknown>).extra = 1), /body\.report: unknown field "extra"/],
      ['wrong schema', (d) => (d.schema = 'v0'), /body\.schema: expected one of tarsier\.cicd-upload\/v1/],
      ['bad digest', (d) => (((d.inventory as Inventory).artifact as { digest: string }).digest = 'sha256:xyz'), /body\.inventory\.artifact\.digest/],
      ['digests differ', (d) => (((d.report as ScanReport).artifact as { digest: string }).digest = `sha256:${'a'.repeat(64)}`), /must describe one image/],
      ['foreign layer', (d) => ((d.inventory as Inventory).packages[0]!.layerDiffId = `sha256:${'b'.repeat(64)}`), /packages\[0\]\.layerDiffId is not a layer/],
      ['image name', (d) => ((d.image as Record<string, unknown>).image_name = '../../etc'), /body\.image\.image_name/],
      ['control characters', (d) => ((d.report as ScanReport).packages[0]!.name = 'a\u0000b'), /report\.packages\[0\]\.name: contains control characters/],
      ['missing field', (d) => delete (d.inventory as Record<string, unknown>).files, /body\.inventory: missing field "files"/],
    ];
    for (const [name, mutate, message] of cases) {
      await expect(acceptCicdUpload(ctx, principal('p1'), doc(mutate)), name).rejects.toThrow(message);
    }
    await expect(acceptCicdUpload(ctx, principal('p1'), '{"schema":')).rejects.toThrow(/not valid JSON/);
    // A literal "__proto__" key in the JSON text is an unknown field, and pollutes nothing.
    const proto = doc().toString('utf8').replace('"image":{', '"image":{"__proto__":{"polluted":true},');
    await expect(acceptCicdUpload(ctx, principal('p1'), proto)).rejects.toThrow(/body\.image: unknown field "__proto__"/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('bounds the body as sent and after gunzip, and knows only gzip', async () => {
    const body = doc();
    await expect(acceptCicdUpload(ctx, principal('p1'), body, { maxBytes: 1024 })).rejects.toBeInstanceOf(UploadTooLargeError);
    // A gzip bomb: small on the wire, huge inflated.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    await expect(acceptCicdUpload(ctx, principal('p1'), bomb, { contentEncoding: 'gzip', maxJsonBytes: 8 * 1024 * 1024 })).rejects.toBeInstanceOf(UploadTooLargeError);
    await expect(acceptCicdUpload(ctx, principal('p1'), body, { contentEncoding: 'br' })).rejects.toThrow(/Content-Encoding "br" is not supported/);
    await expect(acceptCicdUpload(ctx, principal('p1'), Buffer.from('not gzip'), { contentEncoding: 'gzip' })).rejects.toThrow(/gzip body is corrupt/);
  });

  it('puts the image in the asked enterprise project only if the credential is granted it', async () => {
    const named = (ep: string) => (d: Record<string, unknown>) => Object.assign(d.image as Record<string, unknown>, { image_name: 'scoped', enterprise_project_id: ep });
    const ok = await acceptCicdUpload(ctx, principal('p1', ['ep-a']), doc(named('ep-a')));
    const row = await ctx.store.db.selectFrom('images').select('enterprise_project_id').where('id', '=', ok.image_id).executeTakeFirstOrThrow();
    expect(row.enterprise_project_id).toBe('ep-a');
    await expect(acceptCicdUpload(ctx, principal('p1', ['ep-a']), doc(named('ep-b')))).rejects.toMatchObject({ code: 'forbidden' });
    // team/app:1.0 lives in enterprise project 0: a credential limited to ep-a may not replace it.
    await expect(acceptCicdUpload(ctx, principal('p1', ['ep-a']), doc((d) => ((d.image as Record<string, unknown>).enterprise_project_id = 'ep-a')))).rejects.toThrow(/not granted to this credential/);
  });

  it('tarsier scan --server uploads what it scanned; --server without a token is a usage error', async () => {
    const run = (args: string[], env: NodeJS.ProcessEnv) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/dev-entry.ts', ...args], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (code) => resolve({ code, stderr }));
      });
    const out = join(work, 'report.json');
    const ok = await run(['scan', '--no-cache', '-f', 'json', '-o', out, '--server', url, `oci-archive:${archive}`], { TARSIER_TOKEN: token2, TARSIER_DATA_DIR: join(work, 'cli-data') });
    expect(ok.stderr).toMatch(/uploaded to .* as cicd image [0-9a-f-]{36}/);
    expect(ok.code).toBe(0);
    const id = /cicd image ([0-9a-f-]{36})/.exec(ok.stderr)![1]!;
    const row = await ctx.store.db.selectFrom('images').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ project_id: 'p2', image_type: 'cicd', image_name: 'app', image_version: 'latest', scan_status: 'success', digest: uploadAnalysisKey('p2', archiveImage.manifestDigest) });
    const saved = process.env.TARSIER_TOKEN;
    delete process.env.TARSIER_TOKEN;
    try {
      await expect(scanCommand(`oci-archive:${archive}`, { format: 'json', platform: 'linux/amd64', cache: false, exitCode: '0', server: url })).rejects.toThrow(/^--server needs an API token/);
      await expect(scanCommand(`oci-archive:${archive}`, { format: 'json', platform: 'linux/amd64', cache: false, exitCode: '0', token: token1 })).rejects.toThrow(/^--token is only used with --server/);
    } finally {
      if (saved !== undefined) process.env.TARSIER_TOKEN = saved;
    }
  }, 60_000);
});

describe('archive upload', () => {
  it('stores the archive in the data directory and queues a scan that reads it', async () => {
    const answer = await uploadArchive({ server: url, token: token1, file: archive, imageName: 'app', imageVersion: '2.0', namespace: 'team' });
    expect(answer).toMatchObject({ image_type: 'cicd', scan_status: 'waiting_for_scan' });
    const row = await ctx.store.db.selectFrom('images').selectAll().where('id', '=', answer.image_id).executeTakeFirstOrThrow();
    expect(row.reference.startsWith(join(dataDir, 'uploads'))).toBe(true);
    const job = await ctx.store.db.selectFrom('jobs').select(['kind', 'dedupe_key', 'state']).where('id', '=', answer.job_id).executeTakeFirstOrThrow();
    expect(job).toEqual({ kind: 'scan', dedupe_key: answer.image_id, state: 'queued' });
    const worker = createWorker(ctx);
    while (await worker.runOnce());
    const scanned = await ctx.store.db.selectFrom('images').select(['scan_status', 'digest']).where('id', '=', answer.image_id).executeTakeFirstOrThrow();
    expect(scanned.scan_status).toBe('success');
    // Scanned by the server from content it holds: the shared, content-addressed analysis.
    expect(scanned.digest).toBe(archiveImage.manifestDigest);
    const analysis = await ctx.store.db.selectFrom('manifests').select('analyzer_set').where('digest', '=', archiveImage.manifestDigest).executeTakeFirstOrThrow();
    expect(analysis.analyzer_set).not.toBe('upload');

    // A new archive (here a docker-archive) for the same image replaces the old file.
    const docker = join(work, 'docker.tar');
    await writeDockerArchive(debianAppSpec({ zstd: false }), docker, 'team/app:2.0');
    const again = await uploadArchive({ server: url, token: token1, file: docker, imageName: 'app', imageVersion: '2.0', namespace: 'team' });
    expect(again.image_id).toBe(answer.image_id);
    const files = (await readdir(join(dataDir, 'uploads'), { recursive: true })).filter((f) => f.endsWith('.tar'));
    expect(files).toHaveLength(1);
  });

  it('refuses non-archives, oversized bodies, bad names, and a new archive while its scan runs', async () => {
    const junk = join(work, 'junk.bin');
    await writeFile(junk, Buffer.alloc(4096, 0x41));
    await expect(uploadArchive({ server: url, token: token1, file: junk, imageName: 'junk', imageVersion: '1' })).rejects.toThrow(/\(400\): upload: the body is not an image archive/);
    await expect(uploadArchive({ server: `${url}`, token: token1, file: archive, imageName: 'Bad Name', imageVersion: '1' })).rejects.toThrow(/\(400\): image_name "Bad Name"/);
    const big = await fetch(`${url}${CICD_ARCHIVE_ROUTE}?image_name=big&image_version=1&max=1000`, { method: 'POST', headers: { 'x-auth-token': token1 }, body: Buffer.alloc(5000) });
    expect(big.status).toBe(413);
    const leftovers = (await readdir(join(dataDir, 'uploads'), { recursive: true })).filter((f) => f.endsWith('.partial'));
    expect(leftovers).toEqual([]);
    // Pretend the scan of app:2.0 is running.
    const img = await ctx.store.db.selectFrom('images').select('id').where('image_name', '=', 'app').where('image_version', '=', '2.0').executeTakeFirstOrThrow();
    await ctx.queue.enqueue('scan', { imageId: img.id }, { dedupeKey: img.id });
    await ctx.store.db.updateTable('jobs').set({ state: 'running', lease_owner: 'someone', lease_until: Date.now() + 60_000 }).where('dedupe_key', '=', img.id).where('state', '=', 'queued').execute();
    await expect(uploadArchive({ server: url, token: token1, file: archive, imageName: 'app', imageVersion: '2.0', namespace: 'team' })).rejects.toThrow(/\(409\): a scan of app:2.0 is running/);
  });
});
