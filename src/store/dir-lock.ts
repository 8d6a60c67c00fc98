/**
 * One process at a time on an embedded database: PGlite has no server to arbitrate, so two
 * processes opening the same data directory would both write to it and corrupt it. The lock is a
 * file created exclusively, holding the owner's pid; a lock whose process is gone is taken over.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { TarsierError } from '../errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but is not ours to signal.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function lockDataDir(lockFile: string, what: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(lockFile, `${process.pid}\n`, { flag: 'wx' });
      return async () => {
        await rm(lockFile, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new TarsierError('database_error', `cannot lock ${what}: ${(err as Error).message}`);
    }
    const owner = Number.parseInt((await readFile(lockFile, 'utf8').catch(() => '')).trim(), 10);
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
      throw new TarsierError(
        'database_error',
        `${what} is in use by process ${owner} (a running tarsier serve or worker?): stop it, or point every process at one PostgreSQL with DATABASE_URL`,
      );
    }
    // The owner is gone (or the file is ours from a crash): take the lock over.
    await rm(lockFile, { force: true });
  }
  throw new TarsierError('database_error', `cannot lock ${what}: another process keeps taking it`);
}
