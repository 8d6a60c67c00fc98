/**
 * SYS-42..SYS-51: kernel parameters from the sysctl files and core-dump limits. A container gets
 * these from its runtime (most are per network namespace), so the checks judge the image's
 * configured intent only. Secure-by-default keys pass when absent; the others must be set.
 */
import { globFiles } from '../fs-glob.js';
import { effectiveSysctl, type SysctlValue } from '../parse/sysctl.js';
import type { BaselineEvidence, BaselineRule, RuleContext, Verdict } from '../types.js';
import { BOTH, HW_ONLY, ev, failed, passed } from './helpers.js';

const INTENT_NOTE = ' Containers get kernel parameters from the runtime; this judges what the image configures.';

export function sysctlOf(ctx: RuleContext): Map<string, SysctlValue> {
  return effectiveSysctl({
    read: (p) => ctx.fs.read(p),
    list: (dir) => globFiles(ctx.fs, ctx.inventory, `${dir}/*`),
    realPath: (p) => ctx.fs.resolve(p),
  });
}

interface KeyCheck {
  key: string;
  /** Value the key must have; when `absentOk`, only an explicit other value fails. */
  want: string[];
  absentOk: boolean;
}

function checkKeys(ctx: RuleContext, checks: KeyCheck[]): Verdict {
  const values = sysctlOf(ctx);
  const bad: BaselineEvidence[] = [];
  const good: BaselineEvidence[] = [];
  for (const c of checks) {
    const v = values.get(c.key);
    const suggested = `${c.key} = ${c.want[0]}`;
    if (!v) {
      (c.absentOk ? good : bad).push(ev(null, null, `${c.key} not set${c.absentOk ? ' (kernel default is safe)' : ''}`, suggested));
      continue;
    }
    (c.want.includes(v.value) ? good : bad).push(ev(v.file, v.line, `${c.key} = ${v.value}`, suggested));
  }
  return bad.length > 0 ? failed(bad) : passed(...good);
}

const both = (fmt: (scope: string) => string) => ['all', 'default'].map((s) => fmt(s));

function sysctlRule(r: Omit<BaselineRule, 'checkType' | 'evaluate' | 'audit'> & { checks: KeyCheck[] }): BaselineRule {
  const { checks, ...rest } = r;
  return {
    ...rest,
    checkType: 'system',
    description: r.description + INTENT_NOTE,
    audit: `grep -rE '${checks.map((c) => c.key.split('.').pop()).join('|')}' /etc/sysctl.conf /etc/sysctl.d /run/sysctl.d /usr/lib/sysctl.d /lib/sysctl.d`,
    evaluate: (ctx) => checkKeys(ctx, checks),
  };
}

const sys42 = sysctlRule({
  id: 'SYS-42',
  title: 'IP forwarding disabled',
  severity: 'medium',
  standards: BOTH,
  references: { cn: '8.1.4.4b', hw: 'oE 3.5.12', cis: 'C7/U16 3.1.1', ssg: 'sysctl_net_ipv4_ip_forward' },
  description: 'Forwarding turns the system into a router between networks. Routers and CNI images are legitimate exceptions.',
  remediation: 'Remove `net.ipv4.ip_forward = 1` / `net.ipv6.conf.all.forwarding = 1` or set them to 0.',
  checks: [
    { key: 'net.ipv4.ip_forward', want: ['0'], absentOk: true },
    { key: 'net.ipv6.conf.all.forwarding', want: ['0'], absentOk: true },
  ],
});

const sys43 = sysctlRule({
  id: 'SYS-43',
  title: 'ICMP redirects not sent',
  severity: 'low',
  standards: HW_ONLY,
  references: { hw: 'oE 3.5.8', cis: '3.1.2', ssg: 'sysctl_net_ipv4_conf_all_send_redirects' },
  description: 'A host that is not a router has no reason to send ICMP redirects (kernel default sends them).',
  remediation: 'Set `net.ipv4.conf.all.send_redirects = 0` and `net.ipv4.conf.default.send_redirects = 0`.',
  checks: both((s) => `net.ipv4.conf.${s}.send_redirects`).map((key) => ({ key, want: ['0'], absentOk: false })),
});

const sys44 = sysctlRule({
  id: 'SYS-44',
  title: 'ICMP redirects not accepted',
  severity: 'low',
  standards: HW_ONLY,
  references: { hw: 'oE 3.5.7', cis: '3.2.2, 3.2.3, 3.3.2', ssg: 'sysctl_net_ipv4_conf_all_accept_redirects' },
  description: 'Accepted redirects let an attacker on the link rewrite the routing table (kernel default accepts them).',
  remediation: 'Set accept_redirects and secure_redirects to 0 for net.ipv4.conf.{all,default} and accept_redirects to 0 for net.ipv6.conf.{all,default}.',
  checks: [
    ...both((s) => `net.ipv4.conf.${s}.accept_redirects`),
    ...both((s) => `net.ipv4.conf.${s}.secure_redirects`),
    ...both((s) => `net.ipv6.conf.${s}.accept_redirects`),
  ].map((key) => ({ key, want: ['0'], absentOk: false })),
});

const sys45 = sysctlRule({
  id: 'SYS-45',
  title: 'Source-routed packets not accepted',
  severity: 'low',
  standards: HW_ONLY,
  references: { hw: 'oE 3.5.13', cis: '3.2.1', ssg: 'sysctl_net_ipv4_conf_all_accept_source_route' },
  description: 'Source routing lets a sender choose the path of its packets, bypassing filtering (kernel default refuses).',
  remediation: 'Remove any accept_source_route = 1 or set it to 0.',
  checks: [...both((s) => `net.ipv4.conf.${s}.accept_source_route`), ...both((s) => `net.ipv6.conf.${s}.accept_source_route`)].map((key) => ({ key, want: ['0'], absentOk: true })),
});

const sys46 = sysctlRule({
  id: 'SYS-46',
  title: 'Suspicious packets logged',
  severity: 'low',
  standards: BOTH,
  references: { cn: '8.1.4.3a', hw: 'oE 3.5.15', cis: '3.2.4', ssg: 'sysctl_net_ipv4_conf_all_log_martians' },
  description: 'log_martians records packets with impossible addresses (kernel default off).',
  remediation: 'Set `net.ipv4.conf.all.log_martians = 1` and `net.ipv4.conf.default.log_martians = 1`.',
  checks: both((s) => `net.ipv4.conf.${s}.log_martians`).map((key) => ({ key, want: ['1'], absentOk: false })),
});

const sys47 = sysctlRule({
  id: 'SYS-47',
  title: 'Broadcast/bogus ICMP ignored',
  severity: 'low',
  standards: HW_ONLY,
  references: { hw: 'oE 3.5.6, 3.5.10', cis: '3.2.5, 3.2.6' },
  description: 'Answering broadcast pings enables smurf amplification; bogus error responses fill logs (kernel default ignores both).',
  remediation: 'Remove any 0 value or set `net.ipv4.icmp_echo_ignore_broadcasts = 1` and `net.ipv4.icmp_ignore_bogus_error_responses = 1`.',
  checks: ['net.ipv4.icmp_echo_ignore_broadcasts', 'net.ipv4.icmp_ignore_bogus_error_responses'].map((key) => ({ key, want: ['1'], absentOk: true })),
});

const sys48: BaselineRule = {
  id: 'SYS-48',
  checkType: 'system',
  title: 'Reverse-path filtering',
  severity: 'low',
  standards: HW_ONLY,
  references: { hw: 'oE 3.5.11', cis: '3.2.7', ssg: 'sysctl_net_ipv4_conf_all_rp_filter' },
  description: `rp_filter drops packets whose source address is not routable back through the receiving interface (kernel default 0; systemd's 50-default.conf sets it).${INTENT_NOTE}`,
  audit: 'grep -r rp_filter /etc/sysctl.conf /etc/sysctl.d /usr/lib/sysctl.d',
  remediation: 'Set `net.ipv4.conf.all.rp_filter = 1` and `net.ipv4.conf.default.rp_filter = 1`.',
  evaluate: (ctx) => checkKeys(ctx, both((s) => `net.ipv4.conf.${s}.rp_filter`).map((key) => ({ key, want: ctx.thresholds.rpFilterValues.map(String), absentOk: false }))),
};

const sys49 = sysctlRule({
  id: 'SYS-49',
  title: 'TCP SYN cookies',
  severity: 'low',
  standards: BOTH,
  references: { cn: '8.1.4.4', hw: 'oE 3.5.14', cis: '3.2.8', ssg: 'sysctl_net_ipv4_tcp_syncookies' },
  description: 'SYN cookies keep the TCP stack answering during a SYN flood (kernel default on).',
  remediation: 'Remove `net.ipv4.tcp_syncookies = 0` or set it to 1.',
  checks: [{ key: 'net.ipv4.tcp_syncookies', want: ['1'], absentOk: true }],
});

const sys50 = sysctlRule({
  id: 'SYS-50',
  title: 'ASLR not disabled',
  severity: 'medium',
  standards: HW_ONLY,
  references: { hw: 'oE 3.5.1', cis: 'C7/U16 1.5.3', ssg: 'sysctl_kernel_randomize_va_space' },
  description: 'Address-space layout randomisation makes memory-corruption exploits unreliable (kernel default 2).',
  remediation: 'Remove the setting or set `kernel.randomize_va_space = 2`.',
  checks: [{ key: 'kernel.randomize_va_space', want: ['2'], absentOk: true }],
});

/** `<domain> <type> core <value>` lines of limits.conf and limits.d. */
function hardCoreLimit(ctx: RuleContext): { file: string; line: number; text: string } | null {
  const files = ['/etc/security/limits.conf', ...globFiles(ctx.fs, ctx.inventory, '/etc/security/limits.d/*.conf')];
  let found: { file: string; line: number; text: string } | null = null;
  for (const file of files) {
    const text = ctx.fs.read(file);
    if (text === undefined) continue;
    text.split('\n').forEach((raw, i) => {
      const parts = raw.replace(/#.*$/, '').trim().split(/\s+/);
      if (parts.length >= 4 && parts[0] === '*' && (parts[1] === 'hard' || parts[1] === '-') && parts[2] === 'core') {
        found = parts[3] === '0' ? { file, line: i + 1, text: raw.trim() } : null; // a later line overrides
      }
    });
  }
  return found;
}

const sys51: BaselineRule = {
  id: 'SYS-51',
  checkType: 'system',
  title: 'Core dumps restricted',
  severity: 'low',
  standards: HW_ONLY,
  references: { hw: 'oE 3.5.20', cis: 'C7/U16 1.5.1', ssg: 'disable_users_coredumps' },
  description: `Core dumps can hold passwords and keys from memory: \`* hard core 0\` must be in limits.conf (or limits.d) and fs.suid_dumpable must not be 1 or 2.${INTENT_NOTE}`,
  audit: "grep -E '^\\*\\s+hard\\s+core' /etc/security/limits.conf /etc/security/limits.d/*; grep -r suid_dumpable /etc/sysctl.*",
  remediation: 'Add `* hard core 0` to /etc/security/limits.conf and set `fs.suid_dumpable = 0`.',
  evaluate(ctx) {
    const bad: BaselineEvidence[] = [];
    const good: BaselineEvidence[] = [];
    const limit = hardCoreLimit(ctx);
    if (limit) good.push(ev(limit.file, limit.line, limit.text, '* hard core 0'));
    else bad.push(ev('/etc/security/limits.conf', null, 'no `* hard core 0` line', '* hard core 0'));
    const dump = sysctlOf(ctx).get('fs.suid_dumpable');
    if (dump && dump.value !== '0') bad.push(ev(dump.file, dump.line, `fs.suid_dumpable = ${dump.value}`, 'fs.suid_dumpable = 0'));
    return bad.length > 0 ? failed(bad) : passed(...good);
  },
};

export const KERNEL_RULES: readonly BaselineRule[] = [sys42, sys43, sys44, sys45, sys46, sys47, sys48, sys49, sys50, sys51];
