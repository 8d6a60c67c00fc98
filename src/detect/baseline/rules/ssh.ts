/**
 * SSH-01..SSH-23: the OpenSSH server configuration, evaluated only when /etc/ssh/sshd_config
 * exists. Values are the effective global ones (first match, Include spliced in, command-line
 * crypto policy on RHEL 8, compiled defaults for absent keywords); a `Match` block that overrides a
 * keyword with a failing value fails the check too, because those connections get the weak value.
 */
import { SSHD_CONFIG } from '../image-facts.js';
import { effectiveAlgorithms, lookup, parseSshdTime, type SshdDirective } from '../parse/sshd.js';
import { compiledDefaults, WEAK_CIPHERS, WEAK_KEX, weakMacs } from '../ssh-defaults.js';
import type { BaselineEvidence, BaselineRule, RuleContext, RuleSeverity, Verdict } from '../types.js';
import { BOTH, CN_ONLY, HW_ONLY, abs, ev, failed, modeExceeds, notApplicable, ownerText, passed } from './helpers.js';

const NO_SSHD = 'openssh-server not installed (no /etc/ssh/sshd_config)';

/** One place a keyword gets its value: the global section (or compiled default) or a Match block. */
interface Occurrence {
  args: string[];
  source: SshdDirective | null;
  /** `Match` criteria when the value comes from a Match block. */
  match: string | null;
}

function occurrences(ctx: RuleContext, keyword: string): Occurrence[] {
  const cfg = ctx.facts.sshd;
  if (!cfg) return [];
  const kw = keyword.toLowerCase();
  const global = lookup(cfg.global, kw);
  const out: Occurrence[] = [
    global ? { args: global.args, source: global.source, match: null } : { args: compiledDefaults(ctx.profile.ssh)[kw] ?? [], source: null, match: null },
  ];
  for (const block of cfg.matches) {
    const s = lookup(block.directives, kw);
    if (s) out.push({ args: s.args, source: s.source, match: block.criteria });
  }
  return out;
}

function describe(keyword: string, o: Occurrence): string {
  const where = o.match ? `Match ${o.match}: ` : '';
  if (!o.source) return `${keyword} not set (compiled default ${o.args.join(' ') || 'none'})`;
  return `${where}${o.source.text}`;
}

function evidenceFor(keyword: string, o: Occurrence, suggested: string): BaselineEvidence {
  return ev(o.source ? o.source.file : SSHD_CONFIG, o.source ? o.source.line : null, describe(keyword, o), suggested);
}

type Judge = (args: string[], ctx: RuleContext, o: Occurrence) => boolean | { ok: boolean; severity?: RuleSeverity };

/** Evaluate every occurrence of a keyword; the worst override severity wins. */
function judgeKeyword(ctx: RuleContext, keyword: string, suggested: string, judge: Judge): Verdict {
  if (!ctx.facts.sshd) return notApplicable(NO_SSHD);
  const bad: BaselineEvidence[] = [];
  const good: BaselineEvidence[] = [];
  let severity: RuleSeverity | undefined;
  const order: RuleSeverity[] = ['low', 'medium', 'high'];
  for (const o of occurrences(ctx, keyword)) {
    const r = judge(o.args, ctx, o);
    const res = typeof r === 'boolean' ? { ok: r } : r;
    if (res.ok) good.push(evidenceFor(keyword, o, suggested));
    else {
      bad.push(evidenceFor(keyword, o, suggested));
      if (res.severity && (!severity || order.indexOf(res.severity) > order.indexOf(severity))) severity = res.severity;
    }
  }
  return bad.length > 0 ? failed(bad, severity) : passed(...good);
}

interface KeywordSpec extends Omit<BaselineRule, 'checkType' | 'evaluate'> {
  keyword: string;
  suggested: (ctx: RuleContext) => string;
  judge: Judge;
}

function keywordRule(spec: KeywordSpec): BaselineRule {
  const { keyword, suggested, judge, ...rest } = spec;
  return { ...rest, checkType: 'ssh', evaluate: (ctx) => judgeKeyword(ctx, keyword, suggested(ctx), judge) };
}

const first = (args: string[]) => (args[0] ?? '').toLowerCase();
const intOf = (args: string[]) => (/^\d+$/.test(args[0] ?? '') ? Number(args[0]) : NaN);

/** Files making up the server configuration that live under /etc/ssh. */
function configFiles(ctx: RuleContext): string[] {
  return [...new Set(ctx.facts.sshd?.files ?? [])].filter((f) => f.startsWith('/etc/ssh/'));
}

const ssh01: BaselineRule = {
  id: 'SSH-01',
  checkType: 'ssh',
  title: 'sshd_config ownership and mode',
  severity: 'medium',
  standards: CN_ONLY,
  references: { cn: '8.1.4.2d', cis: 'C7/U16 5.2.1', ssg: 'file_permissions_sshd_config' },
  description: 'sshd_config (and included files under /etc/ssh) must be root:root and 0600 or stricter so no one else can read or change the server policy.',
  audit: 'stat -c "%a %U:%G" /etc/ssh/sshd_config /etc/ssh/sshd_config.d/*',
  remediation: 'Run `chown root:root /etc/ssh/sshd_config; chmod 600 /etc/ssh/sshd_config` (and the same for sshd_config.d/*.conf).',
  evaluate(ctx) {
    if (!ctx.facts.sshd) return notApplicable(NO_SSHD);
    const bad: BaselineEvidence[] = [];
    const good: BaselineEvidence[] = [];
    for (const path of configFiles(ctx)) {
      const f = ctx.fs.file(path);
      if (!f) continue;
      (modeExceeds(f.mode, 0o600) || f.uid !== 0 || f.gid !== 0 ? bad : good).push(ev(path, null, ownerText(ctx, f), '0600 root:root'));
    }
    return bad.length > 0 ? failed(bad) : passed(...good);
  },
};

const HOST_KEY = /^etc\/ssh\/ssh_host_[a-z0-9]+_key(\.pub)?$/;

function hostKeys(ctx: RuleContext): Array<{ path: string; pub: boolean }> {
  return Object.keys(ctx.inventory.files)
    .map((p) => ({ p, m: HOST_KEY.exec(p) }))
    .filter((x) => x.m)
    .map((x) => ({ path: abs(x.p), pub: x.m?.[1] !== undefined }));
}

const ssh02: BaselineRule = {
  id: 'SSH-02',
  checkType: 'ssh',
  title: 'Host key file permissions',
  severity: 'medium',
  standards: BOTH,
  references: { cis: 'C7 v3 5.2.2-5.2.3', ssg: 'file_permissions_sshd_private_key' },
  description: 'Private host keys must be owned by root with mode 0600 (RHEL family: 0640 with group ssh_keys is accepted); public keys 0644 or stricter, owned by root.',
  audit: 'stat -c "%a %U:%G" /etc/ssh/ssh_host_*',
  remediation: 'Run `chmod 600 /etc/ssh/ssh_host_*_key; chmod 644 /etc/ssh/ssh_host_*_key.pub; chown root /etc/ssh/ssh_host_*`.',
  evaluate(ctx) {
    if (!ctx.facts.sshd) return notApplicable(NO_SSHD);
    const sshKeys = ctx.facts.groupByName.get('ssh_keys')?.gid;
    const bad: BaselineEvidence[] = [];
    const good: BaselineEvidence[] = [];
    for (const k of hostKeys(ctx)) {
      const f = ctx.fs.file(k.path);
      if (!f) continue;
      let ok: boolean;
      if (k.pub) ok = f.uid === 0 && !modeExceeds(f.mode, 0o644);
      else ok = f.uid === 0 && (!modeExceeds(f.mode, 0o600) || (ctx.profile.family === 'rhel' && !modeExceeds(f.mode, 0o640) && f.gid === sshKeys));
      (ok ? good : bad).push(ev(k.path, null, ownerText(ctx, f), k.pub ? '0644 root' : '0600 root (RHEL: 0640 root:ssh_keys)'));
    }
    if (bad.length > 0) return failed(bad);
    return good.length > 0 ? passed(...good) : passed(ev('/etc/ssh', null, 'no host keys in the image', 'keys generated at start'));
  },
};

const ssh03: BaselineRule = {
  id: 'SSH-03',
  checkType: 'ssh',
  title: 'Host private keys not baked into the image',
  severity: 'medium',
  standards: BOTH,
  references: {},
  description: 'Every container started from an image with host keys shares one host identity, so one leaked container key allows impersonating all of them. Debian/Ubuntu openssh-server generates keys at install time.',
  audit: 'ls /etc/ssh/ssh_host_*_key',
  remediation: 'Delete the keys in the Dockerfile (`rm -f /etc/ssh/ssh_host_*`) and generate them at start (`ssh-keygen -A` in the entrypoint).',
  evaluate(ctx) {
    if (!ctx.facts.sshd) return notApplicable(NO_SSHD);
    const bad = hostKeys(ctx).filter((k) => !k.pub).map((k) => ev(k.path, null, 'private host key present', 'generated at container start'));
    return bad.length > 0 ? failed(bad) : passed(ev('/etc/ssh', null, 'no private host keys', 'generated at container start'));
  },
};

const ssh04 = keywordRule({
  id: 'SSH-04',
  title: 'Protocol 2 only',
  severity: 'high',
  standards: BOTH,
  references: { cn: '8.1.4.1c', hw: 'oE 3.3.1', cis: 'C7/U16 5.2.2', ssg: 'sshd_allow_only_protocol2' },
  description: 'SSH protocol 1 is broken; `Protocol` must be absent or exactly 2.',
  audit: 'grep -i "^Protocol" /etc/ssh/sshd_config',
  remediation: 'Set `Protocol 2` (or remove the line).',
  keyword: 'Protocol',
  suggested: () => 'Protocol 2',
  judge: (args) => args.join('') === '2',
});

const ssh05 = keywordRule({
  id: 'SSH-05',
  title: 'LogLevel',
  severity: 'low',
  standards: BOTH,
  references: { cn: '8.1.4.3a', hw: 'oE 3.3.10', cis: 'C7/U16 5.2.3', ssg: 'sshd_set_loglevel_info' },
  description: 'LogLevel INFO (cn) or VERBOSE (hw, records key fingerprints) keeps an audit trail of logins; absent means INFO.',
  audit: 'grep -i "^LogLevel" /etc/ssh/sshd_config',
  remediation: 'Set `LogLevel VERBOSE`.',
  keyword: 'LogLevel',
  suggested: (ctx) => `LogLevel ${ctx.thresholds.sshLogLevels.join(' or ')}`,
  judge: (args, ctx) => ctx.thresholds.sshLogLevels.includes((args[0] ?? '').toUpperCase()),
});

const yesNo = (want: string) => (args: string[]) => first(args) === want;

const ssh06 = keywordRule({
  id: 'SSH-06',
  title: 'X11 forwarding disabled',
  severity: 'medium',
  standards: BOTH,
  references: { cn: '8.1.4.4b', hw: 'oE 3.3.14', cis: 'C7/U16 5.2.4', ssg: 'sshd_disable_x11_forwarding' },
  description: 'X11 forwarding exposes the client display to the server side; the CentOS 7, Debian 10 and Ubuntu 16.04 files turn it on explicitly.',
  audit: 'grep -i "^X11Forwarding" /etc/ssh/sshd_config',
  remediation: 'Set `X11Forwarding no`.',
  keyword: 'X11Forwarding',
  suggested: () => 'X11Forwarding no',
  judge: yesNo('no'),
});

const ssh07 = keywordRule({
  id: 'SSH-07',
  title: 'MaxAuthTries',
  severity: 'medium',
  standards: BOTH,
  references: { cn: '8.1.4.1b', hw: 'oE 3.3.15', cis: 'C7/U16 5.2.5', ssg: 'sshd_set_max_auth_tries' },
  description: 'Limits authentication attempts per connection (absent = 6) to slow down password guessing.',
  audit: 'grep -i "^MaxAuthTries" /etc/ssh/sshd_config',
  remediation: 'Set `MaxAuthTries 3`.',
  keyword: 'MaxAuthTries',
  suggested: (ctx) => `MaxAuthTries ${ctx.thresholds.sshMaxAuthTries}`,
  judge: (args, ctx) => intOf(args) >= 1 && intOf(args) <= ctx.thresholds.sshMaxAuthTries,
});

const ssh08 = keywordRule({
  id: 'SSH-08',
  title: 'IgnoreRhosts',
  severity: 'medium',
  standards: BOTH,
  references: { cn: '8.1.4.1c', hw: 'oE 3.3.2', cis: 'C7/U16 5.2.6', ssg: 'sshd_disable_rhosts' },
  description: '.rhosts/.shosts must not grant access (absent = yes).',
  audit: 'grep -i "^IgnoreRhosts" /etc/ssh/sshd_config',
  remediation: 'Set `IgnoreRhosts yes`.',
  keyword: 'IgnoreRhosts',
  suggested: () => 'IgnoreRhosts yes',
  judge: yesNo('yes'),
});

const ssh09 = keywordRule({
  id: 'SSH-09',
  title: 'HostbasedAuthentication disabled',
  severity: 'medium',
  standards: BOTH,
  references: { cn: '8.1.4.1c', hw: 'oE 3.3.2', cis: 'C7/U16 5.2.7', ssg: 'disable_host_auth' },
  description: 'Host-based authentication trusts the client host instead of the user (absent = no).',
  audit: 'grep -i "^HostbasedAuthentication" /etc/ssh/sshd_config',
  remediation: 'Set `HostbasedAuthentication no`.',
  keyword: 'HostbasedAuthentication',
  suggested: () => 'HostbasedAuthentication no',
  judge: yesNo('no'),
});

const ssh10 = keywordRule({
  id: 'SSH-10',
  title: 'Root login disabled',
  severity: 'high',
  standards: BOTH,
  references: { cn: '8.1.4.2b', hw: 'oE 3.3.9', cis: 'C7/U16 5.2.8', ssg: 'sshd_disable_root_login' },
  description: 'Administrators should log in with a named account. `yes` (the RHEL 7 compiled default) fails High; prohibit-password/without-password/forced-commands-only (the upstream default) fail Low.',
  audit: 'grep -i "^PermitRootLogin" /etc/ssh/sshd_config',
  remediation: 'Set `PermitRootLogin no` and use a named admin account.',
  keyword: 'PermitRootLogin',
  suggested: () => 'PermitRootLogin no',
  judge: (args) => {
    const v = first(args);
    if (v === 'no') return { ok: true };
    return { ok: false, severity: ['prohibit-password', 'without-password', 'forced-commands-only'].includes(v) ? 'low' : 'high' };
  },
});

const ssh11 = keywordRule({
  id: 'SSH-11',
  title: 'Empty passwords rejected',
  severity: 'high',
  standards: BOTH,
  references: { cn: '8.1.4.1a', hw: 'oE 2.2.8', cis: 'C7/U16 5.2.9', ssg: 'sshd_disable_empty_passwords' },
  description: 'Accounts with an empty password must not be able to log in over SSH (absent = no).',
  audit: 'grep -i "^PermitEmptyPasswords" /etc/ssh/sshd_config',
  remediation: 'Set `PermitEmptyPasswords no`.',
  keyword: 'PermitEmptyPasswords',
  suggested: () => 'PermitEmptyPasswords no',
  judge: yesNo('no'),
});

const ssh12 = keywordRule({
  id: 'SSH-12',
  title: 'PermitUserEnvironment disabled',
  severity: 'medium',
  standards: HW_ONLY,
  references: { hw: 'oE 3.3.16', cis: 'C7/U16 5.2.10', ssg: 'sshd_do_not_permit_user_env' },
  description: 'User-supplied environment (~/.ssh/environment) can set LD_PRELOAD and bypass restrictions (absent = no).',
  audit: 'grep -i "^PermitUserEnvironment" /etc/ssh/sshd_config',
  remediation: 'Set `PermitUserEnvironment no`.',
  keyword: 'PermitUserEnvironment',
  suggested: () => 'PermitUserEnvironment no',
  judge: yesNo('no'),
});

function algorithmRule(spec: Omit<KeywordSpec, 'judge' | 'suggested'> & { weak: (ctx: RuleContext) => string[]; allow?: (ctx: RuleContext) => readonly string[] | null; explicit?: (ctx: RuleContext) => boolean; fix: string }): BaselineRule {
  const { weak, allow, explicit, fix, keyword, ...rest } = spec;
  return {
    ...rest,
    checkType: 'ssh',
    evaluate(ctx) {
      const defaults = (compiledDefaults(ctx.profile.ssh)[keyword.toLowerCase()]?.[0] ?? '').split(',');
      return judgeKeyword(ctx, keyword, fix, (args, c, o) => {
        if (!o.source && explicit?.(c)) return false;
        const list = effectiveAlgorithms(o.source ? (args[0] ?? '') : null, defaults);
        const weakSet = new Set(weak(c));
        const allowed = allow?.(c) ?? null;
        return !list.some((a) => weakSet.has(a) || (allowed !== null && !allowed.includes(a)));
      });
    },
  };
}

const ssh13 = algorithmRule({
  id: 'SSH-13',
  title: 'No weak ciphers',
  severity: 'medium',
  standards: BOTH,
  references: { cn: '8.1.4.1c', hw: 'oE 3.3.7', cis: 'C7 5.2.11', ssg: 'sshd_use_strong_ciphers' },
  description: 'The effective cipher list (explicit, or the compiled default adjusted by +/-/^) must hold no CBC, 3DES, Blowfish, CAST or RC4 cipher; hw_standard also requires an explicit list. RHEL 7 builds include CBC ciphers by default.',
  audit: 'grep -i "^Ciphers" /etc/ssh/sshd_config (and sshd -T | grep ciphers on a running system).',
  remediation: 'Set `Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr`.',
  keyword: 'Ciphers',
  weak: () => WEAK_CIPHERS,
  explicit: (ctx) => ctx.thresholds.sshRequireExplicitCiphers,
  fix: 'Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr',
});

const ssh14 = algorithmRule({
  id: 'SSH-14',
  title: 'No weak MACs',
  severity: 'medium',
  standards: BOTH,
  references: { cn: '8.1.4.1c', hw: 'oE 3.3.6', cis: 'C7 5.2.12 / U16 5.2.11', ssg: 'sshd_use_strong_macs' },
  description: 'The effective MAC list must hold no MD5, RIPEMD-160, truncated SHA-1 or umac-64 MAC (hw also rejects hmac-sha1); the compiled default includes umac-64 and hmac-sha1.',
  audit: 'grep -i "^MACs" /etc/ssh/sshd_config',
  remediation: 'Set `MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512,hmac-sha2-256`.',
  keyword: 'MACs',
  weak: (ctx) => weakMacs(ctx.thresholds.sshStrictMacs),
  fix: 'MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512,hmac-sha2-256',
});

const ssh15 = algorithmRule({
  id: 'SSH-15',
  title: 'No weak key-exchange algorithms',
  severity: 'medium',
  standards: BOTH,
  references: { cn: '8.1.4.1c', hw: 'oE 3.3.3', cis: 'C7 v3 5.2.x', ssg: 'sshd_use_strong_kex' },
  description: 'The effective KexAlgorithms list must hold no SHA-1 Diffie-Hellman group; hw_standard allows only curve25519-sha256(@libssh.org) and diffie-hellman-group-exchange-sha256. OpenSSH before 8.2 offers group14-sha1 by default.',
  audit: 'grep -i "^KexAlgorithms" /etc/ssh/sshd_config',
  remediation: 'Set `KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org,diffie-hellman-group-exchange-sha256`.',
  keyword: 'KexAlgorithms',
  weak: () => WEAK_KEX,
  allow: (ctx) => ctx.thresholds.sshKexAllowlist,
  fix: 'KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org,diffie-hellman-group-exchange-sha256',
});

const ssh16: BaselineRule = {
  id: 'SSH-16',
  checkType: 'ssh',
  title: 'Idle session timeout',
  severity: 'medium',
  standards: CN_ONLY,
  references: { cn: '8.1.4.1b', cis: 'C7 5.2.13 / U16 5.2.12', ssg: 'sshd_set_idle_timeout' },
  description:
    'ClientAliveInterval between 1 and the threshold and ClientAliveCountMax at most 3 end unresponsive sessions (absent interval = 0 = never). From OpenSSH 8.2, ClientAliveCountMax 0 disables the timeout instead of enforcing it.',
  audit: 'grep -iE "^ClientAlive(Interval|CountMax)" /etc/ssh/sshd_config',
  remediation: 'Set `ClientAliveInterval 300` and `ClientAliveCountMax 3` (or 0 on OpenSSH before 8.2).',
  evaluate(ctx) {
    if (!ctx.facts.sshd) return notApplicable(NO_SSHD);
    const t = ctx.thresholds;
    const [maj, min] = ctx.profile.ssh.version;
    const zeroDisables = maj > 8 || (maj === 8 && min >= 2);
    const interval = judgeKeyword(ctx, 'ClientAliveInterval', `ClientAliveInterval ${t.sshClientAliveMax}`, (a) => intOf(a) >= 1 && intOf(a) <= t.sshClientAliveMax);
    const count = judgeKeyword(ctx, 'ClientAliveCountMax', `ClientAliveCountMax ${t.sshClientAliveCountMax}`, (a) => intOf(a) <= t.sshClientAliveCountMax && (!zeroDisables || intOf(a) >= 1));
    const evidence = [...interval.evidence, ...count.evidence];
    return interval.status === 'failed' || count.status === 'failed' ? failed([...(interval.status === 'failed' ? interval.evidence : []), ...(count.status === 'failed' ? count.evidence : [])]) : passed(...evidence);
  },
};

const ssh17 = keywordRule({
  id: 'SSH-17',
  title: 'LoginGraceTime',
  severity: 'low',
  standards: BOTH,
  references: { cn: '8.1.4.1b', hw: 'oE 3.3.17', cis: 'C7 5.2.14 / U16 5.2.13', ssg: 'sshd_set_login_grace_time' },
  description: 'Unauthenticated connections are dropped after LoginGraceTime (absent = 120 s, 0 = never); at most 60 s limits connection-exhaustion attacks.',
  audit: 'grep -i "^LoginGraceTime" /etc/ssh/sshd_config',
  remediation: 'Set `LoginGraceTime 60`.',
  keyword: 'LoginGraceTime',
  suggested: (ctx) => `LoginGraceTime ${ctx.thresholds.sshLoginGraceMax}`,
  judge: (args, ctx) => {
    const s = parseSshdTime(args[0] ?? '');
    return s !== null && s >= 1 && s <= ctx.thresholds.sshLoginGraceMax;
  },
});

const BANNER_ESCAPES = /\\[mrsv]/;

const ssh18 = keywordRule({
  id: 'SSH-18',
  title: 'Warning banner',
  severity: 'low',
  standards: HW_ONLY,
  references: { hw: 'oE 2.3.4', cis: 'C7 5.2.16 / U16 5.2.15', ssg: 'sshd_enable_warning_banner' },
  description: '`Banner` must name a non-empty file in the image, free of \\m \\r \\s \\v escapes, that warns against unauthorised use.',
  audit: 'grep -i "^Banner" /etc/ssh/sshd_config; cat the named file.',
  remediation: 'Set `Banner /etc/issue.net` and put a legal notice in it.',
  keyword: 'Banner',
  suggested: () => 'Banner /etc/issue.net (with a legal notice)',
  judge: (args, ctx) => {
    const path = args[0] ?? 'none';
    if (path.toLowerCase() === 'none' || !path.startsWith('/')) return false;
    const f = ctx.fs.file(path);
    const text = ctx.fs.read(path) ?? '';
    return f !== undefined && f.size > 0 && !BANNER_ESCAPES.test(text);
  },
});

const ssh19 = keywordRule({
  id: 'SSH-19',
  title: 'PAM enabled',
  severity: 'medium',
  standards: HW_ONLY,
  references: { hw: 'oE 3.3.5', cis: 'C7 v3 5.2.19', ssg: 'sshd_enable_pam' },
  description: 'Without UsePAM the PAM password, lockout and session rules (SYS-05..SYS-09) do not apply to SSH logins (compiled default no; distribution files set yes).',
  audit: 'grep -i "^UsePAM" /etc/ssh/sshd_config',
  remediation: 'Set `UsePAM yes`.',
  keyword: 'UsePAM',
  suggested: () => 'UsePAM yes',
  judge: yesNo('yes'),
});

const ssh20 = keywordRule({
  id: 'SSH-20',
  title: 'TCP forwarding disabled',
  severity: 'low',
  standards: BOTH,
  references: { cn: '8.1.4.4b', hw: 'oE 3.3.21', cis: 'C7 v3 5.2.20', ssg: 'sshd_disable_tcp_forwarding' },
  description: 'TCP forwarding turns an SSH account into a tunnel into the container network (absent = yes).',
  audit: 'grep -i "^AllowTcpForwarding" /etc/ssh/sshd_config',
  remediation: 'Set `AllowTcpForwarding no`.',
  keyword: 'AllowTcpForwarding',
  suggested: () => 'AllowTcpForwarding no',
  judge: yesNo('no'),
});

/** `start:rate:full` or a single number (start = full, rate 100). */
export function parseMaxStartups(v: string): { start: number; rate: number; full: number } | null {
  const m = /^(\d+)(?::(\d+):(\d+))?$/.exec(v);
  if (!m) return null;
  const start = Number(m[1]);
  return m[2] ? { start, rate: Number(m[2]), full: Number(m[3]) } : { start, rate: 100, full: start };
}

const ssh21 = keywordRule({
  id: 'SSH-21',
  title: 'MaxStartups',
  severity: 'low',
  standards: HW_ONLY,
  references: { hw: 'oE 3.3.12', cis: 'C7 v3 5.2.21', ssg: 'sshd_set_maxstartups' },
  description: 'MaxStartups start:rate:full must be 10:30:60 or stricter (start <= 10, rate >= 30, full <= 60); absent = 10:30:100.',
  audit: 'grep -i "^MaxStartups" /etc/ssh/sshd_config',
  remediation: 'Set `MaxStartups 10:30:60`.',
  keyword: 'MaxStartups',
  suggested: () => 'MaxStartups 10:30:60',
  judge: (args) => {
    const m = parseMaxStartups(args[0] ?? '');
    return m !== null && m.start <= 10 && m.rate >= 30 && m.full <= 60;
  },
});

const ssh22 = keywordRule({
  id: 'SSH-22',
  title: 'MaxSessions',
  severity: 'low',
  standards: HW_ONLY,
  references: { hw: 'oE 3.3.13', cis: 'C7 v3 5.2.22', ssg: 'sshd_set_max_sessions' },
  description: 'MaxSessions caps multiplexed sessions per connection (absent = 10).',
  audit: 'grep -i "^MaxSessions" /etc/ssh/sshd_config',
  remediation: 'Set `MaxSessions 10` or lower.',
  keyword: 'MaxSessions',
  suggested: () => 'MaxSessions 10',
  judge: (args) => intOf(args) <= 10,
});

const ACCESS_KEYWORDS = ['AllowUsers', 'AllowGroups', 'DenyUsers', 'DenyGroups'];

const ssh23: BaselineRule = {
  id: 'SSH-23',
  checkType: 'ssh',
  title: 'SSH access limited to named users/groups',
  severity: 'low',
  standards: BOTH,
  references: { cn: '8.1.4.4c', hw: 'oE 3.3.22', cis: 'C7 5.2.15 / U16 5.2.14', ssg: 'sshd_limit_user_access' },
  description: 'At least one of AllowUsers, AllowGroups, DenyUsers, DenyGroups must restrict who may log in.',
  audit: 'grep -iE "^(Allow|Deny)(Users|Groups)" /etc/ssh/sshd_config',
  remediation: 'Set `AllowGroups sshusers` (and add the administrators to that group).',
  evaluate(ctx) {
    const cfg = ctx.facts.sshd;
    if (!cfg) return notApplicable(NO_SSHD);
    const set = ACCESS_KEYWORDS.map((k) => lookup(cfg.global, k)).filter((s) => s && s.args.length > 0);
    if (set.length === 0) return failed([ev(SSHD_CONFIG, null, 'no AllowUsers/AllowGroups/DenyUsers/DenyGroups', 'AllowGroups sshusers')]);
    return passed(...set.flatMap((s) => (s?.all ?? []).map((d) => ev(d.file, d.line, d.text, 'AllowGroups sshusers'))));
  },
};

export const SSH_RULES: readonly BaselineRule[] = [ssh01, ssh02, ssh03, ssh04, ssh05, ssh06, ssh07, ssh08, ssh09, ssh10, ssh11, ssh12, ssh13, ssh14, ssh15, ssh16, ssh17, ssh18, ssh19, ssh20, ssh21, ssh22, ssh23];
