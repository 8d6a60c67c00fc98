/**
 * Periodic work: a sync of every registry every N minutes (HSS autoSync) and a rescan of registry
 * images whose last scan is older than M hours (HSS cycle tasks). Every service process runs a
 * Scheduler, but only the holder of the `scheduler` lease lock acts, so there is one scheduler
 * across processes; when it dies another takes over once its lease lapses. Each tick is
 * idempotent (it queues only what is due and not queued since), so a change of leader is harmless.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { TarsierError } from '../errors.js';
import type { Store } from '../store/open-store.js';
import { LeaseLock, type JobQueue } from './queue.js';
import { createScanTask, enqueueSync } from './tasks.js';

export interface ScheduleOptions {
  /** Sync each registry this often; 0 turns syncing off. */
  syncEveryMs: number;
  /** Rescan registry images last scanned longer ago than this; 0 turns rescans off. */
  rescanAfterMs: number;
  /** How often the leader looks for due work; the lease lasts three ticks. Default 15 s. */
  tickMs?: number;
  /** Images rescanned per project per tick, at most; default 1000. */
  rescanBatch?: number;
}

const LOCK = 'scheduler';

function number(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name]?.trim();
  if (text === undefined || text === '') return fallback;
  if (!/^\d+(\.\d+)?$/.test(text)) throw new TarsierError('usage', `${name}=${JSON.stringify(text)}: expected a non-negative number`);
  return Number(text);
}

/**
 * TARSIER_SYNC_INTERVAL_MINUTES (default 60), TARSIER_RESCAN_AFTER_HOURS (default 24),
 * TARSIER_SCHEDULER_TICK_MS (default 15000); 0 turns the first two off.
 */
export function scheduleOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ScheduleOptions {
  return {
    syncEveryMs: number(env, 'TARSIER_SYNC_INTERVAL_MINUTES', 60) * 60_000,
    rescanAfterMs: number(env, 'TARSIER_RESCAN_AFTER_HOURS', 24) * 3_600_000,
    tickMs: Math.max(100, number(env, 'TARSIER_SCHEDULER_TICK_MS', 15_000)),
  };
}

export interface TickResult {
  leader: boolean;
  syncsQueued: number;
  rescansQueued: number;
}

export class Scheduler {
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}:scheduler`;
  private readonly lock: LeaseLock;
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private readonly tickMs: number;

  constructor(
    private readonly deps: { store: Store; queue: JobQueue },
    private readonly options: ScheduleOptions,
    private readonly log?: (line: string) => void,
  ) {
    this.tickMs = options.tickMs ?? 15_000;
    this.lock = new LeaseLock(deps.store, this.tickMs * 3);
  }

  start(): void {
    if (this.timer || (this.options.syncEveryMs <= 0 && this.options.rescanAfterMs <= 0)) return;
    let busy = false;
    const run = (): void => {
      // A slow tick (a large rescan batch) is not stacked on by the next one.
      if (busy) return;
      busy = true;
      this.running = this.tick()
        .catch((err: unknown) => this.log?.(`scheduler: ${(err as Error).message}`))
        .finally(() => {
          busy = false;
        });
    };
    run();
    this.timer = setInterval(run, this.tickMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    await this.lock.release(LOCK, this.owner).catch(() => undefined);
  }

  /** One round: take (or keep) the lease, then queue what is due. */
  async tick(now = Date.now()): Promise<TickResult> {
    if (!(await this.lock.tryAcquire(LOCK, this.owner, now))) return { leader: false, syncsQueued: 0, rescansQueued: 0 };
    const syncsQueued = this.options.syncEveryMs > 0 ? await this.queueSyncs(now) : 0;
    const rescansQueued = this.options.rescanAfterMs > 0 ? await this.queueRescans(now) : 0;
    if (syncsQueued + rescansQueued > 0) this.log?.(`scheduler: ${syncsQueued} registry sync(s), ${rescansQueued} rescan(s) queued`);
    return { leader: true, syncsQueued, rescansQueued };
  }

  /** Registries not synced, nor queued for a sync, within the interval. */
  private async queueSyncs(now: number): Promise<number> {
    const since = now - this.options.syncEveryMs;
    const due = await this.deps.store.query<{ id: string; project_id: string }>(
      `SELECT r.id, r.project_id FROM registries r
       WHERE (r.last_sync_at IS NULL OR r.last_sync_at < $1)
         AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.kind = 'sync' AND j.dedupe_key = r.id AND j.created_at >= $1)
       ORDER BY r.last_sync_at NULLS FIRST LIMIT 1000`,
      [since],
    );
    let queued = 0;
    for (const r of due) {
      const [res] = await enqueueSync(this.deps, r.project_id, [r.id], { taskType: 'autoSync' });
      if (res?.created) queued++;
    }
    return queued;
  }

  /** Registry images whose last scan is older than the rescan age and that are not queued since; one cycle task per project. */
  private async queueRescans(now: number): Promise<number> {
    const before = now - this.options.rescanAfterMs;
    const due = await this.deps.store.query<{ id: string; project_id: string }>(
      `SELECT i.id, i.project_id FROM images i
       WHERE i.registry_id IS NOT NULL AND i.latest_scan_time < $1
         AND i.scan_status NOT IN ('waiting_for_scan', 'scanning')
         AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.kind = 'scan' AND j.dedupe_key = i.id AND j.created_at >= $1)
       ORDER BY i.latest_scan_time LIMIT $2`,
      [before, (this.options.rescanBatch ?? 1000) * 10],
    );
    const byProject = new Map<string, string[]>();
    for (const r of due) {
      const list = byProject.get(r.project_id) ?? [];
      if (list.length < (this.options.rescanBatch ?? 1000)) list.push(r.id);
      byProject.set(r.project_id, list);
    }
    let queued = 0;
    for (const [projectId, ids] of byProject) {
      await createScanTask(this.deps, projectId, ids, `scheduled rescan ${new Date(now).toISOString()}`, 'cycle', now);
      queued += ids.length;
    }
    return queued;
  }
}

/** Starts the scheduler every service process runs (configured from the environment). */
export function startScheduler(ctx: { store: Store; queue: JobQueue }, log?: (line: string) => void, options: ScheduleOptions = scheduleOptionsFromEnv()): Scheduler {
  const scheduler = new Scheduler(ctx, options, log);
  scheduler.start();
  return scheduler;
}
