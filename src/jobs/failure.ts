/**
 * Maps a scan failure onto the HSS vocabulary (scan_status + scan_failed_code) and decides whether
 * retrying can help: network trouble and rate limits can pass, a wrong password or a missing tag cannot.
 */
import { isTarsierError } from '../errors.js';
import type { FailedCode, ScanStatus } from '../store/images-repo.js';

export interface FailureClass {
  status: ScanStatus;
  code: FailedCode;
  retryable: boolean;
  reason: string;
}

export function classifyFailure(err: unknown): FailureClass {
  const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 500);
  if (!isTarsierError(err)) return { status: 'failed', code: 'unknown_error', retryable: true, reason };
  switch (err.code) {
    case 'auth':
    case 'forbidden':
      return { status: 'failed', code: 'authentication_failed', retryable: false, reason };
    case 'not_found':
      return { status: 'failed', code: 'get_detail_info_not_found', retryable: false, reason };
    case 'network':
      return { status: 'download_failed', code: /timed? ?out|timeout/i.test(reason) ? 'response_timed_out' : 'download_failed', retryable: true, reason };
    case 'rate_limited':
      return { status: 'download_failed', code: 'download_failed', retryable: true, reason };
    case 'digest_mismatch':
      return { status: 'download_failed', code: 'download_failed', retryable: true, reason };
    case 'image_oversized':
      return { status: 'image_oversized', code: 'image_over_sized', retryable: false, reason };
    case 'layer_oversized':
      return { status: 'image_oversized', code: 'image_layer_over_sized', retryable: false, reason };
    case 'entries_exceeded':
    case 'input':
    case 'unsupported':
      return { status: 'failed', code: 'failed_to_scan_file', retryable: false, reason };
    case 'database_error':
      return { status: 'failed', code: 'database_error', retryable: true, reason };
    case 'usage':
      return { status: 'failed', code: 'failed_to_send_the_scan_request', retryable: false, reason };
  }
}
