/**
 * HSS registry APIs: registries CRUD (credentials sealed on write, never returned — not even the
 * user name), registry synchronisation (POST /image/synchronize) and the repository image list
 * (ListRegistryImages). Adding a registry queues its first sync, as HSS starts access at once.
 */
import { Type, type Static } from 'typebox';
import { ApiError, invalidParam, notFound } from '../errors.js';
import { isTarsierError } from '../../errors.js';
import { enqueueSync } from '../../jobs/tasks.js';
import { imageTypeForRegistry } from '../../jobs/sync-job.js';
import { FAILED_CODES, SCAN_STATUSES } from '../../store/images-repo.js';
import { manifestDigestOf } from '../../store/queries/image-refs.js';
import { findRegistryVisible, listRegistriesVisible, registriesVisible, updateRegistryVisible } from '../../store/queries/registries.js';
import { listRegistryImages } from '../../store/queries/registry-images.js';
import { createRegistry, deleteRegistry, REGISTRY_TYPES } from '../../store/registries-repo.js';
import { baselineSeverity, hssModule, Limit, listOf, Offset, OptStr, paging, Str } from './common.js';

const TAGS = ['HSS Container Images: registries'];

const RegistryInfo = Type.Object({
  id: Type.String(),
  registry_name: Type.String(),
  registry_type: Type.String({ description: REGISTRY_TYPES.join(', ') }),
  api_version: Type.Optional(Type.String()),
  protocol: Type.String(),
  registry_addr: Type.String(),
  namespace: Type.Optional(Type.String()),
  status: Type.String({ description: 'success (synced), fail (the latest sync failed) or accessing (not synced yet).' }),
  images_num: Type.Integer(),
  latest_sync_time: Type.Optional(Type.Integer({ description: 'ms' })),
});

const RegistryType = Type.Enum([...REGISTRY_TYPES], { description: 'Harbor and Jfrog use their APIs; the others are listed through the OCI distribution API.' });
const Protocol = Type.Enum(['http', 'https']);
const ApiVersion = Type.Enum(['V1', 'V2']);

const REGISTRY_IMAGE_TYPE_VALUES = ['private_image', 'shared_image', 'instance_image', 'harbor', 'jfrog'] as const;

const RegistryImagesInfo = Type.Object({
  namespace: Type.String(),
  image_name: Type.String(),
  image_id: Type.String(),
  image_digest: Type.Optional(Type.String()),
  image_version: Type.String(),
  image_type: Type.String(),
  registry_id: Type.Optional(Type.String()),
  registry_name: Type.Optional(Type.String()),
  registry_type: Type.Optional(Type.String()),
  scan_status: Type.String({ description: SCAN_STATUSES.join(', ') }),
  scan_failed_desc: Type.Optional(Type.String()),
  scan_failed_code: Type.Optional(Type.String({ description: FAILED_CODES.join(', ') })),
  image_size: Type.Optional(Type.Integer()),
  latest_scan_time: Type.Optional(Type.Integer()),
  latest_sync_time: Type.Optional(Type.Integer()),
  vul_num: Type.Integer(),
  unsafe_setting_num: Type.Integer({ description: 'Failed baseline check items.' }),
  severity_level: Type.Optional(Type.String({ description: 'Security, Low, Medium or High (scanned images only).' })),
});

const Ms = (description: string) => Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description }));
const SEVERITY_LEVELS: Record<string, string> = { Security: 'security', Low: 'low', Medium: 'medium', High: 'high' };

/** Store errors about a registry's fields become 400s naming the field. */
function registryInputError(err: unknown): never {
  if (isTarsierError(err) && err.code === 'usage') {
    if (/already exists/.test(err.message)) throw invalidParam('registry_name', 'already exists in this project');
    if (/registry_addr/.test(err.message)) throw invalidParam('registry_addr', 'must be host[:port]');
  }
  throw err;
}

export const hssRegistriesModule = hssModule('registries', ({ hss }) => {
  hss.route({
    method: 'GET',
    path: '/image/registries',
    operationId: 'ListRegistry',
    summary: 'Registries',
    tags: TAGS,
    querystring: Type.Object({
      offset: Offset,
      limit: Limit,
      registry_name: OptStr(1, 128, 'Registry name.'),
      registry_id: OptStr(1, 64, 'Registry ID.'),
      registry_type: OptStr(1, 256, `Registry types, comma-separated: ${REGISTRY_TYPES.join(', ')}.`),
      registry_addr: OptStr(1, 256, 'Registry address.'),
      status: Type.Optional(Type.Enum(['success', 'fail', 'accessing'])),
    }),
    response: listOf(RegistryInfo),
    async handler({ query, scope, services }) {
      let types: string[] | undefined;
      if (query.registry_type !== undefined) {
        types = query.registry_type.split(',').map((t) => t.trim());
        const bad = types.find((t) => !(REGISTRY_TYPES as readonly string[]).includes(t));
        if (bad !== undefined) throw invalidParam('registry_type', `must be a comma-separated list of: ${REGISTRY_TYPES.join(', ')}`);
      }
      const page = await listRegistriesVisible(services.store, scope, {
        ...paging(query),
        name: query.registry_name,
        id: query.registry_id,
        types,
        addr: query.registry_addr,
        status: query.status,
      });
      return {
        total_num: page.total,
        data_list: page.rows.map(
          (r): Static<typeof RegistryInfo> => ({
            id: r.id,
            registry_name: r.name,
            registry_type: r.type,
            ...(r.api_version !== null ? { api_version: r.api_version } : {}),
            protocol: r.protocol,
            registry_addr: r.addr,
            ...(r.namespace !== null ? { namespace: r.namespace } : {}),
            status: r.status,
            images_num: r.images_num,
            ...(r.last_sync_at !== null ? { latest_sync_time: r.last_sync_at } : {}),
          }),
        ),
      };
    },
  });

  hss.route({
    method: 'POST',
    path: '/image/registries',
    operationId: 'AddRegistry',
    summary: 'Add a registry (and queue its first sync)',
    description: 'connect_cluster_id and get_scan_image_channel are accepted for SDK compatibility and not used: Tarsier pulls and scans itself.',
    tags: TAGS,
    body: Type.Object({
      registry_name: Str(1, 128, 'Registry name, unique in the project.'),
      registry_type: RegistryType,
      api_version: Type.Optional(ApiVersion),
      protocol: Protocol,
      registry_addr: Str(1, 256, 'host[:port]'),
      registry_username: OptStr(0, 128, 'User name (empty: anonymous).'),
      registry_password: OptStr(0, 128, 'Password or token; stored sealed, never returned.'),
      namespace: OptStr(0, 128, 'Only this project/organisation of the registry is synced.'),
      connect_cluster_id: OptStr(0, 64, 'Not used.'),
      get_scan_image_channel: Type.Optional(Type.Enum(['Swr', 'Other'], { description: 'Not used.' })),
    }),
    async handler({ body, scope, services }) {
      const id = await createRegistry(services.store, services.box, {
        projectId: scope.projectId,
        enterpriseProjectId: scope.targetEnterpriseProject,
        name: body.registry_name,
        type: body.registry_type,
        protocol: body.protocol,
        addr: body.registry_addr,
        ...(body.namespace ? { namespace: body.namespace } : {}),
        ...(body.api_version ? { apiVersion: body.api_version } : {}),
        ...(body.registry_username ? { username: body.registry_username } : {}),
        ...(body.registry_password ? { password: body.registry_password } : {}),
      }).catch(registryInputError);
      await enqueueSync(services, scope.projectId, [id]);
    },
  });

  hss.route({
    method: 'PUT',
    path: '/image/registries/:id',
    operationId: 'UpdateRegistry',
    summary: 'Change a registry',
    description: 'An empty registry_username or registry_password clears it.',
    tags: TAGS,
    params: Type.Object({ id: Str(1, 64, 'Registry ID.') }),
    body: Type.Object({
      api_version: Type.Optional(ApiVersion),
      protocol: Type.Optional(Protocol),
      registry_addr: OptStr(1, 256, 'host[:port]'),
      registry_username: OptStr(0, 128, 'User name.'),
      registry_password: OptStr(0, 128, 'Password or token.'),
      namespace: OptStr(0, 128, 'Organisation to sync (empty: all).'),
      connect_cluster_id: OptStr(0, 64, 'Not used.'),
      get_scan_image_channel: Type.Optional(Type.Enum(['Swr', 'Other'], { description: 'Not used.' })),
    }),
    async handler({ params, body, scope, services }) {
      const updated = await updateRegistryVisible(services.store, services.box, scope, params.id, {
        protocol: body.protocol,
        addr: body.registry_addr,
        namespace: body.namespace === undefined ? undefined : body.namespace === '' ? null : body.namespace,
        apiVersion: body.api_version,
        username: body.registry_username,
        password: body.registry_password,
      }).catch(registryInputError);
      if (!updated) throw notFound('registry');
    },
  });

  hss.route({
    method: 'DELETE',
    path: '/image/registries/:id',
    operationId: 'DeleteRegistry',
    summary: 'Remove a registry and its images',
    tags: TAGS,
    params: Type.Object({ id: Str(1, 64, 'Registry ID.') }),
    async handler({ params, scope, services }) {
      const reg = await findRegistryVisible(services.store, scope, params.id);
      if (!reg || !(await deleteRegistry(services.store, scope.projectId, reg.id))) throw notFound('registry');
    },
  });

  hss.route({
    method: 'POST',
    path: '/image/synchronize',
    operationId: 'RunImageSynchronize',
    summary: 'Synchronise the image lists of the registries',
    description: 'Queues a sync of every visible registry holding images of image_type (registry: all of them); each sync records the scans it queues as a manualSync task.',
    tags: TAGS,
    body: Type.Object({
      image_type: Type.Enum([...REGISTRY_IMAGE_TYPE_VALUES, 'registry'], { description: 'Images to synchronise: private_image, shared_image, instance_image, harbor, jfrog, or registry for all.' }),
    }),
    async handler({ body, scope, services }) {
      const registries = await registriesVisible(services.store, scope);
      const ids = registries.filter((r) => body.image_type === 'registry' || imageTypeForRegistry(r.type) === body.image_type).map((r) => r.id);
      if (ids.length > 0) await enqueueSync(services, scope.projectId, ids, { taskType: 'manualSync' });
    },
  });

  hss.route({
    method: 'GET',
    path: '/image/registries/images',
    operationId: 'ListRegistryImages',
    summary: 'Repository images with their scan state',
    tags: TAGS,
    querystring: Type.Object({
      namespace: OptStr(1, 128, 'Organization.'),
      image_name: OptStr(1, 128, 'Image name (substring).'),
      image_version: OptStr(1, 64, 'Image version.'),
      registry_name: OptStr(1, 128, 'Registry name.'),
      offset: Offset,
      // The SDK documents 1-200 for this list (10-200 elsewhere).
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 10, description: 'Records per page (1-200).' })),
      image_type: Type.Optional(Type.Enum([...REGISTRY_IMAGE_TYPE_VALUES])),
      sort_key: Type.Optional(Type.Enum(['latest_scan_time'])),
      sort_dir: Type.Optional(Type.Enum(['asc', 'desc'])),
      scan_status: Type.Optional(Type.Enum([...SCAN_STATUSES])),
      start_latest_scan_time: Ms('Latest scan at or after (ms).'),
      end_latest_scan_time: Ms('Latest scan at or before (ms).'),
      start_latest_sync_time: Ms('Latest sync at or after (ms).'),
      end_latest_sync_time: Ms('Latest sync at or before (ms).'),
      has_unsafe_setting: Type.Optional(Type.Boolean()),
      has_vul: Type.Optional(Type.Boolean()),
      risky: Type.Optional(Type.Boolean({ description: 'Has any finding (vulnerability, failed baseline item, sensitive information, build-command risk).' })),
      severity_level: Type.Optional(Type.Enum(Object.keys(SEVERITY_LEVELS))),
    }),
    response: listOf(RegistryImagesInfo),
    async handler({ query, scope, services }) {
      for (const [from, to, name] of [
        [query.start_latest_scan_time, query.end_latest_scan_time, 'start_latest_scan_time'],
        [query.start_latest_sync_time, query.end_latest_sync_time, 'start_latest_sync_time'],
      ] as const) {
        if (from !== undefined && to !== undefined && from > to) throw new ApiError('invalid_parameter', `${name} must not be after its end`, { param: name });
      }
      const page = await listRegistryImages(services.store, scope, {
        ...paging(query),
        imageType: query.image_type,
        namespace: query.namespace,
        imageName: query.image_name,
        imageVersion: query.image_version,
        registryName: query.registry_name,
        scanStatus: query.scan_status,
        hasVul: query.has_vul,
        hasUnsafeSetting: query.has_unsafe_setting,
        risky: query.risky,
        severityLevel: query.severity_level === undefined ? undefined : SEVERITY_LEVELS[query.severity_level],
        scanTime: { from: query.start_latest_scan_time, to: query.end_latest_scan_time },
        syncTime: { from: query.start_latest_sync_time, to: query.end_latest_sync_time },
        sortDir: query.sort_key === undefined ? undefined : (query.sort_dir ?? 'asc'),
      });
      return {
        total_num: page.total,
        data_list: page.rows.map(
          (r): Static<typeof RegistryImagesInfo> => ({
            namespace: r.namespace,
            image_name: r.image_name,
            image_id: r.image_id,
            ...(r.digest !== null ? { image_digest: manifestDigestOf(r.digest) } : {}),
            image_version: r.image_version,
            image_type: r.image_type,
            ...(r.registry_id !== null ? { registry_id: r.registry_id } : {}),
            ...(r.registry_name !== null ? { registry_name: r.registry_name } : {}),
            ...(r.registry_type !== null ? { registry_type: r.registry_type } : {}),
            scan_status: r.scan_status,
            ...(r.failed_reason !== null ? { scan_failed_desc: r.failed_reason } : {}),
            ...(r.failed_code !== null ? { scan_failed_code: r.failed_code } : {}),
            ...(r.size !== null ? { image_size: r.size } : {}),
            ...(r.latest_scan_time !== null ? { latest_scan_time: r.latest_scan_time } : {}),
            ...(r.latest_sync_time !== null ? { latest_sync_time: r.latest_sync_time } : {}),
            vul_num: r.vul_num,
            unsafe_setting_num: r.unsafe_setting_num,
            ...(r.severity_level !== null ? { severity_level: baselineSeverity(r.severity_level) } : {}),
          }),
        ),
      };
    },
  });
});
