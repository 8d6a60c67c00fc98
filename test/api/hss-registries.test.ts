/**
 * HSS registry and scan endpoints: registries CRUD with sealed credentials that never come back,
 * synchronisation and batch scans queued through the job queue (as scan tasks), the task list
 * with progress, and the repository image list with its filters; all scoped to the caller.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settleTaskImages } from '../../src/jobs/tasks.js';
import { setScanStatus } from '../../src/store/images-repo.js';
import { client, D1, hssWorld, T1, T2, type HssWorld } from './hss-fixtures.js';

let w: HssWorld;
let call: ReturnType<typeof client>;
beforeAll(async () => {
  w = await hssWorld();
  call = client(w);
});
afterAll(async () => w?.fx.close());

const jobs = (kind: string) => w.fx.store.db.selectFrom('jobs').selectAll().where('kind', '=', kind).orderBy('id').execute();

describe('registries', () => {
  it('GET lists the visible registries without any credential', async () => {
    const res = await call('GET', '/v5/proj-a/image/registries');
    expect(res.body).toEqual({
      total_num: 1,
      data_list: [{ id: w.registries.r1, registry_name: 'harbor-1', registry_type: 'Harbor', protocol: 'https', registry_addr: 'harbor.example.com', status: 'accessing', images_num: 3 }],
    });
    const all = await call('GET', '/v5/proj-a/image/registries?enterprise_project_id=all_granted_eps');
    expect(all.body!.data_list!.map((r) => r.registry_name)).toEqual(['harbor-1', 'harbor-2']);
    expect(JSON.stringify(all.body)).not.toMatch(/robot|S3cret|username|password/);
    expect((await call('GET', '/v5/proj-a/image/registries?registry_type=Jfrog,Harbor&registry_name=harbor-1')).body!.total_num).toBe(1);
    expect((await call('GET', '/v5/proj-a/image/registries?registry_type=Jfrog')).body!.total_num).toBe(0);
    expect((await call('GET', '/v5/proj-a/image/registries?registry_type=harbor')).body).toEqual({
      error_code: 'HSS.0001',
      error_msg: 'invalid param error: registry_type must be a comma-separated list of: Harbor, Jfrog, SwrPrivate, SwrShared, SwrEnterprise, Other',
    });
    expect((await call('GET', '/v5/proj-a/image/registries?status=ok')).status).toBe(400);
    expect((await call('GET', '/v5/proj-b/image/registries', { token: w.tokens.b })).body).toEqual({ total_num: 0, data_list: [] });
  });

  it('POST adds a registry with sealed credentials and queues its first sync', async () => {
    const body = { registry_name: 'jfrog-1', registry_type: 'Jfrog', api_version: 'V2', protocol: 'https', registry_addr: 'https://JFrog.example.com:8443/', registry_username: 'ci', registry_password: 'tok-123456', connect_cluster_id: '', get_scan_image_channel: 'Swr' };
    const res = await call('POST', '/v5/proj-a/image/registries', { body });
    expect(res.status).toBe(200);
    expect(res.body).toBeUndefined();
    const row = await w.fx.store.db.selectFrom('registries').selectAll().where('name', '=', 'jfrog-1').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ project_id: 'proj-a', enterprise_project_id: '0', addr: 'jfrog.example.com:8443', api_version: 'V2' });
    expect(row.password_enc).not.toContain('tok-123456');
    expect(w.fx.services.box.open(row.password_enc!)).toBe('tok-123456');
    expect((await jobs('sync')).map((j) => j.dedupe_key)).toContain(row.id);
    const listed = (await call('GET', `/v5/proj-a/image/registries?registry_id=${row.id}`)).body!;
    expect(listed.data_list).toEqual([{ id: row.id, registry_name: 'jfrog-1', registry_type: 'Jfrog', api_version: 'V2', protocol: 'https', registry_addr: 'jfrog.example.com:8443', status: 'accessing', images_num: 0 }]);
    expect(JSON.stringify(listed)).not.toContain('tok-123456');
    // A registry created in ep-2 lands there.
    await call('POST', '/v5/proj-a/image/registries?enterprise_project_id=ep-2', { body: { ...body, registry_name: 'jfrog-ep2' } });
    expect((await w.fx.store.db.selectFrom('registries').select('enterprise_project_id').where('name', '=', 'jfrog-ep2').executeTakeFirstOrThrow()).enterprise_project_id).toBe('ep-2');
  });

  it('POST refuses duplicates, bad addresses and missing fields, naming the parameter', async () => {
    const base = { registry_name: 'harbor-1', registry_type: 'Harbor', protocol: 'https', registry_addr: 'h.example.com' };
    expect((await call('POST', '/v5/proj-a/image/registries', { body: base })).body).toEqual({ error_code: 'HSS.0001', error_msg: 'invalid param error: registry_name already exists in this project' });
    expect((await call('POST', '/v5/proj-a/image/registries', { body: { ...base, registry_name: 'x', registry_addr: 'bad addr/' } })).body).toEqual({
      error_code: 'HSS.0001',
      error_msg: 'invalid param error: registry_addr must be host[:port]',
    });
    expect((await call('POST', '/v5/proj-a/image/registries', { body: { ...base, registry_type: undefined } })).body).toEqual({ error_code: 'HSS.0001', error_msg: 'invalid param error: registry_type is required' });
    expect((await call('POST', '/v5/proj-a/image/registries', { body: { ...base, protocol: 'ftp' } })).body).toEqual({ error_code: 'HSS.0001', error_msg: 'invalid param error: protocol must be one of: http, https' });
    expect((await call('POST', '/v5/proj-a/image/registries', { body: { ...base, registry_name: '' } })).status).toBe(400);
  });

  it('status follows the latest sync: fail when it failed, success once synced', async () => {
    const statusOf = async () => (await call('GET', `/v5/proj-a/image/registries?registry_id=${w.registries.r1}`)).body!.data_list![0]!.status;
    await w.fx.services.queue.enqueue('sync', { registryId: w.registries.r1 }, { dedupeKey: w.registries.r1 });
    await w.fx.store.db.updateTable('jobs').set({ state: 'failed' }).where('dedupe_key', '=', w.registries.r1).execute();
    expect(await statusOf()).toBe('fail');
    expect((await call('GET', '/v5/proj-a/image/registries?status=fail')).body!.total_num).toBe(1);
    await w.fx.store.db.updateTable('jobs').set({ state: 'done' }).where('dedupe_key', '=', w.registries.r1).execute();
    await w.fx.store.db.updateTable('registries').set({ last_sync_at: T2 }).where('id', '=', w.registries.r1).execute();
    expect(await statusOf()).toBe('success');
    expect((await call('GET', `/v5/proj-a/image/registries?registry_id=${w.registries.r1}`)).body!.data_list![0]!.latest_sync_time).toBe(T2);
  });

  it('PUT changes fields and re-seals credentials; DELETE removes the registry and its images; other tenants get 404', async () => {
    const id = (await w.fx.store.db.selectFrom('registries').select('id').where('name', '=', 'jfrog-1').executeTakeFirstOrThrow()).id;
    expect((await call('PUT', `/v5/proj-a/image/registries/${id}`, { body: { protocol: 'http', registry_username: '', registry_password: 'new-pass' } })).status).toBe(200);
    const row = await w.fx.store.db.selectFrom('registries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ protocol: 'http', username_enc: null });
    expect(w.fx.services.box.open(row.password_enc!)).toBe('new-pass');
    const foreignPut = await call('PUT', `/v5/proj-b/image/registries/${id}`, { body: { protocol: 'https' }, token: w.tokens.b });
    const missingPut = await call('PUT', '/v5/proj-a/image/registries/no-such-registry', { body: { protocol: 'https' } });
    expect(foreignPut.status).toBe(404);
    expect(foreignPut.body).toEqual(missingPut.body);
    // The ep-2 registry is invisible under the default enterprise project.
    expect((await call('PUT', `/v5/proj-a/image/registries/${w.registries.r2}`, { body: { protocol: 'https' } })).status).toBe(404);
    expect((await call('PUT', `/v5/proj-a/image/registries/${id}`, { body: { protocol: 'gopher' } })).status).toBe(400);

    expect((await call('DELETE', `/v5/proj-b/image/registries/${id}`, { token: w.tokens.b })).status).toBe(404);
    expect((await call('DELETE', `/v5/proj-a/image/registries/${id}`)).status).toBe(200);
    expect((await call('DELETE', `/v5/proj-a/image/registries/${id}`)).status).toBe(404);
    expect(await w.fx.store.db.selectFrom('registries').select('id').where('id', '=', id).execute()).toEqual([]);
  });
});

describe('POST /v5/{project_id}/image/synchronize', () => {
  it('queues a manualSync of each visible registry of the image type', async () => {
    const before = (await jobs('sync')).length;
    expect((await call('POST', '/v5/proj-a/image/synchronize', { body: { image_type: 'jfrog' } })).status).toBe(200);
    expect((await jobs('sync')).length).toBe(before);
    expect((await call('POST', '/v5/proj-a/image/synchronize', { body: { image_type: 'harbor' } })).status).toBe(200);
    const queued = (await jobs('sync')).filter((j) => j.state === 'queued');
    const r1 = queued.find((j) => j.dedupe_key === w.registries.r1);
    expect(r1?.payload).toEqual({ registryId: w.registries.r1, taskType: 'manualSync' });
    // ep-2's registry is not the default enterprise project's to sync.
    expect(queued.some((j) => j.dedupe_key === w.registries.r2)).toBe(false);
    expect((await call('POST', '/v5/proj-a/image/synchronize', { body: {} })).body).toEqual({ error_code: 'HSS.0001', error_msg: 'invalid param error: image_type is required' });
    const bBefore = (await jobs('sync')).length;
    await call('POST', '/v5/proj-b/image/synchronize', { body: { image_type: 'registry' }, token: w.tokens.b });
    expect((await jobs('sync')).length).toBe(bBefore);
  });
});

describe('GET /v5/{project_id}/image/registries/images', () => {
  const list = (q = '') => call('GET', `/v5/proj-a/image/registries/images${q}`);

  it('lists repository images (not CI/CD uploads) with scan state and finding counts', async () => {
    const res = await list();
    expect(res.body!.total_num).toBe(3);
    expect(res.body!.data_list![0]).toEqual({
      namespace: 'library',
      image_name: 'unscanned',
      image_id: w.img.a4,
      image_version: '1',
      image_type: 'harbor',
      registry_id: w.registries.r1,
      registry_name: 'harbor-1',
      registry_type: 'Harbor',
      scan_status: 'unscan',
      latest_sync_time: T1,
      vul_num: 0,
      unsafe_setting_num: 0,
    });
    expect(res.body!.data_list![1]).toEqual({
      namespace: 'library',
      image_name: 'web',
      image_id: w.img.a1,
      image_digest: D1,
      image_version: '1.0',
      image_type: 'harbor',
      registry_id: w.registries.r1,
      registry_name: 'harbor-1',
      registry_type: 'Harbor',
      scan_status: 'success',
      image_size: 1000,
      latest_scan_time: T1,
      latest_sync_time: T1,
      vul_num: 3,
      unsafe_setting_num: 1,
      severity_level: 'High',
    });
  });

  it('filters by scan_status, findings, severity, name and times; sorts by latest_scan_time', async () => {
    const ids = async (q: string) => (await list(q)).body!.data_list!.map((d) => d.image_id);
    expect(await ids('?scan_status=unscan')).toEqual([w.img.a4]);
    expect(await ids('?scan_status=success')).toEqual([w.img.a1, w.img.a2]);
    expect(await ids('?has_vul=true')).toEqual([w.img.a1, w.img.a2]);
    expect(await ids('?has_unsafe_setting=true')).toEqual([w.img.a1]);
    expect(await ids('?risky=false')).toEqual([w.img.a4]);
    expect(await ids('?severity_level=High')).toEqual([w.img.a1, w.img.a2]);
    expect(await ids('?severity_level=Security')).toEqual([]);
    expect(await ids('?image_name=scan')).toEqual([w.img.a4]);
    expect(await ids('?image_version=2.0')).toEqual([w.img.a2]);
    expect(await ids('?registry_name=harbor-2')).toEqual([]);
    expect(await ids(`?start_latest_scan_time=${T2}`)).toEqual([w.img.a2]);
    expect(await ids(`?sort_key=latest_scan_time&sort_dir=desc`)).toEqual([w.img.a2, w.img.a1, w.img.a4]);
    expect(await ids('?limit=1&offset=1')).toEqual([w.img.a1]);
    expect(await ids('?enterprise_project_id=all_granted_eps&namespace=team')).toEqual([w.img.e1]);
  });

  it('validates every parameter, naming it', async () => {
    for (const [q, msg] of [
      ['?scan_status=done', 'scan_status must be one of: unscan, success, scanning, failed, download_failed, image_oversized, waiting_for_scan'],
      ['?limit=0', 'limit must be >= 1'],
      ['?limit=201', 'limit must be <= 200'],
      ['?has_vul=maybe', 'has_vul must be boolean'],
      ['?image_type=cicd', 'image_type must be one of: private_image, shared_image, instance_image, harbor, jfrog'],
      ['?sort_dir=up', 'sort_dir must be one of: asc, desc'],
      ['?start_latest_scan_time=-5', 'start_latest_scan_time must be >= 0'],
      [`?start_latest_scan_time=${T2}&end_latest_scan_time=${T1}`, 'start_latest_scan_time must not be after its end'],
    ] as const) {
      expect((await list(q)).body).toEqual({ error_code: 'HSS.0001', error_msg: `invalid param error: ${msg}` });
    }
  });

  it('another project sees only its own images', async () => {
    const b = await call('GET', '/v5/proj-b/image/registries/images', { token: w.tokens.b });
    expect(b.body!.data_list!.map((d) => d.image_id)).toEqual([w.img.b1]);
  });
});

describe('batch scans and tasks', () => {
  it('POST /image/batch-scan queues the listed images as one manual task; GET /image/tasks shows its progress', async () => {
    const res = await call('POST', '/v5/proj-a/image/batch-scan', { body: { image_type: 'harbor', image_info_list: [{ namespace: 'library', image_name: 'web', image_version: '1.0' }] } });
    expect(res.status).toBe(200);
    const scan = (await jobs('scan')).filter((j) => j.payload.imageId === w.img.a1);
    expect(scan).toHaveLength(1);
    expect(scan[0]!.state).toBe('queued');
    const image = await w.fx.store.db.selectFrom('images').select('scan_status').where('id', '=', w.img.a1).executeTakeFirstOrThrow();
    expect(image.scan_status).toBe('waiting_for_scan');

    const tasks = await call('GET', '/v5/proj-a/image/tasks?type=image_scan');
    expect(tasks.body!.total_num).toBe(1);
    const task = tasks.body!.data_list![0]!;
    expect(task).toEqual({
      task_id: expect.any(String),
      task_name: 'manual scan of 1 image',
      begin_time: expect.any(Number),
      task_type: 'manual',
      image_type: 'registry',
      task_status: 0,
      failed_num: 0,
      success_num: 0,
      total_num: 1,
      risky_num: 0,
      failed_images: [],
    });
    await setScanStatus(w.fx.store, w.img.a1, { status: 'failed', failedCode: 'download_failed', failedReason: 'manifest unknown' });
    await settleTaskImages(w.fx.store, w.img.a1, { state: 'failed', failedCode: 'download_failed' });
    const done = (await call('GET', `/v5/proj-a/image/tasks?type=image_scan&task_id=${String(task.task_id)}`)).body!.data_list![0]!;
    expect(done).toMatchObject({ task_status: -3, failed_num: 1, total_num: 1, end_time: expect.any(Number) });
    expect(done.failed_images).toEqual([{ registry_id: w.registries.r1, registry_name: 'harbor-1', image_name: 'web', image_version: '1.0', namespace: 'library', registry_type: 'Harbor', failed_reason: 'manifest unknown' }]);
    expect((await call('GET', '/v5/proj-a/image/tasks?type=image_scan&task_status=finished')).body!.total_num).toBe(1);
    expect((await call('GET', '/v5/proj-a/image/tasks?type=image_scan&task_status=scanning')).body!.total_num).toBe(0);
    expect((await call('GET', '/v5/proj-a/image/tasks?type=image_scan&task_name=manual')).body!.total_num).toBe(1);
    expect((await call('GET', '/v5/proj-a/image/tasks?type=image_sync')).body!.total_num).toBe(0);
    expect((await call('GET', '/v5/proj-a/image/tasks?type=image_scan&task_type=manualSync')).body!.total_num).toBe(0);
    expect((await call('GET', '/v5/proj-a/image/tasks?type=image_scan&global_image_type=local')).body!.total_num).toBe(0);
    expect((await call('GET', '/v5/proj-b/image/tasks?type=image_scan', { token: w.tokens.b })).body).toEqual({ total_num: 0, data_list: [] });
  });

  it('operate_all selects every image under the filters', async () => {
    expect((await call('POST', '/v5/proj-a/image/batch-scan', { body: { image_type: 'harbor', operate_all: true, image_name: 'web' } })).status).toBe(200);
    const tasks = await call('GET', '/v5/proj-a/image/tasks?type=image_scan&limit=10');
    expect(tasks.body!.data_list![0]).toMatchObject({ task_name: 'manual scan of 2 images', total_num: 2 });
  });

  it('refuses empty selections, unknown and foreign images, and bad parameters', async () => {
    expect((await call('POST', '/v5/proj-a/image/batch-scan', { body: { image_type: 'harbor' } })).body).toEqual({
      error_code: 'HSS.0001',
      error_msg: 'invalid param error: image_info_list is required unless operate_all is true',
    });
    const missing = await call('POST', '/v5/proj-a/image/batch-scan', { body: { image_type: 'harbor', image_info_list: [{ namespace: 'library', image_name: 'nope', image_version: '1' }] } });
    expect(missing.status).toBe(404);
    const foreign = await call('POST', '/v5/proj-b/image/batch-scan', { body: { image_type: 'harbor', image_info_list: [{ namespace: 'library', image_name: 'unscanned', image_version: '1' }] }, token: w.tokens.b });
    expect(foreign.status).toBe(404);
    expect((await call('POST', '/v5/proj-a/image/batch-scan', { body: { image_type: 'harbor', image_info_list: [{ namespace: 'library', image_name: 'web' }] } })).body).toEqual({
      error_code: 'HSS.0001',
      error_msg: 'invalid param error: image_info_list[0].image_version is required',
    });
    expect((await call('POST', '/v5/proj-a/image/batch-scan', { body: { image_type: 'cicd', operate_all: true } })).status).toBe(400);
    expect((await call('GET', '/v5/proj-a/image/tasks')).body).toEqual({ error_code: 'HSS.0001', error_msg: 'invalid param error: type is required' });
    expect((await call('GET', '/v5/proj-a/image/tasks?type=image_scan&limit=5')).status).toBe(400);
  });
});
