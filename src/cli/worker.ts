/** `tarsier worker`: runs scan workers against the store until SIGTERM/SIGINT (the current job finishes first). */
import type { Command } from 'commander';
import { startScheduler } from '../jobs/schedule.js';
import { validateServiceEnv } from '../jobs/service-env.js';
import { parseIntOption } from './options.js';

interface WorkerFlags {
  dataDir?: string;
  concurrency: string;
}

export function registerWorker(program: Command, run: (fn: () => Promise<number>) => void): void {
  program
    .command('worker')
    .description('process scan jobs from the store (DATABASE_URL for a shared PostgreSQL; several workers share the work)')
    .option('--data-dir <dir>', 'data directory (embedded database, layer cache, secret key)')
    .option('--concurrency <n>', 'jobs processed at once by this process', '1')
    .action((flags: WorkerFlags) => run(() => workerCommand(flags)));
}

export async function workerCommand(flags: WorkerFlags): Promise<number> {
  const concurrency = parseIntOption('--concurrency', flags.concurrency, 1, 64);
  // Before anything opens: a bad TARSIER_* value is one usage line, not every job failing with it.
  const env = validateServiceEnv();
  const { createWorker, openServiceContext } = await import('../service/context.js');
  const ctx = await openServiceContext({ dataDir: flags.dataDir });
  const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  const workers = Array.from({ length: concurrency }, () => createWorker(ctx, log));
  for (const w of workers) w.start();
  // Periodic syncs and rescans; only one process at a time acts (a lease lock in the store).
  const scheduler = startScheduler(ctx, log, env.schedule);
  log(`worker: ${concurrency} worker(s) started on the ${ctx.store.kind} store`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  log('worker: stopping after the current job');
  await Promise.all([scheduler.stop(), ...workers.map((w) => w.stop())]);
  await ctx.close();
  return 0;
}
