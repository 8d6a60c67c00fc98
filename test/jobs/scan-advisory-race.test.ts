/**
 * A scan that loaded advisories before an import, and saves its analysis after that import's
 * re-match ran (which could not see the analysis yet), must not keep the older findings: the scan
 * job notices the advisory generation moved and matches the stored inventory again. The import and
 * its re-match are forced between matching and saving through the job's beforeSave seam.
 * On PGlite and PostgreSQL.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueRematch, runRematchHere } from '../../src/jobs/rematch-job.js';
import { runScanJob, type ScanJobDeps } from '../../src/jobs/scan-job.js';
import type { Job } from '../../src/jobs/queue.js';
import type { ServiceContext } from '../../src/service/context.js';
import { upsertImage } from '../../src/store/images-repo.js';
import { ensureProject } from '../../src/store/projects-repo.js';
import { importTargets } from '../../src/vulndb/update.js';
import { backends } from '../helpers/stores.js';
import { dashDsa, debianImage, serviceContext } from './service-fixtures.js';

describe.each(backends)('scan job racing an advisory import on $name', (backend) => {
  let ctx: ServiceContext & { work: string };
  const logs: string[] = [];
  let jobId = 0;

  beforeAll(async () => {
    ctx = await serviceContext(backend, { leaseMs: 5_000, backoffBaseMs: 10, backoffMaxMs: 10 });
    await ensureProject(ctx.store, 'p1');
  }, 60_000);
  afterAll(async () => {
    await ctx?.close();
  });

  const deps = (beforeSave?: ScanJobDeps['beforeSave']): ScanJobDeps => ({
    store: ctx.store,
    locks: ctx.locks,
    box: ctx.box,
    cacheDir: ctx.cacheDir,
    owner: 'race-test',
    limits: ctx.limits,
    platform: ctx.platform,
    lockPollMs: 20,
    log: (l) => logs.push(l),
    beforeSave,
  });
  const job = (imageId: string): Job => ({ id: ++jobId, kind: 'scan', payload: { imageId }, attempts: 1, maxAttempts: 3, projectId: 'p1', taskId: null });
  const dashFindings = (digest: string) =>
    ctx.store.db.selectFrom('vuln_findings').select(['vuln_id', 'fixed_version']).where('manifest_digest', '=', digest).where('package_name', '=', 'dash').orderBy('vuln_id').execute();
  async function importAndRematch(name: string, dsa: string): Promise<void> {
    const file = join(ctx.work, name);
    await writeFile(file, dsa);
    await importTargets(ctx.store, [file]);
    const req = await enqueueRematch(ctx);
    expect((await runRematchHere(ctx, req.jobId, 20)).state).toBe('done');
  }

  it('an import and its re-match between matching and saving still end in current findings', async () => {
    const image = await debianImage(ctx.work, 'raced');
    const imageId = await upsertImage(ctx.store, { projectId: 'p1', imageType: 'local_image', imageName: 'raced', imageVersion: 'v1', reference: image.ref });
    let forced = 0;
    const r = await runScanJob(
      deps(async (digest) => {
        forced++;
        // The re-match runs now, before the analysis exists: it cannot cover this digest.
        expect(await ctx.store.db.selectFrom('manifests').select('digest').where('digest', '=', digest).executeTakeFirst()).toBeUndefined();
        await importAndRematch('DSA-1', dashDsa('0.5.12-3', 2));
      }),
      job(imageId),
    );
    expect(forced).toBe(1);
    expect(r).toMatchObject({ analysed: true, digest: image.digest });
    expect(await dashFindings(image.digest)).toEqual([{ vuln_id: 'CVE-2030-0002', fixed_version: '0.5.12-3' }]);
    expect(logs.some((l) => l.includes('advisories changed during the scan'))).toBe(true);
  }, 120_000);

  it('without an import meanwhile, the saved findings are not matched a second time', async () => {
    logs.length = 0;
    const image = await debianImage(ctx.work, 'calm', { zstd: true });
    const imageId = await upsertImage(ctx.store, { projectId: 'p1', imageType: 'local_image', imageName: 'calm', imageVersion: 'v1', reference: image.ref });
    const r = await runScanJob(deps(), job(imageId));
    expect(r.analysed).toBe(true);
    expect(await dashFindings(image.digest)).toEqual([{ vuln_id: 'CVE-2030-0002', fixed_version: '0.5.12-3' }]);
    expect(logs.some((l) => l.includes('advisories changed during the scan'))).toBe(false);
  }, 120_000);
});
