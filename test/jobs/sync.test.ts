/**
 * Registry sync against a real docker-registry with basic auth: tags become image references,
 * scans are queued for new and moved digests and for failed scans only, the namespace restricts
 * the listing, and sync tasks report HSS progress.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncResult } from '../../src/jobs/sync-job.js';
import { enqueueSync, taskProgress } from '../../src/jobs/tasks.js';
import type { Worker } from '../../src/jobs/worker.js';
import { ensureProject } from '../../src/store/projects-repo.js';
import { createRegistry } from '../../src/store/registries-repo.js';
import { createWorker, openServiceContext, type ServiceContext } from '../../src/service/context.js';
import { startRegistry, type RunningRegistry } from '../helpers/registry-server.js';
import { pushAll, tinySpec, writeLayout } from './sync-fixtures.js';

let registry: RunningRegistry;
let ctx: ServiceContext;
let worker: Worker;
let dataDir: string;
let layoutDir: string;
let digests: Map<string, string>;
let registryId: string;

async function drain(): Promise<void> {
  while (await worker.runOnce());
}

async function syncOnce(options: { taskType?: 'manualSync' } = {}): Promise<SyncResult> {
  const [queued] = await enqueueSync(ctx, 'p1', [registryId], options);
  await drain();
  const job = await ctx.store.db.selectFrom('jobs').select(['state', 'result', 'last_error']).where('id', '=', queued!.jobId).executeTakeFirstOrThrow();
  expect(job.state, job.last_error ?? '').toBe('done');
  return job.result as SyncResult;
}

async function imagesByTag(): Promise<Record<string, { digest: string | null; tag_digest: string | null; scan_status: string; image_type: string; namespace: string; image_name: string }>> {
  const rows = await ctx.store.db.selectFrom('images').selectAll().where('registry_id', '=', registryId).execute();
  return Object.fromEntries(rows.map((r) => [`${r.namespace}/${r.image_name}:${r.image_version}`, r]));
}

async function scanJobCount(): Promise<number> {
  const rows = await ctx.store.db.selectFrom('jobs').select('id').where('kind', '=', 'scan').execute();
  return rows.length;
}

beforeAll(async () => {
  registry = await startRegistry();
  layoutDir = await mkdtemp(join(tmpdir(), 'tarsier-sync-layout-'));
  digests = await writeLayout(layoutDir, [
    { ref: 'a', spec: tinySpec('a') },
    { ref: 'b', spec: tinySpec('b') },
    { ref: 'c', spec: tinySpec('c') },
    { ref: 'd', spec: tinySpec('d') },
  ]);
  await pushAll(registry, layoutDir, [
    { ref: 'a', dest: 'team/app:1.0' },
    { ref: 'b', dest: 'team/app:2.0' },
    { ref: 'c', dest: 'team/tools/cli:latest' },
    // Outside the registry's namespace: never synced.
    { ref: 'a', dest: 'other/app:1.0' },
  ]);
  dataDir = await mkdtemp(join(tmpdir(), 'tarsier-sync-data-'));
  if (process.env.TARSIER_PGLITE_TEMPLATE) await cp(process.env.TARSIER_PGLITE_TEMPLATE, dataDir, { recursive: true });
  ctx = await openServiceContext({ dataDir, leaseMs: 5_000 });
  worker = createWorker(ctx);
  await ensureProject(ctx.store, 'p1');
  registryId = await createRegistry(ctx.store, ctx.box, {
    projectId: 'p1', name: 'local', type: 'Other', protocol: 'http', addr: registry.host, namespace: 'team', username: registry.username, password: registry.password,
  });
}, 120_000);

afterAll(async () => {
  await ctx?.close();
  await registry?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  if (layoutDir) await rm(layoutDir, { recursive: true, force: true });
});

describe('registry sync', () => {
  it('records every tag of the namespace with its digest and scans each once', async () => {
    const result = await syncOnce();
    expect(result).toMatchObject({ tags: 3, new: 3, changed: 0, upToDate: 0, queued: 3 });
    const images = await imagesByTag();
    expect(Object.keys(images).sort()).toEqual(['team/app:1.0', 'team/app:2.0', 'team/tools/cli:latest']);
    expect(images['team/app:1.0']).toMatchObject({ image_type: 'private_image', tag_digest: digests.get('a'), digest: digests.get('a'), scan_status: 'success' });
    expect(images['team/tools/cli:latest']).toMatchObject({ namespace: 'team', image_name: 'tools/cli', digest: digests.get('c'), scan_status: 'success' });
    const reg = await ctx.store.db.selectFrom('registries').select('last_sync_at').where('id', '=', registryId).executeTakeFirstOrThrow();
    expect(reg.last_sync_at).toBeGreaterThan(0);
  });

  it('skips unchanged digests, and picks up a newly pushed tag and a moved one', async () => {
    const scansBefore = await scanJobCount();
    const again = await syncOnce();
    expect(again).toMatchObject({ tags: 3, new: 0, changed: 0, upToDate: 3, queued: 0 });
    expect(await scanJobCount()).toBe(scansBefore);

    await pushAll(registry, layoutDir, [
      { ref: 'd', dest: 'team/app:3.0' },
      // 2.0 now names another image.
      { ref: 'c', dest: 'team/app:2.0' },
    ]);
    const next = await syncOnce();
    expect(next).toMatchObject({ tags: 4, new: 1, changed: 1, upToDate: 2, queued: 2 });
    expect(await scanJobCount()).toBe(scansBefore + 2);
    const images = await imagesByTag();
    expect(images['team/app:3.0']).toMatchObject({ digest: digests.get('d'), scan_status: 'success' });
    expect(images['team/app:2.0']).toMatchObject({ tag_digest: digests.get('c'), digest: digests.get('c'), scan_status: 'success' });
    // The moved tag's new digest was analysed already (team/tools/cli): reused, not analysed again.
    const last = await ctx.store.db.selectFrom('jobs').select(['result']).where('kind', '=', 'scan').orderBy('id', 'desc').limit(2).execute();
    expect(last.map((j) => j.result?.analysed).sort()).toEqual([false, true]);
  });

  it('queues again an image whose last scan failed, and a tag moved while its old digest was being scanned', async () => {
    await ctx.store.db.updateTable('images').set({ scan_status: 'failed', failed_code: 'download_failed' }).where('registry_id', '=', registryId).where('image_version', '=', '1.0').execute();
    // As if a scan had begun before the tag moved: it covered the old digest.
    await ctx.store.db.updateTable('images').set({ scanned_tag_digest: digests.get('b') }).where('registry_id', '=', registryId).where('image_version', '=', '2.0').execute();
    const result = await syncOnce();
    expect(result).toMatchObject({ tags: 4, new: 0, changed: 0, upToDate: 2, queued: 2 });
    const images = await imagesByTag();
    expect(images['team/app:1.0']!.scan_status).toBe('success');
  });

  it('a manual sync records its scans as a task with HSS progress', async () => {
    await pushAll(registry, layoutDir, [{ ref: 'b', dest: 'team/app:4.0' }]);
    const result = await syncOnce({ taskType: 'manualSync' });
    expect(result).toMatchObject({ new: 1, queued: 1 });
    expect(result.taskId).toBeTypeOf('string');
    const progress = await taskProgress(ctx, result.taskId!, { projectId: 'p1' });
    expect(progress).toMatchObject({ task_type: 'manualSync', task_status: 100, total_num: 1, success_num: 1, failed_num: 0, failed_images: [] });
    expect(progress!.end_time).toBeGreaterThanOrEqual(progress!.begin_time);
    // Another project cannot read it.
    expect(await taskProgress(ctx, result.taskId!, { projectId: 'p2' })).toBeUndefined();
  });

  it('a registry with wrong credentials fails the sync at once with an authentication error', async () => {
    const bad = await createRegistry(ctx.store, ctx.box, { projectId: 'p1', name: 'bad', type: 'Other', protocol: 'http', addr: registry.host, username: registry.username, password: 'nope' });
    const [queued] = await enqueueSync(ctx, 'p1', [bad]);
    await drain();
    const job = await ctx.store.db.selectFrom('jobs').select(['state', 'attempts', 'last_error']).where('id', '=', queued!.jobId).executeTakeFirstOrThrow();
    expect(job).toMatchObject({ state: 'failed', attempts: 1 });
    expect(job.last_error).toMatch(/authentication failed/);
    await expect(enqueueSync(ctx, 'p1', ['no-such-registry'])).rejects.toThrow(/not found in project p1/);
  });
});
