/**
 * A client for one OCI Distribution (Docker Registry v2) registry: manifests, blobs, HEAD,
 * catalog and tag listing with `Link` pagination. It answers basic and bearer-token
 * challenges, retries what a later attempt can fix (5xx, 429, dropped connections, timeouts)
 * with exponential backoff, and turns every failure into a one-line TarsierError naming the
 * registry and repository.
 */
import { Readable } from 'node:stream';
import type { Agent } from 'undici';
import { TarsierError, type ErrorCode } from '../../errors.js';
import { MEDIA_TYPES } from '../types.js';
import { indexEntries, type IndexEntry } from '../signatures.js';
import { basicAuthorization, type Challenge, parseChallenges, parseTokenResponse, pickChallenge, TokenCache, tokenRequest } from './auth.js';
import type { RegistryCredentials } from './credentials.js';
import { createAgent, describeNetworkError, header, type HttpResponse, isPermanentNetworkError, isPlainHttpAnswer, readBody, send } from './http.js';
import { DOCKER_HUB } from './reference.js';
import { backoffDelay, isRetryableStatus, retryAfterMs, sleep } from './retry.js';
import { digestOf, verifyingStream } from './verify.js';

export interface RegistryClientOptions {
  /** Plain HTTP when the registry speaks it, and no TLS certificate verification. */
  insecure?: boolean;
  credentials?: RegistryCredentials;
  /** Connect, response-headers and idle-body timeout; default 30 s. */
  timeoutMs?: number;
  /** Retries after the first attempt (and resumes of a dropped blob); default 3, at most 10. */
  retries?: number;
  /** First backoff; doubled per retry, with jitter. Default 500 ms. */
  backoffMs?: number;
  /** Largest computed backoff; default 10 s. */
  maxBackoffMs?: number;
  /** Longest `Retry-After` we wait for; a longer one fails at once. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Manifests larger than this are refused; default 4 MiB. */
  maxManifestBytes?: number;
}

export interface Manifest {
  bytes: Buffer;
  mediaType: string;
  /** sha256 of the bytes as received. */
  digest: string;
  /** `Docker-Content-Digest`, when the registry sent one. */
  headerDigest?: string;
}

export interface HeadResult {
  digest?: string;
  mediaType?: string;
  size?: number;
}

export const MANIFEST_ACCEPT = [MEDIA_TYPES.ociManifest, MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerManifest, MEDIA_TYPES.dockerManifestList].join(', ');

const DEFAULTS = {
  timeoutMs: 30_000,
  retries: 3,
  backoffMs: 500,
  maxBackoffMs: 10_000,
  maxRetryAfterMs: 60_000,
  maxManifestBytes: 4 * 1024 * 1024,
};
const MAX_RETRIES = 10;
const MAX_WAIT_MS = 5 * 60_000;
const MAX_ERROR_BODY = 64 * 1024;
const MAX_TOKEN_BODY = 1024 * 1024;
const MAX_LIST_PAGE = 16 * 1024 * 1024;
const USER_AGENT = 'tarsier/0.1';

/** What one request is for; `what` and `subject` make the error messages. */
interface RequestSpec {
  method: 'GET' | 'HEAD';
  /** Path and query on the registry, e.g. `/v2/app/manifests/1.0`. */
  path: string;
  /** Token scope, e.g. `repository:app:pull`. */
  scope?: string;
  accept?: string;
  /** Extra request headers, e.g. `range` when resuming a blob. */
  headers?: Record<string, string>;
  /** e.g. `tag 1.0`, `blob sha256:…`, `the tag list`. */
  what: string;
  /** e.g. `repository app`, `the catalog`. */
  subject: string;
  repository?: string;
}

function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

function manifestWhat(reference: string): string {
  return reference.includes(':') ? `manifest ${reference}` : `tag ${reference}`;
}

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const kib = bytes / 1024;
  return kib < 1024 ? `${Math.round(kib * 10) / 10} KiB` : `${Math.round((kib / 1024) * 10) / 10} MiB`;
}

/** The `rel="next"` target of a `Link` header. */
function nextLink(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  for (const part of value.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (m && /;\s*rel="?next"?(\s*;|\s*$)/i.test(m[2] ?? '')) return m[1];
  }
  return undefined;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

export class RegistryClient {
  readonly registry: string;
  /** Host the API is served on (`docker.io` is served by `registry-1.docker.io`). */
  readonly endpoint: string;
  private readonly options: typeof DEFAULTS & { insecure: boolean };
  private readonly credentials: RegistryCredentials | undefined;
  private readonly agent: Agent;
  private readonly tokens = new TokenCache();
  /** The last challenge the registry sent; later requests answer it up front. */
  private challenge: Challenge | undefined;
  /** Undefined until an insecure client has found out whether the registry speaks TLS. */
  private scheme: 'https' | 'http' | undefined;

  constructor(registry: string, options: RegistryClientOptions = {}) {
    this.registry = registry;
    this.endpoint = registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
    this.credentials = options.credentials;
    const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    const merged = { ...DEFAULTS, insecure: false, ...defined } as typeof DEFAULTS & { insecure: boolean };
    // Bounded whatever the caller asks: a scan must end, and one wait must not exceed a few minutes.
    merged.retries = Math.max(0, Math.min(MAX_RETRIES, Math.floor(merged.retries)));
    merged.maxRetryAfterMs = Math.min(merged.maxRetryAfterMs, MAX_WAIT_MS);
    merged.maxBackoffMs = Math.min(merged.maxBackoffMs, MAX_WAIT_MS);
    this.options = merged;
    this.scheme = this.options.insecure ? undefined : 'https';
    this.agent = createAgent({ timeoutMs: this.options.timeoutMs, insecure: this.options.insecure });
  }

  private origin(): string {
    return `${this.scheme ?? 'https'}://${this.endpoint}`;
  }

  private fail(code: ErrorCode, message: string, cause?: unknown): TarsierError {
    return new TarsierError(code, `registry ${this.registry}: ${message}`, cause === undefined ? undefined : { cause });
  }

  /** Checks that the registry answers the v2 API and accepts our credentials. */
  async ping(): Promise<void> {
    await this.exchange({ method: 'GET', path: '/v2/', what: 'the API root', subject: 'the registry' }, (res) => res.body.dump());
  }

  async getManifest(repository: string, reference: string): Promise<Manifest> {
    try {
      return await this.fetchManifest(repository, reference);
    } catch (err) {
      // distribution answers MANIFEST_UNKNOWN for a tag of a repository that does not exist
      // either; the tag list tells the two apart, which is worth one request on this path.
      if (err instanceof TarsierError && err.code === 'not_found' && err.message !== this.repositoryNotFound(repository).message) {
        if (!(await this.repositoryExists(repository))) throw this.repositoryNotFound(repository);
      }
      throw err;
    }
  }

  private repositoryNotFound(repository: string): TarsierError {
    return this.fail('not_found', `repository ${repository} not found (404)`);
  }

  /** False only when the registry says the repository is unknown. */
  private async repositoryExists(repository: string): Promise<boolean> {
    const spec: RequestSpec = { method: 'GET', path: `/v2/${repository}/tags/list?n=1`, scope: pullScope(repository), what: 'the tag list', subject: `repository ${repository}`, repository };
    try {
      await this.exchange(spec, (res) => res.body.dump({ limit: MAX_ERROR_BODY }));
      return true;
    } catch (err) {
      return !(err instanceof TarsierError && err.code === 'not_found');
    }
  }

  private async fetchManifest(repository: string, reference: string): Promise<Manifest> {
    const spec = this.manifestSpec('GET', repository, reference);
    const cap = this.options.maxManifestBytes;
    const tooLarge = (): TarsierError => this.fail('input', `${spec.what} of repository ${repository} is larger than ${sizeText(cap)}; refusing to read it`);
    return this.exchange(spec, async (res) => {
      const announced = Number(header(res.headers, 'content-length') ?? NaN);
      if (announced > cap) {
        res.body.destroy();
        throw tooLarge();
      }
      const bytes = await readBody(res.body, cap, tooLarge);
      let mediaType = header(res.headers, 'content-type')?.split(';')[0]?.trim() ?? '';
      try {
        const parsed = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown };
        if (typeof parsed.mediaType === 'string' && parsed.mediaType !== '') mediaType = parsed.mediaType;
      } catch {
        throw this.fail('input', `${spec.what} of repository ${repository} is not valid JSON`);
      }
      const headerDigest = header(res.headers, 'docker-content-digest');
      const digest = digestOf(bytes);
      return headerDigest === undefined ? { bytes, mediaType, digest } : { bytes, mediaType, digest, headerDigest };
    });
  }

  async headManifest(repository: string, reference: string): Promise<HeadResult> {
    return this.exchange(this.manifestSpec('HEAD', repository, reference), async (res) => {
      await res.body.dump();
      return this.headResult(res);
    });
  }

  /**
   * The OCI 1.1 referrers of a manifest (`GET /v2/<name>/referrers/<digest>`), every page; null
   * when the registry has no referrers API (404), so callers fall back to the referrers tag.
   */
  async getReferrers(repository: string, digest: string): Promise<IndexEntry[] | null> {
    const first: RequestSpec = { method: 'GET', path: `/v2/${repository}/referrers/${digest}`, scope: pullScope(repository), accept: MEDIA_TYPES.ociIndex, what: `the referrers of ${digest}`, subject: `repository ${repository}`, repository };
    const all: IndexEntry[] = [];
    const seen = new Set<string>();
    for (let path: string | undefined = first.path; path !== undefined; ) {
      if (seen.has(path)) throw this.fail('input', `${first.what} of ${first.subject} paginates in a loop (${path})`);
      seen.add(path);
      const spec: RequestSpec = { ...first, path };
      let page: { manifests: IndexEntry[]; next: string | undefined };
      try {
        page = await this.exchange(spec, async (res) => {
          const body = await readBody(res.body, this.options.maxManifestBytes, () => this.fail('input', `${first.what} of ${first.subject} is larger than ${sizeText(this.options.maxManifestBytes)}`));
          let doc: { manifests?: unknown } | null;
          try {
            doc = JSON.parse(body.toString('utf8')) as { manifests?: unknown } | null;
          } catch {
            throw this.fail('input', `${first.what} of ${first.subject} is not valid JSON`);
          }
          if (doc?.manifests !== undefined && !Array.isArray(doc.manifests)) throw this.fail('input', `${first.what} of ${first.subject} has no manifests list`);
          return { manifests: indexEntries(doc), next: this.nextPath(res, spec) };
        });
      } catch (err) {
        if (err instanceof TarsierError && err.code === 'not_found' && all.length === 0) return null;
        throw err;
      }
      all.push(...page.manifests);
      path = page.next;
    }
    return all;
  }

  async headBlob(repository: string, digest: string): Promise<HeadResult> {
    return this.exchange(this.blobSpec('HEAD', repository, digest), async (res) => {
      await res.body.dump();
      return this.headResult(res);
    });
  }

  /**
   * The blob as stored, streamed. The stream fails with `digest_mismatch` as soon as more than
   * `size` bytes arrive, or at the end if the size or digest differ; with `network` if the
   * connection drops or stalls more often than `retries` allows. A dropped connection is
   * resumed with a `Range` request from the last byte received, so a large layer is not
   * downloaded again from the start.
   */
  async getBlob(repository: string, digest: string, size?: number): Promise<Readable> {
    const spec = this.blobSpec('GET', repository, digest);
    const first = await this.exchange(spec, async (r) => r);
    const expected = size === undefined ? { digest } : { digest, size };
    const out = verifyingStream(expected, (reason) => this.fail('digest_mismatch', `blob ${digest} of repository ${repository} does not match its descriptor: ${reason}`));
    const body = Readable.from(this.resumableBody(spec, first), { objectMode: false, highWaterMark: 1 << 20 });
    body.once('error', (err) => out.destroy(err));
    // A consumer that stops reading early must not leave the connection open.
    out.once('close', () => body.destroy());
    body.pipe(out);
    return out;
  }

  /** The body of `first`, continued by `Range` requests after connection failures. */
  private async *resumableBody(spec: RequestSpec, first: HttpResponse): AsyncGenerator<Buffer> {
    let res = first;
    let received = 0;
    let skip = 0;
    for (let resumes = 0; ; ) {
      try {
        for await (const chunk of res.body as AsyncIterable<Buffer>) {
          let data = chunk;
          if (skip > 0) {
            const dropped = Math.min(skip, data.length);
            skip -= dropped;
            data = data.subarray(dropped);
            if (data.length === 0) continue;
          }
          received += data.length;
          yield data;
        }
        return;
      } catch (err) {
        if (err instanceof TarsierError) throw err;
        if (resumes >= this.options.retries || isPermanentNetworkError(err)) {
          const after = resumes > 0 ? ` (after ${resumes} resumed attempt${resumes > 1 ? 's' : ''})` : '';
          throw this.fail('network', `reading ${spec.what} of ${spec.subject}: ${describeNetworkError(err, this.options.timeoutMs)}${after}`, err);
        }
        await sleep(backoffDelay(resumes, { baseMs: this.options.backoffMs, maxMs: this.options.maxBackoffMs }));
        resumes++;
        res = await this.exchange({ ...spec, headers: { range: `bytes=${received}-` } }, async (r) => r);
        skip = this.bytesToSkip(res, received, spec);
      }
    }
  }

  /**
   * How much of a resumed response repeats what we already have: none for a `206` starting
   * where we stopped, everything before `received` for a server that ignored the range.
   */
  private bytesToSkip(res: HttpResponse, received: number, spec: RequestSpec): number {
    if (res.status !== 206) return received;
    const m = /^bytes\s+(\d+)-\d+\/(?:\d+|\*)$/i.exec(header(res.headers, 'content-range')?.trim() ?? '');
    const start = m ? Number(m[1]) : NaN;
    if (!(start <= received)) {
      res.body.destroy();
      throw this.fail('network', `resuming ${spec.what} of ${spec.subject}: the server answered a range request with ${header(res.headers, 'content-range') ?? 'no Content-Range'}`);
    }
    return received - start;
  }

  /** Reads a whole blob into memory (configs), refusing one larger than `maxBytes`. */
  async getBlobBytes(repository: string, digest: string, size: number, maxBytes: number): Promise<Buffer> {
    if (size > maxBytes) throw this.fail('input', `blob ${digest} of repository ${repository} is ${sizeText(size)}, more than the ${sizeText(maxBytes)} allowed`);
    const stream = await this.getBlob(repository, digest, size);
    return readBody(stream, maxBytes, () => this.fail('input', `blob ${digest} of repository ${repository} is larger than ${sizeText(maxBytes)}`));
  }

  /** Every repository in the catalog, page by page. */
  repositories(options: { pageSize?: number } = {}): AsyncGenerator<string> {
    const spec = { method: 'GET' as const, path: `/v2/_catalog?n=${options.pageSize ?? 100}`, scope: 'registry:catalog:*', what: 'the repository list', subject: 'the catalog' };
    return this.paginate(spec, 'repositories');
  }

  /** Every tag of a repository, page by page. */
  tags(repository: string, options: { pageSize?: number } = {}): AsyncGenerator<string> {
    const spec = { method: 'GET' as const, path: `/v2/${repository}/tags/list?n=${options.pageSize ?? 100}`, scope: pullScope(repository), what: 'the tag list', subject: `repository ${repository}`, repository };
    return this.paginate(spec, 'tags');
  }

  async listRepositories(options: { pageSize?: number } = {}): Promise<string[]> {
    return collect(this.repositories(options));
  }

  async listTags(repository: string, options: { pageSize?: number } = {}): Promise<string[]> {
    return collect(this.tags(repository, options));
  }

  async close(): Promise<void> {
    // destroy, not close: a blob stream nobody reads any more must not keep us waiting.
    await this.agent.destroy();
  }

  private manifestSpec(method: 'GET' | 'HEAD', repository: string, reference: string): RequestSpec {
    return { method, path: `/v2/${repository}/manifests/${reference}`, scope: pullScope(repository), accept: MANIFEST_ACCEPT, what: manifestWhat(reference), subject: `repository ${repository}`, repository };
  }

  private blobSpec(method: 'GET' | 'HEAD', repository: string, digest: string): RequestSpec {
    return { method, path: `/v2/${repository}/blobs/${digest}`, scope: pullScope(repository), what: `blob ${digest}`, subject: `repository ${repository}`, repository };
  }

  private headResult(res: HttpResponse): HeadResult {
    const result: HeadResult = {};
    const digest = header(res.headers, 'docker-content-digest');
    const mediaType = header(res.headers, 'content-type')?.split(';')[0]?.trim();
    const size = Number(header(res.headers, 'content-length') ?? NaN);
    if (digest) result.digest = digest;
    if (mediaType) result.mediaType = mediaType;
    if (Number.isFinite(size)) result.size = size;
    return result;
  }

  private async *paginate(first: RequestSpec, field: 'repositories' | 'tags'): AsyncGenerator<string> {
    let path: string | undefined = first.path;
    const seen = new Set<string>();
    while (path !== undefined) {
      if (seen.has(path)) throw this.fail('input', `${first.what} of ${first.subject} paginates in a loop (${path})`);
      seen.add(path);
      const spec: RequestSpec = { ...first, path };
      const page: { names: string[]; next: string | undefined } = await this.exchange(spec, async (res) => {
        const body = await readBody(res.body, MAX_LIST_PAGE, () => this.fail('input', `a page of ${first.what} of ${first.subject} is larger than ${sizeText(MAX_LIST_PAGE)}`));
        let names: unknown;
        try {
          names = (JSON.parse(body.toString('utf8')) as Record<string, unknown>)[field];
        } catch {
          throw this.fail('input', `${first.what} of ${first.subject} is not valid JSON`);
        }
        if (names !== null && names !== undefined && !(Array.isArray(names) && names.every((n) => typeof n === 'string'))) {
          throw this.fail('input', `${first.what} of ${first.subject} has no "${field}" list of names`);
        }
        return { names: (names as string[] | null | undefined) ?? [], next: this.nextPath(res, spec) };
      });
      yield* page.names;
      path = page.names.length === 0 ? undefined : page.next;
    }
  }

  /** The next page's path; a link to another host is refused, as it would get our token. */
  private nextPath(res: HttpResponse, spec: RequestSpec): string | undefined {
    const link = nextLink(header(res.headers, 'link'));
    if (link === undefined) return undefined;
    const url = new URL(link, res.url);
    if (url.origin !== this.origin()) throw this.fail('input', `${spec.what} of ${spec.subject} links its next page to another host (${url.host})`);
    return `${url.pathname}${url.search}`;
  }

  /**
   * Sends `spec` and hands a 2xx response to `consume`, retrying both on failures a later
   * attempt can fix. `consume` reads the body, so a body that stalls is retried too.
   */
  private async exchange<T>(spec: RequestSpec, consume: (res: HttpResponse) => Promise<T>): Promise<T> {
    const attempts = this.options.retries + 1;
    for (let attempt = 0; ; attempt++) {
      const last = attempt + 1 >= attempts;
      let res: HttpResponse;
      try {
        res = await this.sendAuthorized(spec);
        if (res.status >= 200 && res.status < 300) return await consume(res);
      } catch (err) {
        if (err instanceof TarsierError) throw err;
        if (last || isPermanentNetworkError(err)) {
          const tries = attempt + 1;
          throw this.fail('network', `network error fetching ${spec.what} of ${spec.subject}: ${describeNetworkError(err, this.options.timeoutMs)}${tries > 1 ? ` (${tries} attempts)` : ''}`, err);
        }
        await sleep(backoffDelay(attempt, { baseMs: this.options.backoffMs, maxMs: this.options.maxBackoffMs }));
        continue;
      }
      if (!isRetryableStatus(res.status) || last) throw await this.statusError(spec, res, attempt + 1);
      const asked = retryAfterMs(res.headers);
      if (asked !== undefined && asked > this.options.maxRetryAfterMs) {
        await res.body.dump({ limit: MAX_ERROR_BODY }).catch(() => undefined);
        const code = res.status === 429 ? 'rate_limited' : 'network';
        throw this.fail(code, `${res.status === 429 ? 'rate limited' : `server error ${res.status}`} fetching ${spec.what} of ${spec.subject}; it asks to retry after ${Math.ceil(asked / 1000)}s`);
      }
      await res.body.dump({ limit: MAX_ERROR_BODY }).catch(() => undefined);
      await sleep(asked ?? backoffDelay(attempt, { baseMs: this.options.backoffMs, maxMs: this.options.maxBackoffMs }));
    }
  }

  /**
   * One attempt: answers the registry's auth challenge (once) and returns whatever came back.
   * A token endpoint's failure is returned as the response, so it is retried and reported
   * like the registry's own.
   */
  private async sendAuthorized(spec: RequestSpec): Promise<HttpResponse> {
    let challengeScopes: string[] = [];
    for (let round = 0; ; round++) {
      const headers: Record<string, string> = { 'user-agent': USER_AGENT, ...spec.headers };
      if (spec.accept) headers.accept = spec.accept;
      const auth = await this.authorization(spec.scope, challengeScopes);
      if (typeof auth !== 'string' && auth !== undefined) return auth;
      if (auth !== undefined) headers.authorization = auth;
      const res = await this.sendToRegistry(spec.method, spec.path, headers);
      if (res.status !== 401 || res.url.origin !== this.origin() || round > 0) return res;
      const challenge = pickChallenge(parseChallenges(res.headers['www-authenticate']));
      if (challenge === undefined) return res;
      if (challenge.scheme === 'basic' && !(this.credentials && 'password' in this.credentials)) return res;
      await res.body.dump({ limit: MAX_ERROR_BODY }).catch(() => undefined);
      // A new challenge, or our token went stale: start over with a fresh token.
      this.challenge = challenge;
      this.tokens.delete(challenge, spec.scope ?? '');
      challengeScopes = challenge.params.scope?.split(' ').filter(Boolean) ?? [];
    }
  }

  /** The Authorization header for `scope`, or the token endpoint's failed response. */
  private async authorization(scope: string | undefined, extraScopes: string[]): Promise<string | HttpResponse | undefined> {
    const challenge = this.challenge;
    const creds = this.credentials;
    if (challenge === undefined) return undefined;
    if (challenge.scheme === 'basic') return creds && 'password' in creds ? basicAuthorization(creds.username, creds.password) : undefined;
    const key = scope ?? '';
    const cached = this.tokens.get(challenge, key);
    if (cached !== undefined) return `Bearer ${cached}`;
    const scopes = [...new Set([...(scope ? [scope] : []), ...extraScopes])];
    const req = tokenRequest(challenge, scopes, creds);
    // Credentials travel to the realm; over plain HTTP only when the user said so.
    if (req.url.protocol !== 'https:' && !this.options.insecure) {
      throw this.fail('auth', `token service ${req.url.origin} is not HTTPS; refusing to send credentials there (use --insecure to allow)`);
    }
    const res = await send(this.agent, { ...req, headers: { ...req.headers, 'user-agent': USER_AGENT } }, req.url.origin);
    if (res.status < 200 || res.status >= 300) return res;
    const body = await readBody(res.body, MAX_TOKEN_BODY, () => this.fail('auth', `token endpoint ${req.url.host} sent more than ${sizeText(MAX_TOKEN_BODY)}`));
    let parsed: ReturnType<typeof parseTokenResponse>;
    try {
      parsed = parseTokenResponse(JSON.parse(body.toString('utf8')));
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined) throw this.fail('auth', `token endpoint ${req.url.host} did not return a token`);
    this.tokens.set(challenge, key, parsed.token, parsed.expiresIn);
    return `Bearer ${parsed.token}`;
  }

  /** Sends to the registry; an insecure client first tries TLS, then plain HTTP once it hears it. */
  private async sendToRegistry(method: RequestSpec['method'], path: string, headers: Record<string, string>): Promise<HttpResponse> {
    if (this.scheme === undefined) {
      try {
        const res = await send(this.agent, { method, url: new URL(path, `https://${this.endpoint}`), headers }, `https://${this.endpoint}`);
        this.scheme = 'https';
        return res;
      } catch (err) {
        if (!isPlainHttpAnswer(err)) throw err;
        this.scheme = 'http';
      }
    }
    return send(this.agent, { method, url: new URL(path, this.origin()), headers }, this.origin());
  }

  private async statusError(spec: RequestSpec, res: HttpResponse, attempts: number): Promise<TarsierError> {
    const codes = await this.registryErrorCodes(res);
    const elsewhere = res.url.origin !== this.origin() ? ` (answered by ${res.url.host})` : '';
    const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
    switch (res.status) {
      case 401:
        if (this.credentials) return this.fail('auth', `authentication failed for ${spec.subject} (401)${elsewhere}`);
        return this.fail('auth', `authentication required for ${spec.subject} (401; no credentials: use --username/--password, TARSIER_USERNAME/TARSIER_PASSWORD or docker login)${elsewhere}`);
      case 403:
        return this.fail('forbidden', `access denied to ${spec.subject}${this.credentials ? ' for these credentials' : ''} (403)${elsewhere}`);
      case 404:
        if (codes.includes('NAME_UNKNOWN') && spec.repository) return this.repositoryNotFound(spec.repository);
        return this.fail('not_found', `${spec.what} not found in ${spec.subject} (404)${elsewhere}`);
      case 429:
        return this.fail('rate_limited', `rate limited fetching ${spec.what} of ${spec.subject} (429${tries})${elsewhere}`);
      default:
        if (res.status >= 500) return this.fail('network', `server error ${res.status} fetching ${spec.what} of ${spec.subject}${tries}${elsewhere}`);
        return this.fail('input', `unexpected status ${res.status} fetching ${spec.what} of ${spec.subject}${codes.length > 0 ? ` (${codes.join(', ')})` : ''}${elsewhere}`);
    }
  }

  /** The `errors[].code` values of a registry error body, best effort. */
  private async registryErrorCodes(res: HttpResponse): Promise<string[]> {
    try {
      const body = await readBody(res.body, MAX_ERROR_BODY, () => new Error('error body too large'));
      const parsed = JSON.parse(body.toString('utf8')) as { errors?: Array<{ code?: unknown }> };
      return (parsed.errors ?? []).map((e) => e.code).filter((c): c is string => typeof c === 'string');
    } catch {
      res.body.destroy();
      return [];
    }
  }
}
