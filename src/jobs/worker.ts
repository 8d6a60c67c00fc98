/**
 * A worker: claims jobs, keeps their lease alive while it works, and records the outcome.
 * `stop()` lets the current job finish (SIGTERM); a SIGKILLed worker's job is taken over by
 * another worker once its lease lapses.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { classifyFailure, type FailureClass } from './failure.js';
import type { Job, JobQueue } from './queue.js';
import { setScanStatus } from '../store/images-repo.js';
import type { Store } from '../store/open-store.js';

export type JobHandler = (job: Job) => Promise<Record<string, unknown>>;

export interface WorkerOptions {
  store: Store;
  queue: JobQueue;
  handlers: Record<string, JobHandler>;
  owner?: string;
  pollMs?: number;
  log?: (line: string) => void;
  /** After each job: `done`/`failed` are final, `retry` requeued, `lost` taken over by another worker. Errors are logged, never fatal. */
  onOutcome?: (job: Job, outcome: 'done' | 'retry' | 'failed' | 'lost', failure?: FailureClass) => Promise<void>;
}

export function workerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

export class Worker {
  readonly owner: string;
  private stopping = false;
  private loop?: Promise<void>;
  private wake?: () => void;

  constructor(private readonly opts: WorkerOptions) {
    this.owner = opts.owner ?? workerId();
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
  }

  /** Runs one claimable job if there is one; resolves false when the queue had nothing ready. */
  async runOnce(): Promise<boolean> {
    const job = await this.opts.queue.claim(Object.keys(this.opts.handlers), this.owner, Date.now(), (gaveUp, reason) =>
      // Nothing says why its holder died (out of memory on this image, a SIGKILL): an unknown error.
      this.recordFailure(gaveUp, 'failed', { status: 'failed', code: 'unknown_error', retryable: false, reason }),
    );
    if (!job) return false;
    const beat = setInterval(() => void this.opts.queue.heartbeat(job.id, this.owner).catch(() => undefined), Math.max(200, this.opts.queue.timing.leaseMs / 3));
    try {
      const result = await this.opts.handlers[job.kind]!(job);
      const completed = await this.opts.queue.complete(job.id, this.owner, result);
      await this.outcome(job, completed ? 'done' : 'lost');
    } catch (err) {
      const f = classifyFailure(err);
      const outcome = await this.opts.queue.fail(job, this.owner, f.reason, f.retryable);
      await this.recordFailure(job, outcome, f);
    } finally {
      clearInterval(beat);
    }
    return true;
  }

  /** Shows a failed attempt on the image (a retry keeps it waiting; a final failure shows the HSS status and code) and runs the outcome hook. */
  private async recordFailure(job: Job, outcome: 'retry' | 'failed' | 'lost', f: FailureClass): Promise<void> {
    this.opts.log?.(`job ${job.id} (${job.kind}) attempt ${job.attempts}: ${f.reason} → ${outcome}`);
    if (outcome !== 'lost' && job.kind === 'scan' && typeof job.payload.imageId === 'string') {
      await setScanStatus(this.opts.store, job.payload.imageId, outcome === 'retry'
        ? { status: 'waiting_for_scan', failedReason: f.reason }
        : { status: f.status, failedCode: f.code, failedReason: f.reason, scannedAt: Date.now() }).catch(() => undefined);
    }
    await this.outcome(job, outcome, f);
  }

  private async outcome(job: Job, outcome: 'done' | 'retry' | 'failed' | 'lost', failure?: FailureClass): Promise<void> {
    try {
      await this.opts.onOutcome?.(job, outcome, failure);
    } catch (err) {
      this.opts.log?.(`job ${job.id} (${job.kind}) outcome hook: ${(err as Error).message}`);
    }
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let worked = false;
      try {
        worked = await this.runOnce();
      } catch (err) {
        // The store is unreachable (restart, network): wait and try again; nothing is lost, leases cover it.
        this.opts.log?.(`worker: ${(err as Error).message}`);
      }
      if (!worked && !this.stopping) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, this.opts.pollMs ?? 500);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
    }
  }
}
