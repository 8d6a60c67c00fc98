/**
 * Garbage collection of analyses no reference points to (jobs/gc.ts), on PGlite and PostgreSQL:
 * two real images scanned by a service worker — a Debian 12 image that stays referenced and a
 * one-layer image whose reference goes — then marking, the grace period, the sweep (manifest,
 * packages, findings, layers, layer facts), what is never touched (the referenced analysis, the
 * handling overlay), a reference re-added after collection, and what holds the sweep back.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeOciLayout } from '../../src/image/build/image-writer.js';
import { collectGarbage, type GcOptions } from '../../src/jobs/gc.js';
import { REMATCH_KIND } from '../../src/jobs/rematch-job.js';
import { enqueueScan } from '../../src/jobs/tasks.js';
import type { Worker } from '../../src/jobs/worker.js';
import { createWorker, type ServiceContext } from '../../src/service/context.js';
import { upsertImage } from '../../src/store/images-repo.js';
import { ensureProject } from '../../src/store/projects-repo.js';
import { platformImageSpec } from '../helpers/build-test-images.js';
import { osRelease } from '../helpers/image-fixtures.js';
import { backends } from '../helpers/stores.js';
import { debianImage, serviceContext } from './service-fixtures.js';

const HOUR = 3_600_000;

describe.each(backends)('garbage collection on $name', (backend) => {
  let ctx: ServiceContext & { work: string };
  let worker: Worker;
  let kept: { ref: string; digest: string };
  let dropped: { ref: string; digest: string; diffId: string };
  let droppedImage: string;

  const gc = (opts: Partial<GcOptions> & { now: number }) => collectGarbage({ store: ctx.store, locks: ctx.locks, owner: 'gc-test' }, { graceMs: HOUR, ...opts });
  async function drain(): Promise<void> {
    while (await worker.runOnce());
  }
  const reference = (imageVersion: string, ref: string) => upsertImage(ctx.store, { projectId: 'p1', imageType: 'local_image', imageName: 'app', imageVersion, reference: ref });
  async function scan(imageId: string): Promise<Record<string, unknown>> {
    const { jobId } = await enqueueScan(ctx, { id: imageId, projectId: 'p1' });
    await drain();
    const job = await ctx.store.db.selectFrom('jobs').select(['state', 'result', 'last_error']).where('id', '=', jobId).executeTakeFirstOrThrow();
    expect(job.state, job.last_error ?? '').toBe('done');
    return job.result!;
  }
  /** Row counts of everything stored for a manifest digest. */
  async function stored(digest: string): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const [table, column] of [['manifests', 'digest'], ['manifest_layers', 'manifest_digest'], ['manifest_packages', 'manifest_digest'], ['vuln_findings', 'manifest_digest'], ['sensitive_findings', 'manifest_digest'], ['baseline_results', 'manifest_digest'], ['build_risks', 'manifest_digest']] as const) {
      const [row] = await ctx.store.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM ${table} WHERE ${column} = $1`, [digest]);
      out[table] = row!.n;
    }
    return out;
  }
  const factsOf = async (diffId: string) => (await ctx.store.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM layer_facts WHERE split_part(layer_key, '@', 1) = $1`, [diffId]))[0]!.n;
  const layerRow = async (diffId: string) => ctx.store.db.selectFrom('layers').select('diff_id').where('diff_id', '=', diffId).executeTakeFirst();

  beforeAll(async () => {
    ctx = await serviceContext(backend, { leaseMs: 2_000, backoffBaseMs: 10, backoffMaxMs: 10 });
    worker = createWorker(ctx);
    await ensureProject(ctx.store, 'p1');
    kept = await debianImage(ctx.work, 'kept');
    const path = join(ctx.work, 'dropped');
    const written = await writeOciLayout(platformImageSpec({ os: 'linux', architecture: 'amd64' }, osRelease('alpine', '3.19')), path);
    dropped = { ref: `oci:${path}`, digest: written.manifestDigest, diffId: written.layers[0]!.diffId };
    await scan(await reference('kept', kept.ref));
    droppedImage = await reference('dropped', dropped.ref);
    expect(await scan(droppedImage)).toMatchObject({ analysed: true });
    // A handled finding of the project: an overlay, never garbage.
    await ctx.store.db.insertInto('finding_states').values({ project_id: 'p1', kind: 'vuln', fingerprint: 'fp-handled', state: 'ignored', remark: 'kept', operated_at: 1 }).execute();
  }, 120_000);

  afterAll(async () => {
    await ctx?.close();
  });

  it('removes an analysis only after it stayed unreferenced for the grace period, and never anything referenced', async () => {
    const keptBefore = await stored(kept.digest);
    expect(keptBefore.manifest_packages).toBeGreaterThan(50);
    const keptLayers = (await ctx.store.db.selectFrom('manifest_layers').select('diff_id').where('manifest_digest', '=', kept.digest).execute()).map((l) => l.diff_id);
    // Facts of an analyzer version this build no longer runs, for a layer still in use.
    await ctx.store.db.insertInto('layer_facts').values({ layer_key: `${keptLayers[0]}@sha256:${'0'.repeat(64)}`, analyzer: '0/dpkg@0', result: '{}', created_at: 0 }).execute();
    const keptFacts = await factsOf(keptLayers[0]!);
    expect(await factsOf(dropped.diffId)).toBeGreaterThan(0);
    const t0 = Date.now();

    // Everything referenced: nothing marked, only the stale analyzer version goes.
    expect(await gc({ now: t0 })).toMatchObject({ marked: 0, manifests: 0, layers: 0, layerFacts: 1 });
    expect(await factsOf(keptLayers[0]!)).toBe(keptFacts - 1);

    await ctx.store.db.deleteFrom('images').where('id', '=', droppedImage).execute();
    expect(await gc({ now: t0 })).toMatchObject({ marked: 1, manifests: 0 });
    expect(await gc({ now: t0 + HOUR / 2 })).toMatchObject({ marked: 0, manifests: 0 });
    expect((await stored(dropped.digest)).manifests).toBe(1);

    const swept = await gc({ now: t0 + 2 * HOUR });
    expect(swept).toMatchObject({ marked: 0, manifests: 1, layers: 1 });
    expect(swept.layerFacts).toBeGreaterThan(0);
    expect(Object.values(await stored(dropped.digest)).every((n) => n === 0)).toBe(true);
    expect(await layerRow(dropped.diffId)).toBeUndefined();
    expect(await factsOf(dropped.diffId)).toBe(0);
    // The referenced image is whole; the overlay stays.
    expect(await stored(kept.digest)).toEqual(keptBefore);
    for (const l of keptLayers) expect(await layerRow(l)).toBeDefined();
    expect(await factsOf(keptLayers[0]!)).toBe(keptFacts - 1);
    expect(await ctx.store.db.selectFrom('finding_states').select('remark').where('fingerprint', '=', 'fp-handled').executeTakeFirst()).toEqual({ remark: 'kept' });
    expect(await ctx.store.db.selectFrom('gc_marks').select('manifest_digest').execute()).toEqual([]);
    expect(await gc({ now: t0 + 3 * HOUR })).toMatchObject({ marked: 0, manifests: 0, layers: 0, layerFacts: 0 });
  });

  it('a reference re-added after collection is scanned afresh', async () => {
    droppedImage = await reference('dropped', dropped.ref);
    expect(await scan(droppedImage)).toMatchObject({ digest: dropped.digest, analysed: true });
    expect((await stored(dropped.digest)).manifests).toBe(1);
    expect(await layerRow(dropped.diffId)).toBeDefined();
    expect(await ctx.store.db.selectFrom('images').select(['scan_status', 'digest']).where('id', '=', droppedImage).executeTakeFirst()).toEqual({ scan_status: 'success', digest: dropped.digest });
  });

  it('a reference coming back before the sweep, or a scan reusing the analysis, keeps it', async () => {
    const t0 = Date.now();
    await ctx.store.db.deleteFrom('images').where('id', '=', droppedImage).execute();
    expect(await gc({ now: t0 })).toMatchObject({ marked: 1 });
    // Back as a new reference, scanned: the stored analysis is reused, and its mark cleared under the manifest lock.
    droppedImage = await reference('dropped', dropped.ref);
    expect(await scan(droppedImage)).toMatchObject({ analysed: false });
    expect(await ctx.store.db.selectFrom('gc_marks').select('manifest_digest').execute()).toEqual([]);
    expect(await gc({ now: t0 + 2 * HOUR })).toMatchObject({ marked: 0, manifests: 0 });
    // Unreferenced again and marked; another project's reference to the digest appears before the sweep.
    await ctx.store.db.deleteFrom('images').where('id', '=', droppedImage).execute();
    expect(await gc({ now: t0 })).toMatchObject({ marked: 1 });
    await ensureProject(ctx.store, 'p2');
    const other = await upsertImage(ctx.store, { projectId: 'p2', imageType: 'local_image', imageName: 'app', imageVersion: 'other', reference: dropped.ref });
    await ctx.store.db.updateTable('images').set({ digest: dropped.digest, scan_status: 'success' }).where('id', '=', other).execute();
    expect(await gc({ now: t0 + 2 * HOUR })).toMatchObject({ unmarked: 1, manifests: 0 });
    expect((await stored(dropped.digest)).manifests).toBe(1);
    await ctx.store.db.deleteFrom('images').where('id', '=', other).execute();
  });

  it('leaves an analysis a scan holds the lock of, and sweeps nothing while a re-match runs', async () => {
    const t0 = Date.now();
    expect(await gc({ now: t0 })).toMatchObject({ marked: 1 });
    expect(await ctx.locks.tryAcquire(`manifest:${dropped.digest}`, 'a-scan')).toBe(true);
    expect(await gc({ now: t0 + 2 * HOUR })).toMatchObject({ manifests: 0, busy: 1 });
    await ctx.locks.release(`manifest:${dropped.digest}`, 'a-scan');

    const { id } = await ctx.queue.enqueue(REMATCH_KIND, { generation: 'test' });
    const claimed = await ctx.queue.claim([REMATCH_KIND], 'a-rematch');
    expect(claimed?.id).toBe(id);
    expect(await gc({ now: t0 + 2 * HOUR })).toMatchObject({ manifests: 0, sweepSkipped: `re-match job ${id} is running` });
    await ctx.queue.complete(id, 'a-rematch', { generation: 'test' });
    expect(await gc({ now: t0 + 2 * HOUR })).toMatchObject({ manifests: 1 });
    expect((await stored(dropped.digest)).manifests).toBe(0);
    expect((await stored(kept.digest)).manifests).toBe(1);
  });
});
