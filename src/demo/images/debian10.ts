/**
 * `demo/debian:10` — an application image on debian:10.4 built the way many real ones are: SSH
 * server and tools installed as root, a password in ENV, a `curl | bash` installer, an `ADD`
 * from a URL, the whole build context copied (with its .env and .git), credentials copied into
 * /root, a deploy key deleted in a later layer (still in the image), world-writable directories
 * and passwordless sudo, port 22 exposed, no USER.
 */
import { gzipSync } from 'node:zlib';
import type { LayerEntrySpec, ImageSpec } from '../../image/build/image-writer.js';
import { addRootfsLine, imageFromSteps, isSshHostKeyFile, isSshServerFile, rootfsEntries, stockText } from '../build-steps.js';
import { dpkgStatus } from '../package-dbs.js';
import { DEBIAN10_ADDED, DEBIAN10_BASE } from '../packages.js';
import { loadStockRootfs } from '../rootfs/stock.js';
import type { StockRootfs } from '../rootfs/types.js';
import type { DemoSecrets } from '../secrets.js';

const SOURCES_LIST = `deb http://deb.debian.org/debian buster main
deb http://security.debian.org/debian-security buster/updates main
deb http://deb.debian.org/debian buster-updates main
`;

const ACCOUNT_FILES = ['etc/passwd', 'etc/shadow', 'etc/group', 'etc/gshadow'];

/** The account files as they are before openssh-server's postinst adds its `sshd` user. */
function withoutSshd(debian10: StockRootfs, path: string): string {
  return stockText(debian10, path)
    .split('\n')
    .filter((l) => !l.startsWith('sshd:'))
    .join('\n');
}

function accountFile(debian10: StockRootfs, path: string, content: string): LayerEntrySpec {
  const stock = debian10.files.find((f) => f.path === path);
  return { path, content, mode: stock?.mode ?? 0o644, uid: stock?.uid ?? 0, gid: stock?.gid ?? 0 };
}

/** `useradd -m -u 1000 app` on top of the stock files. */
function withAppUser(debian10: StockRootfs, path: string): string {
  const stock = stockText(debian10, path);
  const line = { 'etc/passwd': 'app:x:1000:1000::/home/app:/bin/sh', 'etc/shadow': 'app:!:18422:0:99999:7:::', 'etc/group': 'app:x:1000:', 'etc/gshadow': 'app:!::' }[path];
  return `${stock}${line}\n`;
}

const APT_LISTS = `Package: openssh-server
Version: 1:7.9p1-10+deb10u2
Installed-Size: 1440
Maintainer: Debian OpenSSH Maintainers <debian-ssh@lists.debian.org>
Architecture: amd64
Source: openssh
Description: secure shell (SSH) server, for secure access from remote machines
`;

export function debian10Image(s: DemoSecrets): ImageSpec {
  const debian10 = loadStockRootfs('debian10');
  const baseFiles = rootfsEntries(debian10, (p) => !isSshServerFile(p) && !ACCOUNT_FILES.includes(p));
  const base: LayerEntrySpec[] = [
    ...baseFiles,
    ...ACCOUNT_FILES.map((p) => accountFile(debian10, p, withoutSshd(debian10, p))),
    { path: 'etc/apt/sources.list', content: SOURCES_LIST },
    { path: 'var/lib/dpkg/status', content: dpkgStatus(DEBIAN10_BASE) },
  ];
  const sshInstall: LayerEntrySpec[] = [
    ...rootfsEntries(debian10, (p) => isSshServerFile(p) && !isSshHostKeyFile(p)),
    ...ACCOUNT_FILES.map((p) => accountFile(debian10, p, stockText(debian10, p))),
    { path: 'etc/ssh/ssh_host_ed25519_key', content: s.hostKey, mode: 0o600 },
    { path: 'etc/ssh/ssh_host_ed25519_key.pub', content: s.hostPublicKey },
    { path: 'run/sshd', type: 'dir', mode: 0o755 },
    { path: 'var/lib/dpkg/status', content: dpkgStatus([...DEBIAN10_BASE, ...DEBIAN10_ADDED]) },
    // `apt-get update` without `rm -rf /var/lib/apt/lists/*`: the index stays in the layer
    { path: 'var/lib/apt/lists/deb.debian.org_debian_dists_buster_main_binary-amd64_Packages', content: APT_LISTS },
    { path: 'etc/ssl/certs/ca-certificates.crt', content: '' },
  ];
  const app: LayerEntrySpec[] = [
    { path: 'app', type: 'dir', mode: 0o755 },
    { path: 'app/Dockerfile', content: 'FROM debian:10\n# (the demo image\'s own build file, copied in with the context)\n' },
    { path: 'app/.git/HEAD', content: 'ref: refs/heads/main\n' },
    { path: 'app/.git/config', content: '[core]\n\trepositoryformatversion = 0\n[remote "origin"]\n\turl = git@git.internal.corp:shop/orders.git\n' },
    { path: 'app/.env', content: s.dotenv, mode: 0o644 },
    { path: 'app/bin/fetch-assets', content: '#!/bin/sh\n# downloads static assets with the deploy key given as --key\nexit 0\n', mode: 0o755 },
    { path: 'app/server.sh', content: '#!/bin/sh\nexec /usr/sbin/sshd -D\n', mode: 0o755 },
  ];
  const rootCredentials: LayerEntrySpec[] = [
    { path: 'root/.ssh', type: 'dir', mode: 0o700 },
    { path: 'root/.ssh/id_rsa', content: s.rootSshKey, mode: 0o600 },
    { path: 'root/.ssh/id_rsa.pub', content: s.rootSshPublicKey, mode: 0o644 },
    { path: 'root/.ssh/authorized_keys', content: s.rootSshPublicKey, mode: 0o600 },
    { path: 'root/.aws', type: 'dir', mode: 0o755 },
    { path: 'root/.aws/credentials', content: s.awsCredentials, mode: 0o644 },
    { path: 'root/.netrc', content: s.netrc, mode: 0o644 },
  ];
  const permissions: LayerEntrySpec[] = [
    ...ACCOUNT_FILES.map((p) => accountFile(debian10, p, withAppUser(debian10, p))),
    { path: 'home/app', type: 'dir', mode: 0o755, uid: 1000, gid: 1000 },
    { path: 'home/app/.bashrc', content: '', mode: 0o644, uid: 1000, gid: 1000 },
    { path: 'app', type: 'dir', mode: 0o777 },
    { path: 'var/log/orders', type: 'dir', mode: 0o777 },
    { path: 'etc/sudoers.d/app', content: 'app ALL=(ALL) NOPASSWD: ALL\n', mode: 0o440 },
  ];

  const t = (day: string): string => `2020-06-${day}T09:00:00Z`;
  return imageFromSteps(
    [
      { createdBy: addRootfsLine('debian:10.4'), created: '2020-06-09T01:20:58Z', layer: base },
      { createdBy: '/bin/sh -c #(nop)  CMD ["bash"]', created: '2020-06-09T01:20:59Z' },
      { createdBy: `ENV DB_PASSWORD=${s.dbPassword}`, created: t('15') },
      {
        createdBy: 'RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends openssh-server curl sudo ca-certificates libxml2 libsqlite3-0 && mkdir -p /run/sshd # buildkit',
        created: t('15'),
        layer: sshInstall,
      },
      {
        createdBy: 'RUN /bin/sh -c curl -fsSL https://deb.nodesource.com/setup_14.x | bash - # buildkit',
        created: t('15'),
        layer: [{ path: 'etc/apt/sources.list.d/nodesource.list', content: 'deb https://deb.nodesource.com/node_14.x buster main\n' }],
      },
      {
        createdBy: 'ADD https://releases.example.org/orders/orders-assets-1.4.2.tar.gz /opt/ # buildkit',
        created: t('15'),
        layer: [{ path: 'opt/orders-assets-1.4.2.tar.gz', content: gzipSync(Buffer.alloc(1024)) }],
      },
      { createdBy: 'WORKDIR /app', created: t('15'), layer: [{ path: 'app', type: 'dir', mode: 0o755 }] },
      { createdBy: 'COPY . /app # buildkit', created: t('15'), layer: app },
      { createdBy: 'COPY deploy_key.pem /tmp/deploy_key.pem # buildkit', created: t('15'), layer: [{ path: 'tmp/deploy_key.pem', content: s.deployKey, mode: 0o600 }] },
      {
        createdBy: 'RUN /bin/sh -c /app/bin/fetch-assets --key /tmp/deploy_key.pem && rm -f /tmp/deploy_key.pem # buildkit',
        created: t('15'),
        layer: [
          { path: 'tmp/.wh.deploy_key.pem', content: '' },
          { path: 'opt/orders/assets/manifest.json', content: '{"assets":[]}\n' },
        ],
      },
      { createdBy: 'COPY root/ /root/ # buildkit', created: t('15'), layer: rootCredentials },
      {
        createdBy: "RUN /bin/sh -c useradd -m -u 1000 app && chmod 777 /app /var/log/orders && echo 'app ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/app # buildkit",
        created: t('15'),
        layer: permissions,
      },
      { createdBy: 'EXPOSE map[22/tcp:{} 8080/tcp:{}]', created: t('15') },
      { createdBy: 'USER root', created: t('15') },
      { createdBy: 'CMD ["/app/server.sh"]', created: t('15') },
    ],
    {
      User: 'root',
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', `DB_PASSWORD=${s.dbPassword}`],
      Cmd: ['/app/server.sh'],
      WorkingDir: '/app',
      ExposedPorts: { '22/tcp': {}, '8080/tcp': {} },
      Labels: { 'org.opencontainers.image.base.name': 'docker.io/library/debian:10.4', 'org.opencontainers.image.title': 'Tarsier demo: debian 10' },
    },
  );
}
