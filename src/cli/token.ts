/**
 * `tarsier token create|revoke`: API tokens for the X-Auth-Token header. The token is printed once,
 * alone on the last line of stdout (scripts take `| tail -n1`); only its SHA-256 is stored.
 */
import type { Command } from 'commander';
import { TarsierError } from '../errors.js';
import { openStore, type Store } from '../store/open-store.js';
import { createToken, ensureProject, revokeToken } from '../store/projects-repo.js';
import { parseExpiry } from './expiry.js';

interface CreateFlags {
  project: string;
  enterpriseProject: string[];
  expires?: string;
  description?: string;
  dataDir?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerToken(program: Command, run: (fn: () => Promise<number>) => void): void {
  const token = program.command('token').description('manage API tokens (X-Auth-Token)');
  token
    .command('create')
    .description('create a token for a project (the project is created if missing)')
    .requiredOption('--project <id>', 'project id (the HSS project_id)')
    .option('--enterprise-project <id>', 'restrict to this enterprise project (repeatable); default all of the project', collect, [])
    .option('--expires <when>', 'expiry: 90m, 12h, 30d, 2w or an ISO date; default never')
    .option('--description <text>', 'what the token is for')
    .option('--data-dir <dir>', 'data directory of the embedded database')
    .action((flags: CreateFlags) => run(() => tokenCreate(flags)));
  token
    .command('revoke')
    .description('revoke a token by its id (printed by token create)')
    .argument('<id>', 'token id')
    .option('--data-dir <dir>', 'data directory of the embedded database')
    .action((id: string, flags: { dataDir?: string }) => run(() => tokenRevoke(id, flags)));
}

export async function withStore<T>(dataDir: string | undefined, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore({ dataDir });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export async function tokenCreate(flags: CreateFlags): Promise<number> {
  const expiresAt = flags.expires === undefined ? undefined : parseExpiry(flags.expires);
  const created = await withStore(flags.dataDir, async (store) => {
    await ensureProject(store, flags.project);
    return createToken(store, { projectId: flags.project, enterpriseProjects: flags.enterpriseProject, expiresAt, description: flags.description });
  });
  const out = process.stdout;
  out.write(`token id: ${created.id}\n`);
  out.write(`project: ${flags.project}${flags.enterpriseProject.length > 0 ? ` (enterprise projects: ${flags.enterpriseProject.join(', ')})` : ''}\n`);
  out.write(`expires: ${expiresAt === undefined ? 'never' : new Date(expiresAt).toISOString()}\n`);
  out.write('send it as the X-Auth-Token header; it is shown only now:\n');
  out.write(`${created.token}\n`);
  return 0;
}

export async function tokenRevoke(id: string, flags: { dataDir?: string }): Promise<number> {
  const revoked = await withStore(flags.dataDir, (store) => revokeToken(store, id));
  if (!revoked) throw new TarsierError('not_found', `token ${id} does not exist or is already revoked`);
  process.stdout.write(`revoked token ${id}\n`);
  return 0;
}
