/** Row types of the tables in migrations/, for Kysely's typed queries. Keep in step with the SQL. */
import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { Inventory } from '../analysis/inventory.js';
import type { OsInfo } from '../analysis/types.js';

/** jsonb columns: objects in, objects out (both drivers parse jsonb). */
type Json<T extends object | null> = JSONColumnType<T, string, string>;

export interface ProjectsTable {
  id: string;
  name: string;
  created_at: number;
}

export interface ApiTokensTable {
  id: string;
  project_id: string;
  token_hash: string;
  enterprise_projects: Generated<string[]>;
  description: string | null;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
}

export interface AccessKeysTable {
  access_key_id: string;
  project_id: string;
  secret_enc: string;
  created_at: number;
  revoked_at: number | null;
  /** 003: empty = every enterprise project of the project. */
  enterprise_projects: Generated<string[]>;
  description: string | null;
  last_used_at: number | null;
}

export interface RequestNoncesTable {
  nonce: string;
  seen_at: number;
}

export interface ManifestsTable {
  digest: string;
  config_digest: string;
  size: number;
  platform: string;
  os_family: string | null;
  os_version: string | null;
  analyzed_at: number;
  inventory: Json<Inventory>;
  os: Json<OsInfo> | null;
  /** Fingerprint of the analyzers and rule sets that produced this analysis (rescans skip when equal). */
  analyzer_set: Generated<string>;
}

export interface LayersTable {
  diff_id: string;
  digest: string;
  size: number;
}

export interface ManifestLayersTable {
  manifest_digest: string;
  position: number;
  diff_id: string;
  created_by: string | null;
}

export interface ManifestPackagesTable {
  manifest_digest: string;
  ordinal: number;
  type: string;
  name: string;
  version: string;
  source: string | null;
  source_version: string | null;
  arch: string | null;
  layer_diff_id: string;
  path: string;
  purl: string;
  evidence: string | null;
  epoch: number | null;
  modularity_label: string | null;
}

export interface VulnFindingsTable {
  manifest_digest: string;
  vuln_id: string;
  aliases: ColumnType<string[], string[] | undefined, string[]>;
  package_type: string;
  package_name: string;
  installed_version: string;
  fixed_version: string | null;
  status: string;
  severity: string;
  cvss_score: number | null;
  title: string | null;
  source: string;
  layer_diff_id: string | null;
  package_path: string | null;
  solution: string | null;
  url: string | null;
}

export interface SensitiveFindingsTable {
  manifest_digest: string;
  fingerprint: string;
  key: string;
  severity: string;
  path: string;
  layer_digest: string;
  layer_diff_id: string;
  md5: string;
  line: number | null;
  masked: string;
  visible: boolean;
}

export interface BaselineRuleRow {
  id: string;
  title: string;
  severity: string;
  status: 'passed' | 'failed';
  [extra: string]: unknown;
}

export interface BaselineResultsTable {
  manifest_digest: string;
  check_name: string;
  check_type: string;
  standard: string;
  check_type_desc: string;
  check_rule_num: number;
  failed_rule_num: number;
  severity: string;
  rules: Json<BaselineRuleRow[]>;
}

export interface BuildRisksTable {
  manifest_digest: string;
  rule_id: string;
  ordinal: number;
  name: string;
  severity: string;
  build_instruction: string;
  remediation: string;
  layer_diff_id: string | null;
}

export interface RegistriesTable {
  id: string;
  project_id: string;
  enterprise_project_id: Generated<string>;
  name: string;
  type: string;
  protocol: string;
  addr: string;
  namespace: string | null;
  api_version: string | null;
  username_enc: string | null;
  password_enc: string | null;
  created_at: number;
  updated_at: number;
  last_sync_at: number | null;
}

export interface ImagesTable {
  id: string;
  project_id: string;
  enterprise_project_id: Generated<string>;
  registry_id: string | null;
  image_type: string;
  namespace: Generated<string>;
  image_name: string;
  image_version: string;
  reference: string;
  digest: string | null;
  size: number | null;
  scan_status: Generated<string>;
  failed_code: string | null;
  failed_reason: string | null;
  latest_scan_time: number | null;
  latest_sync_time: number | null;
  created_at: number;
  /** Digest a registry sync last saw behind the tag (migration 004). */
  tag_digest: ColumnType<string | null, string | null | undefined, string | null>;
  /** The tag digest the last successful scan covered (migration 004). */
  scanned_tag_digest: ColumnType<string | null, string | null | undefined, string | null>;
  /** This reference's signature verdict (BCR-021): null while no lookup answered (migration 012). */
  signed: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
  /** When a lookup last answered for this reference (migration 012). */
  signature_checked_at: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface FindingStatesTable {
  project_id: string;
  kind: string;
  fingerprint: string;
  state: string;
  remark: string | null;
  operated_at: number;
}

export interface FindingSightingsTable {
  image_id: string;
  kind: string;
  fingerprint: string;
  first_seen: number;
  last_seen: number;
}

export interface SensitivePathWhitelistTable {
  project_id: string;
  path: string;
  created_at: number;
}

export interface ScanTasksTable {
  id: string;
  project_id: string;
  name: string;
  task_type: string;
  created_at: number;
  finished_at: number | null;
  /** Set when the task was stopped (migration 004). */
  stopped_at: ColumnType<number | null, number | null | undefined, number | null>;
  /** HSS enterprise project the task belongs to (migration 007). */
  enterprise_project_id: Generated<string>;
}

export interface ScanTaskImagesTable {
  task_id: string;
  image_id: string;
  state: Generated<string>;
  failed_code: string | null;
  /** When the reference was deleted; the row stays as task history (migration 013). */
  removed_at: ColumnType<number | null, number | null | undefined, number | null>;
  /** What the task listing shows of a deleted reference (migration 013). */
  removed_image: ColumnType<RemovedTaskImage | null, string | null | undefined, string | null>;
}

export interface RemovedTaskImage {
  registry_id: string | null;
  registry_name: string | null;
  registry_type: string | null;
  namespace: string;
  image_name: string;
  image_version: string;
  failed_reason: string | null;
  risky: boolean;
}

export interface GcMarksTable {
  /** A manifest no reference pointed to when garbage collection last looked (migration 011). */
  manifest_digest: string;
  marked_at: number;
}

export interface JobsTable {
  id: Generated<number>;
  kind: string;
  payload: Json<Record<string, unknown>>;
  dedupe_key: string | null;
  state: Generated<'queued' | 'running' | 'done' | 'failed'>;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  run_after: number;
  lease_owner: string | null;
  lease_until: number | null;
  last_error: string | null;
  result: Json<Record<string, unknown>> | null;
  project_id: string | null;
  task_id: string | null;
  created_at: number;
  finished_at: number | null;
}

export interface ScanLocksTable {
  name: string;
  owner: string;
  lease_until: number;
}

export interface AdvisorySourcesTable {
  id: string;
  format: string;
  location: string;
  etag: string | null;
  last_modified: string | null;
  updated_at: number;
  record_count: number;
}

export interface AdvisoriesTable {
  pk: Generated<number>;
  source_id: string;
  id: string;
  aliases: ColumnType<string[], string[] | undefined, string[]>;
  /** The Advisory as JSON text (migration 006). */
  record: string;
}

export interface AdvisoryPackagesTable {
  advisory_pk: number;
  namespace: string;
  name: string;
}

export interface LayerFactsTable {
  /** `<diffID>@<blob digest>` (migration 009). */
  layer_key: string;
  /** `<walker version>/<analyzer name>@<analyzer version>`. */
  analyzer: string;
  /** AnalyzerLayerResult as JSON text. */
  result: string;
  created_at: number;
}

export interface Database {
  gc_marks: GcMarksTable;
  layer_facts: LayerFactsTable;
  advisory_sources: AdvisorySourcesTable;
  advisories: AdvisoriesTable;
  advisory_packages: AdvisoryPackagesTable;
  jobs: JobsTable;
  scan_locks: ScanLocksTable;
  projects: ProjectsTable;
  api_tokens: ApiTokensTable;
  access_keys: AccessKeysTable;
  request_nonces: RequestNoncesTable;
  manifests: ManifestsTable;
  layers: LayersTable;
  manifest_layers: ManifestLayersTable;
  manifest_packages: ManifestPackagesTable;
  vuln_findings: VulnFindingsTable;
  sensitive_findings: SensitiveFindingsTable;
  baseline_results: BaselineResultsTable;
  build_risks: BuildRisksTable;
  registries: RegistriesTable;
  images: ImagesTable;
  finding_states: FindingStatesTable;
  finding_sightings: FindingSightingsTable;
  sensitive_path_whitelist: SensitivePathWhitelistTable;
  scan_tasks: ScanTasksTable;
  scan_task_images: ScanTaskImagesTable;
}
