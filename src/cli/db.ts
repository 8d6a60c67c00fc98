/**
 * `tarsier db import|update|status`: the advisory database shared by the CLI and the service.
 *
 * After an import the stored images are re-matched by a `rematch` job on the store's queue
 * (jobs/rematch-job.ts), so the service's workers can run it. `--rematch` says who runs it:
 * `auto` (default) runs it in this process on the embedded database — nothing else can open that
 * database while this command runs, so no worker could take it — and on a PostgreSQL server hands
 * it to the service's workers, running it here only when none takes it within 10 s (no service is
 * up); `queue` only queues it; `here` runs it here (waiting for a worker that already took it).
 */
import type { Command } from 'commander';
import { TarsierError } from '../errors.js';
import type { RematchStatus } from '../jobs/rematch-job.js';
import { defaultDataDir } from '../store/data-dir.js';
import type { Store } from '../store/open-store.js';
import type { ImportOutcome } from '../vulndb/update.js';

// The store and feed readers load only when a db command runs: `tarsier scan` starts lean.
const sourceStatus = async (store: Store) => (await import('../vulndb/advisory-store.js')).sourceStatus(store);
const importTargets = async (store: Store, targets: string[], warn: (m: string) => void) => (await import('../vulndb/update.js')).importTargets(store, targets, warn);
const updateSources = async (store: Store, warn: (m: string) => void) => (await import('../vulndb/update.js')).updateSources(store, warn);

const REMATCH_WHEN = ['auto', 'here', 'queue'] as const;
type RematchWhen = (typeof REMATCH_WHEN)[number];

interface DbFlags {
  dataDir?: string;
  /** `--no-rematch` makes it false. */
  rematch: string | false;
  json?: boolean;
}

/** How long `auto` gives a service's workers to take the re-match before running it here. */
const WORKER_PICKUP_MS = 10_000;

interface RematchOutcome {
  /** Counts when the re-match finished (here, or earlier for the same advisories); null when handed to the workers. */
  rematched: { manifests: number; findings: number } | null;
  job: { id: number; state: string; generation: string; error?: string };
}

function rematchWhen(flags: DbFlags): RematchWhen | false {
  if (flags.rematch === false) return false;
  if (!(REMATCH_WHEN as readonly string[]).includes(flags.rematch)) throw new TarsierError('usage', `--rematch ${JSON.stringify(flags.rematch)}: expected one of ${REMATCH_WHEN.join(', ')}`);
  return flags.rematch as RematchWhen;
}

async function rematchAfterImport(store: Store, when: RematchWhen): Promise<RematchOutcome> {
  const { JobQueue } = await import('../jobs/queue.js');
  const jobs = await import('../jobs/rematch-job.js');
  const queue = new JobQueue(store);
  const counts = (r: Record<string, unknown> | null | undefined) => ({ manifests: Number(r?.manifests ?? 0), findings: Number(r?.findings ?? 0) });
  const req = await jobs.enqueueRematch({ store, queue });
  if (req.alreadyDone) return { rematched: counts(req.alreadyDone), job: { id: req.jobId, state: 'done', generation: req.generation } };
  const here = when === 'here' || (when === 'auto' && (store.kind === 'embedded' || !(await jobs.waitForClaim(store, req.jobId, WORKER_PICKUP_MS))));
  if (!here) {
    const row = await store.db.selectFrom('jobs').select('state').where('id', '=', req.jobId).executeTakeFirst();
    return { rematched: null, job: { id: req.jobId, state: row?.state ?? 'queued', generation: req.generation } };
  }
  const end = await jobs.runRematchHere({ store, queue, log: (line) => process.stderr.write(`${line}\n`) }, req.jobId);
  const job = { id: req.jobId, state: end.state, generation: req.generation, ...(end.error ? { error: end.error } : {}) };
  return { rematched: end.state === 'done' ? counts(end.result) : null, job };
}

async function withStore<T>(flags: DbFlags, fn: (store: Store) => Promise<T>): Promise<T> {
  const { openStore } = await import('../store/open-store.js');
  const store = await openStore({ dataDir: flags.dataDir ?? defaultDataDir() });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function report(outcomes: ImportOutcome[], rematch: RematchOutcome | null, json: boolean): number {
  const failed = outcomes.filter((o) => o.error);
  if (json) {
    process.stdout.write(`${JSON.stringify({ sources: outcomes, rematched: rematch?.rematched ?? null, rematchJob: rematch?.job ?? null }, null, 2)}\n`);
  } else {
    for (const o of outcomes) {
      const what = o.error ? `FAILED: ${o.error}` : o.unchanged ? 'not modified' : `${o.records} advisories${o.warnings ? `, ${o.warnings} record(s) skipped` : ''}`;
      process.stdout.write(`${o.source}: ${what}\n`);
    }
    const r = rematch?.rematched;
    if (r) process.stdout.write(`re-matched ${r.manifests} stored image(s): ${r.findings} vulnerability finding(s)\n`);
    else if (rematch?.job.state === 'failed') process.stdout.write(`re-match job ${rematch.job.id} FAILED: ${rematch.job.error ?? 'unknown error'}\n`);
    else if (rematch) process.stdout.write(`re-match job ${rematch.job.id} ${rematch.job.state === 'running' ? 'taken by a worker' : 'queued for the workers'}\n`);
  }
  // Partial failure: the other sources are in; exit non-zero so automation notices.
  return failed.length > 0 || rematch?.job.state === 'failed' ? 1 : 0;
}

function describeRematch(s: RematchStatus): string {
  const at = (ms: number | null) => (ms === null ? '?' : new Date(ms).toISOString());
  const j = s.latest;
  if (!j) return s.upToDate ? 're-match: nothing to do' : 're-match: never run';
  const stored = (v: NonNullable<RematchStatus['latest']>) => (v.result?.skipped ? `${String(v.result.skipped)}` : `${Number(v.result?.manifests ?? 0)} stored image(s), ${Number(v.result?.changed ?? 0)} changed`);
  let line =
    j.state === 'done'
      ? `re-match: done ${at(j.finishedAt)} (job ${j.id}): ${stored(j)}`
      : j.state === 'failed'
        ? `re-match: job ${j.id} FAILED ${at(j.finishedAt)}: ${j.error ?? 'unknown error'}`
        : j.state === 'running'
          ? `re-match: job ${j.id} running (attempt ${j.attempts}), queued ${at(j.createdAt)}`
          : `re-match: job ${j.id} queued ${at(j.createdAt)}, waiting for a worker${j.attempts > 0 ? ` (retry after ${j.attempts} attempt(s): ${j.error ?? ''})` : ''}`;
  if (s.lastDone) line += `; last done ${at(s.lastDone.finishedAt)} (job ${s.lastDone.id})`;
  return `${line}; ${s.upToDate ? 'up to date' : 'advisories changed since the last re-match'}`;
}

export function registerDb(program: Command, run: (fn: () => Promise<number>) => void): void {
  const db = program.command('db').description('the advisory database (embedded in --data-dir, or DATABASE_URL)');
  const common = (c: Command) =>
    c
      .option('--data-dir <dir>', 'data directory of the embedded database', defaultDataDir())
      .option('--rematch <when>', 're-match stored images afterwards: auto (here on the embedded database; on a server by the service\'s workers, here if none takes it within 10 s), here, or queue (for the workers)', 'auto')
      .option('--no-rematch', 'do not re-match stored images afterwards')
      .option('--json', 'machine-readable output');
  common(db.command('import').description('import feeds from files, folders or URLs (OSV, Alpine secdb, Debian DSA/DLA lists and tracker JSON)').argument('<path-or-url...>'))
    .action((targets: string[], flags: DbFlags) =>
      run(() =>
        withStore(flags, async (store) => {
          const when = rematchWhen(flags);
          const outcomes = await importTargets(store, targets, (m) => process.stderr.write(`warning: ${m}\n`));
          const rematch = when && outcomes.some((o) => o.records !== undefined) ? await rematchAfterImport(store, when) : null;
          return report(outcomes, rematch, flags.json === true);
        }),
      ),
    );
  common(db.command('update').description('re-fetch every feed imported from a URL (conditional GET), or the default feeds'))
    .action((flags: DbFlags) =>
      run(() =>
        withStore(flags, async (store) => {
          const when = rematchWhen(flags);
          const outcomes = await updateSources(store, (m) => process.stderr.write(`warning: ${m}\n`));
          const rematch = when && outcomes.some((o) => o.records !== undefined) ? await rematchAfterImport(store, when) : null;
          return report(outcomes, rematch, flags.json === true);
        }),
      ),
    );
  db.command('status')
    .description('sources, record counts and last update')
    .option('--data-dir <dir>', 'data directory of the embedded database', defaultDataDir())
    .option('--json', 'machine-readable output')
    .action((flags: DbFlags) =>
      run(() =>
        withStore(flags, async (store) => {
          const sources = await sourceStatus(store);
          const rematch = await (await import('../jobs/rematch-job.js')).rematchStatus(store);
          if (flags.json) process.stdout.write(`${JSON.stringify({ sources, rematch }, null, 2)}\n`);
          else if (sources.length === 0 && !rematch.latest) process.stdout.write('no advisory sources: run `tarsier db import PATH` or `tarsier db update`\n');
          else {
            for (const s of sources) process.stdout.write(`${s.id}\t${s.format}\t${s.records} advisories\tupdated ${new Date(s.updatedAt).toISOString()}\n`);
            process.stdout.write(`total: ${sources.reduce((n, s) => n + s.records, 0)} advisories in ${sources.length} source(s)\n`);
            process.stdout.write(`${describeRematch(rematch)}\n`);
          }
          return 0;
        }),
      ),
    );
}
