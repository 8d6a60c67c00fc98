/**
 * The HTTP contract of CI/CD intake, shared by the upload client and the API that mounts
 * `acceptCicdUpload` / `acceptArchiveUpload`. Both routes authenticate with `X-Auth-Token` (the
 * client also sends `Authorization: Bearer`); the token's project owns the image.
 *
 * POST /api/v1/cicd/uploads
 *   Content-Type: application/vnd.tarsier.cicd-upload.v1+json, Content-Encoding: gzip (or none)
 *   Body: the upload document (payload.ts), at most MAX_CICD_UPLOAD_BYTES as sent and
 *   MAX_CICD_JSON_BYTES decompressed. Pass the raw body bytes and the Content-Encoding header.
 *   201 { image_id, image_type: "cicd", image_digest, scan_status: "success" }
 *
 * POST /api/v1/cicd/archives?image_name=N&image_version=V[&namespace=NS][&enterprise_project_id=E]
 *   Content-Type: application/octet-stream (a docker-archive or OCI archive tar, gzip allowed)
 *   Body: streamed to disk, at most MAX_ARCHIVE_UPLOAD_BYTES. Pass the request stream unread.
 *   202 { image_id, image_type: "cicd", job_id, scan_status: "waiting_for_scan" }
 *
 * Errors: UploadTooLargeError → 413, UploadConflictError → 409, TarsierError 'forbidden' → 403,
 * other TarsierError ('input' | 'usage') → 400; each with a one-line message naming the field.
 */
export const CICD_UPLOAD_ROUTE = '/api/v1/cicd/uploads';
export const CICD_ARCHIVE_ROUTE = '/api/v1/cicd/archives';
export const CICD_UPLOAD_CONTENT_TYPE = 'application/vnd.tarsier.cicd-upload.v1+json';
