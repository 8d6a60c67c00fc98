/**
 * One error type for every API failure, rendered in the shape of the surface that was called:
 * HSS `{"error_code","error_msg"}` or Alibaba `{RequestId, HostId, Code, Message, Recommend}`.
 * Handlers throw `ApiError`; anything else is a bug and becomes a 500 without internals.
 */
import { isTarsierError } from '../errors.js';

export type ApiErrorKind =
  | 'invalid_parameter' // a parameter has a bad value
  | 'missing_parameter' // a required parameter is absent
  | 'unauthenticated' // no credential at all
  | 'invalid_token' // X-Auth-Token unknown, expired or revoked
  | 'incomplete_signature' // signature parts missing or malformed
  | 'signature_mismatch' // signature computed over the request does not match
  | 'unknown_access_key' // AccessKeyId unknown or revoked
  | 'timestamp_invalid' // signing time unparsable
  | 'timestamp_expired' // signing time outside the 15-minute window
  | 'nonce_used' // SignatureNonce replayed
  | 'forbidden' // authenticated, but not for this project / enterprise project
  | 'not_found' // a resource (image, registry, task) does not exist for this caller
  | 'route_not_found' // no such API path (HSS) or Action (Alibaba)
  | 'conflict' // the resource already exists / state does not allow it
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'internal' // a bug; message never carries internals
  | 'unavailable'; // the store is unreachable

export interface ApiErrorOptions {
  /** The parameter at fault, for messages and the Alibaba codes. */
  param?: string;
  /** Override the surface codes when a translator needs a vendor-specific one. */
  hssCode?: string;
  aliCode?: string;
  status?: number;
  cause?: unknown;
}

export class ApiError extends Error {
  readonly kind: ApiErrorKind;
  readonly param?: string;
  readonly hssCode?: string;
  readonly aliCode?: string;
  readonly status?: number;

  constructor(kind: ApiErrorKind, message: string, opts: ApiErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ApiError';
    this.kind = kind;
    this.param = opts.param;
    this.hssCode = opts.hssCode;
    this.aliCode = opts.aliCode;
    this.status = opts.status;
  }
}

export const invalidParam = (param: string, detail: string): ApiError => new ApiError('invalid_parameter', `${param} ${detail}`, { param });
export const missingParam = (param: string): ApiError => new ApiError('missing_parameter', `${param} is required`, { param });
/** For another tenant's resource too: the answer must not reveal that it exists. */
export const notFound = (what: string): ApiError => new ApiError('not_found', `${what} does not exist`);

const STATUS: Record<ApiErrorKind, number> = {
  invalid_parameter: 400,
  missing_parameter: 400,
  unauthenticated: 401,
  invalid_token: 401,
  incomplete_signature: 401,
  signature_mismatch: 401,
  unknown_access_key: 401,
  timestamp_invalid: 401,
  timestamp_expired: 401,
  nonce_used: 401,
  forbidden: 403,
  not_found: 404,
  route_not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  internal: 500,
  unavailable: 503,
};

/**
 * HSS codes. HSS.0001 and the APIG.* gateway codes are the vendor's; the HSS.04xx/05xx ones are
 * Tarsier's own (HSS documents no code for them), numbered after the HTTP status.
 */
const HSS_CODE: Record<ApiErrorKind, [code: string, prefix: string]> = {
  invalid_parameter: ['HSS.0001', 'invalid param error'],
  missing_parameter: ['HSS.0001', 'invalid param error'],
  unauthenticated: ['APIG.0301', 'Incorrect IAM authentication information'],
  invalid_token: ['APIG.1002', 'Incorrect token or token resolution failed'],
  incomplete_signature: ['APIG.0301', 'Incorrect IAM authentication information'],
  signature_mismatch: ['APIG.0301', 'Incorrect IAM authentication information'],
  unknown_access_key: ['APIG.0301', 'Incorrect IAM authentication information'],
  timestamp_invalid: ['APIG.0301', 'Incorrect IAM authentication information'],
  timestamp_expired: ['APIG.0301', 'Incorrect IAM authentication information'],
  nonce_used: ['APIG.0301', 'Incorrect IAM authentication information'],
  forbidden: ['APIG.0302', 'The IAM user is not authorized to access the API'],
  not_found: ['HSS.0404', 'resource not found'],
  route_not_found: ['APIG.0101', 'The API does not exist or has not been published in the environment'],
  conflict: ['HSS.0409', 'conflict'],
  payload_too_large: ['APIG.0201', 'Request entity too large'],
  unsupported_media_type: ['HSS.0415', 'unsupported media type'],
  internal: ['HSS.0500', 'internal error'],
  unavailable: ['HSS.0503', 'service unavailable'],
};

export interface HssErrorBody {
  error_code: string;
  error_msg: string;
}

export function renderHssError(err: ApiError): { status: number; body: HssErrorBody } {
  const [code, prefix] = HSS_CODE[err.kind];
  return { status: err.status ?? STATUS[err.kind], body: { error_code: err.hssCode ?? code, error_msg: `${prefix}: ${err.message}` } };
}

/** Alibaba codes and statuses as the POP gateway uses them (400 for signature problems). */
const ALI_CODE: Record<ApiErrorKind, [code: string, status: number]> = {
  invalid_parameter: ['InvalidParameter', 400],
  missing_parameter: ['MissingParameter', 400],
  unauthenticated: ['MissingParameter', 400],
  invalid_token: ['InvalidSecurityToken.Expired', 401],
  incomplete_signature: ['IncompleteSignature', 400],
  signature_mismatch: ['SignatureDoesNotMatch', 400],
  unknown_access_key: ['InvalidAccessKeyId.NotFound', 404],
  timestamp_invalid: ['InvalidTimeStamp.Format', 400],
  timestamp_expired: ['InvalidTimeStamp.Expired', 400],
  nonce_used: ['SignatureNonceUsed', 400],
  forbidden: ['NoPermission', 403],
  not_found: ['InvalidParameter', 404],
  route_not_found: ['InvalidAction.NotFound', 404],
  conflict: ['OperationConflict', 409],
  payload_too_large: ['InvalidParameter', 413],
  unsupported_media_type: ['InvalidParameter', 415],
  // Seed 001 lists `500 ServerError` for the Security Center actions.
  internal: ['ServerError', 500],
  unavailable: ['ServiceUnavailable', 503],
};

export interface AlibabaErrorBody {
  RequestId: string;
  HostId: string;
  Code: string;
  Message: string;
  Recommend: string;
}

export function renderAlibabaError(err: ApiError, requestId: string, hostId: string): { status: number; body: AlibabaErrorBody } {
  const [code, status] = ALI_CODE[err.kind];
  return {
    status: err.status ?? status,
    body: {
      RequestId: requestId,
      HostId: hostId,
      Code: err.aliCode ?? code,
      Message: err.message,
      Recommend: `Check the request and see the API documentation at /docs (request id ${requestId}).`,
    },
  };
}

/** Anything thrown → an ApiError fit to show a client. Unknown errors lose their message. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (isTarsierError(err)) {
    switch (err.code) {
      case 'usage':
      case 'input':
        return new ApiError('invalid_parameter', err.message, { cause: err });
      case 'not_found':
        return new ApiError('not_found', err.message, { cause: err });
      case 'database_error':
        return new ApiError('unavailable', 'the store is unavailable', { cause: err });
      default:
        return new ApiError('internal', 'the request could not be processed', { cause: err });
    }
  }
  if (isConnectionError(err)) return new ApiError('unavailable', 'the store is unavailable', { cause: err });
  const fastifyStatus = fastifyClientStatus(err);
  if (fastifyStatus !== undefined) {
    if (fastifyStatus === 413) return new ApiError('payload_too_large', 'the request body is too large', { cause: err });
    if (fastifyStatus === 415) return new ApiError('unsupported_media_type', 'the request content type is not supported', { cause: err });
    if (fastifyStatus === 404) return new ApiError('route_not_found', 'no such API', { cause: err });
    return new ApiError('invalid_parameter', `bad request: ${(err as Error).message.split('\n')[0]}`, { cause: err, status: fastifyStatus === 400 ? undefined : fastifyStatus });
  }
  return new ApiError('internal', 'the request could not be processed', { cause: err });
}

/** Fastify's own 4xx errors (bad JSON, body too large, bad content type) carry statusCode and an FST_ code. */
function fastifyClientStatus(err: unknown): number | undefined {
  if (!(err instanceof Error)) return undefined;
  const e = err as Error & { statusCode?: number; code?: string };
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500 && typeof e.code === 'string' && e.code.startsWith('FST_')) return e.statusCode;
  return undefined;
}

/** Socket errors and PostgreSQL's connection-exception / operator-intervention classes: the store is down, not the request wrong. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03']);

function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CONNECTION_CODES.has(code);
}
