/**
 * Scan tasks belong to an enterprise project, as HSS tasks do (`GET /image/tasks` is filtered by
 * `enterprise_project_id`): a manual task takes the request's, a sync task its registry's, a
 * scheduled rescan one task per enterprise project of the images it rescans. A project has few
 * enterprise projects, so the (project_id, created_at) index still serves the listing.
 * The scheduler looks for images left `scanning` by a worker that died (a handful at most).
 */
export const sql = `
ALTER TABLE scan_tasks ADD COLUMN enterprise_project_id text NOT NULL DEFAULT '0';
CREATE INDEX images_scanning ON images (id) WHERE scan_status = 'scanning';
`;
