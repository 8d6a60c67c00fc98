/**
 * The sensitive endpoints' statements use their indexes on PostgreSQL at a realistic size (the
 * planner only prefers indexes once tables are big): HSS per image reads the image's findings by
 * the primary key, DescribeImageSensitiveFileByKey across a project reads one key's findings from
 * the covering index of migration 010 without touching the table.
 */
import { sql, type CompiledQuery, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantScope } from '../../src/api/tenancy.js';
import type { Database } from '../../src/store/schema.js';
import type { Store } from '../../src/store/open-store.js';
import { listSensitiveFiles } from '../../src/store/queries/alibaba-sensitive.js';
import { listImageSensitive } from '../../src/store/queries/sensitive-findings.js';
import { ensureProject } from '../../src/store/projects-repo.js';
import { backends } from '../helpers/stores.js';

const backend = backends.find((b) => b.name === 'postgres')!;

/** The store's Kysely, recording every statement it compiles. */
function recording(db: Kysely<Database>): { db: Kysely<Database>; statements: CompiledQuery[] } {
  const statements: CompiledQuery[] = [];
  const wrapped = db.withPlugin({
    transformQuery: ({ node, queryId }) => {
      statements.push(db.getExecutor().compileQuery(node, queryId));
      return node;
    },
    transformResult: async ({ result }) => result,
  });
  return { db: wrapped, statements };
}

describe('sensitive query plans on PostgreSQL', () => {
  let handle: Awaited<ReturnType<typeof backend.create>>;
  let store: Store;
  const explain = async (q: CompiledQuery) => (await store.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${q.sql}`, [...q.parameters])).map((r) => r['QUERY PLAN']).join('\n');

  beforeAll(async () => {
    handle = await backend.create();
    store = handle.store;
    await ensureProject(store, 'p1');
    await ensureProject(store, 'p2');
    // 2,000 images over 1,800 manifests, 200,000 findings of 40 keys.
    await sql`INSERT INTO manifests (digest, config_digest, size, platform, analyzed_at, inventory)
      SELECT 'sha256:m' || m, 'sha256:c' || m, 1, 'linux/amd64', 0, '{}'::jsonb FROM generate_series(0, 1799) m`.execute(store.db);
    await sql`INSERT INTO images (id, project_id, enterprise_project_id, image_type, namespace, image_name, image_version, reference, digest, created_at)
      SELECT 'img-' || g, CASE WHEN g % 3 = 0 THEN 'p2' ELSE 'p1' END, '0', 'harbor', 'team', 'svc-' || g, '1', 'r', 'sha256:m' || (g % 1800), 0
      FROM generate_series(0, 1999) g`.execute(store.db);
    await sql`INSERT INTO sensitive_findings (manifest_digest, fingerprint, key, severity, path, layer_digest, layer_diff_id, md5, masked, visible)
      SELECT 'sha256:m' || (g % 1800), md5('f' || g), 'key_' || (g % 40), 'high', 'app/conf-' || g || '.env', 'sha256:l', 'sha256:d', md5('c' || g), 'ab****', true
      FROM generate_series(1, 200000) g`.execute(store.db);
    await store.exec('VACUUM ANALYZE');
  }, 120_000);
  afterAll(async () => handle?.dispose());

  it('DescribeImageSensitiveFileByKey across a project: an index-only scan of sensitive_findings_key_cover', async () => {
    const r = recording(store.db);
    const page = await listSensitiveFiles({ ...store, db: r.db }, { projectId: 'p1' }, { key: 'key_7' }, { limit: 20, offset: 0 });
    expect(page.total).toBeGreaterThan(3000);
    const plan = await explain(r.statements.at(-1)!);
    expect(plan, plan).toMatch(/Index Only Scan using sensitive_findings_key_cover on sensitive_findings/);
    expect(plan, plan).not.toMatch(/Seq Scan on sensitive_findings/);
  });

  it('HSS per image: one statement reading the image by its identity index and its findings by the primary key', async () => {
    const r = recording(store.db);
    const scope = new TenantScope('p1', undefined, '0');
    const page = await listImageSensitive({ ...store, db: r.db }, scope, { imageType: 'harbor', imageId: 'img-7', namespace: 'team', imageName: 'svc-7', imageVersion: '1' }, { limit: 10, offset: 0 });
    expect(page.total).toBeGreaterThan(100);
    // Kysely hands a raw statement to plugins once when compiling and once when executing it.
    // Plugins also see the image lookup when it is compiled into the statement: every recorded
    // query is part of the last one, so there was one round trip.
    const statement = r.statements.at(-1)!;
    for (const q of r.statements) expect(statement.sql).toContain(q.sql.trim());
    const plan = await explain(statement);
    expect(plan, plan).toMatch(/sensitive_findings_pkey/);
    expect(plan, plan).not.toMatch(/Seq Scan on (sensitive_findings|images)/);
  });
});
