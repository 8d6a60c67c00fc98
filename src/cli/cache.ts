/**
 * `tarsier cache status|clean`: what the scan cache directory (layer facts and whole results)
 * holds, and emptying or shrinking it. Safe while scans run: a removed entry is a miss for them.
 * A service's cache is `<data dir>/layer-cache`; pass it with --cache-dir.
 */
import type { Command } from 'commander';
import { cacheMaxBytes, CACHE_MAX_SIZE_ENV, defaultCacheDir, parseCacheMaxSize } from '../analysis/layer-cache.js';
import { formatBytes } from '../report/format-bytes.js';
import { cacheStatus, pruneCache, type CacheStatus } from '../scan/cache-prune.js';

interface StatusFlags {
  cacheDir: string;
  json?: boolean;
}

interface CleanFlags {
  cacheDir: string;
  keep?: string;
  json?: boolean;
}

export function registerCache(program: Command, run: (fn: () => Promise<number>) => void): void {
  const cache = program.command('cache').description('inspect or empty the scan cache (layer facts and whole scan results)');
  cache
    .command('status')
    .description('entries and size of the cache directory, and its bound')
    .option('--cache-dir <dir>', 'cache directory', defaultCacheDir())
    .option('--json', 'machine-readable output')
    .action((flags: StatusFlags) => run(() => statusCommand(flags)));
  cache
    .command('clean')
    .description('remove cached entries (all of them, or the least recently used beyond --keep)')
    .option('--cache-dir <dir>', 'cache directory', defaultCacheDir())
    .option('--keep <size>', 'keep the most recently used entries up to this size (e.g. 500MiB) instead of removing everything')
    .option('--json', 'machine-readable output')
    .action((flags: CleanFlags) => run(() => cleanCommand(flags)));
}

function ago(ms: number | undefined, now: number): string {
  if (ms === undefined) return '-';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  if (s < 172_800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} days ago`;
}

export function renderStatus(status: CacheStatus, maxBytes: number, now = Date.now()): string {
  return [
    `cache directory   ${status.dir}`,
    `layer facts       ${status.byArea.layers.entries} entries, ${formatBytes(status.byArea.layers.bytes)}`,
    `scan results      ${status.byArea.results.entries} entries, ${formatBytes(status.byArea.results.bytes)}`,
    `total             ${status.entries} entries, ${formatBytes(status.bytes)} of ${formatBytes(maxBytes)} (${CACHE_MAX_SIZE_ENV} or --cache-max-size)`,
    `least recent use  ${ago(status.oldestUseMs, now)}`,
    `most recent use   ${ago(status.newestUseMs, now)}`,
    '',
  ].join('\n');
}

export async function statusCommand(flags: StatusFlags): Promise<number> {
  const maxBytes = cacheMaxBytes();
  const status = await cacheStatus(flags.cacheDir);
  if (flags.json) process.stdout.write(`${JSON.stringify({ ...status, maxBytes: Number.isFinite(maxBytes) ? maxBytes : null }, null, 2)}\n`);
  else process.stdout.write(renderStatus(status, maxBytes));
  return 0;
}

export async function cleanCommand(flags: CleanFlags): Promise<number> {
  const keep = flags.keep === undefined ? 0 : parseCacheMaxSize('--keep', flags.keep);
  const result = await pruneCache(flags.cacheDir, keep, { lowWater: 1 });
  if (flags.json) process.stdout.write(`${JSON.stringify({ dir: flags.cacheDir, ...result }, null, 2)}\n`);
  else process.stdout.write(`removed ${result.removed} entries (${formatBytes(result.freedBytes)}) from ${flags.cacheDir}; ${result.remainingEntries} entries (${formatBytes(result.remainingBytes)}) left\n`);
  return 0;
}
