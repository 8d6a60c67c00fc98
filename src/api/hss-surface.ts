/**
 * The HSS v5 surface: `/v5/{project_id}/…`. A translator declares a route with TypeBox schemas for
 * path, query and body (validated by Fastify, coerced, defaults applied, and published in the
 * OpenAPI document) and a handler that receives the validated request, the authenticated principal
 * and the tenancy scope resolved from `enterprise_project_id`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static, type TObject, type TSchema } from 'typebox';
import type { Authenticator } from './auth/authenticate.js';
import { ApiError } from './errors.js';
import { resolveScope } from './tenancy.js';
import type { ApiServices, RequestContext } from './types.js';

export const HSS_PREFIX = '/v5/:project_id';

export interface HssContext<P, Q, B> extends RequestContext {
  params: P & { project_id: string };
  query: Q;
  body: B;
}

type EmptyObject = TObject<Record<never, TSchema>>;

export interface HssRouteSpec<P extends TObject, Q extends TObject, B extends TSchema, R extends TSchema> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Under /v5/{project_id}, in Fastify syntax: `/image/:image_id/sensitive`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags?: string[];
  params?: P;
  querystring?: Q;
  body?: B;
  /** The 200 body: serialises the answer and documents it. Omit for an empty 200 (HSS mutations). */
  response?: R;
  handler: (ctx: HssContext<Static<P>, Static<Q>, Static<B>>) => Promise<Static<R> | undefined | void>;
}

/** Added to every HSS route, as HSS accepts it almost everywhere. */
export const EnterpriseProjectId = Type.String({
  minLength: 1,
  maxLength: 256,
  // Printable characters only: a NUL must be a 400 here, not an error from the database.
  pattern: '^[^\\u0000-\\u001f]+$',
  description: 'Enterprise project ID; "0" (default) is the default enterprise project, "all_granted_eps" every one the credential is granted.',
});

export const ProjectId = Type.String({ minLength: 1, maxLength: 256, description: 'Project ID (the credential\'s project).' });

/** HSS request headers besides the credential: `region` (1-128 characters) is accepted and has no effect (Tarsier has no regions). */
export const HssHeaders = Type.Object({
  region: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[^\\u0000-\\u001f]+$', description: 'Region ID (accepted for SDK compatibility; Tarsier has no regions).' })),
});

interface ObjectSchema {
  type: 'object';
  properties: Record<string, unknown>;
  required?: string[];
  [k: string]: unknown;
}

function withProperty(base: TObject | undefined, name: string, schema: TSchema, required: boolean): ObjectSchema {
  const src = (base ?? Type.Object({})) as unknown as ObjectSchema;
  const req = new Set(src.required ?? []);
  if (required) req.add(name);
  const properties = Object.hasOwn(src.properties, name) ? src.properties : { [name]: schema, ...src.properties };
  return { ...src, type: 'object', properties, ...(req.size > 0 ? { required: [...req] } : {}) };
}

export class HssRouter {
  constructor(
    private readonly app: FastifyInstance,
    private readonly deps: { auth: Authenticator; services: ApiServices },
  ) {}

  route<P extends TObject = EmptyObject, Q extends TObject = EmptyObject, B extends TSchema = TSchema, R extends TSchema = TSchema>(spec: HssRouteSpec<P, Q, B, R>): void {
    const { auth, services } = this.deps;
    this.app.route({
      method: spec.method,
      url: `${HSS_PREFIX}${spec.path}`,
      schema: {
        operationId: spec.operationId,
        summary: spec.summary,
        ...(spec.description ? { description: spec.description } : {}),
        tags: spec.tags ?? ['HSS'],
        params: withProperty(spec.params, 'project_id', ProjectId, true),
        querystring: withProperty(spec.querystring, 'enterprise_project_id', EnterpriseProjectId, false),
        headers: HssHeaders,
        ...(spec.body ? { body: spec.body } : {}),
        ...(spec.response ? { response: { 200: spec.response } } : {}),
        security: [{ XAuthToken: [] }, { SdkHmacSha256: [] }],
      },
      // Authentication before validation: an anonymous caller learns nothing about parameters.
      preValidation: async (request: FastifyRequest) => {
        const principal = await auth.hss({ method: request.method, url: request.raw.url ?? request.url, headers: request.headers, rawBody: request.rawBody });
        const projectId = (request.params as { project_id?: string }).project_id;
        if (projectId !== principal.projectId) throw new ApiError('forbidden', 'the credential is not valid for this project_id', { param: 'project_id' });
        request.principal = principal;
      },
      handler: async (request, reply) => {
        const principal = request.principal!;
        const query = request.query as Static<Q> & { enterprise_project_id?: string };
        const result = await spec.handler({
          params: request.params as Static<P> & { project_id: string },
          query,
          body: request.body as Static<B>,
          principal,
          scope: resolveScope(principal, query.enterprise_project_id),
          requestId: request.id,
          services,
          request,
          reply,
        });
        // HSS mutations answer 200 with an empty body.
        if (result === undefined) return reply.status(200).send();
        return result;
      },
    });
  }
}
