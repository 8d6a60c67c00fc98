/**
 * Scan tasks (HSS /image/tasks progress, stop, timeout, error), settled by the worker's outcome
 * hook; and the scheduler: one leader across instances, syncs and rescans queued once when due.
 * Runs on PGlite and PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TarsierError } from '../../src/errors.js';
import { JobQueue } from '../../src/jobs/queue.js';
import { Scheduler } from '../../src/jobs/schedule.js';
import { removeReferences } from '../../src/jobs/sync-reconcile.js';
import { createScanTask, listScanTasks, settleScanOutcome, settleStrandedScans, stopScanTask, taskProgress } from '../../src/jobs/tasks.js';
import { TenantScope } from '../../src/api/tenancy.js';
import { listTaskIds } from '../../src/store/queries/scan-tasks.js';
import { Worker } from '../../src/jobs/worker.js';
import { setScanStatus, upsertImage } from '../../src/store/images-repo.js';
import type { Store } from '../../src/store/open-store.js';
import { ensureProject } from '../../src/store/projects-repo.js';
import { createRegistry } from '../../src/store/registries-repo.js';
import { SecretBox } from '../../src/store/secret-box.js';
import { backends } from '../helpers/stores.js';

const digest = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;

describe.each(backends)('scan tasks and scheduler on $name', (backend) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let queue: JobQueue;
  /** imageId → what the fake scan does. */
  const behaviour = new Map<string, { digest: string } | { fail: TarsierError }>();
  let worker: Worker;
  let n = 0;

  async function image(name: string, projectId = 'p1', enterpriseProjectId?: string): Promise<string> {
    return upsertImage(store, { projectId, enterpriseProjectId, imageType: 'private_image', namespace: 'ns', imageName: name, imageVersion: '1', reference: `reg.example/ns/${name}:1` });
  }

  async function imageRow(id: string): Promise<{ scan_status: string; failed_code: string | null; failed_reason: string | null }> {
    return store.db.selectFrom('images').select(['scan_status', 'failed_code', 'failed_reason']).where('id', '=', id).executeTakeFirstOrThrow();
  }

  async function drain(): Promise<void> {
    while (await worker.runOnce());
  }

  beforeAll(async () => {
    ({ store, dispose } = await backend.create());
    queue = new JobQueue(store, { leaseMs: 5_000, backoffBaseMs: 10, backoffMaxMs: 10 });
    await ensureProject(store, 'p1');
    await ensureProject(store, 'p2');
    // A manifest with one vulnerability, so an image scanned at digest(1) counts as risky.
    await store.db.insertInto('manifests').values({ digest: digest(1), config_digest: digest(100), size: 1, platform: 'linux/amd64', os_family: null, os_version: null, analyzed_at: 0, inventory: '{}' }).execute();
    await store.db.insertInto('manifests').values({ digest: digest(2), config_digest: digest(101), size: 1, platform: 'linux/amd64', os_family: null, os_version: null, analyzed_at: 0, inventory: '{}' }).execute();
    await store.db.insertInto('vuln_findings').values({ manifest_digest: digest(1), vuln_id: 'CVE-2024-0001', aliases: [], package_type: 'deb', package_name: 'x', installed_version: '1', fixed_version: '2', status: 'fixed', severity: 'high', cvss_score: null, title: null, source: 't', layer_diff_id: null, package_path: null, solution: null, url: null }).execute();
    worker = new Worker({
      store,
      queue,
      handlers: {
        scan: async (job) => {
          const b = behaviour.get(String(job.payload.imageId));
          if (!b) throw new Error('unexpected scan');
          if ('fail' in b) throw b.fail;
          await setScanStatus(store, String(job.payload.imageId), { status: 'success', digest: b.digest, scannedAt: Date.now() });
          return { imageId: job.payload.imageId };
        },
      },
      onOutcome: (job, outcome, failure) => settleScanOutcome(store, job, outcome, failure),
    });
  });

  afterAll(async () => {
    await dispose?.();
  });

  it('reports progress, success, failures with their codes, and risky images', async () => {
    const [a, b, c] = [await image(`a${++n}`), await image(`b${n}`), await image(`c${n}`)];
    behaviour.set(a, { digest: digest(1) });
    behaviour.set(b, { fail: new TarsierError('auth', 'registry reg.example: authentication failed (401)') });
    behaviour.set(c, { digest: digest(2) });
    const taskId = await createScanTask({ store, queue }, 'p1', [a, b, c, a], 'nightly', 'manual');
    let p = await taskProgress({ store }, taskId, { projectId: 'p1' });
    expect(p).toMatchObject({ task_name: 'nightly', task_type: 'manual', task_status: 0, total_num: 3, success_num: 0, failed_num: 0, end_time: null });
    const statuses = await store.db.selectFrom('images').select('scan_status').where('id', 'in', [a, b, c]).execute();
    expect(statuses.every((s) => s.scan_status === 'waiting_for_scan')).toBe(true);
    await worker.runOnce();
    p = await taskProgress({ store }, taskId);
    expect(p!.task_status).toBe(33);
    await drain();
    p = await taskProgress({ store }, taskId);
    expect(p).toMatchObject({ task_status: 100, total_num: 3, success_num: 2, failed_num: 1, risky_num: 1 });
    expect(p!.end_time).toBeGreaterThan(0);
    expect(p!.failed_images).toEqual([
      expect.objectContaining({ image_id: b, namespace: 'ns', image_name: `b${n}`, image_version: '1', failed_code: 'authentication_failed', failed_reason: expect.stringMatching(/401/) }),
    ]);
  });

  it('settles every task waiting for an image that one scan served', async () => {
    const a = await image(`shared${++n}`);
    behaviour.set(a, { digest: digest(2) });
    const t1 = await createScanTask({ store, queue }, 'p1', [a], 'one', 'manual');
    const t2 = await createScanTask({ store, queue }, 'p1', [a], 'two', 'cycle');
    const jobs = await store.db.selectFrom('jobs').select('id').where('dedupe_key', '=', a).execute();
    expect(jobs).toHaveLength(1);
    await drain();
    expect((await taskProgress({ store }, t1))!.task_status).toBe(100);
    expect((await taskProgress({ store }, t2))!.task_status).toBe(100);
  });

  it('rejects unknown images, images of another project, and bad types', async () => {
    const other = await image(`theirs${++n}`, 'p2');
    await expect(createScanTask({ store, queue }, 'p1', [other], 'x', 'manual')).rejects.toMatchObject({ code: 'not_found' });
    await expect(createScanTask({ store, queue }, 'p1', [], 'x', 'weekly' as 'manual')).rejects.toMatchObject({ code: 'usage' });
    await expect(createScanTask({ store, queue }, 'p1', [], '', 'manual')).rejects.toMatchObject({ code: 'usage' });
  });

  it('stops a task (-1): its own queued scans are cancelled, scans another task waits for are kept', async () => {
    const [own, shared] = [await image(`own${++n}`), await image(`sh${n}`)];
    await setScanStatus(store, own, { status: 'success', digest: digest(2), scannedAt: 1 });
    const t1 = await createScanTask({ store, queue }, 'p1', [own, shared], 'stop me', 'manual');
    const t2 = await createScanTask({ store, queue }, 'p1', [shared], 'keep', 'manual');
    expect(await stopScanTask({ store, queue }, 'p2', t1)).toBe(false);
    expect(await stopScanTask({ store, queue }, 'p1', t1)).toBe(true);
    expect((await taskProgress({ store }, t1))!.task_status).toBe(-1);
    const jobs = await store.db.selectFrom('jobs').select(['dedupe_key', 'state']).where('dedupe_key', 'in', [own, shared]).execute();
    expect(Object.fromEntries(jobs.map((j) => [j.dedupe_key, j.state]))).toEqual({ [own]: 'failed', [shared]: 'queued' });
    const ownRow = await store.db.selectFrom('images').select('scan_status').where('id', '=', own).executeTakeFirstOrThrow();
    expect(ownRow.scan_status).toBe('success');
    behaviour.set(shared, { digest: digest(2) });
    await drain();
    expect((await taskProgress({ store }, t2))!.task_status).toBe(100);
    expect((await taskProgress({ store }, t1))!.task_status).toBe(-1);
  });

  it('a task whose images all failed is -3; one still waiting past the timeout is -2', async () => {
    const bad = await image(`bad${++n}`);
    behaviour.set(bad, { fail: new TarsierError('not_found', 'tag 1 not found') });
    const failed = await createScanTask({ store, queue }, 'p1', [bad], 'all fail', 'manual');
    await drain();
    expect((await taskProgress({ store }, failed))!.task_status).toBe(-3);
    const slow = await image(`slow${++n}`);
    const waiting = await createScanTask({ store, queue }, 'p1', [slow], 'slow', 'manual');
    expect((await taskProgress({ store }, waiting))!.task_status).toBe(0);
    expect((await taskProgress({ store }, waiting, { now: Date.now() + 25 * 3_600_000 }))!.task_status).toBe(-2);
    await stopScanTask({ store, queue }, 'p1', waiting);
    const page = await listScanTasks({ store }, 'p1', { offset: 0, limit: 2 });
    expect(page.total_num).toBeGreaterThanOrEqual(6);
    expect(page.data_list.map((t) => t.task_id)).toEqual([waiting, failed]);
    expect((await listScanTasks({ store }, 'p1', { taskType: 'cycle' })).data_list.every((t) => t.task_type === 'cycle')).toBe(true);
  });

  it('a scan whose worker dies on its last attempt fails the image (unknown_error) and completes the task', async () => {
    const img = await image(`dies${++n}`);
    const start = Date.now() - 60_000;
    const taskId = await createScanTask({ store, queue }, 'p1', [img], 'dies every time', 'manual', { now: start });
    // Three attempts, each taken by a worker that dies (its 5 s lease lapses, nothing completes it).
    for (let attempt = 1; attempt <= 3; attempt++) {
      const job = await queue.claim(['scan'], `dead-${attempt}`, start + attempt * 10_000);
      expect(job).toMatchObject({ attempts: attempt, payload: { imageId: img } });
      await setScanStatus(store, img, { status: 'scanning' });
    }
    expect((await taskProgress({ store }, taskId))!.task_status).toBe(0);
    // The next claim gives it up instead of running it a fourth time.
    expect(await worker.runOnce()).toBe(false);
    const job = await store.db.selectFrom('jobs').select(['state', 'attempts', 'last_error']).where('dedupe_key', '=', img).executeTakeFirstOrThrow();
    expect(job).toMatchObject({ state: 'failed', attempts: 4 });
    expect(await imageRow(img)).toEqual({ scan_status: 'failed', failed_code: 'unknown_error', failed_reason: expect.stringMatching(/stopped responding on its last attempt/) });
    const p = await taskProgress({ store }, taskId);
    expect(p).toMatchObject({ task_status: -3, total_num: 1, failed_num: 1, failed_images: [expect.objectContaining({ image_id: img, failed_code: 'unknown_error' })] });
    expect(p!.end_time).toBeGreaterThan(0);
  });

  it('a retryable failure on every attempt ends in the HSS status and code of the last one', async () => {
    const img = await image(`flaky${++n}`);
    behaviour.set(img, { fail: new TarsierError('network', 'registry reg.example: request timed out after 30 s') });
    const taskId = await createScanTask({ store, queue }, 'p1', [img], 'flaky', 'manual');
    for (let i = 0; i < 200 && (await taskProgress({ store }, taskId))!.task_status === 0; i++) {
      if (!(await worker.runOnce())) await new Promise((r) => setTimeout(r, 10));
    }
    const job = await store.db.selectFrom('jobs').select(['state', 'attempts']).where('dedupe_key', '=', img).executeTakeFirstOrThrow();
    expect(job).toEqual({ state: 'failed', attempts: 3 });
    expect(await imageRow(img)).toMatchObject({ scan_status: 'download_failed', failed_code: 'response_timed_out' });
    expect(await taskProgress({ store }, taskId)).toMatchObject({ task_status: -3, failed_num: 1, failed_images: [expect.objectContaining({ failed_code: 'response_timed_out' })] });
  });

  it('settles task images a worker left waiting when it died between ending a job and its outcome hook', async () => {
    const [ok, bad] = [await image(`hookless-ok${++n}`), await image(`hookless-bad${n}`)];
    const taskId = await createScanTask({ store, queue }, 'p1', [ok, bad], 'hookless', 'manual');
    // A queue without the worker around it: jobs end, nothing settles the task.
    for (let i = 0; i < 2; i++) {
      const job = (await queue.claim(['scan'], 'bare'))!;
      await setScanStatus(store, String(job.payload.imageId), { status: 'scanning' });
      if (job.payload.imageId === ok) {
        await setScanStatus(store, ok, { status: 'success', digest: digest(2), scannedAt: Date.now() });
        await queue.complete(job.id, 'bare');
      } else {
        expect(await queue.fail(job, 'bare', 'killed before recording', false)).toBe('failed');
      }
    }
    expect((await taskProgress({ store }, taskId))!.task_status).toBe(0);
    expect(await settleStrandedScans(store)).toBe(2);
    expect(await taskProgress({ store }, taskId)).toMatchObject({ task_status: 100, success_num: 1, failed_num: 1 });
    expect((await taskProgress({ store }, taskId))!.end_time).toBeGreaterThan(0);
    expect(await imageRow(bad)).toEqual({ scan_status: 'failed', failed_code: 'unknown_error', failed_reason: 'killed before recording' });
    expect((await imageRow(ok)).scan_status).toBe('success');
    // Nothing left to settle; a task still waiting on a queued scan is left alone.
    const pending = await createScanTask({ store, queue }, 'p1', [await image(`pending${n}`)], 'pending', 'manual');
    expect(await settleStrandedScans(store)).toBe(0);
    expect((await taskProgress({ store }, pending))!.task_status).toBe(0);
    await stopScanTask({ store, queue }, 'p1', pending);
  });

  it('tasks carry an enterprise project and are listed by it', async () => {
    const [a, b] = [await image(`ep-a${++n}`, 'p1', 'ep-a'), await image(`ep-b${n}`, 'p1', 'ep-b')];
    const ta = await createScanTask({ store, queue }, 'p1', [a], 'in ep-a', 'manual', { enterpriseProjectId: 'ep-a' });
    const tb = await createScanTask({ store, queue }, 'p1', [b], 'in ep-b', 'manual', { enterpriseProjectId: 'ep-b' });
    expect((await taskProgress({ store }, ta))!.enterprise_project_id).toBe('ep-a');
    expect((await listScanTasks({ store }, 'p1', { enterpriseProjectId: 'ep-b' })).data_list.map((t) => t.task_id)).toEqual([tb]);
    const page = { taskTypes: ['manual'], offset: 0, limit: 100 };
    expect((await listTaskIds(store, new TenantScope('p1', ['ep-a'], 'ep-a'), page)).rows).toEqual([ta]);
    expect((await listTaskIds(store, new TenantScope('p1', ['ep-a', 'ep-b'], 'ep-a'), page)).rows).toEqual([tb, ta]);
    expect((await listTaskIds(store, new TenantScope('p2', undefined, '0'), page)).rows).not.toContain(ta);
    for (const t of [ta, tb]) await stopScanTask({ store, queue }, 'p1', t);
  });

  it('a finished task keeps its history when a sync removes its references; a running one stops waiting for them', async () => {
    const box = SecretBox.fromKey(randomBytes(32));
    const reg = await createRegistry(store, box, { projectId: 'p1', name: `history${++n}`, type: 'Harbor', protocol: 'https', addr: 'harbor.example' });
    const ref = (name: string) => upsertImage(store, { projectId: 'p1', registryId: reg, imageType: 'harbor', namespace: 'lib', imageName: name, imageVersion: '1', reference: `harbor.example/lib/${name}:1` });
    const [risky, clean, broken, later, whitelisted, unsigned] = [
      await ref(`risky${n}`), await ref(`clean${n}`), await ref(`broken${n}`), await ref(`later${n}`), await ref(`whitelisted${n}`), await ref(`unsigned${n}`),
    ];
    // Its only secret lies under a path the project whitelisted: not risky, before and after its removal.
    await store.db.insertInto('manifests').values({ digest: digest(3), config_digest: digest(102), size: 1, platform: 'linux/amd64', os_family: null, os_version: null, analyzed_at: 0, inventory: '{}' }).execute();
    await store.db.insertInto('sensitive_findings').values({ manifest_digest: digest(3), fingerprint: 'fp-wl', key: 'password', severity: 'high', path: 'opt/vendor/conf.ini', layer_digest: digest(4), layer_diff_id: digest(5), md5: '0'.repeat(32), line: 1, masked: 'pass****', visible: true }).execute();
    await store.db.insertInto('sensitive_path_whitelist').values({ project_id: 'p1', path: '/opt/vendor/', created_at: 1 }).execute();
    behaviour.set(whitelisted, { digest: digest(3) });
    behaviour.set(risky, { digest: digest(1) });
    behaviour.set(clean, { digest: digest(2) });
    behaviour.set(broken, { fail: new TarsierError('not_found', 'harbor.example/lib/broken:1: manifest unknown') });
    // A clean digest, but its registry answered that this reference is not signed (BCR-021): risky.
    behaviour.set(unsigned, { digest: digest(2) });
    await store.db.updateTable('images').set({ signed: false, signature_checked_at: 1 }).where('id', '=', unsigned).execute();
    const done = await createScanTask({ store, queue }, 'p1', [risky, clean, broken, whitelisted, unsigned], 'finished before the removal', 'manual');
    await drain();
    const before = await taskProgress({ store }, done);
    expect(before).toMatchObject({ task_status: 100, total_num: 5, success_num: 4, failed_num: 1, risky_num: 2 });
    // A stopped task keeps its waiting image; a running task has one settled image and one still waiting.
    const stopped = await createScanTask({ store, queue }, 'p1', [later], 'stopped', 'manual');
    await stopScanTask({ store, queue }, 'p1', stopped);
    const stoppedBefore = await taskProgress({ store }, stopped);
    behaviour.set(later, { digest: digest(2) });
    const running = await createScanTask({ store, queue }, 'p1', [clean, later], 'running', 'manual');
    await worker.runOnce();
    const settledFirst = (await store.db.selectFrom('scan_task_images').select(['image_id', 'state']).where('task_id', '=', running).execute()).find((r) => r.state === 'success')!.image_id;
    const stillWaiting = settledFirst === clean ? later : clean;

    // The registry no longer has any of them.
    expect(await removeReferences(store, reg, [risky, clean, broken, later, whitelisted, unsigned], Date.now() + 1)).toBe(6);
    expect(await taskProgress({ store }, done)).toEqual(before);
    expect(await taskProgress({ store }, stopped)).toEqual(stoppedBefore);
    const after = (await taskProgress({ store }, running))!;
    expect(after).toMatchObject({ task_status: 100, total_num: 1, success_num: 1 });
    expect(await store.db.selectFrom('scan_task_images').select('image_id').where('task_id', '=', running).where('image_id', '=', stillWaiting).execute()).toEqual([]);
    // The failed image is still listed as it was, with its registry.
    expect(before!.failed_images).toEqual([expect.objectContaining({ image_id: broken, registry_id: reg, registry_name: `history${n}`, registry_type: 'Harbor', namespace: 'lib', image_name: `broken${n}`, failed_code: 'get_detail_info_not_found' })]);
    // Risky stays risky even when the analysis it was judged on is gone.
    await store.db.deleteFrom('vuln_findings').where('manifest_digest', '=', digest(1)).execute();
    expect((await taskProgress({ store }, done))!.risky_num).toBe(2);
    await store.db.insertInto('vuln_findings').values({ manifest_digest: digest(1), vuln_id: 'CVE-2024-0001', aliases: [], package_type: 'deb', package_name: 'x', installed_version: '1', fixed_version: '2', status: 'fixed', severity: 'high', cvss_score: null, title: null, source: 't', layer_diff_id: null, package_path: null, solution: null, url: null }).execute();
    // A tag pushed again is a new reference; the old task still counts the old one only.
    const back = await ref(`risky${n}`);
    expect(back).not.toBe(risky);
    expect(await taskProgress({ store }, done)).toEqual(before);
  });

  it('one scheduler leads at a time; due syncs and rescans are queued once', async () => {
    const box = SecretBox.fromKey(randomBytes(32));
    const regA = await createRegistry(store, box, { projectId: 'p1', name: `never-synced${++n}`, type: 'Other', protocol: 'https', addr: 'reg.example' });
    const regB = await createRegistry(store, box, { projectId: 'p2', name: `fresh${n}`, type: 'Harbor', protocol: 'https', addr: 'harbor.example' });
    await store.db.updateTable('registries').set({ last_sync_at: Date.now() }).where('id', '=', regB).execute();
    const old = await upsertImage(store, { projectId: 'p1', registryId: regA, imageType: 'private_image', imageName: 'old', imageVersion: '1', reference: 'reg.example/old:1' });
    const recent = await upsertImage(store, { projectId: 'p1', registryId: regA, imageType: 'private_image', imageName: 'recent', imageVersion: '1', reference: 'reg.example/recent:1' });
    const now = Date.now();
    await setScanStatus(store, old, { status: 'success', digest: digest(2), scannedAt: now - 48 * 3_600_000 });
    await setScanStatus(store, recent, { status: 'success', digest: digest(2), scannedAt: now - 3_600_000 });

    const options = { syncEveryMs: 60 * 60_000, rescanAfterMs: 24 * 3_600_000, tickMs: 1_000 };
    const s1 = new Scheduler({ store, queue }, options);
    const s2 = new Scheduler({ store, queue }, options);
    const first = await s1.tick(now);
    expect(first).toMatchObject({ leader: true, rescansQueued: 1 });
    expect(first.syncsQueued).toBeGreaterThanOrEqual(1);
    expect(await s2.tick(now)).toEqual({ leader: false, syncsQueued: 0, rescansQueued: 0, advisoryUpdateQueued: false, gcQueued: false });
    // Nothing is due twice, whoever leads.
    expect(await s1.tick(now + 1)).toEqual({ leader: true, syncsQueued: 0, rescansQueued: 0, advisoryUpdateQueued: false, gcQueued: false });
    const syncs = await store.db.selectFrom('jobs').select(['payload']).where('kind', '=', 'sync').execute();
    expect(syncs.map((s) => s.payload.registryId)).toContain(regA);
    expect(syncs.map((s) => s.payload.registryId)).not.toContain(regB);
    expect(syncs.find((s) => s.payload.registryId === regA)!.payload.taskType).toBe('autoSync');
    const cycle = await listScanTasks({ store }, 'p1', { taskType: 'cycle', limit: 1 });
    expect(cycle.data_list[0]).toMatchObject({ total_num: 1, task_type: 'cycle', enterprise_project_id: '0' });
    // The leader goes away: the other takes over once the lease is released (or lapses).
    await s1.stop();
    expect((await s2.tick(now + 2)).leader).toBe(true);
    expect((await s1.tick(now + 3)).leader).toBe(false);
    expect((await s1.tick(now + 3 * 1_000 + 10)).leader).toBe(true);
    await s1.stop();
    await s2.stop();
  });

  it('a started scheduler ticks on its own and lets go of the lease when stopped', async () => {
    const box = SecretBox.fromKey(randomBytes(32));
    const reg = await createRegistry(store, box, { projectId: 'p1', name: `timed${++n}`, type: 'Other', protocol: 'https', addr: 'reg.example' });
    const s = new Scheduler({ store, queue }, { syncEveryMs: 60_000, rescanAfterMs: 0, tickMs: 50 });
    s.start();
    try {
      for (let i = 0; i < 100; i++) {
        const job = await store.db.selectFrom('jobs').select('id').where('kind', '=', 'sync').where('dedupe_key', '=', reg).executeTakeFirst();
        if (job) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await s.stop();
    }
    expect(await store.db.selectFrom('jobs').select('id').where('kind', '=', 'sync').where('dedupe_key', '=', reg).execute()).toHaveLength(1);
    const lock = await store.db.selectFrom('scan_locks').select('owner').where('name', '=', 'scheduler').executeTakeFirst();
    expect(lock).toBeUndefined();
  });
});
