/**
 * Periodic work: a sync of every registry every N minutes (HSS autoSync), a rescan of registry
 * images whose last scan is older than M hours (HSS cycle tasks), an advisory update (`db update`
 * of the sources imported from URLs, followed by a re-match job when any changed) and garbage
 * collection of analyses no reference points to any more. Every service process runs a
 * Scheduler, but only the holder of the `scheduler` lease lock acts, so there is one scheduler
 * across processes; when it dies another takes over once its lease lapses. Each tick is
 * idempotent (it queues only what is due and not queued since), so a change of leader is harmless.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { TarsierError } from '../errors.js';
import type { Store } from '../store/open-store.js';
import { ADVISORY_UPDATE_KIND, hasUrlSources } from './advisory-update-job.js';
import { DEFAULT_GC_GRACE_MS, GC_KIND } from './gc.js';
import { LeaseLock, type JobQueue } from './queue.js';
import { createScanTask, enqueueSync, settleStrandedScans } from './tasks.js';

export interface ScheduleOptions {
  /** Sync each registry this often; 0 turns syncing off. */
  syncEveryMs: number;
  /** Rescan registry images last scanned longer ago than this; 0 turns rescans off. */
  rescanAfterMs: number;
  /** How often the leader looks for due work; the lease lasts three ticks. Default 15 s. */
  tickMs?: number;
  /** Images rescanned per project per tick, at most; default 1000. */
  rescanBatch?: number;
  /** Update the advisory sources imported from URLs this often; 0 (default here) turns it off. */
  advisoryUpdateEveryMs?: number;
  /** Collect garbage this often; 0 (default here) turns it off. */
  gcEveryMs?: number;
  /** How long an analysis stays unreferenced before garbage collection removes it; default 24 h. */
  gcGraceMs?: number;
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
 * TARSIER_ADVISORY_UPDATE_HOURS (default 24; only sources imported from a URL are fetched),
 * TARSIER_GC_INTERVAL_HOURS (default 6), TARSIER_GC_GRACE_HOURS (default 24),
 * TARSIER_SCHEDULER_TICK_MS (default 15000); 0 turns an interval off.
 */
export function scheduleOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ScheduleOptions {
  return {
    syncEveryMs: number(env, 'TARSIER_SYNC_INTERVAL_MINUTES', 60) * 60_000,
    rescanAfterMs: number(env, 'TARSIER_RESCAN_AFTER_HOURS', 24) * 3_600_000,
    advisoryUpdateEveryMs: number(env, 'TARSIER_ADVISORY_UPDATE_HOURS', 24) * 3_600_000,
    gcEveryMs: number(env, 'TARSIER_GC_INTERVAL_HOURS', 6) * 3_600_000,
    gcGraceMs: number(env, 'TARSIER_GC_GRACE_HOURS', DEFAULT_GC_GRACE_MS / 3_600_000) * 3_600_000,
    tickMs: Math.max(100, number(env, 'TARSIER_SCHEDULER_TICK_MS', 15_000)),
  };
}

export interface TickResult {
  leader: boolean;
  syncsQueued: number;
  rescansQueued: number;
  /** An advisory update (of the URL sources) was queued. */
  advisoryUpdateQueued: boolean;
  gcQueued: boolean;
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
    const o = this.options;
    if (this.timer || (o.syncEveryMs <= 0 && o.rescanAfterMs <= 0 && !(o.advisoryUpdateEveryMs! > 0) && !(o.gcEveryMs! > 0))) return;
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
    if (!(await this.lock.tryAcquire(LOCK, this.owner, now))) return { leader: false, syncsQueued: 0, rescansQueued: 0, advisoryUpdateQueued: false, gcQueued: false };
    // First repair what a worker that died mid-bookkeeping left (see settleStrandedScans).
    const settled = await settleStrandedScans(this.deps.store, now);
    if (settled > 0) this.log?.(`scheduler: settled ${settled} scan task image(s) a dead worker left waiting`);
    const syncsQueued = this.options.syncEveryMs > 0 ? await this.queueSyncs(now) : 0;
    const rescansQueued = this.options.rescanAfterMs > 0 ? await this.queueRescans(now) : 0;
    if (syncsQueued + rescansQueued > 0) this.log?.(`scheduler: ${syncsQueued} registry sync(s), ${rescansQueued} rescan(s) queued`);
    const advisoryUpdateQueued = (this.options.advisoryUpdateEveryMs ?? 0) > 0 && (await this.queueAdvisoryUpdate(now));
    const gcQueued = (this.options.gcEveryMs ?? 0) > 0 && (await this.queueEvery(GC_KIND, this.options.gcEveryMs!, { graceMs: this.options.gcGraceMs ?? DEFAULT_GC_GRACE_MS }, now));
    return { leader: true, syncsQueued, rescansQueued, advisoryUpdateQueued, gcQueued };
  }

  /** Queues a job of this kind unless one was queued within the interval (or is still pending). */
  private async queueEvery(kind: string, everyMs: number, payload: Record<string, unknown>, now: number): Promise<boolean> {
    const recent = await this.deps.store.query<{ id: number }>(
      `SELECT id FROM jobs WHERE kind = $1 AND dedupe_key = $1 AND (created_at >= $2 OR state IN ('queued', 'running')) LIMIT 1`,
      [kind, now - everyMs],
    );
    if (recent.length > 0) return false;
    return (await this.deps.queue.enqueue(kind, payload, { dedupeKey: kind }, now)).created;
  }

  /** Only when some source came from a URL, and none was imported (by a cron's `db update`, say) within the interval. */
  private async queueAdvisoryUpdate(now: number): Promise<boolean> {
    if (!(await hasUrlSources(this.deps.store))) return false;
    const everyMs = this.options.advisoryUpdateEveryMs!;
    const fresh = await this.deps.store.query<{ id: string }>(`SELECT id FROM advisory_sources WHERE id LIKE 'url:%' AND updated_at >= $1 LIMIT 1`, [now - everyMs]);
    if (fresh.length > 0) return false;
    return this.queueEvery(ADVISORY_UPDATE_KIND, everyMs, {}, now);
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

  /** Registry images whose last scan is older than the rescan age and that are not queued since; one cycle task per project and enterprise project. */
  private async queueRescans(now: number): Promise<number> {
    const before = now - this.options.rescanAfterMs;
    const due = await this.deps.store.query<{ id: string; project_id: string; enterprise_project_id: string }>(
      `SELECT i.id, i.project_id, i.enterprise_project_id FROM images i
       WHERE i.registry_id IS NOT NULL AND i.latest_scan_time < $1
         AND i.scan_status NOT IN ('waiting_for_scan', 'scanning')
         AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.kind = 'scan' AND j.dedupe_key = i.id AND j.created_at >= $1)
       ORDER BY i.latest_scan_time LIMIT $2`,
      [before, (this.options.rescanBatch ?? 1000) * 10],
    );
    const byTenant = new Map<string, { projectId: string; enterpriseProjectId: string; ids: string[] }>();
    const perProject = new Map<string, number>();
    for (const r of due) {
      const taken = perProject.get(r.project_id) ?? 0;
      if (taken >= (this.options.rescanBatch ?? 1000)) continue;
      perProject.set(r.project_id, taken + 1);
      const key = JSON.stringify([r.project_id, r.enterprise_project_id]);
      const group = byTenant.get(key) ?? { projectId: r.project_id, enterpriseProjectId: r.enterprise_project_id, ids: [] };
      group.ids.push(r.id);
      byTenant.set(key, group);
    }
    let queued = 0;
    for (const g of byTenant.values()) {
      await createScanTask(this.deps, g.projectId, g.ids, `scheduled rescan ${new Date(now).toISOString()}`, 'cycle', { enterpriseProjectId: g.enterpriseProjectId, now });
      queued += g.ids.length;
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
