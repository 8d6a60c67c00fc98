/**
 * The bundled advisory snapshot (data/advisories/): it reads back through the normal feed readers
 * (format detection included) without a warning, stays small, is an exact extract of the real
 * feeds, and its SOURCES.md lists exactly the demo matches the snapshot implies.
 */
import { execFileSync } from 'node:child_process';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_INVENTORY } from '../../src/demo/packages.js';
import { detectFeedFormat, readFeed } from '../../src/vulndb/read-feed.js';
import type { Advisory } from '../../src/vulndb/types.js';
import { affectingEntry, demoPackages, expectedMatches } from '../../scripts/lib/demo-matches.js';
import { SHARED_DATA } from '../helpers/image-fixtures.js';

const SNAPSHOT = resolve(fileURLToPath(new URL('../../data/advisories', import.meta.url)));
const SHARED_VULNDB = join(SHARED_DATA, 'vulndb');

async function filesOf(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(root, { withFileTypes: true })) {
    const full = join(root, e.name);
    if (e.isDirectory()) out.push(...(await filesOf(full)));
    else out.push(full);
  }
  return out.sort();
}

let files: string[];
let advisories: Advisory[];
const warnings: string[] = [];

beforeAll(async () => {
  files = (await filesOf(SNAPSHOT)).map((f) => relative(SNAPSHOT, f));
  advisories = [];
  for await (const a of readFeed(SNAPSHOT, { warn: (m) => warnings.push(m) })) advisories.push(a);
});

describe('reading the snapshot', () => {
  it('every feed file is recognised by its content and read without a warning', async () => {
    const expectFormat: Array<[RegExp, string]> = [
      [/^alpine-secdb\//, 'alpine-secdb'],
      [/^debian-security-tracker\/data\/D[SL]A\/list$/, 'debian-list'],
      [/^(ubuntu-osv|almalinux-osv|go-vulndb|pypa-advisory-db)\//, 'osv'],
    ];
    for (const f of files) {
      if (f === 'SOURCES.md') continue;
      const want = expectFormat.find(([re]) => re.test(f))?.[1];
      expect(want, f).toBeDefined();
      expect(await detectFeedFormat(join(SNAPSHOT, f)), f).toBe(want);
    }
    expect(warnings).toEqual([]);
  });

  it('holds every feed, with the demo releases covered', () => {
    const bySource = new Map<string, number>();
    for (const a of advisories) bySource.set(a.source, (bySource.get(a.source) ?? 0) + 1);
    expect(bySource.get('osv:ubuntu')).toBe(6);
    for (const s of ['alpine-secdb:v3.18/main', 'alpine-secdb:v3.18/community', 'debian-dsa', 'debian-dla']) expect(bySource.get(s), s).toBeGreaterThan(300);
    for (const s of ['osv:almalinux', 'osv:pypi', 'osv:go']) expect(bySource.get(s), s).toBeGreaterThan(10);
    const namespaces = new Set(advisories.flatMap((a) => a.affected.map((x) => x.namespace)));
    for (const ns of ['debian:10', 'ubuntu:16.04', 'ubuntu-pro:16.04', 'alpine:3.18', 'pypi', 'go', 'almalinux:8', 'almalinux:9']) expect(namespaces.has(ns), ns).toBe(true);
  });

  it('stays under 3 MB', async () => {
    const sizes = await Promise.all(files.map(async (f) => (await stat(join(SNAPSHOT, f))).size));
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThan(3 * 1024 * 1024);
  });
});

describe('an exact extract of the real feeds', () => {
  it('every file except the Debian lists is the shared feed file byte for byte', async () => {
    for (const f of files.filter((x) => x !== 'SOURCES.md' && !x.startsWith('debian-security-tracker/'))) {
      expect((await readFile(join(SNAPSHOT, f))).equals(await readFile(join(SHARED_VULNDB, f))), f).toBe(true);
    }
  });

  it('the Debian lists keep whole advisory blocks of the originals, in order, with every buster advisory', async () => {
    for (const list of ['DSA', 'DLA']) {
      const rel = `debian-security-tracker/data/${list}/list`;
      const original = await readFile(join(SHARED_VULNDB, rel), 'utf8');
      const kept = await readFile(join(SNAPSHOT, rel), 'utf8');
      const blocks = (text: string) => text.split(/\n(?=\[)/).map((b) => b.replace(/\n$/, ''));
      const originalBlocks = blocks(original);
      let at = 0;
      for (const b of blocks(kept)) {
        at = originalBlocks.indexOf(b, at);
        expect(at, b.split('\n')[0]).toBeGreaterThanOrEqual(0);
      }
      expect(blocks(kept).filter((b) => b.includes('[buster]')).length).toBe(originalBlocks.filter((b) => b.includes('[buster]')).length);
    }
  });
});

describe('expected demo matches', () => {
  it('SOURCES.md lists exactly the matches the snapshot and the demo packages imply', async () => {
    const md = await readFile(join(SNAPSHOT, 'SOURCES.md'), 'utf8');
    const listed: string[] = [];
    let image = '';
    for (const line of md.split('\n')) {
      const heading = /^### (\S+) — \d+ matches$/.exec(line);
      if (heading) image = heading[1] as string;
      const row = /^\| ([^|]+) \| ([^|]+) \| ([^|]+) \|/.exec(line);
      if (image && row && row[1] !== 'package' && !row[1]?.startsWith('---')) listed.push(`${image} ${row[1]?.trim()} ${row[2]?.trim()} ${row[3]?.trim()}`);
    }
    const computed = expectedMatches(advisories).map((m) => `${m.image} ${m.packageName} ${m.installedVersion} ${m.advisory}`);
    expect(listed.sort()).toEqual(computed.sort());
  });

  it('covers the three scannable demo images, with the headline advisories', () => {
    const matches = expectedMatches(advisories);
    const has = (image: string, pkg: string, advisory: string) => matches.some((m) => m.image === image && m.packageName === pkg && m.advisory === advisory);
    // DSA-4875-1 fixed openssl in buster at 1.1.1d-0+deb10u6; the demo has deb10u3 (buster 10.4)
    expect(has('demo/debian:10', 'libssl1.1', 'DSA-4875-1')).toBe(true);
    // DSA-4839-1 (Baron Samedit) fixed sudo at 1.8.27-1+deb10u3; the demo has deb10u2
    expect(has('demo/debian:10', 'sudo', 'DSA-4839-1')).toBe(true);
    // USN-4705-1 fixed xenial's sudo at 1.8.16-0ubuntu1.10; the demo has 1.8.16-0ubuntu1.9
    expect(has('demo/ubuntu:16.04', 'sudo', 'USN-4705-1')).toBe(true);
    // USN-4667-1 fixed xenial's apt at 1.2.32ubuntu0.2; libapt-pkg5.0 matches through its source `apt`
    expect(has('demo/ubuntu:16.04', 'libapt-pkg5.0', 'USN-4667-1')).toBe(true);
    // v3.18 secdb: openssl 3.1.4-r0 fixes CVE-2023-5363; libcrypto3 3.1.0-r4 is from origin openssl
    expect(has('demo/alpine:3.18', 'libcrypto3', 'CVE-2023-5363')).toBe(true);
    // PYSEC-2021-108: urllib3 fixed in 1.26.5; the demo pins 1.26.4
    expect(has('demo/alpine:3.18', 'urllib3', 'PYSEC-2021-108')).toBe(true);
    // GO-2023-1737: gin fixed in 1.9.1; the demo binary was built with v1.9.0
    expect(has('demo/alpine:3.18', 'github.com/gin-gonic/gin', 'GO-2023-1737')).toBe(true);
  });

  it('leaves out what is already fixed in the demo versions', () => {
    const byId = (id: string) => advisories.find((a) => a.id === id) as Advisory;
    const pkg = (image: string, name: string) => demoPackages().find((p) => p.image === image && p.name === name);
    const openssh = pkg('demo/debian:10', 'openssh-server');
    const apt = pkg('demo/ubuntu:16.04', 'apt');
    const requests = pkg('demo/alpine:3.18', 'requests');
    expect(openssh && apt && requests).toBeTruthy();
    if (!openssh || !apt || !requests) return;
    // DSA-4539-2 fixed openssh at 1:7.9p1-10+deb10u1; the demo has deb10u2
    expect(affectingEntry(byId('DSA-4539-2'), openssh)).toBeNull();
    // USN-3863-1 fixed apt at 1.2.29ubuntu0.1, long before the demo's 1.2.32ubuntu0.1
    expect(affectingEntry(byId('USN-3863-1'), apt)).toBeNull();
    // PYSEC-2018-28 fixed requests in 2.20.0; the demo has 2.25.1
    expect(affectingEntry(byId('PYSEC-2018-28'), requests)).toBeNull();
  });

  it('every Debian and Ubuntu expectation holds under the real dpkg --compare-versions', () => {
    const pkgs = demoPackages();
    const debMatches = expectedMatches(advisories).filter((m) => m.image !== 'demo/alpine:3.18' && m.fixedVersion !== null);
    expect(debMatches.length).toBeGreaterThan(50);
    for (const m of debMatches) {
      const p = pkgs.find((x) => x.image === m.image && x.name === m.packageName);
      expect(p, m.packageName).toBeDefined();
      // exit status 0: installed source version is lower than the fixed version
      expect(() => execFileSync('dpkg', ['--compare-versions', p?.sourceVersion ?? '', 'lt', m.fixedVersion ?? ''])).not.toThrow();
    }
    expect(DEMO_INVENTORY.debian10.length).toBeGreaterThan(80);
  });
});
