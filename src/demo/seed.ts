/**
 * First run (`npm start` = `tarsier serve --demo`): a demo project with a token, the bundled
 * advisory snapshot imported, the bundled demo images registered and queued for scanning, and
 * working curl examples for every seed endpoint printed once the scans are done.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { ServiceContext } from '../service/context.js';
import { upsertImage } from '../store/images-repo.js';
import { createToken, ensureProject } from '../store/projects-repo.js';
import { sourceStatus, importSource } from '../vulndb/advisory-store.js';
import { readFeed } from '../vulndb/read-feed.js';
import { writeDemoImages } from './demo-images.js';

export const DEMO_PROJECT = 'demo';
const SNAPSHOT_SOURCE = 'bundled:advisory-snapshot';

/** The repository's data/advisories, from src/ (tsx) and from dist/ alike. */
export function snapshotDir(): string {
  return fileURLToPath(new URL('../../data/advisories', import.meta.url));
}

export interface DemoSeed {
  token: string;
  images: Array<{ id: string; namespace: string; name: string; version: string }>;
}

export async function seedDemo(ctx: ServiceContext, log: (line: string) => void): Promise<DemoSeed> {
  await ensureProject(ctx.store, DEMO_PROJECT, 'Tarsier demo');
  const { token } = await createToken(ctx.store, { projectId: DEMO_PROJECT, description: 'demo (npm start)' });
  if (!(await sourceStatus(ctx.store)).some((s) => s.id === SNAPSHOT_SOURCE)) {
    const n = await importSource(ctx.store, { id: SNAPSHOT_SOURCE, format: 'folder', location: snapshotDir() }, readFeed(snapshotDir(), { warn: (m) => log(`demo: ${m}`) }));
    log(`demo: imported ${n} advisories from the bundled snapshot`);
  }
  const written = await writeDemoImages(join(ctx.dataDir, 'demo-images'));
  const images: DemoSeed['images'] = [];
  for (const img of written) {
    const [namespace, name] = img.repository.split('/') as [string, string];
    const id = await upsertImage(ctx.store, { projectId: DEMO_PROJECT, imageType: 'private_image', namespace, imageName: name, imageVersion: img.tag, reference: img.ref });
    await ctx.queue.enqueue('scan', { imageId: id }, { dedupeKey: id, projectId: DEMO_PROJECT });
    images.push({ id, namespace, name, version: img.tag });
  }
  return { token, images };
}

/** Waits (bounded) until the demo images are scanned, so the printed examples return findings. */
export async function waitForDemoScans(ctx: ServiceContext, seed: DemoSeed, timeoutMs = 120_000): Promise<boolean> {
  const ids = seed.images.map((i) => i.id);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const rows = await ctx.store.db.selectFrom('images').select('scan_status').where('id', 'in', ids).execute();
    if (rows.every((r) => r.scan_status === 'success' || r.scan_status === 'failed')) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

/** Curl lines for the seed endpoints, filled with values the demo data really has. */
export async function demoExamples(ctx: ServiceContext, seed: DemoSeed, base: string): Promise<string[]> {
  const debian = seed.images.find((i) => i.name === 'debian') ?? seed.images[0]!;
  const q = (params: Record<string, string>) => new URLSearchParams(params).toString();
  const digest = (await ctx.store.db.selectFrom('images').select('digest').where('id', '=', debian.id).executeTakeFirst())?.digest ?? '';
  const vuln = digest ? await ctx.store.db.selectFrom('vuln_findings').select('vuln_id').where('manifest_digest', '=', digest).where('vuln_id', 'like', 'CVE-%').orderBy('vuln_id').executeTakeFirst() : undefined;
  const rule = digest ? await ctx.store.db.selectFrom('build_risks').select('rule_id').where('manifest_digest', '=', digest).orderBy('rule_id').executeTakeFirst() : undefined;
  const secret = digest ? await ctx.store.db.selectFrom('sensitive_findings').select('key').where('manifest_digest', '=', digest).orderBy('key').executeTakeFirst() : undefined;
  const hss = `${base}/v5/${DEMO_PROJECT}`;
  const auth = `-H "X-Auth-Token: ${seed.token}"`;
  const ident = { image_type: 'private_image', namespace: debian.namespace, image_name: debian.name, image_version: debian.version };
  return [
    `# sensitive files of ${debian.namespace}/${debian.name}:${debian.version}`,
    `curl ${auth} "${hss}/image/${debian.id}/sensitive?${q(ident)}"`,
    '# baseline (system and SSH configuration) results',
    `curl ${auth} "${hss}/image/baseline/risk-configs?${q({ image_type: 'private_image', image_id: debian.id })}"`,
    `# images affected by ${vuln?.vuln_id ?? 'a vulnerability'}`,
    `curl ${auth} "${hss}/image/${vuln?.vuln_id ?? 'CVE-2021-3711'}/images"`,
    `# images with build-command risk ${rule?.rule_id ?? ''}`.trimEnd(),
    `curl ${auth} "${hss}/image/build-command-risks/images?${q({ image_type: 'registry', rule_id: rule?.rule_id ?? 'BCR-001' })}"`,
    `# Alibaba Cloud Security Center: images holding ${secret?.key ?? 'a sensitive file type'}`,
    `curl ${auth} "${base}/?${q({ Action: 'DescribeImageSensitiveFileByKey', Version: '2018-12-03', SensitiveFileKey: secret?.key ?? 'id_rsa', ScanRange: '["image"]', Lang: 'en' })}"`,
  ];
}
