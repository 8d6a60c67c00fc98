/**
 * `demo/euleros:2.0` — a build-agent image on EulerOS 2.0 (SP9): the distribution's stock
 * configuration (already close to its benchmark) plus a Docker client config with a registry
 * login left in /root/.docker, running as root.
 */
import type { ImageSpec, LayerEntrySpec } from '../../image/build/image-writer.js';
import { addRootfsLine, imageFromSteps, isSshServerFile, rootfsEntries } from '../build-steps.js';
import { loadStockRootfs } from '../rootfs/stock.js';
import type { DemoSecrets } from '../secrets.js';

export function eulerosImage(s: DemoSecrets): ImageSpec {
  const euleros = loadStockRootfs('euleros');
  const base: LayerEntrySpec[] = [...rootfsEntries(euleros, (p) => !isSshServerFile(p)), { path: 'etc/system-release', type: 'symlink', linkTarget: 'euleros-release' }];
  const install: LayerEntrySpec[] = rootfsEntries(euleros, isSshServerFile);
  const agent: LayerEntrySpec[] = [
    { path: 'root/.docker', type: 'dir', mode: 0o700 },
    { path: 'root/.docker/config.json', content: s.dockerConfig, mode: 0o600 },
    { path: 'opt/agent/run.sh', content: '#!/bin/sh\nexec /opt/agent/agent --work /var/lib/agent\n', mode: 0o755 },
  ];
  return imageFromSteps(
    [
      { createdBy: addRootfsLine('euleros:2.0-sp9'), created: '2021-06-15T03:00:00Z', layer: base },
      { createdBy: '/bin/sh -c #(nop)  CMD ["/bin/bash"]', created: '2021-06-15T03:00:01Z' },
      { createdBy: 'RUN /bin/sh -c yum install -y openssh-server openssh-clients git && yum clean all # buildkit', created: '2021-07-01T12:00:00Z', layer: install },
      { createdBy: 'COPY agent/ / # buildkit', created: '2021-07-01T12:00:02Z', layer: agent },
      { createdBy: 'CMD ["/opt/agent/run.sh"]', created: '2021-07-01T12:00:03Z' },
    ],
    {
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      Cmd: ['/opt/agent/run.sh'],
      Labels: { 'org.opencontainers.image.title': 'Tarsier demo: EulerOS 2.0' },
    },
  );
}
