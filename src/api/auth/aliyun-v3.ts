/**
 * Alibaba Cloud signature V3 (`ACS3-HMAC-SHA256`, the default of the current SDKs):
 *   Authorization: ACS3-HMAC-SHA256 Credential=<AK>,SignedHeaders=<h1;h2>,Signature=<hex>
 * canonical = METHOD \n path \n sorted `key=enc(value)` query \n `name:value\n` per signed header \n
 *             signed;headers \n x-acs-content-sha256;
 * StringToSign = ACS3-HMAC-SHA256 \n hex(sha256(canonical)); Signature = hex(HMAC-SHA256(secret, sts)).
 */
import { compareKeys, hmac, type Pair, rfc3986, sha256Hex } from './encoding.js';

export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

export interface Acs3Authorization {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

export function parseAcs3Authorization(header: string): Acs3Authorization | undefined {
  if (!header.startsWith(`${ACS3_ALGORITHM} `) || header.length > 4096) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.slice(ACS3_ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKeyId = fields.get('Credential');
  const signed = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || !signed || !signature || !/^[0-9a-f]{64}$/i.test(signature)) return undefined;
  return { accessKeyId, signedHeaders: signed.split(';').map((h) => h.trim().toLowerCase()).filter(Boolean), signature: signature.toLowerCase() };
}

export interface Acs3CanonicalInput {
  method: string;
  path: string;
  query: Pair[];
  headers: Record<string, string | string[] | undefined>;
  signedHeaders: string[];
  payloadHash: string;
}

export function aliyunV3CanonicalRequest(input: Acs3CanonicalInput): string | undefined {
  const query: string[] = [];
  // The SDK writes keys as they are and encodes values only.
  for (const [k, v] of [...input.query].sort((a, b) => compareKeys(a[0], b[0]))) {
    const ev = rfc3986(v);
    if (ev === undefined) return undefined;
    query.push(`${k}=${ev}`);
  }
  let headers = '';
  for (const name of input.signedHeaders) {
    const v = input.headers[name];
    const values = (Array.isArray(v) ? v : [v ?? '']).map((x) => x.trim()).sort(compareKeys);
    headers += `${name}:${values.join(',')}\n`;
  }
  return [input.method.toUpperCase(), input.path, query.join('&'), headers, input.signedHeaders.join(';'), input.payloadHash].join('\n');
}

export function aliyunV3Signature(secret: string, canonicalRequest: string): string {
  return hmac('sha256', secret, `${ACS3_ALGORITHM}\n${sha256Hex(canonicalRequest)}`).toString('hex');
}
