/**
 * Feed readers on the real samples in ../shared/data/vulndb (SOURCES.md gives their provenance
 * and record counts), plus the formats' documented corner cases. The Debian tracker JSON export is
 * not among the samples (too large for the snapshot store), so its test uses a small document
 * written to the export's documented shape.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { isTarsierError } from '../../src/errors.js';
import { parseDebianTrackerJson } from '../../src/vulndb/debian-tracker-json.js';
import { jsonObjectMembers } from '../../src/vulndb/json-object-stream.js';
import { osvToAdvisory } from '../../src/vulndb/osv.js';
import { detectFeedFormat, readFeed } from '../../src/vulndb/read-feed.js';
import type { Advisory } from '../../src/vulndb/types.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const vulndb = path.resolve(repoRoot, '../shared/data/vulndb');
const hasData = existsSync(path.join(vulndb, 'SOURCES.md'));
const work = mkdtempSync(path.join(tmpdir(), 'tarsier-feeds-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function readAll(target: string): Promise<{ advisories: Advisory[]; warnings: string[] }> {
  const advisories: Advisory[] = [];
  const warnings: string[] = [];
  for await (const a of readFeed(target, { warn: (m) => warnings.push(m) })) advisories.push(a);
  return { advisories, warnings };
}

const byId = (list: Advisory[], id: string): Advisory => {
  const found = list.filter((a) => a.id === id);
  expect(found.length, id).toBe(1);
  return found[0] as Advisory;
};

describe.skipIf(!hasData)('format detection', () => {
  it('recognises every sample format from its content', async () => {
    expect(await detectFeedFormat(path.join(vulndb, 'alpine-secdb/v3.18/main.json'))).toBe('alpine-secdb');
    expect(await detectFeedFormat(path.join(vulndb, 'ubuntu-osv/osv/usn/USN-5380-1.json'))).toBe('osv');
    expect(await detectFeedFormat(path.join(vulndb, 'almalinux-osv/advisories/almalinux9/ALSA-2022:6224.json'))).toBe('osv');
    expect(await detectFeedFormat(path.join(vulndb, 'go-vulndb/data/osv/GO-2020-0001.json'))).toBe('osv');
    expect(await detectFeedFormat(path.join(vulndb, 'pypa-advisory-db/vulns/flask/PYSEC-2018-66.yaml'))).toBe('osv');
    expect(await detectFeedFormat(path.join(vulndb, 'debian-security-tracker/data/DSA/list'))).toBe('debian-list');
    expect(await detectFeedFormat(path.join(vulndb, 'debian-security-tracker/data/DLA/list'))).toBe('debian-list');
    // the expectations file is JSON but no feed
    expect(await detectFeedFormat(path.join(vulndb, 'MATCH-EXPECTATIONS.json'))).toBeNull();
    expect(await detectFeedFormat(path.join(vulndb, 'SOURCES.md'))).toBeNull();
  });

  it('refuses a file that is no feed, and a missing path, with one-line errors', async () => {
    const err = await readAll(path.join(vulndb, 'SOURCES.md')).catch((e: unknown) => e);
    expect(isTarsierError(err) && err.code).toBe('input');
    expect(String((err as Error).message)).toMatch(/SOURCES\.md: not a recognised advisory feed/);
    const missing = await readAll(path.join(vulndb, 'no-such-feed')).catch((e: unknown) => e);
    expect(isTarsierError(missing) && missing.code).toBe('not_found');
  });
});

describe.skipIf(!hasData)('Alpine secdb', () => {
  it('reads v3.18 main: origin packages, fixed releases, "0" as not affected, loose ids', async () => {
    const { advisories, warnings } = await readAll(path.join(vulndb, 'alpine-secdb/v3.18/main.json'));
    expect(warnings).toEqual([]);
    // SOURCES.md: secdb JSON keys a package's secfixes by fixed version; every id becomes a record
    expect(advisories.every((a) => a.source === 'alpine-secdb:v3.18/main')).toBe(true);
    const busybox = byId(advisories, 'CVE-2022-48174').affected.find((a) => a.name === 'busybox');
    expect(busybox).toEqual({ namespace: 'alpine:3.18', name: 'busybox', nameKind: 'source', scheme: 'apk', ranges: [{ fixed: '1.36.1-r1' }], status: 'fixed' });
    // avahi: "0": ["CVE-2021-26720"] — never affected
    expect(byId(advisories, 'CVE-2021-26720').affected).toEqual([{ namespace: 'alpine:3.18', name: 'avahi', nameKind: 'source', scheme: 'apk', ranges: [], status: 'not_affected' }]);
    // xen: "CVE-2018-5244 XSA-253" is one issue written with its Xen id as an alias
    expect(byId(advisories, 'CVE-2018-5244').aliases).toEqual(['XSA-253']);
    expect(byId(advisories, 'XSA-248').affected[0]?.ranges).toEqual([{ fixed: '4.10.0-r1' }]);
  });

  it('reads every branch, warning about (not guessing) malformed fixed versions', async () => {
    const { advisories, warnings } = await readAll(path.join(vulndb, 'alpine-secdb'));
    const files = new Set(advisories.map((a) => a.source));
    // SOURCES.md: 38 files; v3.3/community.json has no secfixes at all, so gives no record
    expect(files.size).toBe(37);
    expect(files.has('alpine-secdb:v3.3/community')).toBe(false);
    const namespaces = new Set(advisories.flatMap((a) => a.affected.map((x) => x.namespace)));
    expect([...namespaces].sort()).toEqual(['3.10', '3.11', '3.12', '3.13', '3.14', '3.15', '3.16', '3.17', '3.18', '3.19', '3.20', '3.21', '3.3', '3.4', '3.5', '3.6', '3.7', '3.8', '3.9'].map((v) => `alpine:${v}`).sort());
    // e.g. xen "4.10-1-r1" in v3.11: "-1" is no apk revision; apk itself rejects it
    expect(warnings.some((w) => w.includes('v3.11/main.json: xen: fixed version "4.10-1-r1"'))).toBe(true);
    expect(warnings.length).toBeLessThan(20);
  });
});

describe.skipIf(!hasData)('OSV', () => {
  it('reads Ubuntu USNs as bundles of the CVEs in "upstream", per release and Pro stream', async () => {
    const { advisories, warnings } = await readAll(path.join(vulndb, 'ubuntu-osv'));
    expect(warnings).toEqual([]);
    expect(advisories.map((a) => a.id).sort()).toEqual(['USN-3863-1', 'USN-4667-1', 'USN-4705-1', 'USN-5328-1', 'USN-5355-1', 'USN-5380-1']);
    const bash = byId(advisories, 'USN-5380-1');
    expect(bash.covers).toEqual(['CVE-2019-18276']); // from "upstream": ["UBUNTU-CVE-2019-18276"]
    expect(bash.source).toBe('osv:ubuntu');
    expect(bash.affected.map((a) => [a.namespace, a.name, a.ranges])).toEqual([
      ['ubuntu-pro:14.04', 'bash', [{ fixed: '4.3-7ubuntu1.8+esm2' }]],
      ['ubuntu-pro:16.04', 'bash', [{ fixed: '4.3-14ubuntu1.4+esm1' }]],
      ['ubuntu:18.04', 'bash', [{ fixed: '4.4.18-2ubuntu1.3' }]],
      ['ubuntu:20.04', 'bash', [{ fixed: '5.0-6ubuntu1.2' }]],
    ]);
    expect(bash.affected.every((a) => a.nameKind === 'source' && a.scheme === 'dpkg')).toBe(true);
    expect(byId(advisories, 'USN-4705-1').covers).toEqual(['CVE-2021-3156', 'CVE-2021-23239']);
  });

  it('reads AlmaLinux errata: binary names, epochs in fixed versions, Red Hat impact as severity; skips bug-fix errata', async () => {
    const { advisories, warnings } = await readAll(path.join(vulndb, 'almalinux-osv'));
    expect(warnings).toEqual([]);
    // SOURCES.md: 384 records, of which 18 ALBA + 1 ALEA are bug-fix/enhancement errata
    expect(advisories.length).toBe(365);
    expect(advisories.every((a) => a.id.startsWith('ALSA-'))).toBe(true);
    const openssl = byId(advisories, 'ALSA-2022:6224');
    expect(openssl.severity).toBe('medium'); // "Moderate: openssl security and bug fix update"
    expect(openssl.covers).toEqual(['CVE-2022-1292', 'CVE-2022-1343', 'CVE-2022-1473', 'CVE-2022-2068', 'CVE-2022-2097']);
    expect(openssl.affected.find((a) => a.name === 'openssl')).toMatchObject({ namespace: 'almalinux:9', nameKind: 'binary', scheme: 'rpm', ranges: [{ fixed: '1:3.0.1-41.el9_0' }] });
    const severities = new Set(advisories.map((a) => a.severity));
    expect([...severities].sort()).toEqual(['critical', 'high', 'low', 'medium']);
  });

  it('reads Go vulndb records with aliases, SEMVER ranges and withdrawn marks', async () => {
    const { advisories, warnings } = await readAll(path.join(vulndb, 'go-vulndb'));
    expect(warnings).toEqual([]);
    expect(advisories.length).toBe(543);
    const gin = byId(advisories, 'GO-2020-0001');
    expect(gin.aliases).toEqual(['CVE-2020-36567', 'GHSA-6vm3-jj99-7229']);
    expect(gin.covers).toBeUndefined();
    expect(gin.affected).toEqual([{ namespace: 'go', name: 'github.com/gin-gonic/gin', nameKind: 'binary', scheme: 'go', ranges: [{ fixed: '1.6.0' }], status: 'fixed' }]);
    expect(byId(advisories, 'GO-2022-0617').withdrawn).toBe('2024-08-21T16:25:56Z');
    // every record whose affected list names stdlib keeps it (counted from the files themselves)
    const files = readdirSync(path.join(vulndb, 'go-vulndb/data/osv'));
    const stdlibFiles = files.filter((f) => readFileSync(path.join(vulndb, 'go-vulndb/data/osv', f), 'utf8').includes('"name": "stdlib"'));
    expect(advisories.filter((a) => a.affected.some((x) => x.name === 'stdlib')).length).toBe(stdlibFiles.length);
  });

  it('reads PyPA YAML: PEP 503 names, CVSS vectors, GIT-only ranges through the versions list', async () => {
    const dir = path.join(vulndb, 'pypa-advisory-db/vulns');
    const sample = ['flask', 'apache-skywalking', 'binderhub', 'werkzeug'];
    const all: Advisory[] = [];
    const warnings: string[] = [];
    for (const pkg of sample) {
      const r = await readAll(path.join(dir, pkg));
      all.push(...r.advisories);
      warnings.push(...r.warnings);
    }
    const flask = byId(all, 'PYSEC-2018-66');
    expect(flask.aliases).toEqual(['CVE-2018-1000656', 'GHSA-562c-5r94-xh97']);
    expect(flask.affected[0]).toMatchObject({ namespace: 'pypi', name: 'flask', scheme: 'pep440', ranges: [{ fixed: '0.12.3' }], status: 'fixed' });
    expect(flask.affected[0]?.versions).toContain('0.12.2');
    expect(byId(all, 'PYSEC-2020-342').cvss).toEqual([{ version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }]);
    // binderhub's fixed "0.2.0-n653" is no PEP 440 version: the entry is skipped, and said so
    expect(warnings).toEqual([expect.stringContaining('PYSEC-2021-371: affected[0]: fixed "0.2.0-n653": not a PEP 440 version')]);
  });

  it('reads the per-ecosystem zip as published (all.zip of records)', async () => {
    const members = ['GO-2020-0001.json', 'GO-2022-0617.json'].map((f) => ({ name: f, data: readFileSync(path.join(vulndb, 'go-vulndb/data/osv', f)) }));
    members.push({ name: 'README.txt', data: Buffer.from('not a record') }, { name: 'broken.json', data: Buffer.from('{"id": ') });
    const zipFile = path.join(work, 'all.zip');
    writeFileSync(zipFile, storedZip(members));
    expect(await detectFeedFormat(zipFile)).toBe('osv-zip');
    const { advisories, warnings } = await readAll(zipFile);
    expect(advisories.map((a) => a.id)).toEqual(['GO-2020-0001', 'GO-2022-0617']);
    expect(warnings).toEqual([expect.stringMatching(/all\.zip!broken\.json: not valid JSON/)]);
  });

  it('keeps a malformed affected entry out, with a warning, and rejects non-records', () => {
    const warnings: string[] = [];
    const a = osvToAdvisory(
      {
        id: 'GHSA-test-0000-0000',
        aliases: ['CVE-2099-0001'],
        affected: [
          { package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: 'not-a-version' }] }] },
          { package: { ecosystem: 'npm', name: 'right-pad' }, ranges: [{ type: 'SEMVER', events: [{ fixed: '2.0.0' }, { introduced: '1.0.0' }, { introduced: '3.0.0' }, { last_affected: '3.1.0' }] }] },
          { package: { ecosystem: 'Android', name: 'x' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] },
        ],
      },
      (m) => warnings.push(m),
    );
    expect(warnings).toEqual([expect.stringContaining('affected[0]: fixed "not-a-version"')]);
    // events are sorted by version before pairing, as the OSV evaluation algorithm does
    expect(a.affected).toEqual([{ namespace: 'npm', name: 'right-pad', nameKind: 'binary', scheme: 'semver', ranges: [{ introduced: '1.0.0', fixed: '2.0.0' }, { introduced: '3.0.0', lastAffected: '3.1.0' }], status: 'fixed' }]);
    // a bundle's CVEs are the issues it covers; another vendor's erratum id is only an alias
    const bundle = osvToAdvisory({ id: 'RLSA-2099:1', aliases: ['RHSA-2099:1'], related: ['CVE-2099-0001', 'CVE-2099-0002'], affected: [] });
    expect([bundle.covers, bundle.aliases]).toEqual([['CVE-2099-0001', 'CVE-2099-0002'], ['RHSA-2099:1']]);
    expect(() => osvToAdvisory([])).toThrow(/JSON object/);
    expect(() => osvToAdvisory({ summary: 'x' })).toThrow(/no "id"/);
  });
});

describe.skipIf(!hasData)('Debian DSA/DLA lists', () => {
  it('reads all 5,406 DSAs and 3,534 DLAs with their CVEs, suites and states', async () => {
    const { advisories, warnings } = await readAll(path.join(vulndb, 'debian-security-tracker'));
    const dsa = advisories.filter((a) => a.source === 'debian-dsa');
    const dla = advisories.filter((a) => a.source === 'debian-dla');
    expect(dsa.length).toBe(5406); // SOURCES.md counts
    expect(dla.length).toBe(3534);
    const xorg = byId(advisories, 'DSA-5380-1');
    expect(xorg).toMatchObject({ title: 'xorg-server: security update', published: '2023-03-29', covers: ['CVE-2023-1393'] });
    expect(xorg.affected).toEqual([{ namespace: 'debian:11', name: 'xorg-server', nameKind: 'source', scheme: 'dpkg', ranges: [{ fixed: '2:1.20.11-1+deb11u6' }], status: 'fixed' }]);
    // "[lenny] - openoffice.org <not-affected> (Vulnerable code not present)"
    expect(byId(advisories, 'DSA-2275-1').affected.map((a) => [a.namespace, a.status])).toEqual([
      ['debian:6', 'fixed'],
      ['debian:5', 'not_affected'],
    ]);
    // "[jessie] - virtualbox <end-of-life>": no CVEs, the DSA itself is the issue
    const virtualbox = byId(advisories, 'DSA-3699-1');
    expect(virtualbox.covers).toBeUndefined();
    expect(virtualbox.affected).toEqual([{ namespace: 'debian:8', name: 'virtualbox', nameKind: 'source', scheme: 'dpkg', ranges: [], status: 'end_of_life' }]);
    // "[sarge] - backupninja 0.5-3sarge1 (medium)": the urgency is Debian's rating
    expect(byId(advisories, 'DSA-827-1').affected[0]).toMatchObject({ namespace: 'debian:3.1', severity: 'medium' });
    // double spaces ("curl  7.26.0-1+wheezy5") are read; only real oddities are reported
    expect(byId(advisories, 'DSA-2798-1').affected.map((a) => a.ranges[0]?.fixed)).toEqual(['7.21.0-2.1+squeeze5', '7.26.0-1+wheezy5']);
    expect(warnings).toEqual([expect.stringContaining('fixed version "kernel-image-2.4.17-ia64"')]);
    expect(byId(advisories, 'DLA-3377-1').affected).toEqual([expect.objectContaining({ namespace: 'debian:10', name: 'systemd', ranges: [{ fixed: '241-7~deb10u9' }] })]);
  });
});

describe('Debian tracker JSON export', () => {
  const doc = {
    openssl: {
      'CVE-2023-0286': {
        description: 'X.400 address type confusion in X.509 GeneralName',
        scope: 'remote',
        releases: {
          bullseye: { status: 'resolved', repositories: { bullseye: '1.1.1w-0+deb11u1' }, fixed_version: '1.1.1t-0+deb11u1', urgency: 'high' },
          bookworm: { status: 'resolved', repositories: { bookworm: '3.0.15-1~deb12u1' }, fixed_version: '3.0.8-1', urgency: 'high' },
          sid: { status: 'resolved', repositories: { sid: '3.3.2-1' }, fixed_version: '3.0.8-1', urgency: 'high' },
        },
      },
      'CVE-2007-5536': {
        description: 'Unspecified vulnerability in OpenSSL before A.00.09.07l on HP-UX',
        releases: { bookworm: { status: 'resolved', repositories: {}, fixed_version: '0', urgency: 'unimportant' } },
      },
    },
    'tar': {
      'CVE-2005-2541': {
        description: 'Tar 1.15.1 does not properly warn the user when extracting setuid or setgid files',
        releases: {
          bookworm: { status: 'open', repositories: { bookworm: '1.34+dfsg-1.2+deb12u1' }, urgency: 'unimportant', nodsa: 'Intended behaviour', nodsa_reason: 'ignored' },
          bullseye: { status: 'open', repositories: { bullseye: '1.34+dfsg-1+deb11u1' }, urgency: 'low', nodsa_reason: 'postponed' },
          buster: { status: 'open', repositories: { buster: '1.30+dfsg-6' }, urgency: 'end-of-life' },
          trixie: { status: 'undetermined', repositories: {}, urgency: 'not yet assigned' },
        },
      },
    },
    'weird \\"name\\"': {},
  };

  it('maps release states to vendor statuses and urgencies to severities', async () => {
    const text = JSON.stringify(doc, null, 1);
    const advisories: Advisory[] = [];
    for await (const a of parseDebianTrackerJson(chunked(text, 7), 'json')) advisories.push(a);
    expect(advisories.map((a) => a.id)).toEqual(['CVE-2023-0286', 'CVE-2007-5536', 'CVE-2005-2541']);
    expect(advisories[0]?.affected).toEqual([
      { namespace: 'debian:11', name: 'openssl', nameKind: 'source', scheme: 'dpkg', ranges: [{ fixed: '1.1.1t-0+deb11u1' }], status: 'fixed', severity: 'high' },
      { namespace: 'debian:12', name: 'openssl', nameKind: 'source', scheme: 'dpkg', ranges: [{ fixed: '3.0.8-1' }], status: 'fixed', severity: 'high' },
    ]); // sid has no release number an image reports
    expect(advisories[1]?.affected.map((a) => a.status)).toEqual(['not_affected']);
    expect(advisories[2]?.affected.map((a) => [a.namespace, a.status, a.severity])).toEqual([
      ['debian:12', 'will_not_fix', 'low'],
      ['debian:11', 'fix_deferred', 'low'],
      ['debian:10', 'end_of_life', undefined],
      ['debian:13', 'under_investigation', undefined],
    ]);
    expect(advisories.every((a) => a.source === 'debian-tracker')).toBe(true);
  });

  it('is recognised in a folder and streamed member by member', async () => {
    const file = path.join(work, 'tracker.json');
    writeFileSync(file, JSON.stringify(doc));
    expect(await detectFeedFormat(file)).toBe('debian-tracker-json');
    const members: string[] = [];
    for await (const m of jsonObjectMembers(chunked(JSON.stringify(doc), 1))) members.push(m.key);
    expect(members).toEqual(['openssl', 'tar', 'weird \\"name\\"']);
    await expect(async () => {
      for await (const _ of jsonObjectMembers(chunked('{"a": {"b": 1}', 3))) void _;
    }).rejects.toThrow(/ended before the top-level object closed/);
    await expect(async () => {
      for await (const _ of jsonObjectMembers(chunked('["a"]', 3))) void _;
    }).rejects.toThrow(/expected "\{"/);
  });
});

describe.skipIf(!hasData)('a folder of mixed feeds', () => {
  it('recognises each file by content and reads them all', async () => {
    const dir = path.join(work, 'mixed');
    mkdirSync(path.join(dir, 'nested'), { recursive: true });
    writeFileSync(path.join(dir, 'main.json'), readFileSync(path.join(vulndb, 'alpine-secdb/v3.7/main.json')));
    writeFileSync(path.join(dir, 'nested/USN-5355-1.json'), readFileSync(path.join(vulndb, 'ubuntu-osv/osv/usn/USN-5355-1.json')));
    writeFileSync(path.join(dir, 'nested/PYSEC-2018-66.yaml'), readFileSync(path.join(vulndb, 'pypa-advisory-db/vulns/flask/PYSEC-2018-66.yaml')));
    writeFileSync(path.join(dir, 'list'), readFileSync(path.join(vulndb, 'debian-security-tracker/data/DLA/list')).subarray(0, 2000).toString('utf8').replace(/\n[^\n]*$/, '\n'));
    writeFileSync(path.join(dir, 'notes.json'), '{"hello": "world"}');
    writeFileSync(path.join(dir, 'README.md'), '# feeds');
    const { advisories, warnings } = await readAll(dir);
    const sources = new Set(advisories.map((a) => a.source));
    expect([...sources].sort()).toEqual(['alpine-secdb:v3.7/main', 'debian-dla', 'osv:pypi', 'osv:ubuntu']);
    expect(warnings).toEqual([
      // v3.7 main writes one fixed version that is no apk version: reported, not guessed
      expect.stringMatching(/main\.json: py-django: fixed version "1\.11-20-r0"/),
      expect.stringMatching(/notes\.json: not a recognised advisory feed; skipped$/),
    ]);
  });
});

/** Splits text into fixed-size pieces, as a slow network would deliver it. */
async function* chunked(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** A minimal zip archive with stored (uncompressed) members, for the OSV zip reader. */
function storedZip(members: Array<{ name: string; data: Buffer }>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, data } of members) {
    const nameBytes = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const centralDir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(centralDir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralDir, end]);
}
