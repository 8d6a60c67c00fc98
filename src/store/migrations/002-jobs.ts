/**
 * The durable job queue and per-manifest scan locks. Claims use FOR UPDATE SKIP LOCKED; a claim is
 * a lease renewed by heartbeats, so a killed worker's job is picked up again soon after its lease
 * lapses, however long scans take. At most one pending job per (kind, dedupe_key).
 */
export const sql = `
CREATE TABLE jobs (
  id bigserial PRIMARY KEY,
  kind text NOT NULL,
  payload jsonb NOT NULL,
  dedupe_key text,
  state text NOT NULL DEFAULT 'queued',
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 3,
  run_after bigint NOT NULL,
  lease_owner text,
  lease_until bigint,
  last_error text,
  result jsonb,
  project_id text,
  task_id text,
  created_at bigint NOT NULL,
  finished_at bigint
);
CREATE UNIQUE INDEX jobs_pending_dedupe ON jobs (kind, dedupe_key) WHERE state IN ('queued', 'running') AND dedupe_key IS NOT NULL;
CREATE INDEX jobs_ready ON jobs (run_after, id) WHERE state = 'queued';
CREATE INDEX jobs_leased ON jobs (lease_until) WHERE state = 'running';
CREATE INDEX jobs_task ON jobs (task_id) WHERE task_id IS NOT NULL;

CREATE TABLE scan_locks (
  name text PRIMARY KEY,
  owner text NOT NULL,
  lease_until bigint NOT NULL
);

ALTER TABLE manifests ADD COLUMN analyzer_set text NOT NULL DEFAULT '';
`;
