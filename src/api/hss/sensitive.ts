/**
 * HSS sensitive-information APIs: one image's findings (ListImageSensitive, seed contract), the
 * global list, ignore / un-ignore (ChangeSensitiveInfo) and the file-path whitelist under both
 * of its spellings. `sensitive_info_id` is the finding fingerprint, `content` the masked value,
 * `position` the layer digest; `operate_accept` is the operation the finding accepts next
 * (`ignore` while unhandled, `do_not_ignore` once ignored), as the contract's example shows.
 */
import { Type, type Static } from 'typebox';
import { notFound } from '../errors.js';
import type { HssRouter } from '../hss-surface.js';
import { describeSensitive } from '../../detect/sensitive/catalog.js';
import { DEFAULT_ALLOW_PATHS } from '../../detect/sensitive/allow.js';
import { setFindingStates } from '../../store/queries/finding-states.js';
import { listAllSensitive, listImageSensitive, sensitiveFindingVisible, type SensitiveRow } from '../../store/queries/sensitive-findings.js';
import { listWhitelistedPaths, replaceWhitelistedPaths } from '../../store/queries/sensitive-whitelist.js';
import { clip, FindingSeverity, GlobalImageType, HandleStatus, hssModule, ImageType, Limit, listOf, Offset, OptStr, paging, storedTypesOf, Str } from './common.js';

const TAGS = ['HSS Container Images: sensitive information'];

export const ImageSensitiveInfo = Type.Object({
  sensitive_info_id: Type.String({ description: 'Sensitive event ID (the finding fingerprint: same rule, path and file content).' }),
  severity: Type.String({ description: 'critical, high, medium or low.' }),
  name: Type.String({ description: 'Rule name.' }),
  description: Type.String({ description: 'Rule description.' }),
  position: Type.String({ description: 'Digest of the layer holding the file.' }),
  file_path: Type.String({ description: 'Absolute file path.' }),
  content: Type.String({ description: 'The masked value (never the secret).' }),
  latest_scan_time: Type.Integer({ description: 'Last detection time, ms.' }),
  handle_status: Type.String({ description: 'unhandled or handled.' }),
  operate_accept: Type.String({ description: 'The operation the finding accepts: ignore (unhandled) or do_not_ignore (ignored).' }),
});

function toInfo(r: SensitiveRow): Static<typeof ImageSensitiveInfo> {
  const rule = describeSensitive(r.key, 'en');
  return {
    sensitive_info_id: r.fingerprint,
    severity: r.severity,
    name: rule.name,
    description: clip(rule.description),
    position: r.layer_digest,
    file_path: r.path,
    content: r.masked,
    latest_scan_time: r.latest_scan_time ?? 0,
    handle_status: r.handled ? 'handled' : 'unhandled',
    operate_accept: r.handled ? 'do_not_ignore' : 'ignore',
  };
}

const handledOf = (s: 'handled' | 'unhandled' | undefined): boolean | undefined => (s === undefined ? undefined : s === 'handled');

const FindingFilters = {
  file_path: OptStr(0, 65535, 'File path (substring).'),
  severity: Type.Optional(FindingSeverity),
  handle_status: Type.Optional(HandleStatus),
};

const Whitelist = Type.Object({
  default_path: Type.Array(Type.String(), { description: 'Built-in paths never scanned (not editable).' }),
  customized_path: Type.Array(Type.String(), { description: 'Paths added by the project.' }),
});

/** Absolute paths or globs; no control characters. */
const WhitelistPath = Type.String({ minLength: 1, maxLength: 4096, pattern: '^/[^\\u0000-\\u001f\\u007f]*$', description: 'Absolute path or glob (* and ?; a trailing / covers the directory).' });

function registerWhitelist(hss: HssRouter, path: string, suffix: string): void {
  hss.route({
    method: 'GET',
    path,
    operationId: `ShowFilePathWhiteDetail${suffix}`,
    summary: 'The sensitive-file path whitelist',
    tags: TAGS,
    querystring: Type.Object({ file_path: OptStr(0, 65535, 'Only paths containing this text.') }),
    response: Whitelist,
    async handler({ query, scope, services }) {
      const needle = query.file_path ?? '';
      const keep = (p: string) => needle === '' || p.includes(needle);
      const customized = await listWhitelistedPaths(services.store, scope.projectId);
      return { default_path: DEFAULT_ALLOW_PATHS.map((p) => `/${p}`).filter(keep), customized_path: customized.filter(keep) };
    },
  });
  hss.route({
    method: 'POST',
    path,
    operationId: `SetFilePathWhite${suffix}`,
    summary: 'Replace the customised sensitive-file path whitelist',
    tags: TAGS,
    body: Type.Object({ customized_path: Type.Array(WhitelistPath, { maxItems: 20000 }) }),
    async handler({ body, scope, services }) {
      await replaceWhitelistedPaths(services.store, scope.projectId, body.customized_path);
    },
  });
}

export const hssSensitiveModule = hssModule('sensitive', ({ hss }) => {
  hss.route({
    method: 'GET',
    path: '/image/:image_id/sensitive',
    operationId: 'ListImageSensitive',
    summary: 'Sensitive information of one image',
    description: 'CI/CD images are named by image_type and image_id; other images by image_type, namespace, image_name and image_version.',
    tags: TAGS,
    params: Type.Object({ image_id: Str(0, 128, 'Image ID.') }),
    querystring: Type.Object({
      limit: Limit,
      offset: Offset,
      image_type: ImageType,
      namespace: OptStr(0, 65535, 'Organization.'),
      image_name: OptStr(0, 65535, 'Image name.'),
      image_version: OptStr(0, 65535, 'Image tag.'),
      ...FindingFilters,
    }),
    response: listOf(ImageSensitiveInfo),
    async handler({ params, query, scope, services }) {
      const locator = { imageType: query.image_type, imageId: params.image_id, namespace: query.namespace, imageName: query.image_name, imageVersion: query.image_version };
      const page = await listImageSensitive(services.store, scope, locator, {
        ...paging(query),
        filePath: query.file_path,
        severity: query.severity,
        handled: handledOf(query.handle_status),
      });
      return { total_num: page.total, data_list: page.rows.map(toInfo) };
    },
  });

  hss.route({
    method: 'GET',
    path: '/image/sensitive-information',
    operationId: 'ListImageSensitiveInformation',
    summary: 'Sensitive information across images (one entry per finding)',
    tags: TAGS,
    querystring: Type.Object({ image_type: GlobalImageType, limit: Limit, offset: Offset, ...FindingFilters }),
    response: listOf(ImageSensitiveInfo),
    async handler({ query, scope, services }) {
      const page = await listAllSensitive(services.store, scope, { imageTypes: storedTypesOf(query.image_type) }, {
        ...paging(query),
        filePath: query.file_path,
        severity: query.severity,
        handled: handledOf(query.handle_status),
      });
      return { total_num: page.total, data_list: page.rows.map(toInfo) };
    },
  });

  hss.route({
    method: 'POST',
    path: '/image/sensitive/operate',
    operationId: 'ChangeSensitiveInfo',
    summary: 'Ignore or un-ignore a sensitive-information finding',
    description: 'The handling state belongs to the project and the finding fingerprint: it holds for every image carrying the same finding and survives rescans.',
    tags: TAGS,
    querystring: Type.Object({ image_type: ImageType }),
    body: Type.Object({
      sensitive_info_id: Str(0, 128, 'Sensitive information ID.'),
      operate_type: Type.Optional(Type.Enum(['ignore', 'do_not_ignore'], { default: 'do_not_ignore', description: 'ignore or do_not_ignore (default).' })),
    }),
    async handler({ query, body, scope, services }) {
      if (!(await sensitiveFindingVisible(services.store, scope, { imageTypes: [query.image_type] }, body.sensitive_info_id))) throw notFound('sensitive information');
      await setFindingStates(services.store.db, {
        projectId: scope.projectId,
        kind: 'sensitive',
        fingerprints: [body.sensitive_info_id],
        state: (body.operate_type ?? 'do_not_ignore') === 'ignore' ? 'ignored' : 'unhandled',
      });
    },
  });

  registerWhitelist(hss, '/image/sensitive/filepath-whitelist', '');
  registerWhitelist(hss, '/image/sensitive/filepath_whitelist', 'Legacy');
});
