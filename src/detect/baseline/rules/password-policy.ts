/** SYS-01..SYS-11: password ageing, quality, history, hashing, lockout and empty passwords. */
import type { Setting } from '../parse/accounts.js';
import { type PamEntry, pamArgs } from '../parse/pam.js';
import type { BaselineEvidence, BaselineRule, RuleContext, Verdict } from '../types.js';
import { BOTH, CN_ONLY, ev, failed, notApplicable, passed, passUnless } from './helpers.js';
import { confSettings, describeOption, existingFiles, fileEntries, isEnforcing, qualityConf, qualityModule, resolveOption, stackOf } from './pam-view.js';

const LOGIN_DEFS = '/etc/login.defs';

/** Effective login.defs integer; absent keys use the shadow-utils default. */
function loginDefsNumber(ctx: RuleContext, key: string): { value: number | null; setting: Setting | undefined } {
  const s = ctx.facts.loginDefs.get(key);
  const n = s ? Number(s.value) : NaN;
  return { value: Number.isFinite(n) ? n : null, setting: s };
}

function loginDefsRule(
  key: string,
  ok: (n: number, ctx: RuleContext) => boolean,
  suggested: (ctx: RuleContext) => string,
  absentMeans: string,
): (ctx: RuleContext) => Verdict {
  return (ctx) => {
    if (!ctx.fs.exists(LOGIN_DEFS)) return failed([ev(LOGIN_DEFS, null, 'file absent', suggested(ctx))]);
    const { value, setting } = loginDefsNumber(ctx, key);
    const current = setting ? `${key} ${setting.value}` : `${key} not set (${absentMeans})`;
    const e = ev(LOGIN_DEFS, setting?.line ?? null, current, suggested(ctx));
    return value !== null && ok(value, ctx) ? passed(e) : failed([e]);
  };
}

/** Password stacks present in the image; a rule with none fails (nothing enforces the policy). */
function passwordStacks(ctx: RuleContext): string[] {
  return existingFiles(ctx, ctx.profile.pam.passwordStacks);
}

function noStack(ctx: RuleContext, suggested: string): Verdict {
  return failed([ev(ctx.profile.pam.passwordStacks[0] ?? null, null, 'PAM password stack absent', suggested)]);
}

const sys01: BaselineRule = {
  id: 'SYS-01',
  checkType: 'system',
  title: 'Password maximum age',
  severity: 'medium',
  standards: BOTH,
  references: { cn: '8.1.4.1a', hw: 'oE 2.2.7', cis: 'C7/U16 5.4.1.1', ssg: 'accounts_maximum_age_login_defs' },
  description: 'New accounts get a password lifetime from PASS_MAX_DAYS in /etc/login.defs; passwords that never expire stay valid after a leak.',
  audit: "grep '^PASS_MAX_DAYS' /etc/login.defs — expect a value between 1 and the standard's maximum.",
  remediation: 'Set `PASS_MAX_DAYS 90` in /etc/login.defs and run `chage --maxdays 90 <user>` for existing accounts.',
  evaluate: (ctx) =>
    loginDefsRule('PASS_MAX_DAYS', (n, c) => n >= 1 && n <= c.thresholds.passMaxDays, (c) => `PASS_MAX_DAYS ${c.thresholds.passMaxDays}`, 'never expires')(ctx),
};

const sys02: BaselineRule = {
  id: 'SYS-02',
  checkType: 'system',
  title: 'Password minimum age',
  severity: 'low',
  standards: CN_ONLY,
  references: { cn: '8.1.4.1a', cis: 'C7/U16 5.4.1.2', ssg: 'accounts_minimum_age_login_defs' },
  description: 'PASS_MIN_DAYS stops a user from cycling through passwords to reuse an old one immediately.',
  audit: "grep '^PASS_MIN_DAYS' /etc/login.defs — expect at least 1.",
  remediation: 'Set `PASS_MIN_DAYS 1` (or 7) in /etc/login.defs.',
  evaluate: (ctx) => loginDefsRule('PASS_MIN_DAYS', (n, c) => n >= (c.thresholds.passMinDays ?? 0), (c) => `PASS_MIN_DAYS ${c.thresholds.passMinDays}`, '0')(ctx),
};

const sys03: BaselineRule = {
  id: 'SYS-03',
  checkType: 'system',
  title: 'Password expiry warning',
  severity: 'low',
  standards: BOTH,
  references: { cn: '8.1.4.1a', hw: 'oE 2.2.7', cis: '5.4.1.3', ssg: 'accounts_password_warn_age_login_defs' },
  description: 'Users are warned PASS_WARN_AGE days before their password expires.',
  audit: "grep '^PASS_WARN_AGE' /etc/login.defs — expect at least 7.",
  remediation: 'Set `PASS_WARN_AGE 7` in /etc/login.defs.',
  evaluate: (ctx) => loginDefsRule('PASS_WARN_AGE', (n, c) => n >= c.thresholds.passWarnAge, (c) => `PASS_WARN_AGE ${c.thresholds.passWarnAge}`, 'no warning')(ctx),
};

const sys04: BaselineRule = {
  id: 'SYS-04',
  checkType: 'system',
  title: 'Minimum password length in login.defs',
  severity: 'low',
  standards: CN_ONLY,
  references: { cn: '8.1.4.1a', ssg: 'accounts_password_minlen_login_defs' },
  description: 'PASS_MIN_LEN is advisory on RHEL-family systems (PAM enforces length, see SYS-05) but MLPS checklists still ask for it. Not used on Debian/Ubuntu.',
  audit: "grep '^PASS_MIN_LEN' /etc/login.defs — expect at least 8.",
  remediation: 'Set `PASS_MIN_LEN 8` in /etc/login.defs (real enforcement is the PAM quality module, SYS-05).',
  appliesTo: (p) => p.family === 'rhel',
  evaluate: (ctx) => loginDefsRule('PASS_MIN_LEN', (n, c) => n >= (c.thresholds.passMinLen ?? 0), (c) => `PASS_MIN_LEN ${c.thresholds.passMinLen}`, '5')(ctx),
};

function qualityInstallHint(ctx: RuleContext): string {
  return ctx.profile.family === 'debian'
    ? 'install libpam-pwquality and use `password requisite pam_pwquality.so retry=3 minlen=8` in /etc/pam.d/common-password'
    : '`password requisite pam_pwquality.so try_first_pass local_users_only retry=3` with `minlen = 8` in /etc/security/pwquality.conf';
}

const sys05: BaselineRule = {
  id: 'SYS-05',
  checkType: 'system',
  title: 'Password quality module and minimum length',
  severity: 'medium',
  standards: BOTH,
  references: { cn: '8.1.4.1a', hw: 'oE 2.2.1', cis: 'C7/U16 5.3.1', ssg: 'accounts_password_pam_minlen' },
  description:
    'A password stack must load pam_pwquality or pam_cracklib as required/requisite before pam_unix, with an effective minimum length (argument, else pwquality.conf, else the library default 9) at least the threshold; hw_standard also caps retry.',
  audit: 'grep pam_pwquality /etc/pam.d/system-auth /etc/pam.d/password-auth (RHEL) or /etc/pam.d/common-password (Debian/Ubuntu); check minlen in the line and /etc/security/pwquality.conf.',
  remediation: 'RHEL: set `minlen = 8` in /etc/security/pwquality.conf. Debian/Ubuntu: install libpam-pwquality and use `password requisite pam_pwquality.so retry=3 minlen=8`.',
  evaluate(ctx) {
    const stacks = passwordStacks(ctx);
    if (stacks.length === 0) return noStack(ctx, qualityInstallHint(ctx));
    const bad: BaselineEvidence[] = [];
    const good: BaselineEvidence[] = [];
    for (const file of stacks) {
      const mod = qualityModule(stackOf(ctx, file, 'password'));
      if (!mod) {
        bad.push(ev(file, null, 'no required pam_pwquality/pam_cracklib before pam_unix', qualityInstallHint(ctx)));
        continue;
      }
      const conf = qualityConf(ctx, mod);
      const minlen = resolveOption(mod, conf, 'minlen', '9');
      const okLen = Number(minlen.value) >= ctx.thresholds.pwMinLen;
      const retry = resolveOption(mod, conf, 'retry', '1');
      const maxRetry = ctx.thresholds.pwMaxRetry;
      const okRetry = maxRetry === null || Number(retry.value) <= maxRetry;
      if (!okLen) bad.push(ev(minlen.file, minlen.line, `${mod.module} ${describeOption('minlen', minlen)}`, `minlen >= ${ctx.thresholds.pwMinLen}`));
      if (!okRetry) bad.push(ev(retry.file, retry.line, `${mod.module} ${describeOption('retry', retry)}`, `retry <= ${maxRetry}`));
      if (okLen && okRetry) good.push(ev(mod.file, mod.line, `${mod.module} ${describeOption('minlen', minlen)}`, `minlen >= ${ctx.thresholds.pwMinLen}`));
    }
    return bad.length > 0 ? failed(bad) : passed(...good);
  },
};

const CREDITS = ['dcredit', 'ucredit', 'lcredit', 'ocredit'] as const;

const sys06: BaselineRule = {
  id: 'SYS-06',
  checkType: 'system',
  title: 'Password character classes',
  severity: 'medium',
  standards: BOTH,
  references: { cn: '8.1.4.1a', hw: 'oE 2.2.1', cis: '5.3.1', ssg: 'accounts_password_pam_minclass' },
  description:
    'Passwords must mix character classes: effective `minclass` at least the threshold, or that many of dcredit/ucredit/lcredit/ocredit set to -1 or lower (negative credit = required class; positive credit only shortens the length).',
  audit: 'Check minclass and the *credit options on the pam_pwquality/pam_cracklib line and in /etc/security/pwquality.conf.',
  remediation: 'Set `minclass = 3` (or `dcredit = -1`, `ucredit = -1`, `lcredit = -1`, `ocredit = -1`) and `enforce_for_root` in /etc/security/pwquality.conf.',
  evaluate(ctx) {
    const stacks = passwordStacks(ctx);
    const want = ctx.thresholds.pwMinClasses;
    const suggested = `minclass = ${want} (or ${want} credits <= -1)`;
    if (stacks.length === 0) return noStack(ctx, suggested);
    const bad: BaselineEvidence[] = [];
    const good: BaselineEvidence[] = [];
    for (const file of stacks) {
      const mod = qualityModule(stackOf(ctx, file, 'password'));
      if (!mod) {
        bad.push(ev(file, null, 'no password quality module', suggested));
        continue;
      }
      const conf = qualityConf(ctx, mod);
      const minclass = resolveOption(mod, conf, 'minclass', '0');
      const credits = CREDITS.map((k) => ({ k, o: resolveOption(mod, conf, k, '1') }));
      const required = credits.filter((c) => Number(c.o.value) <= -1).length;
      const current = `${describeOption('minclass', minclass)}, ${credits.map((c) => `${c.k}=${c.o.value}`).join(' ')}`;
      const e = ev(minclass.from === 'default' ? mod.file : minclass.file, minclass.from === 'default' ? mod.line : minclass.line, `${mod.module} ${current}`, suggested);
      (Number(minclass.value) >= want || required >= want ? good : bad).push(e);
    }
    return bad.length > 0 ? failed(bad) : passed(...good);
  },
};

const sys07: BaselineRule = {
  id: 'SYS-07',
  checkType: 'system',
  title: 'Password reuse limited',
  severity: 'low',
  standards: BOTH,
  references: { cn: '8.1.4.1a', hw: 'oE 2.2.2', cis: 'C7/U16 5.3.3', ssg: 'accounts_password_pam_unix_remember' },
  description: 'pam_pwhistory (remember=N, default 10, or /etc/security/pwhistory.conf) or pam_unix remember=N must keep at least N old passwords.',
  audit: 'grep -E "pam_pwhistory|remember=" in the password stacks.',
  remediation: 'Add `password required pam_pwhistory.so remember=5 use_authtok` before pam_unix.',
  evaluate(ctx) {
    const want = ctx.thresholds.pwRemember;
    const suggested = `remember=${want} (pam_pwhistory or pam_unix)`;
    const stacks = passwordStacks(ctx);
    if (stacks.length === 0) return noStack(ctx, suggested);
    const pwhistoryConf = confSettings(ctx, '/etc/security/pwhistory.conf');
    const bad: BaselineEvidence[] = [];
    const good: BaselineEvidence[] = [];
    for (const file of stacks) {
      let best: { n: number; e: PamEntry; text: string } | null = null;
      for (const e of stackOf(ctx, file, 'password')) {
        let n: number | null = null;
        let text = '';
        if (e.module === 'pam_pwhistory.so') {
          const o = resolveOption(e, pwhistoryConf, 'remember', '10');
          n = Number(o.value);
          text = `pam_pwhistory.so ${describeOption('remember', o)}`;
        } else if (e.module === 'pam_unix.so' && pamArgs(e).has('remember')) {
          n = Number(pamArgs(e).get('remember'));
          text = `pam_unix.so remember=${n}`;
        }
        if (n !== null && Number.isFinite(n) && (!best || n > best.n)) best = { n, e, text };
      }
      if (!best) bad.push(ev(file, null, 'no password history kept', suggested));
      else (best.n >= want ? good : bad).push(ev(best.e.file, best.e.line, best.text, suggested));
    }
    return bad.length > 0 ? failed(bad) : passed(...good);
  },
};

const HASH_OPTIONS = ['md5', 'bigcrypt', 'sha256', 'sha512', 'blowfish', 'gost_yescrypt', 'yescrypt'];

const sys08: BaselineRule = {
  id: 'SYS-08',
  checkType: 'system',
  title: 'Strong password hashing',
  severity: 'medium',
  standards: BOTH,
  references: { cn: '8.1.4.1a', hw: 'oE 2.2.5', cis: 'C7/U16 5.3.4', ssg: 'set_password_hashing_algorithm_systemauth' },
  description:
    'Every pam_unix password line must hash with an accepted algorithm (sha512/yescrypt; cn also accepts blowfish and sha256), and /etc/login.defs ENCRYPT_METHOD must name one, because chpasswd/newusers use it.',
  audit: 'grep pam_unix in the password stacks and ENCRYPT_METHOD in /etc/login.defs.',
  remediation: 'Add `sha512` to the pam_unix password line and set `ENCRYPT_METHOD SHA512` in /etc/login.defs.',
  evaluate(ctx) {
    const accepted = ctx.thresholds.pamHashes;
    const bad: BaselineEvidence[] = [];
    const good: BaselineEvidence[] = [];
    const enc = ctx.facts.loginDefs.get('ENCRYPT_METHOD');
    const encOk = enc !== undefined && ctx.thresholds.encryptMethods.includes(enc.value.toUpperCase());
    const md5Enab = ctx.facts.loginDefs.get('MD5_CRYPT_ENAB');
    const encText = enc ? `ENCRYPT_METHOD ${enc.value}` : md5Enab ? `ENCRYPT_METHOD not set, MD5_CRYPT_ENAB ${md5Enab.value}` : 'ENCRYPT_METHOD not set (DES)';
    (encOk ? good : bad).push(ev(LOGIN_DEFS, enc?.line ?? md5Enab?.line ?? null, encText, 'ENCRYPT_METHOD SHA512'));
    for (const file of passwordStacks(ctx)) {
      for (const e of stackOf(ctx, file, 'password').filter((x) => x.module === 'pam_unix.so')) {
        const hashes = e.args.map((a) => a.toLowerCase()).filter((a) => HASH_OPTIONS.includes(a));
        // pam_unix keeps the last hashing option it parsed; without one it hashes per login.defs (PAM >= 1.4) or with DES.
        let hash = hashes[hashes.length - 1];
        let note = '';
        if (!hash) {
          hash = ctx.profile.pamUnixReadsLoginDefs && enc ? enc.value.toLowerCase() : 'des';
          note = ' (no hash option)';
        }
        (accepted.includes(hash) ? good : bad).push(ev(e.file, e.line, `pam_unix.so ${hash}${note}`, 'pam_unix.so sha512'));
      }
    }
    return bad.length > 0 ? failed(bad) : passed(...good);
  },
};

interface LockoutSettings {
  deny: number;
  unlock: number;
  text: string;
  entry: PamEntry;
}

/** deny/unlock_time of the lockout module on one auth stack, as the module resolves them. */
function lockoutOf(ctx: RuleContext, stack: PamEntry[]): LockoutSettings | null {
  const lines = stack.filter((e) => ['pam_faillock.so', 'pam_tally2.so', 'pam_tally.so'].includes(e.module) && isEnforcing(e));
  const first = lines[0];
  if (!first) return null;
  const faillock = first.module === 'pam_faillock.so';
  const conf = faillock ? confSettings(ctx, '/etc/security/faillock.conf') : null;
  // Arguments of every line of the module count (preauth and authfail lines share the settings).
  const arg = (key: string) => {
    for (const l of lines) {
      const v = pamArgs(l).get(key);
      if (v !== undefined) return v;
    }
    return conf?.get(key)?.value;
  };
  // faillock: deny=3, unlock_time=600 by default; tally2: deny=0 (never locks), unlock_time=0 (manual).
  const denyRaw = arg('deny') ?? (faillock ? '3' : '0');
  const unlockRaw = arg('unlock_time') ?? (faillock ? '600' : '0');
  const unlock = unlockRaw === 'never' ? 0 : Number(unlockRaw);
  return { deny: Number(denyRaw), unlock, text: `${first.module} deny=${denyRaw} unlock_time=${unlockRaw}`, entry: first };
}

const sys09: BaselineRule = {
  id: 'SYS-09',
  checkType: 'system',
  title: 'Lockout after failed logins',
  severity: 'medium',
  standards: BOTH,
  references: { cn: '8.1.4.1b', hw: 'oE 2.3.1', cis: 'C7/U16 5.3.2', ssg: 'accounts_passwords_pam_faillock_deny' },
  description:
    'The auth stacks used by login and sshd must load pam_faillock (RHEL family, Debian 11+) or pam_tally2 with 1 <= deny <= threshold and unlock_time >= 300 s or manual unlock (0/absent for tally2, `never`).',
  audit: 'grep -E "pam_faillock|pam_tally2" /etc/pam.d/* and /etc/security/faillock.conf.',
  remediation:
    'RHEL: `auth required pam_faillock.so preauth silent deny=3 unlock_time=300` before pam_unix, `auth [default=die] pam_faillock.so authfail` after it, `account required pam_faillock.so`. Debian/Ubuntu: `auth required pam_tally2.so onerr=fail deny=5 unlock_time=900` in common-auth and `account required pam_tally2.so` in common-account.',
  evaluate(ctx) {
    const t = ctx.thresholds;
    const suggested = `deny between 1 and ${t.lockoutMaxDeny}, unlock_time >= ${t.lockoutMinUnlockSeconds} (or manual)`;
    let services = existingFiles(ctx, ctx.profile.pam.lockoutServices);
    if (services.length === 0) services = existingFiles(ctx, ctx.profile.family === 'rhel' ? ['/etc/pam.d/system-auth', '/etc/pam.d/password-auth'] : ['/etc/pam.d/common-auth']);
    if (services.length === 0) return failed([ev(null, null, 'no PAM auth stack', suggested)]);
    const bad: BaselineEvidence[] = [];
    const good: BaselineEvidence[] = [];
    for (const svc of services) {
      const l = lockoutOf(ctx, stackOf(ctx, svc, 'auth'));
      if (!l) {
        bad.push(ev(svc, null, 'no pam_faillock/pam_tally2 on the auth stack', suggested));
        continue;
      }
      const ok = l.deny >= 1 && l.deny <= t.lockoutMaxDeny && (l.unlock === 0 || l.unlock >= t.lockoutMinUnlockSeconds);
      (ok ? good : bad).push(ev(l.entry.file, l.entry.line, `${svc}: ${l.text}`, suggested));
    }
    return bad.length > 0 ? failed(bad) : passed(...good);
  },
};

const sys10: BaselineRule = {
  id: 'SYS-10',
  checkType: 'system',
  title: 'No empty password fields',
  severity: 'high',
  standards: BOTH,
  references: { cn: '8.1.4.1a, 8.1.4.2b', hw: 'oE 2.2.8', cis: 'C7/U16 6.2.1', ssg: 'no_empty_passwords_etc_shadow', hssImage: true },
  description: 'An account whose /etc/shadow (or /etc/passwd) password field is empty can log in without a password wherever PAM allows nullok.',
  audit: "awk -F: '($2 == \"\") {print $1}' /etc/shadow /etc/passwd",
  remediation: 'Lock the account (`passwd -l <user>`) or set a password.',
  evaluate(ctx) {
    const { shadow, passwd } = ctx.facts;
    if (!shadow && !passwd) return notApplicable('no /etc/passwd or /etc/shadow in the image');
    const bad: BaselineEvidence[] = [];
    for (const s of shadow?.entries ?? []) if (s.hash === '') bad.push(ev('/etc/shadow', s.line, `${s.name}: empty password`, `${s.name}: locked (!) or a strong hash`));
    for (const p of passwd?.entries ?? []) if (p.password === '') bad.push(ev('/etc/passwd', p.line, `${p.name}: empty password field`, `${p.name}: x (shadowed)`));
    return passUnless(bad, ev('/etc/shadow', null, 'no empty password fields', 'no empty password fields'));
  },
};

const sys11: BaselineRule = {
  id: 'SYS-11',
  checkType: 'system',
  title: 'PAM does not accept empty passwords',
  severity: 'low',
  standards: CN_ONLY,
  references: { cn: '8.1.4.1a', ssg: 'no_empty_passwords' },
  description: '`nullok` on pam_unix lets accounts with an empty password field authenticate (pairs with SYS-10).',
  audit: 'grep -n nullok /etc/pam.d/system-auth /etc/pam.d/password-auth (RHEL) or /etc/pam.d/common-auth /etc/pam.d/common-password (Debian/Ubuntu).',
  remediation: 'Remove `nullok`/`nullok_secure` from the pam_unix lines (authconfig/pam-auth-update profiles re-add it: patch the profile too).',
  evaluate(ctx) {
    const files = existingFiles(ctx, ctx.profile.pam.nullokStacks);
    if (files.length === 0) return passed(ev(null, null, 'no PAM stacks that could accept empty passwords', 'no nullok'));
    const bad: BaselineEvidence[] = [];
    for (const f of files) {
      for (const e of fileEntries(ctx, f)) {
        if (e.module !== 'pam_unix.so') continue;
        const flag = e.args.find((a) => a === 'nullok' || a === 'nullok_secure');
        if (flag) bad.push(ev(e.file, e.line, e.text, e.text.replace(/\s*\bnullok(?:_secure)?\b/, '')));
      }
    }
    return passUnless(bad, ev(files[0] as string, null, 'no nullok on pam_unix', 'no nullok'));
  },
};

export const PASSWORD_POLICY_RULES: readonly BaselineRule[] = [sys01, sys02, sys03, sys04, sys05, sys06, sys07, sys08, sys09, sys10, sys11];
