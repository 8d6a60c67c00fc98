/**
 * Re-matching as a durable job: two real images (the same Debian 12 packages, gzip and zstd, so two
 * manifests) are scanned by a service worker before any advisory exists; then an advisory import
 * followed by a worker processing the `rematch` job changes their stored findings; requests for one
 * advisory generation collapse into one job; a job whose holder dies mid-way is taken over when its
 * lease lapses and ends where an uninterrupted run ends; and a scheduled advisory update of a URL
 * source queues the re-match itself. On PGlite and PostgreSQL.
 */
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueRematch, rematchStatus, REMATCH_KIND, runRematchHere } from '../../src/jobs/rematch-job.js';
import { rematchAll, rematchDigests } from '../../src/jobs/rematch.js';
import { Scheduler } from '../../src/jobs/schedule.js';
import { enqueueScan } from '../../src/jobs/tasks.js';
import type { Worker } from '../../src/jobs/worker.js';
import { createWorker, type ServiceContext } from '../../src/service/context.js';
import { upsertImage } from '../../src/store/images-repo.js';
import { ensureProject } from '../../src/store/projects-repo.js';
import { advisoryGeneration } from '../../src/vulndb/advisory-generation.js';
import { importTargets } from '../../src/vulndb/update.js';
import { backends } from '../helpers/stores.js';
import { dashDsa, debianImage, serviceContext } from './service-fixtures.js';

const LEASE_MS = 1_500;

describe.each(backends)('re-match jobs on $name', (backend) => {
  let ctx: ServiceContext & { work: string };
  let worker: Worker;
  let digests: string[];
  let dsaFile: string;

  const dashFindings = async (digest: string) =>
    ctx.store.db.selectFrom('vuln_findings').select(['vuln_id', 'installed_version', 'fixed_version']).where('manifest_digest', '=', digest).where('package_name', '=', 'dash').execute();
  const rematchJobs = async () => ctx.store.db.selectFrom('jobs').select(['id', 'state', 'attempts', 'result']).where('kind', '=', REMATCH_KIND).orderBy('id').execute();
  async function drain(): Promise<void> {
    while (await worker.runOnce());
  }

  beforeAll(async () => {
    ctx = await serviceContext(backend, { leaseMs: LEASE_MS, backoffBaseMs: 10, backoffMaxMs: 10 });
    worker = createWorker(ctx);
    await ensureProject(ctx.store, 'p1');
    const images = [await debianImage(ctx.work, 'gzip'), await debianImage(ctx.work, 'zstd', { zstd: true })];
    digests = images.map((i) => i.digest);
    expect(new Set(digests).size).toBe(2);
    for (const [n, image] of images.entries()) {
      const id = await upsertImage(ctx.store, { projectId: 'p1', imageType: 'local_image', imageName: 'app', imageVersion: String(n), reference: image.ref });
      await enqueueScan(ctx, { id, projectId: 'p1' });
    }
    await drain();
    const scanned = await ctx.store.db.selectFrom('images').select(['scan_status', 'digest']).execute();
    expect(scanned.map((s) => s.scan_status)).toEqual(['success', 'success']);
    expect(scanned.map((s) => s.digest).sort()).toEqual([...digests].sort());
    dsaFile = join(ctx.work, 'DSA-list');
  }, 120_000);

  afterAll(async () => {
    await ctx?.close();
  });

  it('an advisory import followed by a worker processing the job changes the stored findings', async () => {
    for (const d of digests) expect(await dashFindings(d)).toEqual([]);
    await writeFile(dsaFile, dashDsa('0.5.12-3'));
    expect((await importTargets(ctx.store, [dsaFile]))[0]).toMatchObject({ records: 1 });
    expect((await rematchStatus(ctx.store)).upToDate).toBe(false);
    const req = await enqueueRematch(ctx);
    expect(req).toMatchObject({ created: true, generation: await advisoryGeneration(ctx.store) });
    // Nothing changes until a worker runs the job.
    for (const d of digests) expect(await dashFindings(d)).toEqual([]);
    await drain();
    for (const d of digests) expect(await dashFindings(d)).toEqual([{ vuln_id: 'CVE-2030-0002', installed_version: '0.5.12-2', fixed_version: '0.5.12-3' }]);
    const [job] = await rematchJobs();
    expect(job).toMatchObject({ id: req.jobId, state: 'done', attempts: 1, result: { generation: req.generation, manifests: 2, changed: 2 } });
    expect(await rematchStatus(ctx.store)).toMatchObject({ upToDate: true, latest: { id: req.jobId, state: 'done', generation: req.generation } });
  });

  it('requests for one advisory generation collapse into one job; a newer import gets its own', async () => {
    const before = await rematchJobs();
    // Already re-matched: nothing is queued.
    const again = await enqueueRematch(ctx);
    expect(again).toMatchObject({ created: false, jobId: before.at(-1)!.id, alreadyDone: { manifests: 2 } });
    expect(await rematchJobs()).toEqual(before);
    // A re-import is a new generation: one job however often it is asked for.
    expect((await importTargets(ctx.store, [dsaFile]))[0]).toMatchObject({ records: 1 });
    const first = await enqueueRematch(ctx);
    const second = await enqueueRematch(ctx);
    expect(first.created).toBe(true);
    expect(second).toMatchObject({ created: false, jobId: first.jobId });
    // Another import while that job still waits: a job of its own, which the first one covers.
    await new Promise((r) => setTimeout(r, 5));
    expect((await importTargets(ctx.store, [dsaFile]))[0]).toMatchObject({ records: 1 });
    const third = await enqueueRematch(ctx);
    expect(third.created).toBe(true);
    expect(third.generation).not.toBe(first.generation);
    await drain();
    const jobs = (await rematchJobs()).slice(before.length);
    expect(jobs).toHaveLength(2);
    expect(jobs[0]).toMatchObject({ id: first.jobId, state: 'done', result: { generation: third.generation, changed: 0 } });
    expect(jobs[1]).toMatchObject({ id: third.jobId, state: 'done', result: { generation: third.generation, skipped: `already re-matched by job ${first.jobId}` } });
  });

  it('a job whose worker dies mid-way is taken over once its lease lapses, and ends as an uninterrupted run', async () => {
    // Re-issued with a fix below the installed version: the finding goes away on every manifest.
    await writeFile(dsaFile, dashDsa('0.5.12-1'));
    expect((await importTargets(ctx.store, [dsaFile]))[0]).toMatchObject({ records: 1 });
    const req = await enqueueRematch(ctx);
    const dead = await ctx.queue.claim([REMATCH_KIND], 'worker-that-dies');
    expect(dead?.id).toBe(req.jobId);
    // It got through the first manifest, then died (no completion, no failure, no heartbeat).
    await rematchDigests(ctx.store, [digests[0]!]);
    expect(await dashFindings(digests[0]!)).toEqual([]);
    expect(await dashFindings(digests[1]!)).toHaveLength(1);
    // Its lease still holds: nobody else may run it yet.
    expect(await worker.runOnce()).toBe(false);
    await new Promise((r) => setTimeout(r, LEASE_MS + 200));
    await drain();
    const job = (await rematchJobs()).find((j) => j.id === req.jobId)!;
    expect(job).toMatchObject({ state: 'done', attempts: 2, result: { generation: req.generation, manifests: 2 } });
    for (const d of digests) expect(await dashFindings(d)).toEqual([]);
    // What an uninterrupted re-match writes now is exactly what is stored.
    expect(await rematchAll(ctx.store)).toMatchObject({ manifests: 2, changed: 0 });
    // runRematchHere (the CLI's inline path) on a job already done returns its row.
    expect(await runRematchHere(ctx, req.jobId)).toMatchObject({ state: 'done', result: { generation: req.generation } });
  });

  describe('scheduled advisory update', () => {
    let server: Server;
    let url: string;
    // Its own advisory (CVE-2030-0003), next to the file source's CVE-2030-0002.
    const feed = { body: dashDsa('0.5.12-1', 3), etag: '"1"' };

    beforeAll(async () => {
      server = createServer((req, res) => {
        if (req.headers['if-none-match'] === feed.etag) return void res.writeHead(304).end();
        res.writeHead(200, { 'content-type': 'text/plain', etag: feed.etag }).end(feed.body);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/DSA/list`;
    });

    afterAll(async () => {
      await new Promise((r) => server?.close(r));
    });

    it('updates URL sources when due and queues the re-match itself', async () => {
      const now = Date.now();
      const options = { syncEveryMs: 0, rescanAfterMs: 0, advisoryUpdateEveryMs: 3_600_000, tickMs: 1_000 };
      const scheduler = new Scheduler(ctx, options);
      try {
        // Only file sources so far: nothing to fetch.
        expect(await scheduler.tick(now)).toMatchObject({ leader: true, advisoryUpdateQueued: false });
        expect((await importTargets(ctx.store, [url]))[0]).toMatchObject({ records: 1 });
        // Just imported (as a cron's `db update` would): not due yet.
        expect(await scheduler.tick(now + 1)).toMatchObject({ advisoryUpdateQueued: false });
        // Two hours later (the import moved back instead of the clock forward, so the job is ready now).
        await ctx.store.query(`UPDATE advisory_sources SET updated_at = updated_at - 7200000 WHERE id = $1`, [`url:${url}`]);
        expect(await scheduler.tick(now + 2)).toMatchObject({ advisoryUpdateQueued: true });
        expect(await scheduler.tick(now + 3)).toMatchObject({ advisoryUpdateQueued: false });
      } finally {
        await scheduler.stop();
      }
      // The feed now says the installed dash is affected.
      feed.body = dashDsa('0.5.12-9', 3);
      feed.etag = '"2"';
      const jobsBefore = (await rematchJobs()).length;
      await drain();
      const update = await ctx.store.db.selectFrom('jobs').select(['state', 'result']).where('kind', '=', 'advisory-update').executeTakeFirstOrThrow();
      expect(update).toMatchObject({ state: 'done', result: { updated: [`url:${url}`], failed: [] } });
      const jobs = (await rematchJobs()).slice(jobsBefore);
      expect(jobs).toEqual([expect.objectContaining({ id: update.result!.rematchJob, state: 'done' })]);
      for (const d of digests) expect(await dashFindings(d)).toEqual([{ vuln_id: 'CVE-2030-0003', installed_version: '0.5.12-2', fixed_version: '0.5.12-9' }]);
    });
  });
});
