/**
 * One error type for everything a user can cause: bad input, unreachable registry, limits.
 * `code` is stable and machine-readable; `message` is one line that says what and where.
 * Anything that is not a TarsierError is a bug and is reported as such.
 */
export type ErrorCode =
  | 'usage' // bad flags or arguments
  | 'input' // unreadable or malformed input (archive, manifest, file)
  | 'not_found' // image, tag, blob or file does not exist
  | 'auth' // registry said 401
  | 'forbidden' // registry said 403
  | 'rate_limited' // registry said 429 after retries
  | 'network' // timeouts, 5xx after retries, dropped connections
  | 'digest_mismatch' // content does not hash to what the manifest/config says
  | 'image_oversized' // total uncompressed size over the limit (HSS image_over_sized)
  | 'layer_oversized' // one layer over the limit (HSS image_layer_over_sized)
  | 'entries_exceeded' // too many tar entries in one layer
  | 'unsupported' // a format we recognise but do not read
  | 'database_error'; // the store cannot be opened, migrated or queried

export class TarsierError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TarsierError';
    this.code = code;
  }
}

export function isTarsierError(err: unknown): err is TarsierError {
  return err instanceof TarsierError;
}

/** A one-line description of any error, safe to print (no stack). */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.name;
  return String(err);
}
