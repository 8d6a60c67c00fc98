/**
 * An independent oracle for the SQLite reader: build a few packages with Debian's rpmbuild,
 * record them in a fresh rpmdb.sqlite with rpm 4.18 (`--justdb`), erase one, and compare the
 * analyzer with `rpm -qa` on the same file. Skipped where rpm is not installed (CI installs it).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRpmDatabase } from '../../src/analysis/analyzers/rpm.js';
import type { Fact, PackagesFact, WarningFact } from '../../src/analysis/types.js';

function has(tool: string): boolean {
  try {
    execFileSync(tool, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const haveRpm = has('rpmbuild') && has('rpm');

const SPECS: Record<string, string> = {
  // Two binaries from one source: the subpackage's SOURCERPM names demo-src.
  'demo-src.spec': `Name: demo-src
Version: 2.0
Release: 1.fc99
Summary: demo
License: GPLv2+
BuildArch: noarch
%description
demo
%package -n libdemo
Summary: library
License: LGPLv2+
%description -n libdemo
library
%package -n demo-big
Summary: a header far larger than one SQLite page
%description -n demo-big
${'A long description line that makes the header spill into overflow pages.\n'.repeat(1500)}
%files
%files -n libdemo
%files -n demo-big
`,
  'demo-tool.spec': `Name: demo-tool
Epoch: 3
Version: 1.2.3
Release: 4.test
Summary: demo
License: MIT and (BSD or GPLv2+)
BuildArch: noarch
%description
demo
%files
`,
  'libstdc++-demo.spec': `Name: libstdc++-demo
Epoch: 0
Version: 8.5.0
Release: 4.el8_5
Summary: plus signs in the name
License: GPLv3+
BuildArch: noarch
%description
demo
%files
`,
  'demo-gone.spec': `Name: demo-gone
Version: 1
Release: 1
Summary: installed, then erased
License: MIT
BuildArch: noarch
%description
demo
%files
`,
};

let work = '';
let db: Buffer;
let rpmQa: string[][] = [];

describe.skipIf(!haveRpm)('rpm analyzer against rpm 4.18 on a generated rpmdb.sqlite', () => {
  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'tarsier-rpmdb-'));
    const specs = path.join(work, 'SPECS');
    const dbPath = path.join(work, 'db');
    mkdirSync(specs);
    mkdirSync(dbPath);
    for (const [name, text] of Object.entries(SPECS)) {
      writeFileSync(path.join(specs, name), text);
      execFileSync('rpmbuild', ['--define', `_topdir ${work}`, '-bb', path.join(specs, name)], { stdio: 'ignore' });
    }
    const rpms = readdirSync(path.join(work, 'RPMS/noarch')).map((f) => path.join(work, 'RPMS/noarch', f));
    const rpm = (...args: string[]) => execFileSync('rpm', ['--dbpath', dbPath, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    rpm('--initdb');
    rpm('-i', '--justdb', '--nodeps', '--noscripts', ...rpms);
    rpm('-e', '--justdb', '--nodeps', '--noscripts', 'demo-gone');
    rpmQa = rpm('-qa', '--qf', '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\t%{LICENSE}\\n')
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    const wal = path.join(dbPath, 'rpmdb.sqlite-wal');
    // rpm checkpoints on close; a non-empty WAL would hold rows the main file lacks.
    expect(statSync(wal, { throwIfNoEntry: false })?.size ?? 0).toBe(0);
    db = readFileSync(path.join(dbPath, 'rpmdb.sqlite'));
  }, 60_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('lists what rpm -qa lists, in the same order, field for field', () => {
    const facts: Fact[] = parseRpmDatabase('var/lib/rpm/rpmdb.sqlite', db);
    expect(facts.filter((f): f is WarningFact => f.kind === 'warning')).toEqual([]);
    const got = facts.filter((f): f is PackagesFact => f.kind === 'packages').flatMap((f) => f.packages);
    const want = rpmQa.map(([name, epoch, version, release, arch, srpm, license]) => ({
      name,
      version: `${epoch === '(none)' ? '' : `${epoch}:`}${version}-${release}`,
      arch,
      source: srpm?.replace(/-[^-]+-[^-]+\.src\.rpm$/, ''),
      licenses: [license],
    }));
    expect(got.map((p) => ({ name: p.name, version: p.version, arch: p.arch, source: p.source, licenses: p.licenses }))).toEqual(want);
    expect(want.map((p) => p.name).sort()).toEqual(['demo-big', 'demo-src', 'demo-tool', 'libdemo', 'libstdc++-demo']);
  });

  it('names the source package of a subpackage and keeps a large header whole', () => {
    const got = parseRpmDatabase('var/lib/rpm/rpmdb.sqlite', db)
      .filter((f): f is PackagesFact => f.kind === 'packages')
      .flatMap((f) => f.packages);
    expect(got.find((p) => p.name === 'libdemo')).toMatchObject({ source: 'demo-src', version: '2.0-1.fc99', licenses: ['LGPLv2+'] });
    expect(got.find((p) => p.name === 'demo-big')).toMatchObject({ source: 'demo-src', version: '2.0-1.fc99' });
    expect(got.find((p) => p.name === 'libstdc++-demo')?.purl).toBe('pkg:rpm/libstdc%2B%2B-demo@8.5.0-4.el8_5?arch=noarch');
  });
});
