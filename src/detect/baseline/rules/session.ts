/** SYS-39..SYS-41: default umask, shell idle timeout and login banners. */
import { globFiles } from '../fs-glob.js';
import { findTmout, findUmasks, octal, type TmoutAssignment, type UmaskStatement } from '../parse/shell-init.js';
import type { BaselineEvidence, BaselineRule, RuleContext } from '../types.js';
import { BOTH, HW_ONLY, ev, failed, lineOf, modeExceeds, ownerText, passed, passUnless } from './helpers.js';

/** Start-up files in the order a login shell reads them (/etc/profile sources profile.d/*.sh). */
function startupFiles(ctx: RuleContext): string[] {
  return ['/etc/profile', ...globFiles(ctx.fs, ctx.inventory, '/etc/profile.d/*.sh'), ctx.profile.bashrc].filter((p) => ctx.fs.exists(p));
}

const sys39: BaselineRule = {
  id: 'SYS-39',
  checkType: 'system',
  title: 'Default umask',
  severity: 'low',
  standards: BOTH,
  references: { cn: '8.1.4.2d', hw: 'oE 1.1.5', cis: 'C7/U16 5.4.4', ssg: 'accounts_umask_etc_profile' },
  description:
    'Every `umask` in /etc/profile, /etc/profile.d/*.sh and the system bashrc must be at least as restrictive as 027 (cn) / 077 (hw), at least one must exist, and login.defs UMASK (used by pam_umask and useradd) must be as restrictive.',
  audit: 'grep -n umask /etc/profile /etc/profile.d/*.sh /etc/bashrc /etc/bash.bashrc; grep ^UMASK /etc/login.defs',
  remediation: 'Put `umask 027` in /etc/profile and the system bashrc, replace weaker umask lines, and set `UMASK 027` in /etc/login.defs.',
  evaluate(ctx) {
    const bits = ctx.thresholds.umaskBits;
    const want = `umask ${octal(bits)}`;
    const statements: UmaskStatement[] = startupFiles(ctx).flatMap((f) => findUmasks(ctx.fs.read(f) ?? '', f));
    const bad: BaselineEvidence[] = statements.filter((s) => (s.value & bits) !== bits).map((s) => ev(s.file, s.line, s.text, want));
    if (statements.length === 0) bad.push(ev('/etc/profile', null, 'no umask statement (default 022)', want));
    const defs = ctx.facts.loginDefs.get('UMASK');
    const defsValue = defs && /^[0-7]+$/.test(defs.value) ? parseInt(defs.value, 8) : 0o022;
    if ((defsValue & bits) !== bits) bad.push(ev('/etc/login.defs', defs?.line ?? null, defs ? `UMASK ${defs.value}` : 'UMASK not set (022)', `UMASK ${octal(bits)}`));
    return bad.length > 0 ? failed(bad) : passed(...statements.map((s) => ev(s.file, s.line, s.text, want)));
  },
};

const sys40: BaselineRule = {
  id: 'SYS-40',
  checkType: 'system',
  title: 'Shell idle timeout',
  severity: 'low',
  standards: BOTH,
  references: { cn: '8.1.4.1b', hw: 'oE 2.3.2', cis: 'C7/U16 5.4.5', ssg: 'accounts_tmout' },
  description: 'A `TMOUT` between 1 and the threshold (600 s cn, 300 s hw) in the system start-up files ends idle shells; no later assignment may raise it or set 0.',
  audit: 'grep -n TMOUT /etc/profile /etc/profile.d/*.sh /etc/bashrc /etc/bash.bashrc',
  remediation: 'Create /etc/profile.d/tmout.sh with `readonly TMOUT=600; export TMOUT` (300 for hw_standard).',
  evaluate(ctx) {
    const max = ctx.thresholds.tmoutMax;
    const want = `TMOUT=${max} (1..${max})`;
    const all: TmoutAssignment[] = startupFiles(ctx).flatMap((f) => findTmout(ctx.fs.read(f) ?? '', f));
    if (all.length === 0) return failed([ev('/etc/profile', null, 'TMOUT not set', want)]);
    const bad = all.filter((a) => a.value < 1 || a.value > max).map((a) => ev(a.file, a.line, a.text, want));
    return bad.length > 0 ? failed(bad) : passed(...all.map((a) => ev(a.file, a.line, a.text, want)));
  },
};

const BANNER_FILES = ['/etc/issue', '/etc/issue.net', '/etc/motd'];
/** agetty escapes that print the OS, kernel release, machine and version. */
const ESCAPES = /\\[mrsvSo]/;

const sys41: BaselineRule = {
  id: 'SYS-41',
  checkType: 'system',
  title: 'Login banners do not leak OS details',
  severity: 'low',
  standards: HW_ONLY,
  references: { hw: 'oE 2.3.3', cis: 'C7/U16 1.7.1.1-1.7.1.6', ssg: 'banner_etc_issue' },
  description: '/etc/issue, /etc/issue.net and /etc/motd must not name the OS or use \\m \\r \\s \\v escapes, and must be 0644 root:root or stricter.',
  audit: 'cat /etc/issue /etc/issue.net /etc/motd; stat -c "%a %U:%G" on each.',
  remediation: 'Replace the contents with an authorised-use warning and `chmod 644` the files.',
  evaluate(ctx) {
    const bad: BaselineEvidence[] = [];
    const words = ctx.profile.osWords;
    for (const path of BANNER_FILES) {
      const f = ctx.fs.file(path);
      if (!f) continue;
      const text = ctx.fs.read(path) ?? '';
      const lower = text.toLowerCase();
      const word = words.find((w) => lower.includes(w));
      if (ESCAPES.test(text)) bad.push(ev(path, lineOf(text, ESCAPES), `contains ${ESCAPES.exec(text)?.[0]}`, 'an authorised-use warning without OS details'));
      else if (word) bad.push(ev(path, lineOf(text.toLowerCase(), new RegExp(word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))), `names the OS (${word})`, 'an authorised-use warning without OS details'));
      if (modeExceeds(f.mode, 0o644) || f.uid !== 0 || f.gid !== 0) bad.push(ev(path, null, ownerText(ctx, f), '0644 root:root'));
    }
    return passUnless(bad, ev(null, null, 'banners reveal no OS details', 'an authorised-use warning'));
  },
};

export const SESSION_RULES: readonly BaselineRule[] = [sys39, sys40, sys41];
