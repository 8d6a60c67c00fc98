/**
 * `tarsier access-key create|revoke|list`: AK/SK pairs for the vendor SDKs' signed requests (HSS
 * SDK-HMAC-SHA256, Alibaba V1/V3). The secret is printed once; it is stored sealed with the
 * data directory's secret key (or TARSIER_SECRET_KEY, which every process sharing a server must set).
 */
import type { Command } from 'commander';
import { createAccessKey, listAccessKeys, revokeAccessKey } from '../api/auth/access-keys.js';
import { TarsierError } from '../errors.js';
import { defaultDataDir } from '../store/open-store.js';
import { ensureProject } from '../store/projects-repo.js';
import { SecretBox } from '../store/secret-box.js';
import { withStore } from './token.js';

interface CreateFlags {
  project: string;
  enterpriseProject: string[];
  description?: string;
  dataDir?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerAccessKey(program: Command, run: (fn: () => Promise<number>) => void): void {
  const cmd = program.command('access-key').description('manage access keys (AK/SK) for SDK-signed requests');
  cmd
    .command('create')
    .description('create an access key for a project (the project is created if missing)')
    .requiredOption('--project <id>', 'project id (the HSS project_id)')
    .option('--enterprise-project <id>', 'restrict to this enterprise project (repeatable); default all of the project', collect, [])
    .option('--description <text>', 'what the key is for')
    .option('--data-dir <dir>', 'data directory (embedded database and secret key)')
    .action((flags: CreateFlags) => run(() => accessKeyCreate(flags)));
  cmd
    .command('revoke')
    .description('revoke an access key')
    .argument('<access-key-id>', 'the AK')
    .option('--data-dir <dir>', 'data directory of the embedded database')
    .action((id: string, flags: { dataDir?: string }) => run(() => accessKeyRevoke(id, flags)));
  cmd
    .command('list')
    .description('list access keys (never their secrets)')
    .option('--project <id>', 'only this project')
    .option('--data-dir <dir>', 'data directory of the embedded database')
    .action((flags: { project?: string; dataDir?: string }) => run(() => accessKeyList(flags)));
}

export async function accessKeyCreate(flags: CreateFlags): Promise<number> {
  const box = await SecretBox.load(flags.dataDir ?? defaultDataDir());
  const key = await withStore(flags.dataDir, async (store) => {
    await ensureProject(store, flags.project);
    return createAccessKey(store, box, { projectId: flags.project, enterpriseProjects: flags.enterpriseProject, description: flags.description });
  });
  process.stdout.write(`project: ${flags.project}\nthe secret access key is shown only now:\nAK: ${key.accessKeyId}\nSK: ${key.secret}\n`);
  return 0;
}

export async function accessKeyRevoke(id: string, flags: { dataDir?: string }): Promise<number> {
  const revoked = await withStore(flags.dataDir, (store) => revokeAccessKey(store, id));
  if (!revoked) throw new TarsierError('not_found', `access key ${id} does not exist or is already revoked`);
  process.stdout.write(`revoked access key ${id}\n`);
  return 0;
}

export async function accessKeyList(flags: { project?: string; dataDir?: string }): Promise<number> {
  const keys = await withStore(flags.dataDir, (store) => listAccessKeys(store, flags.project));
  const iso = (t: number | null) => (t === null ? '-' : new Date(t).toISOString());
  for (const k of keys) {
    process.stdout.write(`${k.accessKeyId}\t${k.projectId}\t${k.revokedAt === null ? 'active' : `revoked ${iso(k.revokedAt)}`}\tcreated ${iso(k.createdAt)}\tlast used ${iso(k.lastUsedAt)}\t${k.description ?? ''}\n`);
  }
  return 0;
}
