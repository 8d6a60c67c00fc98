/** Byte-exact helpers shared by the signature schemes: RFC 3986 escaping, raw query parsing, hashes. */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * RFC 3986 percent-encoding: only A-Z a-z 0-9 - _ . ~ stay as they are (space is %20, never +).
 * Both vendors sign with exactly this set. Returns undefined for strings with lone surrogates.
 */
export function rfc3986(s: string): string | undefined {
  try {
    return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  } catch {
    return undefined;
  }
}

export type Pair = [key: string, value: string];

/**
 * Splits a raw query or form string into decoded pairs, in order, keeping repeats. `+` is a space
 * (form encoding; SDKs that mean a plus send %2B). Undecodable escapes make the whole string invalid.
 */
export function parsePairs(raw: string): Pair[] | undefined {
  const out: Pair[] = [];
  if (raw === '') return out;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    try {
      out.push([decodeURIComponent(k.replace(/\+/g, ' ')), decodeURIComponent(v.replace(/\+/g, ' '))]);
    } catch {
      return undefined;
    }
  }
  return out;
}

/** The query part of a raw request URL (without `?`), '' when there is none. */
export function rawQuery(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? '' : url.slice(q + 1);
}

/** The path part of a raw request URL. */
export function rawPath(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmac(algorithm: 'sha1' | 'sha256', key: string, data: string): Buffer {
  return createHmac(algorithm, key).update(data, 'utf8').digest();
}

/** Constant-time string comparison (length differences return false without comparing). */
export function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

/** First value of a header as one string (Node joins repeated headers with ", "). */
export function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** Key order for canonical strings: UTF-16 unit order, the same as the SDKs' byte order for ASCII keys. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
