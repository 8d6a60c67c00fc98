/**
 * Core schema. Analysis is content-addressed (manifests, layers, packages, findings keyed by
 * manifest digest) and shared by every tenant; what a tenant sees is decided by its image
 * references. Handling state is an overlay per project keyed by a finding fingerprint, so it
 * survives rescans. Times are epoch milliseconds (bigint), as the HSS API returns them.
 */
export const sql = `
CREATE TABLE projects (
  id text PRIMARY KEY,
  name text NOT NULL,
  created_at bigint NOT NULL
);

CREATE TABLE api_tokens (
  id text PRIMARY KEY,
  project_id text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE,
  -- empty = every enterprise project of the project
  enterprise_projects text[] NOT NULL DEFAULT '{}',
  description text,
  created_at bigint NOT NULL,
  expires_at bigint,
  revoked_at bigint
);

CREATE TABLE access_keys (
  access_key_id text PRIMARY KEY,
  project_id text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  secret_enc text NOT NULL,
  created_at bigint NOT NULL,
  revoked_at bigint
);

CREATE TABLE request_nonces (
  nonce text PRIMARY KEY,
  seen_at bigint NOT NULL
);
CREATE INDEX request_nonces_seen_at ON request_nonces (seen_at);

CREATE TABLE manifests (
  digest text PRIMARY KEY,
  config_digest text NOT NULL,
  size bigint NOT NULL,
  platform text NOT NULL,
  os_family text,
  os_version text,
  analyzed_at bigint NOT NULL,
  inventory jsonb NOT NULL
);

CREATE TABLE layers (
  diff_id text PRIMARY KEY,
  digest text NOT NULL,
  size bigint NOT NULL
);

CREATE TABLE manifest_layers (
  manifest_digest text NOT NULL REFERENCES manifests (digest) ON DELETE CASCADE,
  position integer NOT NULL,
  diff_id text NOT NULL REFERENCES layers (diff_id),
  created_by text,
  PRIMARY KEY (manifest_digest, position)
);
CREATE INDEX manifest_layers_diff_id ON manifest_layers (diff_id);

-- The reverse index: package -> manifests. Matching and "images affected by X" read only this.
CREATE TABLE manifest_packages (
  manifest_digest text NOT NULL REFERENCES manifests (digest) ON DELETE CASCADE,
  ordinal integer NOT NULL,
  type text NOT NULL,
  name text NOT NULL,
  version text NOT NULL,
  source text,
  source_version text,
  arch text,
  layer_diff_id text NOT NULL,
  path text NOT NULL,
  purl text NOT NULL,
  PRIMARY KEY (manifest_digest, ordinal)
);
CREATE INDEX manifest_packages_name ON manifest_packages (type, name);
CREATE INDEX manifest_packages_source ON manifest_packages (type, source) WHERE source IS NOT NULL;

CREATE TABLE vuln_findings (
  manifest_digest text NOT NULL REFERENCES manifests (digest) ON DELETE CASCADE,
  vuln_id text NOT NULL,
  aliases text[] NOT NULL DEFAULT '{}',
  package_type text NOT NULL,
  package_name text NOT NULL,
  installed_version text NOT NULL,
  fixed_version text,
  status text NOT NULL,
  severity text NOT NULL,
  cvss_score real,
  title text,
  source text NOT NULL,
  layer_diff_id text,
  package_path text,
  solution text,
  url text,
  PRIMARY KEY (manifest_digest, vuln_id, package_type, package_name, installed_version)
);
CREATE INDEX vuln_findings_vuln_id ON vuln_findings (vuln_id);
CREATE INDEX vuln_findings_aliases ON vuln_findings USING gin (aliases);

CREATE TABLE sensitive_findings (
  manifest_digest text NOT NULL REFERENCES manifests (digest) ON DELETE CASCADE,
  fingerprint text NOT NULL,
  key text NOT NULL,
  severity text NOT NULL,
  path text NOT NULL,
  layer_digest text NOT NULL,
  layer_diff_id text NOT NULL,
  md5 text NOT NULL,
  line integer,
  masked text NOT NULL,
  visible boolean NOT NULL,
  PRIMARY KEY (manifest_digest, fingerprint)
);
CREATE INDEX sensitive_findings_key ON sensitive_findings (key);

CREATE TABLE baseline_results (
  manifest_digest text NOT NULL REFERENCES manifests (digest) ON DELETE CASCADE,
  check_name text NOT NULL,
  check_type text NOT NULL,
  standard text NOT NULL,
  check_type_desc text NOT NULL,
  check_rule_num integer NOT NULL,
  failed_rule_num integer NOT NULL,
  severity text NOT NULL,
  rules jsonb NOT NULL,
  PRIMARY KEY (manifest_digest, check_name, check_type, standard)
);

CREATE TABLE build_risks (
  manifest_digest text NOT NULL REFERENCES manifests (digest) ON DELETE CASCADE,
  rule_id text NOT NULL,
  ordinal integer NOT NULL,
  name text NOT NULL,
  severity text NOT NULL,
  build_instruction text NOT NULL,
  remediation text NOT NULL,
  layer_diff_id text,
  PRIMARY KEY (manifest_digest, rule_id, ordinal)
);
CREATE INDEX build_risks_rule ON build_risks (rule_id);

CREATE TABLE registries (
  id text PRIMARY KEY,
  project_id text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  enterprise_project_id text NOT NULL DEFAULT '0',
  name text NOT NULL,
  type text NOT NULL,
  protocol text NOT NULL,
  addr text NOT NULL,
  namespace text,
  api_version text,
  username_enc text,
  password_enc text,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  last_sync_at bigint,
  UNIQUE (project_id, name)
);

-- A tenant's reference to an image. digest is null until the first successful resolve.
CREATE TABLE images (
  id text PRIMARY KEY,
  project_id text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  enterprise_project_id text NOT NULL DEFAULT '0',
  registry_id text REFERENCES registries (id) ON DELETE CASCADE,
  image_type text NOT NULL,
  namespace text NOT NULL DEFAULT '',
  image_name text NOT NULL,
  image_version text NOT NULL,
  reference text NOT NULL,
  digest text,
  size bigint,
  scan_status text NOT NULL DEFAULT 'unscan',
  failed_code text,
  failed_reason text,
  latest_scan_time bigint,
  latest_sync_time bigint,
  created_at bigint NOT NULL
);
CREATE UNIQUE INDEX images_identity ON images (project_id, image_type, coalesce(registry_id, ''), namespace, image_name, image_version);
CREATE INDEX images_digest ON images (digest);
CREATE INDEX images_project_name ON images (project_id, image_name);

CREATE TABLE finding_states (
  project_id text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  kind text NOT NULL,
  fingerprint text NOT NULL,
  state text NOT NULL,
  remark text,
  operated_at bigint NOT NULL,
  PRIMARY KEY (project_id, kind, fingerprint)
);

-- First and last time each finding was seen on each image reference.
CREATE TABLE finding_sightings (
  image_id text NOT NULL REFERENCES images (id) ON DELETE CASCADE,
  kind text NOT NULL,
  fingerprint text NOT NULL,
  first_seen bigint NOT NULL,
  last_seen bigint NOT NULL,
  PRIMARY KEY (image_id, kind, fingerprint)
);

CREATE TABLE sensitive_path_whitelist (
  project_id text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  path text NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (project_id, path)
);

CREATE TABLE scan_tasks (
  id text PRIMARY KEY,
  project_id text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  name text NOT NULL,
  task_type text NOT NULL,
  created_at bigint NOT NULL,
  finished_at bigint
);

CREATE TABLE scan_task_images (
  task_id text NOT NULL REFERENCES scan_tasks (id) ON DELETE CASCADE,
  image_id text NOT NULL REFERENCES images (id) ON DELETE CASCADE,
  state text NOT NULL DEFAULT 'waiting',
  failed_code text,
  PRIMARY KEY (task_id, image_id)
);
`;
