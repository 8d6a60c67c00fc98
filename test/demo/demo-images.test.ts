/**
 * The bundled demo images: written quickly, small, byte-identical on every run, readable by the
 * normal sources, and scanned into the OS, packages and findings the demo promises — vulnerabilities
 * from the bundled snapshot (exactly the matches data/advisories/SOURCES.md lists), secrets in the
 * places they were planted, baseline failures from the stock configuration, build-command risks
 * from the recorded history. Detectors not yet run by runDetectors (sensitive, baseline, build
 * risks) are called directly on the scanned inventory.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/analysis/analyze-image.js';
import type { Inventory } from '../../src/analysis/inventory.js';
import { DEMO_IMAGE_NAMES, writeDemoImages, type DemoImage } from '../../src/demo/demo-images.js';
import { isSshHostKeyFile } from '../../src/demo/build-steps.js';
import { DEMO_INVENTORY } from '../../src/demo/packages.js';
import { loadStockRootfs } from '../../src/demo/rootfs/stock.js';
import { demoSecrets } from '../../src/demo/secrets.js';
import { evaluateBaseline } from '../../src/detect/baseline/index.js';
import { evaluateBuildRisks } from '../../src/detect/build/evaluate.js';
import { detectSensitive } from '../../src/detect/sensitive/detect.js';
import { buildIndex, type AdvisoryIndex } from '../../src/detect/vulns/match.js';
import { openImage } from '../../src/image/open-image.js';
import type { Findings } from '../../src/report/model.js';
import { scanSource } from '../../src/scan/pipeline.js';
import { readFeed } from '../../src/vulndb/read-feed.js';
import type { Advisory } from '../../src/vulndb/types.js';
import { expectedMatches, type ExpectedMatch } from '../../scripts/lib/demo-matches.js';
import { removeDir, tempDir } from '../helpers/image-fixtures.js';

const SNAPSHOT = resolve(fileURLToPath(new URL('../../data/advisories', import.meta.url)));

interface Scanned {
  image: DemoImage;
  inventory: Inventory;
  findings: Findings;
  warnings: string[];
}

let dir: string;
let images: DemoImage[];
let writeMs: number;
const advisories: Advisory[] = [];
let index: AdvisoryIndex;
const scanned = new Map<string, Scanned>();

async function filesOf(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(root, { withFileTypes: true })) {
    const full = join(root, e.name);
    if (e.isDirectory()) out.push(...(await filesOf(full)));
    else out.push(full);
  }
  return out;
}

async function hashes(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of (await filesOf(root)).sort()) out[relative(root, f)] = createHash('sha256').update(await readFile(f)).digest('hex');
  return out;
}

function scan(name: string): Scanned {
  const s = scanned.get(name);
  if (!s) throw new Error(`${name} was not scanned`);
  return s;
}

beforeAll(async () => {
  dir = await tempDir('tarsier-demo-');
  const started = Date.now();
  images = await writeDemoImages(dir);
  writeMs = Date.now() - started;
  for await (const a of readFeed(SNAPSHOT)) advisories.push(a);
  index = buildIndex(advisories);
  for (const image of images) {
    const source = await openImage(image.ref, { maxImageBytes: DEFAULT_LIMITS.maxImageBytes });
    const warnings: string[] = [];
    try {
      const { inventory, findings } = await scanSource(source, {
        cache: null,
        limits: DEFAULT_LIMITS,
        platform: 'linux/amd64',
        detect: { ignoreUnfixed: false, advisories: async () => index, onWarning: (m) => warnings.push(m) },
        onWarning: (m) => warnings.push(m),
      });
      scanned.set(image.name, { image, inventory, findings, warnings });
    } finally {
      await source.close();
    }
  }
}, 60_000);

afterAll(async () => {
  await removeDir(dir);
});


describe('writing the demo images', () => {
  it('writes the five images in a few seconds, each well under 5 MB, in both archive formats', async () => {
    expect(images.map((i) => i.name)).toEqual([...DEMO_IMAGE_NAMES]);
    expect(images.map((i) => i.name)).toEqual(['demo/debian:10', 'demo/centos:7', 'demo/ubuntu:16.04', 'demo/euleros:2.0', 'demo/alpine:3.18']);
    expect(new Set(images.map((i) => i.format))).toEqual(new Set(['docker-archive', 'oci']));
    expect(writeMs).toBeLessThan(8000);
    for (const image of images) {
      const files = (await stat(image.path)).isDirectory() ? await filesOf(image.path) : [image.path];
      const size = (await Promise.all(files.map(async (f) => (await stat(f)).size))).reduce((a, b) => a + b, 0);
      expect(size, image.name).toBeGreaterThan(1000);
      expect(size, image.name).toBeLessThan(5 * 1024 * 1024);
      expect(image.ref.startsWith(image.format === 'oci' ? 'oci:' : 'docker-archive:')).toBe(true);
    }
  });

  it('writes byte-identical images every time (stable digests for the demo)', async () => {
    const again = await tempDir('tarsier-demo-again-');
    try {
      await writeDemoImages(again);
      expect(await hashes(again)).toEqual(await hashes(dir));
    } finally {
      await removeDir(again);
    }
  });

  it('every image opens and scans without warnings, history aligned with its layers', () => {
    for (const name of DEMO_IMAGE_NAMES) {
      const { inventory, warnings } = scan(name);
      expect(inventory.warnings, name).toEqual([]);
      expect(warnings.filter((w) => !/end of|no advisory feed/i.test(w)), name).toEqual([]);
      const layerHistory = (inventory.history ?? []).filter((h) => !h.empty_layer);
      expect(layerHistory.length, name).toBe(inventory.artifact.layers.length);
      expect(inventory.artifact.layers.every((l) => l.createdBy), name).toBe(true);
    }
  });
});

describe('OS and packages', () => {
  it('detects each image\'s distribution and release', () => {
    for (const image of images) {
      const os = scan(image.name).inventory.os;
      expect(os && { family: os.family, version: os.version }, image.name).toEqual(image.os);
    }
    expect(scan('demo/debian:10').inventory.os?.codename).toBe('buster');
    expect(scan('demo/ubuntu:16.04').inventory.os?.codename).toBe('xenial');
  });

  it('reads the dpkg databases with source packages, in the layer that installed them', () => {
    for (const [name, want] of [
      ['demo/debian:10', DEMO_INVENTORY.debian10],
      ['demo/ubuntu:16.04', DEMO_INVENTORY.ubuntu1604],
    ] as const) {
      const { inventory } = scan(name);
      const debs = inventory.packages.filter((p) => p.type === 'deb');
      expect(debs.map((p) => `${p.name} ${p.version}`).sort(), name).toEqual(want.map((p) => `${p.name} ${p.version}`).sort());
    }
    const deb = scan('demo/debian:10').inventory;
    const libssl = deb.packages.find((p) => p.name === 'libssl1.1');
    expect(libssl).toMatchObject({ version: '1.1.1d-0+deb10u3', source: 'openssl', arch: 'amd64' });
    expect(deb.packages.find((p) => p.name === 'libxml2')).toMatchObject({ source: 'libxml2', sourceVersion: '2.9.4+dfsg1-7' });
    // base packages come from the first layer; what apt-get installed, from the second
    expect(deb.packages.find((p) => p.name === 'zlib1g')?.layerDiffId).toBe(deb.artifact.layers[0]?.diffId);
    expect(libssl?.layerDiffId).toBe(deb.artifact.layers[1]?.diffId);
  });

  it('reads the Alpine image\'s apk, PyPI, npm and Go packages', () => {
    const { inventory } = scan('demo/alpine:3.18');
    const of = (type: string) => inventory.packages.filter((p) => p.type === type).map((p) => `${p.name} ${p.version}`).sort();
    expect(of('apk')).toEqual(DEMO_INVENTORY.alpine318.map((p) => `${p.name} ${p.version}`).sort());
    expect(inventory.packages.find((p) => p.name === 'libssl3')).toMatchObject({ source: 'openssl' });
    expect(of('pypi')).toEqual(DEMO_INVENTORY.pypi.map((p) => `${p.name} ${p.version}`).sort());
    expect(of('npm')).toEqual(DEMO_INVENTORY.npm.map((p) => `${p.name} ${p.version}`).sort());
    expect(of('golang')).toEqual(expect.arrayContaining(['stdlib v1.20.4', 'github.com/gin-gonic/gin v1.9.0', 'golang.org/x/net v0.8.0']));
  });

  it('the CentOS and EulerOS images carry no package database', () => {
    expect(scan('demo/centos:7').inventory.packages).toEqual([]);
    expect(scan('demo/euleros:2.0').inventory.packages).toEqual([]);
  });
});

describe('vulnerabilities from the bundled snapshot', () => {
  const expectedFor = (image: string): ExpectedMatch[] => expectedMatches(advisories).filter((m) => m.image === image);

  it.each(['demo/debian:10', 'demo/ubuntu:16.04', 'demo/alpine:3.18'])('%s: every match SOURCES.md lists is a finding', (name) => {
    const { findings } = scan(name);
    const expected = expectedFor(name);
    expect(expected.length).toBeGreaterThan(3);
    const missing = expected.filter(
      (m) => !findings.vulnerabilities.some((f) => f.packageName === m.packageName && f.installedVersion === m.installedVersion && (f.id === m.advisory || f.aliases.includes(m.advisory) || m.ids.includes(f.id))),
    );
    expect(missing.map((m) => `${m.packageName} ${m.advisory}`)).toEqual([]);
  });

  it('names the headline findings with their fixed versions', () => {
    const deb = scan('demo/debian:10').findings.vulnerabilities;
    const find = (pkg: string, id: string) => deb.find((f) => f.packageName === pkg && f.id === id);
    expect(find('libssl1.1', 'CVE-2021-3449')).toMatchObject({ fixedVersion: '1.1.1d-0+deb10u6', installedVersion: '1.1.1d-0+deb10u3' });
    expect(find('libssl1.1', 'CVE-2021-3449')?.aliases).toContain('DSA-4875-1');
    expect(find('sudo', 'CVE-2021-3156')).toMatchObject({ fixedVersion: '1.8.27-1+deb10u3' });
    const ubu = scan('demo/ubuntu:16.04').findings.vulnerabilities;
    expect(ubu.find((f) => f.packageName === 'sudo' && f.id === 'CVE-2021-3156')).toMatchObject({ fixedVersion: '1.8.16-0ubuntu1.10' });
    const alp = scan('demo/alpine:3.18').findings.vulnerabilities;
    expect(alp.find((f) => f.packageName === 'urllib3' && (f.id === 'PYSEC-2021-108' || f.aliases.includes('PYSEC-2021-108')))).toMatchObject({ fixedVersion: '1.26.5' });
    expect(alp.some((f) => f.packageName === 'stdlib' && f.packageType === 'golang')).toBe(true);
    expect(alp.some((f) => f.packageName === 'libcrypto3' && f.id === 'CVE-2023-5363')).toBe(true);
  });

  it('reports the end-of-life releases themselves (CentOS 7, Ubuntu 16.04, Debian 10), never a silent zero', () => {
    const eol = (name: string) => scan(name).findings.vulnerabilities.filter((v) => v.status === 'end_of_life' && v.source === 'tarsier-eol').map((v) => v.id);
    expect(eol('demo/centos:7')).toEqual(['OS-EOL-centos-7']);
    expect(eol('demo/ubuntu:16.04')).toEqual(['OS-EOL-ubuntu-16.04']);
    expect(eol('demo/debian:10')).toEqual(['OS-EOL-debian-10']);
    // CentOS has no package database and no feed: the end of life is its only finding
    expect(scan('demo/centos:7').findings.vulnerabilities).toHaveLength(1);
  });
});

describe('planted secrets', () => {
  const facts = (name: string) => scan(name).inventory.sensitive.map((s) => `${s.path} ${s.key}${s.visible ? '' : ' (deleted)'}`).sort();

  it('demo/debian:10: SSH key, AWS credentials, .netrc, .env token, a deleted deploy key and the host key', () => {
    expect(facts('demo/debian:10')).toEqual([
      'app/.env github_personal_token',
      'etc/ssh/ssh_host_ed25519_key ssh_private_key',
      'root/.aws/credentials aws_cli',
      'root/.netrc netrc_cfg',
      'root/.ssh/id_rsa ssh_private_key',
      'tmp/deploy_key.pem github_ssh_key (deleted)',
    ]);
  });

  it('the other images: npm token, Spring datasource password, registry login', () => {
    expect(facts('demo/alpine:3.18')).toEqual(['root/.npmrc npm_token']);
    expect(facts('demo/centos:7')).toEqual(['opt/orders/config/application.properties common_database_cfg']);
    expect(facts('demo/euleros:2.0')).toEqual(['root/.docker/config.json docker_registry_cfg']);
  });

  it('the sensitive report adds the password set with ENV and the token passed as a build argument', () => {
    const deb = detectSensitive(scan('demo/debian:10').inventory);
    expect(deb.some((s) => s.path === 'config:Env')).toBe(true);
    const alp = detectSensitive(scan('demo/alpine:3.18').inventory);
    expect(alp.some((s) => s.path.startsWith('history[') && s.key === 'npm_token')).toBe(true);
    for (const s of [...deb, ...alp]) expect(s.masked).toMatch(/\*{4}/);
  });

  it('the planted values are not the documentation examples scanners ignore', () => {
    const s = demoSecrets();
    expect(s.awsAccessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(s.awsAccessKeyId).not.toContain('EXAMPLE');
    expect(s.rootSshKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU/);
  });
});

describe('baseline', () => {
  it.each([
    ['demo/debian:10', 'Debian 10', ['SYS-01', 'SSH-03']],
    ['demo/ubuntu:16.04', 'Ubuntu16', ['SYS-01', 'SSH-01']],
    ['demo/centos:7', 'CentOS 7', ['SYS-01', 'SSH-06']],
    // openEuler packaging (data/rootfs/euleros/README.md): no TMOUT, LoginGraceTime 120
    ['demo/euleros:2.0', 'EulerOS', ['SYS-46', 'SYS-40', 'SSH-17']],
  ])('%s fails the stock-configuration checks', (name, checkName, mustFail) => {
    const r = evaluateBaseline(scan(name).inventory);
    expect(r.checkName).toBe(checkName);
    const failed = new Set(r.summaries.flatMap((s) => s.rules.filter((x) => x.status === 'failed').map((x) => x.id)));
    for (const id of mustFail) expect(failed.has(id), `${name} ${id}`).toBe(true);
  });

  it('the Ubuntu image\'s `PermitRootLogin yes` is a failed SSH rule with its evidence', () => {
    const r = evaluateBaseline(scan('demo/ubuntu:16.04').inventory);
    const rootLogin = r.summaries.flatMap((s) => s.rules).find((x) => x.status === 'failed' && JSON.stringify(x.evidence ?? []).includes('PermitRootLogin yes'));
    expect(rootLogin).toBeDefined();
  });

  it('EulerOS passes what its packaged files already meet (MaxAuthTries 3, PASS_MIN_DAYS 7, pwquality, pwhistory, faillock)', () => {
    const r = evaluateBaseline(scan('demo/euleros:2.0').inventory);
    const status = new Map(r.summaries.filter((s) => s.standard === 'cn_standard').flatMap((s) => s.rules).map((x) => [x.id, x.status]));
    for (const id of ['SSH-07', 'SYS-02', 'SYS-06', 'SYS-07', 'SYS-09']) expect(status.get(id), id).toBe('passed');
  });

  it.each([
    // the files each image's own build steps change on top of the stock tree (host keys aside)
    ['demo/debian:10', 'debian10', ['etc/passwd', 'etc/shadow', 'etc/group', 'etc/gshadow']], // useradd app
    ['demo/ubuntu:16.04', 'ubuntu1604', ['etc/ssh/sshd_config']], // sed -i PermitRootLogin yes
    ['demo/centos:7', 'centos7', []],
    ['demo/euleros:2.0', 'euleros', []],
  ] as const)('%s carries the stock files of data/rootfs/%s', (name, release, edited: readonly string[]) => {
    const { files } = scan(name).inventory;
    const stock = loadStockRootfs(release).files.filter((f) => !isSshHostKeyFile(f.path) && !edited.includes(f.path));
    const kept = stock.filter((f) => files[f.path]);
    expect(kept.map((f) => f.path)).toEqual(expect.arrayContaining(['etc/login.defs', 'etc/profile']));
    for (const f of kept) expect({ path: f.path, content: files[f.path]?.content, mode: files[f.path]?.mode }).toEqual({ path: f.path, content: f.content, mode: f.mode });
  });

  it('Alpine has no rule pack', () => {
    expect(evaluateBaseline(scan('demo/alpine:3.18').inventory).checkName).toBeNull();
  });
});

describe('build-command risks', () => {
  const rules = (name: string) => new Set(evaluateBuildRisks(scan(name).inventory).findings.map((f) => f.ruleId));

  it('demo/debian:10 shows the risky Dockerfile it was built from', () => {
    const found = rules('demo/debian:10');
    // root, passwordless sudo, chmod 777, ENV password, deleted deploy key, .env/.git copied in,
    // curl | bash, ADD from a URL, SSH server, apt lists left behind
    for (const id of ['BCR-001', 'BCR-004', 'BCR-006', 'BCR-007', 'BCR-012', 'BCR-013', 'BCR-015', 'BCR-019', 'BCR-023', 'BCR-033']) expect(found.has(id), id).toBe(true);
  });

  it('demo/alpine:3.18 runs as a numeric non-root user with a health check, but leaks its npm token build argument', () => {
    const found = rules('demo/alpine:3.18');
    expect(found.has('BCR-008')).toBe(true);
    expect(found.has('BCR-001')).toBe(false);
    expect(found.has('BCR-028')).toBe(false);
  });

  it('the other images run as root', () => {
    for (const name of ['demo/centos:7', 'demo/ubuntu:16.04', 'demo/euleros:2.0']) expect(rules(name).has('BCR-001'), name).toBe(true);
  });
});
