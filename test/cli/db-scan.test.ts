/**
 * `tarsier scan` of the demo images against the bundled snapshot imported with `tarsier db import`:
 * the JSON report holds the vulnerabilities data/advisories/SOURCES.md lists for each image, and
 * the filters behave as Trivy's: `--severity` keeps only the listed severities (any case), in every
 * kind of finding; `--ignore-unfixed` drops vulnerabilities without a fixed version (the OS's own
 * end-of-life finding stays: it is never hidden); `--exit-code N` exits N only when findings remain
 * after filtering, 0 otherwise.
 */
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDemoImages, type DemoImage } from '../../src/demo/demo-images.js';
import type { ScanReport } from '../../src/report/model.js';
import { removeDir, tempDir } from '../helpers/image-fixtures.js';
import { dataDir, SNAPSHOT, tarsier, type CliRun } from './db-cli.js';

interface Row {
  packageName: string;
  installed: string;
  advisory: string;
  fixedIn: string | null;
}

/** The "What the demo images are expected to match" tables of data/advisories/SOURCES.md. */
function expectedRows(sources: string, image: string): Row[] {
  const section = sources.split(`### ${image} — `)[1]?.split('\n### ')[0] ?? '';
  return section
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| package') && !l.startsWith('|---'))
    .map((l) => l.split('|').map((c) => c.trim()))
    .map(([, packageName, installed, advisory, , fixedIn]) => ({ packageName: packageName!, installed: installed!, advisory: advisory!, fixedIn: fixedIn === '(not fixed)' ? null : fixedIn! }));
}

/**
 * SOURCES.md names the first `fixed` event of an advisory; where an advisory has one range per
 * release line, the fix that applies is the one of the installed version's line. Checked by hand
 * in data/advisories/go-vulndb: each has ranges [0, 1.19.x) and [1.20.0-0, 1.20.y); stdlib is
 * go1.20.4, so 1.20.y is its fix.
 */
const FIX_IN_RANGE: Record<string, string> = { 'GO-2023-1840': '1.20.5', 'GO-2023-1878': '1.20.6', 'GO-2023-1987': '1.20.7' };

const report = (run: CliRun): ScanReport => JSON.parse(run.stdout) as ScanReport;
const find = (r: ScanReport, pkg: string, id: string) => r.vulnerabilities.filter((v) => v.packageName === pkg && (v.id === id || v.aliases.includes(id)));

describe('tarsier scan with the advisory database', () => {
  let images: Map<string, DemoImage>;
  let imagesDir: string;
  let lanes: Array<Awaited<ReturnType<typeof dataDir>>> = [];
  let sources: string;
  const runs = new Map<string, CliRun>();

  beforeAll(async () => {
    imagesDir = await tempDir('tarsier-db-scan-');
    images = new Map((await writeDemoImages(imagesDir)).map((i) => [i.name, i]));
    sources = await readFile(join(SNAPSHOT, 'SOURCES.md'), 'utf8');
    const db = await dataDir();
    lanes = [db];
    const imported = await tarsier(['db', 'import', '--data-dir', db.dir, SNAPSHOT]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/^path:.*data\/advisories: \d+ advisories\n/);
    // PGlite serves one process at a time: a second lane scans from a copy of the database.
    const copy = await dataDir();
    await cp(db.dir, copy.dir, { recursive: true });
    lanes.push(copy);
    const scans: Array<[string, string, string[]]> = [
      ['debian', 'demo/debian:10', []],
      ['ubuntu', 'demo/ubuntu:16.04', []],
      ['alpine', 'demo/alpine:3.18', []],
      ['alpine-fixed', 'demo/alpine:3.18', ['--ignore-unfixed']],
      ['debian-high', 'demo/debian:10', ['--severity', 'HIGH,Critical']],
      ['alpine-medium-exit', 'demo/alpine:3.18', ['--severity', 'medium', '--exit-code', '7']],
      ['ubuntu-critical-exit', 'demo/ubuntu:16.04', ['--severity', 'critical', '--exit-code', '7']],
    ];
    await Promise.all(
      lanes.map(async (lane, i) => {
        for (const [key, image, flags] of scans.filter((_, n) => n % lanes.length === i)) {
          runs.set(key, await tarsier(['scan', images.get(image)!.ref, '--format', 'json', '--no-cache', '--data-dir', lane.dir, ...flags]));
        }
      }),
    );
  }, 300_000);

  afterAll(async () => {
    for (const lane of lanes) await lane.dispose();
    if (imagesDir) await removeDir(imagesDir);
  });

  const ok = (key: string): ScanReport => {
    const run = runs.get(key)!;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr, key).toBe('');
    return report(run);
  };

  it.each([
    ['debian', 'demo/debian:10'],
    ['ubuntu', 'demo/ubuntu:16.04'],
    ['alpine', 'demo/alpine:3.18'],
  ])('%s: every match SOURCES.md lists is in the JSON report, with its installed and fixed version', (key, image) => {
    const r = ok(key);
    const rows = expectedRows(sources, image);
    expect(rows.length).toBeGreaterThan(3);
    const missing = rows.filter((row) => !find(r, row.packageName, row.advisory).some((v) => v.installedVersion === row.installed.replace(/^v/, '') || v.installedVersion === row.installed));
    expect(missing.map((m) => `${m.packageName} ${m.advisory}`)).toEqual([]);
    const wrongFix = rows.filter((row) => !find(r, row.packageName, row.advisory).some((v) => (v.fixedVersion?.replace(/^v/, '') ?? null) === (FIX_IN_RANGE[row.advisory] ?? row.fixedIn)));
    expect(wrongFix.map((m) => `${m.packageName} ${m.advisory} ${m.fixedIn}: ${find(r, m.packageName, m.advisory).map((v) => `${v.id} ${v.fixedVersion}`).join(', ')}`)).toEqual([]);
    expect(r.vulnerabilities.some((v) => v.packageType === 'os' && v.status === 'end_of_life')).toBe(true);
  });

  it('names the headline findings exactly (checked by hand against the feeds)', () => {
    const deb = ok('debian');
    // DSA-4875-1: openssl 1.1.1d-0+deb10u6 fixes CVE-2021-3449 in buster; libssl1.1 is built from
    // openssl and installed at deb10u3, which dpkg orders before deb10u6.
    expect(find(deb, 'libssl1.1', 'CVE-2021-3449')).toEqual([
      expect.objectContaining({ id: 'CVE-2021-3449', installedVersion: '1.1.1d-0+deb10u3', fixedVersion: '1.1.1d-0+deb10u6', aliases: expect.arrayContaining(['DSA-4875-1']) }),
    ]);
    // DSA-4839-1: sudo 1.8.27-1+deb10u3 fixes CVE-2021-3156 (Baron Samedit).
    expect(find(deb, 'sudo', 'CVE-2021-3156')).toEqual([expect.objectContaining({ installedVersion: '1.8.27-1+deb10u2', fixedVersion: '1.8.27-1+deb10u3' })]);
    const ubu = ok('ubuntu');
    // USN-4705-1: sudo 1.8.16-0ubuntu1.10 in xenial.
    expect(find(ubu, 'sudo', 'CVE-2021-3156')).toEqual([expect.objectContaining({ installedVersion: '1.8.16-0ubuntu1.9', fixedVersion: '1.8.16-0ubuntu1.10' })]);
    const alp = ok('alpine');
    // secdb v3.18 main: busybox 1.36.1-r1 fixes CVE-2022-48174; busybox-binsh comes from busybox.
    expect(find(alp, 'busybox-binsh', 'CVE-2022-48174')).toEqual([expect.objectContaining({ installedVersion: '1.36.0-r9', fixedVersion: '1.36.1-r1' })]);
    // GO-2026-5932 affects every golang.org/x/crypto release: no fix yet.
    expect(find(alp, 'golang.org/x/crypto', 'GO-2026-5932')).toEqual([expect.objectContaining({ fixedVersion: null })]);
  });

  it('--ignore-unfixed drops the vulnerabilities without a fix and nothing else', () => {
    const all = ok('alpine');
    const fixed = ok('alpine-fixed');
    const unfixed = all.vulnerabilities.filter((v) => v.fixedVersion === null && v.status !== 'end_of_life');
    expect(unfixed.length).toBeGreaterThan(0);
    expect(fixed.vulnerabilities).toEqual(all.vulnerabilities.filter((v) => !unfixed.includes(v)));
    expect(fixed.vulnerabilities.filter((v) => v.fixedVersion === null).map((v) => v.status)).toEqual(['end_of_life']);
    expect(fixed.sensitive).toEqual(all.sensitive);
  });

  it('--severity keeps only those severities, in vulnerabilities, secrets, build risks and baseline rules', () => {
    const all = ok('debian');
    const high = ok('debian-high');
    const keep = new Set(['high', 'critical']);
    expect(high.vulnerabilities).toEqual(all.vulnerabilities.filter((v) => keep.has(v.severity)));
    expect(high.vulnerabilities.length).toBeGreaterThan(0);
    expect(high.vulnerabilities.length).toBeLessThan(all.vulnerabilities.length);
    expect(high.sensitive.every((s) => keep.has(s.severity))).toBe(true);
    expect(high.buildRisks.every((b) => keep.has(b.severity))).toBe(true);
    expect(high.baseline.flatMap((b) => b.rules).filter((x) => x.status === 'failed').every((x) => keep.has(x.severity))).toBe(true);
  });

  it('--exit-code N: N when findings remain after filtering, 0 when none do or without the flag', () => {
    // no --exit-code: 0 although the reports are full of findings
    expect(ok('debian').vulnerabilities.length).toBeGreaterThan(50);
    const medium = runs.get('alpine-medium-exit')!;
    expect(medium.code, medium.stderr).toBe(7);
    const m = report(medium);
    expect(m.vulnerabilities.map((v) => v.severity)).toEqual(m.vulnerabilities.map(() => 'medium'));
    expect(m.vulnerabilities.length + m.sensitive.length + m.buildRisks.length).toBeGreaterThan(0);
    const critical = runs.get('ubuntu-critical-exit')!;
    expect(critical.code, critical.stderr).toBe(0);
    const c = report(critical);
    expect([c.vulnerabilities, c.sensitive, c.buildRisks, c.baseline.flatMap((b) => b.rules).filter((x) => x.status === 'failed')]).toEqual([[], [], [], []]);
  });
});
