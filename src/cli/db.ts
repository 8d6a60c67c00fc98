/** `tarsier db import|update|status`: the advisory database shared by the CLI and the service. */
import type { Command } from 'commander';
import { defaultDataDir } from '../store/data-dir.js';
import type { Store } from '../store/open-store.js';
import type { ImportOutcome } from '../vulndb/update.js';

// The store and feed readers load only when a db command runs: `tarsier scan` starts lean.
const rematchAll = async (store: Store) => (await import('../jobs/rematch.js')).rematchAll(store);
const sourceStatus = async (store: Store) => (await import('../vulndb/advisory-store.js')).sourceStatus(store);
const importTargets = async (store: Store, targets: string[], warn: (m: string) => void) => (await import('../vulndb/update.js')).importTargets(store, targets, warn);
const updateSources = async (store: Store, warn: (m: string) => void) => (await import('../vulndb/update.js')).updateSources(store, warn);

interface DbFlags {
  dataDir?: string;
  rematch: boolean;
  json?: boolean;
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

function report(outcomes: ImportOutcome[], rematched: { manifests: number; findings: number } | null, json: boolean): number {
  const failed = outcomes.filter((o) => o.error);
  if (json) {
    process.stdout.write(`${JSON.stringify({ sources: outcomes, rematched }, null, 2)}\n`);
  } else {
    for (const o of outcomes) {
      const what = o.error ? `FAILED: ${o.error}` : o.unchanged ? 'not modified' : `${o.records} advisories${o.warnings ? `, ${o.warnings} record(s) skipped` : ''}`;
      process.stdout.write(`${o.source}: ${what}\n`);
    }
    if (rematched) process.stdout.write(`re-matched ${rematched.manifests} stored image(s): ${rematched.findings} vulnerability finding(s)\n`);
  }
  // Partial failure: the other sources are in; exit non-zero so automation notices.
  return failed.length > 0 ? 1 : 0;
}

export function registerDb(program: Command, run: (fn: () => Promise<number>) => void): void {
  const db = program.command('db').description('the advisory database (embedded in --data-dir, or DATABASE_URL)');
  const common = (c: Command) =>
    c
      .option('--data-dir <dir>', 'data directory of the embedded database', defaultDataDir())
      .option('--no-rematch', 'do not re-match stored images afterwards')
      .option('--json', 'machine-readable output');
  common(db.command('import').description('import feeds from files, folders or URLs (OSV, Alpine secdb, Debian DSA/DLA lists and tracker JSON)').argument('<path-or-url...>'))
    .action((targets: string[], flags: DbFlags) =>
      run(() =>
        withStore(flags, async (store) => {
          const outcomes = await importTargets(store, targets, (m) => process.stderr.write(`warning: ${m}\n`));
          const rematched = flags.rematch && outcomes.some((o) => o.records !== undefined) ? await rematchAll(store) : null;
          return report(outcomes, rematched, flags.json === true);
        }),
      ),
    );
  common(db.command('update').description('re-fetch every feed imported from a URL (conditional GET), or the default feeds'))
    .action((flags: DbFlags) =>
      run(() =>
        withStore(flags, async (store) => {
          const outcomes = await updateSources(store, (m) => process.stderr.write(`warning: ${m}\n`));
          const rematched = flags.rematch && outcomes.some((o) => o.records !== undefined) ? await rematchAll(store) : null;
          return report(outcomes, rematched, flags.json === true);
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
          if (flags.json) process.stdout.write(`${JSON.stringify({ sources }, null, 2)}\n`);
          else if (sources.length === 0) process.stdout.write('no advisory sources: run `tarsier db import PATH` or `tarsier db update`\n');
          else {
            for (const s of sources) process.stdout.write(`${s.id}\t${s.format}\t${s.records} advisories\tupdated ${new Date(s.updatedAt).toISOString()}\n`);
            process.stdout.write(`total: ${sources.reduce((n, s) => n + s.records, 0)} advisories in ${sources.length} source(s)\n`);
          }
          return 0;
        }),
      ),
    );
}
