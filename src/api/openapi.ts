/**
 * One OpenAPI 3.0 document for both surfaces at /openapi.json, and Swagger UI at /docs. HSS
 * operations come from the route schemas that also validate them; Alibaba actions all live at
 * `/` (dispatched on `Action`), so each is documented under a path `/?Action=<Name>` built from
 * the schema its dispatcher validates with. Array parameters are documented as the JSON strings
 * the SDKs send.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { OpenAPIV3 } from 'openapi-types';
import { toolVersion } from '../report/tool.js';
import { ALIBABA_VERSION, type AlibabaAction, type AlibabaActions } from './alibaba-surface.js';

const HSS_ERROR: OpenAPIV3.SchemaObject = {
  type: 'object',
  required: ['error_code', 'error_msg'],
  properties: { error_code: { type: 'string', example: 'HSS.0001' }, error_msg: { type: 'string', example: 'invalid param error: limit must be >= 10' } },
};

const ALIBABA_ERROR: OpenAPIV3.SchemaObject = {
  type: 'object',
  required: ['RequestId', 'HostId', 'Code', 'Message', 'Recommend'],
  properties: {
    RequestId: { type: 'string' },
    HostId: { type: 'string' },
    Code: { type: 'string', example: 'InvalidParameter' },
    Message: { type: 'string' },
    Recommend: { type: 'string' },
  },
};

/** JSON Schema 2020 `const` → OpenAPI 3.0 `enum`, recursively (TypeBox literals use const). */
function toOpenApi30(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toOpenApi30);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'const') out.enum = [v];
    else out[k] = toOpenApi30(v);
  }
  return out;
}

function actionOperation(action: AlibabaAction): OpenAPIV3.OperationObject {
  const props = (action.schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((action.schema as { required?: string[] }).required ?? []);
  const parameters: OpenAPIV3.ParameterObject[] = [
    { name: 'Version', in: 'query', required: true, schema: { type: 'string', enum: [ALIBABA_VERSION] } },
  ];
  for (const [name, raw] of Object.entries(props)) {
    const s = toOpenApi30(JSON.parse(JSON.stringify(raw))) as OpenAPIV3.SchemaObject;
    const structured = s.type === 'array' || s.type === 'object';
    parameters.push({
      name,
      in: 'query',
      required: required.has(name),
      ...(s.description ? { description: structured ? `${s.description} (JSON-encoded)` : s.description } : structured ? { description: 'JSON-encoded' } : {}),
      schema: structured ? { type: 'string', example: JSON.stringify(s.type === 'array' ? [] : {}) } : s,
    });
  }
  const response = action.options.response ? (toOpenApi30(JSON.parse(JSON.stringify(action.options.response))) as OpenAPIV3.SchemaObject) : { type: 'object' as const };
  return {
    // Prefixed: the vendors share some operation names (ListImageRisk…), operationIds must be unique.
    operationId: `Sas_${action.name}`,
    summary: action.options.summary ?? action.name,
    ...(action.options.description ? { description: action.options.description } : {}),
    tags: ['Alibaba Security Center'],
    parameters,
    security: [{ XAuthToken: [] }, { AlibabaSignature: [] }],
    responses: {
      200: { description: 'Success', content: { 'application/json': { schema: response } } },
      default: { $ref: '#/components/responses/AlibabaError' },
    },
  };
}

function finish(doc: OpenAPIV3.Document, actions: AlibabaActions): OpenAPIV3.Document {
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.startsWith('/v5/') || !item) continue;
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const op = item[method];
      if (op) op.responses = { ...op.responses, default: { $ref: '#/components/responses/HssError' } };
    }
  }
  for (const action of actions.list()) {
    const op = actionOperation(action);
    // The SDKs POST with everything in the query string; GET works the same.
    doc.paths[`/?Action=${action.name}`] = { post: op, get: { ...op, operationId: `Sas_${action.name}_Get` } };
  }
  return doc;
}

export async function registerOpenApi(app: FastifyInstance, actions: AlibabaActions): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Tarsier',
        version: toolVersion(),
        description:
          'Container image security service. Two compatible surfaces: Huawei Cloud HSS v5 under `/v5/{project_id}` and ' +
          `Alibaba Cloud Security Center RPC at \`/?Action=…&Version=${ALIBABA_VERSION}\`. Authenticate with \`X-Auth-Token\` ` +
          '(`tarsier token create`) or an access key (`tarsier access-key create`) and the vendor SDK signatures.',
      },
      tags: [
        { name: 'HSS', description: 'Huawei Cloud HSS v5 compatible' },
        { name: 'Alibaba Security Center', description: `Alibaba Cloud Sas ${ALIBABA_VERSION} compatible (RPC)` },
        { name: 'service', description: 'Health, readiness, metrics' },
      ],
      components: {
        securitySchemes: {
          XAuthToken: { type: 'apiKey', in: 'header', name: 'X-Auth-Token', description: 'A token from `tarsier token create`.' },
          SdkHmacSha256: {
            type: 'apiKey',
            in: 'header',
            name: 'Authorization',
            description: 'Huawei Cloud AK/SK signing: `SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<…>, Signature=<hex>` with `X-Sdk-Date` (±15 min).',
          },
          AlibabaSignature: {
            type: 'apiKey',
            in: 'header',
            name: 'Authorization',
            description:
              'Alibaba Cloud signatures: V3 `ACS3-HMAC-SHA256 Credential=<AK>,SignedHeaders=<…>,Signature=<hex>` with x-acs-date and ' +
              'x-acs-signature-nonce headers, or V1 (HMAC-SHA1) `AccessKeyId`, `Signature`, `SignatureNonce`, `Timestamp` parameters. ' +
              'Timestamps within ±15 min; each nonce once.',
          },
        },
        schemas: { HssError: HSS_ERROR, AlibabaError: ALIBABA_ERROR },
        responses: {
          HssError: { description: 'HSS error', content: { 'application/json': { schema: { $ref: '#/components/schemas/HssError' } } } },
          AlibabaError: { description: 'Alibaba error', content: { 'application/json': { schema: { $ref: '#/components/schemas/AlibabaError' } } } },
        },
      },
    },
    transformObject: (documents) => finish((documents as { openapiObject: OpenAPIV3.Document }).openapiObject, actions),
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { url: '/openapi.json', docExpansion: 'list', deepLinking: true } });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
