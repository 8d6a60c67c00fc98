/** Rule-pack selection for the four HSS targets and the newer releases of their families. */
import { describe, expect, it } from 'vitest';
import type { InventoryPackage } from '../../src/analysis/inventory.js';
import { evaluateBaseline, profileFor } from '../../src/detect/baseline/index.js';
import { inventoryOf, type MemoryEntry } from './baseline-fixture.js';

const os = (family: string, version: string, name = family) => ({ family, name, version });

describe('profileFor', () => {
  it.each([
    [os('centos', '7', 'CentOS Linux'), 'CentOS 7', 'rhel', [7, 4], 'yes', 'none', false],
    [os('centos', '8', 'CentOS Stream'), 'CentOS Stream 8', 'rhel', [8, 0], 'prohibit-password', 'cmdline', false],
    [os('rhel', '9.4'), 'Red Hat 9', 'rhel', [8, 7], 'prohibit-password', 'include', true],
    [os('rocky', '8.9'), 'Rocky 8', 'rhel', [8, 0], 'prohibit-password', 'cmdline', false],
    [os('almalinux', '9.3'), 'AlmaLinux 9', 'rhel', [8, 7], 'prohibit-password', 'include', true],
    [os('euleros', '2.0 (SP8)', 'EulerOS'), 'EulerOS', 'rhel', [7, 4], 'yes', 'none', false],
    [os('euleros', '2.0 (SP10)', 'EulerOS'), 'EulerOS', 'rhel', [8, 2], 'prohibit-password', 'none', true],
    [os('openeuler', '22.03'), 'openEuler', 'rhel', [8, 8], 'prohibit-password', 'none', true],
    [os('debian', '10'), 'Debian 10', 'debian', [7, 9], 'prohibit-password', 'none', false],
    [os('debian', '11'), 'Debian 11', 'debian', [8, 4], 'prohibit-password', 'none', true],
    [os('ubuntu', '18.04'), 'Ubuntu18', 'debian', [7, 6], 'prohibit-password', 'none', false],
    [os('ubuntu', '20.04'), 'Ubuntu20', 'debian', [8, 2], 'prohibit-password', 'none', false],
    [os('ubuntu', '24.04'), 'Ubuntu24', 'debian', [9, 6], 'prohibit-password', 'none', true],
    [os('centos', '9', 'CentOS Stream'), 'CentOS Stream 9', 'rhel', [8, 7], 'prohibit-password', 'include', true],
    [os('euleros', '2.0 (SP5)', 'EulerOS'), 'EulerOS', 'rhel', [7, 4], 'yes', 'none', false],
    [os('openeuler', '24.03'), 'openEuler', 'rhel', [9, 6], 'prohibit-password', 'none', true],
    [os('debian', '12'), 'Debian 12', 'debian', [9, 2], 'prohibit-password', 'none', true],
    [os('ubuntu', '16.04'), 'Ubuntu16', 'debian', [7, 2], 'prohibit-password', 'none', false],
    [os('ubuntu', '22.04'), 'Ubuntu22', 'debian', [8, 9], 'prohibit-password', 'none', true],
  ] as const)('%o → %s', (info, checkName, family, version, rootDefault, policy, pamDefaults) => {
    const p = profileFor(info);
    expect(p).toMatchObject({ checkName, family, ssh: { version, permitRootLoginDefault: rootDefault, cryptoPolicy: policy }, pamUnixReadsLoginDefs: pamDefaults });
  });

  it('uses the installed openssh-server version over the release default', () => {
    const pkg = { type: 'deb', name: 'openssh-server', version: '1:8.4p1-5+deb11u3' } as InventoryPackage;
    expect(profileFor(os('debian', '10'), [pkg])?.ssh.version).toEqual([8, 4]);
  });

  it('has no pack for other or older systems', () => {
    for (const o of [os('alpine', '3.18.4'), os('debian', '9'), os('ubuntu', '14.04'), os('sles', '15.4'), os('centos', '6')]) expect(profileFor(o)).toBeNull();
    expect(profileFor(null)).toBeNull();
  });
});

describe('newer releases', () => {
  const file = (path: string, content: string, mode = 0o644): MemoryEntry => ({ path, type: 'file', content, mode });

  it('Rocky 9: sshd_config.d Include pulls the crypto-policy file, read with first-match', async () => {
    const inv = await inventoryOf({
      layers: [
        {
          entries: [
            file('etc/os-release', 'NAME="Rocky Linux"\nID="rocky"\nVERSION_ID="9.3"\n'),
            file('etc/ssh/sshd_config', 'Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin no\n', 0o600),
            file('etc/ssh/sshd_config.d/50-redhat.conf', 'Include /etc/crypto-policies/back-ends/opensshserver.config\nX11Forwarding yes\n', 0o600),
            file('usr/share/crypto-policies/DEFAULT/opensshserver.txt', 'Ciphers aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,aes256-ctr\nMACs hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com\nKexAlgorithms curve25519-sha256,ecdh-sha2-nistp256\n'),
            { path: 'etc/crypto-policies/back-ends/opensshserver.config', type: 'symlink', target: '/usr/share/crypto-policies/DEFAULT/opensshserver.txt' },
          ],
        },
      ],
    });
    const r = evaluateBaseline(inv, { ruleIds: ['SSH-06', 'SSH-10', 'SSH-13', 'SSH-14', 'SSH-15'] });
    expect(r.checkName).toBe('Rocky 9');
    const status = (std: string) => Object.fromEntries((r.summaries.find((s) => s.standard === std)?.rules ?? []).map((x) => [x.id, x.status]));
    expect(status('cn_standard')).toEqual({ 'SSH-06': 'failed', 'SSH-10': 'passed', 'SSH-13': 'passed', 'SSH-14': 'passed', 'SSH-15': 'passed' });
    expect(status('hw_standard')).toEqual({ 'SSH-06': 'failed', 'SSH-10': 'passed', 'SSH-13': 'passed', 'SSH-14': 'passed', 'SSH-15': 'failed' }); // ecdh is outside hw's allowlist
    const kex = r.summaries.find((s) => s.standard === 'hw_standard')?.rules.find((x) => x.id === 'SSH-15');
    expect(kex?.evidence[0]?.file).toBe('/etc/crypto-policies/back-ends/opensshserver.config');
  });

  it('Debian 12: group14-sha1 is gone from the compiled KEX default, umac-64 is not', async () => {
    const inv = await inventoryOf({ layers: [{ entries: [file('etc/os-release', 'ID=debian\nVERSION_ID="12"\nNAME="Debian GNU/Linux"\n'), file('etc/ssh/sshd_config', 'UsePAM yes\n', 0o600)] }] });
    const rules = evaluateBaseline(inv, { standard: 'cn_standard', ruleIds: ['SSH-14', 'SSH-15'] }).summaries[0]?.rules;
    expect(rules?.map((x) => [x.id, x.status])).toEqual([
      ['SSH-14', 'failed'],
      ['SSH-15', 'passed'],
    ]);
  });
});
