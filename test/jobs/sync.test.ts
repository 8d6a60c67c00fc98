/**
 * Registry sync against a real docker-registry with basic auth: tags become image references,
 * scans are queued for new and moved digests and for failed scans only, the namespace restricts
 * the listing, sync tasks report HSS progress, and deleted tags are removed. On PGlite and PostgreSQL.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncResult } from '../../src/jobs/sync-job.js';
import { createScanTask, enqueueSync, taskProgress } from '../../src/jobs/tasks.js';
import type { Worker } from '../../src/jobs/worker.js';
import { ensureProject } from '../../src/store/projects-repo.js';
import { createRegistry } from '../../src/store/registries-repo.js';
import { createWorker, type ServiceContext } from '../../src/service/context.js';
import { startRegistry, type RunningRegistry } from '../helpers/registry-server.js';
import { openTestService } from './service-fixtures.js';
import { deleteTag, pushAll, tinySpec, writeLayout } from './sync-fixtures.js';

describe.each(['pglite', 'postgres'] as const)('registry sync on %s', (backendName) => {
  let registry: RunningRegistry;
  let ctx: ServiceContext;
  let worker: Worker;
  let layoutDir: string;
  let digests: Map<string, string>;
  let registryId: string;
  let service: Awaited<ReturnType<typeof openTestService>> | undefined;

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
    service = await openTestService(backendName, 'tarsier-sync-data-');
    ctx = service.ctx;
    worker = createWorker(ctx);
    await ensureProject(ctx.store, 'p1');
    registryId = await createRegistry(ctx.store, ctx.box, {
      projectId: 'p1', name: 'local', type: 'Other', protocol: 'http', addr: registry.host, namespace: 'team', username: registry.username, password: registry.password,
    });
  }, 120_000);

  afterAll(async () => {
    await service?.dispose();
    await registry?.stop();
    if (layoutDir) await rm(layoutDir, { recursive: true, force: true });
  });

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

  it('removes references to tags deleted from the registry, keeping the handling overlay and the analyses', async () => {
    const before = await imagesByTag();
    expect(Object.keys(before).sort()).toEqual(['team/app:1.0', 'team/app:2.0', 'team/app:3.0', 'team/app:4.0', 'team/tools/cli:latest']);
    const gone = before['team/app:3.0']!;
    const goneId = (await ctx.store.db.selectFrom('images').select('id').where('registry_id', '=', registryId).where('image_version', '=', '3.0').executeTakeFirstOrThrow()).id;
    // Handling is keyed by project and finding fingerprint, not by reference: it must outlive the tag.
    await ctx.store.db.insertInto('finding_states').values({ project_id: 'p1', kind: 'sensitive', fingerprint: 'fp-on-deleted-tag', state: 'ignored', remark: 'kept', operated_at: 1 }).execute();
    await deleteTag(registry, 'team/app:3.0');
    // The only tag of team/tools/cli: the repository stays in the catalog with no tags.
    await deleteTag(registry, 'team/tools/cli:latest');
    // A sync is queued first, then a task that waits on the doomed tag: the sync removes it before its scan runs.
    const [queued] = await enqueueSync(ctx, 'p1', [registryId]);
    const taskId = await createScanTask(ctx, 'p1', [goneId], 'rescan a tag about to vanish', 'manual');
    await drain();
    const job = await ctx.store.db.selectFrom('jobs').select(['state', 'result', 'last_error']).where('id', '=', queued!.jobId).executeTakeFirstOrThrow();
    expect(job.state, job.last_error ?? '').toBe('done');
    expect(job.result).toMatchObject({ tags: 3, new: 0, upToDate: 3, queued: 0, removed: 2 });
    expect(Object.keys(await imagesByTag()).sort()).toEqual(['team/app:1.0', 'team/app:2.0', 'team/app:4.0']);
    // Its queued scan was cancelled, not run against a missing tag; the task has nothing left to wait for.
    const scan = await ctx.store.db.selectFrom('jobs').select(['state', 'result']).where('kind', '=', 'scan').where('dedupe_key', '=', goneId).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(scan).toMatchObject({ state: 'done', result: { skipped: expect.stringMatching(/deleted from the registry/) } });
    expect(await taskProgress(ctx, taskId)).toMatchObject({ task_status: 100, total_num: 0 });
    expect(await ctx.store.db.selectFrom('finding_sightings').select('image_id').where('image_id', '=', goneId).execute()).toEqual([]);
    // Handling state and the content-addressed analysis stay.
    expect(await ctx.store.db.selectFrom('finding_states').select('remark').where('fingerprint', '=', 'fp-on-deleted-tag').executeTakeFirst()).toEqual({ remark: 'kept' });
    expect(await ctx.store.db.selectFrom('manifests').select('digest').where('digest', '=', gone.digest!).executeTakeFirst()).toEqual({ digest: digests.get('d') });
    // Pushed again, the tag comes back as a new reference and reuses the stored analysis.
    await pushAll(registry, layoutDir, [{ ref: 'd', dest: 'team/app:3.0' }]);
    expect(await syncOnce()).toMatchObject({ tags: 4, new: 1, removed: 0, queued: 1 });
    expect((await imagesByTag())['team/app:3.0']).toMatchObject({ digest: digests.get('d'), scan_status: 'success' });
  });

  it('removes the references a narrower namespace no longer covers, and keeps everything when the listing fails', async () => {
    await pushAll(registry, layoutDir, [{ ref: 'a', dest: 'solo:1' }]);
    const wide = await createRegistry(ctx.store, ctx.box, { projectId: 'p1', name: 'wide', type: 'Other', protocol: 'http', addr: registry.host, username: registry.username, password: registry.password });
    const [first] = await enqueueSync(ctx, 'p1', [wide]);
    await drain();
    const listed = await ctx.store.db.selectFrom('jobs').select('result').where('id', '=', first!.jobId).executeTakeFirstOrThrow();
    expect(listed.result).toMatchObject({ removed: 0 });
    const wideRefs = async (): Promise<string[]> =>
      (await ctx.store.db.selectFrom('images').select(['namespace', 'image_name', 'image_version']).where('registry_id', '=', wide).execute()).map((r) => `${r.namespace}/${r.image_name}:${r.image_version}`).sort();
    expect(await wideRefs()).toContain('/solo:1');
    expect(await wideRefs()).toContain('other/app:1.0');
    // A failing listing (wrong password) removes nothing.
    const sealedPassword = (await ctx.store.db.selectFrom('registries').select('password_enc').where('id', '=', wide).executeTakeFirstOrThrow()).password_enc;
    await ctx.store.db.updateTable('registries').set({ password_enc: ctx.box.seal('wrong') }).where('id', '=', wide).execute();
    const count = (await wideRefs()).length;
    const [failing] = await enqueueSync(ctx, 'p1', [wide]);
    await drain();
    expect((await ctx.store.db.selectFrom('jobs').select('state').where('id', '=', failing!.jobId).executeTakeFirstOrThrow()).state).toBe('failed');
    expect(await wideRefs()).toHaveLength(count);
    // Restricted to `other`: everything else goes without a lookup.
    await ctx.store.db.updateTable('registries').set({ password_enc: sealedPassword, namespace: 'other' }).where('id', '=', wide).execute();
    const [narrow] = await enqueueSync(ctx, 'p1', [wide]);
    await drain();
    const narrowed = await ctx.store.db.selectFrom('jobs').select('result').where('id', '=', narrow!.jobId).executeTakeFirstOrThrow();
    expect(narrowed.result).toMatchObject({ tags: 1, removed: count - 1 });
    expect(await wideRefs()).toEqual(['other/app:1.0']);
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
