/**
 * The API benchmark's data set, generated set-based in PostgreSQL (a million findings in seconds,
 * not a million inserts): projects with uneven shares of the images, two enterprise projects,
 * every image type, a long-tailed number of findings per image (a few images with thousands, most
 * with tens, 15% clean), findings shared by images built on the same base, the same manifest
 * referenced from two projects, first/last sightings per image, ~8% of each project's findings
 * handled (a fifth of them as false positives) and a path whitelist per project.
 */
import { sql } from 'kysely';
import { SENSITIVE_CATALOG, SENSITIVE_KEYS } from '../../src/detect/sensitive/catalog.js';
import type { Store } from '../../src/store/open-store.js';
import { createToken, ensureProject } from '../../src/store/projects-repo.js';

export interface SeedSize {
  images: number;
  findings: number;
}

/** What the load generator needs to address one image on both surfaces. */
export interface SeededImage {
  id: string;
  projectId: string;
  enterpriseProjectId: string;
  imageType: string;
  namespace: string;
  imageName: string;
  imageVersion: string;
  findings: number;
}

export interface SeededData {
  images: SeededImage[];
  /** Project id → a token of that project. */
  tokens: Map<string, string>;
  keys: readonly string[];
  counts: { images: number; manifests: number; findings: number; sightings: number; handled: number; whitelist: number };
  seconds: number;
}

/** Project shares of the images, in percent (cumulative bounds below). */
const PROJECTS = [
  { id: 'bench-p0', upTo: 40 },
  { id: 'bench-p1', upTo: 65 },
  { id: 'bench-p2', upTo: 85 },
  { id: 'bench-p3', upTo: 95 },
  { id: 'bench-p4', upTo: 100 },
];

/** Where secrets are found in real images; `#` becomes a package or service number. */
const PATH_TEMPLATES = [
  'app/.env',
  'root/.ssh/id_rsa',
  'etc/ssl/private/server-#.key',
  'home/app/.aws/credentials',
  'usr/src/app/config/settings_#.py',
  'opt/app/node_modules/pkg-#/test/fixtures/key.pem',
  'root/.docker/config.json',
  'var/lib/app/secrets-#.yaml',
  'usr/local/lib/python3.11/site-packages/pkg_#/tests/data/cert.pem',
  'root/.git-credentials',
  'home/node/.npmrc',
  'etc/app/application-#.properties',
  'usr/share/doc/pkg-#/examples/id_ed25519',
  'srv/www/wp-config-#.php',
];

const WHITELIST = ['/usr/share/doc/', '/opt/app/node_modules/*/test/*'];

const DAY = 86_400_000;

export async function seedApiData(store: Store, size: SeedSize, now = Date.now()): Promise<SeededData> {
  const start = Date.now();
  const db = store.db;
  const manifests = Math.round(size.images * 0.9);
  const severities = SENSITIVE_KEYS.map((k) => SENSITIVE_CATALOG.get(k)!.severity);
  const projectCase = sql.raw(`CASE ${PROJECTS.map((p) => `WHEN (g * 31) % 100 < ${p.upTo} THEN '${p.id}'`).join(' ')} END`);

  for (const p of PROJECTS) await ensureProject(store, p.id, p.id, now);
  await sql`SELECT setseed(0.42)`.execute(db);

  await sql`
    INSERT INTO manifests (digest, config_digest, size, platform, os_family, os_version, analyzed_at, inventory)
    SELECT 'sha256:' || encode(sha256(('manifest:' || m)::bytea), 'hex'), 'sha256:' || encode(sha256(('config:' || m)::bytea), 'hex'),
           50000000 + (m * 7919) % 900000000, 'linux/amd64', 'debian', '12', ${sql.lit(now - 30 * DAY)}, '{}'::jsonb
    FROM generate_series(0::int8, ${sql.lit(manifests - 1)}) m`.execute(db);

  await sql`
    INSERT INTO registries (id, project_id, enterprise_project_id, name, type, protocol, addr, created_at, updated_at)
    SELECT 'reg-' || p, p, '0', 'harbor-' || p, 'Harbor', 'https', 'harbor.' || p || '.example', ${sql.lit(now)}, ${sql.lit(now)}
    FROM unnest(${sql.val(PROJECTS.map((p) => p.id))}::text[]) p`.execute(db);

  // Images 0..manifests-1 have their own manifest; the rest reference an existing one from another project.
  await sql`
    INSERT INTO images (id, project_id, enterprise_project_id, registry_id, image_type, namespace, image_name, image_version, reference, digest, size,
                        scan_status, latest_scan_time, latest_sync_time, created_at)
    SELECT md5('image:' || g)::uuid::text, t.project, CASE WHEN (g * 17) % 10 < 2 THEN 'ep-prod' ELSE '0' END,
           CASE WHEN t.type = 'cicd' THEN NULL ELSE 'reg-' || t.project END, t.type,
           'team-' || ((g / 7) % 40), 'svc-' || (g / 7), '1.' || (g % 7) || '.0', 'harbor.example/team/svc:' || g,
           'sha256:' || encode(sha256(('manifest:' || (CASE WHEN g < ${sql.lit(manifests)} THEN g ELSE (g * 13) % ${sql.lit(manifests)} END))::bytea), 'hex'),
           50000000 + (g * 7919) % 900000000, 'success', ${sql.lit(now)} - ((g * 104729) % ${sql.lit(30 * DAY)}), ${sql.lit(now)} - ${sql.lit(DAY)}, ${sql.lit(now - 60 * DAY)}
    FROM generate_series(0::int8, ${sql.lit(size.images - 1)}) g,
         LATERAL (SELECT ${projectCase} AS project,
                         (ARRAY['cicd', 'harbor', 'harbor', 'harbor', 'harbor', 'private_image', 'private_image', 'private_image', 'private_image', 'shared_image'])[1 + (g * 7) % 10] AS type) t`.execute(db);

  // Findings: manifest m = a permutation of floor(0.85·M·u²) (long tail, 15% clean); the first six
  // findings of a manifest come from its base image (one of 60) and are shared by every image on it.
  await sql`
    WITH draws AS (
      SELECT g, ((floor(0.85 * ${sql.lit(manifests)} * power(random(), 2))::int8 * 7919) % ${sql.lit(manifests)}) AS m FROM generate_series(1::int8, ${sql.lit(size.findings)}) g
    ), numbered AS (
      SELECT g, m, row_number() OVER (PARTITION BY m ORDER BY g) AS ord FROM draws
    ), seeded AS (
      SELECT m, ord, CASE WHEN ord <= 6 THEN 'base:' || (m % 60) || ':' || ord ELSE 'f:' || g END AS s FROM numbered
    ), shaped AS (
      SELECT m, ord, s, (hashtext(s)::int8 & 2147483647) / 2147483648.0 AS u, hashtext(s || ':path') & 2147483647 AS ph FROM seeded
    )
    INSERT INTO sensitive_findings (manifest_digest, fingerprint, key, severity, path, layer_digest, layer_diff_id, md5, line, masked, visible)
    SELECT 'sha256:' || encode(sha256(('manifest:' || m)::bytea), 'hex'), md5(s), k.key, k.severity,
           replace((${sql.val(PATH_TEMPLATES)}::text[])[1 + ph % ${sql.lit(PATH_TEMPLATES.length)}], '#', (ph / 16 % 5000)::text),
           'sha256:' || md5(CASE WHEN ord <= 6 THEN 'base-layer:' || (m % 60) ELSE 'layer:' || m || ':' || (ph % 4) END) || md5('pad'),
           'sha256:' || md5('diff:' || m || ':' || (ph % 4)) || md5('pad'),
           md5('content:' || s), 1 + ph % 200, left(md5(s), 4) || '****' || right(md5(s), 2), true
    FROM shaped,
         LATERAL (SELECT (${sql.val([...SENSITIVE_KEYS])}::text[])[1 + floor(${sql.lit(SENSITIVE_KEYS.length)} * u * u)::int] AS key,
                         (${sql.val(severities)}::text[])[1 + floor(${sql.lit(SENSITIVE_KEYS.length)} * u * u)::int] AS severity) k`.execute(db);

  await sql`
    INSERT INTO finding_sightings (image_id, kind, fingerprint, first_seen, last_seen)
    SELECT i.id, 'sensitive', s.fingerprint, i.latest_scan_time - (hashtext(s.fingerprint) & 1023)::int8 * 3600000, i.latest_scan_time
    FROM images i JOIN sensitive_findings s ON s.manifest_digest = i.digest`.execute(db);

  await sql`
    INSERT INTO finding_states (project_id, kind, fingerprint, state, remark, operated_at)
    SELECT DISTINCT ON (i.project_id, s.fingerprint) i.project_id, 'sensitive', s.fingerprint,
           CASE WHEN hashtext(s.fingerprint) % 5 = 0 THEN 'false_positive' ELSE 'ignored' END, 'bench', ${sql.lit(now - DAY)}
    FROM images i JOIN sensitive_findings s ON s.manifest_digest = i.digest
    WHERE (hashtext(s.fingerprint || i.project_id) & 1023) < 82`.execute(db);

  await sql`
    INSERT INTO sensitive_path_whitelist (project_id, path, created_at)
    SELECT p, w, ${sql.lit(now)} FROM unnest(${sql.val(PROJECTS.map((p) => p.id))}::text[]) p, unnest(${sql.val(WHITELIST)}::text[]) w`.execute(db);

  // A live store is vacuumed by autovacuum after such inserts; index-only scans need the visibility map it sets.
  await sql`VACUUM ANALYZE`.execute(db);

  const images = (
    await sql<{ id: string; project_id: string; enterprise_project_id: string; image_type: string; namespace: string; image_name: string; image_version: string; n: number }>`
      SELECT i.id, i.project_id, i.enterprise_project_id, i.image_type, i.namespace, i.image_name, i.image_version,
             (SELECT count(*) FROM sensitive_findings s WHERE s.manifest_digest = i.digest)::int8 AS n
      FROM images i ORDER BY i.id`.execute(db)
  ).rows.map((r) => ({
    id: r.id,
    projectId: r.project_id,
    enterpriseProjectId: r.enterprise_project_id,
    imageType: r.image_type,
    namespace: r.namespace,
    imageName: r.image_name,
    imageVersion: r.image_version,
    findings: Number(r.n),
  }));
  const tokens = new Map<string, string>();
  for (const p of PROJECTS) tokens.set(p.id, (await createToken(store, { projectId: p.id, description: 'api benchmark' }, now)).token);

  const [c] = (
    await sql<SeededData['counts']>`
      SELECT (SELECT count(*) FROM images)::int8 AS images, (SELECT count(*) FROM manifests)::int8 AS manifests,
             (SELECT count(*) FROM sensitive_findings)::int8 AS findings, (SELECT count(*) FROM finding_sightings)::int8 AS sightings,
             (SELECT count(*) FROM finding_states)::int8 AS handled, (SELECT count(*) FROM sensitive_path_whitelist)::int8 AS whitelist`.execute(db)
  ).rows;
  return { images, tokens, keys: SENSITIVE_KEYS, counts: c!, seconds: (Date.now() - start) / 1000 };
}
