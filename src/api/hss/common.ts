/**
 * Schemas and small mappings every HSS translator shares: paging (`offset` 0–2,000,000, `limit`
 * 10–200, default 10), `total_num` + `data_list` answers, the image-type vocabularies and the
 * severity spellings of the different HSS APIs.
 */
import { Type, type TProperties, type TSchema } from 'typebox';
import type { ApiModule } from '../types.js';
import { REGISTRY_IMAGE_TYPES } from '../../store/queries/image-refs.js';

export const Offset = Type.Optional(Type.Integer({ minimum: 0, maximum: 2_000_000, default: 0, description: 'Offset of the first record returned.' }));
export const Limit = Type.Optional(Type.Integer({ minimum: 10, maximum: 200, default: 10, description: 'Records per page.' }));

export function paging(q: { offset?: number; limit?: number }): { offset: number; limit: number } {
  return { offset: q.offset ?? 0, limit: q.limit ?? 10 };
}

/** PostgreSQL text cannot hold NUL: a parameter carrying one is refused here, naming it, instead of failing in the store. */
const NO_NUL = '^[^\\u0000]*$';

export const Str = (min: number, max: number, description: string) => Type.String({ minLength: min, maxLength: max, pattern: NO_NUL, description });
export const OptStr = (min: number, max: number, description: string) => Type.Optional(Str(min, max, description));

/**
 * Kept only for src/api/hss/vulnerabilities.ts until it declares its query with Type.Object like
 * the other translators: the router adds `enterprise_project_id` (hss-surface.ts
 * EnterpriseProjectId, no control characters) to every route that does not declare it itself.
 */
export function Query<T extends TProperties>(props: T) {
  return Type.Object(props);
}

/** HSS list answers. */
export function listOf<T extends TSchema>(item: T, description?: string) {
  return Type.Object({
    total_num: Type.Integer({ minimum: 0, description: 'Total number of records matching the filters.' }),
    data_list: Type.Array(item, description ? { description } : {}),
  });
}

/** Image types one image is named by (sensitive information, vulnerabilities). */
export const IMAGE_TYPES = ['private_image', 'shared_image', 'instance_image', 'cicd', 'harbor'] as const;
export const ImageType = Type.Enum([...IMAGE_TYPES], { description: 'Image type: private_image, shared_image, instance_image (SWR enterprise), cicd, harbor.' });

/** The global views (`registry` = every registry image, `cicd` = CI/CD uploads). */
export const GlobalImageType = Type.Enum(['cicd', 'registry'], { description: 'cicd: CI/CD images; registry: repository images.' });

export function storedTypesOf(global: 'cicd' | 'registry'): readonly string[] {
  return global === 'cicd' ? ['cicd'] : REGISTRY_IMAGE_TYPES;
}

export const HandleStatus = Type.Enum(['unhandled', 'handled'], { description: 'unhandled or handled.' });
export const FindingSeverity = Type.Enum(['critical', 'high', 'medium', 'low'], { description: 'Risk level: critical, high, medium, low.' });

/** Baseline spellings (`Security` = nothing failed). */
export function baselineSeverity(s: string): string {
  switch (s) {
    case 'security':
      return 'Security';
    case 'critical':
      return 'Critical';
    case 'high':
      return 'High';
    case 'medium':
      return 'Medium';
    default:
      return 'Low';
  }
}

/** The HSS short texts are documented as 0–128 characters: longer prose is cut at a word. */
export function clip(text: string, max = 128): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max / 2 ? cut.slice(0, space) : cut}…`;
}

/** Collects modules for API_MODULES. */
export function hssModule(name: string, register: ApiModule['register']): ApiModule {
  return { name: `hss-${name}`, register };
}
