import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { osReleaseAnalyzer } from '../src/analysis/analyzers/os-release.js';
import { chooseOs } from '../src/analysis/os-detect.js';
import type { AnalyzerContext, EntryInfo, Fact, OsFact, OsInfo, WarningFact } from '../src/analysis/types.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = path.resolve(repoRoot, '../shared/data');
const osDir = path.join(dataDir, 'pkgdb/os-release');
const hasData = existsSync(path.join(osDir, 'MANIFEST.json'));

const ctx: AnalyzerContext = { diffId: 'sha256:test', warn: () => undefined };

function entry(p: string, size: number): EntryInfo {
  return { path: p, type: 'file', size, mode: 0o644, uid: 0, gid: 0 };
}

async function analyze(imagePath: string, content: Buffer | string): Promise<Fact[]> {
  const buf = typeof content === 'string' ? Buffer.from(content) : content;
  const e = entry(imagePath, buf.length);
  expect(osReleaseAnalyzer.wants(e)).toBe(true);
  return osReleaseAnalyzer.analyze(e, buf, ctx);
}

const osFacts = (facts: Fact[]) => facts.filter((f): f is OsFact => f.kind === 'os');
const warnings = (facts: Fact[]) => facts.filter((f): f is WarningFact => f.kind === 'warning');

/** Detect the OS of a set of files placed at their in-image paths. */
async function detect(files: Record<string, Buffer | string>): Promise<{ os: OsInfo | null; facts: Fact[] }> {
  const facts: Fact[] = [];
  for (const [p, content] of Object.entries(files)) facts.push(...(await analyze(p, content)));
  return { os: chooseOs(osFacts(facts)), facts };
}

/** Where a manifest file sits in an image, from its name. */
function imagePathFor(file: string): string {
  if (file.endsWith('.redhat-release')) return 'etc/redhat-release';
  if (file.endsWith('.oracle-release')) return 'etc/oracle-release';
  return 'etc/os-release';
}

/** trivy's OS family names → the os-release IDs Tarsier reports (SLE Micro 6.0 renamed its ID). */
const TRIVY_FAMILY: Record<string, string[]> = {
  ActiveState: ['activestate'],
  Fedora: ['fedora'],
  RedHat: ['rhel'],
  CentOS: ['centos'],
  CentOSStream: ['centos'],
  Rocky: ['rocky'],
  Alma: ['almalinux'],
  Alpine: ['alpine'],
  OpenSUSELeap: ['opensuse-leap'],
  OpenSUSETumbleweed: ['opensuse-tumbleweed'],
  SLEMicro: ['sle-micro', 'sl-micro'],
  CBLMariner: ['mariner'],
  Echo: ['echo'],
  MinimOS: ['minimos'],
  Bottlerocket: ['bottlerocket'],
  CoreOS: ['coreos'],
};

interface ManifestCase {
  id: string;
  file: string;
  path: string;
  expected: Record<string, unknown> & {
    os_family?: string | null;
    os_name?: string | null;
    detected?: boolean;
    id?: string;
    version_id?: string;
    want?: Array<{ did: string; name: string; version: string }>;
    release?: string;
  };
}

const manifest: { cases: ManifestCase[] } = hasData ? JSON.parse(readFileSync(path.join(osDir, 'MANIFEST.json'), 'utf8')) : { cases: [] };

describe.skipIf(!hasData)('os-release analyzer on the 48 real release files', () => {
  it('has all 48 cases', () => {
    expect(manifest.cases).toHaveLength(48);
  });

  for (const c of manifest.cases) {
    it(c.id, async () => {
      const content = readFileSync(path.join(dataDir, c.path));
      const exp = c.expected;
      if (exp.release !== undefined) {
        // claircore asserts the release of a whole etc/ directory; read all its release files together.
        const prefix = c.file.slice(0, c.file.indexOf('.'));
        const siblings = manifest.cases.filter((o) => o.file.startsWith(`${prefix}.`) && o.expected.release === exp.release);
        const files: Record<string, Buffer> = {};
        for (const s of siblings) files[imagePathFor(s.file)] = readFileSync(path.join(dataDir, s.path));
        const { os } = await detect(files);
        const [vendor, major] = exp.release.includes('-') ? (exp.release.split('-') as [string, string]) : ['rhel', exp.release];
        expect(os?.family).toBe(vendor === 'oracle' ? 'ol' : vendor);
        expect(os?.version.split('.')[0]).toBe(major);
        return;
      }
      const { os, facts } = await detect({ [imagePathFor(c.file)]: content });
      if (exp.detected === false) {
        expect(os).toBeNull();
        expect(warnings(facts)).toHaveLength(1);
      } else if (exp.os_family !== undefined) {
        expect(TRIVY_FAMILY[exp.os_family as string]).toContain(os?.family);
        expect(os?.version).toBe(exp.os_name);
        if (exp.os_family === 'CentOSStream') expect(os?.name).toBe('CentOS Stream');
      } else if (exp.id !== undefined) {
        expect(os?.family).toBe(exp.id);
        expect(os?.version).toBe(exp.version_id);
      } else if (exp.want !== undefined) {
        const want = exp.want[0] as { did: string; name: string; version: string };
        expect(os?.family).toBe(want.did);
        expect(os?.name).toBe(want.name);
        // claircore names Alpine releases by major.minor; Tarsier keeps the full VERSION_ID.
        const majorMinor = os?.version === 'edge' ? 'edge' : os?.version.split('.').slice(0, 2).join('.');
        expect(majorMinor).toBe(want.version);
      } else {
        throw new Error(`case ${c.id} has an expectation this test does not understand`);
      }
    });
  }

  it('reads a single redhat-release of an Oracle image as RHEL (only oracle-release tells them apart)', async () => {
    const { os } = await detect({ 'etc/redhat-release': readFileSync(path.join(osDir, 'claircore/rhel-oracle-7.redhat-release')) });
    expect(os).toEqual({ family: 'rhel', name: 'Red Hat Enterprise Linux Server', version: '7.9' });
  });

  it('reports full os-release details (Debian 10)', async () => {
    const { os } = await detect({ 'etc/os-release': readFileSync(path.join(osDir, 'claircore/debian-10.os-release')) });
    expect(os).toEqual({ family: 'debian', name: 'Debian GNU/Linux', version: '10', codename: 'buster' });
  });

  it('finds the wheezy codename in VERSION when VERSION_CODENAME is absent (Debian 7)', async () => {
    const { os } = await detect({ 'etc/os-release': readFileSync(path.join(osDir, 'claircore/debian-7.os-release')) });
    expect(os?.codename).toBe('wheezy');
  });
});

describe('os-release analyzer: distributions the brief names', () => {
  it('CentOS 7: os-release says 7, centos-release 7.9.2009; os-release wins', async () => {
    const { os, facts } = await detect({
      'etc/os-release': 'NAME="CentOS Linux"\nVERSION="7 (Core)"\nID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="7"\n',
      'etc/centos-release': 'CentOS Linux release 7.9.2009 (Core)\n',
    });
    expect(osFacts(facts).map((f) => f.os.version).sort()).toEqual(['7', '7.9.2009']);
    expect(os).toEqual({ family: 'centos', name: 'CentOS Linux', version: '7' });
  });

  it('CentOS 6 (no os-release) from centos-release', async () => {
    const { os } = await detect({ 'etc/centos-release': 'CentOS release 6.10 (Final)\n', 'etc/redhat-release': 'CentOS release 6.10 (Final)\n' });
    expect(os).toEqual({ family: 'centos', name: 'CentOS', version: '6.10' });
  });

  it('Debian 10: os-release VERSION_ID=10 and debian_version 10.13 agree on 10', async () => {
    const osRelease = 'PRETTY_NAME="Debian GNU/Linux 10 (buster)"\nNAME="Debian GNU/Linux"\nVERSION_ID="10"\nVERSION="10 (buster)"\nVERSION_CODENAME=buster\nID=debian\n';
    expect((await detect({ 'etc/os-release': osRelease, 'etc/debian_version': '10.13\n' })).os).toEqual({
      family: 'debian',
      name: 'Debian GNU/Linux',
      version: '10',
      codename: 'buster',
    });
    // Same answer when only debian_version survives.
    expect((await detect({ 'etc/debian_version': '10.13\n' })).os).toEqual({ family: 'debian', name: 'Debian GNU/Linux', version: '10' });
  });

  it('Debian testing: no VERSION_ID, version from debian_version', async () => {
    const osRelease = 'PRETTY_NAME="Debian GNU/Linux trixie/sid"\nNAME="Debian GNU/Linux"\nVERSION_CODENAME=trixie\nID=debian\n';
    expect((await detect({ 'etc/os-release': osRelease, 'etc/debian_version': 'trixie/sid\n' })).os).toEqual({
      family: 'debian',
      name: 'Debian GNU/Linux',
      version: 'trixie/sid',
      codename: 'trixie',
    });
    expect((await detect({ 'etc/os-release': osRelease })).os?.version).toBe('trixie');
  });

  it.skipIf(!hasData)('Debian 12 minbase: usr/lib/os-release (etc/os-release is a symlink) with debian_version 12.x', async () => {
    const dir = path.join(dataDir, 'pkgdb/dpkg/debian12-bookworm-minbase');
    const { os } = await detect({
      'usr/lib/os-release': readFileSync(path.join(dir, 'usr/lib/os-release')),
      'etc/debian_version': readFileSync(path.join(dir, 'etc/debian_version')),
    });
    expect(os).toEqual({ family: 'debian', name: 'Debian GNU/Linux', version: '12', codename: 'bookworm' });
  });

  it('Ubuntu 16.04 from os-release and from lsb-release alone', async () => {
    const osRelease =
      'NAME="Ubuntu"\nVERSION="16.04.7 LTS (Xenial Xerus)"\nID=ubuntu\nID_LIKE=debian\nPRETTY_NAME="Ubuntu 16.04.7 LTS"\nVERSION_ID="16.04"\nVERSION_CODENAME=xenial\nUBUNTU_CODENAME=xenial\n';
    const lsb = 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=16.04\nDISTRIB_CODENAME=xenial\nDISTRIB_DESCRIPTION="Ubuntu 16.04.7 LTS"\n';
    const both = await detect({ 'etc/os-release': osRelease, 'etc/lsb-release': lsb, 'etc/debian_version': 'stretch/sid\n' });
    expect(both.os).toEqual({ family: 'ubuntu', name: 'Ubuntu', version: '16.04', codename: 'xenial' });
    expect((await detect({ 'etc/lsb-release': lsb })).os).toEqual({ family: 'ubuntu', name: 'Ubuntu', version: '16.04', codename: 'xenial' });
  });

  it('EulerOS 2.0 SP8: the service pack is part of the version, from either file', async () => {
    const osRelease = 'NAME="EulerOS"\nVERSION="2.0 (SP8)"\nID="euleros"\nVERSION_ID="2.0"\nPRETTY_NAME="EulerOS 2.0 (SP8)"\nANSI_COLOR="0;31"\n';
    const expected = { family: 'euleros', name: 'EulerOS', version: '2.0 (SP8)' };
    expect((await detect({ 'etc/os-release': osRelease })).os).toEqual(expected);
    expect((await detect({ 'etc/euleros-release': 'EulerOS release 2.0 (SP8)\n' })).os).toEqual(expected);
  });

  it('openEuler: mixed-case ID lower-cased, LTS stream kept', async () => {
    const osRelease = 'NAME="openEuler"\nVERSION="20.03 (LTS-SP3)"\nID="openEuler"\nVERSION_ID="20.03"\nPRETTY_NAME="openEuler 20.03 (LTS-SP3)"\n';
    const expected = { family: 'openeuler', name: 'openEuler', version: '20.03 (LTS-SP3)' };
    expect((await detect({ 'etc/os-release': osRelease })).os).toEqual(expected);
    expect((await detect({ 'etc/openEuler-release': 'openEuler release 20.03 (LTS-SP3)\n' })).os).toEqual(expected);
  });

  it('Alpine edge from alpine-release alone, and a plain Alpine release', async () => {
    expect((await detect({ 'etc/alpine-release': '3.19_alpha20230901\n' })).os?.version).toBe('edge');
    expect((await detect({ 'etc/alpine-release': '3.18.4\n' })).os).toEqual({ family: 'alpine', name: 'Alpine Linux', version: '3.18.4' });
  });

  it('Amazon Linux 2, Rocky, Alma and Fedora release lines', async () => {
    expect((await detect({ 'etc/system-release': 'Amazon Linux release 2 (Karoo)\n' })).os).toMatchObject({ family: 'amzn', version: '2' });
    expect((await detect({ 'etc/rocky-release': 'Rocky Linux release 8.5 (Green Obsidian)\n' })).os).toMatchObject({ family: 'rocky', version: '8.5' });
    expect((await detect({ 'etc/almalinux-release': 'AlmaLinux release 9.4 (Seafoam Ocelot)\n' })).os).toMatchObject({ family: 'almalinux', version: '9.4' });
    expect((await detect({ 'etc/fedora-release': 'Fedora release 35 (Thirty Five)\n' })).os).toMatchObject({ family: 'fedora', version: '35' });
    expect((await detect({ 'etc/redhat-release': 'CentOS Stream release 8\n' })).os).toEqual({ family: 'centos', name: 'CentOS Stream', version: '8' });
  });

  it('legacy SuSE-release with a patch level', async () => {
    const suse = 'SUSE Linux Enterprise Server 11 (x86_64)\nVERSION = 11\nPATCHLEVEL = 4\n';
    expect((await detect({ 'etc/SuSE-release': suse })).os).toEqual({ family: 'sles', name: 'SUSE Linux Enterprise Server', version: '11.4' });
  });

  it('os-release quoting: single quotes, escapes, comments, CRLF', async () => {
    const text = "# comment\r\nNAME='Alpine Linux'\r\nID=\"alp\\\"ine\"\r\nID=alpine # trailing comment\r\nVERSION_ID=\"3.18.4\"\r\n";
    expect((await detect({ 'etc/os-release': text })).os).toEqual({ family: 'alpine', name: 'Alpine Linux', version: '3.18.4' });
  });

  it('etc/os-release outranks usr/lib/os-release when both are regular files', async () => {
    const { os } = await detect({
      'usr/lib/os-release': 'ID=alpine\nVERSION_ID=3.17.0\n',
      'etc/os-release': 'ID=alpine\nVERSION_ID=3.18.0\n',
    });
    expect(os?.version).toBe('3.18.0');
  });

  it('wants only release files', () => {
    expect(osReleaseAnalyzer.wants(entry('etc/os-release', 1))).toBe(true);
    expect(osReleaseAnalyzer.wants(entry('etc/openEuler-release', 1))).toBe(true);
    expect(osReleaseAnalyzer.wants(entry('etc/os-release.bak', 1))).toBe(false);
    expect(osReleaseAnalyzer.wants(entry('opt/etc/os-release', 1))).toBe(false);
  });
});

describe('os-release analyzer: hostile input', () => {
  it('binary garbage: a warning naming the file, no OS', async () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
    for (const p of ['etc/os-release', 'etc/debian_version', 'etc/redhat-release']) {
      const facts = await analyze(p, garbage);
      expect(osFacts(facts)).toEqual([]);
      expect(warnings(facts)).toHaveLength(1);
      expect(warnings(facts)[0]?.message).toContain(p);
    }
  });

  it('a 60 KiB single line: quick, bounded warning, no OS', async () => {
    const line = `${' '.repeat(30 * 1024)}x${' '.repeat(30 * 1024)}`;
    for (const p of ['etc/os-release', 'etc/redhat-release', 'etc/debian_version', 'etc/SuSE-release', 'etc/lsb-release']) {
      const started = Date.now();
      const facts = await analyze(p, line);
      expect(Date.now() - started).toBeLessThan(500);
      expect(osFacts(facts)).toEqual([]);
      const w = warnings(facts);
      expect(w).toHaveLength(1);
      expect(w[0]?.message.length).toBeLessThan(300);
    }
  });

  it('a 60 KiB ID value is rejected with a short message', async () => {
    const facts = await analyze('etc/os-release', `ID=${'a'.repeat(60 * 1024)}\nVERSION_ID=1\n`);
    expect(osFacts(facts)).toEqual([]);
    expect(warnings(facts)[0]?.message.length).toBeLessThan(300);
  });

  it('oversized file: warning, not read', () => {
    const e = entry('etc/os-release', 10 * 1024 * 1024);
    expect(e.size).toBeGreaterThan(osReleaseAnalyzer.maxBytes);
    const facts = osReleaseAnalyzer.oversized?.(e, ctx) ?? [];
    expect(facts).toHaveLength(1);
    expect(facts[0]).toMatchObject({ kind: 'warning', path: 'etc/os-release' });
  });

  it('empty file: warning, no OS', async () => {
    const facts = await analyze('etc/os-release', '');
    expect(osFacts(facts)).toEqual([]);
    expect(warnings(facts)).toHaveLength(1);
  });
});
