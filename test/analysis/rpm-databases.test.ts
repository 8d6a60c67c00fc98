import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { rpmAnalyzer } from '../../src/analysis/analyzers/rpm.js';
import { detectRpmDbFormat } from '../../src/analysis/rpmdb/read-db.js';
import type { AnalyzerContext, EntryInfo, Fact, Package, PackagesFact, WarningFact } from '../../src/analysis/types.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = path.resolve(repoRoot, '../shared/data');
const pkgdbDir = path.join(dataDir, 'pkgdb');
const hasData = existsSync(path.join(pkgdbDir, 'MANIFEST.json'));

interface ManifestCase {
  kind: string;
  case: string;
  folder: string;
  format: string;
  db_file: string;
  db_sha256: string;
  package_count: number;
}

/** One package as the peers' and rpm 4.18's listings write it (`rpm -qa` order, gpg-pubkey included). */
interface ExpectedPackage {
  name: string;
  epoch?: number | null;
  version: string;
  release: string;
  arch: string;
  sourceRpm: string;
  license?: string;
  modularitylabel?: string;
}

interface Expected {
  db_name: string;
  packages: ExpectedPackage[];
  peer_single_package_assertion?: ExpectedPackage;
}

const ctx: AnalyzerContext = { diffId: 'sha256:test', warn: () => undefined };
const manifest = hasData ? (JSON.parse(readFileSync(path.join(pkgdbDir, 'MANIFEST.json'), 'utf8')) as { cases: ManifestCase[] }) : { cases: [] };
const rpmCases = manifest.cases.filter((c) => c.kind === 'rpm');

function loadDb(c: ManifestCase): Buffer {
  const raw = readFileSync(path.join(dataDir, c.folder, c.db_file));
  return c.db_file.endsWith('.gz') ? gunzipSync(raw) : raw;
}

function entry(p: string, size: number): EntryInfo {
  return { path: p, type: 'file', size, mode: 0o644, uid: 0, gid: 0 };
}

async function analyze(imagePath: string, content: Buffer): Promise<Fact[]> {
  const e = entry(imagePath, content.length);
  expect(rpmAnalyzer.wants(e)).toBe(true);
  expect(content.length).toBeLessThanOrEqual(rpmAnalyzer.maxBytes);
  return rpmAnalyzer.analyze(e, content, ctx);
}

const packagesOf = (facts: Fact[]) => facts.filter((f): f is PackagesFact => f.kind === 'packages').flatMap((f) => f.packages);
const warningsOf = (facts: Fact[]) => facts.filter((f): f is WarningFact => f.kind === 'warning');

/** What the listing says, in the analyzer's terms; the source name comes off the SRPM file name here independently. */
function expectedIdentity(p: ExpectedPackage) {
  const srpm = /^(.+)-[^-]+-[^-]+\.src\.rpm$/.exec(p.sourceRpm);
  return {
    name: p.name,
    version: `${p.epoch == null ? '' : `${p.epoch}:`}${p.version}-${p.release}`,
    arch: p.arch,
    source: srpm?.[1],
  };
}

const identity = (p: Package) => ({ name: p.name, version: p.version, arch: p.arch, source: p.source });

describe.skipIf(!hasData)('rpm analyzer on the real databases', () => {
  it('the manifest lists the nine rpm cases in all three formats', () => {
    expect(rpmCases.length).toBeGreaterThanOrEqual(9);
    expect(new Set(rpmCases.map((c) => c.format))).toEqual(new Set(['bdb', 'ndb', 'sqlite']));
  });

  for (const c of rpmCases) {
    it(`${c.case} (${c.format}): every package, in rpm -qa order, with name, version, arch and source`, async () => {
      const expected = JSON.parse(readFileSync(path.join(dataDir, c.folder, 'expected.json'), 'utf8')) as Expected;
      const db = loadDb(c);
      expect(createHash('sha256').update(db).digest('hex')).toBe(c.db_sha256);
      expect(detectRpmDbFormat(db)).toBe(c.format);

      // SUSE keeps its ndb under /usr/lib/sysimage/rpm; the others use /var/lib/rpm.
      const dir = c.format === 'ndb' ? 'usr/lib/sysimage/rpm' : 'var/lib/rpm';
      const facts = await analyze(`${dir}/${expected.db_name}`, db);
      expect(warningsOf(facts)).toEqual([]);
      const got = packagesOf(facts);

      const want = expected.packages.filter((p) => p.name !== 'gpg-pubkey');
      expect(want.length).toBe(c.package_count - (expected.packages.length - want.length));
      expect(got.map(identity)).toEqual(want.map(expectedIdentity));

      for (const [i, p] of got.entries()) {
        const w = want[i] as ExpectedPackage;
        expect(p.type).toBe('rpm');
        expect(p.path).toBe(`${dir}/${expected.db_name}`);
        expect(p.upstreamVersion).toBe(w.version);
        expect(p.release).toBe(w.release);
        expect(p.epoch).toBe(w.epoch ?? undefined);
        if (w.license !== undefined) expect(p.licenses).toEqual([w.license]);
        if (w.modularitylabel !== undefined) expect(p.modularityLabel).toBe(w.modularitylabel || undefined);
        // The SRPM's own version-release (with the binary's epoch), kept only where it differs.
        const srpmVr = /-([^-]+-[^-]+)\.src\.rpm$/.exec(w.sourceRpm)?.[1] as string;
        const sourceVersion = `${w.epoch == null ? '' : `${w.epoch}:`}${srpmVr}`;
        expect(p.sourceVersion).toBe(sourceVersion === p.version ? undefined : sourceVersion);
        expect(p.purl.startsWith(`pkg:rpm/${encodeURIComponent(w.name)}@`)).toBe(true);
      }

      const single = expected.peer_single_package_assertion;
      if (single) {
        const p = got.find((x) => x.name === single.name);
        expect(p && identity(p)).toEqual(expectedIdentity({ ...single, epoch: single.epoch ?? null }));
        if (single.license) expect(p?.licenses).toEqual([single.license]);
      }
    });
  }

  it('skips the gpg-pubkey pseudo-packages (CentOS 8 has one)', async () => {
    const c = rpmCases.find((x) => x.case === 'centos8-modularitylabel') as ManifestCase;
    const got = packagesOf(await analyze('var/lib/rpm/Packages', loadDb(c)));
    expect(got.some((p) => p.name === 'gpg-pubkey')).toBe(false);
    expect(got.length).toBe(517);
  });

  it('carries module streams (CentOS 8) and an Epoch (Fedora 32) into the package and its purl', async () => {
    const centos8 = packagesOf(await analyze('var/lib/rpm/Packages', loadDb(rpmCases.find((x) => x.case === 'centos8-modularitylabel') as ManifestCase)));
    const modular = centos8.filter((p) => p.modularityLabel);
    expect(modular.length).toBe(21);
    expect(modular.map((p) => p.modularityLabel)).toContain('container-tools:rhel8:8020020200507003530:0d58ad57');
    const perlErrno = centos8.find((p) => p.name === 'perl-Errno') as Package;
    // Epoch 0 is written, as rpm's own EVR does; purls leave a zero epoch out, as other tools do.
    expect(perlErrno.version.startsWith('0:')).toBe(true);
    expect(perlErrno.purl).not.toContain('epoch=');

    const fedora = packagesOf(await analyze('var/lib/rpm/Packages', loadDb(rpmCases.find((x) => x.case === 'fedora32-epoch-bdb') as ManifestCase)));
    expect(fedora).toEqual([
      {
        type: 'rpm',
        name: 'hello',
        version: '1:0.0.1-rls',
        epoch: 1,
        upstreamVersion: '0.0.1',
        release: 'rls',
        arch: 'x86_64',
        source: 'hello',
        licenses: ['GPL'],
        path: 'var/lib/rpm/Packages',
        purl: 'pkg:rpm/hello@0.0.1-rls?arch=x86_64&epoch=1',
      },
    ]);
  });

  it('names the source RPM separately from the binary (libuuid comes from util-linux)', async () => {
    const got = packagesOf(await analyze('var/lib/rpm/Packages', loadDb(rpmCases.find((x) => x.case === 'rhel8-libuuid-bdb') as ManifestCase)));
    expect(got.map((p) => [p.name, p.version, p.source, p.sourceVersion])).toEqual([['libuuid', '2.32.1-42.el8_8', 'util-linux', undefined]]);
    // device-mapper is built from lvm2 with lvm2's version: the source version is kept, with the epoch.
    const centos7 = packagesOf(await analyze('var/lib/rpm/Packages', loadDb(rpmCases.find((x) => x.case === 'centos7-plain') as ManifestCase)));
    const dm = centos7.find((p) => p.name === 'device-mapper') as Package;
    expect([dm.version, dm.source, dm.sourceVersion]).toEqual(['7:1.02.146-4.el7', 'lvm2', '7:2.02.177-4.el7']);
  });
});

describe('rpm analyzer paths', () => {
  it('wants the three database files in both rpm directories and nothing else', () => {
    const wanted = [
      'var/lib/rpm/Packages',
      'var/lib/rpm/Packages.db',
      'var/lib/rpm/rpmdb.sqlite',
      'usr/lib/sysimage/rpm/Packages',
      'usr/lib/sysimage/rpm/Packages.db',
      'usr/lib/sysimage/rpm/rpmdb.sqlite',
    ];
    const unwanted = [
      'var/lib/rpm/Name',
      'var/lib/rpm/__db.001',
      'var/lib/rpm/rpmdb.sqlite-wal',
      'var/lib/rpm/sub/Packages',
      'opt/var/lib/rpm/Packages',
      'usr/lib/sysimage/rpm/Index.db',
      'var/lib/rpmPackages',
    ];
    for (const p of wanted) expect(rpmAnalyzer.wants(entry(p, 1)), p).toBe(true);
    for (const p of unwanted) expect(rpmAnalyzer.wants(entry(p, 1)), p).toBe(false);
  });

  it('reports an oversized database instead of dropping it silently', () => {
    const big = entry('var/lib/rpm/Packages', rpmAnalyzer.maxBytes + 1);
    const facts = rpmAnalyzer.oversized?.(big, ctx) ?? [];
    expect(facts).toHaveLength(1);
    expect(facts[0]).toMatchObject({ kind: 'warning', path: 'var/lib/rpm/Packages' });
  });
});
