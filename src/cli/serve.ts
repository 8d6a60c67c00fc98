/**
 * `tarsier serve`: the HTTP API with an in-process scan worker, on the embedded database in the
 * data directory or on DATABASE_URL. SIGTERM/SIGINT stop accepting connections, let in-flight
 * requests and the current scan finish, then close the store.
 */
import type { Command } from 'commander';
import { buildApp } from '../api/app.js';
import { API_MODULES } from '../api/modules.js';
import { TarsierError } from '../errors.js';
import { startScheduler, type Scheduler } from '../jobs/schedule.js';
import { validateServiceEnv } from '../jobs/service-env.js';
import { createWorker, openServiceContext } from '../service/context.js';
import { parseIntOption } from './options.js';

interface ServeFlags {
  host: string;
  port: string;
  dataDir?: string;
  worker: boolean;
  concurrency: string;
  demo?: boolean;
}

export function registerServe(program: Command, run: (fn: () => Promise<number>) => void): void {
  program
    .command('serve')
    .description('run the API (HSS v5 and Alibaba Security Center compatible) with an in-process scan worker')
    .option('--host <host>', 'address to listen on (0.0.0.0 for every interface)', process.env.TARSIER_HOST ?? '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 picks a free one)', process.env.TARSIER_PORT ?? '8080')
    .option('--data-dir <dir>', 'data directory (embedded database, layer cache, secret key)')
    .option('--no-worker', 'serve the API only; scans wait for a `tarsier worker`')
    .option('--concurrency <n>', 'scan jobs processed at once by the in-process worker', '1')
    .option('--demo', 'first run: create a demo project and token, import the bundled advisories, scan the bundled demo images, print curl examples')
    .action((flags: ServeFlags) => run(() => serveCommand(flags)));
}

export async function serveCommand(flags: ServeFlags): Promise<number> {
  const port = parseIntOption('--port', flags.port, 0, 65535);
  const concurrency = parseIntOption('--concurrency', flags.concurrency, 1, 64);
  const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  // Read before anything opens: a bad TARSIER_* value (sync interval, cache size, job retention…) is
  // a usage error, not a half-started server or every scan job failing with it.
  const env = validateServiceEnv();
  const schedule = flags.worker ? env.schedule : undefined;
  const ctx = await openServiceContext({ dataDir: flags.dataDir });
  const { app } = await buildApp({
    services: { store: ctx.store, box: ctx.box, queue: ctx.queue },
    modules: API_MODULES,
    intake: { dataDir: ctx.dataDir },
    logger: { level: process.env.TARSIER_LOG_LEVEL ?? 'info' },
  });
  let address: string;
  try {
    address = await app.listen({ host: flags.host, port });
  } catch (err) {
    await app.close().catch(() => undefined);
    await ctx.close();
    throw new TarsierError('usage', `cannot listen on ${flags.host}:${port}: ${(err as Error).message}`);
  }
  const workers = flags.worker ? Array.from({ length: concurrency }, () => createWorker(ctx, log)) : [];
  for (const w of workers) w.start();
  // Periodic syncs and rescans only make sense where something runs the jobs they queue.
  const scheduler: Scheduler | undefined = schedule ? startScheduler(ctx, log, schedule) : undefined;
  // The one line scripts wait for: where the API is.
  process.stdout.write(`tarsier: listening on ${address} (${ctx.store.kind} store, ${workers.length} worker${workers.length === 1 ? '' : 's'}; docs at ${address}/docs)\n`);
  if (flags.demo) {
    const { seedDemo, waitForDemoScans, demoExamples } = await import('../demo/seed.js');
    const seed = await seedDemo(ctx, log);
    log(`demo: ${seed.images.length} demo images queued for scanning`);
    const done = workers.length === 0 ? false : await waitForDemoScans(ctx, seed);
    if (!done) log('demo: scans are still running (or no worker); the examples fill in as they finish');
    const lines = await demoExamples(ctx, seed, address);
    process.stdout.write(`\nDemo project "demo" is ready. Token (send as X-Auth-Token):\n${seed.token}\n\nTry:\n${lines.join('\n')}\n\nOpenAPI: ${address}/openapi.json   docs: ${address}/docs   Ctrl-C stops.\n`);
  }

  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  log('serve: stopping (in-flight requests and the current scan finish first)');
  await app.close();
  await scheduler?.stop();
  await Promise.all(workers.map((w) => w.stop()));
  await ctx.close();
  log('serve: stopped');
  return 0;
}
