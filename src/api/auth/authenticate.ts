/**
 * Who is calling. Both surfaces accept our `X-Auth-Token`; HSS also accepts SDK-HMAC-SHA256 AK/SK
 * signatures and Alibaba its V1 (HMAC-SHA1 parameters) and V3 (ACS3-HMAC-SHA256 header) signatures.
 * Signed requests must be dated within the window; Alibaba nonces are accepted once. Every failure
 * is an ApiError whose kind the surface renders in its own vocabulary.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../errors.js';
import type { Store } from '../../store/open-store.js';
import { verifyToken, type Principal } from '../../store/projects-repo.js';
import type { AccessKeyResolver, ResolvedAccessKey } from './access-keys.js';
import { aliyunV1Signature, aliyunV1StringToSign, parseAliyunTimestamp } from './aliyun-v1.js';
import { ACS3_ALGORITHM, aliyunV3CanonicalRequest, aliyunV3Signature, parseAcs3Authorization } from './aliyun-v3.js';
import { headerValue, type Pair, parsePairs, rawPath, rawQuery, safeEqual, sha256Hex } from './encoding.js';
import { hssCanonicalRequest, hssSignature, hssStringToSign, parseSdkAuthorization, parseSdkDate } from './hss-signature.js';
import type { NonceLedger } from './nonces.js';
import { TokenCache } from './token-cache.js';

export const SIGNATURE_WINDOW_MS = 15 * 60_000;

/** What authentication needs to see of a request: the bytes as they arrived. */
export interface RequestView {
  method: string;
  /** Raw request target: path and query exactly as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  rawBody?: Buffer;
}

export interface AuthenticatorDeps {
  store: Store;
  keys: AccessKeyResolver;
  nonces: NonceLedger;
  windowMs?: number;
  now?: () => number;
  /** How long a verified token is trusted without asking the store again (see token-cache.ts). */
  tokenCacheMs?: number;
}

const MAX_NONCE_LENGTH = 128;

export class Authenticator {
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly tokens: TokenCache;

  constructor(private readonly deps: AuthenticatorDeps) {
    this.windowMs = deps.windowMs ?? SIGNATURE_WINDOW_MS;
    this.now = deps.now ?? Date.now;
    this.tokens = new TokenCache(deps.tokenCacheMs);
  }

  async hss(req: RequestView): Promise<Principal> {
    const token = headerValue(req.headers, 'x-auth-token');
    if (token !== undefined) return this.token(token);
    const authorization = headerValue(req.headers, 'authorization');
    if (!authorization) throw new ApiError('unauthenticated', 'x-auth-token not found');
    const auth = parseSdkAuthorization(authorization);
    if (!auth) throw new ApiError('incomplete_signature', 'the Authorization header is not a complete SDK-HMAC-SHA256 signature (Access, SignedHeaders, Signature)');
    const sdkDate = headerValue(req.headers, 'x-sdk-date');
    if (sdkDate === undefined || !auth.signedHeaders.includes('x-sdk-date')) throw new ApiError('incomplete_signature', 'X-Sdk-Date must be sent and signed');
    const now = this.now();
    this.checkTime(parseSdkDate(sdkDate), now, 'X-Sdk-Date', 'yyyyMMddTHHmmssZ');
    const key = await this.accessKey(auth.accessKey);
    const query = parsePairs(rawQuery(req.url));
    if (!query) throw new ApiError('signature_mismatch', 'verify aksk signature fail: the query string is not valid percent-encoding');
    const payloadHash = headerValue(req.headers, 'x-sdk-content-sha256') ?? sha256Hex(req.rawBody ?? '');
    // The Go SDK lower-cases query keys before signing, the other SDKs do not: accept either.
    const variants = query.some(([k]) => k !== k.toLowerCase()) ? [false, true] : [false];
    const matched = variants.some((lowerCaseQueryKeys) => {
      const canonical = hssCanonicalRequest({ method: req.method, path: rawPath(req.url), query, headers: req.headers, signedHeaders: auth.signedHeaders, payloadHash, lowerCaseQueryKeys });
      return canonical !== undefined && safeEqual(hssSignature(key.secret, hssStringToSign(canonical, sdkDate)), auth.signature);
    });
    if (!matched) throw new ApiError('signature_mismatch', 'verify aksk signature fail');
    await this.deps.keys.touch(auth.accessKey, now);
    return key.principal;
  }

  /** `params`: the request's parameters from the query and a form body, in order. */
  async alibaba(req: RequestView, params: Pair[]): Promise<Principal> {
    const token = headerValue(req.headers, 'x-auth-token');
    if (token !== undefined) return this.token(token);
    const authorization = headerValue(req.headers, 'authorization');
    if (authorization?.startsWith('ACS3-')) return this.alibabaV3(req, authorization);
    if (params.some(([k]) => k === 'AccessKeyId' || k === 'Signature')) return this.alibabaV1(req, params);
    throw new ApiError('unauthenticated', 'The input parameter "AccessKeyId" that is mandatory for processing this request is not supplied (or send X-Auth-Token).', { param: 'AccessKeyId' });
  }

  private async alibabaV1(req: RequestView, params: Pair[]): Promise<Principal> {
    const get = (name: string): string | undefined => params.find(([k]) => k === name)?.[1];
    for (const name of ['AccessKeyId', 'Signature', 'SignatureNonce', 'Timestamp', 'SignatureMethod']) {
      if (!get(name)) throw new ApiError('incomplete_signature', `The request signature does not conform to Aliyun standards: ${name} is missing.`, { param: name });
    }
    if (get('SignatureMethod') !== 'HMAC-SHA1') throw new ApiError('incomplete_signature', 'The request signature does not conform to Aliyun standards: SignatureMethod must be HMAC-SHA1.', { param: 'SignatureMethod' });
    const version = get('SignatureVersion');
    if (version !== undefined && version !== '1.0') throw new ApiError('incomplete_signature', 'The request signature does not conform to Aliyun standards: SignatureVersion must be 1.0.', { param: 'SignatureVersion' });
    const nonce = get('SignatureNonce')!;
    if (nonce.length > MAX_NONCE_LENGTH) throw new ApiError('incomplete_signature', `SignatureNonce is longer than ${MAX_NONCE_LENGTH} characters.`, { param: 'SignatureNonce' });
    const now = this.now();
    this.checkTime(parseAliyunTimestamp(get('Timestamp')!), now, 'Timestamp', 'yyyy-MM-ddTHH:mm:ssZ');
    const accessKeyId = get('AccessKeyId')!;
    const key = await this.accessKey(accessKeyId);
    const sts = aliyunV1StringToSign(req.method, params);
    if (sts === undefined || !safeEqual(aliyunV1Signature(key.secret, sts), get('Signature')!)) {
      throw new ApiError('signature_mismatch', `Specified signature is not matched with our calculation. server string to sign is:${sts ?? '(unencodable parameters)'}`);
    }
    await this.useNonce(accessKeyId, nonce, now);
    await this.deps.keys.touch(accessKeyId, now);
    return key.principal;
  }

  private async alibabaV3(req: RequestView, authorization: string): Promise<Principal> {
    const auth = parseAcs3Authorization(authorization);
    if (!auth) throw new ApiError('incomplete_signature', `The Authorization header is not a complete ${ACS3_ALGORITHM} signature (Credential, SignedHeaders, Signature).`);
    for (const name of ['x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256']) {
      if (!headerValue(req.headers, name) || !auth.signedHeaders.includes(name)) throw new ApiError('incomplete_signature', `The request signature does not conform to Aliyun standards: ${name} must be sent and signed.`);
    }
    const nonce = headerValue(req.headers, 'x-acs-signature-nonce')!;
    if (nonce.length > MAX_NONCE_LENGTH) throw new ApiError('incomplete_signature', `x-acs-signature-nonce is longer than ${MAX_NONCE_LENGTH} characters.`);
    const now = this.now();
    this.checkTime(parseAliyunTimestamp(headerValue(req.headers, 'x-acs-date')!), now, 'x-acs-date', 'yyyy-MM-ddTHH:mm:ssZ');
    const key = await this.accessKey(auth.accessKeyId);
    const payloadHash = headerValue(req.headers, 'x-acs-content-sha256')!.toLowerCase();
    if (!safeEqual(payloadHash, sha256Hex(req.rawBody ?? ''))) throw new ApiError('signature_mismatch', 'The request body does not match x-acs-content-sha256.');
    const query = parsePairs(rawQuery(req.url));
    const canonical = query && aliyunV3CanonicalRequest({ method: req.method, path: rawPath(req.url), query, headers: req.headers, signedHeaders: auth.signedHeaders, payloadHash });
    if (!canonical || !safeEqual(aliyunV3Signature(key.secret, canonical), auth.signature)) {
      throw new ApiError('signature_mismatch', 'Specified signature is not matched with our calculation.');
    }
    await this.useNonce(auth.accessKeyId, nonce, now);
    await this.deps.keys.touch(auth.accessKeyId, now);
    return key.principal;
  }

  private async token(raw: string): Promise<Principal> {
    const token = raw.trim();
    const now = this.now();
    const cached = this.tokens.get(token, now);
    if (cached) return cached;
    const principal = await verifyToken(this.deps.store, token, now);
    if (!principal) throw new ApiError('invalid_token', 'the token is unknown, expired or revoked');
    this.tokens.set(token, principal, now);
    return principal;
  }

  private async accessKey(accessKeyId: string): Promise<ResolvedAccessKey> {
    const key = await this.deps.keys.resolve(accessKeyId);
    if (!key) throw new ApiError('unknown_access_key', 'Specified access key is not found or revoked.', { param: 'AccessKeyId' });
    return key;
  }

  private checkTime(t: number | undefined, now: number, field: string, format: string): void {
    if (t === undefined) throw new ApiError('timestamp_invalid', `${field} is not a valid time (${format}, UTC).`, { param: field });
    if (Math.abs(now - t) > this.windowMs) throw new ApiError('timestamp_expired', `${field} is more than ${Math.round(this.windowMs / 60_000)} minutes away from the server time.`, { param: field });
  }

  private async useNonce(accessKeyId: string, nonce: string, now: number): Promise<void> {
    if (!(await this.deps.nonces.claim(accessKeyId, nonce, now))) throw new ApiError('nonce_used', 'Specified signature nonce was used already.', { param: 'SignatureNonce' });
  }
}
