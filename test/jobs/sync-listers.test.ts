/**
 * Harbor (API v2.0) and JFrog Artifactory (Docker REST API) syncs against fake servers that follow
 * the documented request and response shapes: paging, double-encoded Harbor repository names,
 * artifact digests (no manifest HEAD on Harbor), n/last paging and repository keys on Artifactory,
 * namespace restriction, and retries of a 503 — on PGlite and on PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue, type Job } from '../../src/jobs/queue.js';
import { HarborLister } from '../../src/jobs/registry-listers/harbor.js';
import { runSyncJob, type SyncResult } from '../../src/jobs/sync-job.js';
import { ensureProject } from '../../src/store/projects-repo.js';
import { createRegistry } from '../../src/store/registries-repo.js';
import { SecretBox } from '../../src/store/secret-box.js';
import type { Store } from '../../src/store/open-store.js';
import { backends } from '../helpers/stores.js';
import { type HttpTestServer, startHttpServer } from '../helpers/registry-server.js';

const digest = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;
const BASIC = `Basic ${Buffer.from('robot$sync:pw').toString('base64')}`;

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** page/page_size slicing the way Harbor does it, with X-Total-Count. */
function paged(res: ServerResponse, url: URL, items: unknown[]): void {
  const page = Number(url.searchParams.get('page') ?? 1);
  const size = Number(url.searchParams.get('page_size') ?? 10);
  json(res, 200, items.slice((page - 1) * size, page * size), { 'x-total-count': String(items.length) });
}

interface FakeLog {
  paths: string[];
}

interface FakeArtifact {
  digest: string;
  size?: number;
  type: string;
  tags: Array<{ name: string }> | null;
}

/** The fake Harbor's artifacts per repository; tests delete tags from it. */
const harborArtifacts: Record<string, FakeArtifact[]> = {};
/** Tags the fake Harbor leaves out of its artifact listing (as a page shifted by a concurrent delete would), though they exist. */
const harborHiddenFromListing = new Set<string>();

function harborHandler(log: FakeLog): (req: IncomingMessage, res: ServerResponse) => void {
  let failedOnce = false;
  const repos: Record<string, string[]> = { library: ['library/nginx'], team: ['team/app', 'team/sub/app'], empty: [] };
  const artifacts: Record<string, FakeArtifact[]> = Object.assign(harborArtifacts, {
    'library/nginx': [{ digest: digest(1), size: 1000, type: 'IMAGE', tags: [{ name: '1.25' }] }],
    'team/app': [
      { digest: digest(2), size: 2000, type: 'IMAGE', tags: [{ name: '1.0' }, { name: 'latest' }] },
      { digest: digest(3), size: 3000, type: 'IMAGE', tags: null },
      { digest: digest(4), type: 'CHART', tags: [{ name: 'chart-1' }] },
      { digest: digest(5), size: 5000, type: 'IMAGE', tags: [{ name: '0.9' }] },
    ],
    'team/sub/app': [{ digest: digest(6), size: 6000, type: 'IMAGE', tags: [{ name: 'v1' }] }],
  });
  return (req, res) => {
    log.paths.push(req.url ?? '');
    if (req.headers.authorization !== BASIC) return json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'unauthorized' }] });
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/api/v2.0/projects') {
      if (!failedOnce) {
        failedOnce = true;
        return json(res, 503, { errors: [{ code: 'SERVICE_UNAVAILABLE' }] });
      }
      return paged(res, url, Object.keys(repos).map((name, i) => ({ project_id: i + 1, name })));
    }
    // The raw path: repository names must arrive double-encoded (sub/app → sub%252Fapp).
    const m = /^\/api\/v2\.0\/projects\/([^/]+)\/repositories(?:\/([^/]+)\/artifacts(?:\/([^/]+))?)?$/.exec((req.url ?? '').split('?')[0]!);
    if (m && m[2] === undefined) return repos[m[1]!] ? paged(res, url, repos[m[1]!]!.map((name) => ({ name }))) : json(res, 404, { errors: [{ code: 'NOT_FOUND' }] });
    if (m && m[2] !== undefined) {
      const name = `${m[1]}/${decodeURIComponent(decodeURIComponent(m[2]))}`;
      if (m[2].includes('/') || (name.split('/').length > 2 && !m[2].includes('%252F'))) return json(res, 400, { errors: [{ code: 'BAD_REQUEST', message: 'repository name not encoded twice' }] });
      if (m[3] !== undefined) {
        // GET …/artifacts/{reference}: one artifact by tag (or digest).
        const ref = decodeURIComponent(m[3]);
        const hit = artifacts[name]?.find((a) => a.digest === ref || (a.tags ?? []).some((t) => t.name === ref));
        return hit ? json(res, 200, hit) : json(res, 404, { errors: [{ code: 'NOT_FOUND', message: `artifact ${name}:${ref} not found` }] });
      }
      if (url.searchParams.get('with_tag') !== 'true') return json(res, 400, { errors: [{ message: 'with_tag expected' }] });
      const listed = (artifacts[name] ?? []).map((a) => ({ ...a, tags: a.tags?.filter((t) => !harborHiddenFromListing.has(`${name}:${t.name}`)) ?? null }));
      return artifacts[name] ? paged(res, url, listed) : json(res, 404, { errors: [{ code: 'NOT_FOUND' }] });
    }
    json(res, 404, { errors: [{ code: 'NOT_FOUND', message: `no route ${url.pathname}` }] });
  };
}

/** Artifactory: repository list, then per key a catalog and tag lists paged with n and last; manifests by HEAD on /v2. */
/** The fake Artifactory's repositories → images → tag → digest ('' = listed but its manifest is gone); tests delete from it. */
const jfrogImages: Record<string, Record<string, Record<string, string>>> = {};

function jfrogHandler(log: FakeLog): (req: IncomingMessage, res: ServerResponse) => void {
  const images = Object.assign(jfrogImages, {
    'docker-local': {
      alpha: { '1.0': digest(11), '1.1': digest(12), '2.0': digest(13), gone: '' },
      'beta/app': { latest: digest(14) },
      gamma: { edge: digest(15) },
    },
    'docker-prod': { delta: { '9': digest(16) } },
  }) as Record<string, Record<string, Record<string, string>>>;
  const page = (res: ServerResponse, url: URL, field: string, names: string[]): void => {
    const n = Number(url.searchParams.get('n') ?? 100);
    const last = url.searchParams.get('last');
    const sorted = [...names].sort();
    const from = last === null ? 0 : sorted.findIndex((x) => x > last);
    json(res, 200, { [field]: from < 0 ? [] : sorted.slice(from, from + n) });
  };
  return (req, res) => {
    log.paths.push(`${req.method} ${req.url}`);
    if (req.headers.authorization !== BASIC) {
      return json(res, 401, { errors: [{ status: 401, message: 'Authentication is required' }] }, { 'www-authenticate': 'Basic realm="Artifactory Realm"' });
    }
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/artifactory/api/repositories') {
      if (url.searchParams.get('packageType') !== 'docker' || url.searchParams.get('type') !== 'local') return json(res, 400, { errors: [{ message: 'filters expected' }] });
      return json(res, 200, [{ key: 'docker-local', type: 'LOCAL', packageType: 'Docker', url: 'http://x/artifactory/docker-local' }]);
    }
    let m = /^\/artifactory\/api\/docker\/([^/]+)\/v2\/_catalog$/.exec(url.pathname);
    if (m) return images[m[1]!] ? page(res, url, 'repositories', Object.keys(images[m[1]!]!)) : json(res, 404, { errors: [{ status: 404 }] });
    m = /^\/artifactory\/api\/docker\/([^/]+)\/v2\/(.+)\/tags\/list$/.exec(url.pathname);
    if (m) {
      const tags = images[m[1]!]?.[m[2]!];
      return tags ? page(res, url, 'tags', Object.keys(tags)) : json(res, 404, { errors: [{ status: 404 }] });
    }
    m = /^\/v2\/([^/]+)\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    if (m && req.method === 'HEAD') {
      const d = images[m[1]!]?.[m[2]!]?.[m[3]!];
      if (!d) return json(res, 404, { errors: [{ code: 'MANIFEST_UNKNOWN' }] });
      res.writeHead(200, { 'docker-content-digest': d, 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'content-length': '512' }).end();
      return;
    }
    json(res, 404, { errors: [{ status: 404, message: `no route ${url.pathname}` }] });
  };
}

let store: Store;
let dispose: () => Promise<void>;
let harbor: HttpTestServer;
let jfrog: HttpTestServer;
const harborLog: FakeLog = { paths: [] };
const jfrogLog: FakeLog = { paths: [] };
const box = SecretBox.fromKey(randomBytes(32));

async function sync(registryId: string): Promise<SyncResult> {
  const job: Job = { id: 0, kind: 'sync', payload: { registryId }, attempts: 1, maxAttempts: 3, projectId: 'p1', taskId: null };
  return runSyncJob({ store, box, queue: new JobQueue(store), lister: { pageSize: 2, backoffMs: 1 } }, job);
}

async function refs(registryId: string): Promise<Array<[string, string, string, string | null, string]>> {
  const rows = await store.db.selectFrom('images').selectAll().where('registry_id', '=', registryId).orderBy('namespace').orderBy('image_name').orderBy('image_version').execute();
  return rows.map((r) => [r.image_type, `${r.namespace}|${r.image_name}:${r.image_version}`, r.reference, r.tag_digest, r.scan_status]);
}

// Each backend gets fresh fake servers: creating a handler resets the fake registry's contents.
describe.each(backends.map((b) => [b.name, b] as const))('registry listers on %s', (_name, backend) => {
  beforeAll(() => {
    harborLog.paths.length = 0;
    jfrogLog.paths.length = 0;
  });

  beforeAll(async () => {
    const created = await backend.create();
    store = created.store;
    dispose = created.dispose;
    await ensureProject(store, 'p1');
    harbor = await startHttpServer(harborHandler(harborLog));
    jfrog = await startHttpServer(jfrogHandler(jfrogLog));
  });

  afterAll(async () => {
    await harbor?.stop();
    await jfrog?.stop();
    await dispose?.();
  });

  describe('Harbor API v2.0 sync', () => {
    it('lists projects, repositories and tagged image artifacts page by page, with digests from the artifacts', async () => {
      const id = await createRegistry(store, box, { projectId: 'p1', name: 'harbor', type: 'Harbor', protocol: 'http', addr: harbor.host, username: 'robot$sync', password: 'pw' });
      const result = await sync(id);
      expect(result).toMatchObject({ tags: 5, new: 5, queued: 5, vanished: 0 });
      const h = harbor.host;
      expect(await refs(id)).toEqual([
        ['harbor', 'library|nginx:1.25', `${h}/library/nginx:1.25`, digest(1), 'waiting_for_scan'],
        ['harbor', 'team|app:0.9', `${h}/team/app:0.9`, digest(5), 'waiting_for_scan'],
        ['harbor', 'team|app:1.0', `${h}/team/app:1.0`, digest(2), 'waiting_for_scan'],
        ['harbor', 'team|app:latest', `${h}/team/app:latest`, digest(2), 'waiting_for_scan'],
        ['harbor', 'team|sub/app:v1', `${h}/team/sub/app:v1`, digest(6), 'waiting_for_scan'],
      ]);
      // Paged with page_size 2: the fourth artifact of team/app came from page 2; no manifest HEADs.
      expect(harborLog.paths).toContain('/api/v2.0/projects/team/repositories/app/artifacts?with_tag=true&with_scan_overview=false&page=2&page_size=2');
      expect(harborLog.paths.some((p) => p.startsWith('/v2/'))).toBe(false);
      const scans = await store.db.selectFrom('jobs').select(['payload', 'dedupe_key']).where('kind', '=', 'scan').execute();
      expect(scans).toHaveLength(5);
      expect(scans.every((s) => s.dedupe_key === s.payload.imageId)).toBe(true);
    });

    it('restricts the listing to the namespace (Harbor project) without listing projects', async () => {
      harborLog.paths.length = 0;
      const id = await createRegistry(store, box, { projectId: 'p1', name: 'harbor-lib', type: 'Harbor', protocol: 'http', addr: harbor.host, namespace: 'library', username: 'robot$sync', password: 'pw' });
      expect(await sync(id)).toMatchObject({ tags: 1, new: 1 });
      expect((await refs(id)).map((r) => r[1])).toEqual(['library|nginx:1.25']);
      expect(harborLog.paths.some((p) => p.startsWith('/api/v2.0/projects?'))).toBe(false);
    });

    it('removes a deleted tag after confirming it with an artifact lookup, and keeps one the listing skipped', async () => {
      const id = (await store.db.selectFrom('registries').select('id').where('name', '=', 'harbor').executeTakeFirstOrThrow()).id;
      harborLog.paths.length = 0;
      // team/app:latest deleted (1.0 still names the artifact); team/app:0.9 exists but a shifting page hides it.
      harborArtifacts['team/app']![0]!.tags = [{ name: '1.0' }];
      harborHiddenFromListing.add('team/app:0.9');
      const result = await sync(id);
      expect(result).toMatchObject({ tags: 4, new: 0, removed: 1 });
      expect((await refs(id)).map((r) => r[1])).toEqual(['library|nginx:1.25', 'team|app:0.9', 'team|app:1.0', 'team|sub/app:v1']);
      expect(harborLog.paths).toContain('/api/v2.0/projects/team/repositories/app/artifacts/0.9?with_tag=false&with_scan_overview=false');
      expect(harborLog.paths).toContain('/api/v2.0/projects/team/repositories/app/artifacts/latest?with_tag=false&with_scan_overview=false');
      harborHiddenFromListing.clear();
    });

    it('fails with an authentication error on wrong credentials, and not_found for a missing project', async () => {
      const lister = new HarborLister({ type: 'Harbor', protocol: 'http', addr: harbor.host, namespace: null, username: 'robot$sync', password: 'wrong' }, { backoffMs: 1 });
      await expect((async () => { for await (const t of lister.tags()) void t; })()).rejects.toMatchObject({ code: 'auth' });
      await lister.close();
      const missing = new HarborLister({ type: 'Harbor', protocol: 'http', addr: harbor.host, namespace: 'nope', username: 'robot$sync', password: 'pw' }, { backoffMs: 1 });
      await expect((async () => { for await (const t of missing.tags()) void t; })()).rejects.toMatchObject({ code: 'not_found' });
      await missing.close();
    });
  });

  describe('JFrog Artifactory Docker API sync', () => {
    it('lists local Docker repositories, their images and tags with n/last paging, and HEADs each tag for its digest', async () => {
      const id = await createRegistry(store, box, { projectId: 'p1', name: 'jfrog', type: 'Jfrog', protocol: 'http', addr: jfrog.host, username: 'robot$sync', password: 'pw' });
      const result = await sync(id);
      // alpha:gone is listed but its manifest is gone by the time we HEAD it.
      expect(result).toMatchObject({ tags: 6, new: 5, vanished: 1, queued: 5 });
      const h = jfrog.host;
      expect(await refs(id)).toEqual([
        ['jfrog', 'docker-local|alpha:1.0', `${h}/docker-local/alpha:1.0`, digest(11), 'waiting_for_scan'],
        ['jfrog', 'docker-local|alpha:1.1', `${h}/docker-local/alpha:1.1`, digest(12), 'waiting_for_scan'],
        ['jfrog', 'docker-local|alpha:2.0', `${h}/docker-local/alpha:2.0`, digest(13), 'waiting_for_scan'],
        ['jfrog', 'docker-local|beta/app:latest', `${h}/docker-local/beta/app:latest`, digest(14), 'waiting_for_scan'],
        ['jfrog', 'docker-local|gamma:edge', `${h}/docker-local/gamma:edge`, digest(15), 'waiting_for_scan'],
      ]);
      expect(jfrogLog.paths).toContain('GET /artifactory/api/docker/docker-local/v2/_catalog?n=2&last=beta%2Fapp');
      expect(jfrogLog.paths).toContain('GET /artifactory/api/docker/docker-local/v2/alpha/tags/list?n=2&last=1.1');
      expect(jfrogLog.paths).toContain('HEAD /v2/docker-local/beta/app/manifests/latest');
    });

    it('removes tags whose manifest is gone (HEAD 404), and only those', async () => {
      const id = (await store.db.selectFrom('registries').select('id').where('name', '=', 'jfrog').executeTakeFirstOrThrow()).id;
      delete jfrogImages['docker-local']!.alpha!['1.1'];
      const result = await sync(id);
      expect(result).toMatchObject({ tags: 5, new: 0, vanished: 1, removed: 1 });
      expect((await refs(id)).map((r) => r[1])).toEqual(['docker-local|alpha:1.0', 'docker-local|alpha:2.0', 'docker-local|beta/app:latest', 'docker-local|gamma:edge']);
    });

    it('uses the namespace as the repository key, and a second sync queues nothing for unchanged digests', async () => {
      const id = await createRegistry(store, box, { projectId: 'p1', name: 'jfrog-prod', type: 'Jfrog', protocol: 'http', addr: jfrog.host, namespace: 'docker-prod', username: 'robot$sync', password: 'pw' });
      expect(await sync(id)).toMatchObject({ tags: 1, new: 1, queued: 1 });
      expect((await refs(id)).map((r) => r[1])).toEqual(['docker-prod|delta:9']);
      // Mark it scanned at this digest, as a finished scan would.
      await store.db.updateTable('images').set({ scan_status: 'success', scanned_tag_digest: digest(16) }).where('registry_id', '=', id).execute();
      expect(await sync(id)).toMatchObject({ tags: 1, new: 0, upToDate: 1, queued: 0 });
    });
  });
});
