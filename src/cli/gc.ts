/**
 * `tarsier gc`: garbage-collect analyses no image reference points to any more (jobs/gc.ts), on
 * the embedded database in the data directory or on DATABASE_URL. A running service does the same
 * on its own schedule (TARSIER_GC_INTERVAL_HOURS); this is for an operator who wants it now.
 * An analysis first seen unreferenced is only marked: it goes once it has stayed unreferenced for
 * the grace period, so the first run on a store usually removes nothing. Finished jobs older than
 * TARSIER_JOB_RETENTION_DAYS (default 7) are pruned too.
 */
import type { Command } from 'commander';
import { TarsierError } from '../errors.js';
import { defaultDataDir } from '../store/data-dir.js';

interface GcFlags {
  dataDir: string;
  graceHours?: string;
  json?: boolean;
}

function graceMs(text: string | undefined, fallbackHours: number): number {
  const value = text ?? process.env.TARSIER_GC_GRACE_HOURS ?? String(fallbackHours);
  if (!/^\d+(\.\d+)?$/.test(value.trim())) throw new TarsierError('usage', `--grace-hours ${JSON.stringify(value)}: expected a non-negative number of hours`);
  return Number(value) * 3_600_000;
}

export function registerGc(program: Command, run: (fn: () => Promise<number>) => void): void {
  program
    .command('gc')
    .description('remove stored analyses, layers and layer facts no image reference uses any more (after a grace period), and finished jobs older than TARSIER_JOB_RETENTION_DAYS (default 7)')
    .option('--data-dir <dir>', 'data directory of the embedded database', defaultDataDir())
    .option('--grace-hours <h>', 'how long an analysis must stay unreferenced before it goes (default TARSIER_GC_GRACE_HOURS or 24; 0 only when no scan runs)')
    .option('--json', 'machine-readable output')
    .action((flags: GcFlags) => run(() => gcCommand(flags)));
}

export async function gcCommand(flags: GcFlags): Promise<number> {
  const { collectGarbage, DEFAULT_GC_GRACE_MS, jobRetentionMs } = await import('../jobs/gc.js');
  const grace = graceMs(flags.graceHours, DEFAULT_GC_GRACE_MS / 3_600_000);
  // A bad value is a usage error before the store opens.
  const retention = jobRetentionMs();
  const { openStore } = await import('../store/open-store.js');
  const { LeaseLock } = await import('../jobs/queue.js');
  const { workerId } = await import('../jobs/worker.js');
  const store = await openStore({ dataDir: flags.dataDir });
  try {
    const result = await collectGarbage({ store, locks: new LeaseLock(store), owner: `${workerId()}:gc` }, { graceMs: grace, jobRetentionMs: retention });
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      process.stdout.write(
        `removed ${result.manifests} unreferenced analysis(es), ${result.layers} layer(s), ${result.layerFacts} layer fact(s); ` +
          `${result.jobs} finished job(s) pruned; ${result.marked} newly unreferenced analysis(es) marked (they go after ${grace / 3_600_000} h unreferenced)` +
          `${result.busy > 0 ? `; ${result.busy} left for later (being scanned)` : ''}${result.sweepSkipped ? `; nothing removed: ${result.sweepSkipped}` : ''}\n`,
      );
    }
    return 0;
  } finally {
    await store.close();
  }
}
