/**
 * The Alibaba Cloud Security Center RPC surface: `GET|POST /?Action=…&Version=2018-12-03`, params in
 * the query or a form body. Translators register actions with a TypeBox schema of the action's own
 * parameters; the dispatcher decodes (JSON-string arrays, flattened lists), authenticates, validates
 * with coercion, and answers the handler's fields plus `RequestId`.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Static, TObject, TSchema } from 'typebox';
import type { Authenticator } from './auth/authenticate.js';
import { headerValue, type Pair, parsePairs, rawQuery } from './auth/encoding.js';
import { decodeActionParams } from './alibaba-params.js';
import { ApiError } from './errors.js';
import { fullScope } from './tenancy.js';
import type { ApiServices, RequestContext } from './types.js';
import { validationError, type ValidationIssue } from './validation.js';

export const ALIBABA_VERSION = '2018-12-03';

export interface AlibabaContext<P> extends RequestContext {
  params: P;
}

/** Returns the action's response fields; `RequestId` is added unless the handler sets it. */
export type AlibabaHandler<P> = (ctx: AlibabaContext<P>) => Promise<Record<string, unknown>>;

export interface AlibabaActionOptions {
  summary?: string;
  description?: string;
  /** Schema of the success body, for the OpenAPI document. */
  response?: TSchema;
}

export interface AlibabaAction {
  name: string;
  schema: TObject;
  options: AlibabaActionOptions;
  validate: ValidateFunction;
  handler: AlibabaHandler<Record<string, unknown>>;
}

// ajv-formats is CommonJS: under NodeNext its typed default import is the module object.
const addFormats = (addFormatsModule as unknown as { default: FormatsPlugin }).default;

export class AlibabaActions {
  private readonly actions = new Map<string, AlibabaAction>();
  // Coercion turns the string form of numbers and booleans into the schema's types.
  private readonly ajv = new Ajv({ coerceTypes: true, useDefaults: true, allErrors: false, strict: false });

  constructor() {
    addFormats(this.ajv);
  }

  registerAction<T extends TObject>(name: string, schema: T, handler: AlibabaHandler<Static<T>>, options: AlibabaActionOptions = {}): void {
    if (!/^[A-Z][A-Za-z0-9]{1,127}$/.test(name)) throw new Error(`Alibaba action name "${name}" is not an RPC action name`);
    if (this.actions.has(name)) throw new Error(`Alibaba action ${name} is registered twice`);
    this.actions.set(name, { name, schema, options, validate: this.ajv.compile(schema), handler: handler as AlibabaHandler<Record<string, unknown>> });
  }

  get(name: string): AlibabaAction | undefined {
    return this.actions.get(name);
  }

  list(): AlibabaAction[] {
    return [...this.actions.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}

function isForm(request: FastifyRequest): boolean {
  return (request.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}

/** Re-words a validation failure the way Alibaba phrases it. */
function alibabaValidationError(issues: readonly ValidationIssue[]): ApiError {
  const err = validationError(issues, 'params');
  const param = err.param ?? 'parameter';
  if (err.kind === 'missing_parameter') return new ApiError('missing_parameter', `The input parameter "${param}" that is mandatory for processing this request is not supplied.`, { param });
  const detail = err.message.startsWith(param) ? err.message.slice(param.length).trim() : err.message;
  return new ApiError('invalid_parameter', `The specified parameter "${param}" is not valid: ${detail}.`, { param });
}

export function installAlibabaDispatcher(app: FastifyInstance, actions: AlibabaActions, deps: { auth: Authenticator; services: ApiServices }): void {
  app.route({
    method: ['GET', 'POST'],
    url: '/',
    schema: { hide: true },
    handler: async (request, reply) => {
      const query = parsePairs(rawQuery(request.raw.url ?? '/'));
      if (!query) throw new ApiError('invalid_parameter', 'The query string is not valid percent-encoding.');
      const form = isForm(request) && request.rawBody ? parsePairs(request.rawBody.toString('utf8')) : [];
      if (!form) throw new ApiError('invalid_parameter', 'The form body is not valid percent-encoding.');
      const params: Pair[] = [...query, ...form];
      const first = (name: string): string | undefined => params.find(([k]) => k === name)?.[1];
      const actionName = first('Action') ?? headerValue(request.headers, 'x-acs-action');
      // A person opening the service root in a browser wants the documentation.
      if (actionName === undefined && request.method === 'GET' && params.length === 0) return reply.redirect('/docs');
      if (!actionName) throw new ApiError('missing_parameter', 'The input parameter "Action" that is mandatory for processing this request is not supplied.', { param: 'Action' });
      const action = actions.get(actionName);
      if (!action) throw new ApiError('route_not_found', 'Specified api is not found, please check your url and method.', { param: 'Action' });
      request.metricsRoute = `/?Action=${action.name}`;
      const version = first('Version') ?? headerValue(request.headers, 'x-acs-version');
      if (!version) throw new ApiError('missing_parameter', 'The input parameter "Version" that is mandatory for processing this request is not supplied.', { param: 'Version' });
      if (version !== ALIBABA_VERSION) throw new ApiError('invalid_parameter', `Specified parameter Version is not valid (this service speaks ${ALIBABA_VERSION}).`, { param: 'Version', aliCode: 'InvalidVersion' });

      const principal = await deps.auth.alibaba({ method: request.method, url: request.raw.url ?? '/', headers: request.headers, rawBody: request.rawBody }, params);
      const decoded = decodeActionParams(action.schema, params);
      if (!action.validate(decoded)) throw alibabaValidationError(action.validate.errors ?? []);
      const result = await action.handler({ params: decoded, principal, scope: fullScope(principal), requestId: request.id, services: deps.services, request, reply });
      return { RequestId: request.id, ...result };
    },
  });
}
