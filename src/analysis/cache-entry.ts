/**
 * How one cache file (a layer's facts, a whole result) is written, read and marked used, so that
 * pruning by another process at any moment is harmless: an entry appears whole (temp file +
 * rename) or not at all, and its mtime is its last use (atime is not kept on most mounts).
 */
import { mkdir, readFile, rename, utimes, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Suffix of an entry being written; pruning leaves young ones alone. */
export const TEMP_SUFFIX = '.tmp';

/** Writes `file` atomically. A pruner may remove the (empty) folder meanwhile: make it again. */
export async function writeEntry(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}${TEMP_SUFFIX}`;
  for (let attempt = 1; ; attempt++) {
    try {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(tmp, text);
      // A folder holding our temp file is not empty, so it cannot be removed before the rename.
      await rename(tmp, file);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === 3) throw err;
    }
  }
}

/**
 * Reads an entry and marks it used. Missing, unreadable, not JSON, or not `isWhole` (`null`, a
 * truncated write from an old version, garbage): a miss.
 */
export async function readEntry<T>(file: string, isWhole: (parsed: unknown) => parsed is T): Promise<T | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (!isWhole(parsed)) return undefined;
  await markUsed(file);
  return parsed;
}

/** Marks an entry just used, for least-recently-used pruning; an entry pruned meanwhile is fine. */
async function markUsed(file: string): Promise<void> {
  const now = new Date();
  await utimes(file, now, now).catch(() => undefined);
}
