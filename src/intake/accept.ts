/**
 * Server side of CI/CD intake, for the API to mount (see routes.ts for the HTTP contract).
 *
 * `acceptCicdUpload` stores a scan made elsewhere as a `cicd` image of the caller's project. An
 * upload is a claim, not content the server has verified, so its analysis is kept under a key of
 * its own project (`cicd/<project>/<digest>`, see `uploadAnalysisKey`) and never replaces the
 * content-addressed analysis other tenants share for that digest.
 *
 * `acceptArchiveUpload` stores an image archive (docker-archive or OCI archive, optionally gzip)
 * in the data directory and queues a server-side scan of it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { TarsierError } from '../errors.js';
import { enqueueScan } from '../jobs/tasks.js';
import type { JobQueue } from '../jobs/queue.js';
import { saveAnalysis } from '../store/analysis-repo.js';
import { sensitiveFingerprint, vulnFingerprint } from '../store/fingerprints.js';
import { recordSightings, setScanStatus, upsertImage } from '../store/images-repo.js';
import type { Store } from '../store/open-store.js';
import type { Principal } from '../store/projects-repo.js';
import { validateUpload } from './payload.js';

/** What these functions use of a ServiceContext (a ServiceContext is one). */
export interface IntakeDeps {
  store: Store;
  queue: JobQueue;
  dataDir: string;
}

/** The body is larger than allowed: the API answers 413. */
export class UploadTooLargeError extends TarsierError {
  constructor(message: string) {
    super('input', message);
    this.name = 'UploadTooLargeError';
  }
}

/** The upload conflicts with work under way: the API answers 409. */
export class UploadConflictError extends TarsierError {
  constructor(message: string) {
    super('usage', message);
    this.name = 'UploadConflictError';
  }
}

/** Compressed bytes accepted for a scan-result upload. */
export const MAX_CICD_UPLOAD_BYTES = 64 * 1024 * 1024;
/** JSON bytes after decompression. */
export const MAX_CICD_JSON_BYTES = 256 * 1024 * 1024;
/** Archive bytes accepted for a server-side scan. */
export const MAX_ARCHIVE_UPLOAD_BYTES = 8 * 1024 * 1024 * 1024;

export interface CicdUploadResult {
  image_id: string;
  image_type: 'cicd';
  /** The image's manifest digest as the client computed it. */
  image_digest: string;
  scan_status: 'success';
}

/** The analysis key of an uploaded scan: scoped to the uploading project. */
export function uploadAnalysisKey(projectId: string, digest: string): string {
  return `cicd/${projectId}/${digest}`;
}

/** The manifest digest inside an analysis key (`cicd/<project>/sha256:…` or a plain digest). */
export function digestOfAnalysisKey(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

/** The enterprise project the upload goes to: the asked one if the credential is granted it. */
function enterpriseProject(principal: Principal, asked: string | undefined): string {
  const ep = asked ?? (principal.enterpriseProjects.length > 0 && !principal.enterpriseProjects.includes('0') ? principal.enterpriseProjects[0]! : '0');
  if (principal.enterpriseProjects.length > 0 && !principal.enterpriseProjects.includes(ep)) {
    throw new TarsierError('forbidden', `enterprise project "${ep}" is not granted to this credential`);
  }
  return ep;
}

interface Identity {
  projectId: string;
  namespace: string;
  imageName: string;
  imageVersion: string;
}

/** The existing cicd image of that name, checked to be within the credential's enterprise projects. */
async function existingImage(store: Store, principal: Principal, id: Identity): Promise<{ id: string; reference: string; enterprise_project_id: string } | undefined> {
  const row = await store.db
    .selectFrom('images')
    .select(['id', 'reference', 'enterprise_project_id'])
    .where('project_id', '=', id.projectId)
    .where('image_type', '=', 'cicd')
    .where('registry_id', 'is', null)
    .where('namespace', '=', id.namespace)
    .where('image_name', '=', id.imageName)
    .where('image_version', '=', id.imageVersion)
    .executeTakeFirst();
  // Replacing an image the credential cannot see would be writing outside its scope.
  if (row && principal.enterpriseProjects.length > 0 && !principal.enterpriseProjects.includes(row.enterprise_project_id)) {
    throw new TarsierError('forbidden', `${id.imageName}:${id.imageVersion} exists in an enterprise project not granted to this credential`);
  }
  return row;
}

/** Reads a body (bytes or a stream) up to `max` bytes; more is a 413. */
async function readBounded(body: Readable | Uint8Array | string, max: number, what: string): Promise<Buffer> {
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    if (buf.length > max) throw new UploadTooLargeError(`${what} is larger than ${max} bytes`);
    return buf;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += b.length;
    if (total > max) {
      body.destroy();
      throw new UploadTooLargeError(`${what} is larger than ${max} bytes`);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks, total);
}

/** Gunzips with a bound on the output: a small bomb cannot inflate past `max`. */
async function gunzipBounded(data: Buffer, max: number): Promise<Buffer> {
  try {
    return await readBounded(Readable.from([data]).pipe(createGunzip()), max, 'the decompressed upload');
  } catch (err) {
    if (err instanceof TarsierError) throw err;
    throw new TarsierError('input', `upload: the gzip body is corrupt (${(err as Error).message})`);
  }
}

export interface CicdUploadOptions {
  /** The request's Content-Encoding: `gzip` or none/`identity`. */
  contentEncoding?: string;
  maxBytes?: number;
  maxJsonBytes?: number;
  now?: number;
}

/**
 * Validates and stores a scan result uploaded from CI/CD as a `cicd` image of the principal's
 * project. `body` is the raw request body (the JSON document, gzip-compressed or not).
 */
export async function acceptCicdUpload(deps: Pick<IntakeDeps, 'store'>, principal: Principal, body: Readable | Uint8Array | string, options: CicdUploadOptions = {}): Promise<CicdUploadResult> {
  const encoding = (options.contentEncoding ?? 'identity').trim().toLowerCase();
  if (encoding !== 'gzip' && encoding !== 'identity' && encoding !== '') throw new TarsierError('usage', `upload: Content-Encoding "${encoding.slice(0, 40)}" is not supported (gzip or none)`);
  let raw = await readBounded(body, options.maxBytes ?? MAX_CICD_UPLOAD_BYTES, 'the upload');
  if (encoding === 'gzip') raw = await gunzipBounded(raw, options.maxJsonBytes ?? MAX_CICD_JSON_BYTES);
  else if (raw.length > (options.maxJsonBytes ?? MAX_CICD_JSON_BYTES)) throw new UploadTooLargeError('the upload is too large');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new TarsierError('input', 'upload: the body is not valid JSON');
  }
  const upload = validateUpload(parsed);
  const ep = enterpriseProject(principal, upload.image.enterprise_project_id);
  const identity = { projectId: principal.projectId, namespace: upload.image.namespace ?? '', imageName: upload.image.image_name, imageVersion: upload.image.image_version };
  await existingImage(deps.store, principal, identity);
  const now = options.now ?? Date.now();
  const realDigest = upload.inventory.artifact.digest;
  const key = uploadAnalysisKey(principal.projectId, realDigest);
  await saveAnalysis(
    deps.store,
    {
      inventory: { ...upload.inventory, artifact: { ...upload.inventory.artifact, digest: key } },
      findings: {
        vulnerabilities: upload.report.vulnerabilities,
        sensitive: upload.report.sensitive,
        buildRisks: upload.report.buildRisks,
        baseline: upload.report.baseline,
      },
      // Never equal to a server analyzer set: the server re-analyses rather than trust an upload.
      analyzerSet: 'upload',
    },
    now,
  );
  const imageId = await upsertImage(
    deps.store,
    {
      projectId: principal.projectId,
      enterpriseProjectId: ep,
      imageType: 'cicd',
      namespace: identity.namespace,
      imageName: identity.imageName,
      imageVersion: identity.imageVersion,
      reference: upload.image.reference ?? upload.report.artifact.ref,
    },
    now,
  );
  // The latest upload says where the image belongs.
  await deps.store.db.updateTable('images').set({ enterprise_project_id: ep }).where('id', '=', imageId).execute();
  await recordSightings(deps.store, imageId, 'sensitive', upload.report.sensitive.map((s) => sensitiveFingerprint(s)), now);
  await recordSightings(deps.store, imageId, 'vuln', upload.report.vulnerabilities.map((v) => vulnFingerprint({ id: v.id, packageType: v.packageType, packageName: v.packageName })), now);
  await setScanStatus(deps.store, imageId, { status: 'success', digest: key, size: upload.inventory.artifact.size, scannedAt: now });
  return { image_id: imageId, image_type: 'cicd', image_digest: realDigest, scan_status: 'success' };
}

export interface ArchiveUploadResult {
  image_id: string;
  image_type: 'cicd';
  job_id: number;
  scan_status: 'waiting_for_scan';
}

export interface ArchiveUploadOptions {
  namespace?: string;
  enterpriseProjectId?: string;
  maxBytes?: number;
  now?: number;
}

const NAME_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const VERSION_RE = /^[\w][\w.-]{0,127}$/;
const NAMESPACE_RE = /^(?:[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)?$/;

/** Counts bytes through, failing past the bound; checks the start looks like a tar or gzip. */
function guard(max: number): Transform {
  let total = 0;
  let head = Buffer.alloc(0);
  let checked = false;
  const check = (): void => {
    checked = true;
    const gzip = head[0] === 0x1f && head[1] === 0x8b;
    const tar = head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar';
    if (!gzip && !tar) throw new TarsierError('input', 'upload: the body is not an image archive (a tar or gzip-compressed tar)');
  };
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      total += chunk.length;
      if (total > max) return done(new UploadTooLargeError(`the archive is larger than ${max} bytes`));
      if (!checked) {
        head = Buffer.concat([head, chunk.subarray(0, 512)]).subarray(0, 512);
        if (head.length >= 262) {
          try {
            check();
          } catch (err) {
            return done(err as Error);
          }
        }
      }
      done(null, chunk);
    },
    flush(done) {
      if (!checked) {
        try {
          check();
        } catch (err) {
          return done(err as Error);
        }
      }
      done();
    },
  });
}

/**
 * Stores an uploaded image archive under `<dataDir>/uploads/` (bounded) and queues a scan of it as
 * a `cicd` image `name:version` of the principal's project. While a scan of that image is running
 * a new archive is refused (UploadConflictError): the running scan would not see it.
 */
export async function acceptArchiveUpload(
  deps: IntakeDeps,
  principal: Principal,
  stream: Readable,
  name: string,
  version: string,
  options: ArchiveUploadOptions = {},
): Promise<ArchiveUploadResult> {
  if (!NAME_RE.test(name) || name.length > 255) {
    stream.resume();
    throw new TarsierError('usage', `image_name "${name.slice(0, 80)}" must be a lower-case repository name (a-z, 0-9, . _ - and /)`);
  }
  if (!VERSION_RE.test(version)) {
    stream.resume();
    throw new TarsierError('usage', `image_version "${version.slice(0, 80)}" must be a tag (letters, digits, _ . -; up to 128)`);
  }
  const namespace = options.namespace ?? '';
  if (!NAMESPACE_RE.test(namespace) || namespace.length > 255) {
    stream.resume();
    throw new TarsierError('usage', `namespace "${namespace.slice(0, 80)}" must be a lower-case name`);
  }
  const ep = enterpriseProject(principal, options.enterpriseProjectId);
  const identity = { projectId: principal.projectId, enterpriseProjectId: ep, imageType: 'cicd' as const, namespace, imageName: name, imageVersion: version };
  let existing: Awaited<ReturnType<typeof existingImage>>;
  try {
    existing = await existingImage(deps.store, principal, identity);
  } catch (err) {
    stream.resume();
    throw err;
  }
  if (existing && (await scanRunning(deps.store, existing.id))) {
    stream.resume();
    throw new UploadConflictError(`a scan of ${name}:${version} is running; upload again when it has finished`);
  }

  const dir = resolve(deps.dataDir, 'uploads', createHash('sha256').update(principal.projectId).digest('hex').slice(0, 16));
  await mkdir(dir, { recursive: true });
  // Names are ours, never the client's: nothing it sends can steer the path.
  const file = join(dir, `${randomUUID()}.tar`);
  const partial = `${file}.partial`;
  // The request is piped, not handed to pipeline(): on a refusal it must stay open so that the
  // HTTP layer can still answer (and drain it) instead of the socket being destroyed under it.
  const checked = guard(options.maxBytes ?? MAX_ARCHIVE_UPLOAD_BYTES);
  const forward = (err: Error): void => void checked.destroy(err);
  stream.once('error', forward);
  stream.pipe(checked);
  const out = createWriteStream(partial, { flags: 'wx', mode: 0o600 });
  try {
    await pipeline(checked, out);
    await syncFile(partial);
    await rename(partial, file);
  } catch (err) {
    stream.unpipe(checked);
    // A refusal can come before the file is even open: wait for the write stream to settle, or
    // its late open would recreate the partial file after we removed it.
    if (!out.closed) await new Promise<void>((r) => out.once('close', () => r()));
    await rm(partial, { force: true });
    if (err instanceof TarsierError) throw err;
    throw new TarsierError('input', `upload: the archive could not be received (${(err as Error).message})`);
  } finally {
    stream.off('error', forward);
  }
  const now = options.now ?? Date.now();
  const imageId = await upsertImage(deps.store, { ...identity, reference: file }, now);
  await deps.store.db.updateTable('images').set({ enterprise_project_id: ep }).where('id', '=', imageId).execute();
  const { jobId } = await enqueueScan(deps, { id: imageId, projectId: principal.projectId }, undefined, now);
  // The previous archive of this image is no longer referenced: a queued scan reads the reference when it starts.
  if (existing && existing.reference !== file && isInside(existing.reference, resolve(deps.dataDir, 'uploads'))) {
    await rm(existing.reference, { force: true });
  }
  return { image_id: imageId, image_type: 'cicd', job_id: jobId, scan_status: 'waiting_for_scan' };
}

async function scanRunning(store: Store, imageId: string): Promise<boolean> {
  const row = await store.db.selectFrom('jobs').select('id').where('kind', '=', 'scan').where('dedupe_key', '=', imageId).where('state', '=', 'running').executeTakeFirst();
  return row !== undefined;
}

async function syncFile(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function isInside(path: string, dir: string): boolean {
  return resolve(path).startsWith(dir + sep);
}
