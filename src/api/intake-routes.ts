/**
 * CI/CD intake on the service surface (contract: src/intake/routes.ts). Both routes take our API
 * token only — `X-Auth-Token`, or `Authorization: Bearer` as the upload client also sends — since
 * a streamed archive has no body bytes to check a signature over. Errors are ApiErrors, rendered
 * by the app's error handler in the service surface's shape (`{ error_code, error_msg }`).
 */
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isTarsierError } from '../errors.js';
import { acceptArchiveUpload, acceptCicdUpload, MAX_ARCHIVE_UPLOAD_BYTES, MAX_CICD_JSON_BYTES, MAX_CICD_UPLOAD_BYTES, UploadConflictError, UploadTooLargeError } from '../intake/accept.js';
import { CICD_ARCHIVE_ROUTE, CICD_UPLOAD_CONTENT_TYPE, CICD_UPLOAD_ROUTE } from '../intake/routes.js';
import type { Authenticator } from './auth/authenticate.js';
import { headerValue } from './auth/encoding.js';
import { ApiError, toApiError } from './errors.js';
import { EnterpriseProjectId } from './hss-surface.js';
import type { ApiServices } from './types.js';

export interface IntakeRouteOptions {
  /** Where uploaded archives are kept (`<dataDir>/uploads/`) until their scan reads them. */
  dataDir: string;
  /** Bytes as sent for a scan-result upload (default MAX_CICD_UPLOAD_BYTES). */
  maxUploadBytes?: number;
  /** Bytes after decompression for a scan-result upload (default MAX_CICD_JSON_BYTES). */
  maxUploadJsonBytes?: number;
  /** Bytes of an archive upload (default MAX_ARCHIVE_UPLOAD_BYTES). */
  maxArchiveBytes?: number;
}

export interface IntakeRouteDeps extends IntakeRouteOptions {
  auth: Authenticator;
  services: ApiServices;
}

const TAGS = ['CI/CD intake'];

const SERVICE_ERROR = {
  type: 'object',
  required: ['error_code', 'error_msg'],
  properties: { error_code: { type: 'string' }, error_msg: { type: 'string' } },
} as const;

const UPLOAD_RESULT = {
  type: 'object',
  required: ['image_id', 'image_type', 'image_digest', 'scan_status'],
  properties: {
    image_id: { type: 'string' },
    image_type: { type: 'string', enum: ['cicd'] },
    image_digest: { type: 'string', description: 'The manifest digest the client computed.' },
    scan_status: { type: 'string', enum: ['success'] },
  },
} as const;

const ARCHIVE_RESULT = {
  type: 'object',
  required: ['image_id', 'image_type', 'job_id', 'scan_status'],
  properties: {
    image_id: { type: 'string' },
    image_type: { type: 'string', enum: ['cicd'] },
    job_id: { type: 'integer', description: 'The queued scan job.' },
    scan_status: { type: 'string', enum: ['waiting_for_scan'] },
  },
} as const;

const ARCHIVE_QUERY = {
  type: 'object',
  required: ['image_name', 'image_version'],
  properties: {
    image_name: { type: 'string', minLength: 1, maxLength: 255, description: 'Repository name (lower case; a-z, 0-9, . _ - and /).' },
    image_version: { type: 'string', minLength: 1, maxLength: 128, description: 'Tag.' },
    namespace: { type: 'string', maxLength: 255 },
    // The HSS surface's own: a NUL or control character is a 400 naming it, not a store error.
    enterprise_project_id: EnterpriseProjectId,
  },
} as const;

interface ArchiveQuery {
  image_name: string;
  image_version: string;
  namespace?: string;
  enterprise_project_id?: string;
}

/** The API token from `X-Auth-Token` or `Authorization: Bearer`. */
function tokenOf(request: FastifyRequest): string | undefined {
  const direct = headerValue(request.headers, 'x-auth-token');
  if (direct !== undefined && direct.trim() !== '') return direct;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headerValue(request.headers, 'authorization') ?? '');
  return bearer?.[1];
}

/** Authentication before validation: an anonymous caller learns nothing about parameters. */
function authenticate(auth: Authenticator) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = tokenOf(request);
    if (token === undefined) throw new ApiError('unauthenticated', 'X-Auth-Token (or Authorization: Bearer) is required');
    // The Authenticator verifies the token as for every surface; only the token is shown to it.
    request.principal = await auth.hss({ method: request.method, url: request.raw.url ?? request.url, headers: { 'x-auth-token': token } });
  };
}

/** The intake refusals in the statuses routes.ts promises; anything else as the app maps it. */
function intakeError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof UploadTooLargeError) return new ApiError('payload_too_large', err.message, { cause: err });
  if (err instanceof UploadConflictError) return new ApiError('conflict', err.message, { cause: err });
  if (isTarsierError(err)) {
    if (err.code === 'forbidden') return new ApiError('forbidden', err.message, { cause: err });
    if (err.code === 'input' || err.code === 'usage') return new ApiError('invalid_parameter', err.message, { cause: err });
  }
  return toApiError(err);
}

function declaredLength(request: FastifyRequest): number | undefined {
  const text = headerValue(request.headers, 'content-length');
  return text !== undefined && /^\d+$/.test(text.trim()) ? Number(text) : undefined;
}

/** Mounts POST /api/v1/cicd/uploads and POST /api/v1/cicd/archives. */
export async function installIntakeRoutes(app: FastifyInstance, deps: IntakeRouteDeps): Promise<void> {
  const { services } = deps;
  const intake = { store: services.store, queue: services.queue, dataDir: deps.dataDir };
  const maxUpload = deps.maxUploadBytes ?? MAX_CICD_UPLOAD_BYTES;
  const maxArchive = deps.maxArchiveBytes ?? MAX_ARCHIVE_UPLOAD_BYTES;
  const preValidation = authenticate(deps.auth);

  // A scan result is small enough to hold as bytes. Its own context keeps it from the app's JSON
  // parser: the body may be gzip whatever its Content-Type says, and it is parsed once, bounded.
  await app.register(async (uploads) => {
    uploads.removeAllContentTypeParsers();
    uploads.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
      request.rawBody = body;
      done(null, undefined);
    });
    uploads.post(
      CICD_UPLOAD_ROUTE,
      {
        bodyLimit: maxUpload,
        schema: {
          tags: TAGS,
          operationId: 'CreateCicdUpload',
          summary: 'Store a scan made in CI/CD as a cicd image',
          description:
            `Body: the upload document (\`tarsier scan --server\` sends it), Content-Type \`${CICD_UPLOAD_CONTENT_TYPE}\`, ` +
            `optionally \`Content-Encoding: gzip\`; at most ${maxUpload} bytes as sent.`,
          security: [{ XAuthToken: [] }],
          response: { 201: UPLOAD_RESULT, '4xx': SERVICE_ERROR },
        },
        preValidation,
      },
      async (request, reply) => {
        try {
          const result = await acceptCicdUpload(intake, request.principal!, request.rawBody ?? Buffer.alloc(0), {
            contentEncoding: headerValue(request.headers, 'content-encoding'),
            maxBytes: maxUpload,
            maxJsonBytes: deps.maxUploadJsonBytes ?? MAX_CICD_JSON_BYTES,
          });
          return reply.status(201).send(result);
        } catch (err) {
          throw intakeError(err);
        }
      },
    );
  });

  // An archive can be gigabytes: in its own context the body parser hands the request stream on
  // unread, and acceptArchiveUpload bounds it while writing it to disk.
  await app.register(async (archives) => {
    archives.removeAllContentTypeParsers();
    archives.addContentTypeParser('*', { bodyLimit: maxArchive }, (_request, payload, done) => done(null, payload));
    // A refused archive is not drained: the connection closes once the answer is sent.
    archives.addHook('onSend', async (_request, reply) => {
      if (reply.statusCode >= 400) reply.header('connection', 'close');
    });
    archives.post(
      CICD_ARCHIVE_ROUTE,
      {
        bodyLimit: maxArchive,
        schema: {
          tags: TAGS,
          operationId: 'CreateCicdArchive',
          summary: 'Upload an image archive for the server to scan',
          description: `Body: a docker-archive or OCI archive tar (gzip allowed), Content-Type \`application/octet-stream\`, streamed; at most ${maxArchive} bytes.`,
          querystring: ARCHIVE_QUERY,
          security: [{ XAuthToken: [] }],
          response: { 202: ARCHIVE_RESULT, '4xx': SERVICE_ERROR },
        },
        preValidation,
      },
      async (request: FastifyRequest, reply: FastifyReply) => {
        const length = declaredLength(request);
        // Refused before a byte is read when the client says up front that it is too large.
        if (length !== undefined && length > maxArchive) throw new ApiError('payload_too_large', `the archive is larger than ${maxArchive} bytes`);
        const stream = request.body as Readable | undefined;
        if (!stream || typeof stream.pipe !== 'function') throw new ApiError('invalid_parameter', 'the request has no body: send the archive as application/octet-stream', { param: 'body' });
        const query = request.query as ArchiveQuery;
        try {
          const result = await acceptArchiveUpload(intake, request.principal!, stream, query.image_name, query.image_version, {
            ...(query.namespace !== undefined ? { namespace: query.namespace } : {}),
            ...(query.enterprise_project_id !== undefined ? { enterpriseProjectId: query.enterprise_project_id } : {}),
            maxBytes: maxArchive,
          });
          return reply.status(202).send(result);
        } catch (err) {
          throw intakeError(err);
        }
      },
    );
  });
}
