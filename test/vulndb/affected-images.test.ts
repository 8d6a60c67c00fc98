/**
 * The reverse index, `imagesAffectedBy` (behind HSS ListVulRepoImage): which of a project's images
 * a vulnerability affects, by id or alias, with the HSS filters (enterprise projects, namespace,
 * fuzzy image name with LIKE wildcards taken literally, image id, software), grouped per image with
 * its tags, paged — on both backends; and the plan uses the findings' id and alias indexes and the images' digest index.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/analysis/inventory.js';
import { TenantScope } from '../../src/api/tenancy.js';
import type { ReportVulnerability } from '../../src/report/model.js';
import { saveAnalysis } from '../../src/store/analysis-repo.js';
import type { Store } from '../../src/store/open-store.js';
import { affectedImagesSql, containsPattern, imagesAffectedBy, type AffectedImagesQuery } from '../../src/store/queries/affected-images.js';
import { backends } from '../helpers/stores.js';

const M1 = `sha256:${'1'.repeat(64)}`;
const M2 = `sha256:${'2'.repeat(64)}`;
const LAYER = `sha256:${'a'.repeat(64)}`;

function inventory(digest: string): Inventory {
  return {
    artifact: { ref: digest, type: 'registry', digest, configDigest: `sha256:${'c'.repeat(64)}`, size: 1, layers: [{ digest: LAYER, diffId: LAYER, size: 1 }], platform: 'linux/amd64' },
    os: { family: 'debian', version: '10' },
    packages: [],
    files: {},
    symlinks: {},
    specialModes: [],
    sensitive: [],
    config: {},
    history: [],
    warnings: [],
  } as unknown as Inventory;
}

const vuln = (id: string, aliases: string[], packageName: string, installedVersion: string, packageType: ReportVulnerability['packageType'] = 'deb'): ReportVulnerability => ({
  id,
  aliases,
  packageName,
  packageType,
  installedVersion,
  fixedVersion: '9',
  severity: 'high',
  source: 'test',
  layerDiffId: LAYER,
});

describe.each(backends)('imagesAffectedBy on $name', (backend) => {
  let handle: Awaited<ReturnType<typeof backend.create>>;
  let store: Store;
  const ids: Record<string, string> = {};

  async function image(key: string, project: string, ep: string, type: string, namespace: string, name: string, tag: string, digest: string | null, scanned: number | null): Promise<void> {
    ids[key] = `img-${key}`;
    await store.db
      .insertInto('images')
      .values({ id: ids[key]!, project_id: project, enterprise_project_id: ep, registry_id: null, image_type: type, namespace, image_name: name, image_version: tag, reference: `${name}:${tag}`, digest, size: 1000, latest_scan_time: scanned, created_at: 0 })
      .execute();
  }

  /** The query as the project (default p1) and, when given, those enterprise projects see it. */
  type Ask = Partial<AffectedImagesQuery> & { projectId?: string; enterpriseProjects?: string[] };
  const scopeOf = ({ projectId = 'p1', enterpriseProjects }: Ask) => new TenantScope(projectId, enterpriseProjects, '0');
  const queryOf = ({ projectId: _p, enterpriseProjects: _e, ...q }: Ask): AffectedImagesQuery => ({ vulnId: 'CVE-2021-3449', offset: 0, limit: 10, ...q });
  const ask = (q: Ask) => imagesAffectedBy(store, scopeOf(q), queryOf(q));
  const names = (r: Awaited<ReturnType<typeof ask>>) => r.rows.map((g) => `${g.namespace}/${g.imageName}${g.app ? ` ${g.app.name}` : ''}`);

  beforeAll(async () => {
    handle = await backend.create();
    store = handle.store;
    await store.db.insertInto('projects').values([{ id: 'p1', name: 'one', created_at: 0 }, { id: 'p2', name: 'two', created_at: 0 }]).execute();
    await saveAnalysis(store, {
      inventory: inventory(M1),
      findings: {
        vulnerabilities: [vuln('CVE-2021-3449', ['DSA-4875-1'], 'libssl1.1', '1.1.1d-0+deb10u3'), vuln('CVE-2021-3449', ['DSA-4875-1'], 'openssl', '1.1.1d-0+deb10u3'), vuln('CVE-2021-3156', ['DSA-4839-1'], 'sudo', '1.8.27-1+deb10u2')],
        sensitive: [],
        baseline: [],
        buildRisks: [],
      },
    });
    await saveAnalysis(store, { inventory: inventory(M2), findings: { vulnerabilities: [vuln('CVE-2023-0286', [], 'libcrypto3', '3.0.7-r0', 'apk')], sensitive: [], baseline: [], buildRisks: [] } });
    await image('nginx119', 'p1', '0', 'private_image', 'library', 'nginx', '1.19', M1, 100);
    await image('nginx120', 'p1', '0', 'private_image', 'library', 'nginx', '1.20', M1, 200);
    await image('webapp', 'p1', 'ep1', 'private_image', 'team_a', 'Web_App%', 'v1', M1, 50);
    await image('api', 'p1', '0', 'cicd', '', 'build/api', 'sha-1', M2, 10);
    await image('unscanned', 'p1', '0', 'shared_image', 'library', 'nginx-alpine', 'latest', null, null);
    await image('other', 'p2', '0', 'private_image', 'library', 'nginx', '1.19', M1, 100);
  });
  afterAll(async () => handle?.dispose());

  it('finds the affected images of the project by id or alias, grouped per image with its tags', async () => {
    const byId = await ask({});
    expect(byId.total).toBe(2);
    expect(names(byId)).toEqual(['library/nginx', 'team_a/Web_App%']);
    const nginx = byId.rows[0]!;
    expect(nginx).toMatchObject({ imageType: 'private_image', registryId: null, imageId: ids.nginx120, version: '1.20' });
    expect(nginx.tags.map((t) => [t.imageId, t.tag, t.digest])).toEqual([
      [ids.nginx119, '1.19', M1],
      [ids.nginx120, '1.20', M1],
    ]);
    expect(nginx.apps).toEqual([
      { name: 'libssl1.1', type: 'deb', version: '1.1.1d-0+deb10u3' },
      { name: 'openssl', type: 'deb', version: '1.1.1d-0+deb10u3' },
    ]);
    expect(nginx.tags[0]!.apps).toEqual(nginx.apps);
    expect(await ask({ vulnId: 'DSA-4875-1' })).toEqual(byId);
    expect(await ask({ vulnId: 'CVE-2099-0001' })).toEqual({ total: 0, rows: [] });
    // another project's reference to the same manifest is never seen
    const other = await ask({ projectId: 'p2' });
    expect(other.rows.flatMap((g) => g.tags.map((t) => t.imageId))).toEqual([ids.other]);
  });

  it('filters by enterprise projects, namespace, image id, software and image type', async () => {
    expect(names(await ask({ enterpriseProjects: ['0'] }))).toEqual(['library/nginx']);
    expect(names(await ask({ enterpriseProjects: ['ep1', 'ep2'] }))).toEqual(['team_a/Web_App%']);
    expect(names(await ask({ enterpriseProjects: [] }))).toEqual([]);
    expect(names(await ask({ namespace: 'team_a' }))).toEqual(['team_a/Web_App%']);
    const one = await ask({ imageId: ids.nginx119 });
    expect(one.rows.map((g) => g.tags.map((t) => t.tag))).toEqual([['1.19']]);
    const openssl = await ask({ appName: 'openssl' });
    expect(openssl.total).toBe(2);
    expect(openssl.rows.every((g) => g.apps.length === 1 && g.apps[0]!.name === 'openssl')).toBe(true);
    expect((await ask({ imageTypes: ['cicd'] })).total).toBe(0);
    expect(names(await ask({ vulnId: 'CVE-2023-0286', imageTypes: ['cicd'] }))).toEqual(['/build/api']);
  });

  it('matches image names fuzzily, ignoring case, with % and _ taken literally', async () => {
    expect(names(await ask({ imageName: 'NGIN' }))).toEqual(['library/nginx']);
    expect(names(await ask({ imageName: 'web_app' }))).toEqual(['team_a/Web_App%']);
    expect(names(await ask({ imageName: '%' }))).toEqual(['team_a/Web_App%']);
    expect(names(await ask({ imageName: '_' }))).toEqual(['team_a/Web_App%']);
    // as wildcards these would match "nginx" and "Web_App%"
    expect(names(await ask({ imageName: 'n_inx' }))).toEqual([]);
    expect(names(await ask({ imageName: 'W%p' }))).toEqual([]);
    expect(names(await ask({ imageName: '\\' }))).toEqual([]);
    expect(containsPattern('a%b_c\\d')).toBe('%a\\%b\\_c\\\\d%');
  });

  it('pages by group and keeps the total on every page', async () => {
    expect(await ask({ limit: 1 })).toMatchObject({ total: 2, rows: [{ imageName: 'nginx' }] });
    expect(await ask({ limit: 1, offset: 1 })).toMatchObject({ total: 2, rows: [{ imageName: 'Web_App%' }] });
    expect(await ask({ offset: 5 })).toEqual({ total: 2, rows: [] });
  });

  it('groups per image, software and version as HSS lists them', async () => {
    const perApp = await ask({ groupBy: 'image-app' });
    expect(perApp.total).toBe(4);
    expect(names(perApp)).toEqual(['library/nginx libssl1.1', 'library/nginx openssl', 'team_a/Web_App% libssl1.1', 'team_a/Web_App% openssl']);
    expect(perApp.rows[1]).toMatchObject({ app: { name: 'openssl', type: 'deb', version: '1.1.1d-0+deb10u3' }, imageId: ids.nginx120, apps: [{ name: 'openssl' }] });
    expect(perApp.rows[1]!.tags.map((t) => t.tag)).toEqual(['1.19', '1.20']);
  });

  it('is answered through the id and alias indexes and the images digest index', async () => {
    // Enough rows that the planner has a choice: 3,000 manifests, 60,000 findings over 2,000
    // vulnerabilities, 40,000 image references.
    await sql`INSERT INTO manifests (digest, config_digest, size, platform, analyzed_at, inventory, analyzer_set)
      SELECT 'sha256:bulk' || g, 'c', 1, 'linux/amd64', 0, '{}'::jsonb, '' FROM generate_series(1, 3000) g`.execute(store.db);
    await sql`INSERT INTO vuln_findings (manifest_digest, vuln_id, aliases, package_type, package_name, installed_version, status, severity, source)
      SELECT 'sha256:bulk' || m, 'CVE-2030-' || v, ARRAY['GHSA-' || v], 'deb', 'pkg' || (v % 500), '1.0', 'fixed', 'high', 'bench'
      FROM generate_series(1, 3000) m, LATERAL (SELECT DISTINCT (m * 7919 + k * 104729) % 2000 AS v FROM generate_series(1, 20) k) x`.execute(store.db);
    await sql`INSERT INTO images (id, project_id, enterprise_project_id, image_type, namespace, image_name, image_version, reference, digest, created_at)
      SELECT 'bulk-' || g, 'p1', '0', 'private_image', 'org' || (g % 40), 'repo' || (g % 5000), 't' || g, 'r', 'sha256:bulk' || (1 + g % 3000), 0 FROM generate_series(1, 40000) g`.execute(store.db);
    await sql`ANALYZE`.execute(store.db);
    const plan = async (q: Ask) => {
      const compiled = affectedImagesSql(scopeOf(q), queryOf({ vulnId: 'CVE-2030-17', ...q })).compile(store.db);
      return (await store.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${compiled.sql}`, [...compiled.parameters])).map((r) => r['QUERY PLAN']).join('\n');
    };
    for (const vulnId of ['CVE-2030-17', 'GHSA-17']) {
      const text = await plan({ vulnId });
      expect(text, text).toMatch(/vuln_findings_vuln_id/);
      expect(text, text).toMatch(/vuln_findings_aliases/);
      expect(text, text).toMatch(/images_digest/);
      expect(text, text).not.toMatch(/Seq Scan on (vuln_findings|images)/);
    }
    const found = await ask({ vulnId: 'GHSA-17' });
    const direct = await store.query<{ n: number }>(
      `SELECT count(DISTINCT (i.namespace, i.image_name)) AS n FROM vuln_findings v JOIN images i ON i.digest = v.manifest_digest WHERE v.vuln_id = 'CVE-2030-17' AND i.project_id = 'p1'`,
    );
    expect(found.total).toBe(Number(direct[0]!.n));
    expect(found.total).toBeGreaterThan(5);
  });
});
