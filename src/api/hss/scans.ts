/**
 * HSS scan APIs: POST /image/batch-scan (listed images, or every image under filters, as one
 * `manual` scan task) and GET /image/tasks (task progress: 0–100, -1 stopped, -2 timed out,
 * -3 every image failed). Scans are queued through jobs/tasks.ts, one pending scan per image.
 */
import { Type, type Static } from 'typebox';
import { invalidParam, notFound } from '../errors.js';
import { createScanTask, taskProgress, type TaskProgress } from '../../jobs/tasks.js';
import { SCAN_STATUSES } from '../../store/images-repo.js';
import { visibleImageIds } from '../../store/queries/image-refs.js';
import { imagesForBatchScan, listTaskIds } from '../../store/queries/scan-tasks.js';
import { hssModule, Limit, listOf, Offset, OptStr, paging } from './common.js';

const TAGS = ['HSS Container Images: scans'];

const SCANNABLE_TYPES = ['private_image', 'shared_image', 'instance_image', 'harbor', 'jfrog'] as const;

const TASK_GROUPS: Record<'image_scan' | 'image_sync', readonly string[]> = {
  image_scan: ['manual', 'cycle'],
  image_sync: ['autoSync', 'manualSync'],
};

const ImageScanTaskInfo = Type.Object({
  task_id: Type.String(),
  task_name: Type.String(),
  begin_time: Type.Integer({ description: 'ms' }),
  end_time: Type.Optional(Type.Integer({ description: 'ms; absent while running.' })),
  task_type: Type.String({ description: 'cycle, manual, autoSync or manualSync.' }),
  image_type: Type.String({ description: 'registry' }),
  task_status: Type.Integer({ description: '0-100 progress (100 done), -1 stopped, -2 timed out, -3 every image failed.' }),
  failed_num: Type.Integer(),
  success_num: Type.Integer(),
  total_num: Type.Integer(),
  risky_num: Type.Integer({ description: 'Scanned images holding a vulnerability, secret or build-command risk.' }),
  failed_images: Type.Array(
    Type.Object({
      registry_id: Type.Optional(Type.String()),
      registry_name: Type.Optional(Type.String()),
      image_name: Type.String(),
      image_version: Type.String(),
      namespace: Type.String(),
      registry_type: Type.Optional(Type.String()),
      failed_reason: Type.String(),
    }),
  ),
});

function toTaskInfo(t: TaskProgress, visibleImages: ReadonlySet<string>): Static<typeof ImageScanTaskInfo> {
  return {
    task_id: t.task_id,
    task_name: t.task_name,
    begin_time: t.begin_time,
    ...(t.end_time !== null ? { end_time: t.end_time } : {}),
    task_type: t.task_type,
    image_type: 'registry',
    task_status: t.task_status,
    failed_num: t.failed_num,
    success_num: t.success_num,
    total_num: t.total_num,
    risky_num: t.risky_num,
    // Counts cover the whole task; names only of images this credential may see.
    failed_images: t.failed_images
      .filter((f) => visibleImages.has(f.image_id))
      .map((f) => ({
        ...(f.registry_id !== null ? { registry_id: f.registry_id } : {}),
        ...(f.registry_name !== null ? { registry_name: f.registry_name } : {}),
        image_name: f.image_name,
        image_version: f.image_version,
        namespace: f.namespace,
        ...(f.registry_type !== null ? { registry_type: f.registry_type } : {}),
        failed_reason: f.failed_reason ?? f.failed_code ?? 'unknown_error',
      })),
  };
}

export const hssScansModule = hssModule('scans', ({ hss }) => {
  hss.route({
    method: 'POST',
    path: '/image/batch-scan',
    operationId: 'BatchScanSwrImage',
    summary: 'Scan images now',
    description: 'Either image_info_list, or operate_all=true with optional filters. The scans form one manual task (see GET /image/tasks).',
    tags: TAGS,
    body: Type.Object({
      repo_type: OptStr(0, 32, 'Repository type (informational).'),
      image_type: Type.Enum([...SCANNABLE_TYPES], { description: 'private_image, shared_image, instance_image, harbor or jfrog.' }),
      image_info_list: Type.Optional(
        Type.Array(
          Type.Object({
            namespace: OptStr(0, 128, 'Organization.'),
            image_name: OptStr(1, 128, 'Image name.'),
            image_version: OptStr(1, 128, 'Image version.'),
            instance_id: OptStr(0, 128, 'SWR enterprise instance (not used).'),
            instance_url: OptStr(0, 256, 'SWR enterprise URL (not used).'),
          }),
          { maxItems: 1000 },
        ),
      ),
      operate_all: Type.Optional(Type.Boolean()),
      namespace: OptStr(0, 128, 'With operate_all: organization.'),
      image_name: OptStr(0, 128, 'With operate_all: image name (substring).'),
      image_version: OptStr(0, 128, 'With operate_all: image version.'),
      scan_status: Type.Optional(Type.Enum([...SCAN_STATUSES])),
      start_latest_scan_time: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
      end_latest_scan_time: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
    }),
    async handler({ body, scope, services }) {
      const list = body.image_info_list ?? [];
      if (body.operate_all !== true && list.length === 0) throw invalidParam('image_info_list', 'is required unless operate_all is true');
      const imageTypes = [body.image_type];
      let selected;
      if (body.operate_all === true) {
        selected = await imagesForBatchScan(services.store, scope, {
          imageTypes,
          all: {
            namespace: body.namespace === '' ? undefined : body.namespace,
            imageName: body.image_name,
            imageVersion: body.image_version === '' ? undefined : body.image_version,
            scanStatus: body.scan_status,
            scanTime: { from: body.start_latest_scan_time, to: body.end_latest_scan_time },
          },
        });
      } else {
        for (const [i, item] of list.entries()) {
          if (item.image_name === undefined) throw invalidParam(`image_info_list[${i}].image_name`, 'is required');
          if (item.image_version === undefined) throw invalidParam(`image_info_list[${i}].image_version`, 'is required');
        }
        selected = await imagesForBatchScan(services.store, scope, {
          imageTypes,
          items: list.map((x) => ({ namespace: x.namespace ?? '', imageName: x.image_name!, imageVersion: x.image_version! })),
        });
      }
      if ('missing' in selected) throw notFound(`the image of image_info_list[${selected.missing}]`);
      const n = selected.ids.length;
      await createScanTask(services, scope.projectId, selected.ids, `manual scan of ${n} image${n === 1 ? '' : 's'}`, 'manual', { enterpriseProjectId: scope.targetEnterpriseProject });
    },
  });

  hss.route({
    method: 'GET',
    path: '/image/tasks',
    operationId: 'ListImageScanTask',
    summary: 'Scan and sync tasks with their progress',
    tags: TAGS,
    querystring: Type.Object({
      global_image_type: Type.Optional(Type.Enum(['local', 'registry'], { description: 'local (Tarsier has no local-image tasks) or registry.' })),
      offset: Offset,
      limit: Limit,
      type: Type.Enum(['image_sync', 'image_scan'], { description: 'image_sync or image_scan.' }),
      task_type: Type.Optional(Type.Enum(['cycle', 'manual', 'autoSync', 'manualSync'])),
      task_name: OptStr(1, 256, 'Task name (substring).'),
      task_id: OptStr(1, 256, 'Task ID.'),
      task_status: Type.Optional(Type.Enum(['scanning', 'finished'])),
    }),
    response: listOf(ImageScanTaskInfo),
    async handler({ query, scope, services }) {
      if (query.global_image_type === 'local') return { total_num: 0, data_list: [] };
      const group = TASK_GROUPS[query.type as keyof typeof TASK_GROUPS];
      const taskTypes = query.task_type === undefined ? group : group.filter((t) => t === query.task_type);
      const page = await listTaskIds(services.store, scope, {
        ...paging(query),
        taskTypes,
        nameContains: query.task_name,
        taskId: query.task_id,
        state: query.task_status,
      });
      const tasks: TaskProgress[] = [];
      for (const id of page.rows) {
        const t = await taskProgress(services, id, { projectId: scope.projectId });
        if (t) tasks.push(t);
      }
      const visible = await visibleImageIds(services.store, scope, tasks.flatMap((t) => t.failed_images.map((f) => f.image_id)));
      return { total_num: page.total, data_list: tasks.map((t) => toTaskInfo(t, visible)) };
    },
  });
});
