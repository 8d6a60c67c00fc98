/**
 * Which scan tasks a project's listing shows, newest first. Progress itself (counts, status,
 * failed images) is computed by `taskProgress` in jobs/tasks.ts for the returned page.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Store } from '../open-store.js';
import { imageFilterSql, type VisibilityScope } from './image-refs.js';
import type { Page } from './sensitive-findings.js';

export interface TaskListQuery {
  /** Task types to include (HSS `type` image_scan / image_sync, narrowed by `task_type`). */
  taskTypes: readonly string[];
  /** Substring of the task name. */
  nameContains?: string;
  taskId?: string;
  /** scanning: neither finished nor stopped; finished: finished or stopped. */
  state?: 'scanning' | 'finished';
  offset: number;
  limit: number;
}

/** Tasks of the scope's project and enterprise projects (scan_tasks carries both, migration 007). */
export async function listTaskIds(store: Store, scope: VisibilityScope, q: TaskListQuery): Promise<Page<string>> {
  const parts: RawBuilder<SqlBool>[] = [
    scope.visible('t'),
    q.taskTypes.length === 0 ? sql<SqlBool>`false` : sql<SqlBool>`t.task_type = ANY(${sql.val([...q.taskTypes])}::text[])`,
  ];
  if (q.nameContains !== undefined && q.nameContains !== '') parts.push(sql<SqlBool>`strpos(t.name, ${q.nameContains}) > 0`);
  if (q.taskId !== undefined) parts.push(sql<SqlBool>`t.id = ${q.taskId}`);
  if (q.state === 'scanning') parts.push(sql<SqlBool>`t.finished_at IS NULL AND t.stopped_at IS NULL`);
  if (q.state === 'finished') parts.push(sql<SqlBool>`(t.finished_at IS NOT NULL OR t.stopped_at IS NOT NULL)`);
  const where = sql.join(parts, sql` AND `);
  const [count] = (await sql<{ n: number }>`SELECT count(*)::int8 AS n FROM scan_tasks t WHERE ${where}`.execute(store.db)).rows;
  const total = count?.n ?? 0;
  if (total === 0 || q.offset >= total) return { total, rows: [] };
  const rows = await sql<{ id: string }>`SELECT t.id FROM scan_tasks t WHERE ${where} ORDER BY t.created_at DESC, t.id LIMIT ${q.limit} OFFSET ${q.offset}`.execute(store.db);
  return { total, rows: rows.rows.map((r) => r.id) };
}

/**
 * Image references of the scope matching a batch-scan selection: exact (namespace, name,
 * version) triples, or every image of the types under optional filters.
 */
export type BatchSelection =
  | { imageTypes: readonly string[]; items: ReadonlyArray<{ namespace: string; imageName: string; imageVersion: string }> }
  | {
      imageTypes: readonly string[];
      all: { namespace?: string; imageName?: string; imageVersion?: string; scanStatus?: string; scanTime?: { from?: number; to?: number } };
    };

/** The selected image ids, or the index of the first listed image the scope does not hold. */
export async function imagesForBatchScan(store: Store, scope: VisibilityScope, sel: BatchSelection): Promise<{ ids: string[] } | { missing: number }> {
  if ('items' in sel) {
    const ids: string[] = [];
    for (const [index, item] of sel.items.entries()) {
      // The same tag in two registries of one type: both are scanned.
      const rows = await store.db
        .selectFrom('images as i')
        .select('i.id')
        .where(imageFilterSql('i', scope, { imageTypes: sel.imageTypes, namespace: item.namespace, imageName: item.imageName, imageVersion: item.imageVersion }))
        .execute();
      if (rows.length === 0) return { missing: index };
      ids.push(...rows.map((r) => r.id));
    }
    return { ids: [...new Set(ids)] };
  }
  const f = sel.all;
  const parts: RawBuilder<SqlBool>[] = [
    imageFilterSql('i', scope, {
      imageTypes: sel.imageTypes,
      ...(f.namespace !== undefined ? { namespace: f.namespace } : {}),
      ...(f.imageName !== undefined && f.imageName !== '' ? { imageName: f.imageName, imageNameContains: true } : {}),
      ...(f.imageVersion !== undefined ? { imageVersion: f.imageVersion } : {}),
    }),
  ];
  if (f.scanStatus !== undefined) parts.push(sql<SqlBool>`i.scan_status = ${f.scanStatus}`);
  if (f.scanTime?.from !== undefined) parts.push(sql<SqlBool>`i.latest_scan_time >= ${f.scanTime.from}`);
  if (f.scanTime?.to !== undefined) parts.push(sql<SqlBool>`i.latest_scan_time <= ${f.scanTime.to}`);
  const rows = await sql<{ id: string }>`SELECT i.id FROM images i WHERE ${sql.join(parts, sql` AND `)} ORDER BY i.id`.execute(store.db);
  return { ids: rows.rows.map((r) => r.id) };
}
