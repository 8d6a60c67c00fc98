/**
 * Downloads a feed URL to a temporary file with a conditional GET (If-None-Match /
 * If-Modified-Since), so `db update` re-imports only what changed. Bounded in size and time.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { request } from 'undici';
import { TarsierError } from '../errors.js';

export interface FetchResult {
  /** null when the server answered 304 Not Modified. */
  file: string | null;
  etag: string | null;
  lastModified: string | null;
  cleanup(): Promise<void>;
}

export interface FetchOptions {
  etag?: string | null;
  lastModified?: string | null;
  maxBytes?: number;
  timeoutMs?: number;
}

export async function fetchFeed(url: string, opts: FetchOptions = {}): Promise<FetchResult> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TarsierError('usage', `${url}: not a valid URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new TarsierError('usage', `${url}: only http(s) feeds can be fetched`);
  const headers: Record<string, string> = { 'user-agent': 'tarsier-db-update' };
  if (opts.etag) headers['if-none-match'] = opts.etag;
  if (opts.lastModified) headers['if-modified-since'] = opts.lastModified;
  const timeout = opts.timeoutMs ?? 120_000;
  // The temporary file exists before the request: once the response arrives its body is piped at
  // once, with no await in between during which a connection cut off could error an unread body.
  const dir = await mkdtemp(join(tmpdir(), 'tarsier-feed-'));
  // Keep the URL's file name: format detection looks at the extension (.zip, .yaml).
  const file = join(dir, basename(parsed.pathname) || 'feed');
  const discard = () => rm(dir, { recursive: true, force: true });
  let res;
  try {
    res = await request(parsed, { method: 'GET', headers, headersTimeout: timeout, bodyTimeout: timeout, maxRedirections: 5 } as Parameters<typeof request>[1]);
  } catch (err) {
    await discard();
    throw new TarsierError('network', `${url}: ${(err as Error).message}`);
  }
  const header = (name: string): string | null => {
    const v = res.headers[name];
    return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
  };
  if (res.statusCode !== 200) {
    // A body the server cut off is no reason to fail a 304 or to hide its status code.
    await res.body.dump().catch(() => undefined);
    await discard();
    if (res.statusCode === 304) return { file: null, etag: opts.etag ?? null, lastModified: opts.lastModified ?? null, cleanup: async () => undefined };
    throw new TarsierError(res.statusCode === 404 ? 'not_found' : 'network', `${url}: the server answered ${res.statusCode}`);
  }
  const max = opts.maxBytes ?? 2 * 2 ** 30;
  let seen = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      cb(seen > max ? new TarsierError('input', `${url}: larger than ${max} bytes; refusing it`) : null, chunk);
    },
  });
  try {
    await pipeline(res.body, limit, createWriteStream(file));
  } catch (err) {
    await discard();
    if (err instanceof TarsierError) throw err;
    throw new TarsierError('network', `${url}: download failed (${(err as Error).message})`);
  }
  return { file, etag: header('etag'), lastModified: header('last-modified'), cleanup: discard };
}
