/**
 * A project's sensitive path whitelist also decides whether an image is risky: an image whose only
 * findings are secrets under whitelisted paths is not risky for that project (registry image list
 * `risky` filter, scan task `risky_num`), while other projects sharing the manifest still see it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue } from '../../src/jobs/queue.js';
import { createScanTask, settleTaskImages, taskProgress } from '../../src/jobs/tasks.js';
import { saveAnalysis } from '../../src/store/analysis-repo.js';
import { setScanStatus, upsertImage } from '../../src/store/images-repo.js';
import { analysis, client, DB_PASS, hssWorld, T1, type HssWorld } from './hss-fixtures.js';

const SECRETS_ONLY = `sha256:${'7'.repeat(64)}`;

let w: HssWorld;
let call: ReturnType<typeof client>;
let imageA = '';
let imageB = '';
beforeAll(async () => {
  w = await hssWorld();
  call = client(w);
  const s = w.fx.store;
  await saveAnalysis(s, analysis(SECRETS_ONLY, { sensitive: [DB_PASS] }), T1);
  const ref = (projectId: string, registryId: string | null) =>
    upsertImage(s, { projectId, enterpriseProjectId: '0', registryId, imageType: 'harbor', namespace: 'library', imageName: 'secrets-only', imageVersion: '1', reference: 'r/library/secrets-only:1' }, T1);
  imageA = await ref('proj-a', w.registries.r1);
  imageB = await ref('proj-b', null);
  for (const id of [imageA, imageB]) await setScanStatus(s, id, { status: 'success', digest: SECRETS_ONLY, size: 10, scannedAt: T1 });
});
afterAll(async () => w?.fx.close());

const riskyImages = async (project: 'proj-a' | 'proj-b', risky: boolean) =>
  ((await call('GET', `/v5/${project}/image/registries/images?risky=${risky}`, { token: project === 'proj-a' ? w.tokens.a : w.tokens.b })).body!.data_list ?? []).map((d) => d.image_id);

describe('whitelisted secrets and risky images', () => {
  it('the registry image list and scan tasks stop counting an image whose only secrets are whitelisted', async () => {
    const queue = new JobQueue(w.fx.store);
    const task = await createScanTask({ store: w.fx.store, queue }, 'proj-a', [imageA], 'secrets only', 'manual');
    await settleTaskImages(w.fx.store, imageA, { state: 'success' });
    const riskyNum = async () => (await taskProgress({ store: w.fx.store }, task, { projectId: 'proj-a' }))?.risky_num;

    expect(await riskyImages('proj-a', true)).toContain(imageA);
    expect(await riskyNum()).toBe(1);
    await call('POST', '/v5/proj-a/image/sensitive/filepath-whitelist', { body: { customized_path: ['/usr/local/share/app/'] } });
    expect(await riskyImages('proj-a', true)).not.toContain(imageA);
    expect(await riskyImages('proj-a', false)).toContain(imageA);
    expect(await riskyNum()).toBe(0);
    // proj-b has no whitelist: the same manifest is still risky there.
    expect(await riskyImages('proj-b', true)).toContain(imageB);
    // A glob that does not cover the file changes nothing.
    await call('POST', '/v5/proj-a/image/sensitive/filepath-whitelist', { body: { customized_path: ['/usr/local/share/other/*'] } });
    expect(await riskyImages('proj-a', true)).toContain(imageA);
    expect(await riskyNum()).toBe(1);
  });
});
