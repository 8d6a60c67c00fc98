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
import { createScanTask, listScanTasks, settleScanOutcome, stopScanTask, taskProgress } from '../../src/jobs/tasks.js';
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

  async function image(name: string, projectId = 'p1'): Promise<string> {
    return upsertImage(store, { projectId, imageType: 'private_image', namespace: 'ns', imageName: name, imageVersion: '1', reference: `reg.example/ns/${name}:1` });
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
    expect(await s2.tick(now)).toEqual({ leader: false, syncsQueued: 0, rescansQueued: 0 });
    // Nothing is due twice, whoever leads.
    expect(await s1.tick(now + 1)).toEqual({ leader: true, syncsQueued: 0, rescansQueued: 0 });
    const syncs = await store.db.selectFrom('jobs').select(['payload']).where('kind', '=', 'sync').execute();
    expect(syncs.map((s) => s.payload.registryId)).toContain(regA);
    expect(syncs.map((s) => s.payload.registryId)).not.toContain(regB);
    expect(syncs.find((s) => s.payload.registryId === regA)!.payload.taskType).toBe('autoSync');
    const cycle = await listScanTasks({ store }, 'p1', { taskType: 'cycle', limit: 1 });
    expect(cycle.data_list[0]).toMatchObject({ total_num: 1, task_type: 'cycle' });
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
