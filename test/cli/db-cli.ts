/**
 * Runs the real `tarsier` CLI from source (`node --import tsx src/cli/dev-entry.ts …`) for the db
 * and scan tests, each against its own embedded database: a copy of the migrated template the test
 * run created (test/global-setup.ts), so no test pays PGlite's initdb.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess, type ProcessResult } from '../e2e/process.js';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const SHARED_VULNDB = resolve(REPO_ROOT, '../shared/data/vulndb');
export const SNAPSHOT = join(REPO_ROOT, 'data/advisories');

export type CliRun = ProcessResult;

export function tarsier(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, TARSIER_DEBUG: '', ...env };
  // The embedded database, never a server some other test configured.
  delete childEnv.DATABASE_URL;
  return runProcess(process.execPath, ['--import', 'tsx', 'src/cli/dev-entry.ts', ...args], { cwd: REPO_ROOT, env: childEnv });
}

/** A fresh data directory holding a migrated, empty embedded database. */
export async function dataDir(prefix = 'tarsier-cli-db-'): Promise<{ dir: string; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const template = process.env.TARSIER_PGLITE_TEMPLATE;
  if (template) await cp(template, dir, { recursive: true });
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}

export interface StatusJson {
  sources: Array<{ id: string; format: string; location: string; updatedAt: number; records: number; etag: string | null; lastModified: string | null }>;
}

export interface ImportJson {
  sources: Array<{ source: string; records?: number; unchanged?: boolean; error?: string; warnings: number }>;
  rematched: { manifests: number; findings: number } | null;
}
