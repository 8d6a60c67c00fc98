/**
 * `demo/ubuntu:16.04` — an SSH jump-host image on ubuntu:16.04 (16.04.7): openssh-server and sudo
 * from xenial-updates, root login over SSH switched on with `sed`, port 22 exposed, no USER. The
 * release left standard support in April 2021, which the report states.
 */
import type { ImageSpec, LayerEntrySpec } from '../../image/build/image-writer.js';
import { addRootfsLine, imageFromSteps, isSshHostKeyFile, isSshServerFile, rootfsEntries, stockText } from '../build-steps.js';
import { dpkgStatus } from '../package-dbs.js';
import { UBUNTU1604_ADDED, UBUNTU1604_BASE } from '../packages.js';
import { loadStockRootfs } from '../rootfs/stock.js';
import type { DemoSecrets } from '../secrets.js';

const LSB_RELEASE = `DISTRIB_ID=Ubuntu
DISTRIB_RELEASE=16.04
DISTRIB_CODENAME=xenial
DISTRIB_DESCRIPTION="Ubuntu 16.04.7 LTS"
`;

const SOURCES_LIST = `deb http://archive.ubuntu.com/ubuntu/ xenial main restricted
deb http://archive.ubuntu.com/ubuntu/ xenial-updates main restricted
deb http://archive.ubuntu.com/ubuntu/ xenial universe
deb http://security.ubuntu.com/ubuntu/ xenial-security main restricted
`;

export function ubuntu1604Image(s: DemoSecrets): ImageSpec {
  const ubuntu1604 = loadStockRootfs('ubuntu1604');
  const base: LayerEntrySpec[] = [
    ...rootfsEntries(ubuntu1604, (p) => !isSshServerFile(p)),
    { path: 'etc/lsb-release', content: LSB_RELEASE },
    { path: 'etc/debian_version', content: 'stretch/sid\n' },
    { path: 'etc/apt/sources.list', content: SOURCES_LIST },
    { path: 'var/lib/dpkg/status', content: dpkgStatus(UBUNTU1604_BASE) },
  ];
  // `sed -i 's/^PermitRootLogin .*/PermitRootLogin yes/'`, as many jump-host images do
  const sshdConfig = stockText(ubuntu1604, 'etc/ssh/sshd_config').replace(/^PermitRootLogin .*$/m, 'PermitRootLogin yes');
  const install: LayerEntrySpec[] = [
    ...rootfsEntries(ubuntu1604, (p) => isSshServerFile(p) && !isSshHostKeyFile(p) && p !== 'etc/ssh/sshd_config'),
    { path: 'etc/ssh/sshd_config', content: sshdConfig },
    { path: 'etc/ssh/ssh_host_ed25519_key', content: s.hostKey, mode: 0o600 },
    { path: 'etc/ssh/ssh_host_ed25519_key.pub', content: s.hostPublicKey },
    { path: 'var/run/sshd', type: 'dir', mode: 0o755 },
    { path: 'var/lib/dpkg/status', content: dpkgStatus([...UBUNTU1604_BASE, ...UBUNTU1604_ADDED]) },
  ];
  return imageFromSteps(
    [
      { createdBy: addRootfsLine('ubuntu:16.04.7'), created: '2020-09-03T06:41:52Z', layer: base },
      { createdBy: "/bin/sh -c rm -rf /var/lib/apt/lists/* && echo '#!/bin/sh' > /usr/sbin/policy-rc.d", created: '2020-09-03T06:41:53Z', layer: [{ path: 'usr/sbin/policy-rc.d', content: '#!/bin/sh\nexit 101\n', mode: 0o755 }] },
      { createdBy: '/bin/sh -c #(nop)  CMD ["/bin/bash"]', created: '2020-09-03T06:41:54Z' },
      {
        createdBy:
          "/bin/sh -c apt-get update && apt-get install -y openssh-server sudo curl && mkdir -p /var/run/sshd && sed -i 's/^PermitRootLogin .*/PermitRootLogin yes/' /etc/ssh/sshd_config && rm -rf /var/lib/apt/lists/*",
        created: '2020-10-12T08:30:00Z',
        layer: install,
      },
      { createdBy: '/bin/sh -c #(nop)  EXPOSE 22', created: '2020-10-12T08:30:01Z' },
      { createdBy: '/bin/sh -c #(nop)  CMD ["/usr/sbin/sshd" "-D"]', created: '2020-10-12T08:30:02Z' },
    ],
    {
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      Cmd: ['/usr/sbin/sshd', '-D'],
      ExposedPorts: { '22/tcp': {} },
      Labels: { 'org.opencontainers.image.title': 'Tarsier demo: ubuntu 16.04' },
    },
  );
}
