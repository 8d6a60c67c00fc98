/**
 * The HTTP API: one Fastify app serving the HSS v5 surface (`/v5/{project_id}/…`), the Alibaba
 * RPC surface (`/`), the OpenAPI document and docs, and health, readiness and metrics. Every
 * response carries `X-Request-Id`; every error is in the called surface's shape; bad input is a
 * 4xx that names the parameter and a handler bug is a 500 that reveals nothing.
 */
import { randomUUID } from 'node:crypto';
import { Ajv } from 'ajv';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AccessKeyResolver } from './auth/access-keys.js';
import { Authenticator, SIGNATURE_WINDOW_MS } from './auth/authenticate.js';
import { parsePairs } from './auth/encoding.js';
import { NonceLedger } from './auth/nonces.js';
import { AlibabaActions, installAlibabaDispatcher } from './alibaba-surface.js';
import { ApiError, renderAlibabaError, renderHssError, toApiError } from './errors.js';
import { HssRouter } from './hss-surface.js';
import { installIntakeRoutes, type IntakeRouteOptions } from './intake-routes.js';
import { ApiMetrics } from './metrics.js';
import { registerOpenApi } from './openapi.js';
import type { ApiModule, ApiServices, Surface } from './types.js';
import { validationError } from './validation.js';

export interface AppOptions {
  services: ApiServices;
  /** Endpoint groups to install (the translators); see src/api/modules.ts. */
  modules?: ApiModule[];
  /** Fastify/pino logger options; false (default) logs nothing. */
  logger?: FastifyServerOptions['logger'];
  /** Clock for signature windows (tests). */
  now?: () => number;
  signatureWindowMs?: number;
  bodyLimit?: number;
  /** Process-level metrics (CPU, memory, event loop); on by default. */
  processMetrics?: boolean;
  /** Mounts the CI/CD intake routes (src/api/intake-routes.ts) when set. */
  intake?: IntakeRouteOptions;
}

export interface ApiApp {
  app: FastifyInstance;
  hss: HssRouter;
  alibaba: AlibabaActions;
  metrics: ApiMetrics;
}

function surfaceOf(url: string): Surface {
  if (url.startsWith('/v5/')) return 'hss';
  if (url === '/' || url.startsWith('/?')) return 'alibaba';
  return 'service';
}

export function sendError(request: FastifyRequest, reply: FastifyReply, err: ApiError): FastifyReply {
  if (request.apiSurface === 'alibaba') {
    const { status, body } = renderAlibabaError(err, request.id, (request.hostname || 'tarsier').slice(0, 255));
    return reply.status(status).type('application/json; charset=utf-8').send(body);
  }
  const { status, body } = renderHssError(err);
  return reply.status(status).type('application/json; charset=utf-8').send(body);
}

/** Body parsers that keep the raw bytes: signatures are computed over them. */
function installBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    request.rawBody = body;
    if (body.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(body.toString('utf8'), (k, v: unknown) => (k === '__proto__' ? undefined : v)));
    } catch {
      done(new ApiError('invalid_parameter', 'the request body is not valid JSON', { param: 'body' }), undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    request.rawBody = body;
    const pairs = parsePairs(body.toString('utf8'));
    if (!pairs) return done(new ApiError('invalid_parameter', 'the form body is not valid percent-encoding', { param: 'body' }), undefined);
    const fields: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [k, v] of pairs) if (!Object.hasOwn(fields, k)) fields[k] = v;
    done(null, fields);
  });
  // Anything else is kept as bytes (signed, never interpreted); a route expecting JSON then fails validation.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    request.rawBody = body;
    done(null, undefined);
  });
}

// ajv-formats is CommonJS: under NodeNext its typed default import is the module object.
const addFormats = (addFormatsModule as unknown as { default: FormatsPlugin }).default;

/**
 * Query, path and header values are strings on the wire, so they are coerced to the schema's types
 * (`limit=10` → 10, a single value → a one-item array); JSON bodies already carry types and are not.
 */
function installValidators(app: FastifyInstance): void {
  const options = { useDefaults: true, removeAdditional: true, allErrors: false, strict: false } as const;
  const coercing = new Ajv({ ...options, coerceTypes: 'array' });
  const exact = new Ajv({ ...options, coerceTypes: false });
  addFormats(coercing);
  addFormats(exact);
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? exact : coercing).compile(schema));
}

export async function buildApp(opts: AppOptions): Promise<ApiApp> {
  const { services } = opts;
  const app = Fastify({
    logger: opts.logger ?? false,
    // Our ids, never the client's: they end up in logs and error bodies.
    genReqId: () => randomUUID().toUpperCase(),
    requestIdHeader: false,
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    // HSS ids (project 256 chars, image 128) must reach validation instead of becoming a 404.
    // Seed 003 allows a vul_id of up to 65,535 characters: longer params are refused by validation
    // (400 naming the parameter), not by the router with a bare 414.
    routerOptions: { maxParamLength: 65_536, ignoreTrailingSlash: true },
    // HSS documents X-Auth-Token up to 32,768 characters (IAM tokens are that large): Node's 16 KiB
    // header limit would answer such a request with a bare 431 before it reaches authentication.
    http: { maxHeaderSize: 64 * 1024 },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as FastifyInstance;

  installValidators(app);
  const windowMs = opts.signatureWindowMs ?? SIGNATURE_WINDOW_MS;
  const auth = new Authenticator({
    store: services.store,
    keys: new AccessKeyResolver(services.store, services.box),
    nonces: new NonceLedger(services.store, windowMs),
    windowMs,
    now: opts.now,
  });
  const metrics = new ApiMetrics(services.store, { processMetrics: opts.processMetrics });
  const alibaba = new AlibabaActions();
  const hss = new HssRouter(app, { auth, services });

  app.decorateRequest('apiSurface', 'service');
  app.decorateRequest('rawBody', undefined);
  app.decorateRequest('metricsRoute', undefined);
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request, reply) => {
    request.apiSurface = surfaceOf(request.url);
    reply.header('X-Request-Id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics.observe(request, reply);
  });
  installBodyParsers(app);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const apiError = error.validation ? validationError(error.validation, error.validationContext) : toApiError(error);
    if (apiError.kind === 'internal' || apiError.kind === 'unavailable') request.log.error({ err: error, requestId: request.id }, 'request failed');
    return sendError(request, reply, apiError);
  });
  app.setNotFoundHandler((request, reply) => sendError(request, reply, new ApiError('route_not_found', `${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`)));

  await registerOpenApi(app, alibaba);

  app.get('/healthz', { schema: { tags: ['service'], operationId: 'Healthz', summary: 'The process is up' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { tags: ['service'], operationId: 'Readyz', summary: 'The store answers' } }, async (_request, reply) => {
    try {
      await withTimeout(services.store.query('SELECT 1'), 2_000);
      return { status: 'ready' };
    } catch {
      return reply.status(503).send({ status: 'unavailable', reason: 'the store does not answer' });
    }
  });
  app.get('/metrics', { schema: { tags: ['service'], operationId: 'Metrics', summary: 'Prometheus metrics' } }, async (_request, reply) => {
    reply.type(metrics.contentType());
    return metrics.text();
  });

  if (opts.intake) await installIntakeRoutes(app, { ...opts.intake, auth, services });
  installAlibabaDispatcher(app, alibaba, { auth, services });
  for (const module of opts.modules ?? []) module.register({ hss, alibaba });
  return { app, hss, alibaba, metrics };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), ms);
    }),
  ]);
}
