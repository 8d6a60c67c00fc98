/**
 * Huawei Cloud `SDK-HMAC-SHA256` request signatures (the AK/SK scheme of the HSS SDKs):
 *   Authorization: SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<h1;h2>, Signature=<hex>
 * canonical = METHOD \n URI (each segment escaped, ending in /) \n sorted escaped query \n
 *             `name:value` per signed header \n \n signed;headers \n hex(sha256(body))
 * string-to-sign = SDK-HMAC-SHA256 \n <X-Sdk-Date> \n hex(sha256(canonical)); signature = hex(HMAC-SHA256(SK, sts)).
 */
import { compareKeys, hmac, type Pair, rfc3986, sha256Hex } from './encoding.js';

export const HSS_ALGORITHM = 'SDK-HMAC-SHA256';

export interface SdkAuthorization {
  accessKey: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses the Authorization header; undefined when it is not a complete SDK-HMAC-SHA256 header. */
export function parseSdkAuthorization(header: string): SdkAuthorization | undefined {
  if (!header.startsWith(`${HSS_ALGORITHM} `) || header.length > 4096) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.slice(HSS_ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKey = fields.get('Access');
  const signed = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKey || !signed || !signature || !/^[0-9a-f]{64}$/i.test(signature)) return undefined;
  return { accessKey, signedHeaders: signed.split(';').map((h) => h.trim().toLowerCase()).filter(Boolean), signature: signature.toLowerCase() };
}

/** `yyyyMMddTHHmmssZ` → epoch ms; undefined when malformed. */
export function parseSdkDate(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(t);
  // Reject calendar overflow such as month 13 or 31 February.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  return t;
}

export interface HssCanonicalInput {
  method: string;
  /** The request path as sent (percent-encoded). */
  path: string;
  query: Pair[];
  /** Lower-case header name → value. */
  headers: Record<string, string | string[] | undefined>;
  signedHeaders: string[];
  /** hex sha256 of the body, or the X-Sdk-Content-Sha256 value. */
  payloadHash: string;
  /** The Go SDK lower-cases query keys before signing; the others do not. */
  lowerCaseQueryKeys?: boolean;
}

export function hssCanonicalRequest(input: HssCanonicalInput): string | undefined {
  const uri = canonicalUri(input.path);
  const query = canonicalQuery(input.query, input.lowerCaseQueryKeys ?? false);
  if (uri === undefined || query === undefined) return undefined;
  const lines = input.signedHeaders.map((name) => {
    const v = input.headers[name];
    const values = (Array.isArray(v) ? v : [v ?? '']).map((x) => x.trim()).sort(compareKeys);
    return values.map((x) => `${name}:${x}`).join('\n');
  });
  return [input.method.toUpperCase(), uri, query, `${lines.join('\n')}\n`, input.signedHeaders.join(';'), input.payloadHash].join('\n');
}

function canonicalUri(path: string): string | undefined {
  const segments: string[] = [];
  for (const seg of path.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(seg);
    } catch {
      return undefined;
    }
    const escaped = rfc3986(decoded);
    if (escaped === undefined) return undefined;
    segments.push(escaped);
  }
  const joined = segments.join('/');
  return joined.endsWith('/') ? joined : `${joined}/`;
}

function canonicalQuery(pairs: Pair[], lowerCaseKeys: boolean): string | undefined {
  const byKey = new Map<string, string[]>();
  for (const [k, v] of pairs) {
    const key = lowerCaseKeys ? k.toLowerCase() : k;
    const list = byKey.get(key) ?? [];
    list.push(v);
    byKey.set(key, list);
  }
  const out: string[] = [];
  for (const key of [...byKey.keys()].sort(compareKeys)) {
    const k = rfc3986(key);
    if (k === undefined) return undefined;
    for (const v of byKey.get(key)!.sort(compareKeys)) {
      const ev = rfc3986(v);
      if (ev === undefined) return undefined;
      out.push(`${k}=${ev}`);
    }
  }
  return out.join('&');
}

export function hssStringToSign(canonicalRequest: string, sdkDate: string): string {
  return `${HSS_ALGORITHM}\n${sdkDate}\n${sha256Hex(canonicalRequest)}`;
}

export function hssSignature(secret: string, stringToSign: string): string {
  return hmac('sha256', secret, stringToSign).toString('hex');
}
