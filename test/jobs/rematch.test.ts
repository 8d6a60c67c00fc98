/**
 * Re-matching stored images after the advisory database changes, without reading any image: the
 * demo images are scanned once (no advisory database), their analyses saved, and the image files
 * deleted. Then the bundled snapshot is imported and a re-match finds exactly what a scan with the
 * snapshot finds; a newer advisory (a DSA in the tracker's list format) adds a finding; the same
 * advisory re-issued with a fix below the installed version takes it away again. A re-match that
 * changes nothing rewrites nothing.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/analysis/analyze-image.js';
import type { Inventory } from '../../src/analysis/inventory.js';
import { writeDemoImages } from '../../src/demo/demo-images.js';
import { buildIndex, matchInventory } from '../../src/detect/vulns/match.js';
import { openImage } from '../../src/image/open-image.js';
import { loadForMatching, rematchAll, rematchDigests } from '../../src/jobs/rematch.js';
import { scanSource } from '../../src/scan/pipeline.js';
import { loadMatchInputs, replaceVulnFindings, saveAnalysis } from '../../src/store/analysis-repo.js';
import type { Store } from '../../src/store/open-store.js';
import { readFeed } from '../../src/vulndb/read-feed.js';
import { importTargets } from '../../src/vulndb/update.js';
import type { Advisory } from '../../src/vulndb/types.js';
import { backends } from '../helpers/stores.js';

const SNAPSHOT = resolve(fileURLToPath(new URL('../../data/advisories', import.meta.url)));

/** One DSA in data/DSA/list format, for buster's bash (the demo Debian 10 image has bash 5.0-4). */
const dsa = (fixed: string) => `[01 Jan 2030] DSA-9999-1 bash - security update
\t{CVE-2030-0001}
\t[buster] - bash ${fixed}
`;

interface Finding {
  vuln_id: string;
  package_name: string;
  installed_version: string;
  fixed_version: string | null;
}

const key = (f: { id?: string; vuln_id?: string; packageName?: string; package_name?: string; installedVersion?: string; installed_version?: string }) =>
  `${f.id ?? f.vuln_id} ${f.packageName ?? f.package_name} ${f.installedVersion ?? f.installed_version}`;

describe.each(backends)('re-match on $name', (backend) => {
  let handle: Awaited<ReturnType<typeof backend.create>>;
  let store: Store;
  let work: string;
  let newer: string;
  const inventories = new Map<string, Inventory>();

  const findings = async (digest: string): Promise<Finding[]> =>
    store.db.selectFrom('vuln_findings').select(['vuln_id', 'package_name', 'installed_version', 'fixed_version']).where('manifest_digest', '=', digest).orderBy('vuln_id').orderBy('package_name').execute();
  const digestOf = (name: string) => inventories.get(name)!.artifact.digest;

  beforeAll(async () => {
    handle = await backend.create();
    store = handle.store;
    work = await mkdtemp(join(tmpdir(), 'tarsier-rematch-'));
    const images = await writeDemoImages(join(work, 'images'));
    for (const image of images.filter((i) => ['demo/debian:10', 'demo/alpine:3.18', 'demo/ubuntu:16.04'].includes(i.name))) {
      const source = await openImage(image.ref, { maxImageBytes: DEFAULT_LIMITS.maxImageBytes });
      try {
        // scanned before any advisory exists: the stored analysis has no vulnerabilities
        const { inventory, findings: found } = await scanSource(source, { cache: null, limits: DEFAULT_LIMITS, platform: 'linux/amd64', detect: { ignoreUnfixed: false } });
        expect(found.vulnerabilities).toEqual([]);
        await saveAnalysis(store, { inventory, findings: found });
        inventories.set(image.name, inventory);
      } finally {
        await source.close();
      }
    }
    // No layer can be read from here on: the images are gone.
    await rm(join(work, 'images'), { recursive: true, force: true });
    expect(existsSync(images[0]!.path)).toBe(false);
    newer = join(work, 'DSA-list');
  }, 120_000);

  afterAll(async () => {
    await handle?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('after the snapshot is imported, finds what a scan with the snapshot finds', async () => {
    const [imported] = await importTargets(store, [SNAPSHOT]);
    expect(imported?.error).toBeUndefined();
    const result = await rematchAll(store);
    expect(result.manifests).toBe(3);
    const advisories: Advisory[] = [];
    for await (const a of readFeed(SNAPSHOT)) advisories.push(a);
    const index = buildIndex(advisories);
    let total = 0;
    for (const [name, inventory] of inventories) {
      // the same matcher on the whole inventory, as a scan with the snapshot would run it
      const expected = matchInventory(inventory, index, {}).vulnerabilities;
      const stored = await findings(digestOf(name));
      expect(stored.map(key).sort(), name).toEqual([...new Set(expected.map(key))].sort());
      total += stored.length;
    }
    expect(result.findings).toBe(total);
    expect(result.changed).toBe(3);
    const deb = await findings(digestOf('demo/debian:10'));
    expect(deb.find((f) => f.vuln_id === 'CVE-2021-3449' && f.package_name === 'libssl1.1')).toMatchObject({ installed_version: '1.1.1d-0+deb10u3', fixed_version: '1.1.1d-0+deb10u6' });
    expect(deb.some((f) => f.vuln_id === 'CVE-2030-0001')).toBe(false);
  });

  it('rewrites nothing when the findings are unchanged, and rewrites a manifest whose findings another path wrote', async () => {
    const before = await findings(digestOf('demo/debian:10'));
    expect(await rematchAll(store)).toMatchObject({ manifests: 3, changed: 0 });
    expect(await findings(digestOf('demo/debian:10'))).toEqual(before);
    // a write that did not come from the re-match (here: clearing the findings) forgets the hash
    await replaceVulnFindings(store, digestOf('demo/debian:10'), []);
    expect(await rematchAll(store)).toMatchObject({ manifests: 3, changed: 1 });
    expect(await findings(digestOf('demo/debian:10'))).toEqual(before);
  });

  it('gives the matcher the rpm modularity label of a stored package', async () => {
    // an rpm package of a module stream: a re-match must judge it by the stream's fixes only
    const base = inventories.get('demo/alpine:3.18')!;
    const digest = 'sha256:' + 'e'.repeat(64);
    const pkg = { type: 'rpm' as const, name: 'nodejs', version: '1:10.24.0-1.module_el8.3.0+717+fa496f1d', modularityLabel: 'nodejs:10:8030020210304194401:30b713e6', layerDiffId: base.packages[0]!.layerDiffId, path: 'var/lib/rpm/rpmdb.sqlite', purl: 'pkg:rpm/almalinux/nodejs' };
    await saveAnalysis(store, { inventory: { ...base, artifact: { ...base.artifact, digest }, packages: [pkg] }, findings: { vulnerabilities: [], sensitive: [], baseline: [], buildRisks: [] } });
    expect((await loadMatchInputs(store, [digest])).get(digest)?.packages).toEqual([pkg]);
    // what the re-match reads: the matcher's fields only, the label among them
    expect((await loadForMatching(store, [digest])).get(digest)?.packages).toEqual([{ ...pkg, path: '', purl: '' }]);
    await store.db.deleteFrom('manifests').where('digest', '=', digest).execute();
  });

  it('gains a finding when a newer advisory for an installed package is imported', async () => {
    const before = await findings(digestOf('demo/debian:10'));
    await writeFile(newer, dsa('5.0-4+deb10u1'));
    expect((await importTargets(store, [newer]))[0]).toMatchObject({ records: 1 });
    await rematchAll(store);
    const after = await findings(digestOf('demo/debian:10'));
    // dpkg: 5.0-4 < 5.0-4+deb10u1, so the installed bash is affected
    expect(after.filter((f) => !before.some((b) => key(b) === key(f)))).toEqual([{ vuln_id: 'CVE-2030-0001', package_name: 'bash', installed_version: '5.0-4', fixed_version: '5.0-4+deb10u1' }]);
    expect(after).toHaveLength(before.length + 1);
    // an advisory for buster touches neither the Alpine nor the Ubuntu image
    expect((await findings(digestOf('demo/ubuntu:16.04'))).some((f) => f.vuln_id === 'CVE-2030-0001')).toBe(false);
  });

  it('loses it when the advisory is re-issued with a fix below the installed version', async () => {
    await writeFile(newer, dsa('5.0-3'));
    expect((await importTargets(store, [newer]))[0]).toMatchObject({ records: 1 });
    const findingsBefore = (await findings(digestOf('demo/debian:10'))).length;
    // re-match of just that image (the job rematchAll runs page by page)
    await rematchDigests(store, [digestOf('demo/debian:10')]);
    const after = await findings(digestOf('demo/debian:10'));
    expect(after.some((f) => f.vuln_id === 'CVE-2030-0001')).toBe(false);
    expect(after).toHaveLength(findingsBefore - 1);
  });

  it('clears the findings of a source that is removed from the database', async () => {
    await store.exec(`DELETE FROM advisory_packages WHERE advisory_pk IN (SELECT pk FROM advisories WHERE source_id LIKE 'path:%data/advisories'); DELETE FROM advisories WHERE source_id LIKE 'path:%data/advisories'`);
    const result = await rematchAll(store);
    // what is left: the end-of-life findings of Debian 10, Ubuntu 16.04 and Alpine 3.18
    const left = await store.query<{ vuln_id: string }>('SELECT vuln_id FROM vuln_findings ORDER BY vuln_id');
    expect(left.map((r) => r.vuln_id)).toEqual(['OS-EOL-alpine-3.18', 'OS-EOL-debian-10', 'OS-EOL-ubuntu-16.04']);
    expect(result).toEqual({ manifests: 3, findings: 3, changed: 3 });
  });
});
