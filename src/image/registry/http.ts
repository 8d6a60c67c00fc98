/**
 * One HTTP exchange with a registry or the places it redirects to, on an undici Agent that
 * carries the timeouts and TLS settings. Redirects are followed here, by hand, so that the
 * Authorization header never reaches a host other than the registry (blob storage URLs are
 * pre-signed and must not see registry credentials).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Agent, request } from 'undici';

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Readable & { dump(opts?: { limit: number }): Promise<void> };
  /** The URL that answered, after redirects. */
  url: URL;
}

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

function ignore(): void {}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

export interface TransportOptions {
  /** Connect, response-headers and idle-body timeout, in milliseconds. */
  timeoutMs: number;
  /** Skip TLS certificate verification. */
  insecure: boolean;
}

export function createAgent(options: TransportOptions): Agent {
  return new Agent({
    connect: { timeout: options.timeoutMs, rejectUnauthorized: !options.insecure },
    headersTimeout: options.timeoutMs,
    // Time allowed between two body chunks: a stalled blob stream fails instead of hanging.
    bodyTimeout: options.timeoutMs,
  });
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Sends `req`, following redirects. `trustedOrigin` is the registry's origin: the
 * Authorization header is sent only to it.
 */
export async function send(agent: Agent, req: HttpRequest, trustedOrigin: string): Promise<HttpResponse> {
  let url = req.url;
  let method = req.method;
  let body = req.body;
  for (let hop = 0; ; hop++) {
    const headers = { ...req.headers };
    if (url.origin !== trustedOrigin) delete headers.authorization;
    const res = await request(url, { method, headers, body, dispatcher: agent, maxRedirections: 0 });
    // undici's body emits 'error' when destroyed before its end, even on purpose (a body too
    // large, a consumer that stops early). Readers see errors through for-await or dump();
    // this listener only keeps a deliberate abort from becoming an uncaught exception.
    res.body.on('error', ignore);
    const location = header(res.headers, 'location');
    if (!REDIRECTS.has(res.statusCode) || location === undefined || hop >= MAX_REDIRECTS) {
      return { status: res.statusCode, headers: res.headers, body: res.body, url };
    }
    await res.body.dump();
    url = new URL(location, url);
    if (res.statusCode === 303 && method === 'POST') {
      method = 'GET';
      body = undefined;
    }
  }
}

/** Reads a whole response body, giving up (and dropping the connection) past `maxBytes`. */
export async function readBody(body: Readable, maxBytes: number, tooLarge: () => Error): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      body.destroy();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

/** The error code of a failed connection, whether undici raised it or wrapped it. */
export function networkCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  if (typeof e?.code === 'string') return e.code;
  if (typeof e?.cause?.code === 'string') return e.cause.code;
  return undefined;
}

const TLS_CERT_CODES = /^(CERT_|ERR_TLS_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET_ISSUER_CERT|VERIFY_LEAF_SIGNATURE))/;

/** A plain-HTTP server answered our TLS handshake. */
export function isPlainHttpAnswer(err: unknown): boolean {
  const code = networkCode(err) ?? '';
  const message = (err as Error | undefined)?.message ?? '';
  return code === 'ERR_SSL_WRONG_VERSION_NUMBER' || (code === 'EPROTO' && /wrong version number|packet length too long|http request/i.test(message));
}

/** Errors a later attempt cannot fix: unknown hosts, bad certificates, plain HTTP, our own bugs. */
export function isPermanentNetworkError(err: unknown): boolean {
  const code = networkCode(err) ?? '';
  return code === 'ENOTFOUND' || TLS_CERT_CODES.test(code) || code === 'UND_ERR_INVALID_ARG' || isPlainHttpAnswer(err);
}

/** A short, secret-free description of a network failure. */
export function describeNetworkError(err: unknown, timeoutMs: number): string {
  const code = networkCode(err);
  const seconds = `${Math.round(timeoutMs / 100) / 10}s`;
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `connection timed out after ${seconds}`;
    case 'UND_ERR_HEADERS_TIMEOUT':
      return `no response within ${seconds}`;
    case 'UND_ERR_BODY_TIMEOUT':
      return `the response stalled (no data for ${seconds})`;
    case 'UND_ERR_SOCKET':
      return 'the connection was closed by the server';
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      return 'the response ended before its announced length';
    default: {
      if (isPlainHttpAnswer(err)) return 'the registry answers in plain HTTP, not HTTPS (use --insecure to allow plain HTTP)';
      if (code !== undefined && TLS_CERT_CODES.test(code)) return `TLS certificate not trusted (${code}; use --insecure to skip verification)`;
      const message = (err as Error | undefined)?.message?.split('\n')[0] ?? String(err);
      return code !== undefined && !message.includes(code) ? `${message} (${code})` : message;
    }
  }
}
