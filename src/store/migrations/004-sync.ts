/**
 * Registry sync state. `tag_digest` is the digest a sync last saw behind the tag;
 * `scanned_tag_digest` is the tag digest a successful scan covered (read when the scan began), so a
 * sync skips a tag only when the scan on record is of the digest the tag names now — even when the
 * tag moved while a scan of its old digest was running. Scan tasks can be stopped (HSS -1).
 * The scheduler looks up the latest job per (kind, dedupe key).
 */
export const sql = `
ALTER TABLE images ADD COLUMN tag_digest text;
ALTER TABLE images ADD COLUMN scanned_tag_digest text;
CREATE INDEX images_registry ON images (registry_id) WHERE registry_id IS NOT NULL;
CREATE INDEX images_rescan ON images (latest_scan_time) WHERE registry_id IS NOT NULL;

ALTER TABLE scan_tasks ADD COLUMN stopped_at bigint;
CREATE INDEX scan_tasks_project ON scan_tasks (project_id, created_at);
CREATE INDEX scan_task_images_image ON scan_task_images (image_id) WHERE state = 'waiting';

-- The scheduler asks "when was this registry / image last queued?"
CREATE INDEX jobs_kind_key_created ON jobs (kind, dedupe_key, created_at);
`;
