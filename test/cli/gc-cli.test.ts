/**
 * `tarsier gc` and the re-match options of `tarsier db` through the real CLI, on an embedded
 * database: a run on a store with nothing unreferenced, bad option values refused with one line
 * and exit 2 before anything is imported, and `db status --json` reporting the re-match state.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataDir, tarsier } from './db-cli.js';

describe('tarsier gc and db --rematch', () => {
  let db: Awaited<ReturnType<typeof dataDir>>;

  beforeAll(async () => {
    db = await dataDir('tarsier-cli-gc-');
  });

  afterAll(async () => {
    await db?.dispose();
  });

  it('collects garbage on the embedded database', async () => {
    const run = await tarsier(['gc', '--data-dir', db.dir, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ marked: 0, unmarked: 0, manifests: 0, layers: 0, layerFacts: 0, busy: 0, jobs: 0 });
  });

  it('refuses bad option values with one line and exit 2, importing nothing', async () => {
    const gc = await tarsier(['gc', '--data-dir', db.dir, '--grace-hours', 'soon']);
    expect(gc.code).toBe(2);
    expect(gc.stderr).toBe('tarsier: --grace-hours "soon": expected a non-negative number of hours\n');
    const retention = await tarsier(['gc', '--data-dir', db.dir], { TARSIER_JOB_RETENTION_DAYS: '7d' });
    expect(retention.code).toBe(2);
    expect(retention.stderr).toBe('tarsier: TARSIER_JOB_RETENTION_DAYS="7d": expected a non-negative number of days (e.g. 7 or 0.5)\n');
    const feed = join(db.dir, 'DSA-list');
    await writeFile(feed, '[01 Jan 2030] DSA-9999-1 dash - security update\n\t{CVE-2030-0002}\n\t[bookworm] - dash 0.5.12-3\n');
    const imported = await tarsier(['db', 'import', feed, '--data-dir', db.dir, '--rematch', 'later']);
    expect(imported.code).toBe(2);
    expect(imported.stderr).toBe('tarsier: --rematch "later": expected one of auto, here, queue\n');
    const status = await tarsier(['db', 'status', '--json', '--data-dir', db.dir]);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ sources: [], rematch: { upToDate: false } });
  });
});
