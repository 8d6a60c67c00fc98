/**
 * Scan jobs end to end inside one process: a real docker-registry with basic auth, a registered
 * registry with sealed credentials, image references queued, a worker draining the queue.
 * On PGlite and PostgreSQL.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOciLayout } from '../../src/image/build/image-writer.js';
import type { Worker } from '../../src/jobs/worker.js';
import { upsertImage } from '../../src/store/images-repo.js';
import { ensureProject } from '../../src/store/projects-repo.js';
import { createRegistry } from '../../src/store/registries-repo.js';
import { createWorker, type ServiceContext } from '../../src/service/context.js';
import { debianAppSpec } from '../helpers/build-test-images.js';
import { pushImage, startRegistry, type RunningRegistry } from '../helpers/registry-server.js';
import { openTestService } from './service-fixtures.js';

describe.each(['pglite', 'postgres'] as const)('scan jobs against a real registry on %s', (backendName) => {
  let registry: RunningRegistry;
  let ctx: ServiceContext;
  let worker: Worker;
  let layoutDir: string;
  let service: Awaited<ReturnType<typeof openTestService>> | undefined;

  async function drain(): Promise<void> {
    while (await worker.runOnce());
  }

  beforeAll(async () => {
    registry = await startRegistry();
    layoutDir = await mkdtemp(join(tmpdir(), 'tarsier-jobs-layout-'));
    // One layout per image: writeOciLayout owns its index.json.
    await writeOciLayout(debianAppSpec(), join(layoutDir, 'v1'), 'v1');
    await writeOciLayout(debianAppSpec({ zstd: true }), join(layoutDir, 'v2'), 'v2');
    await pushImage(registry, { dir: join(layoutDir, 'v1'), tag: 'v1' }, 'team/app:1.0');
    await pushImage(registry, { dir: join(layoutDir, 'v1'), tag: 'v1' }, 'team/app:1.0-again');
    await pushImage(registry, { dir: join(layoutDir, 'v2'), tag: 'v2' }, 'team/app:2.0');
    service = await openTestService(backendName, 'tarsier-jobs-data-');
    ctx = service.ctx;
    worker = createWorker(ctx);
    await ensureProject(ctx.store, 'p1');
  }, 120_000);

  afterAll(async () => {
    await service?.dispose();
    await registry?.stop();
    if (layoutDir) await rm(layoutDir, { recursive: true, force: true });
  });

  it('scans each reference, analyses each digest once, and records HSS statuses', async () => {
    const regId = await createRegistry(ctx.store, ctx.box, { projectId: 'p1', name: 'local', type: 'Other', protocol: 'http', addr: registry.host, username: registry.username, password: registry.password });
    const ids: string[] = [];
    for (const tag of ['1.0', '1.0-again', '2.0']) {
      const id = await upsertImage(ctx.store, { projectId: 'p1', registryId: regId, imageType: 'private_image', namespace: 'team', imageName: 'app', imageVersion: tag, reference: `${registry.host}/team/app:${tag}` });
      ids.push(id);
      await ctx.queue.enqueue('scan', { imageId: id }, { dedupeKey: id, projectId: 'p1' });
    }
    await drain();
    const images = await ctx.store.db.selectFrom('images').selectAll().where('project_id', '=', 'p1').orderBy('image_version').execute();
    expect(images.map((i) => [i.image_version, i.scan_status, i.failed_code])).toEqual([
      ['1.0', 'success', null],
      ['1.0-again', 'success', null],
      ['2.0', 'success', null],
    ]);
    // Two tags of the same digest share one analysis; the zstd variant is another digest.
    expect(images[0]!.digest).toBe(images[1]!.digest);
    expect(images[2]!.digest).not.toBe(images[0]!.digest);
    const jobs = await ctx.store.db.selectFrom('jobs').select(['state', 'result']).where('kind', '=', 'scan').orderBy('id').execute();
    expect(jobs.map((j) => [j.state, j.result?.analysed])).toEqual([['done', true], ['done', false], ['done', true]]);
    const manifest = await ctx.store.db.selectFrom('manifests').select(['os_family', 'os_version']).where('digest', '=', images[0]!.digest!).executeTakeFirstOrThrow();
    expect(manifest).toEqual({ os_family: 'debian', os_version: '12' });
    // The registry password is stored sealed, never in clear.
    const reg = await ctx.store.db.selectFrom('registries').select(['password_enc', 'username_enc']).where('id', '=', regId).executeTakeFirstOrThrow();
    expect(reg.password_enc).not.toContain(registry.password);
    expect(reg.username_enc).not.toContain(registry.username);
  });

  it('a wrong password fails at once with authentication_failed; a missing tag with get_detail_info_not_found', async () => {
    const bad = await createRegistry(ctx.store, ctx.box, { projectId: 'p1', name: 'bad-creds', type: 'Other', protocol: 'http', addr: registry.host, username: registry.username, password: 'wrong' });
    const good = (await ctx.store.db.selectFrom('registries').select('id').where('name', '=', 'local').executeTakeFirstOrThrow()).id;
    const denied = await upsertImage(ctx.store, { projectId: 'p1', registryId: bad, imageType: 'private_image', namespace: 'team', imageName: 'app', imageVersion: '1.0', reference: `${registry.host}/team/app:1.0` });
    const missing = await upsertImage(ctx.store, { projectId: 'p1', registryId: good, imageType: 'private_image', namespace: 'team', imageName: 'app', imageVersion: 'nope', reference: `${registry.host}/team/app:nope` });
    await ctx.queue.enqueue('scan', { imageId: denied }, { dedupeKey: denied });
    await ctx.queue.enqueue('scan', { imageId: missing }, { dedupeKey: missing });
    await drain();
    const rows = await ctx.store.db.selectFrom('images').select(['id', 'scan_status', 'failed_code', 'failed_reason']).where('id', 'in', [denied, missing]).execute();
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect(byId[denied]).toMatchObject({ scan_status: 'failed', failed_code: 'authentication_failed' });
    expect(byId[denied]!.failed_reason).toMatch(/team\/app/);
    expect(byId[missing]).toMatchObject({ scan_status: 'failed', failed_code: 'get_detail_info_not_found' });
    const attempts = await ctx.store.db.selectFrom('jobs').select(['attempts', 'state']).where('state', '=', 'failed').execute();
    expect(attempts.every((a) => a.attempts === 1)).toBe(true);
  });

  it('an unreachable registry is retried with backoff, then marked download_failed', async () => {
    const gone = await createRegistry(ctx.store, ctx.box, { projectId: 'p1', name: 'gone', type: 'Other', protocol: 'http', addr: '127.0.0.1:1' });
    const id = await upsertImage(ctx.store, { projectId: 'p1', registryId: gone, imageType: 'private_image', imageName: 'x', imageVersion: '1', reference: '127.0.0.1:1/x:1' });
    const { id: jobId } = await ctx.queue.enqueue('scan', { imageId: id }, { maxAttempts: 2 });
    await drain();
    let row = await ctx.store.db.selectFrom('images').select(['scan_status']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.scan_status).toBe('waiting_for_scan');
    // Make the retry due now instead of waiting out the backoff.
    await ctx.store.db.updateTable('jobs').set({ run_after: 0 }).where('id', '=', jobId).execute();
    await drain();
    row = await ctx.store.db.selectFrom('images').select(['scan_status', 'failed_code']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ scan_status: 'download_failed', failed_code: 'download_failed' });
  }, 120_000);
});
