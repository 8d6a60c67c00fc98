/**
 * Everything a service process (API, worker) shares: the store, the sealed-secrets key, the
 * queue and locks, and the on-disk layer cache, all under one data directory.
 */
import { join } from 'node:path';
import { DEFAULT_LIMITS, type ScanLimits } from '../analysis/analyze-image.js';
import { ADVISORY_UPDATE_KIND, runAdvisoryUpdateJob } from '../jobs/advisory-update-job.js';
import { collectGarbage, DEFAULT_GC_GRACE_MS, GC_KIND } from '../jobs/gc.js';
import { JobQueue, LeaseLock } from '../jobs/queue.js';
import { REMATCH_KIND, runRematchJob } from '../jobs/rematch-job.js';
import { runScanJob } from '../jobs/scan-job.js';
import { runSyncJob } from '../jobs/sync-job.js';
import { settleScanOutcome } from '../jobs/tasks.js';
import { Worker, workerId, type JobHandler } from '../jobs/worker.js';
import { defaultDataDir, openStore, type Store } from '../store/open-store.js';
import { SecretBox } from '../store/secret-box.js';

export interface ServiceContext {
  store: Store;
  box: SecretBox;
  queue: JobQueue;
  locks: LeaseLock;
  dataDir: string;
  cacheDir: string;
  limits: ScanLimits;
  platform: string;
  close(): Promise<void>;
}

export interface ServiceOptions {
  dataDir?: string;
  databaseUrl?: string;
  limits?: Partial<ScanLimits>;
  leaseMs?: number;
}

export async function openServiceContext(opts: ServiceOptions = {}): Promise<ServiceContext> {
  const dataDir = opts.dataDir ?? defaultDataDir();
  const store = await openStore({ dataDir, databaseUrl: opts.databaseUrl });
  const box = await SecretBox.load(dataDir);
  const leaseMs = opts.leaseMs ?? Number(process.env.TARSIER_JOB_LEASE_MS ?? 30_000);
  return {
    store,
    box,
    queue: new JobQueue(store, { leaseMs, backoffBaseMs: 2_000, backoffMaxMs: 5 * 60_000 }),
    locks: new LeaseLock(store, leaseMs),
    dataDir,
    cacheDir: join(dataDir, 'layer-cache'),
    limits: { ...DEFAULT_LIMITS, ...opts.limits },
    platform: 'linux/amd64',
    close: () => store.close(),
  };
}

export function createWorker(ctx: ServiceContext, log?: (line: string) => void): Worker {
  const owner = workerId();
  const handlers: Record<string, JobHandler> = {
    scan: (job) => runScanJob({ store: ctx.store, locks: ctx.locks, box: ctx.box, cacheDir: ctx.cacheDir, owner, limits: ctx.limits, platform: ctx.platform, log }, job),
    sync: (job) => runSyncJob({ store: ctx.store, box: ctx.box, queue: ctx.queue, log }, job),
    [REMATCH_KIND]: (job) => runRematchJob({ store: ctx.store, log }, job),
    [ADVISORY_UPDATE_KIND]: () => runAdvisoryUpdateJob({ store: ctx.store, queue: ctx.queue, log }),
    [GC_KIND]: (job) => collectGarbage({ store: ctx.store, locks: ctx.locks, owner }, { graceMs: Number(job.payload.graceMs ?? DEFAULT_GC_GRACE_MS), log }),
  };
  return new Worker({ store: ctx.store, queue: ctx.queue, handlers, owner, log, onOutcome: (job, outcome, failure) => settleScanOutcome(ctx.store, job, outcome, failure) });
}
