/**
 * Every baseline rule, one passing and one failing image each. The passing image is a hardened
 * fixture (or a variant stated in the case); the failing one adds a layer that breaks exactly the
 * rule's condition, so each case also exercises layer overlay on the file it touches.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/analysis/inventory.js';
import { MergedFilesystem } from '../../src/analysis/merged-fs.js';
import type { PackageType } from '../../src/analysis/types.js';
import { BASELINE_RULES, evaluateBaseline, type Standard } from '../../src/detect/baseline/index.js';
import type { BaselineRuleResult } from '../../src/detect/baseline/types.js';
import { fixtureEntries, inventoryOf, type MemoryEntry } from './baseline-fixture.js';

type BaseName = 'debian' | 'centos';

interface Layer {
  entries: MemoryEntry[];
  packages?: Array<{ type: PackageType; name: string; version: string }>;
}

interface Base {
  name: BaseName;
  read(path: string): string;
}

interface Case {
  id: string;
  /** Extra layer that breaks the rule. */
  fail: (b: Base) => Layer;
  /** Extra layer for the passing image when the hardened base does not exercise the rule. */
  pass?: (b: Base) => Layer;
  base?: BaseName;
  standard?: Standard;
  severity?: string;
}

const BASE_LAYERS: Record<BaseName, string[]> = {
  debian: ['debian10/stock', 'hardened-common', 'debian10/hardened'],
  centos: ['centos7/stock', 'hardened-common', 'centos7/hardened'],
};

const put = (path: string, content: string, mode = 0o644, uid = 0, gid = 0): MemoryEntry => ({ path, type: 'file', content, mode, uid, gid });
const dir = (path: string, mode: number, uid = 0, gid = 0): MemoryEntry => ({ path, type: 'dir', mode, uid, gid });
const whiteout = (path: string): MemoryEntry => ({ path: path.replace(/([^/]+)$/, '.wh.$1'), type: 'file', content: '' });
const layer = (...entries: MemoryEntry[]): Layer => ({ entries });
const append = (b: Base, path: string, text: string, mode = 0o644, gid = 0) => layer(put(path, `${b.read(path)}${text}\n`, mode, 0, gid));
const sysctl = (text: string) => layer(put('etc/sysctl.d/99-zz-test.conf', `${text}\n`));
/** sshd_config with lines placed first, so first-match makes them effective. */
const sshdFirst = (b: Base, lines: string) => layer(put('etc/ssh/sshd_config', `${lines}\n${b.read('etc/ssh/sshd_config')}`, 0o600));
const DEB_PASSWORD = (args: string) =>
  `password requisite pam_pwquality.so ${args}\npassword required pam_pwhistory.so remember=5 use_authtok\npassword [success=1 default=ignore] pam_unix.so obscure use_authtok sha512\npassword requisite pam_deny.so\npassword required pam_permit.so\n`;
const USER_ALICE = (b: Base, extra = '') => put('etc/passwd', `${b.read('etc/passwd')}alice:x:1000:1000::/home/alice:/bin/bash\n${extra}`);
const GROUP_ALICE = (b: Base) => put('etc/group', `${b.read('etc/group')}alice:x:1000:\n`);

const CASES: Case[] = [
  { id: 'SYS-01', fail: (b) => append(b, 'etc/login.defs', 'PASS_MAX_DAYS 99999') },
  { id: 'SYS-02', standard: 'cn_standard', fail: (b) => append(b, 'etc/login.defs', 'PASS_MIN_DAYS 0') },
  { id: 'SYS-03', fail: (b) => append(b, 'etc/login.defs', 'PASS_WARN_AGE 3') },
  { id: 'SYS-04', base: 'centos', standard: 'cn_standard', fail: (b) => append(b, 'etc/login.defs', 'PASS_MIN_LEN 6') },
  { id: 'SYS-05', fail: () => layer(put('etc/pam.d/common-password', DEB_PASSWORD('retry=3 minlen=6 dcredit=-1 ucredit=-1 lcredit=-1 ocredit=-1'))) },
  { id: 'SYS-05', standard: 'hw_standard', fail: () => layer(put('etc/pam.d/common-password', DEB_PASSWORD('retry=5 minlen=8 minclass=3'))) },
  { id: 'SYS-05', base: 'centos', fail: (b) => append(b, 'etc/security/pwquality.conf', 'minlen = 7') },
  { id: 'SYS-06', fail: () => layer(put('etc/pam.d/common-password', DEB_PASSWORD('retry=3 minlen=8 dcredit=-1 ucredit=-1'))) },
  { id: 'SYS-06', base: 'centos', fail: (b) => append(b, 'etc/security/pwquality.conf', 'minclass = 2') },
  { id: 'SYS-07', fail: () => layer(put('etc/pam.d/common-password', DEB_PASSWORD('retry=3 minlen=8 minclass=3').replace('remember=5', 'remember=3'))) },
  { id: 'SYS-08', fail: () => layer(put('etc/pam.d/common-password', DEB_PASSWORD('retry=3 minlen=8 minclass=3').replace('sha512', 'md5'))) },
  { id: 'SYS-08', base: 'centos', fail: (b) => append(b, 'etc/login.defs', 'ENCRYPT_METHOD MD5') },
  { id: 'SYS-09', fail: (b) => layer(put('etc/pam.d/common-auth', b.read('etc/pam.d/common-auth').replace('deny=3', 'deny=10'))) },
  { id: 'SYS-09', base: 'centos', fail: (b) => layer(put('etc/pam.d/password-auth-ac', b.read('etc/pam.d/password-auth-ac').replace(/unlock_time=600/g, 'unlock_time=60'))) },
  { id: 'SYS-10', fail: (b) => layer(put('etc/shadow', `${b.read('etc/shadow')}games2::19000:0:90:7:::\n`, 0o640, 0, 42)) },
  { id: 'SYS-11', fail: (b) => layer(put('etc/pam.d/common-auth', b.read('etc/pam.d/common-auth').replace('pam_unix.so', 'pam_unix.so nullok'))) },
  { id: 'SYS-12', standard: 'cn_standard', fail: (b) => layer(put('etc/passwd', b.read('etc/passwd').replace('daemon:x:', 'daemon:$6$abc$def:'))) },
  { id: 'SYS-13', fail: (b) => layer(put('etc/passwd', `${b.read('etc/passwd')}toor:x:0:0::/root:/bin/bash\n`)) },
  { id: 'SYS-14', fail: (b) => layer(put('etc/passwd', b.read('etc/passwd').replace('root:x:0:0:', 'root:x:0:27:'))) },
  { id: 'SYS-15', fail: (b) => layer(put('etc/passwd', `${b.read('etc/passwd')}daemon2:x:1:1::/:/usr/sbin/nologin\n`)) },
  { id: 'SYS-16', fail: (b) => layer(put('etc/group', `${b.read('etc/group')}audio2:x:29:\n`)) },
  { id: 'SYS-17', fail: (b) => layer(put('etc/passwd', `${b.read('etc/passwd')}svc:x:1500:4242::/nonexistent:/usr/sbin/nologin\n`)) },
  { id: 'SYS-18', fail: (b) => layer(put('etc/group', `${b.read('etc/group')}+:::\n`)) },
  { id: 'SYS-19', fail: (b) => layer(put('etc/shadow', b.read('etc/shadow').replace('daemon:*:', 'daemon:$1$salt$md5hashhash:'), 0o640, 0, 42)) },
  { id: 'SYS-19', standard: 'hw_standard', fail: (b) => layer(put('etc/shadow', b.read('etc/shadow').replace('daemon:*:', 'daemon:$5$salt$sha256hash:'), 0o640, 0, 42)) },
  {
    id: 'SYS-20',
    fail: (b) => layer(put('etc/shadow', b.read('etc/shadow').replace('daemon:*:19480:0:99999', 'daemon:$6$s$same:19480:0:90').replace('bin:*:19480:0:99999', 'bin:$6$s$same:19480:0:90'), 0o640, 0, 42)),
  },
  { id: 'SYS-21', fail: (b) => layer(put('etc/shadow', b.read('etc/shadow').replace('daemon:*:', 'daemon:$6$s$unique:'), 0o640, 0, 42)) },
  { id: 'SYS-22', fail: (b) => layer(put('etc/shadow', b.read('etc/shadow').replace('bin:*:19480:', 'bin:*:40000:'), 0o640, 0, 42)) },
  { id: 'SYS-23', standard: 'cn_standard', fail: (b) => layer(put('etc/passwd', b.read('etc/passwd').replace('daemon:/usr/sbin:/usr/sbin/nologin', 'daemon:/usr/sbin:/bin/bash'))) },
  { id: 'SYS-24', fail: (b) => layer(put('etc/group', b.read('etc/group').replace('shadow:x:42:', 'shadow:x:42:daemon'))) },
  { id: 'SYS-25', fail: (b) => layer(put('etc/group', b.read('etc/group').replace('root:x:0:', 'root:x:0:daemon'))) },
  { id: 'SYS-25', fail: (b) => layer(put('etc/group', b.read('etc/group').replace('sudo:x:27:', 'sudo:x:27:www-data'))) },
  { id: 'SYS-26', fail: (b) => layer(put('etc/pam.d/su', b.read('etc/pam.d/su').replace('auth       required   pam_wheel.so group=sudo', '# auth required pam_wheel.so'))) },
  { id: 'SYS-27', fail: () => layer(put('etc/hosts.equiv', 'trusted.example.com\n')) },
  { id: 'SYS-27', fail: (b) => layer(USER_ALICE(b), GROUP_ALICE(b), put('home/alice/.rhosts', '+ +\n', 0o600, 1000, 1000)) },
  { id: 'SYS-28', fail: () => layer(put('root/.ssh/authorized_keys', '# admin\nssh-ed25519 AAAAC3Nza admin@laptop\n', 0o600)) },
  { id: 'SYS-28', fail: (b) => layer(put('etc/ssh/sshd_config', `AuthorizedKeysFile /etc/ssh/keys/%u\n${b.read('etc/ssh/sshd_config')}`, 0o600), put('etc/ssh/keys/root', 'ssh-rsa AAAAB3 root@ci\n', 0o600)) },
  { id: 'SYS-29', standard: 'hw_standard', fail: () => layer(put('root/.netrc', 'machine example.com login me password hunter2\n', 0o600)) },
  {
    id: 'SYS-30',
    pass: (b) => layer(USER_ALICE(b), GROUP_ALICE(b), dir('home/alice', 0o750, 1000, 1000), put('home/alice/.bashrc', '', 0o644, 1000, 1000)),
    fail: (b) => layer(USER_ALICE(b), GROUP_ALICE(b), dir('home/alice', 0o775, 1000, 1000), put('home/alice/.bashrc', '', 0o666, 1000, 1000)),
  },
  { id: 'SYS-31', fail: (b) => layer(put('etc/passwd', b.read('etc/passwd'), 0o664)) },
  { id: 'SYS-32', fail: (b) => layer(put('etc/shadow', b.read('etc/shadow'), 0o644, 0, 42)) },
  { id: 'SYS-32', base: 'centos', fail: (b) => layer(put('etc/shadow', b.read('etc/shadow'), 0o400)), standard: 'hw_standard' },
  { id: 'SYS-33', fail: (b) => layer(put('etc/group', b.read('etc/group'), 0o644, 1000, 0)) },
  { id: 'SYS-34', fail: (b) => layer(put('etc/gshadow', b.read('etc/gshadow'), 0o660, 0, 42)) },
  { id: 'SYS-35', fail: () => layer(put('opt/app/data.json', '{}', 0o666)) },
  { id: 'SYS-36', standard: 'hw_standard', pass: () => layer(dir('opt/shared', 0o1777)), fail: () => layer(dir('opt/shared', 0o777)) },
  { id: 'SYS-37', fail: () => layer(put('usr/local/bin/helper', '', 0o4755)) },
  { id: 'SYS-38', standard: 'hw_standard', pass: () => layer(put('opt/app/run.sh', '', 0o755, 33, 33)), fail: () => layer(put('opt/app/run.sh', '', 0o755, 1234, 1234)) },
  { id: 'SYS-39', fail: () => layer(put('etc/profile.d/zz-local.sh', 'umask 022\n')) },
  { id: 'SYS-39', fail: (b) => append(b, 'etc/login.defs', 'UMASK 022') },
  { id: 'SYS-40', fail: () => layer(put('etc/profile.d/zz-local.sh', 'export TMOUT=0\n')) },
  { id: 'SYS-40', fail: () => layer(whiteout('etc/profile.d/tmout.sh')) },
  { id: 'SYS-41', standard: 'hw_standard', fail: () => layer(put('etc/issue', 'Kernel \\r on an \\m\n')) },
  { id: 'SYS-41', standard: 'hw_standard', fail: () => layer(put('etc/motd', 'Welcome to Debian GNU/Linux\n')) },
  { id: 'SYS-42', fail: () => sysctl('net.ipv4.ip_forward = 1') },
  { id: 'SYS-43', standard: 'hw_standard', fail: () => sysctl('net.ipv4.conf.default.send_redirects = 1') },
  { id: 'SYS-44', standard: 'hw_standard', fail: () => sysctl('net.ipv6.conf.all.accept_redirects = 1') },
  { id: 'SYS-45', standard: 'hw_standard', fail: () => sysctl('net.ipv4.conf.all.accept_source_route = 1') },
  { id: 'SYS-46', fail: () => sysctl('net.ipv4.conf.all.log_martians = 0') },
  { id: 'SYS-47', standard: 'hw_standard', fail: () => sysctl('net.ipv4.icmp_echo_ignore_broadcasts = 0') },
  { id: 'SYS-48', standard: 'hw_standard', fail: () => sysctl('net.ipv4.conf.default.rp_filter = 0') },
  { id: 'SYS-49', fail: () => sysctl('net.ipv4.tcp_syncookies = 0') },
  { id: 'SYS-50', standard: 'hw_standard', fail: () => sysctl('kernel.randomize_va_space = 0') },
  { id: 'SYS-51', standard: 'hw_standard', fail: () => sysctl('fs.suid_dumpable = 2') },
  { id: 'SYS-51', standard: 'hw_standard', fail: () => layer(put('etc/security/limits.d/99-dev.conf', '*   hard   core   unlimited\n')) },
  { id: 'SYS-52', fail: (b) => layer(put('etc/rsyslog.conf', b.read('etc/rsyslog.conf').replace('0640', '0644'))) },
  { id: 'SYS-52', fail: () => layer(whiteout('etc/rsyslog.d/50-auth.conf')) },
  { id: 'SYS-53', fail: (b) => append(b, 'etc/audit/auditd.conf', 'space_left_action = IGNORE') },
  { id: 'SYS-53', standard: 'hw_standard', fail: (b) => layer(put('etc/audit/auditd.conf', b.read('etc/audit/auditd.conf').replace('num_logs = 5', 'num_logs = 2'))) },
  { id: 'SYS-54', fail: (b) => layer(put('etc/audit/rules.d/50-identity.rules', b.read('etc/audit/rules.d/50-identity.rules').replace('-w /etc/shadow -p wa', '-w /etc/shadow -p r'))) },
  {
    id: 'SYS-55',
    standard: 'hw_standard',
    pass: () => layer(put('etc/crontab', '', 0o600), dir('etc/cron.d', 0o700), dir('etc/cron.daily', 0o700)),
    fail: () => layer(put('etc/crontab', '', 0o644), dir('etc/cron.d', 0o755), dir('etc/cron.daily', 0o755)),
  },
  {
    id: 'SYS-56',
    standard: 'hw_standard',
    pass: () => layer(put('etc/crontab', '', 0o600), put('etc/cron.allow', 'root\n', 0o600)),
    fail: () => layer(put('etc/crontab', '', 0o600), put('etc/cron.deny', '', 0o644)),
  },
  { id: 'SYS-57', fail: () => ({ entries: [], packages: [{ type: 'deb', name: 'telnetd', version: '0.17-41' }] }) },
  { id: 'SYS-57', standard: 'hw_standard', fail: () => ({ entries: [], packages: [{ type: 'deb', name: 'samba', version: '2:4.9.5' }] }) },
  { id: 'SSH-01', standard: 'cn_standard', fail: (b) => layer(put('etc/ssh/sshd_config', b.read('etc/ssh/sshd_config'), 0o644)) },
  {
    id: 'SSH-02',
    pass: () => layer(put('etc/ssh/ssh_host_ed25519_key', '', 0o600), put('etc/ssh/ssh_host_ed25519_key.pub', 'ssh-ed25519 AAAA\n', 0o644)),
    fail: () => layer(put('etc/ssh/ssh_host_ed25519_key', '', 0o640), put('etc/ssh/ssh_host_ed25519_key.pub', 'ssh-ed25519 AAAA\n', 0o644)),
  },
  {
    id: 'SSH-02',
    base: 'centos',
    pass: () => layer(put('etc/ssh/ssh_host_ed25519_key', '', 0o640, 0, 998)),
    fail: () => layer(put('etc/ssh/ssh_host_ed25519_key', '', 0o640, 0, 0)),
  },
  { id: 'SSH-03', fail: () => layer(put('etc/ssh/ssh_host_rsa_key', '', 0o600)) },
  { id: 'SSH-04', fail: (b) => sshdFirst(b, 'Protocol 2,1') },
  { id: 'SSH-05', standard: 'hw_standard', fail: (b) => sshdFirst(b, 'LogLevel INFO') },
  { id: 'SSH-05', standard: 'cn_standard', fail: (b) => sshdFirst(b, 'LogLevel QUIET') },
  { id: 'SSH-06', fail: (b) => sshdFirst(b, 'X11Forwarding yes') },
  { id: 'SSH-06', fail: (b) => layer(put('etc/ssh/sshd_config', `${b.read('etc/ssh/sshd_config')}Match Group devs\n  X11Forwarding yes\n`, 0o600)) },
  { id: 'SSH-07', fail: (b) => sshdFirst(b, 'MaxAuthTries 6') },
  { id: 'SSH-07', standard: 'hw_standard', fail: (b) => sshdFirst(b, 'MaxAuthTries 4') },
  { id: 'SSH-08', fail: (b) => sshdFirst(b, 'IgnoreRhosts no') },
  { id: 'SSH-09', fail: (b) => sshdFirst(b, 'HostbasedAuthentication yes') },
  { id: 'SSH-10', fail: (b) => sshdFirst(b, 'PermitRootLogin yes'), severity: 'high' },
  { id: 'SSH-10', fail: (b) => sshdFirst(b, 'PermitRootLogin prohibit-password'), severity: 'low' },
  { id: 'SSH-10', base: 'centos', fail: (b) => layer(put('etc/ssh/sshd_config', b.read('etc/ssh/sshd_config').replace('PermitRootLogin no\n', ''), 0o600)), severity: 'high' },
  { id: 'SSH-11', fail: (b) => sshdFirst(b, 'PermitEmptyPasswords yes') },
  { id: 'SSH-12', standard: 'hw_standard', fail: (b) => sshdFirst(b, 'PermitUserEnvironment yes') },
  { id: 'SSH-13', fail: (b) => sshdFirst(b, 'Ciphers aes256-ctr,aes128-cbc') },
  { id: 'SSH-13', fail: (b) => sshdFirst(b, 'Ciphers +3des-cbc') },
  { id: 'SSH-13', standard: 'cn_standard', pass: (b) => sshdFirst(b, 'Ciphers -*-cbc'), fail: (b) => sshdFirst(b, 'Ciphers ^arcfour') },
  { id: 'SSH-13', base: 'centos', standard: 'cn_standard', pass: (b) => sshdFirst(b, 'Ciphers -*-cbc'), fail: (b) => layer(put('etc/ssh/sshd_config', b.read('etc/ssh/sshd_config').replace(/^Ciphers .*\n/m, ''), 0o600)) },
  { id: 'SSH-13', standard: 'hw_standard', fail: (b) => layer(put('etc/ssh/sshd_config', b.read('etc/ssh/sshd_config').replace(/^Ciphers .*\n/m, ''), 0o600)) },
  { id: 'SSH-14', fail: (b) => sshdFirst(b, 'MACs hmac-sha2-256,hmac-md5') },
  { id: 'SSH-14', standard: 'hw_standard', pass: (b) => sshdFirst(b, 'MACs hmac-sha2-256'), fail: (b) => sshdFirst(b, 'MACs hmac-sha2-256,hmac-sha1') },
  { id: 'SSH-15', fail: (b) => sshdFirst(b, 'KexAlgorithms curve25519-sha256,diffie-hellman-group14-sha1') },
  { id: 'SSH-15', standard: 'hw_standard', pass: (b) => sshdFirst(b, 'KexAlgorithms curve25519-sha256'), fail: (b) => sshdFirst(b, 'KexAlgorithms curve25519-sha256,ecdh-sha2-nistp256') },
  { id: 'SSH-16', standard: 'cn_standard', fail: (b) => sshdFirst(b, 'ClientAliveInterval 0') },
  { id: 'SSH-16', standard: 'cn_standard', fail: (b) => sshdFirst(b, 'ClientAliveInterval 900') },
  { id: 'SSH-16', standard: 'cn_standard', fail: (b) => sshdFirst(b, 'ClientAliveCountMax 5') },
  { id: 'SSH-17', fail: (b) => sshdFirst(b, 'LoginGraceTime 2m') },
  { id: 'SSH-17', fail: (b) => sshdFirst(b, 'LoginGraceTime 0') },
  { id: 'SSH-18', standard: 'hw_standard', fail: (b) => sshdFirst(b, 'Banner none') },
  { id: 'SSH-18', standard: 'hw_standard', fail: () => layer(put('etc/issue.net', '\\s \\r\n')) },
  { id: 'SSH-18', standard: 'hw_standard', fail: (b) => sshdFirst(b, 'Banner /etc/ssh/missing-banner') },
  { id: 'SSH-19', standard: 'hw_standard', fail: (b) => sshdFirst(b, 'UsePAM no') },
  { id: 'SSH-20', fail: (b) => sshdFirst(b, 'AllowTcpForwarding yes') },
  { id: 'SSH-21', standard: 'hw_standard', fail: (b) => sshdFirst(b, 'MaxStartups 10:30:100') },
  { id: 'SSH-21', standard: 'hw_standard', pass: (b) => sshdFirst(b, 'MaxStartups 5'), fail: (b) => sshdFirst(b, 'MaxStartups 20') },
  { id: 'SSH-22', standard: 'hw_standard', fail: (b) => sshdFirst(b, 'MaxSessions 20') },
  { id: 'SSH-23', fail: (b) => layer(put('etc/ssh/sshd_config', b.read('etc/ssh/sshd_config').replace('AllowGroups sshusers\n', ''), 0o600)) },
];

const bases = {} as Record<BaseName, { layers: Layer[]; base: Base }>;

beforeAll(async () => {
  for (const name of ['debian', 'centos'] as const) {
    const layers = BASE_LAYERS[name].map((d) => {
      const f = fixtureEntries(d);
      return { entries: f.entries, packages: f.meta.packages };
    });
    const inv = await inventoryOf({ layers, config: { created: '2023-06-01T00:00:00Z' } });
    const fs = MergedFilesystem.of(inv);
    bases[name] = { layers, base: { name, read: (p) => fs.read(p) ?? '' } };
  }
});

async function evaluate(name: BaseName, extra: Layer | null, id: string, standard: Standard): Promise<BaselineRuleResult> {
  const inv: Inventory = await inventoryOf({ layers: [...bases[name].layers, ...(extra ? [extra] : [])], config: { created: '2023-06-01T00:00:00Z' } });
  const r = evaluateBaseline(inv, { standard, ruleIds: [id] });
  expect(r.warnings).toEqual([]);
  const rule = r.summaries[0]?.rules[0];
  if (!rule) throw new Error(`${id} did not run under ${standard}`);
  return rule;
}

describe('every rule has a passing and a failing case', () => {
  it('covers all 80 rules', () => {
    expect(new Set(CASES.map((c) => c.id))).toEqual(new Set(BASELINE_RULES.map((r) => r.id)));
  });

  it.each(CASES.map((c, i) => [`${c.id} #${i} (${c.base ?? 'debian'}, ${c.standard ?? 'default'})`, c] as const))('%s', async (_label, c) => {
    const name = c.base ?? 'debian';
    const rule = BASELINE_RULES.find((r) => r.id === c.id);
    const standard = c.standard ?? (rule?.standards[0] as Standard);
    const b = bases[name].base;
    const ok = await evaluate(name, c.pass ? c.pass(b) : null, c.id, standard);
    expect(ok.status, JSON.stringify(ok.evidence)).toBe('passed');
    const bad = await evaluate(name, c.fail(b), c.id, standard);
    expect(bad.status, JSON.stringify(bad.evidence)).toBe('failed');
    expect(bad.evidence.length).toBeGreaterThan(0);
    if (c.severity) expect(bad.severity).toBe(c.severity);
  });
});

describe('not-applicable handling', () => {
  it('reports SSH checks not applicable without sshd_config, and audit checks per standard', async () => {
    const stock = fixtureEntries('debian10/stock');
    const noSsh: Layer = { entries: [whiteout('etc/ssh/sshd_config')] };
    for (const standard of ['cn_standard', 'hw_standard'] as const) {
      const inv = await inventoryOf({ layers: [{ entries: stock.entries }, noSsh] });
      const r = evaluateBaseline(inv, { standard });
      const ssh = r.summaries.find((s) => s.checkType === 'ssh');
      expect(ssh?.checkRuleNum).toBe(0);
      expect(ssh?.rules.every((x) => x.status === 'not_applicable')).toBe(true);
      const audit = r.summaries.find((s) => s.checkType === 'system')?.rules.find((x) => x.id === 'SYS-53');
      expect(audit?.status).toBe(standard === 'cn_standard' ? 'failed' : 'not_applicable');
    }
  });
});
