/**
 * `demo/alpine:3.18` — a small multi-language service on alpine:3.18.0: curl, Python and Node.js
 * from apk, Python packages from pip, an Express front end with its node_modules, and a Go API
 * binary. It runs as a numeric non-root user, but an npm token passed as a build argument is in
 * the history and the `.npmrc` written with it was left in /root.
 */
import type { ImageSpec, LayerEntrySpec } from '../../image/build/image-writer.js';
import { addRootfsLine, imageFromSteps } from '../build-steps.js';
import { goBinary } from '../go-binary.js';
import { apkInstalled, distInfoDir, packageJson, pythonMetadata } from '../package-dbs.js';
import { ALPINE318_ADDED, ALPINE318_BASE, ALPINE318_GO, ALPINE318_NPM, ALPINE318_PYPI } from '../packages.js';
import type { DemoSecrets } from '../secrets.js';

const OS_RELEASE = `NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.18.0
PRETTY_NAME="Alpine Linux v3.18"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"
`;

const PASSWD = `root:x:0:0:root:/root:/bin/ash
bin:x:1:1:bin:/bin:/sbin/nologin
daemon:x:2:2:daemon:/sbin:/sbin/nologin
lp:x:4:7:lp:/var/spool/lpd:/sbin/nologin
sync:x:5:0:sync:/sbin:/bin/sync
shutdown:x:6:0:shutdown:/sbin:/sbin/shutdown
halt:x:7:0:halt:/sbin:/sbin/halt
mail:x:8:12:mail:/var/mail:/sbin/nologin
news:x:9:13:news:/usr/lib/news:/sbin/nologin
uucp:x:10:14:uucp:/var/spool/uucppublic:/sbin/nologin
cron:x:16:16:cron:/var/spool/cron:/sbin/nologin
ftp:x:21:21::/var/lib/ftp:/sbin/nologin
sshd:x:22:22:sshd:/dev/null:/sbin/nologin
games:x:35:35:games:/usr/games:/sbin/nologin
ntp:x:123:123:NTP:/var/empty:/sbin/nologin
guest:x:405:100:guest:/dev/null:/sbin/nologin
nobody:x:65534:65534:nobody:/:/sbin/nologin
`;

const SHADOW = `${PASSWD.split('\n')
  .filter(Boolean)
  .map((l) => `${l.split(':')[0]}:${l.startsWith('root:') ? '*' : '!'}::0:::::`)
  .join('\n')}\n`;

const GROUP = `root:x:0:root
bin:x:1:root,bin,daemon
daemon:x:2:root,bin,daemon
sys:x:3:root,bin
adm:x:4:root,daemon
tty:x:5:
disk:x:6:root
lp:x:7:lp
kmem:x:9:
wheel:x:10:root
floppy:x:11:root
mail:x:12:mail
news:x:13:news
uucp:x:14:uucp
cron:x:16:cron
audio:x:18:
cdrom:x:19:
dialout:x:20:root
ftp:x:21:
sshd:x:22:
input:x:23:
tape:x:26:root
video:x:27:root
netdev:x:28:
kvm:x:34:kvm
games:x:35:
shadow:x:42:
www-data:x:82:
users:x:100:games
ntp:x:123:
abuild:x:300:
utmp:x:406:
ping:x:999:
nogroup:x:65533:
nobody:x:65534:
`;

const PYTHON_SITE = 'usr/lib/python3.11/site-packages';
const WEB = 'srv/web';

export function alpine318Image(s: DemoSecrets): ImageSpec {
  const base: LayerEntrySpec[] = [
    { path: 'etc/alpine-release', content: '3.18.0\n' },
    { path: 'etc/os-release', content: OS_RELEASE },
    { path: 'etc/passwd', content: PASSWD },
    { path: 'etc/group', content: GROUP },
    { path: 'etc/shadow', content: SHADOW, mode: 0o640, uid: 0, gid: 42 },
    { path: 'etc/motd', content: 'Welcome to Alpine!\n' },
    { path: 'etc/apk/repositories', content: 'https://dl-cdn.alpinelinux.org/alpine/v3.18/main\nhttps://dl-cdn.alpinelinux.org/alpine/v3.18/community\n' },
    { path: 'root', type: 'dir', mode: 0o700 },
    { path: 'tmp', type: 'dir', mode: 0o1777 },
    { path: 'bin/busybox', content: '', mode: 0o755 },
    { path: 'bin/sh', type: 'symlink', linkTarget: '/bin/busybox' },
    { path: 'lib/apk/db/installed', content: apkInstalled(ALPINE318_BASE) },
  ];
  const apkAdd: LayerEntrySpec[] = [
    { path: 'lib/apk/db/installed', content: apkInstalled([...ALPINE318_BASE, ...ALPINE318_ADDED]) },
    { path: 'usr/bin/curl', content: '', mode: 0o755 },
    { path: 'usr/bin/python3.11', content: '', mode: 0o755 },
    { path: 'usr/bin/python3', type: 'symlink', linkTarget: 'python3.11' },
    { path: 'usr/bin/node', content: '', mode: 0o755 },
  ];
  const pythonPackages: LayerEntrySpec[] = ALPINE318_PYPI.flatMap((p): LayerEntrySpec[] => {
    const dir = `${PYTHON_SITE}/${distInfoDir(p)}`;
    return [
      { path: `${dir}/METADATA`, content: pythonMetadata(p) },
      { path: `${dir}/INSTALLER`, content: 'pip\n' },
      { path: `${dir}/WHEEL`, content: 'Wheel-Version: 1.0\nGenerator: bdist_wheel (0.36.2)\nRoot-Is-Purelib: true\nTag: py3-none-any\n' },
    ];
  });
  const webApp: LayerEntrySpec[] = [
    { path: `${WEB}/package.json`, content: `${JSON.stringify({ name: 'shop-web', version: '2.3.0', private: true, dependencies: Object.fromEntries(ALPINE318_NPM.map((p) => [p.name, `^${p.version}`])) }, null, 2)}\n` },
    { path: `${WEB}/server.js`, content: "const express = require('express');\nexpress().listen(8080);\n" },
    ...ALPINE318_NPM.map((p): LayerEntrySpec => ({ path: `${WEB}/node_modules/${p.name}/package.json`, content: packageJson(p) })),
    // written by `echo "//registry.npmjs.org/:_authToken=$NPM_TOKEN" > ~/.npmrc` and never removed
    { path: 'root/.npmrc', content: s.npmrc, mode: 0o644 },
  ];
  const user: LayerEntrySpec[] = [
    { path: 'etc/passwd', content: `${PASSWD}app:x:10001:10001:Linux User,,,:/home/app:/sbin/nologin\n` },
    { path: 'etc/group', content: `${GROUP}app:x:10001:app\n` },
    { path: 'etc/shadow', content: `${SHADOW}app:!:19500:0:99999:7:::\n`, mode: 0o640, uid: 0, gid: 42 },
    { path: 'home/app', type: 'dir', mode: 0o755, uid: 10001, gid: 10001 },
  ];
  const npmToken = s.npmrc.slice(s.npmrc.indexOf('=') + 1).trim();
  const t = (time: string): string => `2023-07-20T${time}Z`;
  return imageFromSteps(
    [
      { createdBy: addRootfsLine('alpine:3.18.0'), created: '2023-05-09T23:11:10Z', layer: base },
      { createdBy: '/bin/sh -c #(nop)  CMD ["/bin/sh"]', created: '2023-05-09T23:11:10Z' },
      { createdBy: 'RUN /bin/sh -c apk add --no-cache curl python3 nodejs # buildkit', created: t('10:00:00'), layer: apkAdd },
      { createdBy: 'ARG NPM_TOKEN', created: t('10:01:00') },
      {
        createdBy: `RUN |1 NPM_TOKEN=${npmToken} /bin/sh -c echo "//registry.npmjs.org/:_authToken=$NPM_TOKEN" > /root/.npmrc && cd /srv/web && npm ci --omit=dev # buildkit`,
        created: t('10:01:00'),
        layer: webApp,
      },
      {
        createdBy: 'RUN /bin/sh -c pip install --no-cache-dir requests==2.25.1 urllib3==1.26.4 PyYAML==5.3.1 Jinja2==2.11.2 # buildkit',
        created: t('10:02:00'),
        layer: pythonPackages,
      },
      {
        createdBy: `COPY --from=build /out/demo-api /${ALPINE318_GO.path} # buildkit`,
        created: t('10:02:10'),
        layer: [{ path: ALPINE318_GO.path, content: goBinary({ goVersion: ALPINE318_GO.goVersion, main: ALPINE318_GO.main, deps: ALPINE318_GO.deps }), mode: 0o755 }],
      },
      { createdBy: 'RUN /bin/sh -c addgroup -g 10001 app && adduser -D -u 10001 -G app -s /sbin/nologin app # buildkit', created: t('10:02:20'), layer: user },
      { createdBy: 'EXPOSE map[8080/tcp:{}]', created: t('10:02:21') },
      { createdBy: 'USER 10001:10001', created: t('10:02:21') },
      { createdBy: 'HEALTHCHECK &{["CMD-SHELL" "curl -fs http://localhost:8080/healthz || exit 1"] "30s" "3s" "0s" "0s" \'\\x03\'}', created: t('10:02:21') },
      { createdBy: 'CMD ["/usr/local/bin/demo-api"]', created: t('10:02:21') },
    ],
    {
      User: '10001:10001',
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      Cmd: ['/usr/local/bin/demo-api'],
      ExposedPorts: { '8080/tcp': {} },
      Healthcheck: { Test: ['CMD-SHELL', 'curl -fs http://localhost:8080/healthz || exit 1'], Interval: 30_000_000_000, Timeout: 3_000_000_000, Retries: 3 },
      Labels: { 'org.opencontainers.image.base.name': 'docker.io/library/alpine:3.18.0', 'org.opencontainers.image.title': 'Tarsier demo: alpine 3.18' },
    },
  );
}
