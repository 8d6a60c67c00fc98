/**
 * Scan task history outlives the references it covered. HSS `/image/tasks` reports what a task
 * did (total/success/failed/risky, failed images); a finished task's record must not change when a
 * sync later drops a deleted tag. So task images no longer cascade away with their reference: when
 * a reference is deleted, its rows in finished or stopped tasks (and its settled rows in running
 * ones) keep a snapshot of what the task listing shows — name, registry, failed reason and whether
 * it was risky, since its analysis may later be garbage-collected. A running task simply stops
 * waiting for a reference that is gone before it was scanned (the row goes, as before).
 *
 * "Risky" is judged as the live task listing judges it (jobs/tasks.ts): a vulnerability, a secret
 * outside the project's whitelisted paths (the pattern of store/queries/sensitive-whitelist.ts,
 * inlined so this migration never changes under a later edit of that module), a build-command
 * risk, or the reference's own unsigned verdict (images.signed, migration 012).
 */
export const sql = `
ALTER TABLE scan_task_images DROP CONSTRAINT IF EXISTS scan_task_images_image_id_fkey;
ALTER TABLE scan_task_images ADD COLUMN removed_at bigint;
ALTER TABLE scan_task_images ADD COLUMN removed_image jsonb;
-- The reference lookups below (and settling a scan) go by image; the PK leads with task_id.
CREATE INDEX scan_task_images_image_id ON scan_task_images (image_id);

CREATE FUNCTION images_keep_task_history() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  now_ms bigint := (extract(epoch FROM clock_timestamp()) * 1000)::bigint;
BEGIN
  DELETE FROM scan_task_images ti USING gone g, scan_tasks t
  WHERE ti.image_id = g.id AND ti.task_id = t.id AND ti.state = 'waiting'
    AND t.finished_at IS NULL AND t.stopped_at IS NULL;
  UPDATE scan_task_images ti
  SET removed_at = now_ms,
      removed_image = jsonb_build_object(
        'registry_id', g.registry_id, 'registry_name', r.name, 'registry_type', r.type,
        'namespace', g.namespace, 'image_name', g.image_name, 'image_version', g.image_version,
        'failed_reason', g.failed_reason,
        'risky', g.digest IS NOT NULL AND (
          EXISTS (SELECT 1 FROM vuln_findings v WHERE v.manifest_digest = g.digest)
          OR EXISTS (SELECT 1 FROM sensitive_findings s WHERE s.manifest_digest = g.digest
            AND NOT (('/' || s.path) LIKE ANY (ARRAY(
              SELECT replace(replace(replace(replace(replace(w.path, '\\', '\\\\'), '%', '\\%'), '_', '\\_'), '*', '%'), '?', '_')
                || CASE WHEN right(w.path, 1) = '/' THEN '%' ELSE '' END
              FROM sensitive_path_whitelist w WHERE w.project_id = g.project_id))))
          OR EXISTS (SELECT 1 FROM build_risks b WHERE b.manifest_digest = g.digest)
          OR g.signed IS FALSE))
  FROM gone g LEFT JOIN registries r ON r.id = g.registry_id
  WHERE ti.image_id = g.id AND ti.removed_at IS NULL;
  RETURN NULL;
END
$fn$;

CREATE TRIGGER images_delete_keeps_task_history AFTER DELETE ON images
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION images_keep_task_history();
`;
