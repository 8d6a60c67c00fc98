/**
 * `tarsier worker` and `tarsier serve` check their TARSIER_* environment at start: a bad cache size
 * (or job retention, or schedule interval) is one line naming the variable and what it accepts,
 * exit 2, before any store is opened — not a usage error in every scan job later.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateServiceEnv } from '../../src/jobs/service-env.js';
import { tarsier } from './db-cli.js';

const CACHE_LINE = (v: string) => `tarsier: TARSIER_CACHE_MAX_SIZE=${JSON.stringify(v)}: expected a size greater than zero such as 512MiB, 2GiB or 1048576 (bytes), or "unlimited"\n`;

describe('service environment', () => {
  it('accepts sizes and "unlimited", refuses anything else naming the variable', () => {
    expect(validateServiceEnv({}).cacheMaxBytes).toBe(2 * 2 ** 30);
    expect(validateServiceEnv({ TARSIER_CACHE_MAX_SIZE: '512MiB' }).cacheMaxBytes).toBe(512 * 2 ** 20);
    expect(validateServiceEnv({ TARSIER_CACHE_MAX_SIZE: 'unlimited' }).cacheMaxBytes).toBe(Infinity);
    for (const bad of ['lots', '0', '-5GiB']) expect(() => validateServiceEnv({ TARSIER_CACHE_MAX_SIZE: bad })).toThrow(CACHE_LINE(bad).slice('tarsier: '.length, -1));
    expect(() => validateServiceEnv({ TARSIER_JOB_RETENTION_DAYS: 'week' })).toThrow(/^TARSIER_JOB_RETENTION_DAYS="week"/);
    expect(() => validateServiceEnv({ TARSIER_GC_INTERVAL_HOURS: 'often' })).toThrow(/^TARSIER_GC_INTERVAL_HOURS="often"/);
  });

  it.each([['worker'], ['serve']])('tarsier %s exits 2 with one line before opening a store', async (command) => {
    const dir = join(tmpdir(), `tarsier-service-env-${command}-${process.pid}`);
    const run = await tarsier([command, '--data-dir', dir, ...(command === 'serve' ? ['--port', '0'] : [])], { TARSIER_CACHE_MAX_SIZE: 'lots' });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(CACHE_LINE('lots'));
    expect(existsSync(dir)).toBe(false);
  }, 60_000);
});
