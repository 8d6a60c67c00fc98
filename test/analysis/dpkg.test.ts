import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { PackageURL } from 'packageurl-js';
import { describe, expect, it } from 'vitest';
import { dpkgAnalyzer } from '../../src/analysis/analyzers/dpkg.js';
import { baseAnalyzers, buildImage, packageLines, removeDir, scan, tempDir } from '../helpers/image-fixtures.js';
import type { AnalyzerContext, EntryInfo, Fact, Package, PackagesFact, WarningFact } from '../../src/analysis/types.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pkgdbDir = path.resolve(repoRoot, '../shared/data/pkgdb');
const hasData = existsSync(path.join(pkgdbDir, 'MANIFEST.json'));

const ctx: AnalyzerContext = { diffId: 'sha256:test', warn: () => undefined };

function entry(p: string, size: number): EntryInfo {
  return { path: p, type: 'file', size, mode: 0o644, uid: 0, gid: 0 };
}

async function analyze(imagePath: string, content: Buffer | string): Promise<Fact[]> {
  const buf = typeof content === 'string' ? Buffer.from(content) : content;
  return dpkgAnalyzer.analyze(entry(imagePath, buf.length), buf, ctx);
}

const packagesOf = (facts: Fact[]): Package[] => facts.filter((f): f is PackagesFact => f.kind === 'packages').flatMap((f) => f.packages);
const warningsOf = (facts: Fact[]): string[] => facts.filter((f): f is WarningFact => f.kind === 'warning').map((f) => f.message);

interface ManifestCase {
  kind: string;
  case: string;
  folder: string;
  files: Array<{ path: string }>;
}
interface DerivedPackage {
  name: string;
  version: string | null;
  arch: string | null;
  source: string | null;
  source_version: string | null;
  status: string | null;
}
interface Expected {
  derived: Record<string, { tool: string; packages: DerivedPackage[] }>;
  peer_expectations: Array<{ kind: string; packages?: Array<Record<string, unknown>> }>;
}

const manifest = hasData ? (JSON.parse(readFileSync(path.join(pkgdbDir, 'MANIFEST.json'), 'utf8')) as { cases: ManifestCase[] }) : { cases: [] };
const dpkgCases = manifest.cases.filter((c) => c.kind === 'dpkg');
const caseFolder = (c: ManifestCase) => path.resolve(pkgdbDir, '..', c.folder);
const expectedOf = (c: ManifestCase) => JSON.parse(readFileSync(path.join(caseFolder(c), 'expected.json'), 'utf8')) as Expected;
const fileOf = (c: ManifestCase, p: string) => readFileSync(path.join(caseFolder(c), p));

/** What the comparison looks at: the fields the issue asks to agree exactly. */
function identity(p: { name: string; version: string; arch?: string | null; source?: string | null; sourceVersion?: string | null }) {
  return { name: p.name, version: p.version, arch: p.arch ?? '', source: p.source ?? '', sourceVersion: p.sourceVersion ?? p.version };
}
const byKey = (a: { name: string; arch: string }, b: { name: string; arch: string }) => a.name.localeCompare(b.name) || a.arch.localeCompare(b.arch);

describe.skipIf(!hasData)('dpkg analyzer on the real databases', () => {
  it('covers every dpkg case of the manifest', () => {
    expect(dpkgCases.length).toBeGreaterThanOrEqual(12);
  });

  for (const c of dpkgCases) {
    it(`${c.case}: name, version, arch and source of every installed package match`, async () => {
      const expected = expectedOf(c);
      let dbFiles = 0;
      for (const f of c.files) {
        const wanted = dpkgAnalyzer.wants(entry(f.path, 1));
        if (!f.path.startsWith('var/lib/dpkg/')) continue;
        if (f.path.endsWith('.md5sums')) {
          expect(wanted, `${f.path} is a companion file, not a db`).toBe(false);
          continue;
        }
        expect(wanted, f.path).toBe(true);
        dbFiles++;
        const facts = await analyze(f.path, fileOf(c, f.path));
        const got = packagesOf(facts);
        for (const p of got) {
          expect(p.type).toBe('deb');
          expect(p.path).toBe(f.path);
          const purl = PackageURL.fromString(p.purl);
          expect([purl.type, purl.namespace, purl.name, purl.version, purl.qualifiers?.arch]).toEqual(['deb', undefined, p.name, p.version, p.arch]);
        }
        if (c.case === 'not-dpkg-claircore-vcpkg') {
          expect(got).toEqual([]);
          expect(warningsOf(facts).join('\n')).toMatch(/vcpkg/);
          continue;
        }
        // status.d files: the helper parser applies the distroless rule (no Status = installed),
        // which dpkg-query, reading them as a status file, does not.
        const derived = expected.derived[`${f.path} (helper parser)`] ?? expected.derived[f.path];
        expect(derived, `expected list for ${f.path}`).toBeDefined();
        const installed = (derived?.packages ?? []).filter((p) => p.status == null || p.status.split(' ')[2] === 'installed');
        const versioned = installed.filter((p): p is DerivedPackage & { version: string } => p.version !== null);
        const want = versioned.map((p) => identity({ ...p, sourceVersion: p.source_version })).sort(byKey);
        expect(got.map(identity).sort(byKey)).toEqual(want);
        // A stanza the helper listed without a version is reported, not silently dropped.
        for (const p of installed.filter((x) => x.version === null)) expect(warningsOf(facts).join('\n')).toContain(p.name);
      }
      expect(dbFiles).toBeGreaterThan(0);
    });
  }

  it('agrees with trivy on epoch, upstream version and revision for Ubuntu 18.04', async () => {
    const c = dpkgCases.find((x) => x.case === 'ubuntu1804-trivy-valid') as ManifestCase;
    const peer = expectedOf(c).peer_expectations[0]?.packages as Array<{ Name: string; Version: string; Epoch?: number; Release?: string; Arch: string; SrcName: string }>;
    const got = new Map(packagesOf(await analyze('var/lib/dpkg/status', fileOf(c, 'var/lib/dpkg/status'))).map((p) => [p.name, p]));
    expect(got.size).toBe(peer.length);
    for (const want of peer) {
      const p = got.get(want.Name);
      expect(p, want.Name).toBeDefined();
      expect(p?.epoch).toBe(want.Epoch);
      expect(p?.version).toBe(`${want.Epoch !== undefined ? `${want.Epoch}:` : ''}${want.Version}${want.Release ? `-${want.Release}` : ''}`);
      expect(p?.arch).toBe(want.Arch);
      expect(p?.source).toBe(want.SrcName);
    }
  });

  it('keeps the epoch of a third-party package (docker-ce 5:…)', async () => {
    const c = dpkgCases.find((x) => x.case === 'ubuntu-trivy-third-party') as ManifestCase;
    const docker = packagesOf(await analyze('var/lib/dpkg/status', fileOf(c, 'var/lib/dpkg/status'))).find((p) => p.name === 'docker-ce');
    expect(docker).toMatchObject({ version: '5:20.10.7~3-0~debian-buster', epoch: 5, purl: 'pkg:deb/docker-ce@5:20.10.7~3-0~debian-buster?arch=amd64' });
  });

  it('has the official package-name sets of debian:bookworm and debian:bullseye', async () => {
    for (const name of ['debian12-bookworm-minbase', 'debian11-bullseye-minbase']) {
      const c = dpkgCases.find((x) => x.case === name) as ManifestCase;
      // The manifest is dpkg-query's ${binary:Package}: Multi-Arch: same packages carry `:amd64`.
      const official = (expectedOf(c).peer_expectations[0]?.packages as Array<{ name: string }>).map((p) => p.name.replace(/:amd64$/, '')).sort();
      const got = packagesOf(await analyze('var/lib/dpkg/status', fileOf(c, 'var/lib/dpkg/status'))).map((p) => p.name).sort();
      expect(got).toEqual(official);
    }
  });

  it('counts installed stanzas whatever the selection, as osv-scalibr does', async () => {
    const c = dpkgCases.find((x) => x.case === 'debian12-scalibr-statusfield') as ManifestCase;
    const peer = (expectedOf(c).peer_expectations[0]?.packages as Array<{ Name: string }>).map((p) => p.Name).sort();
    const facts = await analyze('var/lib/dpkg/status', fileOf(c, 'var/lib/dpkg/status'));
    expect(packagesOf(facts).map((p) => p.name).sort()).toEqual(peer);
    // Not-installed states and a Status-less stanza are dpkg's normal content, not problems.
    expect(warningsOf(facts)).toEqual([]);
  });

  it('reads the Source: name (version) form (claircore postgresql case)', async () => {
    const c = dpkgCases.find((x) => x.case === 'debian10-claircore-postgresql') as ManifestCase;
    const client = packagesOf(await analyze('var/lib/dpkg/status', fileOf(c, 'var/lib/dpkg/status'))).find((p) => p.name === 'postgresql-client');
    expect(client).toMatchObject({ version: '11+200+deb10u5', source: 'postgresql-common', sourceVersion: '200+deb10u5' });
  });
});

/** Every offset in the first 4 KiB (each line and field boundary), then every 97th byte. */
function cutPoints(length: number): number[] {
  const cuts: number[] = [];
  for (let cut = 0; cut < length; cut += cut < 4096 ? 1 : 97) cuts.push(cut);
  return cuts;
}

const STANZA = (name: string, extra = '') => `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0-1\n${extra}Description: d\n long text\n .\n more\n\n`;

describe('dpkg analyzer: paths', () => {
  it('wants the status file and status.d package files only', () => {
    const wants = (p: string) => dpkgAnalyzer.wants(entry(p, 10));
    expect(wants('var/lib/dpkg/status')).toBe(true);
    expect(wants('var/lib/dpkg/status.d/libc6')).toBe(true);
    expect(wants('var/lib/dpkg/status.d/python3.11')).toBe(true);
    expect(wants('var/lib/dpkg/status.d/libc6.md5sums')).toBe(false);
    expect(wants('var/lib/dpkg/status.d/sub/libc6')).toBe(false);
    expect(wants('var/lib/dpkg/status.d/.hidden')).toBe(false);
    expect(wants('var/lib/dpkg/status-old')).toBe(false);
    expect(wants('var/lib/dpkg/available')).toBe(false);
    expect(wants('usr/var/lib/dpkg/status')).toBe(false);
  });
});

describe('dpkg analyzer: formats and malformed input', () => {
  it('does not let multi-line fields or CRLF line ends break parsing', async () => {
    const text = STANZA('a', 'Conffiles:\n /etc/a 0123\n /etc/b 4567\nPackage-Like: no\n') + STANZA('b');
    expect(packagesOf(await analyze('var/lib/dpkg/status', text)).map((p) => p.name)).toEqual(['a', 'b']);
    const crlf = text.replace(/\n/g, '\r\n');
    const got = packagesOf(await analyze('var/lib/dpkg/status', crlf));
    expect(got.map((p) => [p.name, p.version, p.arch])).toEqual([
      ['a', '1.0-1', 'amd64'],
      ['b', '1.0-1', 'amd64'],
    ]);
  });

  it('takes field names case-insensitively and Source without a version', async () => {
    const got = packagesOf(await analyze('var/lib/dpkg/status', 'package: x\nSTATUS: install ok installed\nversion: 2:3.4\nSource: y\n'));
    expect(got).toEqual([expect.objectContaining({ name: 'x', version: '2:3.4', epoch: 2, source: 'y' })]);
    expect(got[0]?.sourceVersion).toBeUndefined();
  });

  it('counts triggers-pending as installed and half-configured as not', async () => {
    const text = 'Package: t\nStatus: install ok triggers-pending\nVersion: 1\n\nPackage: h\nStatus: install ok half-configured\nVersion: 1\n';
    expect(packagesOf(await analyze('var/lib/dpkg/status', text)).map((p) => p.name)).toEqual(['t']);
  });

  it('skips a stanza with a bad line, with a warning, and keeps the others', async () => {
    const text = `${STANZA('good1')}Package: bad\nStatus: install ok installed\nthis line has no colon\nVersion: 1\n\n${STANZA('good2')}`;
    const facts = await analyze('var/lib/dpkg/status', text);
    expect(packagesOf(facts).map((p) => p.name)).toEqual(['good1', 'good2']);
    expect(warningsOf(facts)).toEqual([expect.stringMatching(/stanza at line 10 \(bad\): line 12 is not a "Field: value" line.*skipped/)]);
  });

  it('warns on a malformed Status, an invalid Version and a repeated field', async () => {
    const text = [
      'Package: s\nStatus: installed\nVersion: 1\n',
      'Package: v\nStatus: install ok installed\nVersion: x:1\n',
      'Package: r\nStatus: install ok installed\nVersion: 1\nVersion: 2\n',
      'Package: e\nStatus: install ok installed\nVersion: 1:\n',
    ].join('\n');
    const facts = await analyze('var/lib/dpkg/status', text);
    expect(packagesOf(facts)).toEqual([]);
    const w = warningsOf(facts).join('\n');
    expect(w).toMatch(/\(s\): malformed Status/);
    expect(w).toMatch(/\(v\): invalid Version "x:1"/);
    expect(w).toMatch(/\(r\): line \d+ repeats field "version"/);
    expect(w).toMatch(/\(e\): invalid Version "1:"/);
  });

  it('never returns a cut value from a truncated file, and never throws', async () => {
    const c = dpkgCases.find((x) => x.case === 'debian12-bookworm-minbase');
    const full = c ? fileOf(c, 'var/lib/dpkg/status') : Buffer.from(STANZA('a') + STANZA('b') + STANZA('c'));
    // A stanza cut short may lose its later lines, but what it keeps is never a cut value: name
    // and version equal the complete file's, arch is equal or absent. (dpkg writes Source before
    // Version, so a stanza that has its Version also has its Source.)
    const complete = new Map(packagesOf(await analyze('var/lib/dpkg/status', full)).map((p) => [`${p.name}\0${p.version}`, p]));
    for (const cut of cutPoints(full.length)) {
      for (const p of packagesOf(await analyze('var/lib/dpkg/status', full.subarray(0, cut)))) {
        const whole = complete.get(`${p.name}\0${p.version}`);
        expect(whole, `cut at ${cut}: ${p.name} ${p.version}`).toBeDefined();
        if (p.arch !== undefined) expect(p.arch, `cut at ${cut}: ${p.name} arch`).toBe(whole?.arch);
        expect([p.source, p.sourceVersion, p.epoch], `cut at ${cut}: ${p.name}`).toEqual([whole?.source, whole?.sourceVersion, whole?.epoch]);
      }
    }
    const cutInVersion = Buffer.from('Package: z\nStatus: install ok installed\nVersion: 1.2.3-');
    const facts = await analyze('var/lib/dpkg/status', cutInVersion);
    expect(packagesOf(facts)).toEqual([]);
    expect(warningsOf(facts).join('\n')).toMatch(/truncated/);
  });

  it('rejects binary garbage with one warning', async () => {
    const garbage = Buffer.alloc(4096);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919) % 256;
    const facts = await analyze('var/lib/dpkg/status', garbage);
    expect(packagesOf(facts)).toEqual([]);
    expect(warningsOf(facts)).toEqual([expect.stringMatching(/binary data/)]);
  });

  it('steps over a huge unwanted field, and rejects a huge wanted one', async () => {
    const hugeDescription = `Package: big\nStatus: install ok installed\nVersion: 1\nDescription: ${'x'.repeat(8 * 1024 * 1024)}\n${' y\n'.repeat(100_000)}\n${STANZA('after')}`;
    const facts = await analyze('var/lib/dpkg/status', hugeDescription);
    expect(packagesOf(facts).map((p) => p.name)).toEqual(['big', 'after']);
    expect(warningsOf(facts)).toEqual([]);
    const hugeVersion = `Package: v\nStatus: install ok installed\nVersion: 1${'0'.repeat(2_000_000)}\n\n${STANZA('after')}`;
    const facts2 = await analyze('var/lib/dpkg/status', hugeVersion);
    expect(packagesOf(facts2).map((p) => p.name)).toEqual(['after']);
    expect(warningsOf(facts2)).toEqual([expect.stringMatching(/\(v\): line 3: version value is \d+ bytes, over the 1024-byte limit/)]);
  });

  it('caps the number of warnings from a garbage text file', async () => {
    const text = Array.from({ length: 500 }, (_, i) => `Package: p${i}\njunk line ${i}\n`).join('\n');
    const w = warningsOf(await analyze('var/lib/dpkg/status', text));
    expect(w.length).toBe(21);
    expect(w[20]).toBe('480 more problems not listed');
  });

  it('says a text file without Package stanzas is not a status file; an empty one is an empty db', async () => {
    const facts = await analyze('var/lib/dpkg/status', 'Name: x\nValue: y\n');
    expect(packagesOf(facts)).toEqual([]);
    expect(warningsOf(facts)).toEqual([expect.stringMatching(/no stanza has a Package field/)]);
    expect(await analyze('var/lib/dpkg/status', '')).toEqual([{ kind: 'packages', path: 'var/lib/dpkg/status', packages: [] }]);
  });

  it('reports an oversized database instead of reading it', () => {
    expect(dpkgAnalyzer.maxBytes).toBe(64 * 1024 * 1024);
    const facts = dpkgAnalyzer.oversized?.(entry('var/lib/dpkg/status', 100 * 1024 * 1024), ctx) ?? [];
    expect(warningsOf(facts)).toEqual([expect.stringMatching(/over the 67108864-byte cap/)]);
  });

  it('never throws on arbitrary bytes or deb822-like text', () => {
    const line = fc.oneof(
      fc.constantFrom('Package: p', 'Status: install ok installed', 'Version: 1:2-3', 'Source: s (1)', 'Architecture: all', '', ' cont', '\t.', '#c', 'Abi: x'),
      fc.string({ maxLength: 40 }),
    );
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 400 }).map((a) => Buffer.from(a)), fc.array(line, { maxLength: 30 }).map((ls) => Buffer.from(ls.join('\n')))), fc.boolean(), (buf, inDir) => {
        const facts = dpkgAnalyzer.analyze(entry(inDir ? 'var/lib/dpkg/status.d/x' : 'var/lib/dpkg/status', buf.length), buf, ctx) as Fact[];
        for (const p of packagesOf(facts)) {
          expect(p.name).not.toBe('');
          expect(p.version).not.toMatch(/\s/);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe.skipIf(!hasData)('dpkg analyzer in a scanned image', () => {
  it('merges status and status.d across layers, with distro purls and the layer that brought each package', async () => {
    const c = (name: string) => dpkgCases.find((x) => x.case === name) as ManifestCase;
    const bookworm = c('debian12-bookworm-minbase');
    const status = fileOf(bookworm, 'var/lib/dpkg/status').toString('utf8');
    const aptStanza = /^Package: apt\n[\s\S]*?^Version: (.*)$/m.exec(status);
    expect(aptStanza?.[1]).toBe('2.6.1');
    const upgraded = status.replace(/^(Package: apt\n[\s\S]*?^Version: )2\.6\.1$/m, '$12.6.1+tarsier1');
    const sqlite = c('distroless-syft-libsqlite3');
    const dir = await tempDir();
    try {
      const built = await buildImage('oci', {
        layers: [
          { entries: [{ path: 'etc/os-release', content: fileOf(bookworm, 'usr/lib/os-release') }, { path: 'var/lib/dpkg/status', content: status }] },
          {
            entries: [
              { path: 'var/lib/dpkg/status', content: upgraded },
              { path: 'var/lib/dpkg/status.d/libsqlite3-0', content: fileOf(sqlite, 'var/lib/dpkg/status.d/libsqlite3-0') },
              { path: 'var/lib/dpkg/status.d/libsqlite3-0.md5sums', content: fileOf(sqlite, 'var/lib/dpkg/status.d/libsqlite3-0.md5sums') },
            ],
          },
        ],
      }, dir, 'img');
      const { inventory, warnings } = await scan(built.ref, { analyzers: [...baseAnalyzers(), dpkgAnalyzer] });
      expect(warnings).toEqual([]);
      expect(inventory.os).toMatchObject({ family: 'debian', version: '12' });
      const lines = packageLines(inventory);
      expect(lines).toHaveLength(89);
      expect(lines).toContain('apt 2.6.1+tarsier1 L2 var/lib/dpkg/status');
      expect(lines).toContain('adduser 3.134 L1 var/lib/dpkg/status');
      expect(lines).toContain('libsqlite3-0 3.34.1-3 L2 var/lib/dpkg/status.d/libsqlite3-0');
      const apt = inventory.packages.find((p) => p.name === 'apt');
      expect(apt?.purl).toBe('pkg:deb/debian/apt@2.6.1+tarsier1?arch=amd64&distro=debian-12');
    } finally {
      await removeDir(dir);
    }
  });
});
