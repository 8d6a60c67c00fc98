/**
 * What a credential may see. Every resource belongs to one project and one enterprise project;
 * a request sees its principal's project, narrowed by HSS `enterprise_project_id` (default "0", the
 * default enterprise project; `all_granted_eps` = every one the credential is granted). Translators
 * filter with `scope.visible(alias)` so another tenant's resource is simply not found.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { ApiError } from './errors.js';
import type { Principal } from '../store/projects-repo.js';

export const DEFAULT_ENTERPRISE_PROJECT = '0';
export const ALL_GRANTED_EPS = 'all_granted_eps';

export class TenantScope {
  constructor(
    readonly projectId: string,
    /** The enterprise projects visible to this request; undefined = all of the project's. */
    readonly enterpriseProjectIds: readonly string[] | undefined,
    /** Where a resource created by this request goes. */
    readonly targetEnterpriseProject: string,
  ) {}

  allows(projectId: string, enterpriseProjectId: string): boolean {
    return projectId === this.projectId && (this.enterpriseProjectIds === undefined || this.enterpriseProjectIds.includes(enterpriseProjectId));
  }

  /**
   * SQL predicate for a table (or alias) with project_id and enterprise_project_id columns:
   * `.where(scope.visible('images'))`.
   */
  visible(alias: string): RawBuilder<SqlBool> {
    const project = sql<SqlBool>`${sql.ref(`${alias}.project_id`)} = ${this.projectId}`;
    if (this.enterpriseProjectIds === undefined) return project;
    return sql<SqlBool>`(${project} AND ${sql.ref(`${alias}.enterprise_project_id`)} = ANY(${sql.val([...this.enterpriseProjectIds])}::text[]))`;
  }
}

/**
 * The scope of one request. `requested` is the raw `enterprise_project_id`; asking for an
 * enterprise project the credential is not granted is a 403, as HSS answers it.
 */
export function resolveScope(principal: Principal, requested?: string): TenantScope {
  const granted = principal.enterpriseProjects.length > 0 ? principal.enterpriseProjects : undefined;
  const ep = requested === undefined || requested === '' ? DEFAULT_ENTERPRISE_PROJECT : requested;
  if (ep === ALL_GRANTED_EPS) return new TenantScope(principal.projectId, granted, granted?.[0] ?? DEFAULT_ENTERPRISE_PROJECT);
  if (granted && !granted.includes(ep)) {
    throw new ApiError('forbidden', `enterprise project "${ep}" is not granted to this credential`, { param: 'enterprise_project_id' });
  }
  return new TenantScope(principal.projectId, [ep], ep);
}

/** Alibaba has no enterprise projects in these APIs: a request sees everything its credential may. */
export function fullScope(principal: Principal): TenantScope {
  return resolveScope(principal, ALL_GRANTED_EPS);
}
