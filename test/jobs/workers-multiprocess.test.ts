/**
 * The issue's end-to-end test: three `tarsier worker` processes share one PostgreSQL database;
 * 30 images in a real docker-registry with basic auth are registered and synced; one worker is
 * SIGKILLed while it scans a large image, and its job completes on another worker once the lease
 * (2 s here) lapses. Every image is scanned exactly once, every digest analysed once, and no
 * finding is stored twice.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueSync } from '../../src/jobs/tasks.js';
import { ensureProject } from '../../src/store/projects-repo.js';
import { createRegistry } from '../../src/store/registries-repo.js';
import { openServiceContext, type ServiceContext } from '../../src/service/context.js';
import { startRegistry, type RunningRegistry } from '../helpers/registry-server.js';
import { createServerDatabase } from '../helpers/stores.js';
import { pushAll, tinySpec, writeLayout, type LayoutImage } from './sync-fixtures.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const IMAGES = 30;
/** These get an incompressible 24 MiB file, so their scans last long enough to be killed mid-way. */
const LARGE = new Set([4, 15, 26]);
const SECRETS = [
  { path: 'srv/.env', content: 'AWS_ACCESS_KEY_ID=AKIA2JQ7XKZ4PLM3QW7N\nAWS_SECRET_ACCESS_KEY=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\n' },
  { path: 'root/.ssh/id_rsa', content: '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n' },
];

interface WorkerProcess {
  child: ChildProcess;
  output: string;
  exited: Promise<void>;
}

let registry: RunningRegistry;
let db: { url: string; drop(): Promise<void> };
let ctx: ServiceContext;
let scratch: string;
const workers: WorkerProcess[] = [];
const savedKey = process.env.TARSIER_SECRET_KEY;

function startWorker(index: number, env: NodeJS.ProcessEnv): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/dev-entry.ts', 'worker', '--data-dir', join(scratch, `worker-${index}`)], { cwd: REPO, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const w: WorkerProcess = { child, output: '', exited: new Promise((resolve) => child.once('exit', () => resolve())) };
  child.stderr?.on('data', (d: Buffer) => (w.output = (w.output + d.toString()).slice(-20_000)));
  return w;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${workers.map((w, i) => `--- worker ${i}\n${w.output.slice(-3000)}`).join('\n')}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'tarsier-multiworker-'));
  db = await createServerDatabase();
  // Every process must open the registry credentials the test seals: one key for all.
  process.env.TARSIER_SECRET_KEY = randomBytes(32).toString('hex');
  ctx = await openServiceContext({ databaseUrl: db.url, dataDir: join(scratch, 'api'), leaseMs: 2_000 });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: db.url,
    TARSIER_JOB_LEASE_MS: '2000',
    // The test queues the one sync itself; no periodic work.
    TARSIER_SYNC_INTERVAL_MINUTES: '0',
    TARSIER_RESCAN_AFTER_HOURS: '0',
    TARSIER_ADVISORY_UPDATE_HOURS: '0',
    TARSIER_GC_INTERVAL_HOURS: '0',
  };
  // The workers start (tsx, migrations already applied) while the images are built and pushed.
  for (let i = 0; i < 3; i++) workers.push(startWorker(i, env));
  registry = await startRegistry();
  const images: LayoutImage[] = [];
  for (let i = 0; i < IMAGES; i++) {
    const spec = tinySpec(`image-${i}`, LARGE.has(i) ? 24 * 1024 * 1024 : 0);
    (spec.layers[0]!.entries as Array<{ path: string; content: string }>).push(...SECRETS);
    images.push({ ref: `img${i}`, spec });
  }
  const layout = join(scratch, 'layout');
  await writeLayout(layout, images);
  await pushAll(registry, layout, images.map((img, i) => ({ ref: img.ref, dest: `team/app-${String(i).padStart(2, '0')}:1.0` })), 8);
  await ensureProject(ctx.store, 'p1');
}, 120_000);

afterAll(async () => {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
  await Promise.race([Promise.all(workers.map((w) => w.exited)), new Promise((r) => setTimeout(r, 10_000))]);
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await ctx?.close();
  await db?.drop();
  await registry?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
  if (savedKey === undefined) delete process.env.TARSIER_SECRET_KEY;
  else process.env.TARSIER_SECRET_KEY = savedKey;
});

describe('three worker processes on one PostgreSQL', () => {
  it('scan every synced image exactly once, and finish a SIGKILLed worker’s scan elsewhere', async () => {
    const regId = await createRegistry(ctx.store, ctx.box, { projectId: 'p1', name: 'loopback', type: 'Other', protocol: 'http', addr: registry.host, username: registry.username, password: registry.password });
    const [sync] = await enqueueSync(ctx, 'p1', [regId]);

    // Wait for a large image's scan to be running on some worker, then kill that worker outright.
    const pids = new Map(workers.map((w) => [w.child.pid!, w]));
    const victim = await until(
      'a large image being scanned',
      async () => {
        const rows = await ctx.store.query<{ id: number; lease_owner: string; image_name: string }>(
          `SELECT j.id, j.lease_owner, i.image_name FROM jobs j JOIN images i ON i.id = j.payload->>'imageId'
           WHERE j.kind = 'scan' AND j.state = 'running' AND i.image_name = ANY($1::text[])`,
          [[...LARGE].map((n) => `app-${String(n).padStart(2, '0')}`)],
        );
        for (const r of rows) {
          const pid = Number(r.lease_owner.split(':')[1]);
          if (pids.has(pid)) return { jobId: r.id, pid, image: r.image_name };
        }
        return undefined;
      },
      75_000,
    );
    pids.get(victim.pid)!.child.kill('SIGKILL');
    await pids.get(victim.pid)!.exited;
    const afterKill = await ctx.store.db.selectFrom('jobs').select(['state', 'lease_owner']).where('id', '=', victim.jobId).executeTakeFirstOrThrow();
    // Killed mid-scan: the job is still leased to the dead process.
    expect(afterKill.state).toBe('running');
    expect(afterKill.lease_owner).toContain(`:${victim.pid}:`);

    await until(
      'every scan to finish',
      async () => {
        const rows = await ctx.store.query<{ pending: number; total: number }>(
          `SELECT count(*) FILTER (WHERE state IN ('queued', 'running'))::int8 AS pending, count(*)::int8 AS total FROM jobs`,
        );
        return rows[0]!.total === IMAGES + 1 && rows[0]!.pending === 0 ? true : undefined;
      },
      60_000,
      200,
    );

    const syncJob = await ctx.store.db.selectFrom('jobs').select(['state', 'result']).where('id', '=', sync!.jobId).executeTakeFirstOrThrow();
    expect(syncJob).toMatchObject({ state: 'done', result: { tags: IMAGES, new: IMAGES, queued: IMAGES } });

    // Every image: one scan job, done; only the killed one needed a second attempt.
    const scans = await ctx.store.query<{ id: number; state: string; attempts: number; image_id: string; analysed: boolean; digest: string }>(
      `SELECT id, state, attempts, payload->>'imageId' AS image_id, (result->>'analysed')::boolean AS analysed, result->>'digest' AS digest FROM jobs WHERE kind = 'scan'`,
    );
    expect(scans).toHaveLength(IMAGES);
    expect(new Set(scans.map((s) => s.image_id)).size).toBe(IMAGES);
    expect(scans.every((s) => s.state === 'done')).toBe(true);
    expect(scans.filter((s) => s.attempts > 1).map((s) => [s.id, s.attempts])).toEqual([[victim.jobId, 2]]);

    const images = await ctx.store.db.selectFrom('images').select(['id', 'scan_status', 'digest', 'tag_digest', 'scanned_tag_digest']).where('registry_id', '=', regId).execute();
    expect(images).toHaveLength(IMAGES);
    for (const img of images) expect(img).toMatchObject({ scan_status: 'success', digest: img.tag_digest, scanned_tag_digest: img.tag_digest });

    // Every digest analysed exactly once (the killed attempt saved nothing), one stored analysis each.
    const digests = new Set(images.map((i) => i.digest));
    expect(digests.size).toBe(IMAGES);
    for (const d of digests) expect(scans.filter((s) => s.digest === d && s.analysed)).toHaveLength(1);
    const manifests = await ctx.store.db.selectFrom('manifests').select(['digest', 'inventory']).execute();
    expect(manifests.map((m) => m.digest).sort()).toEqual([...digests].sort());

    // No duplicate findings: each image's two secrets are stored once, at inventory and finding level.
    for (const m of manifests) {
      const facts = m.inventory.sensitive.map((s) => `${s.key} ${s.path}`).sort();
      expect(facts).toEqual(['aws_access_key srv/.env', 'ssh_private_key root/.ssh/id_rsa']);
    }
    const findings = await ctx.store.query<{ manifest_digest: string; keys: string[] }>(
      `SELECT manifest_digest, array_agg(key || ' ' || path ORDER BY key) AS keys FROM sensitive_findings GROUP BY manifest_digest`,
    );
    expect(findings).toHaveLength(IMAGES);
    for (const f of findings) expect(f.keys).toEqual(['aws_access_key srv/.env', 'ssh_private_key root/.ssh/id_rsa']);
    const dupFindings = await ctx.store.query<{ n: number }>(
      `SELECT count(*)::int8 AS n FROM (SELECT manifest_digest, key, path FROM sensitive_findings GROUP BY 1, 2, 3 HAVING count(*) > 1) d`,
    );
    expect(dupFindings[0]!.n).toBe(0);
    const dupSightings = await ctx.store.query<{ n: number }>(
      `SELECT count(*)::int8 AS n FROM (SELECT image_id, kind, fingerprint FROM finding_sightings GROUP BY 1, 2, 3 HAVING count(*) > 1) d`,
    );
    expect(dupSightings[0]!.n).toBe(0);

    // The two survivors are still working; the killed one is gone.
    expect(workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null)).toHaveLength(2);
  }, 90_000);
});
