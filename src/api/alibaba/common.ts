/**
 * What the Sas (2018-12-03) image actions share: the parameter schemas (paging, `Lang`,
 * `ScanRange`, `RiskLevel`), the success envelope, risk-level and image-identity mapping.
 *
 * Image identity, Alibaba → Tarsier `images` table (one row = one tenant's image reference):
 * | Alibaba                               | Tarsier                                            |
 * |---------------------------------------|----------------------------------------------------|
 * | `ImageUuid` / `Uuid` / `ImageUuids`   | `images.id` (the HSS `image_id` too); the 32-hex form without dashes is accepted on input |
 * | `RepoNamespace`                       | `images.namespace`                                 |
 * | `RepoName`                            | `images.image_name`                                |
 * | `Tag`                                 | `images.image_version`                             |
 * | `Digest` / `ImageDigest`              | `images.digest` (manifest digest), without `sha256:` as the vendor writes it |
 * | `InstanceId` / `RepoInstanceId`       | `images.registry_id` (a registry is the "instance"); "" for uploads |
 * | `InstanceName`                        | `registries.name`; "" for uploads                  |
 * | `RegionId`                            | "" (Tarsier has no regions)                        |
 * | `LayerDigest`                         | `sensitive_findings.layer_digest`, without `sha256:` |
 * `ScanRange`: every Tarsier asset is an image, so `["container"]` alone selects nothing.
 */
import { Type, type Static } from 'typebox';
import type { Severity } from '../../detect/sensitive/catalog.js';
import { ApiError } from '../errors.js';

export const LANGS = ['zh', 'en'] as const;
export type AliLang = (typeof LANGS)[number];

/** Tarsier's page bounds; the vendor documents defaults (1, 20) but no maximum. */
export const MAX_PAGE_SIZE = 1000;
export const MAX_CURRENT_PAGE = 1_000_000;

export const LangParam = Type.Optional(Type.Enum([...LANGS], { default: 'zh', description: 'Language of names, descriptions and advice: zh (default) or en.' }));
export const CurrentPageParam = Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_CURRENT_PAGE, default: 1, description: 'Page number, from 1. Default 1.' }));
export const PageSizeParam = Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 20, description: `Entries per page, 1-${MAX_PAGE_SIZE}. Default 20.` }));
export const ScanRangeParam = Type.Optional(Type.Array(Type.Enum(['image', 'container']), { maxItems: 10, description: 'Asset types: image, container.' }));
/** PostgreSQL text cannot hold NUL: a parameter carrying one is an InvalidParameter naming it, not a store error. */
export const NO_NUL = '^[^\\u0000]*$';

export const ImageUuidParam = Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: NO_NUL, description: 'Image UUID (Tarsier image id).' }));
export const SensitiveFileKeyParam = Type.String({ minLength: 1, maxLength: 128, pattern: NO_NUL, description: 'Sensitive file type, e.g. aws_access_key (catalog keys, or custom:<id> for custom rules).' });
/** One level or several separated by commas. */
export const RiskLevelParam = Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^(high|medium|low)(,(high|medium|low))*$', description: 'high, medium, low; several separated by commas.' }));

export type AliRiskLevel = 'high' | 'medium' | 'low';

/** Alibaba has three levels: Tarsier's critical is reported as high. */
export function aliRiskLevel(severity: string): AliRiskLevel {
  if (severity === 'critical' || severity === 'high') return 'high';
  if (severity === 'medium') return 'medium';
  return 'low';
}

/** The Tarsier severities an Alibaba RiskLevel filter selects. */
export function severitiesFor(riskLevel: string | undefined): Severity[] | undefined {
  if (riskLevel === undefined) return undefined;
  const out = new Set<Severity>();
  for (const level of riskLevel.split(',')) {
    if (level === 'high') out.add('critical').add('high');
    else if (level === 'medium') out.add('medium');
    else out.add('low');
  }
  return [...out];
}

/** False when the request's ScanRange excludes images, the only kind of asset Tarsier has. */
export function coversImages(scanRange: readonly string[] | undefined): boolean {
  return scanRange === undefined || scanRange.length === 0 || scanRange.includes('image');
}

const COMPACT_UUID = /^[0-9a-f]{32}$/i;

/** An ImageUuid as sent → the image ids it may name (SDK users sometimes strip a UUID's dashes). */
export function imageIdCandidates(uuid: string): string[] {
  if (!COMPACT_UUID.test(uuid)) return [uuid];
  const h = uuid.toLowerCase();
  return [uuid, `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`];
}

/** `ImageUuids=a,b` → the ids; empty items are a client error, naming the parameter. */
export function splitImageUuids(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s === '' || s.length > 128)) {
    throw new ApiError('invalid_parameter', 'The specified parameter "ImageUuids" is not valid: it must be image UUIDs separated by commas.', { param: 'ImageUuids' });
  }
  return [...new Set(items.flatMap(imageIdCandidates))];
}

/** The vendor writes digests as bare hex. */
export function bareDigest(digest: string | null | undefined): string {
  if (!digest) return '';
  return digest.startsWith('sha256:') ? digest.slice('sha256:'.length) : digest;
}

export const PageInfoSchema = Type.Object({
  CurrentPage: Type.Integer(),
  PageSize: Type.Integer(),
  TotalCount: Type.Integer(),
  Count: Type.Integer(),
  LastRowKey: Type.String({ description: 'Key of the last entry on the page ("" when the page is empty).' }),
});
export type PageInfo = Static<typeof PageInfoSchema>;

export function pageInfo(currentPage: number, pageSize: number, totalCount: number, count: number, lastRowKey: string | undefined): PageInfo {
  return { CurrentPage: currentPage, PageSize: pageSize, TotalCount: totalCount, Count: count, LastRowKey: lastRowKey ?? '' };
}

/** Fields of every successful Describe* answer here (`RequestId` is added by the dispatcher). */
export const SUCCESS = { Success: true, Code: '200', Message: 'successful', HttpStatusCode: 200 } as const;
export const SuccessFields = {
  RequestId: Type.String(),
  Success: Type.Boolean(),
  Code: Type.String({ description: '"200" on success.' }),
  Message: Type.String(),
  HttpStatusCode: Type.Integer(),
};
