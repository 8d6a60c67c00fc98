import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { PackageURL } from 'packageurl-js';
import { describe, expect, it } from 'vitest';
import { apkAnalyzer } from '../../src/analysis/analyzers/apk.js';
import { baseAnalyzers, buildImage, packageLines, removeDir, scan, tempDir } from '../helpers/image-fixtures.js';
import type { AnalyzerContext, EntryInfo, Fact, Package, PackagesFact, WarningFact } from '../../src/analysis/types.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pkgdbDir = path.resolve(repoRoot, '../shared/data/pkgdb');
const hasData = existsSync(path.join(pkgdbDir, 'MANIFEST.json'));

const DB = 'lib/apk/db/installed';
const ctx: AnalyzerContext = { diffId: 'sha256:test', warn: () => undefined };

function entry(p: string, size: number): EntryInfo {
  return { path: p, type: 'file', size, mode: 0o644, uid: 0, gid: 0 };
}

function analyze(content: Buffer | string): Fact[] {
  const buf = typeof content === 'string' ? Buffer.from(content) : content;
  return apkAnalyzer.analyze(entry(DB, buf.length), buf, ctx) as Fact[];
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
  origin: string | null;
  license: string | null;
}
interface Expected {
  derived: Record<string, { packages: DerivedPackage[] }>;
  peer_expectations: Array<{ packages?: Array<Record<string, unknown>> }>;
}

const manifest = hasData ? (JSON.parse(readFileSync(path.join(pkgdbDir, 'MANIFEST.json'), 'utf8')) as { cases: ManifestCase[] }) : { cases: [] };
const apkCases = manifest.cases.filter((c) => c.kind === 'apk');
const caseFolder = (c: ManifestCase) => path.resolve(pkgdbDir, '..', c.folder);
const expectedOf = (c: ManifestCase) => JSON.parse(readFileSync(path.join(caseFolder(c), 'expected.json'), 'utf8')) as Expected;
const dbOf = (c: ManifestCase) => readFileSync(path.join(caseFolder(c), DB));
const caseNamed = (name: string) => apkCases.find((c) => c.case === name) as ManifestCase;

const identity = (p: { name: string; version: string; arch?: string | null; source?: string | null }) => ({
  name: p.name,
  version: p.version,
  arch: p.arch ?? '',
  source: p.source ?? '',
});

describe.skipIf(!hasData)('apk analyzer on the real databases', () => {
  it('covers every apk case of the manifest', () => {
    expect(apkCases.length).toBeGreaterThanOrEqual(7);
  });

  for (const c of apkCases) {
    it(`${c.case}: name, version, arch, origin and license of every package match, in db order`, () => {
      expect(apkAnalyzer.wants(entry(DB, 1))).toBe(true);
      const facts = analyze(dbOf(c));
      const got = packagesOf(facts);
      const derived = expectedOf(c).derived[DB]?.packages ?? [];
      const versioned = derived.filter((p): p is DerivedPackage & { version: string } => p.version !== null);
      expect(got.map(identity)).toEqual(versioned.map((p) => identity({ ...p, source: p.origin })));
      expect(got.map((p) => p.licenses)).toEqual(versioned.map((p) => (p.license ? [p.license] : undefined)));
      for (const p of got) {
        expect(p.type).toBe('apk');
        expect(p.path).toBe(DB);
        expect(p.epoch).toBeUndefined();
        const purl = PackageURL.fromString(p.purl);
        expect([purl.type, purl.name, purl.version, purl.qualifiers?.arch]).toEqual(['apk', p.name, p.version, p.arch]);
      }
      // A record without a version is dropped, and said so.
      const unversioned = derived.filter((p) => p.version === null);
      expect(warningsOf(facts).length).toBe(unversioned.length);
      for (const p of unversioned) expect(warningsOf(facts).join('\n')).toContain(`(${p.name}) has no V:`);
    });
  }

  it('agrees with trivy on the Alpine 3.3 db (15 packages, the version-less record dropped)', () => {
    const c = caseNamed('alpine33-trivy');
    const peer = expectedOf(c).peer_expectations[0]?.packages as Array<{ Name: string; Version: string; Arch: string; SrcName: string }>;
    expect(packagesOf(analyze(dbOf(c))).map((p) => [p.name, p.version, p.arch, p.source])).toEqual(peer.map((p) => [p.Name, p.Version, p.Arch, p.SrcName]));
  });

  it('agrees with osv-scalibr on Alpine 3.18 and on a record without origin', () => {
    for (const name of ['alpine318-scalibr', 'apk-scalibr-no-origin']) {
      const c = caseNamed(name);
      const peer = expectedOf(c).peer_expectations[0]?.packages as Array<{ name: string; version: string; arch: string; origin: string }>;
      const got = packagesOf(analyze(dbOf(c))).map((p) => [p.name, p.version, p.arch, p.source ?? '']);
      expect(got).toEqual(peer.map((p) => [p.name, p.version, p.arch, p.origin]));
    }
  });
});

/** Every offset in the first 4 KiB (each line and field boundary), then every 97th byte. */
function cutPoints(length: number): number[] {
  const cuts: number[] = [];
  for (let cut = 0; cut < length; cut += cut < 4096 ? 1 : 97) cuts.push(cut);
  return cuts;
}

const RECORD = (name: string, version = '1.0-r0') => `C:Q1abc=\nP:${name}\nV:${version}\nA:x86_64\nS:100\nL:MIT\no:${name}-src\nF:usr/bin\nR:${name}\nZ:Q1xyz=\n\n`;

describe('apk analyzer: formats and malformed input', () => {
  it('wants only the installed db', () => {
    expect(apkAnalyzer.wants(entry('lib/apk/db/installed', 1))).toBe(true);
    expect(apkAnalyzer.wants(entry('lib/apk/db/triggers', 1))).toBe(false);
    expect(apkAnalyzer.wants(entry('usr/lib/apk/db/installed', 1))).toBe(false);
    expect(apkAnalyzer.maxBytes).toBe(64 * 1024 * 1024);
  });

  it('reads CRLF line ends and a missing blank line between records', () => {
    const text = (RECORD('a') + RECORD('b')).replace(/\n/g, '\r\n');
    expect(packagesOf(analyze(text)).map((p) => [p.name, p.version, p.arch, p.source])).toEqual([
      ['a', '1.0-r0', 'x86_64', 'a-src'],
      ['b', '1.0-r0', 'x86_64', 'b-src'],
    ]);
    const glued = RECORD('a').replace(/\n\n$/, '\n') + RECORD('b');
    expect(packagesOf(analyze(glued)).map((p) => p.name)).toEqual(['a', 'b']);
  });

  it('skips a record with a line that is not X:value, with a warning, and keeps the others', () => {
    const facts = analyze(`${RECORD('a')}P:bad\nV:1\nthis is not apk\n\n${RECORD('c')}`);
    expect(packagesOf(facts).map((p) => p.name)).toEqual(['a', 'c']);
    expect(warningsOf(facts)).toEqual([expect.stringMatching(/record at line 12 \(bad\): line 14 is not a "X:value" line.*skipped/)]);
  });

  it('warns on records without a name', () => {
    const facts = analyze(`V:1.0\nA:x86_64\n\n${RECORD('a')}`);
    expect(packagesOf(facts).map((p) => p.name)).toEqual(['a']);
    expect(warningsOf(facts)).toEqual([expect.stringMatching(/record at line 1 has no P:/)]);
  });

  it('never returns a cut value from a truncated file, and never throws', () => {
    const c = apkCases.find((x) => x.case === 'alpine318-scalibr');
    const full = c ? dbOf(c) : Buffer.from(RECORD('a') + RECORD('b') + RECORD('c'));
    // A record cut short may lose its later lines (A:, o:, L:), but what it keeps is never a cut
    // value: name and version equal the complete db's, the rest is equal or absent.
    const complete = new Map(packagesOf(analyze(full)).map((p) => [`${p.name}\0${p.version}`, p]));
    for (const cut of cutPoints(full.length)) {
      for (const p of packagesOf(analyze(full.subarray(0, cut)))) {
        const whole = complete.get(`${p.name}\0${p.version}`);
        expect(whole, `cut at ${cut}: ${p.name} ${p.version}`).toBeDefined();
        for (const k of ['arch', 'source', 'licenses'] as const) if (p[k] !== undefined) expect(p[k], `cut at ${cut}: ${p.name} ${k}`).toEqual(whole?.[k]);
      }
    }
    const facts = analyze('P:musl\nV:1.2.4-r');
    expect(packagesOf(facts)).toEqual([]);
    expect(warningsOf(facts).join('\n')).toMatch(/truncated/);
  });

  it('rejects binary garbage with one warning', () => {
    const garbage = Buffer.alloc(4096);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919) % 256;
    const facts = analyze(garbage);
    expect(packagesOf(facts)).toEqual([]);
    expect(warningsOf(facts)).toEqual([expect.stringMatching(/binary data/)]);
  });

  it('steps over huge file lists and description lines, and rejects a huge version', () => {
    const bigRecord = `P:big\nV:1-r0\nT:${'x'.repeat(4 * 1024 * 1024)}\n${'R:some/file\nZ:Q1abcdefghijklmnopqrstuvwxyz0=\n'.repeat(200_000)}\n`;
    const facts = analyze(bigRecord + RECORD('after'));
    expect(packagesOf(facts).map((p) => p.name)).toEqual(['big', 'after']);
    expect(warningsOf(facts)).toEqual([]);
    const facts2 = analyze(`P:v\nV:1${'0'.repeat(1_000_000)}\n\n${RECORD('after')}`);
    expect(packagesOf(facts2).map((p) => p.name)).toEqual(['after']);
    expect(warningsOf(facts2)).toEqual([expect.stringMatching(/\(v\): line 2: V: value is 1000001 bytes, over the 4096-byte limit/)]);
  });

  it('caps the number of warnings from a garbage text file', () => {
    const w = warningsOf(analyze(Array.from({ length: 300 }, (_, i) => `garbage ${i}\n`).join('\n')));
    expect(w.length).toBe(21);
    expect(w[20]).toBe('280 more problems not listed');
  });

  it('reports an oversized database instead of reading it', () => {
    const facts = apkAnalyzer.oversized?.(entry(DB, 100 * 1024 * 1024), ctx) ?? [];
    expect(warningsOf(facts)).toEqual([expect.stringMatching(/over the 67108864-byte cap/)]);
  });

  it('never throws on arbitrary bytes or apk-like text', () => {
    const line = fc.oneof(fc.constantFrom('P:p', 'V:1.0-r0', 'A:x86_64', 'o:src', 'L:MIT', '', 'R:f', 'x', ':', 'P:'), fc.string({ maxLength: 30 }));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 400 }).map((a) => Buffer.from(a)), fc.array(line, { maxLength: 30 }).map((ls) => Buffer.from(ls.join('\n')))), (buf) => {
        for (const p of packagesOf(analyze(buf))) {
          expect(p.name).not.toMatch(/^$|\s/);
          expect(p.version).not.toMatch(/^$|\s/);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe.skipIf(!hasData)('apk analyzer in a scanned image', () => {
  it('reports the packages of the top-most db, with alpine purls and their layer', async () => {
    const c = caseNamed('alpine370-snyk');
    const db = dbOf(c).toString('utf8');
    // Layer 2 rewrites the db without busybox (as `apk del busybox` would).
    const records = db.split(/\n\n/);
    const withoutBusybox = records.filter((r) => !/^P:busybox$/m.test(r)).join('\n\n');
    expect(withoutBusybox.length).toBeLessThan(db.length);
    const dir = await tempDir();
    try {
      const built = await buildImage(
        'docker-archive',
        {
          layers: [
            { entries: [{ path: 'etc/os-release', content: readFileSync(path.join(caseFolder(c), 'etc/os-release')) }, { path: DB, content: db }] },
            { entries: [{ path: DB, content: withoutBusybox }] },
          ],
        },
        dir,
        'img',
      );
      const { inventory, warnings } = await scan(built.ref, { analyzers: [...baseAnalyzers(), apkAnalyzer] });
      expect(warnings).toEqual([]);
      expect(inventory.os).toMatchObject({ family: 'alpine', version: '3.7.0' });
      const lines = packageLines(inventory);
      expect(lines).toHaveLength(10);
      expect(lines.some((l) => l.startsWith('busybox '))).toBe(false);
      expect(lines).toContain(`musl 1.1.18-r2 L1 ${DB}`);
      expect(inventory.packages.find((p) => p.name === 'musl')).toMatchObject({ source: 'musl', purl: 'pkg:apk/alpine/musl@1.1.18-r2?arch=x86_64&distro=alpine-3.7.0' });
    } finally {
      await removeDir(dir);
    }
  });
});
