/**
 * Schema validation failures (Ajv errors, from Fastify for HSS and from the Alibaba dispatcher) →
 * one ApiError that names the parameter and what is wrong with it, never echoing the value.
 */
import { ApiError } from './errors.js';

export interface ValidationIssue {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** `/image_info_list/0/namespace` → `image_info_list[0].namespace`. */
export function paramName(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out === '' ? p : `.${p}`;
  return out;
}

const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

export function validationError(issues: readonly ValidationIssue[], context?: string): ApiError {
  const first = issues[0];
  if (!first) return new ApiError('invalid_parameter', `${context ?? 'request'} is invalid`);
  if (first.keyword === 'required') {
    const name = paramName(first.instancePath, String(first.params.missingProperty));
    return new ApiError('missing_parameter', `${name} is required`, { param: name });
  }
  const name = paramName(first.instancePath) || (context === 'querystring' ? 'query' : context ?? 'request');
  return new ApiError('invalid_parameter', `${name} ${describe(first, issues)}`, { param: name });
}

function describe(issue: ValidationIssue, all: readonly ValidationIssue[]): string {
  switch (issue.keyword) {
    case 'enum':
      return `must be one of: ${(issue.params.allowedValues as unknown[]).map(show).join(', ')}`;
    case 'const': {
      // A union of literals fails once per branch: list every allowed value.
      const allowed = all.filter((i) => i.instancePath === issue.instancePath && i.keyword === 'const').map((i) => show(i.params.allowedValue));
      return allowed.length > 1 ? `must be one of: ${allowed.join(', ')}` : `must be ${allowed[0] ?? ''}`;
    }
    case 'type':
      return `must be ${show(issue.params.type)}`;
    case 'additionalProperties':
      return `has an unknown field ${show(issue.params.additionalProperty)}`;
    default:
      return issue.message ?? 'is invalid';
  }
}
