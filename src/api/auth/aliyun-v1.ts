/**
 * Alibaba Cloud RPC signature V1 (HMAC-SHA1): every parameter but Signature, from the query and a
 * form body, percent-encoded (RFC 3986), sorted by encoded key, joined `k=v&…`;
 * StringToSign = METHOD & %2F & enc(canonical); Signature = base64(HMAC-SHA1(secret + "&", sts)).
 */
import { compareKeys, hmac, type Pair, rfc3986 } from './encoding.js';

export function aliyunV1StringToSign(method: string, params: Pair[]): string | undefined {
  const encoded: Pair[] = [];
  for (const [k, v] of params) {
    if (k === 'Signature') continue;
    const ek = rfc3986(k);
    const ev = rfc3986(v);
    if (ek === undefined || ev === undefined) return undefined;
    encoded.push([ek, ev]);
  }
  encoded.sort((a, b) => compareKeys(a[0], b[0]));
  const canonical = encoded.map(([k, v]) => `${k}=${v}`).join('&');
  return `${method.toUpperCase()}&%2F&${rfc3986(canonical)!}`;
}

export function aliyunV1Signature(secret: string, stringToSign: string): string {
  return hmac('sha1', `${secret}&`, stringToSign).toString('base64');
}

/** `yyyy-MM-ddTHH:mm:ssZ` (milliseconds tolerated) → epoch ms; undefined when malformed. */
export function parseAliyunTimestamp(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/.test(text)) return undefined;
  const t = Date.parse(text);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 19) === text.slice(0, 19) ? t : undefined;
}
