/**
 * The environment a service process (`tarsier worker`, `tarsier serve`) runs jobs with, checked
 * once at start: a bad value is one usage line (exit 2) naming the variable and what it accepts,
 * not every scan or gc job failing later with the same error.
 */
import { CACHE_MAX_SIZE_ENV, cacheMaxBytes } from '../analysis/layer-cache.js';
import { TarsierError } from '../errors.js';
import { jobRetentionMs } from './gc.js';
import { scheduleOptionsFromEnv, type ScheduleOptions } from './schedule.js';

export interface ServiceEnv {
  cacheMaxBytes: number;
  jobRetentionMs: number;
  schedule: ScheduleOptions;
}

export function validateServiceEnv(env: NodeJS.ProcessEnv = process.env): ServiceEnv {
  let maxBytes: number;
  try {
    maxBytes = cacheMaxBytes(undefined, env);
  } catch {
    throw new TarsierError('usage', `${CACHE_MAX_SIZE_ENV}=${JSON.stringify(env[CACHE_MAX_SIZE_ENV])}: expected a size greater than zero such as 512MiB, 2GiB or 1048576 (bytes), or "unlimited"`);
  }
  return { cacheMaxBytes: maxBytes, jobRetentionMs: jobRetentionMs(env), schedule: scheduleOptionsFromEnv(env) };
}
