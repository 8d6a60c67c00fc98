/**
 * `demo/centos:7` — a Java service image on centos:7 (7.9.2009): openssh-server installed from
 * the distribution (RHEL 7's sshd still permits root login by default), the service's
 * application.properties with its database password, ports 22 and 8080, no USER. No rpm database
 * is written (the demo cannot build one without rpm), so the image has no package inventory.
 */
import type { ImageSpec, LayerEntrySpec } from '../../image/build/image-writer.js';
import { addRootfsLine, imageFromSteps, isSshServerFile, rootfsEntries } from '../build-steps.js';
import { loadStockRootfs } from '../rootfs/stock.js';
import type { DemoSecrets } from '../secrets.js';

const BASE_REPO = `[base]
name=CentOS-$releasever - Base
mirrorlist=http://mirrorlist.centos.org/?release=$releasever&arch=$basearch&repo=os&infra=$infra
gpgcheck=1
gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-7

[updates]
name=CentOS-$releasever - Updates
mirrorlist=http://mirrorlist.centos.org/?release=$releasever&arch=$basearch&repo=updates&infra=$infra
gpgcheck=1
gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-7
`;

export function centos7Image(s: DemoSecrets): ImageSpec {
  const centos7 = loadStockRootfs('centos7');
  const base: LayerEntrySpec[] = [
    ...rootfsEntries(centos7, (p) => !isSshServerFile(p)),
    { path: 'etc/yum.repos.d/CentOS-Base.repo', content: BASE_REPO },
    { path: 'etc/redhat-release', type: 'symlink', linkTarget: 'centos-release' },
    { path: 'etc/system-release', type: 'symlink', linkTarget: 'centos-release' },
  ];
  const install: LayerEntrySpec[] = [...rootfsEntries(centos7, isSshServerFile), { path: 'usr/lib/jvm/jre-1.8.0-openjdk/release', content: 'JAVA_VERSION="1.8.0_275"\n' }];
  const app: LayerEntrySpec[] = [
    { path: 'opt/orders', type: 'dir', mode: 0o755 },
    { path: 'opt/orders/bin/start.sh', content: '#!/bin/sh\nexec java -Dspring.config.location=/opt/orders/config/ -jar /opt/orders/lib/orders.jar\n', mode: 0o755 },
    { path: 'opt/orders/config/application.properties', content: s.springProperties },
  ];
  return imageFromSteps(
    [
      { createdBy: addRootfsLine('centos:7.9.2009'), created: '2020-11-13T00:22:10Z', layer: base },
      { createdBy: '/bin/sh -c #(nop)  LABEL org.label-schema.schema-version=1.0 org.label-schema.name=CentOS Base Image org.label-schema.vendor=CentOS org.label-schema.license=GPLv2 org.label-schema.build-date=20201113', created: '2020-11-13T00:22:11Z' },
      { createdBy: '/bin/sh -c #(nop)  CMD ["/bin/bash"]', created: '2020-11-13T00:22:12Z' },
      { createdBy: '/bin/sh -c yum install -y openssh-server java-1.8.0-openjdk-headless && yum clean all', created: '2021-02-01T10:00:00Z', layer: install },
      { createdBy: '/bin/sh -c #(nop) COPY dir:2b4c1f6e7a9d3c5e8f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6 in /opt/orders ', created: '2021-02-01T10:00:05Z', layer: app },
      { createdBy: '/bin/sh -c #(nop)  EXPOSE 22 8080', created: '2021-02-01T10:00:06Z' },
      { createdBy: '/bin/sh -c #(nop)  CMD ["/opt/orders/bin/start.sh"]', created: '2021-02-01T10:00:07Z' },
    ],
    {
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      Cmd: ['/opt/orders/bin/start.sh'],
      ExposedPorts: { '22/tcp': {}, '8080/tcp': {} },
      Labels: {
        'org.label-schema.build-date': '20201113',
        'org.label-schema.license': 'GPLv2',
        'org.label-schema.name': 'CentOS Base Image',
        'org.label-schema.schema-version': '1.0',
        'org.label-schema.vendor': 'CentOS',
      },
    },
  );
}
