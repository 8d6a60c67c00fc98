/**
 * SYS-52..SYS-57: logging, audit, scheduled jobs and legacy services. Base images rarely ship
 * rsyslog, auditd or cron: when the capability is absent, cn_standard (MLPS 8.1.4.3 requires
 * audit records) fails the logging/audit checks and hw_standard reports them not applicable.
 */
import { globFiles } from '../fs-glob.js';
import { parseKeyEquals } from '../parse/accounts.js';
import type { BaselineEvidence, BaselineRule, RuleContext, Verdict } from '../types.js';
import { BOTH, HW_ONLY, abs, ev, failed, fmtMode, modeExceeds, notApplicable, ownerText, passed, passUnless } from './helpers.js';

function missingCapability(ctx: RuleContext, what: string, suggested: string): Verdict {
  return ctx.thresholds.requireAuditCapability ? failed([ev(null, null, `${what} not installed`, suggested)]) : notApplicable(`${what} not installed`);
}

function hasAny(ctx: RuleContext, packages: string[], files: string[]): boolean {
  return packages.some((p) => ctx.facts.packages.has(p)) || files.some((f) => ctx.fs.exists(f));
}

/** Lines of a file with their numbers, comments and blank lines dropped. */
function meaningfulLines(text: string): Array<{ line: number; body: string }> {
  return text.split('\n').flatMap((raw, i) => {
    const body = raw.replace(/\r$/, '').trim();
    return body === '' || body.startsWith('#') ? [] : [{ line: i + 1, body }];
  });
}

/** True when a legacy selector (`auth,authpriv.*  /var/log/secure`) sends auth messages somewhere. */
function logsAuth(selector: string): boolean {
  return selector.split(';').some((part) => {
    const dot = part.lastIndexOf('.');
    if (dot === -1) return false;
    const priority = part.slice(dot + 1).replace(/^[=!]+/, '');
    return priority !== 'none' && part.slice(0, dot).split(',').some((f) => f === 'auth' || f === 'authpriv' || f === '*');
  });
}

const sys52: BaselineRule = {
  id: 'SYS-52',
  checkType: 'system',
  title: 'rsyslog configured',
  severity: 'medium',
  standards: BOTH,
  references: { cn: '8.1.4.3a-c', hw: 'oE 4.2.1-4.2.5', cis: 'C7/U16 4.2.1.1-4.2.1.3', ssg: 'rsyslog_files_permissions' },
  description: 'rsyslog must be installed, create log files 0640 or stricter ($FileCreateMode / FileCreateMode=), and route auth/authpriv messages to a file.',
  audit: 'grep -E "FileCreateMode|auth" /etc/rsyslog.conf /etc/rsyslog.d/*.conf',
  remediation: 'Install rsyslog, set `$FileCreateMode 0640`, and log `auth,authpriv.*` to /var/log/secure (RHEL) or /var/log/auth.log (Debian/Ubuntu).',
  evaluate(ctx) {
    const suggested = '$FileCreateMode 0640 and an auth,authpriv.* rule';
    if (!hasAny(ctx, ['rsyslog'], ['/etc/rsyslog.conf'])) return missingCapability(ctx, 'rsyslog', suggested);
    const files = ['/etc/rsyslog.conf', ...globFiles(ctx.fs, ctx.inventory, '/etc/rsyslog.d/*.conf')];
    let mode: { value: number; file: string; line: number; text: string } | null = null;
    let auth: { file: string; line: number; text: string } | null = null;
    for (const file of files) {
      for (const { line, body } of meaningfulLines(ctx.fs.read(file) ?? '')) {
        const m = /^\$FileCreateMode\s+([0-7]{3,4})/.exec(body) ?? /FileCreateMode\s*=\s*"([0-7]{3,4})"/.exec(body);
        if (m) mode = { value: parseInt(m[1] as string, 8), file, line, text: body };
        const selector = body.split(/\s+/)[0] as string;
        if (!auth && !body.startsWith('$') && /\s/.test(body) && logsAuth(selector)) auth = { file, line, text: body };
      }
    }
    const bad: BaselineEvidence[] = [];
    const good: BaselineEvidence[] = [];
    if (!mode) bad.push(ev('/etc/rsyslog.conf', null, 'FileCreateMode not set (0644)', '$FileCreateMode 0640'));
    else (modeExceeds(mode.value, 0o640) ? bad : good).push(ev(mode.file, mode.line, mode.text, '$FileCreateMode 0640'));
    if (!auth) bad.push(ev('/etc/rsyslog.conf', null, 'no rule logging auth/authpriv', 'auth,authpriv.* /var/log/auth.log'));
    else good.push(ev(auth.file, auth.line, auth.text, 'auth,authpriv.* <log file>'));
    return bad.length > 0 ? failed(bad) : passed(...good);
  },
};

const AUDITD_CONF = '/etc/audit/auditd.conf';

const sys53: BaselineRule = {
  id: 'SYS-53',
  checkType: 'system',
  title: 'auditd retention configured',
  severity: 'medium',
  standards: BOTH,
  references: { cn: '8.1.4.3a,c', hw: 'oE 4.1.1-4.1.2, 4.1.11-4.1.12', cis: 'C7 4.1.1.x', ssg: 'auditd_data_retention_max_log_file_action' },
  description: 'auditd must keep its records: max_log_file_action keep_logs or rotate (hw: rotate needs num_logs >= 5), and space_left_action not ignore.',
  audit: 'grep -E "max_log_file_action|num_logs|space_left_action" /etc/audit/auditd.conf',
  remediation: 'Install audit and set `max_log_file_action = keep_logs` (or rotate with `num_logs = 5`) and `space_left_action = email` in /etc/audit/auditd.conf.',
  evaluate(ctx) {
    const suggested = 'max_log_file_action = keep_logs, space_left_action != ignore';
    if (!hasAny(ctx, ['audit', 'auditd'], [AUDITD_CONF])) return missingCapability(ctx, 'auditd', suggested);
    const conf = parseKeyEquals(ctx.fs.read(AUDITD_CONF) ?? '');
    const get = (k: string, d: string) => ({ value: (conf.get(k)?.value ?? d).toLowerCase(), line: conf.get(k)?.line ?? null });
    const action = get('max_log_file_action', 'rotate');
    const numLogs = get('num_logs', '0');
    const space = get('space_left_action', 'syslog');
    const bad: BaselineEvidence[] = [];
    const minLogs = ctx.thresholds.auditMinNumLogs;
    const actionOk = action.value === 'keep_logs' || (action.value === 'rotate' && (minLogs === null || Number(numLogs.value) >= minLogs));
    const actionText = `max_log_file_action = ${action.value}${action.value === 'rotate' ? `, num_logs = ${numLogs.value}` : ''}`;
    if (!actionOk) bad.push(ev(AUDITD_CONF, action.line, actionText, minLogs === null ? 'keep_logs or rotate' : `keep_logs, or rotate with num_logs >= ${minLogs}`));
    if (space.value === 'ignore') bad.push(ev(AUDITD_CONF, space.line, 'space_left_action = ignore', 'space_left_action = email (or syslog)'));
    return passUnless(bad, ev(AUDITD_CONF, action.line, actionText, suggested));
  },
};

const AUDIT_WATCHES = ['/etc/passwd', '/etc/group', '/etc/shadow', '/etc/gshadow', '/etc/security/opasswd', '/var/log/lastlog', '/etc/sudoers', '/etc/sudoers.d'];

/** Paths watched for writes and attribute changes (`-w p -p wa` or `-F path=p -F perm=wa`). */
function watchedPaths(text: string): Set<string> {
  const out = new Set<string>();
  for (const { body } of meaningfulLines(text)) {
    const w = /(?:^|\s)-w\s+(\S+)/.exec(body);
    const perm = /(?:^|\s)-p\s+([rwxa]+)/.exec(body)?.[1] ?? /-F\s+perm=([rwxa]+)/.exec(body)?.[1];
    const path = w?.[1] ?? /-F\s+(?:path|dir)=(\S+)/.exec(body)?.[1];
    if (path && perm && perm.includes('w') && perm.includes('a')) out.add(path.replace(/\/+$/, ''));
  }
  return out;
}

const sys54: BaselineRule = {
  id: 'SYS-54',
  checkType: 'system',
  title: 'Audit rules cover identity, login and privilege files',
  severity: 'low',
  standards: BOTH,
  references: { cn: '8.1.4.3a-b', hw: 'oE 4.1.3-4.1.4, 4.1.13', cis: 'C7 4.1.5, 4.1.8, 4.1.15', ssg: 'audit_rules_usergroup_modification' },
  description: `Audit rules must watch (-p wa) ${AUDIT_WATCHES.join(', ')}.`,
  audit: 'grep -h -- "-w" /etc/audit/rules.d/*.rules /etc/audit/audit.rules',
  remediation: `Add \`-w <path> -p wa -k identity\` for each of ${AUDIT_WATCHES.join(', ')} in /etc/audit/rules.d/.`,
  evaluate(ctx) {
    const suggested = '-w <path> -p wa';
    if (!hasAny(ctx, ['audit', 'auditd'], [AUDITD_CONF])) return missingCapability(ctx, 'auditd', suggested);
    const files = ['/etc/audit/audit.rules', ...globFiles(ctx.fs, ctx.inventory, '/etc/audit/rules.d/*.rules')];
    const watched = new Set(files.flatMap((f) => [...watchedPaths(ctx.fs.read(f) ?? '')]));
    const bad = AUDIT_WATCHES.filter((p) => !watched.has(p)).map((p) => ev('/etc/audit/rules.d', null, `${p} not watched`, `-w ${p} -p wa`));
    return passUnless(bad, ev('/etc/audit/rules.d', null, `${AUDIT_WATCHES.length} paths watched`, suggested));
  },
};

const CRON_DIRS = ['/etc/cron.hourly', '/etc/cron.daily', '/etc/cron.weekly', '/etc/cron.monthly', '/etc/cron.d'];
const CRON_PACKAGES = ['cronie', 'cron', 'cronie-anacron', 'systemd-cron', 'busybox-cron'];

function cronInstalled(ctx: RuleContext): boolean {
  return hasAny(ctx, CRON_PACKAGES, ['/etc/crontab']);
}

const sys55: BaselineRule = {
  id: 'SYS-55',
  checkType: 'system',
  title: 'cron files owned by root with tight permissions',
  severity: 'low',
  standards: HW_ONLY,
  references: { hw: 'oE 3.4.3', cis: 'C7/U16 5.1.2-5.1.7', ssg: 'file_permissions_crontab' },
  description: '/etc/crontab (0600) and /etc/cron.{hourly,daily,weekly,monthly,d} (0700) must be root:root so nobody else can read or add jobs that run as root.',
  audit: 'stat -c "%a %U:%G" /etc/crontab /etc/cron.*',
  remediation: 'Run `chown root:root /etc/crontab /etc/cron.*; chmod 600 /etc/crontab; chmod 700 /etc/cron.*`.',
  evaluate(ctx) {
    if (!cronInstalled(ctx)) return notApplicable('cron not installed');
    const bad: BaselineEvidence[] = [];
    const good: BaselineEvidence[] = [];
    for (const [path, max] of [['/etc/crontab', 0o600] as const, ...CRON_DIRS.map((d) => [d, 0o700] as const)]) {
      const f = ctx.fs.file(path);
      if (!f) continue;
      const ok = !modeExceeds(f.mode, max) && f.uid === 0 && f.gid === 0;
      (ok ? good : bad).push(ev(path, null, ownerText(ctx, f), `${fmtMode(max)} root:root`));
    }
    return bad.length > 0 ? failed(bad) : passed(...good);
  },
};

const sys56: BaselineRule = {
  id: 'SYS-56',
  checkType: 'system',
  title: 'cron/at restricted to authorised users',
  severity: 'low',
  standards: HW_ONLY,
  references: { hw: 'oE 3.4.3', cis: 'C7/U16 5.1.8', ssg: 'file_cron_deny_not_exist' },
  description: 'Allow lists (/etc/cron.allow, /etc/at.allow; root-owned, 0600 or stricter) must exist and the deny lists must not, so only named users schedule jobs.',
  audit: 'ls -l /etc/cron.allow /etc/cron.deny /etc/at.allow /etc/at.deny',
  remediation: 'Run `rm -f /etc/cron.deny /etc/at.deny; touch /etc/cron.allow /etc/at.allow; chmod 600 /etc/cron.allow /etc/at.allow; chown root:root /etc/cron.allow /etc/at.allow`.',
  evaluate(ctx) {
    const tools: Array<[string, boolean]> = [
      ['cron', cronInstalled(ctx) || ctx.fs.exists('/etc/cron.deny') || ctx.fs.exists('/etc/cron.allow')],
      ['at', hasAny(ctx, ['at'], ['/etc/at.deny', '/etc/at.allow'])],
    ];
    const present = tools.filter(([, on]) => on).map(([t]) => t);
    if (present.length === 0) return notApplicable('cron and at not installed');
    const bad: BaselineEvidence[] = [];
    const good: BaselineEvidence[] = [];
    for (const t of present) {
      const allow = ctx.fs.file(`/etc/${t}.allow`);
      const deny = ctx.fs.file(`/etc/${t}.deny`);
      if (!allow) bad.push(ev(`/etc/${t}.allow`, null, 'absent', 'present, 0600 root:root'));
      else (modeExceeds(allow.mode, 0o600) || allow.uid !== 0 ? bad : good).push(ev(`/etc/${t}.allow`, null, ownerText(ctx, allow), '0600 root:root'));
      if (deny) bad.push(ev(`/etc/${t}.deny`, null, 'present', 'absent'));
    }
    return bad.length > 0 ? failed(bad) : passed(...good);
  },
};

const sys57: BaselineRule = {
  id: 'SYS-57',
  checkType: 'system',
  title: 'Insecure legacy services not installed',
  severity: 'medium',
  standards: BOTH,
  references: { cn: '8.1.4.4a-b', hw: 'oE 1.2.1-1.2.24', cis: 'C7 2.1.x-2.3.x', ssg: 'package_telnet-server_removed' },
  description: 'Plain-text or unauthenticated services (telnet, rsh, talk, tftp, NIS, xinetd, vsftpd, snmpd; hw adds the openEuler list) must not be installed. Decided from the package database.',
  audit: 'dpkg -l / rpm -qa | grep -E "telnet|rsh|talk|tftp|ypserv|ypbind|xinetd|vsftpd|snmp"',
  remediation: 'Remove the packages in the Dockerfile (`apt-get purge` / `dnf remove`).',
  evaluate(ctx) {
    const hits = ctx.thresholds.legacyPackages.filter((p) => ctx.facts.packages.has(p));
    const bad = hits.map((name) => {
      const db = ctx.inventory.packages.find((p) => p.name === name)?.path;
      return ev(db ? abs(db) : null, null, `${name} installed`, `${name} removed`);
    });
    return passUnless(bad, ev(null, null, `none of ${ctx.thresholds.legacyPackages.length} legacy service packages installed`, 'not installed'));
  },
};

export const SERVICE_RULES: readonly BaselineRule[] = [sys52, sys53, sys54, sys55, sys56, sys57];
