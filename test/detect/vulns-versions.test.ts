/**
 * Version comparators: the dpkg and rpm orderings against the real tools on thousands of generated
 * pairs (one batched tool run each), every scheme's documented edge cases, and the algebraic laws
 * (antisymmetry, transitivity) a sort needs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { SCHEMES } from '../../src/detect/vulns/versions/index.js';
import type { Ordering, SchemeName } from '../../src/detect/vulns/versions/index.js';
import { InvalidVersionError } from '../../src/detect/vulns/versions/types.js';

const work = mkdtempSync(path.join(tmpdir(), 'tarsier-versions-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const hasTool = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/** Glues tokens drawn from a small alphabet, so generated pairs often share long prefixes. */
function tokens(alphabet: string[], max: number): fc.Arbitrary<string> {
  return fc.array(fc.constantFrom(...alphabet), { minLength: 0, maxLength: max }).map((t) => t.join(''));
}

/** Deterministic sample of distinct-ish pairs that `scheme` accepts. */
function samplePairs(scheme: SchemeName, version: fc.Arbitrary<string>, count: number, seed: number): Array<[string, string]> {
  const valid = version.filter((v) => SCHEMES[scheme].check(v) === null);
  // half the pairs are near-twins: the second version is the first with a small edit
  const twin = valid.chain((v) =>
    fc.tuple(fc.constant(v), fc.integer({ min: 0, max: v.length }), fc.constantFrom('', '0', '1', '.', '~', 'a', '+', '-1')).map(
      ([base, at, insert]): [string, string] => [base, base.slice(0, at) + insert + base.slice(at)],
    ),
  );
  const pairs = fc.sample(fc.oneof(fc.tuple(valid, valid), twin), { seed, numRuns: count * 2 });
  return pairs.filter(([, b]) => SCHEMES[scheme].check(b) === null).slice(0, count);
}

function mismatches(pairs: Array<[string, string]>, expected: Ordering[], scheme: SchemeName): string[] {
  const bad: string[] = [];
  pairs.forEach(([a, b], i) => {
    const ours = SCHEMES[scheme].compare(a, b);
    if (ours !== expected[i]) bad.push(`${a} vs ${b}: tool ${expected[i]}, ours ${ours}`);
  });
  return bad;
}

/** `dpkg --compare-versions` for every pair, in two parallel shell loops (one exec per question). */
function dpkgOrderings(pairs: Array<[string, string]>): Ordering[] {
  const halves = [pairs.slice(0, pairs.length >> 1), pairs.slice(pairs.length >> 1)];
  const script =
    'while IFS="\t" read -r a b; do if dpkg --compare-versions "$a" lt "$b"; then echo -1; ' +
    'elif dpkg --compare-versions "$a" eq "$b"; then echo 0; else echo 1; fi; done < "$1" > "$1.out"';
  halves.forEach((h, i) => writeFileSync(path.join(work, `dpkg-${i}`), h.map((p) => p.join('\t')).join('\n') + '\n'));
  const run = spawnSync('sh', ['-c', `sh -c '${script}' _ "$0" & sh -c '${script}' _ "$1" & wait`, ...halves.map((_, i) => path.join(work, `dpkg-${i}`))], {
    encoding: 'utf8',
  });
  expect(run.status).toBe(0);
  return halves.flatMap((_, i) => readLines(path.join(work, `dpkg-${i}.out`)));
}

/** rpm 4.18's own `rpm.vercmp` for every pair, in one Lua script run by `rpm --eval`. */
function rpmOrderings(pairs: Array<[string, string]>): Ordering[] {
  const pairsFile = path.join(work, 'rpm-pairs');
  const luaFile = path.join(work, 'vercmp.lua');
  writeFileSync(pairsFile, pairs.map((p) => p.join('\t')).join('\n') + '\n');
  writeFileSync(
    luaFile,
    [
      'local out = {}',
      `for line in io.lines(${JSON.stringify(pairsFile)}) do`,
      '  local a, b = line:match("^([^\\t]*)\\t([^\\t]*)$")',
      '  out[#out + 1] = tostring(rpm.vercmp(a, b))',
      'end',
      `local f = io.open(${JSON.stringify(pairsFile + '.out')}, "w")`,
      'f:write(table.concat(out, "\\n"), "\\n")',
      'f:close()',
    ].join('\n'),
  );
  const run = spawnSync('rpm', ['--eval', `%{lua: dofile(${JSON.stringify(luaFile)})}`], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  return readLines(pairsFile + '.out');
}

function readLines(file: string): Ordering[] {
  return spawnSync('cat', [file], { encoding: 'utf8' })
    .stdout.trim()
    .split('\n')
    .map((l) => Number(l) as Ordering);
}

const dpkgVersion = fc
  .tuple(
    fc.option(fc.constantFrom('0', '1', '2', '10', '01'), { nil: undefined }),
    fc.constantFrom('0', '1', '2', '9', '10', '00'),
    tokens(['0', '1', '2', '9', '10', '00', 'a', 'b', 'z', 'A', 'Z', '.', '+', '~', '-', ':'], 6),
    fc.option(tokens(['0', '1', '2', '10', 'a', 'b', 'Z', '.', '+', '~'], 5), { nil: undefined }),
  )
  .map(([epoch, first, rest, rev]) => `${epoch !== undefined ? `${epoch}:` : ''}${first}${rest}${rev !== undefined ? `-${rev}` : ''}`);

const rpmVersion = fc
  .tuple(
    fc.option(fc.constantFrom('0', '1', '2', '10', '01'), { nil: undefined }),
    tokens(['0', '1', '2', '9', '10', '01', 'a', 'b', 'z', 'A', 'Z', '.', '_', '+', '~', '^'], 6),
    fc.option(tokens(['0', '1', '2', '10', 'a', 'el', '.', '_', '~', '^'], 5), { nil: undefined }),
  )
  .map(([epoch, version, release]) => `${epoch !== undefined ? `${epoch}:` : ''}${version}${release !== undefined ? `-${release}` : ''}`);

describe('dpkg ordering equals dpkg --compare-versions', () => {
  it.skipIf(!hasTool('dpkg'))('on 2,000 generated pairs', () => {
    const pairs = samplePairs('dpkg', dpkgVersion, 2000, 20261123);
    expect(pairs.length).toBe(2000);
    const expected = dpkgOrderings(pairs);
    expect(expected.length).toBe(pairs.length);
    // the generator must exercise all three outcomes, or the comparison proves little
    expect(new Set(expected)).toEqual(new Set([-1, 0, 1]));
    expect(mismatches(pairs, expected, 'dpkg')).toEqual([]);
  }, 240_000); // ~3,000 dpkg execs: a minute on a loaded 2-core machine

  it('follows Debian Policy 5.6.12 and dpkg parsing rules', () => {
    const lt: Array<[string, string]> = [
      ['1.0~rc1', '1.0'],
      ['1.0~~', '1.0~'],
      ['1.0~', '1.0'],
      ['1.0', '1.0+b1'],
      ['1.0-1', '1.0-1.1'],
      ['1.2.3', '1.10'],
      ['1.0a', '1.0b'],
      ['1.0Z', '1.0a'], // letters sort before non-letters, upper before lower
      ['1.0a', '1.0+'],
      ['1:1.0', '2:0.1'],
      ['9.9', '1:0.1'],
      ['2.30-1', '2.30-10'],
      ['1.2.11.dfsg-2+deb11u1', '1.2.11.dfsg-2+deb11u2'],
      ['1:1.2.11.dfsg-0ubuntu2', '1:1.2.11.dfsg-0ubuntu2.1'],
      ['5.2.5-2.1~deb11u1', '5.2.5-2.1'],
      ['1.1.1n-0+deb11u4', '1.1.1w-0+deb11u1'],
    ];
    for (const [a, b] of lt) {
      expect(SCHEMES.dpkg.compare(a, b), `${a} < ${b}`).toBe(-1);
      expect(SCHEMES.dpkg.compare(b, a), `${b} > ${a}`).toBe(1);
    }
    expect(SCHEMES.dpkg.compare('0:1.0', '1.0')).toBe(0);
    expect(SCHEMES.dpkg.compare('1.0-01', '1.0-1')).toBe(0);
    expect(SCHEMES.dpkg.compare('1.0', '1.0-0')).toBe(0); // an absent revision compares like "0"
    expect(SCHEMES.dpkg.compare('1.000', '1.0')).toBe(0);
    // an upstream with hyphens keeps all but the last as part of the upstream version
    expect(SCHEMES.dpkg.parse('1:2.0-beta-3')).toEqual({ epoch: '1', upstream: '2.0-beta', revision: '3' });
    for (const bad of ['', 'a1.0', '1.0-', ':1.0', 'x:1.0', '1:', '1.0 1', '1.0-1_2', '99999999999:1']) {
      expect(SCHEMES.dpkg.check(bad), bad).not.toBeNull();
    }
    expect(() => SCHEMES.dpkg.compare('1.0', 'a')).toThrow(InvalidVersionError);
  });
});

describe('rpm ordering equals rpm 4.18 rpm.vercmp', () => {
  it.skipIf(!hasTool('rpm'))('on 4,000 generated pairs', () => {
    const pairs = samplePairs('rpm', rpmVersion, 4000, 4180);
    expect(pairs.length).toBe(4000);
    const expected = rpmOrderings(pairs);
    expect(expected.length).toBe(pairs.length);
    expect(new Set(expected)).toEqual(new Set([-1, 0, 1]));
    expect(mismatches(pairs, expected, 'rpm')).toEqual([]);
  });

  it('follows the rpm version-comparison rules (rpm.org "RPM version comparison")', () => {
    const lt: Array<[string, string]> = [
      ['1.0~rc1', '1.0'], // tilde: before everything, even the end
      ['1.0', '1.0^git1'], // caret: after the base version...
      ['1.0^git1', '1.0.1'], // ...but before any further segment
      ['1.0^', '1.0.0'],
      ['1.0a', '1.0.1'],
      ['a', '1'], // numeric segments are newer than alphabetic ones
      ['1.2', '1.10'],
      ['1.0', '1.0-1'], // only one side has a release: it is newer
      ['1.0-1', '1.0-1.el8'],
      ['2.0-1', '1:1.0-1'],
      ['1.1.1k-7.el8_6', '1:1.1.1k-7.el8_6'],
      ['3.6.8-47.el8', '3.6.8-51.el8_8.1'],
    ];
    for (const [a, b] of lt) {
      expect(SCHEMES.rpm.compare(a, b), `${a} < ${b}`).toBe(-1);
      expect(SCHEMES.rpm.compare(b, a), `${b} > ${a}`).toBe(1);
    }
    // separators are all alike, leading zeros do not count, and a missing epoch is 0
    expect(SCHEMES.rpm.compare('1.0_1', '1.0.1')).toBe(0);
    expect(SCHEMES.rpm.compare('1.01', '1.1')).toBe(0);
    expect(SCHEMES.rpm.compare('0:1.0-1', '1.0-1')).toBe(0);
    expect(SCHEMES.rpm.compare('1a', '1.a')).toBe(0);
    for (const bad of ['', '1.0-', '1:', '1.0 2']) expect(SCHEMES.rpm.check(bad), bad).not.toBeNull();
  });
});

describe('apk ordering (apk-tools version.c)', () => {
  it('orders suffixes, letters, revisions and leading zeros', () => {
    const ascending = [
      '1.0_alpha',
      '1.0_alpha1',
      '1.0_alpha2',
      '1.0_beta',
      '1.0_pre1',
      '1.0_rc1',
      '1.0',
      '1.0-r1',
      '1.0-r2',
      '1.0-r10',
      '1.0_cvs1',
      '1.0_svn1',
      '1.0_git20230101',
      '1.0_hg1',
      '1.0_p1',
      '1.0a',
      '1.0b',
      '1.01', // a dotted component with leading zeros is a token of its own, below `.0.`...
      '1.0.1',
      '1.1_rc1', // ...and below any plain number, so 1.01 < 1.1, unlike a numeric reading
      '1.1',
      '1.2a3',
      '1.2a10',
      '1.10',
    ];
    assertAscendingOrEqualRuns('apk', ascending, []);
    expect(SCHEMES.apk.compare('1.00', '1.0')).toBe(-1);
    expect(SCHEMES.apk.compare('1.36.0-r9', '1.36.1-r1')).toBe(-1);
    expect(SCHEMES.apk.compare('3.1.4-r5', '3.1.4-r10')).toBe(-1);
    expect(SCHEMES.apk.compare('2.6.3-r0', '2.6.5-r0')).toBe(-1);
    for (const bad of ['', 'r1', '1.0_foo', '1.0A', '1a.2', '1.0-1', '1.0.', '1.0 -r1']) expect(SCHEMES.apk.check(bad), bad).not.toBeNull();
  });
});

describe('semver (npm, crates.io) and Go', () => {
  it('follows semver.org §11', () => {
    const ascending = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.1', '1.1.0', '2.0.0'];
    assertAscendingOrEqualRuns('semver', ascending, []);
    expect(SCHEMES.semver.compare('1.0.0+build.1', '1.0.0+build.2')).toBe(0);
    expect(SCHEMES.semver.compare('v1.2.3', '=1.2.3')).toBe(0);
    for (const bad of ['1.0', '01.0.0', '1.0.0-01', '1.0.0-', 'x']) expect(SCHEMES.semver.check(bad), bad).not.toBeNull();
  });

  it('orders Go pseudo-versions, +incompatible and toolchain versions', () => {
    const ascending = [
      'v0.0.0-20191109021931-daa7c04131f5',
      'v0.0.0-20200101000000-aaaaaaaaaaaa',
      'v1.2.3',
      'v1.2.4-0.20191109021931-daa7c04131f5', // pseudo-version after v1.2.3, before v1.2.4
      'v1.2.4',
      'go1.21rc2',
      'go1.21',
      'v1.21.1',
      'go1.21.3',
    ];
    assertAscendingOrEqualRuns('go', ascending, []);
    expect(SCHEMES.go.compare('v2.0.0+incompatible', 'v2.0.0')).toBe(0);
    expect(SCHEMES.go.compare('1.6.0', 'v1.6.0')).toBe(0);
    expect(SCHEMES.go.compare('go1.21', 'v1.21.0')).toBe(0);
  });
});

describe('PEP 440', () => {
  it('orders the spec summary example and normalises spellings', () => {
    // the ordering example of the "Version specifiers" specification
    const ascending = ['1.dev0', '1.0.dev456', '1.0a1', '1.0a2.dev456', '1.0a12.dev456', '1.0a12', '1.0b1.dev456', '1.0b2', '1.0b2.post345.dev456', '1.0b2.post345', '1.0rc1.dev456', '1.0rc1', '1.0', '1.0+abc.5', '1.0+abc.7', '1.0+5', '1.0.post456.dev34', '1.0.post456', '1.0.15', '1.1.dev1'];
    assertAscendingOrEqualRuns('pep440', ascending, []);
    expect(SCHEMES.pep440.compare('1.0', '1.0.0')).toBe(0);
    expect(SCHEMES.pep440.compare('1.0-1', '1.0.post1')).toBe(0);
    expect(SCHEMES.pep440.compare('1.0alpha1', '1.0a1')).toBe(0);
    expect(SCHEMES.pep440.compare('1.0c1', '1.0rc1')).toBe(0);
    expect(SCHEMES.pep440.compare('v1.0', '1.0')).toBe(0);
    expect(SCHEMES.pep440.compare('1!0.1', '2.0')).toBe(1);
    expect(SCHEMES.pep440.compare('0.12.3', '0.12.2')).toBe(1);
    for (const bad of ['', 'french toast', '1.0+', '1.0.x']) expect(SCHEMES.pep440.check(bad), bad).not.toBeNull();
  });
});

describe('Maven (ComparableVersion)', () => {
  it("orders Maven's own qualifier and number test sequences", () => {
    assertAscendingOrEqualRuns(
      'maven',
      ['1-alpha2snapshot', '1-alpha2', '1-alpha-123', '1-beta-2', '1-beta123', '1-m2', '1-m11', '1-rc', '1-cr2', '1-rc123', '1-SNAPSHOT', '1', '1-sp', '1-sp2', '1-sp123', '1-abc', '1-def', '1-pom-1', '1-1-snapshot', '1-1', '1-2', '1-123'],
      [],
    );
    assertAscendingOrEqualRuns(
      'maven',
      ['2.0', '2.0.a', '2-1', '2.0.2', '2.0.123', '2.1.0', '2.1-a', '2.1b', '2.1-c', '2.1-1', '2.1.0.1', '2.2', '2.123', '11.a2', '11.a11', '11.b2', '11.b11', '11.m2', '11.m11', '11', '11.a', '11b', '11c', '11m'],
      [],
    );
  });

  it('treats null items and aliases as the spec says', () => {
    for (const same of ['1', '1.0', '1.0.0', '1-0', '1.ga', '1-ga', '1.final', '1.0.0.Final', '1-release']) expect(SCHEMES.maven.compare(same, '1'), same).toBe(0);
    expect(SCHEMES.maven.compare('1.foo', '1-foo')).toBe(0);
    expect(SCHEMES.maven.compare('1-foo', '1-1')).toBe(-1);
    expect(SCHEMES.maven.compare('1-1', '1.1')).toBe(-1);
    expect(SCHEMES.maven.compare('1-a1', '1-alpha-1')).toBe(0);
    expect(SCHEMES.maven.compare('1-cr1', '1-rc1')).toBe(0);
    expect(SCHEMES.maven.compare('2.13.4.1', '2.13.4')).toBe(1);
    expect(SCHEMES.maven.compare('9.0.0.M1', '9.0.0')).toBe(-1);
    expect(SCHEMES.maven.compare('4.1.77.Final', '4.1.78.Final')).toBe(-1);
    expect(SCHEMES.maven.compare('2.17.0', '2.3.1')).toBe(1);
    expect(SCHEMES.maven.compare('1.0.0-SNAPSHOT', '1.0.0')).toBe(-1);
  });
});

describe('RubyGems (Gem::Version)', () => {
  it('orders pre-releases below releases and ignores trailing zeros', () => {
    assertAscendingOrEqualRuns('rubygems', ['0.9', '1.0.a', '1.0.a.1', '1.0.b1', '1.0.rc1', '1.0', '1.0.1', '1.1', '1.10'], []);
    expect(SCHEMES.rubygems.compare('1.0', '1')).toBe(0);
    expect(SCHEMES.rubygems.compare('1.0.0', '1')).toBe(0);
    expect(SCHEMES.rubygems.compare('1.0-rc1', '1.0.pre.rc1')).toBe(0);
    expect(SCHEMES.rubygems.compare('5.2.4.3', '5.2.4.10')).toBe(-1);
    expect(SCHEMES.rubygems.compare('6.1.7.2', '6.1.7.10')).toBe(-1);
    expect(SCHEMES.rubygems.compare('1.a', '1.B')).toBe(1); // byte order: B < a
    for (const bad of ['', 'a', '1..2', '1.0 beta']) expect(SCHEMES.rubygems.check(bad), bad).not.toBeNull();
  });
});

describe('NuGet (NuGet.Versioning)', () => {
  it('fills missing parts, compares labels case-insensitively, ignores metadata', () => {
    assertAscendingOrEqualRuns('nuget', ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-Beta', '1.0.0-beta.2', '1.0.0-rc.1', '1.0.0', '1.0.0.1', '1.0.1', '1.1', '2.0.0'], []);
    expect(SCHEMES.nuget.compare('1.0', '1.0.0.0')).toBe(0);
    expect(SCHEMES.nuget.compare('1.0.0-BETA', '1.0.0-beta')).toBe(0);
    expect(SCHEMES.nuget.compare('1.0.0+abc', '1.0.0')).toBe(0);
    expect(SCHEMES.nuget.compare('1.01', '1.1')).toBe(0);
    expect(SCHEMES.nuget.compare('1.0.0-1', '1.0.0-a')).toBe(-1);
    for (const bad of ['', 'v1.0', '1.0.0.0.0', '1.0-']) expect(SCHEMES.nuget.check(bad), bad).not.toBeNull();
  });
});

describe('Composer (VersionParser::normalize + version_compare)', () => {
  it('normalizes the spellings Composer accepts and orders stabilities', () => {
    assertAscendingOrEqualRuns('composer', ['1.0.0-dev', '1.0.0-alpha1', '1.0.0-alpha2', '1.0.0-beta1', '1.0.0-beta2', '1.0.0-beta10', '1.0.0-RC1', '1.0.0', '1.0.0-patch1', '1.0.1', '1.1', '2.0.0.1', '10.0'], []);
    for (const [a, b] of [
      ['v1.2', '1.2.0'],
      ['1.2', '1.2.0.0'],
      ['1.0b2', '1.0.0-beta2'],
      ['1.0.0-b2', '1.0.0-beta.2'],
      ['1.0RC1', '1.0.0-rc1'],
      ['1.0.0-pl1', '1.0.0-patch1'],
      ['1.0.0-p1', '1.0.0-patch1'],
      ['1.0.0-stable', '1.0.0'],
      ['1.0.0+build.5', '1.0.0'],
    ]) {
      expect(SCHEMES.composer.compare(a as string, b as string), `${a} = ${b}`).toBe(0);
    }
    expect(SCHEMES.composer.compare('5.4.29', '5.4.3')).toBe(1);
    for (const bad of ['', 'dev-main', '1.x-dev', '2.x', 'latest']) expect(SCHEMES.composer.check(bad), bad).not.toBeNull();
  });
});

describe('every scheme is a total order on what it accepts', () => {
  const samples: Record<SchemeName, fc.Arbitrary<string>> = {
    dpkg: dpkgVersion,
    rpm: rpmVersion,
    apk: fc
      .tuple(tokens(['0', '1', '10', '01'], 1), tokens(['.0', '.1', '.01', '.10', 'a', '_rc', '_p', '_alpha', '1', '2'], 4), fc.option(fc.constantFrom('-r0', '-r1', '-r10'), { nil: '' }))
      .map(([a, b, c]) => `1${a}${b}${c}`),
    semver: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.option(tokens(['alpha', 'beta', '1', '2', '.'], 3), { nil: undefined })).map(
      ([a, b, c, p]) => `${a}.${b}.${c}${p ? `-${p}` : ''}`,
    ),
    pep440: fc.tuple(tokens(['1', '0', '.1', '.0', '.10'], 3), fc.constantFrom('', 'a1', 'b2', 'rc1', '.post1', '.dev1', 'a1.dev2', '+local.1', '+1')).map(([a, b]) => `1${a}${b}`),
    maven: tokens(['1', '0', '.', '-', 'alpha', 'a', 'beta', 'rc', 'sp', 'ga', 'foo', 'snapshot', '2'], 6).map((s) => `1${s}`),
    go: fc.tuple(fc.nat(3), fc.nat(3), fc.constantFrom('', '-0.20191109021931-daa7c04131f5', '-rc.1', '+incompatible')).map(([a, b, s]) => `v1.${a}.${b}${s}`),
    rubygems: tokens(['.1', '.0', '.10', '.a', '.rc1', '.pre', '-beta', 'b'], 4).map((s) => `1${s}`),
    nuget: fc.tuple(tokens(['.0', '.1', '.10'], 3), fc.constantFrom('', '-alpha', '-Alpha.1', '-beta.2', '-1', '+meta')).map(([a, b]) => `1${a}${b}`),
    composer: fc.tuple(tokens(['.0', '.1', '.10'], 3), fc.constantFrom('', '-alpha', '-beta2', '-RC1', '-patch1', '-dev', 'b1', '-alpha1-dev')).map(([a, b]) => `v1${a}${b}`),
  };
  for (const [name, arb] of Object.entries(samples) as Array<[SchemeName, fc.Arbitrary<string>]>) {
    it(`${name}: antisymmetric and transitive`, () => {
      const valid = arb.filter((v) => SCHEMES[name].check(v) === null);
      fc.assert(
        fc.property(valid, valid, valid, (a, b, c) => {
          const s = SCHEMES[name];
          expect(s.compare(a, b)).toBe(-s.compare(b, a) || 0);
          if (s.compare(a, b) <= 0 && s.compare(b, c) <= 0) expect(s.compare(a, c)).toBeLessThanOrEqual(0);
        }),
        { numRuns: 300, seed: 7 },
      );
    });
  }
});

/** Each element is greater than the previous one, except the listed pairs, which are equal. */
function assertAscendingOrEqualRuns(name: SchemeName, ascending: string[], equal: Array<[string, string]>): void {
  const scheme = SCHEMES[name];
  for (let i = 0; i + 1 < ascending.length; i++) {
    const a = ascending[i] as string;
    const b = ascending[i + 1] as string;
    const isEqual = equal.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
    expect(scheme.compare(a, b), `${name}: ${a} vs ${b}`).toBe(isEqual ? 0 : -1);
  }
}
