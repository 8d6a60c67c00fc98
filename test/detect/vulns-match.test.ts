/**
 * Matching on real data: the package databases of ../shared/data/pkgdb (parsed by Tarsier's own
 * dpkg and apk parsers) against the real feeds of ../shared/data/vulndb, checked against the
 * hand-checked facts of vulndb/MATCH-EXPECTATIONS.json — and the matcher's rules (source-package
 * lookup, not-affected subtraction, alias merging, vendor states, severity order, EOL, language
 * packages without name guessing) on small records whose outcome can be read off the record.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { packageInventory, type Inventory, type InventoryPackage } from '../../src/analysis/inventory.js';
import { parseReleaseFile } from '../../src/analysis/analyzers/os-release.js';
import { parseRpmDatabase } from '../../src/analysis/analyzers/rpm.js';
import { parseApkInstalled } from '../../src/analysis/os-pkg/apk-installed.js';
import { parseDpkgStatus } from '../../src/analysis/os-pkg/dpkg-status.js';
import type { OsInfo, Package } from '../../src/analysis/types.js';
import { buildIndex, lookupKeys, matchInventory } from '../../src/detect/vulns/match.js';
import type { ReportVulnerability } from '../../src/report/model.js';
import { readFeed } from '../../src/vulndb/read-feed.js';
import type { Advisory, AffectedPackage } from '../../src/vulndb/types.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const data = path.resolve(repoRoot, '../shared/data');
const hasData = existsSync(path.join(data, 'vulndb/MATCH-EXPECTATIONS.json'));
/** The day the shared data was gathered: end-of-life decisions are pinned to it. */
const NOW = new Date('2026-11-23T12:00:00Z');
const LAYER = 'sha256:1111111111111111111111111111111111111111111111111111111111111111';

async function feed(...parts: string[]): Promise<Advisory[]> {
  const out: Advisory[] = [];
  for await (const a of readFeed(path.join(data, 'vulndb', ...parts))) out.push(a);
  return out;
}

function inventory(os: OsInfo | null, packages: Package[]): Inventory {
  const artifact = { ref: 'test', type: 'docker-archive' as const, digest: 'sha256:d', configDigest: 'sha256:c', layers: [{ digest: 'sha256:l', diffId: LAYER, size: 0 }], platform: 'linux/amd64' };
  return packageInventory(artifact, os, packages.map((p): InventoryPackage => ({ ...p, layerDiffId: LAYER })));
}

function dpkgPackages(caseDir: string): Package[] {
  const file = path.join(data, 'pkgdb/dpkg', caseDir, 'var/lib/dpkg/status');
  return parseDpkgStatus(readFileSync(file), { path: 'var/lib/dpkg/status', statusDir: false }).packages;
}

function apkPackages(caseDir: string): Package[] {
  return parseApkInstalled(readFileSync(path.join(data, 'pkgdb/apk', caseDir, 'lib/apk/db/installed')), 'lib/apk/db/installed').packages;
}

function osFromFile(file: string): OsInfo {
  const result = parseReleaseFile('os-release', readFileSync(file, 'utf8'));
  if (!('os' in result)) throw new Error(result.problem);
  return result.os;
}

const vulnsOnly = (list: ReportVulnerability[]): ReportVulnerability[] => list.filter((v) => v.packageType !== 'os');

interface Expectations {
  cases: Array<{ pkgdb: string; results: Array<Record<string, unknown>> }>;
}
const expectations = hasData ? (JSON.parse(readFileSync(path.join(data, 'vulndb/MATCH-EXPECTATIONS.json'), 'utf8')) as Expectations) : { cases: [] };
const expectationsOf = (pkgdb: string) => {
  const c = expectations.cases.find((x) => x.pkgdb === pkgdb);
  if (!c) throw new Error(`no expectations for ${pkgdb}`);
  return c.results;
};

describe.skipIf(!hasData)('MATCH-EXPECTATIONS: real package databases × real feeds', () => {
  it('Ubuntu 18.04 × 6 USNs: exactly the 6 affected (binary, USN) pairs, found through the source package', async () => {
    const index = buildIndex(await feed('ubuntu-osv'));
    const pkgs = dpkgPackages('ubuntu1804-trivy-valid');
    // the fixture has no os-release; trivy's test declares it Ubuntu 18.04 (base-files 10.1ubuntu2.2)
    expect(pkgs.find((p) => p.name === 'base-files')?.version).toBe('10.1ubuntu2.2');
    const result = matchInventory(inventory({ family: 'ubuntu', name: 'Ubuntu', version: '18.04', codename: 'bionic' }, pkgs), index, { now: NOW });
    const found = vulnsOnly(result.vulnerabilities);
    // Why these hold (dpkg order, Debian Policy 5.6.12):
    // - USN-3863-1/USN-4667-1 name the SOURCE package apt; apt and libapt-pkg5.0 are both built from
    //   it at 1.6.3ubuntu0.1, and 1.6.3… < 1.6.6ubuntu0.1 and < 1.6.12ubuntu0.2 (3 < 6, 3 < 12);
    // - USN-5355-1 names source zlib; binary zlib1g is 1:1.2.11.dfsg-0ubuntu2, lower than the fixed
    //   1:1.2.11.dfsg-0ubuntu2.1 (same epoch and upstream; revision 0ubuntu2 < 0ubuntu2.1);
    // - USN-5380-1: bash 4.4.18-2ubuntu1 < 4.4.18-2ubuntu1.3;
    // - sudo (USN-4705-1) and openssl (USN-5328-1) are not installed in this image.
    const expected = expectationsOf('pkgdb/dpkg/ubuntu1804-trivy-valid');
    expect(expected.length).toBe(6);
    for (const e of expected) {
      const hit = found.filter((v) => v.packageName === e.binary && v.aliases.includes(e.advisory as string));
      expect(hit, `${e.binary} ${e.advisory}`).toHaveLength(1);
      expect(hit[0]).toMatchObject({ installedVersion: e.installed, fixedVersion: e.fixed, status: 'fixed', packageType: 'deb', layerDiffId: LAYER });
    }
    expect(found).toHaveLength(6);
    // the USNs bundle one CVE each: the finding is the CVE, the USN an alias
    expect(found.find((v) => v.packageName === 'bash')).toMatchObject({ id: 'CVE-2019-18276', aliases: ['USN-5380-1'], source: 'osv:ubuntu', title: 'bash vulnerability' });
    expect(found.find((v) => v.packageName === 'zlib1g')?.solution).toBe('Upgrade zlib1g to 1:1.2.11.dfsg-0ubuntu2.1 or later (fixed in source package zlib).');
    // standard support of 18.04 ended 2023-05-31: reported, with the Ubuntu Pro note
    expect(result.vulnerabilities[0]).toMatchObject({ id: 'OS-EOL-ubuntu-18.04', packageType: 'os', status: 'end_of_life', fixedVersion: null });
    expect(result.warnings).toEqual([]);
  });

  it('Ubuntu 16.04: fixes published only for Ubuntu Pro still mark the package vulnerable', async () => {
    const index = buildIndex(await feed('ubuntu-osv'));
    const xenial = { family: 'ubuntu', name: 'Ubuntu', version: '16.04', codename: 'xenial' };
    const result = matchInventory(inventory(xenial, [deb('bash', '4.3-14ubuntu1.4'), deb('apt', '1.2.24')]), index, { now: NOW });
    // USN-5380-1 fixes bash for 16.04 only in Ubuntu:Pro:16.04:LTS (4.3-14ubuntu1.4+esm1 > …1.4);
    // USN-3863-1 fixes apt in the public 16.04 archive at 1.2.29ubuntu0.1 (24 < 29)
    expect(vulnsOnly(result.vulnerabilities).map((v) => [v.packageName, v.id, v.fixedVersion, v.solution])).toEqual([
      ['bash', 'CVE-2019-18276', '4.3-14ubuntu1.4+esm1', 'Upgrade bash to 4.3-14ubuntu1.4+esm1 or later, available with Ubuntu Pro (ESM).'],
      ['apt', 'CVE-2019-3462', '1.2.29ubuntu0.1', 'Upgrade apt to 1.2.29ubuntu0.1 or later.'],
      ['apt', 'CVE-2020-27350', '1.2.32ubuntu0.2', 'Upgrade apt to 1.2.32ubuntu0.2 or later.'],
    ]);
  });

  it('Debian 11 minbase × DSA list: the 26 checked DSAs do not apply (all fixed at or below 11.11)', async () => {
    const index = buildIndex(await feed('debian-security-tracker/data/DSA/list'));
    const os = osFromFile(path.join(data, 'pkgdb/dpkg/debian11-bullseye-minbase/usr/lib/os-release'));
    expect(os).toMatchObject({ family: 'debian', version: '11' });
    const result = matchInventory(inventory(os, dpkgPackages('debian11-bullseye-minbase')), index, { now: NOW });
    // Why: each DSA's [bullseye] fixed source version is lower than or equal to the installed
    // source version of the 11.11 point release (e.g. openssl 1.1.1w-0+deb11u1 > 1.1.1n-0+deb11u4,
    // 'w' > 'n'; zlib 1:1.2.11.dfsg-2+deb11u2 = the DSA-5218-1 fix, and "fixed in" is not affected)
    const expected = expectationsOf('pkgdb/dpkg/debian11-bullseye-minbase');
    expect(expected.length).toBe(26);
    for (const e of expected) {
      expect(result.vulnerabilities.filter((v) => v.packageName === e.binary && v.aliases.includes(e.advisory as string)), `${e.binary} ${e.advisory}`).toEqual([]);
    }
    // nothing else in the DSA list applies either: every bullseye DSA up to 2023-04 is older than 11.11
    expect(vulnsOnly(result.vulnerabilities)).toEqual([]);
    // Debian 11 (LTS) ended on 2026-08-31
    expect(result.vulnerabilities).toEqual([expect.objectContaining({ id: 'OS-EOL-debian-11', installedVersion: '11' })]);
  });

  it('Debian 10 (claircore postgresql) × DLA list: the 3 checked DLAs do not apply', async () => {
    const index = buildIndex(await feed('debian-security-tracker/data/DLA/list'));
    const pkgs = dpkgPackages('debian10-claircore-postgresql');
    // claircore's assertion: "Source: postgresql-common (200+deb10u5)" overrides the source version
    expect(pkgs.find((p) => p.name === 'postgresql-client')).toMatchObject({ source: 'postgresql-common', sourceVersion: '200+deb10u5', version: '11+200+deb10u5' });
    const result = matchInventory(inventory({ family: 'debian', name: 'Debian GNU/Linux', version: '10', codename: 'buster' }, pkgs), index, { now: NOW });
    // Why: postgresql-11 11.22-0+deb10u2 is above 11.19, 11.18 and 11.17 (22 > 19 > 18 > 17)
    for (const e of expectationsOf('pkgdb/dpkg/debian10-claircore-postgresql')) {
      expect(result.vulnerabilities.filter((v) => v.aliases.includes(e.advisory as string))).toEqual([]);
    }
    expect(vulnsOnly(result.vulnerabilities)).toEqual([]);
    expect(result.vulnerabilities.map((v) => v.id)).toEqual(['OS-EOL-debian-10']);
  });

  for (const [caseDir, branch, osFile] of [
    ['alpine318-scalibr', 'v3.18', null],
    ['alpine370-snyk', 'v3.7', 'etc/os-release'],
  ] as const) {
    it(`Alpine ${branch} (${caseDir}) × secdb ${branch}: exactly the expected (package, CVE, fixed) triples, through the origin`, async () => {
      const index = buildIndex([...(await feed('alpine-secdb', branch, 'main.json')), ...(await feed('alpine-secdb', branch, 'community.json'))]);
      // alpine318-scalibr has no os-release; osv-scalibr's test declares it Alpine 3.18.0
      const os = osFile ? osFromFile(path.join(data, 'pkgdb/apk', caseDir, osFile)) : { family: 'alpine', name: 'Alpine Linux', version: '3.18.0' };
      const result = matchInventory(inventory(os, apkPackages(caseDir)), index, { now: NOW });
      // Why: secfixes keys are fixed releases of the ORIGIN package (busybox-binsh and ssl_client
      // are built from busybox, libcrypto3/libssl3 from openssl, libressl2.6-* from libressl,
      // musl-utils from musl), and every listed fix is above the installed release in apk order,
      // e.g. 1.36.0-r9 < 1.36.1-r1 (0 < 1 in the third number), 3.1.0-r4 < 3.1.1-r0,
      // 1.1.18-r2 < 1.1.18-r4 (revision 2 < 4). Issues keyed "0" are never-affected ones.
      const expected = new Set<string>();
      for (const e of expectationsOf(`pkgdb/apk/${caseDir}`)) for (const id of e.ids as string[]) expected.add(`${e.package} ${id} ${e.fixed}`);
      const got = new Set(vulnsOnly(result.vulnerabilities).map((v) => `${v.packageName} ${v.id} ${v.fixedVersion}`));
      expect([...got].sort()).toEqual([...expected].sort());
      expect(result.warnings).toEqual([]);
      expect(result.vulnerabilities[0]?.id).toBe(`OS-EOL-alpine-${branch.slice(1)}`);
    });
  }
});

describe.skipIf(!hasData || spawnSync('sh', ['-c', 'command -v rpm']).status !== 0)('rpm: a real el8 database × real AlmaLinux 8 errata', () => {
  it('finds exactly the (package, ALSA) pairs where rpm itself says installed < fixed', async () => {
    // The CentOS 8 image (centos:8 + container-tools and nodejs module streams) is read as the
    // AlmaLinux 8 it is binary-compatible with: same el8 package names and NEVRs.
    const db = gunzipSync(readFileSync(path.join(data, 'pkgdb/rpm/centos8-modularitylabel/Packages.gz')));
    const fact = parseRpmDatabase('var/lib/rpm/Packages', db).find((f) => f.kind === 'packages');
    const pkgs = fact && fact.kind === 'packages' ? fact.packages : [];
    expect(pkgs.length).toBe(517); // 518 headers, less gpg-pubkey
    const index = buildIndex(await feed('almalinux-osv'));
    const result = matchInventory(inventory({ family: 'almalinux', name: 'AlmaLinux', version: '8.2' }, pkgs), index, { now: NOW });

    // The oracle: every AlmaLinux:8 entry naming an installed binary package, read straight from
    // the JSON files, compared by rpm 4.18's own rpm.vercmp in one batch. Module-stream fixes
    // (".module_el8") only judge module-stream packages, and plain fixes only plain packages.
    const dir = path.join(data, 'vulndb/almalinux-osv/advisories/almalinux8');
    const byName = new Map(pkgs.map((p) => [p.name, p]));
    const pairs: Array<{ pkg: Package; alsa: string; fixed: string }> = [];
    for (const file of readdirSync(dir)) {
      const record = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { id: string; affected: Array<{ package: { name: string }; ranges: Array<{ events: Array<{ fixed?: string }> }> }> };
      if (!record.id.startsWith('ALSA-')) continue; // ALBA/ALEA: bug-fix and enhancement errata
      for (const a of record.affected) {
        const pkg = byName.get(a.package.name);
        const fixed = a.ranges[0]?.events.find((e) => e.fixed)?.fixed;
        if (pkg && fixed && /\.module[_+]/.test(fixed) === Boolean(pkg.modularityLabel)) pairs.push({ pkg, alsa: record.id, fixed });
      }
    }
    const verdicts = rpmVercmp(pairs.map((p) => [p.pkg.version, p.fixed]));
    const expected = new Set(pairs.filter((_, i) => verdicts[i] === -1).map((p) => `${p.pkg.name} ${p.alsa}`));
    const got = new Set<string>();
    for (const v of result.vulnerabilities) for (const id of [v.id, ...v.aliases]) if (id.startsWith('ALSA-')) got.add(`${v.packageName} ${id}`);
    expect(expected.size).toBeGreaterThan(50);
    expect([...got].sort()).toEqual([...expected].sort());
    // e.g. openssl-libs 1:1.1.1c-15.el8: fixed by the epoch-1 openssl builds of later errata
    expect(result.vulnerabilities.some((v) => v.packageName === 'openssl-libs' && v.installedVersion === '1:1.1.1c-15.el8' && v.fixedVersion?.startsWith('1:1.1.1'))).toBe(true);
    // Red Hat's impact words are the vendor rating
    expect(result.vulnerabilities.filter((v) => v.packageType === 'rpm').every((v) => v.severity !== 'unknown')).toBe(true);
  });
});

/** rpm 4.18's own comparison of each (a, b), run as one Lua script. */
function rpmVercmp(pairs: Array<[string, string]>): number[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'tarsier-rpmcmp-'));
  try {
    const input = path.join(dir, 'pairs');
    const script = path.join(dir, 'cmp.lua');
    writeFileSync(input, pairs.map((p) => p.join('\t')).join('\n') + '\n');
    writeFileSync(
      script,
      `local out = {}\nfor line in io.lines(${JSON.stringify(input)}) do\n  local a, b = line:match("^([^\\t]*)\\t([^\\t]*)$")\n  out[#out + 1] = tostring(rpm.vercmp(a, b))\nend\nlocal f = io.open(${JSON.stringify(input + '.out')}, "w")\nf:write(table.concat(out, "\\n"))\nf:close()\n`,
    );
    const run = spawnSync('rpm', ['--eval', `%{lua: dofile(${JSON.stringify(script)})}`], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(run.stderr);
    return readFileSync(input + '.out', 'utf8').split('\n').map(Number);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------------------------------------
// Matcher rules on small records.

const deb = (name: string, version: string, source?: string, sourceVersion?: string): Package => ({
  type: 'deb',
  name,
  version,
  ...(source ? { source } : {}),
  ...(sourceVersion ? { sourceVersion } : {}),
  path: 'var/lib/dpkg/status',
  purl: `pkg:deb/debian/${name}@${version}`,
});
const debian12: OsInfo = { family: 'debian', name: 'Debian GNU/Linux', version: '12', codename: 'bookworm' };
const pkgAt = (namespace: string, name: string, rest: Partial<AffectedPackage> & Pick<AffectedPackage, 'status'>): AffectedPackage => ({
  namespace,
  name,
  nameKind: 'source',
  scheme: namespace.startsWith('alpine') ? 'apk' : 'dpkg',
  ranges: [],
  ...rest,
});

describe('matcher rules', () => {
  it('merges a DSA and a tracker record of one CVE into one finding with the higher fix', () => {
    const index = buildIndex([
      { id: 'DSA-9999-1', aliases: [], covers: ['CVE-2099-1000', 'CVE-2099-1001'], source: 'debian-dsa', title: 'openssl: security update', affected: [pkgAt('debian:12', 'openssl', { status: 'fixed', ranges: [{ fixed: '3.0.11-1~deb12u1' }] })] },
      { id: 'CVE-2099-1000', aliases: [], source: 'debian-tracker', title: 'a buffer overread in X', affected: [pkgAt('debian:12', 'openssl', { status: 'fixed', ranges: [{ fixed: '3.0.11-1~deb12u2' }], severity: 'medium' })] },
    ]);
    const result = matchInventory(inventory(debian12, [deb('libssl3', '3.0.9-1', 'openssl')]), index, { now: NOW });
    expect(result.vulnerabilities).toEqual([
      expect.objectContaining({ id: 'CVE-2099-1000', aliases: ['DSA-9999-1'], fixedVersion: '3.0.11-1~deb12u2', severity: 'medium', title: 'a buffer overread in X', source: 'debian-tracker' }),
      // the DSA's other CVE: its own finding, titled by the DSA, no rating anywhere
      expect.objectContaining({ id: 'CVE-2099-1001', aliases: ['DSA-9999-1'], fixedVersion: '3.0.11-1~deb12u1', severity: 'unknown', title: 'openssl: security update' }),
    ]);
  });

  it("takes the release's rating from the tracker even when only the DSA's fix applies", () => {
    // The DSA names a later fix (a regression update) than the tracker entry, so only the DSA
    // matches 3.0.9-1; the tracker's urgency for openssl in bookworm still rates the finding.
    const index = buildIndex([
      { id: 'DSA-9998-1', aliases: [], covers: ['CVE-2099-1100'], source: 'debian-dsa', affected: [pkgAt('debian:12', 'openssl', { status: 'fixed', ranges: [{ fixed: '3.0.11-1~deb12u2' }] })] },
      { id: 'CVE-2099-1100', aliases: [], source: 'debian-tracker', affected: [pkgAt('debian:12', 'openssl', { status: 'fixed', ranges: [{ fixed: '3.0.9-1' }], severity: 'high' })] },
      // another release's rating is not this release's
      { id: 'CVE-2099-1101', aliases: [], source: 'debian-tracker', affected: [pkgAt('debian:11', 'openssl', { status: 'fixed', ranges: [{ fixed: '1.1.1w-0+deb11u1' }], severity: 'high' })] },
      { id: 'DSA-9998-2', aliases: [], covers: ['CVE-2099-1101'], source: 'debian-dsa', affected: [pkgAt('debian:12', 'openssl', { status: 'fixed', ranges: [{ fixed: '3.0.11-1~deb12u2' }] })] },
    ]);
    const found = matchInventory(inventory(debian12, [deb('libssl3', '3.0.9-1', 'openssl')]), index, { now: NOW }).vulnerabilities;
    expect(found.map((v) => [v.id, v.aliases, v.severity])).toEqual([
      ['CVE-2099-1100', ['DSA-9998-1'], 'high'],
      ['CVE-2099-1101', ['DSA-9998-2'], 'unknown'],
    ]);
  });

  it('subtracts a not-affected record of another feed, and matches nothing for the fixed version itself', () => {
    const index = buildIndex([
      { id: 'CVE-2099-2000', aliases: [], source: 'osv:alpine', affected: [pkgAt('alpine:3.22', 'avahi', { status: 'affected', ranges: [{}] })] },
      { id: 'CVE-2099-2000', aliases: [], source: 'alpine-secdb:v3.22/main', affected: [pkgAt('alpine:3.22', 'avahi', { status: 'not_affected' })] },
      { id: 'CVE-2099-2001', aliases: [], source: 'alpine-secdb:v3.22/main', affected: [pkgAt('alpine:3.22', 'avahi', { status: 'fixed', ranges: [{ fixed: '0.8-r10' }] })] },
    ]);
    const alpine = { family: 'alpine', name: 'Alpine Linux', version: '3.22.1' };
    const pkg = (version: string): Package => ({ type: 'apk', name: 'avahi-libs', version, source: 'avahi', path: 'lib/apk/db/installed', purl: '' });
    expect(matchInventory(inventory(alpine, [pkg('0.8-r9')]), index, { now: NOW }).vulnerabilities.map((v) => v.id)).toEqual(['CVE-2099-2001']);
    expect(matchInventory(inventory(alpine, [pkg('0.8-r10')]), index, { now: NOW }).vulnerabilities).toEqual([]);
  });

  it('keeps the vendor state of unfixed issues, and --ignore-unfixed drops them', () => {
    const index = buildIndex([
      { id: 'CVE-2005-2541', aliases: [], source: 'debian-tracker', affected: [pkgAt('debian:12', 'tar', { status: 'will_not_fix', severity: 'low' })] },
      { id: 'CVE-2099-3000', aliases: [], source: 'debian-tracker', affected: [pkgAt('debian:12', 'tar', { status: 'fix_deferred' })] },
      { id: 'CVE-2099-3001', aliases: [], source: 'debian-tracker', affected: [pkgAt('debian:12', 'tar', { status: 'end_of_life' })] },
      { id: 'CVE-2099-3002', aliases: [], source: 'debian-tracker', affected: [pkgAt('debian:12', 'tar', { status: 'fixed', ranges: [{ fixed: '1.34+dfsg-1.2+deb12u2' }] })] },
    ]);
    const inv = inventory(debian12, [deb('tar', '1.34+dfsg-1.2+deb12u1')]);
    const all = matchInventory(inv, index, { now: NOW }).vulnerabilities;
    expect(all.map((v) => [v.id, v.status, v.fixedVersion])).toEqual([
      ['CVE-2005-2541', 'will_not_fix', null],
      ['CVE-2099-3000', 'fix_deferred', null],
      ['CVE-2099-3001', 'end_of_life', null],
      ['CVE-2099-3002', 'fixed', '1.34+dfsg-1.2+deb12u2'],
    ]);
    expect(all[0]?.solution).toMatch(/will not fix/);
    expect(matchInventory(inv, index, { now: NOW, ignoreUnfixed: true }).vulnerabilities.map((v) => v.id)).toEqual(['CVE-2099-3002']);
  });

  it('rates by the distribution first, then the vendor, then the CVSS base score', () => {
    const cvss = [{ version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }];
    const index = buildIndex([
      { id: 'CVE-2099-4000', aliases: [], source: 'debian-tracker', affected: [pkgAt('debian:12', 'curl', { status: 'affected', severity: 'low' })] },
      { id: 'GHSA-aaaa-bbbb-cccc', aliases: ['CVE-2099-4000'], source: 'osv:npm', cvss, affected: [] },
      { id: 'CVE-2099-4001', aliases: [], source: 'debian-dsa', severity: 'high', affected: [pkgAt('debian:12', 'curl', { status: 'affected' })] },
      { id: 'CVE-2099-4002', aliases: [], source: 'osv:debian', cvss: [{ version: '3.1', vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N' }], affected: [pkgAt('debian:12', 'curl', { status: 'affected' })] },
    ]);
    const found = matchInventory(inventory(debian12, [deb('curl', '7.88.1-10')]), index, { now: NOW }).vulnerabilities;
    expect(found.map((v) => [v.id, v.severity, v.cvssScore])).toEqual([
      ['CVE-2099-4000', 'low', 9.8], // Debian says low although NVD-style CVSS says 9.8
      ['CVE-2099-4001', 'high', undefined],
      ['CVE-2099-4002', 'medium', 5.5],
    ]);
  });

  it('reports an end-of-life release and warns when the OS or its advisories are unknown', () => {
    const index = buildIndex([{ id: 'CVE-2099-5000', aliases: [], source: 'debian-dsa', affected: [pkgAt('debian:12', 'x', { status: 'affected' })] }]);
    const pkgs = [deb('bash', '5.2.15-2+b2', 'bash', '5.2.15-2')];
    expect(matchInventory(inventory(debian12, pkgs), index, { now: NOW }).vulnerabilities).toEqual([]);
    const later = matchInventory(inventory(debian12, pkgs), index, { now: new Date('2028-07-01') });
    expect(later.vulnerabilities).toEqual([expect.objectContaining({ id: 'OS-EOL-debian-12', severity: 'high', title: expect.stringContaining('2028-06-30') })]);
    expect(later.os).toEqual({ release: 'debian:12', namespaces: ['debian:12'], endOfLife: { date: '2028-06-30', ended: true } });

    const trixie = matchInventory(inventory({ family: 'debian', name: 'Debian GNU/Linux', version: '13' }, pkgs), index, { now: NOW });
    expect(trixie.warnings).toEqual(['no advisories for debian:13 in the database: 1 deb package(s) were not checked']);
    expect(matchInventory(inventory(null, pkgs), index, { now: NOW }).warnings).toEqual(['OS not identified: 1 deb package(s) were not checked for vulnerabilities']);
    const fedora = matchInventory(inventory({ family: 'fedora', name: 'Fedora Linux', version: '42' }, [{ ...pkgs[0]!, type: 'rpm' }]), index, { now: NOW });
    expect(fedora.warnings).toEqual(['no advisory feed is known for Fedora Linux 42: 1 rpm package(s) were not checked']);
  });

  it('tells a database which (namespace, name) keys to load, and accepts the namespaces it holds', () => {
    const py: Package = { type: 'pypi', name: 'Flask', version: '2.0.0', path: 'x', purl: '' };
    const guessed: Package = { ...py, name: 'requests', evidence: 'file-name' };
    const pkgs = [deb('bash', '5.2.15-2+b2', 'bash', '5.2.15-2'), deb('libssl3', '3.0.11-1~deb12u2', 'openssl'), deb('openssl', '3.0.11-1~deb12u2', 'openssl'), py, guessed];
    expect(lookupKeys(inventory(debian12, pkgs))).toEqual([
      { namespace: 'debian:12', name: 'bash' },
      { namespace: 'debian:12', name: 'openssl' },
      { namespace: 'pypi', name: 'flask' },
    ]);
    const jammy = lookupKeys(inventory({ family: 'ubuntu', name: 'Ubuntu', version: '22.04' }, [deb('zlib1g', '1:1.2.11.dfsg-2ubuntu9', 'zlib')]));
    expect(jammy).toEqual([
      { namespace: 'ubuntu:22.04', name: 'zlib' },
      { namespace: 'ubuntu-pro:22.04', name: 'zlib' },
    ]);
    // loaded only the records for these packages (none), but the database covers debian:12
    const index = buildIndex([], { knownNamespaces: ['debian:12'] });
    expect(matchInventory(inventory(debian12, pkgs), index, { now: NOW })).toMatchObject({ vulnerabilities: [], warnings: [] });
  });

  it('finds an rpm subpackage through its source rpm when an erratum names only the main package', () => {
    const rocky = { family: 'rocky', name: 'Rocky Linux', version: '9.3' };
    const index = buildIndex([
      { id: 'RLSA-2099:1', aliases: [], covers: ['CVE-2099-7000'], source: 'osv:rocky-linux', affected: [{ namespace: 'rocky:9', name: 'openssl', nameKind: 'binary', scheme: 'rpm', ranges: [{ fixed: '1:3.0.7-25.el9_3' }], status: 'fixed' }] },
    ]);
    const libs: Package = { type: 'rpm', name: 'openssl-libs', version: '1:3.0.7-24.el9', source: 'openssl', path: 'var/lib/rpm/rpmdb.sqlite', purl: '' };
    const found = matchInventory(inventory(rocky, [libs]), index, { now: NOW }).vulnerabilities;
    expect(found.map((v) => [v.packageName, v.id, v.fixedVersion, v.solution])).toEqual([
      ['openssl-libs', 'CVE-2099-7000', '1:3.0.7-25.el9_3', 'Upgrade openssl-libs to 1:3.0.7-25.el9_3 or later (fixed in source package openssl).'],
    ]);
  });

  it('judges rpm module-stream packages only by module-stream fixes', () => {
    const alma = { family: 'almalinux', name: 'AlmaLinux', version: '8.9' };
    const rpmPkg = (version: string, modularityLabel?: string): Package => ({ type: 'rpm', name: 'nodejs', version, ...(modularityLabel ? { modularityLabel } : {}), path: 'var/lib/rpm/Packages', purl: '' });
    const index = buildIndex([
      { id: 'ALSA-2099:1', aliases: [], covers: ['CVE-2099-6000'], source: 'osv:almalinux', affected: [{ namespace: 'almalinux:8', name: 'nodejs', nameKind: 'binary', scheme: 'rpm', ranges: [{ fixed: '1:18.19.0-1.module_el8.9.0+3700+efebe9fd' }], status: 'fixed' }] },
      { id: 'ALSA-2099:2', aliases: [], covers: ['CVE-2099-6001'], source: 'osv:almalinux', affected: [{ namespace: 'almalinux:8', name: 'nodejs', nameKind: 'binary', scheme: 'rpm', ranges: [{ fixed: '1:10.24.0-1.el8' }], status: 'fixed' }] },
    ]);
    const modular = matchInventory(inventory(alma, [rpmPkg('1:18.14.2-3.module_el8.8.0+3569+c7b9f9b6', 'nodejs:18:8080020230405:b0d5e4b7')]), index, { now: NOW });
    expect(modular.vulnerabilities.map((v) => v.id)).toEqual(['CVE-2099-6000']);
    const plain = matchInventory(inventory(alma, [rpmPkg('1:10.21.0-1.el8')]), index, { now: NOW });
    expect(plain.vulnerabilities.map((v) => [v.id, v.aliases, v.fixedVersion])).toEqual([['CVE-2099-6001', ['ALSA-2099:2'], '1:10.24.0-1.el8']]);
  });
});

describe.skipIf(!hasData)("Debian severities: the tracker's urgency (real excerpt of its JSON export) with the real DSA list", () => {
  const excerpt = async (): Promise<Advisory[]> => {
    const out: Advisory[] = [];
    for await (const a of readFeed(path.join(repoRoot, 'test/fixtures/vulndb/debian-tracker-excerpt.json'))) out.push(a);
    return out;
  };

  it('rates Debian findings by the urgency of their release ("high**" is high; "not yet assigned" rates nothing)', async () => {
    const tracker = await excerpt();
    const index = buildIndex([...tracker, ...(await feed('debian-security-tracker/data/DSA/list'))]);
    const buster: OsInfo = { family: 'debian', name: 'Debian GNU/Linux', version: '10', codename: 'buster' };
    // Versions below the tracker's buster fixes (libjs-prototype is built from prototypejs).
    const found = matchInventory(
      inventory(buster, [deb('libjs-prototype', '1.6.0.1-1', 'prototypejs'), deb('txt2man', '1.5.5-4'), deb('backupninja', '0.8-1'), deb('chromium', '89.0.4389.114-1~deb10u1')]),
      index,
      { now: NOW },
    ).vulnerabilities.filter((v) => tracker.some((a) => a.id === v.id)); // the DSA list's own chromium findings aside
    expect(found.map((v) => [v.packageName, v.id, v.fixedVersion, v.status, v.severity])).toEqual([
      ['libjs-prototype', 'CVE-2008-7220', '1.6.0.2-1', 'fixed', 'high'], // "high**"
      ['txt2man', 'CVE-2013-1444', '1.5.5-4.1', 'fixed', 'low'], // "low**"
      ['backupninja', 'CVE-2005-3111', '0.8-2', 'fixed', 'medium'],
      // open in buster with urgency "end-of-life": a state, not a rating
      ['chromium', 'CVE-2022-0456', null, 'end_of_life', 'unknown'],
    ]);
    // CVE-2007-2383 is resolved with fixed_version "0" in buster: prototypejs was never affected
    expect(found.some((v) => v.id === 'CVE-2007-2383')).toBe(false);
  });

  it('merges DSA-5068-1 and the tracker entry of CVE-2022-0456 into one bullseye finding', async () => {
    const index = buildIndex([...(await excerpt()), ...(await feed('debian-security-tracker/data/DSA/list'))]);
    const bullseye: OsInfo = { family: 'debian', name: 'Debian GNU/Linux', version: '11', codename: 'bullseye' };
    // 90.0.4430.212-1 is bullseye's release version in the tracker's own "repositories" field
    const found = matchInventory(inventory(bullseye, [deb('chromium', '90.0.4430.212-1')]), index, { now: NOW }).vulnerabilities;
    const cve = found.filter((v) => v.id === 'CVE-2022-0456');
    expect(cve).toEqual([expect.objectContaining({ aliases: ['DSA-5068-1'], fixedVersion: '98.0.4758.80-1~deb11u1', severity: 'unknown' })]);
  });
});

describe.skipIf(!hasData)('language packages (real Go and PyPI records)', () => {
  it('matches Go modules and stdlib by exact module path and semver order', async () => {
    const index = buildIndex(await feed('go-vulndb'));
    const gobin = (name: string, version: string): Package => ({ type: 'golang', name, version, path: 'usr/local/bin/app', purl: '' });
    const result = matchInventory(inventory(null, [gobin('stdlib', 'v1.19.8'), gobin('github.com/gin-gonic/gin', 'v1.5.0'), gobin('github.com/gin-gonic/gin', 'v1.9.1+incompatible')]), index, { now: NOW });
    const byPkg = (name: string, version: string) => result.vulnerabilities.filter((v) => v.packageName === name && v.installedVersion === version);
    // GO-2023-1752 (CVE-2023-24540): stdlib introduced 0, fixed 1.19.9 — 1.19.8 is below it
    expect(byPkg('stdlib', 'v1.19.8')).toContainEqual(expect.objectContaining({ id: 'CVE-2023-24540', aliases: ['GO-2023-1752'], fixedVersion: '1.19.9', source: 'osv:go' }));
    // GO-2020-0001 (CVE-2020-36567): gin fixed 1.6.0; 1.5.0 is affected, 1.9.1 is not
    expect(byPkg('github.com/gin-gonic/gin', 'v1.5.0').map((v) => v.id)).toContain('CVE-2020-36567');
    expect(byPkg('github.com/gin-gonic/gin', 'v1.9.1+incompatible').map((v) => v.id)).not.toContain('CVE-2020-36567');
    expect(result.vulnerabilities.every((v) => v.fixedVersion === null || v.status === 'fixed')).toBe(true);
  });

  it('matches PyPI names after PEP 503 normalisation; never from a file-name guess', async () => {
    const advisories: Advisory[] = [];
    for (const p of ['flask', 'werkzeug']) advisories.push(...(await feed('pypa-advisory-db/vulns', p)));
    const index = buildIndex(advisories);
    const py = (name: string, version: string, evidence?: Package['evidence']): Package => ({ type: 'pypi', name, version, ...(evidence ? { evidence } : {}), path: 'usr/lib/python3/site-packages', purl: '' });
    const result = matchInventory(inventory(null, [py('Flask', '0.12.2'), py('werkzeug', '0.15.2', 'file-name')]), index, { now: NOW });
    // PYSEC-2018-66: flask before 0.12.3; its CVE is the finding id, PYSEC and GHSA ids aliases
    expect(result.vulnerabilities).toContainEqual(expect.objectContaining({ id: 'CVE-2018-1000656', aliases: ['GHSA-562c-5r94-xh97', 'PYSEC-2018-66'], packageName: 'Flask', fixedVersion: '0.12.3' }));
    expect(result.vulnerabilities.filter((v) => v.packageName === 'werkzeug')).toEqual([]);
    // two copies of the same package version in different paths are one finding
    const twice = matchInventory(inventory(null, [py('flask', '0.12.2'), { ...py('flask', '0.12.2'), path: 'opt/app/site-packages' }]), index, { now: NOW });
    const ids = twice.vulnerabilities.map((v) => v.id);
    expect(ids.length).toBe(new Set(ids).size);
  });
});
