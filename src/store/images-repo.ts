/**
 * Tenant-scoped image references (HSS vocabulary) and their scan state. A reference points at a
 * manifest digest once resolved; many references of many projects may share one analysis.
 */
import { randomUUID } from 'node:crypto';
import type { Store } from './open-store.js';

export const IMAGE_TYPES = ['private_image', 'shared_image', 'instance_image', 'cicd', 'harbor', 'jfrog', 'local_image'] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

export const SCAN_STATUSES = ['unscan', 'success', 'scanning', 'failed', 'download_failed', 'image_oversized', 'waiting_for_scan'] as const;
export type ScanStatus = (typeof SCAN_STATUSES)[number];

/** HSS scan_failed_code values. */
export const FAILED_CODES = [
  'unknown_error', 'authentication_failed', 'download_failed', 'image_over_sized', 'get_detail_info_not_found',
  'image_layer_over_sized', 'failed_to_scan_vulnerability', 'failed_to_scan_file', 'failed_to_scan_software',
  'failed_to_check_sensitive_information', 'failed_to_check_baseline', 'failed_to_check_software_compliance',
  'failed_to_query_basic_image_information', 'response_timed_out', 'database_error', 'failed_to_send_the_scan_request',
] as const;
export type FailedCode = (typeof FAILED_CODES)[number];

export interface ImageRefInput {
  projectId: string;
  enterpriseProjectId?: string;
  registryId?: string | null;
  imageType: ImageType;
  namespace?: string;
  imageName: string;
  imageVersion: string;
  /** What a worker pulls: `host/ns/name:tag`, or an archive path for uploads. */
  reference: string;
}

/** Creates the reference or returns the existing one with the same identity. */
export async function upsertImage(store: Store, ref: ImageRefInput, now = Date.now()): Promise<string> {
  const namespace = ref.namespace ?? '';
  const registryId = ref.registryId ?? null;
  const existing = await store.db
    .selectFrom('images')
    .select('id')
    .where('project_id', '=', ref.projectId)
    .where('image_type', '=', ref.imageType)
    .where((eb) => (registryId === null ? eb('registry_id', 'is', null) : eb('registry_id', '=', registryId)))
    .where('namespace', '=', namespace)
    .where('image_name', '=', ref.imageName)
    .where('image_version', '=', ref.imageVersion)
    .executeTakeFirst();
  if (existing) {
    await store.db.updateTable('images').set({ reference: ref.reference, latest_sync_time: now }).where('id', '=', existing.id).execute();
    return existing.id;
  }
  const id = randomUUID();
  await store.db
    .insertInto('images')
    .values({
      id,
      project_id: ref.projectId,
      enterprise_project_id: ref.enterpriseProjectId ?? '0',
      registry_id: registryId,
      image_type: ref.imageType,
      namespace,
      image_name: ref.imageName,
      image_version: ref.imageVersion,
      reference: ref.reference,
      digest: null,
      size: null,
      failed_code: null,
      failed_reason: null,
      latest_scan_time: null,
      latest_sync_time: now,
      created_at: now,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
  // A concurrent sync may have won the insert; the identity index makes both end on one row.
  return (await upsertImage(store, ref, now)) ?? id;
}

export async function setScanStatus(
  store: Store,
  imageId: string,
  update: { status: ScanStatus; digest?: string; size?: number; failedCode?: FailedCode | null; failedReason?: string | null; scannedAt?: number },
): Promise<void> {
  await store.db
    .updateTable('images')
    .set({
      scan_status: update.status,
      ...(update.digest !== undefined ? { digest: update.digest } : {}),
      ...(update.size !== undefined ? { size: update.size } : {}),
      failed_code: update.failedCode ?? null,
      failed_reason: update.failedReason ?? null,
      ...(update.scannedAt !== undefined ? { latest_scan_time: update.scannedAt } : {}),
    })
    .where('id', '=', imageId)
    .execute();
}

/** first_seen stays the first time; last_seen moves to now. */
export async function recordSightings(store: Store, imageId: string, kind: string, fingerprints: string[], now = Date.now()): Promise<void> {
  const unique = [...new Set(fingerprints)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = unique.slice(i, i + 500).map((fingerprint) => ({ image_id: imageId, kind, fingerprint, first_seen: now, last_seen: now }));
    await store.db
      .insertInto('finding_sightings')
      .values(rows)
      .onConflict((oc) => oc.columns(['image_id', 'kind', 'fingerprint']).doUpdateSet({ last_seen: now }))
      .execute();
  }
}
