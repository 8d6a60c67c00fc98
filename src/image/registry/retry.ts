/** When and how long to wait before asking a registry again. */
import type { IncomingHttpHeaders } from 'node:http';
import { header } from './http.js';

export interface BackoffOptions {
  /** Wait before the first retry; doubles each time. */
  baseMs: number;
  /** Upper bound of one computed wait. */
  maxMs: number;
}

/** Exponential backoff with jitter (half fixed, half random) so clients do not retry in step. */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exp = Math.min(options.maxMs, options.baseMs * 2 ** attempt);
  return Math.round(exp / 2 + (random() * exp) / 2);
}

/** Statuses that say "try again later"; 501 and 505 will not change. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/** `Retry-After` in milliseconds (seconds or an HTTP date), or undefined when absent or unreadable. */
export function retryAfterMs(headers: IncomingHttpHeaders, now: number = Date.now()): number | undefined {
  const value = header(headers, 'retry-after')?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
