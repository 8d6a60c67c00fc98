/**
 * Tarsier as a user meets it, with nothing in-process: Debian's docker-registry with basic auth
 * holding two demo images (docker-archive and OCI layout, pushed with skopeo), the `tarsier` CLI
 * run from source for the token, the advisory import and `serve`, and every assertion made over
 * real HTTP against the served API.
 *
 * The embedded store (PGlite) is single-process: nothing stops two processes opening one data
 * directory, and both would write it. So `token create` and `db import` run BEFORE `serve`, as a
 * user of the embedded store must run them (with DATABASE_URL they could run alongside).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDemoImages } from '../../src/demo/demo-images.js';
import { demoSecrets } from '../../src/demo/secrets.js';
import { pushImage, startRegistry, type RunningRegistry } from '../helpers/registry-server.js';
import { runProcess, type ProcessResult } from './process.js';

const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const ADVISORIES = join(REPO, 'data', 'advisories');

// The children use the embedded store in the temporary data directory, whatever the caller's shell says.
const CHILD_ENV: NodeJS.ProcessEnv = { ...process.env, TARSIER_LOG_LEVEL: 'warn' };
delete CHILD_ENV.DATABASE_URL;
delete CHILD_ENV.TARSIER_SYNC_INTERVAL_MINUTES;

function tarsier(args: string[]): Promise<ProcessResult> {
  return runProcess(process.execPath, ['--import', 'tsx', 'src/cli/dev-entry.ts', ...args], { cwd: REPO, env: CHILD_ENV });
}

async function tokenFor(project: string, dataDir: string): Promise<string> {
  const r = await tarsier(['token', 'create', '--project', project, '--data-dir', dataDir]);
  expect(r.code, r.stderr).toBe(0);
  const token = r.stdout.trimEnd().split('\n').at(-1) ?? '';
  expect(token).toMatch(/^\S{20,}$/);
  return token;
}

/** `skopeo copy` of a docker-archive (pushImage takes OCI layouts). */
async function pushDockerArchive(registry: RunningRegistry, archive: string, dest: string): Promise<void> {
  const r = await runProcess('skopeo', [
    'copy', '--insecure-policy', '--quiet',
    '--dest-creds', `${registry.username}:${registry.password}`, '--dest-tls-verify=false',
    `docker-archive:${archive}`, `docker://${registry.host}/${dest}`,
  ]);
  if (r.code !== 0) throw new Error(`skopeo copy ${archive}: ${r.stderr}`);
}

interface Served {
  child: ChildProcess;
  base: string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** `tarsier serve --port 0`, resolved with its address once it prints the "listening on" line. */
function serve(dataDir: string): Promise<Served> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/dev-entry.ts', 'serve', '--port', '0', '--data-dir', dataDir], {
    cwd: REPO,
    env: CHILD_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)));
  const exit = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return new Promise((res, rej) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`serve did not print "listening on" in 60 s: ${stderr}`));
    }, 60_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        res({ child, base: m[1]!, stderr: () => stderr, exit });
      }
    });
    void exit.then((code) => {
      clearTimeout(timer);
      rej(new Error(`serve exited ${code} before listening: ${stderr}`));
    });
  });
}

interface Reply {
  status: number;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response shapes are asserted field by field
  body: any;
}

let dir: string | undefined;
let registry: RunningRegistry | undefined;
let server: Served | undefined;
let token1 = '';
let token2 = '';
/** Every response body the test saw, to prove no planted secret ever leaves the service. */
const bodies: string[] = [];

async function call(token: string, method: string, path: string, body?: unknown): Promise<Reply> {
  const res = await fetch(`${server!.base}${path}`, {
    method,
    headers: { 'X-Auth-Token': token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  bodies.push(text);
  return { status: res.status, text, body: text === '' ? undefined : JSON.parse(text) };
}

const q = (params: Record<string, string>): string => new URLSearchParams(params).toString();

interface ListedImage {
  namespace: string;
  image_name: string;
  image_version: string;
  image_id: string;
  image_type: string;
  scan_status: string;
  scan_failed_desc?: string;
}

const fullName = (i: { namespace: string; image_name: string }): string => (i.namespace ? `${i.namespace}/${i.image_name}` : i.image_name);
let debian: ListedImage;
let ubuntu: ListedImage;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tarsier-e2e-'));
  const dataDir = join(dir, 'data');
  registry = await startRegistry();
  const reg = registry;
  const images = await writeDemoImages(join(dir, 'images'));
  const deb = images.find((i) => i.name === 'demo/debian:10')!;
  const ubu = images.find((i) => i.name === 'demo/ubuntu:16.04')!;
  expect([deb.format, ubu.format]).toEqual(['docker-archive', 'oci']);
  await Promise.all([pushDockerArchive(reg, deb.path, 'demo/debian:10'), pushImage(reg, { dir: ubu.path, tag: ubu.tag }, 'demo/ubuntu:16.04')]);

  // The test run's migrated empty database (test/global-setup.ts) spares this file PGlite's initdb;
  // without it the first CLI command creates the database, as it does for a user.
  const template = process.env.TARSIER_PGLITE_TEMPLATE;
  if (template) await cp(template, dataDir, { recursive: true });
  token1 = await tokenFor('p1', dataDir);
  token2 = await tokenFor('p2', dataDir);
  const imported = await tarsier(['db', 'import', ADVISORIES, '--data-dir', dataDir]);
  expect(imported.code, imported.stderr).toBe(0);
  expect(imported.stdout).toMatch(/7961 advisories/);

  server = await serve(dataDir);
}, 240_000); // four CLI processes, two skopeo pushes and a registry: minutes on a loaded 2-core machine

afterAll(async () => {
  if (server && server.child.exitCode === null && server.child.signalCode === null) {
    server.child.kill('SIGKILL');
    await server.exit;
  }
  await registry?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a user scanning a private registry', () => {
  it('registers the registry, synchronises it and both images are scanned', async () => {
    const added = await call(token1, 'POST', '/v5/p1/image/registries', {
      registry_name: 'loopback',
      registry_type: 'Other',
      protocol: 'http',
      registry_addr: registry!.host,
      registry_username: registry!.username,
      registry_password: registry!.password,
    });
    expect(added.status, added.text).toBe(200);
    expect(added.text).not.toContain(registry!.password);
    const synced = await call(token1, 'POST', '/v5/p1/image/synchronize', { image_type: 'registry' });
    expect(synced.status, synced.text).toBe(200);

    const deadline = Date.now() + 60_000;
    let listed: ListedImage[] = [];
    for (;;) {
      const r = await call(token1, 'GET', '/v5/p1/image/registries/images?limit=200');
      expect(r.status, r.text).toBe(200);
      listed = r.body.data_list as ListedImage[];
      const failed = listed.find((i) => i.scan_status === 'failed');
      expect(failed, JSON.stringify(failed)).toBeUndefined();
      if (listed.length === 2 && listed.every((i) => i.scan_status === 'success')) break;
      if (Date.now() > deadline) throw new Error(`scans not finished in 60 s: ${JSON.stringify(listed)}\n${server!.stderr()}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(listed.map(fullName).sort()).toEqual(['demo/debian', 'demo/ubuntu']);
    debian = listed.find((i) => fullName(i) === 'demo/debian')!;
    ubuntu = listed.find((i) => fullName(i) === 'demo/ubuntu')!;
    expect(debian.image_version).toBe('10');
    expect(ubuntu.image_version).toBe('16.04');
  }, 70_000);

  it('sensitive information: the planted secrets, masked', async () => {
    const ident = { image_type: debian.image_type, namespace: debian.namespace, image_name: debian.image_name, image_version: debian.image_version, limit: '200' };
    const r = await call(token1, 'GET', `/v5/p1/image/${debian.image_id}/sensitive?${q(ident)}`);
    expect(r.status, r.text).toBe(200);
    const rows = r.body.data_list as Array<{ file_path: string; content: string }>;
    const paths = rows.map((x) => x.file_path.replace(/^\//, ''));
    for (const planted of ['root/.ssh/id_rsa', 'root/.aws/credentials', 'root/.netrc', 'app/.env', 'etc/ssh/ssh_host_ed25519_key', 'tmp/deploy_key.pem']) {
      expect(paths, planted).toContain(planted);
    }
    expect(r.body.total_num).toBe(rows.length);
    for (const row of rows) expect(row.content, row.file_path).toMatch(/\*{4}/);

    // The jump-host image carries only its SSH host key.
    const ubu = { image_type: ubuntu.image_type, namespace: ubuntu.namespace, image_name: ubuntu.image_name, image_version: ubuntu.image_version };
    const u = await call(token1, 'GET', `/v5/p1/image/${ubuntu.image_id}/sensitive?${q(ubu)}`);
    expect(u.status, u.text).toBe(200);
    expect((u.body.data_list as Array<{ file_path: string }>).map((x) => x.file_path.replace(/^\//, ''))).toEqual(['etc/ssh/ssh_host_ed25519_key']);
  });

  it('baseline: the Debian 10 stock configuration fails checks', async () => {
    const r = await call(token1, 'GET', `/v5/p1/image/baseline/risk-configs?${q({ image_type: 'registry', image_id: debian.image_id })}`);
    expect(r.status, r.text).toBe(200);
    const rows = r.body.data_list as Array<{ check_name: string; failed_rule_num: number; check_rule_num: number }>;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((x) => x.check_name === 'Debian 10')).toBe(true);
    expect(rows.reduce((n, x) => n + x.failed_rule_num, 0)).toBeGreaterThan(0);
  });

  it('vulnerabilities: CVE-2021-3156 (sudo, DSA-4839-1 / USN-4705-1) lists both images, CVE-2021-3449 only Debian', async () => {
    const sudo = await call(token1, 'GET', '/v5/p1/image/CVE-2021-3156/images');
    expect(sudo.status, sudo.text).toBe(200);
    const sudoRows = sudo.body.data_list as Array<{ image_name: string; namespace: string; app_name: string; data_list: Array<{ tag_id: string }> }>;
    const tagIds = sudoRows.flatMap((g) => g.data_list.map((t) => t.tag_id));
    expect(tagIds).toEqual(expect.arrayContaining([debian.image_id, ubuntu.image_id]));
    expect(sudoRows.every((g) => g.app_name === 'sudo')).toBe(true);

    const openssl = await call(token1, 'GET', '/v5/p1/image/CVE-2021-3449/images');
    expect(openssl.status, openssl.text).toBe(200);
    const opensslTags = (openssl.body.data_list as Array<{ data_list: Array<{ tag_id: string }> }>).flatMap((g) => g.data_list.map((t) => t.tag_id));
    expect(new Set(opensslTags)).toEqual(new Set([debian.image_id]));
  });

  it('build-command risks: running as root (BCR-001) lists both images, curl | bash (BCR-012) only Debian', async () => {
    const root = await call(token1, 'GET', `/v5/p1/image/build-command-risks/images?${q({ image_type: 'registry', rule_id: 'BCR-001' })}`);
    expect(root.status, root.text).toBe(200);
    expect((root.body.data_list as Array<{ image_id: string }>).map((x) => x.image_id).sort()).toEqual([debian.image_id, ubuntu.image_id].sort());
    const debianOnly = await call(token1, 'GET', `/v5/p1/image/build-command-risks/images?${q({ image_type: 'registry', rule_id: 'BCR-012' })}`);
    expect(debianOnly.status, debianOnly.text).toBe(200);
    const rows = debianOnly.body.data_list as Array<{ image_id: string; risk_detail_info: { risk_num: number } }>;
    expect(rows.map((x) => x.image_id)).toEqual([debian.image_id]);
    expect(rows[0]!.risk_detail_info.risk_num).toBeGreaterThan(0);
  });

  it('Alibaba DescribeImageSensitiveFileByKey: the planted SSH keys of the image', async () => {
    const params = { Action: 'DescribeImageSensitiveFileByKey', Version: '2018-12-03', SensitiveFileKey: 'ssh_private_key', ImageUuid: debian.image_id, ScanRange: '["image"]', Lang: 'en' };
    const r = await call(token1, 'GET', `/?${q(params)}`);
    expect(r.status, r.text).toBe(200);
    const files = r.body.SensitiveFileList as Array<{ FilePath: string; SensitiveFileKey: string; Promt: string }>;
    expect(files.map((f) => f.FilePath).sort()).toEqual(['/etc/ssh/ssh_host_ed25519_key', '/root/.ssh/id_rsa']);
    for (const f of files) {
      expect(f.SensitiveFileKey).toBe('ssh_private_key');
      expect(f.Promt).toMatch(/\*{4}/);
    }
    // Over every image of the project (no ImageUuid): the AWS credentials file is Debian's alone.
    const aws = await call(token1, 'GET', `/?${q({ Action: 'DescribeImageSensitiveFileByKey', Version: '2018-12-03', SensitiveFileKey: 'aws_cli' })}`);
    expect(aws.status, aws.text).toBe(200);
    expect((aws.body.SensitiveFileList as Array<{ FilePath: string }>).map((f) => f.FilePath)).toEqual(['/root/.aws/credentials']);
    // And the images holding a key type: both carry the SSH host key, only Debian a .netrc.
    const holders = async (key: string): Promise<string[]> => {
      const r = await call(token1, 'GET', `/?${q({ Action: 'DescribeImageListBySensitiveFile', Version: '2018-12-03', SensitiveFileKey: key })}`);
      expect(r.status, r.text).toBe(200);
      return (r.body.ImageInfos as Array<{ Uuid: string; Tag: string }>).map((i) => `${i.Uuid}:${i.Tag}`).sort();
    };
    expect(await holders('ssh_private_key')).toEqual([`${debian.image_id}:10`, `${ubuntu.image_id}:16.04`].sort());
    expect(await holders('netrc_cfg')).toEqual([`${debian.image_id}:10`]);
  });

  it('another project\'s token sees none of it', async () => {
    const ident = { image_type: debian.image_type, namespace: debian.namespace, image_name: debian.image_name, image_version: debian.image_version };
    const empty = [
      `/v5/p2/image/registries/images?limit=200`,
      `/v5/p2/image/${debian.image_id}/sensitive?${q(ident)}`,
      `/v5/p2/image/baseline/risk-configs?${q({ image_type: 'registry', image_id: debian.image_id })}`,
      '/v5/p2/image/CVE-2021-3156/images',
      `/v5/p2/image/build-command-risks/images?${q({ image_type: 'registry', rule_id: 'BCR-001' })}`,
    ];
    for (const path of empty) {
      const r = await call(token2, 'GET', path);
      expect(r.status, `${path} ${r.text}`).toBe(200);
      expect(r.body, path).toEqual({ total_num: 0, data_list: [] });
    }
    const ali = await call(token2, 'GET', `/?${q({ Action: 'DescribeImageSensitiveFileByKey', Version: '2018-12-03', SensitiveFileKey: 'ssh_private_key', ImageUuid: debian.image_id })}`);
    expect(ali.status, ali.text).toBe(200);
    expect(ali.body.SensitiveFileList).toEqual([]);
    const aliImages = await call(token2, 'GET', `/?${q({ Action: 'DescribeImageListBySensitiveFile', Version: '2018-12-03', SensitiveFileKey: 'ssh_private_key' })}`);
    expect(aliImages.status, aliImages.text).toBe(200);
    expect(aliImages.body.ImageInfos).toEqual([]);
    // p2's token naming p1 in the path is refused, and says nothing of p1's images.
    const crossed = await call(token2, 'GET', `/v5/p1/image/${debian.image_id}/sensitive?${q(ident)}`);
    expect(crossed.status).toBeGreaterThanOrEqual(400);
    expect(crossed.status).toBeLessThan(500);
    expect(crossed.text).not.toContain('id_rsa');
  });

  /** A PEM key's base64 lines of 40+ characters, but OpenSSH's fixed header line (the same in every key). */
  const keyMaterial = (pem: string): string[] => pem.split('\n').filter((l) => l.length >= 40 && !l.startsWith('-----') && !l.startsWith('b3BlbnNzaC1rZXktdjE'));

  it('no full planted secret appears in any response', () => {
    const s = demoSecrets();
    const whole = [
      registry!.password,
      s.awsAccessKeyId,
      s.awsSecretAccessKey,
      s.dbPassword,
      ...[s.rootSshKey, s.hostKey, s.deployKey].flatMap(keyMaterial),
      /password (\S+)/.exec(s.netrc)![1]!,
      /GITHUB_TOKEN=(\S+)/.exec(s.dotenv)![1]!,
      /APP_SECRET_KEY=(\S+)/.exec(s.dotenv)![1]!,
    ];
    expect(bodies.length).toBeGreaterThan(10);
    for (const secret of whole) {
      expect(secret.length).toBeGreaterThan(8);
      expect(bodies.filter((b) => b.includes(secret)), secret.slice(0, 6)).toEqual([]);
    }
  });

  it('stops cleanly on SIGTERM', async () => {
    server!.child.kill('SIGTERM');
    expect(await server!.exit, server!.stderr()).toBe(0);
  }, 30_000);
});
