/**
 * GET-JSON against a registry's management API (Harbor, Artifactory): basic auth sent only to
 * the registry's own origin, bounded bodies, retries with backoff on 5xx / 429 / dropped
 * connections, and one-line TarsierErrors naming the registry and what was asked.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Agent } from 'undici';
import { TarsierError } from '../../errors.js';
import { createAgent, describeNetworkError, header, isPermanentNetworkError, readBody, send } from '../../image/registry/http.js';
import { backoffDelay, isRetryableStatus, retryAfterMs, sleep } from '../../image/registry/retry.js';

export interface RestClientOptions {
  protocol: 'http' | 'https';
  /** host[:port] */
  addr: string;
  username?: string;
  password?: string;
  timeoutMs?: number;
  /** Retries after the first attempt; default 3. */
  retries?: number;
  backoffMs?: number;
  maxBytes?: number;
}

export interface JsonPage<T> {
  body: T;
  headers: IncomingHttpHeaders;
  /** `rel="next"` of the Link header, as a path+query on this registry. */
  next?: string;
}

const MAX_ERROR_BODY = 64 * 1024;

/** The `rel="next"` target of an RFC 5988 Link header. */
export function nextLinkTarget(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  for (const part of value.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (m && /;\s*rel="?next"?(\s*;|\s*$)/i.test(m[2] ?? '')) return m[1];
  }
  return undefined;
}

export class RestClient {
  readonly origin: string;
  private readonly agent: Agent;
  private readonly auth: string | undefined;

  constructor(private readonly options: RestClientOptions) {
    this.origin = `${options.protocol}://${options.addr}`;
    this.agent = createAgent({ timeoutMs: options.timeoutMs ?? 30_000, insecure: false });
    this.auth = options.username !== undefined && options.password !== undefined ? `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}` : undefined;
  }

  private fail(code: ConstructorParameters<typeof TarsierError>[0], message: string, cause?: unknown): TarsierError {
    return new TarsierError(code, `registry ${this.options.addr}: ${message}`, cause === undefined ? undefined : { cause });
  }

  /** GETs `path` (path+query on this registry) and parses the JSON body. `what` names it in errors. */
  async getJson<T>(path: string, what: string): Promise<JsonPage<T>> {
    const retries = this.options.retries ?? 3;
    const maxBytes = this.options.maxBytes ?? 16 * 1024 * 1024;
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'tarsier/0.1' };
    if (this.auth) headers.authorization = this.auth;
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= retries;
      let res;
      try {
        res = await send(this.agent, { method: 'GET', url: new URL(path, this.origin), headers }, this.origin);
      } catch (err) {
        if (last || isPermanentNetworkError(err)) throw this.fail('network', `network error fetching ${what}: ${describeNetworkError(err, this.options.timeoutMs ?? 30_000)}`, err);
        await sleep(backoffDelay(attempt, { baseMs: this.options.backoffMs ?? 500, maxMs: 10_000 }));
        continue;
      }
      if (res.status >= 200 && res.status < 300) {
        let body: Buffer;
        try {
          body = await readBody(res.body, maxBytes, () => this.fail('input', `${what} is larger than ${maxBytes} bytes`));
        } catch (err) {
          if (err instanceof TarsierError) throw err;
          if (last) throw this.fail('network', `network error reading ${what}: ${describeNetworkError(err, this.options.timeoutMs ?? 30_000)}`, err);
          await sleep(backoffDelay(attempt, { baseMs: this.options.backoffMs ?? 500, maxMs: 10_000 }));
          continue;
        }
        let parsed: T;
        try {
          parsed = JSON.parse(body.toString('utf8')) as T;
        } catch {
          throw this.fail('input', `${what} is not valid JSON`);
        }
        const link = nextLinkTarget(header(res.headers, 'link'));
        let next: string | undefined;
        if (link !== undefined) {
          const url = new URL(link, res.url);
          // A next page on another host would receive our credentials: refuse it.
          if (url.origin !== this.origin) throw this.fail('input', `${what} links its next page to another host (${url.host})`);
          next = `${url.pathname}${url.search}`;
        }
        return { body: parsed, headers: res.headers, ...(next !== undefined ? { next } : {}) };
      }
      await res.body.dump({ limit: MAX_ERROR_BODY }).catch(() => undefined);
      if (isRetryableStatus(res.status) && !last) {
        const asked = retryAfterMs(res.headers);
        await sleep(Math.min(asked ?? backoffDelay(attempt, { baseMs: this.options.backoffMs ?? 500, maxMs: 10_000 }), 60_000));
        continue;
      }
      throw this.statusError(res.status, what, attempt + 1);
    }
  }

  private statusError(status: number, what: string, attempts: number): TarsierError {
    const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
    switch (status) {
      case 401:
        return this.fail('auth', `authentication failed fetching ${what} (401)`);
      case 403:
        return this.fail('forbidden', `access denied to ${what} (403)`);
      case 404:
        return this.fail('not_found', `${what} not found (404)`);
      case 429:
        return this.fail('rate_limited', `rate limited fetching ${what} (429${tries})`);
      default:
        return status >= 500 ? this.fail('network', `server error ${status} fetching ${what}${tries}`) : this.fail('input', `unexpected status ${status} fetching ${what}`);
    }
  }

  async close(): Promise<void> {
    await this.agent.destroy();
  }
}
