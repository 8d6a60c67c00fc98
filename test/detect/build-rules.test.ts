/** Every build-command rule: a passing and a failing image (config, history and files), table-driven. */
import { describe, expect, it } from 'vitest';
import type { Inventory, MergedFile } from '../../src/analysis/inventory.js';
import type { ImageConfig } from '../../src/image/types.js';
import { BUILD_RULES, evaluateBuildRisks, type BuildRiskFinding, type BuildRiskOptions } from '../../src/detect/build/index.js';
import { configFilesAnalyzer, configTreeAnalyzer, keepModeFor } from '../../src/analysis/analyzers/config-files.js';

interface FileSpec {
  content?: string;
  mode?: number;
  /** Index of the layer (k-th layer-producing history entry) that wrote it. */
  layer?: number;
  size?: number;
}

interface ImageSpec {
  /** created_by lines; a leading `~` marks an empty_layer entry. */
  history?: string[];
  config?: NonNullable<ImageConfig['config']>;
  files?: Record<string, FileSpec>;
  special?: Array<{ path: string; mode: number; layer?: number; type?: string }>;
  sensitive?: Array<{ path: string; key: string; visible: boolean; layer: number }>;
  packages?: Array<{ name: string; layer: number }>;
  ref?: string;
}

const diff = (k: number) => `sha256:${String(k).padStart(64, '0')}`;
const PASSWD = 'root:x:0:0:root:/root:/bin/bash\napp:x:1000:1000::/home/app:/bin/sh\nadmin:x:0:0::/root:/bin/bash\n';

function image(spec: ImageSpec): Inventory {
  const history = (spec.history ?? ['/bin/sh -c #(nop) ADD file:2e3a37883f56a4a278bec2931fc9f91fb9ebdaa9047540fe8fde419b84a1701b in / ', '~/bin/sh -c #(nop)  CMD ["/bin/sh"]']).map((h) =>
    h.startsWith('~') ? { created_by: h.slice(1), empty_layer: true } : { created_by: h },
  );
  const layers = history.filter((h) => !h.empty_layer).length;
  const diffIds = Array.from({ length: layers }, (_, k) => diff(k));
  const files: Record<string, MergedFile> = {};
  const all: Record<string, FileSpec> = { 'etc/passwd': { content: PASSWD }, ...spec.files };
  for (const [path, f] of Object.entries(all)) {
    files[path] = { kind: 'file', path, mode: f.mode ?? 0o644, uid: 0, gid: 0, size: f.size ?? (f.content ?? '').length, content: f.content ?? '', encoding: 'utf8', truncated: false, layerDiffId: diff(f.layer ?? 0) };
  }
  return {
    artifact: { ref: spec.ref ?? 'registry.example/app:1.0', type: 'registry', digest: 'sha256:feed', configDigest: 'sha256:c0', size: 0, layers: diffIds.map((d) => ({ digest: d, diffId: d, size: 0 })), platform: 'linux/amd64' },
    os: null,
    packages: (spec.packages ?? []).map((p) => ({ type: 'deb', name: p.name, version: '1.0', path: 'var/lib/dpkg/status', purl: `pkg:deb/debian/${p.name}@1.0`, layerDiffId: diff(p.layer) })),
    files,
    symlinks: {},
    specialModes: (spec.special ?? []).map((s) => ({ path: s.path, mode: s.mode, uid: 0, type: s.type ?? 'file', layerDiffId: diff(s.layer ?? 0) })),
    sensitive: (spec.sensitive ?? []).map((s) => ({ kind: 'sensitive', path: s.path, key: s.key, severity: 'high', md5: '0', masked: '***', layerDigest: diff(s.layer), layerDiffId: diff(s.layer), visible: s.visible })),
    config: { architecture: 'amd64', os: 'linux', config: { User: '1000', Healthcheck: { Test: ['CMD', 'true'] }, ...spec.config }, rootfs: { type: 'layers', diff_ids: diffIds }, history },
    history,
    warnings: [],
  };
}

const BASE = ['/bin/sh -c #(nop) ADD file:2e3a37883f56a4a278bec2931fc9f91fb9ebdaa9047540fe8fde419b84a1701b in / ', '~/bin/sh -c #(nop)  CMD ["/bin/sh"]'];
const run = (cmd: string) => ({ history: [...BASE, `RUN /bin/sh -c ${cmd} # buildkit`] });

interface Case {
  id: string;
  pass: ImageSpec;
  fail: ImageSpec;
  options?: BuildRiskOptions;
  /** Expectations on the failing finding. */
  want?: Partial<Pick<BuildRiskFinding, 'severity' | 'buildInstruction' | 'historyIndex' | 'layerDiffId'>>;
}

const CASES: Case[] = [
  { id: 'BCR-001', pass: { config: { User: '10001' } }, fail: { config: { User: '' } }, want: { buildInstruction: '--' } },
  { id: 'BCR-001', pass: { config: { User: 'app:app' } }, fail: { config: { User: 'admin' } } },
  { id: 'BCR-001', pass: { history: [...BASE, '~USER root', '~USER 1000'] }, fail: { history: [...BASE, '~USER app', '~USER root'], config: { User: 'root' } }, want: { buildInstruction: 'USER root', historyIndex: 3 } },
  { id: 'BCR-002', pass: { config: { User: '1000:1000' } }, fail: { config: { User: 'app' } }, want: { buildInstruction: 'USER app' } },
  { id: 'BCR-003', pass: run('apt-get install -y curl'), fail: run('sudo apt-get install -y curl'), want: { buildInstruction: 'RUN sudo apt-get install -y curl', layerDiffId: diff(1) } },
  { id: 'BCR-004', pass: { files: { 'etc/sudoers.d/app': { content: 'root ALL=(ALL) NOPASSWD: ALL\n# app ALL=(ALL) NOPASSWD: ALL\n' } } }, fail: { files: { 'etc/sudoers.d/app': { content: 'app ALL=(ALL) NOPASSWD: ALL\n' } } }, want: { buildInstruction: '--' } },
  { id: 'BCR-004', pass: run("echo 'app ALL=(ALL) /usr/bin/apt-get' >> /etc/sudoers"), fail: run("echo 'app ALL=(ALL) NOPASSWD: ALL' >> /etc/sudoers") },
  { id: 'BCR-005', pass: run('chmod 755 /usr/local/bin/tool'), fail: run('chmod u+s /usr/local/bin/tool') },
  { id: 'BCR-005', pass: run('chmod 0755 x'), fail: run('chmod 4755 x') },
  { id: 'BCR-005', pass: { special: [{ path: 'usr/bin/passwd', mode: 0o4755 }] }, fail: { special: [{ path: 'opt/app/helper', mode: 0o4755 }] } },
  { id: 'BCR-006', pass: run('chmod 1777 /app/tmp && chmod -R 750 /app'), fail: run('chmod -R 777 /app') },
  { id: 'BCR-006', pass: { history: [...BASE, 'COPY --chmod=755 app /app # buildkit'] }, fail: { history: [...BASE, 'COPY --chmod=777 app /app # buildkit'] } },
  { id: 'BCR-006', pass: run('chmod g+w /app'), fail: run('chmod a+rwX /app') },
  { id: 'BCR-006', pass: { special: [{ path: 'tmp', mode: 0o1777, type: 'dir' }] }, fail: { special: [{ path: 'app/data.db', mode: 0o666 }] } },
  { id: 'BCR-007', pass: { config: { Env: ['POSTGRES_PASSWORD_FILE=/run/secrets/pg', 'GPG_KEYS=A4A9406876FCBD3C456770C88C718D3B5072E1F5', 'AUTH_ENABLED=true'] } }, fail: { config: { Env: ['DB_PASSWORD=s3cr3t-pw'] } }, want: { severity: 'high', buildInstruction: 'ENV DB_PASSWORD=******' } },
  { id: 'BCR-007', pass: { config: { Env: ['PATH=/usr/bin'] } }, fail: { config: { Env: ['DEPLOY=AKIAIOSFODNN7EXAMPLE'] }, history: [...BASE, '~ENV DEPLOY=AKIAIOSFODNN7EXAMPLE'] }, want: { severity: 'critical', buildInstruction: 'ENV DEPLOY=AKIA******', historyIndex: 2 } },
  {
    id: 'BCR-008',
    pass: { history: [...BASE, '|1 VERSION=1.2 /bin/sh -c make'] },
    fail: { history: [...BASE, '|1 NPM_TOKEN=s3cr3tvalue /bin/sh -c npm ci', '|1 NPM_TOKEN=s3cr3tvalue /bin/sh -c npm run build'] },
    want: { buildInstruction: 'RUN |1 NPM_TOKEN=****** /bin/sh -c npm ci', historyIndex: 2 },
  },
  { id: 'BCR-008', pass: { history: [...BASE, '~ARG GITHUB_TOKEN'] }, fail: { history: [...BASE, '~ARG GITHUB_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB'] }, want: { severity: 'critical', buildInstruction: 'ARG GITHUB_TOKEN=ghp_******' } },
  { id: 'BCR-009', pass: run('echo "$PW" | docker login -u me --password-stdin registry'), fail: run('docker login -u me -p s3cret registry'), want: { buildInstruction: 'RUN docker login -u me -p ****** registry' } },
  { id: 'BCR-009', pass: run('git clone https://github.com/org/repo'), fail: run('git clone https://bot:hunter2@github.com/org/repo'), want: { buildInstruction: 'RUN git clone https://bot:******@github.com/org/repo' } },
  { id: 'BCR-009', pass: run('curl -u "$USER:$PASS" https://x'), fail: run('curl -H "Authorization: Bearer abcdef123456" https://x') },
  { id: 'BCR-009', pass: run('mysql -h db -p"$MYSQL_PWD" < init.sql'), fail: run('PGPASSWORD=pw123 psql -h db -f init.sql') },
  { id: 'BCR-010', pass: run('usermod -L root'), fail: run("echo 'root:toor' | chpasswd"), want: { buildInstruction: "RUN echo 'root:******' | chpasswd" } },
  { id: 'BCR-010', pass: run('useradd -r -s /sbin/nologin svc'), fail: run('useradd -m -p "$(openssl passwd -1 secret)" dev') },
  { id: 'BCR-010', pass: { files: { 'etc/shadow': { content: 'root:*:19000:0:99999:7:::\napp:!:19000:0:90:7:::\n' } } }, fail: { files: { 'etc/shadow': { content: 'root:*:19000:0:99999:7:::\napp:$6$salt$hash:19000:0:90:7:::\n' } } }, want: { buildInstruction: '--' } },
  { id: 'BCR-011', pass: { files: { 'etc/shadow': { content: 'app:!:19000:0:90:7:::\n' } } }, fail: { files: { 'etc/shadow': { content: 'app::19000:0:90:7:::\n' } } } },
  { id: 'BCR-011', pass: run('passwd -l app'), fail: run('passwd -d app') },
  {
    id: 'BCR-012',
    pass: { history: [...BASE, 'COPY id_rsa /root/.ssh/ # buildkit'], sensitive: [{ path: 'root/.ssh/id_rsa', key: 'ssh_private_key', visible: true, layer: 1 }] },
    fail: { history: [...BASE, 'COPY id_rsa /root/.ssh/ # buildkit', 'RUN /bin/sh -c rm /root/.ssh/id_rsa # buildkit'], sensitive: [{ path: 'root/.ssh/id_rsa', key: 'ssh_private_key', visible: false, layer: 1 }] },
    want: { buildInstruction: 'COPY id_rsa /root/.ssh/', historyIndex: 2, layerDiffId: diff(1) },
  },
  {
    id: 'BCR-013',
    pass: { history: [...BASE, 'RUN /bin/sh -c ssh-keyscan github.com > /root/.ssh/known_hosts # buildkit'], files: { 'root/.ssh/known_hosts': { layer: 1 } } },
    fail: { history: [...BASE, 'COPY . /app # buildkit'], files: { 'app/.git/HEAD': { layer: 1 }, 'app/Dockerfile': { layer: 1 } } },
    want: { buildInstruction: 'COPY . /app', severity: 'medium' },
  },
  { id: 'BCR-013', pass: { history: [...BASE, 'COPY . /app # buildkit'], files: { 'app/main.py': { layer: 1 } } }, fail: { history: [...BASE, 'COPY . /app # buildkit'], files: { 'app/.env': { layer: 1 } } }, want: { severity: 'high' } },
  { id: 'BCR-014', pass: run('apt-get install -y openssh-server && rm -f /etc/ssh/ssh_host_*'), fail: run('ssh-keygen -A') },
  {
    id: 'BCR-014',
    pass: { ...run('apt-get install -y openssh-server'), files: {} },
    fail: { ...run('apt-get install -y openssh-server'), files: { 'etc/ssh/ssh_host_ed25519_key': { layer: 1, mode: 0o600 } } },
  },
  { id: 'BCR-015', pass: run('curl -fsSLo /tmp/i.sh https://x/i.sh && echo "abc  /tmp/i.sh" | sha256sum -c - && sh /tmp/i.sh'), fail: run('curl -fsSL https://x/i.sh | bash') },
  { id: 'BCR-015', pass: run('curl -fsSL https://x/a.tgz | tar xz -C /opt'), fail: run('wget -qO- https://x/i.sh | sudo -E sh -s -- -y') },
  { id: 'BCR-015', pass: run('bash /opt/setup.sh'), fail: run('bash <(curl -s https://x/i.sh)') },
  { id: 'BCR-016', pass: run('curl -fsSL https://x -o y'), fail: run('curl -fsSLk https://x -o y') },
  { id: 'BCR-016', pass: run('pip install --index-url https://pypi.internal/simple x'), fail: run('pip install --trusted-host pypi.internal x') },
  { id: 'BCR-016', pass: { config: { Env: ['NODE_ENV=production'] } }, fail: { config: { Env: ['NODE_TLS_REJECT_UNAUTHORIZED=0'] } }, want: { severity: 'high', buildInstruction: 'ENV NODE_TLS_REJECT_UNAUTHORIZED=0' } },
  { id: 'BCR-017', pass: run('apt-get install -y curl'), fail: run('apt-get install -y --allow-unauthenticated curl') },
  { id: 'BCR-017', pass: run('dnf install -y httpd'), fail: run('dnf install -y --nogpgcheck httpd') },
  {
    id: 'BCR-017',
    pass: { files: { 'etc/yum.repos.d/x.repo': { content: '[x]\nbaseurl=https://x\ngpgcheck=1\n# gpgcheck=0\n' } } },
    fail: { files: { 'etc/yum.repos.d/x.repo': { content: '[x]\nbaseurl=https://x\ngpgcheck = 0\n' } } },
    want: { buildInstruction: '--' },
  },
  { id: 'BCR-017', pass: { files: { 'etc/apt/sources.list': { content: 'deb http://deb.debian.org/debian bookworm main\n' } } }, fail: { files: { 'etc/apt/sources.list.d/x.list': { content: 'deb [trusted=yes] http://repo.local/ ./\n' } } } },
  { id: 'BCR-018', pass: { history: [...BASE, 'COPY app.tar.gz /app/ # buildkit'] }, fail: { history: [...BASE, 'ADD app.tar.gz /app/ # buildkit'] }, want: { buildInstruction: 'ADD app.tar.gz /app/', historyIndex: 2 } },
  { id: 'BCR-019', pass: { history: [...BASE, 'ADD --checksum=sha256:0123 https://x/y.tgz /opt/ # buildkit'] }, fail: { history: [...BASE, 'ADD https://x/y.tgz /opt/ # buildkit'] } },
  { id: 'BCR-020', pass: { config: { Labels: { 'org.opencontainers.image.base.name': 'docker.io/library/debian:12' } } }, fail: { config: { Labels: { 'org.opencontainers.image.base.name': 'docker.io/library/debian' } } }, want: { buildInstruction: 'FROM docker.io/library/debian' } },
  { id: 'BCR-020', pass: { ref: 'registry.example/app:1.2.3' }, fail: { ref: 'registry.example:5000/app:latest' }, want: { buildInstruction: '--' } },
  { id: 'BCR-021', pass: {}, fail: {}, options: { signed: false } },
  { id: 'BCR-022', pass: run('apt-get install -y curl=7.88.1-10'), fail: run('apt-get install -y curl'), want: { severity: 'low' } },
  { id: 'BCR-023', pass: { config: { ExposedPorts: { '8080/tcp': {} } } }, fail: { config: { ExposedPorts: { '22/tcp': {} } }, history: [...BASE, '~EXPOSE map[22/tcp:{}]'] }, want: { buildInstruction: 'EXPOSE 22/tcp', historyIndex: 2 } },
  { id: 'BCR-023', pass: run('apk add --no-cache openssh-client'), fail: run('apk add --no-cache openssh') },
  { id: 'BCR-023', pass: { files: {} }, fail: { files: { 'usr/sbin/sshd': { size: 1 } } } },
  { id: 'BCR-024', pass: { config: { ExposedPorts: { '443/tcp': {}, '53/udp': {} } } }, fail: { config: { ExposedPorts: { '23/tcp': {} } } }, want: { buildInstruction: 'EXPOSE 23/tcp', severity: 'medium' } },
  { id: 'BCR-024', pass: { config: { ExposedPorts: { '69/tcp': {} } } }, fail: { config: { ExposedPorts: { '5901/tcp': {} } } } },
  { id: 'BCR-024', pass: { config: { ExposedPorts: { '65535/tcp': {} } } }, fail: { config: { ExposedPorts: { '70000/tcp': {} } } }, want: { severity: 'low' } },
  { id: 'BCR-025', pass: { config: { Volumes: { '/data': {} } } }, fail: { config: { Volumes: { '/sys/': {} } } }, want: { buildInstruction: 'VOLUME ["/sys/"]' } },
  { id: 'BCR-026', pass: { config: { WorkingDir: '/bootstrap' } }, fail: { config: { WorkingDir: '/proc/self' } }, want: { buildInstruction: 'WORKDIR /proc/self' } },
  { id: 'BCR-027', pass: run('apt-get install -y curl'), fail: run('apt-get install -y tcpdump strace') },
  { id: 'BCR-027', pass: { packages: [{ name: 'curl', layer: 0 }] }, fail: { packages: [{ name: 'netcat-openbsd', layer: 0 }] } },
  { id: 'BCR-028', pass: { config: { Healthcheck: { Test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'] } } }, fail: { config: { Healthcheck: { Test: ['NONE'] } } }, want: { buildInstruction: 'HEALTHCHECK NONE' } },
  { id: 'BCR-029', pass: { config: { OnBuild: [] } }, fail: { config: { OnBuild: ['RUN make', 'COPY . /src'] } }, want: { buildInstruction: 'ONBUILD RUN make' } },
  { id: 'BCR-030', pass: { config: { Entrypoint: ['/app/server', '--port', '80'] } }, fail: { config: { Entrypoint: ['/bin/sh', '-c', 'exec /app/server'] } }, want: { buildInstruction: 'ENTRYPOINT ["/bin/sh" "-c" "exec /app/server"]' } },
  { id: 'BCR-030', pass: { config: { Entrypoint: ['/docker-entrypoint.sh'], Cmd: ['/bin/sh', '-c', 'x'] } }, fail: { config: { Cmd: ['/bin/sh', '-c', 'node server.js'] } } },
  { id: 'BCR-031', pass: run('apt-get update && apt-get install -y curl'), fail: run('apt-get update') },
  { id: 'BCR-031', pass: run('apk update && apk upgrade'), fail: run('yum makecache') },
  { id: 'BCR-032', pass: run('apt-get update && apt-get upgrade -y'), fail: run('apt-get update && apt-get dist-upgrade -y') },
  { id: 'BCR-032', pass: run('zypper up -y'), fail: run('zypper dup -y') },
  { id: 'BCR-033', pass: run('apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*'), fail: run('apt-get update && apt-get install -y curl') },
  { id: 'BCR-033', pass: run('apk add --no-cache curl'), fail: run('apk add curl') },
  { id: 'BCR-033', pass: run('dnf install -y httpd && dnf clean all'), fail: run('dnf install -y httpd && dnf clean metadata') },
  { id: 'BCR-033', pass: { files: { 'var/cache/apk/APKINDEX.tar.gz': { size: 0 } } }, fail: { files: { 'var/cache/apk/APKINDEX.d7c3b6f1.tar.gz': { size: 512 } } } },
  { id: 'BCR-034', pass: run('pip install --no-cache-dir flask'), fail: run('pip install flask') },
  { id: 'BCR-034', pass: { ...run('pip install flask'), config: { Env: ['PIP_NO_CACHE_DIR=1'] } }, fail: run('yarn install --frozen-lockfile') },
  { id: 'BCR-034', pass: { files: { 'root/.npmrc': {} } }, fail: { files: { 'root/.cache/pip/http/a/b/c/d/e/0123': { size: 10 } } } },
];

function findings(spec: ImageSpec, id: string, options?: BuildRiskOptions): BuildRiskFinding[] {
  return evaluateBuildRisks(image(spec), options).findings.filter((f) => f.ruleId === id);
}

describe('every build rule has a passing and a failing case', () => {
  it('covers all 34 rules', () => {
    expect(BUILD_RULES).toHaveLength(34);
    expect(new Set(CASES.map((c) => c.id))).toEqual(new Set(BUILD_RULES.map((r) => r.id)));
    for (const r of BUILD_RULES) {
      expect(r.remediation.length, r.id).toBeGreaterThan(20);
      expect(r.description.length, r.id).toBeGreaterThan(20);
    }
  });

  it.each(CASES.map((c, i) => [`${c.id} #${i}`, c] as const))('%s', (_label, c) => {
    expect(findings(c.pass, c.id, c.id === 'BCR-021' ? { signed: true } : c.options)).toEqual([]);
    const bad = findings(c.fail, c.id, c.options);
    expect(bad.length).toBeGreaterThan(0);
    for (const f of bad) expect(f.buildInstruction.length).toBeLessThanOrEqual(256);
    if (c.want) expect(bad[0]).toMatchObject(c.want);
  });
});

describe('collector paths for build rules', () => {
  it('keeps content for root authorized_keys but only metadata for keys and context leftovers', () => {
    expect(keepModeFor('root/.ssh/authorized_keys')).toBe('content');
    expect(keepModeFor('root/.ssh/id_rsa')).toBe('meta');
    expect(keepModeFor('etc/ssh/ssh_host_rsa_key')).toBe('meta');
    expect(keepModeFor('etc/ssh/ssh_host_rsa_key.pub')).toBe('content');
    expect(keepModeFor('app/.git/HEAD')).toBe('meta');
    expect(keepModeFor('app/node_modules/pkg/Dockerfile')).toBeNull();
    expect(keepModeFor('usr/bin/python3')).toBeNull();
    expect(configFilesAnalyzer.wants({ path: 'etc/sudoers.d/app', type: 'file', size: 10, mode: 0o440, uid: 0, gid: 0 })).toBe(true);
  });

  it('samples one file per language cache root and layer, and directory modes rules need', () => {
    const v = configTreeAnalyzer.start({ diffId: 'sha256:x', warn: () => undefined });
    const e = (path: string, type: 'file' | 'dir' = 'file', uid = 0) => v.visit({ path, type, size: 1, mode: type === 'dir' ? 0o755 : 0o644, uid, gid: uid });
    e('root/.cache/pip/http/a/1');
    e('root/.cache/pip/http/a/2');
    e('home/app/.npm/_cacache/index-v5/00/aa', 'file', 1000);
    e('etc/cron.d', 'dir');
    e('usr/lib/python3/x.py');
    for (let i = 0; i < 5; i++) e(`opt/ci/${i}`, 'file', 1001);
    const paths = v.finish().map((f) => f.path);
    expect(paths).toEqual(['root/.cache/pip/http/a/1', 'home/app/.npm/_cacache/index-v5/00/aa', 'etc/cron.d', 'opt/ci/0', 'opt/ci/1']);
  });
});
