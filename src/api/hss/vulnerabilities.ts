/**
 * HSS image vulnerability APIs: the repository images a vulnerability affects (ListVulRepoImage,
 * seed contract) and one image's vulnerabilities (ListImageVulnerabilities). A vulnerability is
 * named by its id or any alias (CVE, DSA, GHSA…); severities map to HSS `repair_necessity`.
 */
import { Type, type Static } from 'typebox';
import { findImage, REGISTRY_IMAGE_TYPES } from '../../store/queries/image-refs.js';
import { imagesAffectedBy } from '../../store/queries/affected-images.js';
import { listImageVulns, repairNecessity, type ImageVulnRow, type RepairNecessity } from '../../store/queries/vuln-findings.js';
import { clip, HandleStatus, hssModule, Limit, listOf, Offset, OptStr, paging, Str, Query } from './common.js';

const TAGS = ['HSS Container Images: vulnerabilities'];

/** Every stored image type: a vulnerability's images are listed whatever their origin. */
const ALL_IMAGE_TYPES = [...REGISTRY_IMAGE_TYPES, 'cicd', 'local_image'];

const REPAIR_NECESSITIES: readonly RepairNecessity[] = ['immediate_repair', 'delay_repair', 'not_needed_repair'];


const VulRepoImageInfo = Type.Object({
  namespace: Type.String({ description: 'Organization.' }),
  image_id: Type.String({ description: 'ID of the repository\'s most recently scanned affected tag.' }),
  image_name: Type.String(),
  app_name: Type.String({ description: 'Affected software.' }),
  version: Type.String({ description: 'Installed version of the affected software.' }),
  tag_count: Type.Integer({ description: 'Number of affected tags.' }),
  image_type: Type.String(),
  data_list: Type.Array(
    Type.Object({
      tag_id: Type.String({ description: 'Image ID of the tag.' }),
      tag_name: Type.String(),
      size: Type.Integer({ description: 'Image size, bytes.' }),
      app_name: Type.String(),
    }),
  ),
});

const ImageVulInfo = Type.Object({
  vul_id: Type.String(),
  repair_necessity: Type.String({ description: 'not_needed_repair when the vendor will not fix it, delay_repair when it deferred the fix; else by severity: immediate_repair (critical, high), delay_repair (medium), not_needed_repair (low, unrated).' }),
  description: Type.String(),
  position: Type.String({ description: 'Digest of the layer that introduced the package.' }),
  app_name: Type.String(),
  app_path: Type.Optional(Type.String({ description: 'Where an application package was found.' })),
  version: Type.String(),
  solution: Type.String(),
  url: Type.Optional(Type.String()),
});

function toVulInfo(r: ImageVulnRow): Static<typeof ImageVulInfo> {
  const solution = r.solution ?? (r.fixed_version ? `Upgrade ${r.package_name} to ${r.fixed_version} or later.` : '');
  return {
    vul_id: r.vuln_id,
    repair_necessity: repairNecessity(r.severity, r.status),
    description: clip(r.title ?? ''),
    position: r.layer_digest ?? '',
    app_name: r.package_name,
    ...(r.package_path ? { app_path: r.package_path } : {}),
    version: r.installed_version,
    solution,
    ...(r.url ? { url: r.url } : {}),
  };
}

export const hssVulnerabilitiesModule = hssModule('vulnerabilities', ({ hss }) => {
  hss.route({
    method: 'GET',
    path: '/image/:vul_id/images',
    operationId: 'ListVulRepoImage',
    summary: 'Images affected by a vulnerability',
    description: 'One entry per repository, affected software and installed version, listing the affected tags. vul_id is the vulnerability id or any of its aliases.',
    tags: TAGS,
    params: Type.Object({ vul_id: Str(0, 65535, 'Vulnerability ID.') }),
    querystring: Query({
      limit: Limit,
      offset: Offset,
      namespace: OptStr(0, 65535, 'Organization.'),
      image_name: OptStr(0, 65535, 'Image name (substring, ignoring case).'),
      image_id: OptStr(0, 65535, 'Image ID.'),
      app_name: OptStr(0, 65535, 'Software name.'),
    }),
    response: listOf(VulRepoImageInfo),
    async handler({ params, query, scope, services }) {
      // An empty HSS filter is no filter.
      const given = (v: string | undefined) => (v === '' ? undefined : v);
      const page = await imagesAffectedBy(services.store, scope, {
        ...paging(query),
        vulnId: params.vul_id,
        imageTypes: ALL_IMAGE_TYPES,
        namespace: given(query.namespace),
        imageName: given(query.image_name),
        imageId: given(query.image_id),
        appName: given(query.app_name),
        groupBy: 'image-app',
      });
      return {
        total_num: page.total,
        data_list: page.rows.map((g): Static<typeof VulRepoImageInfo> => {
          const app = g.app!;
          return {
            namespace: g.namespace,
            image_id: g.imageId,
            image_name: g.imageName,
            app_name: app.name,
            version: app.version,
            tag_count: g.tags.length,
            image_type: g.imageType,
            data_list: g.tags.map((t) => ({ tag_id: t.imageId, tag_name: t.tag, size: t.size ?? 0, app_name: app.name })),
          };
        }),
      };
    },
  });

  hss.route({
    method: 'GET',
    path: '/image/:image_id/vulnerabilities',
    operationId: 'ListImageVulnerabilities',
    summary: 'Vulnerabilities of one image',
    description: 'CI/CD images are named by image_type and image_id; other images by image_type, namespace, image_name and tag_name.',
    tags: TAGS,
    params: Type.Object({ image_id: Str(0, 128, 'Image ID.') }),
    querystring: Query({
      offset: Offset,
      limit: Limit,
      image_type: Type.Enum(['private_image', 'shared_image', 'instance_image', 'cicd', 'harbor', 'jfrog'], { description: 'Image type.' }),
      instance_id: OptStr(0, 128, 'SWR enterprise instance ID (Tarsier has none: never narrows the result).'),
      namespace: Str(0, 64, 'Organization.'),
      image_name: Str(0, 128, 'Image name.'),
      tag_name: Str(0, 64, 'Image tag.'),
      repair_necessity: Type.Optional(Type.Enum([...REPAIR_NECESSITIES], { description: 'immediate_repair, delay_repair or not_needed_repair.' })),
      vul_id: OptStr(0, 128, 'Vulnerability ID (substring).'),
      app_name: OptStr(0, 64, 'Software name.'),
      type: Type.Optional(Type.Enum(['linux_vul', 'app_vul'], { description: 'linux_vul (OS packages) or app_vul (application packages).' })),
      handle_status: Type.Optional(HandleStatus),
    }),
    response: listOf(ImageVulInfo),
    async handler({ params, query, scope, services }) {
      const image = await findImage(services.store, scope, {
        imageType: query.image_type,
        imageId: params.image_id,
        namespace: query.namespace,
        imageName: query.image_name,
        imageVersion: query.tag_name,
      });
      if (!image?.digest) return { total_num: 0, data_list: [] };
      const necessity = query.repair_necessity as RepairNecessity | undefined;
      const page = await listImageVulns(services.store, scope.projectId, image.digest, {
        ...paging(query),
        ...(necessity !== undefined ? { repairNecessity: necessity } : {}),
        vulnIdContains: query.vul_id,
        appName: query.app_name,
        kind: query.type === undefined ? undefined : query.type === 'linux_vul' ? 'os' : 'app',
        handled: query.handle_status === undefined ? undefined : query.handle_status === 'handled',
      });
      return { total_num: page.total, data_list: page.rows.map(toVulInfo) };
    },
  });
});
