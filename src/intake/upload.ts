/**
 * The CI/CD side of intake: send a local scan (report + inventory) or an image archive to a
 * Tarsier server. Retries what a later attempt can fix (5xx, 429, dropped connections) a few
 * times; everything else becomes a one-line TarsierError naming the server.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { type Dispatcher, request } from 'undici';
import type { Inventory } from '../analysis/inventory.js';
import { TarsierError } from '../errors.js';
import { createAgent, describeNetworkError, readBody } from '../image/registry/http.js';
import { parseReference } from '../image/registry/reference.js';
import { backoffDelay, isRetryableStatus, sleep } from '../image/registry/retry.js';
import type { ScanReport } from '../report/model.js';
import { UPLOAD_SCHEMA, type CicdUpload, type UploadImage } from './payload.js';
import { CICD_ARCHIVE_ROUTE, CICD_UPLOAD_CONTENT_TYPE, CICD_UPLOAD_ROUTE } from './routes.js';

export interface ServerOptions {
  /** Base URL of the Tarsier server, e.g. `https://tarsier.example.com` (a path prefix is kept). */
  server: string;
  token: string;
  timeoutMs?: number;
  /** Retries after the first attempt; default 2. */
  retries?: number;
  backoffMs?: number;
}

const MAX_RESPONSE = 1024 * 1024;

function endpoint(server: string, route: string): URL {
  let base: URL;
  try {
    base = new URL(server);
  } catch {
    throw new TarsierError('usage', `--server ${JSON.stringify(server)} is not a URL (e.g. https://tarsier.example.com)`);
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new TarsierError('usage', `--server ${server}: only http and https are supported`);
  if (base.username || base.password) throw new TarsierError('usage', '--server must not carry credentials; use --token');
  const url = new URL(base.toString());
  url.pathname = `${base.pathname.replace(/\/+$/, '')}${route}`;
  url.search = '';
  url.hash = '';
  return url;
}

/** The message of an error body in any of the shapes our API answers with. */
function serverMessage(body: string): string | undefined {
  try {
    const j = JSON.parse(body) as { error_msg?: unknown; message?: unknown; Message?: unknown; errors?: Array<{ message?: unknown }> };
    const m = j.error_msg ?? j.message ?? j.Message ?? j.errors?.[0]?.message;
    return typeof m === 'string' ? m.slice(0, 500) : undefined;
  } catch {
    return undefined;
  }
}

async function send<T>(opts: ServerOptions, url: URL, init: { body: () => Buffer | NodeJS.ReadableStream; headers: Record<string, string>; what: string }): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const agent = createAgent({ timeoutMs, insecure: false });
  const retries = opts.retries ?? 2;
  try {
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= retries;
      let res: Dispatcher.ResponseData;
      try {
        res = await request(url, {
          method: 'POST',
          dispatcher: agent,
          headers: { ...init.headers, 'x-auth-token': opts.token, authorization: `Bearer ${opts.token}`, 'user-agent': 'tarsier/0.1' },
          body: init.body() as Buffer,
        });
      } catch (err) {
        if (last) throw new TarsierError('network', `server ${url.host}: ${init.what} failed: ${describeNetworkError(err, timeoutMs)}`, { cause: err });
        await sleep(backoffDelay(attempt, { baseMs: opts.backoffMs ?? 1000, maxMs: 10_000 }));
        continue;
      }
      const text = (await readBody(res.body, MAX_RESPONSE, () => new TarsierError('input', `server ${url.host}: the answer to ${init.what} is too large`))).toString('utf8');
      if (res.statusCode >= 200 && res.statusCode < 300) {
        try {
          return JSON.parse(text) as T;
        } catch {
          throw new TarsierError('input', `server ${url.host}: the answer to ${init.what} is not JSON`);
        }
      }
      if (isRetryableStatus(res.statusCode) && !last) {
        await sleep(backoffDelay(attempt, { baseMs: opts.backoffMs ?? 1000, maxMs: 10_000 }));
        continue;
      }
      const said = serverMessage(text);
      const detail = said ? `: ${said}` : '';
      switch (res.statusCode) {
        case 401:
          throw new TarsierError('auth', `server ${url.host} refused the token (401)${detail}`);
        case 403:
          throw new TarsierError('forbidden', `server ${url.host} denied ${init.what} (403)${detail}`);
        case 413:
          throw new TarsierError('input', `server ${url.host}: ${init.what} is too large (413)${detail}`);
        case 429:
          throw new TarsierError('rate_limited', `server ${url.host} is rate limiting (429)${detail}`);
        default:
          if (res.statusCode >= 500) throw new TarsierError('network', `server ${url.host}: ${init.what} failed with ${res.statusCode}${detail}`);
          throw new TarsierError('input', `server ${url.host} rejected ${init.what} (${res.statusCode})${detail}`);
      }
    }
  } finally {
    await agent.destroy();
  }
}

/**
 * What the uploaded image is called, from the scanned reference: `host/ns/name:tag` → namespace
 * `ns`, name `name`, version `tag`; an archive path → its file name, version `latest`.
 */
export async function uploadIdentity(ref: string): Promise<UploadImage> {
  const prefixed = /^(docker-archive|oci-archive|oci):(.+)$/.exec(ref);
  const path = prefixed ? prefixed[2]! : ref;
  const isPath = prefixed !== null || (await stat(path).then(() => true, () => false));
  if (isPath) {
    const file = basename(path.split(':')[0]!.replace(/\/+$/, '')) || 'image';
    const name = file.toLowerCase().replace(/\.(tar\.gz|tgz|tar|oci)$/, '').replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+|[._-]+$/g, '') || 'image';
    return { image_name: name, image_version: 'latest', reference: ref };
  }
  const parsed = parseReference(ref);
  const slash = parsed.repository.indexOf('/');
  const namespace = slash < 0 ? '' : parsed.repository.slice(0, slash);
  const name = slash < 0 ? parsed.repository : parsed.repository.slice(slash + 1);
  const version = parsed.tag ?? 'latest';
  return { ...(namespace ? { namespace } : {}), image_name: name, image_version: version, reference: ref };
}

export interface CicdUploadAnswer {
  image_id: string;
  image_type: 'cicd';
  image_digest: string;
  scan_status: string;
}

/** Uploads a local scan's report and inventory; the server stores it as a `cicd` image. */
export async function uploadScanResult(opts: ServerOptions & { image: UploadImage; report: ScanReport; inventory: Inventory }): Promise<CicdUploadAnswer> {
  const url = endpoint(opts.server, CICD_UPLOAD_ROUTE);
  const doc: CicdUpload = { schema: UPLOAD_SCHEMA, image: opts.image, report: opts.report, inventory: opts.inventory };
  const body = await promisify(gzip)(Buffer.from(JSON.stringify(doc), 'utf8'));
  return send<CicdUploadAnswer>(opts, url, {
    body: () => body,
    headers: { 'content-type': CICD_UPLOAD_CONTENT_TYPE, 'content-encoding': 'gzip' },
    what: 'the scan upload',
  });
}

export interface ArchiveUploadAnswer {
  image_id: string;
  image_type: 'cicd';
  job_id: number;
  scan_status: string;
}

/** Uploads an image archive for the server to scan. */
export async function uploadArchive(opts: ServerOptions & { file: string; imageName: string; imageVersion: string; namespace?: string }): Promise<ArchiveUploadAnswer> {
  const url = endpoint(opts.server, CICD_ARCHIVE_ROUTE);
  url.searchParams.set('image_name', opts.imageName);
  url.searchParams.set('image_version', opts.imageVersion);
  if (opts.namespace) url.searchParams.set('namespace', opts.namespace);
  const { size } = await stat(opts.file);
  return send<ArchiveUploadAnswer>(opts, url, {
    body: () => createReadStream(opts.file),
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
    what: 'the archive upload',
  });
}
