/** SYS-12..SYS-30: account databases, privileged groups, su, trust files and home directories. */
import { posix } from 'node:path';
import { hashKind, isUsableHash, maskHash, type PasswdEntry } from '../parse/accounts.js';
import { lookup } from '../parse/sshd.js';
import type { BaselineEvidence, BaselineRule, RuleContext, Verdict } from '../types.js';
import { BOTH, CN_ONLY, HW_ONLY, ev, failed, fmtMode, hasLoginShell, NOLOGIN_SHELLS, notApplicable, passed, passUnless, userName } from './helpers.js';
import { fileEntries, isEnforcing } from './pam-view.js';

const PASSWD = '/etc/passwd';
const SHADOW = '/etc/shadow';
const GROUP = '/etc/group';

function needPasswd(ctx: RuleContext, run: (entries: PasswdEntry[]) => Verdict): Verdict {
  return ctx.facts.passwd ? run(ctx.facts.passwd.entries) : notApplicable('no /etc/passwd in the image');
}

const sys12: BaselineRule = {
  id: 'SYS-12',
  checkType: 'system',
  title: 'All accounts use shadowed passwords',
  severity: 'high',
  standards: CN_ONLY,
  references: { cn: '8.1.4.1a', cis: 'C7 6.2.x', ssg: 'accounts_password_all_shadowed' },
  description: '/etc/passwd is world-readable: a password hash kept there (instead of `x`) can be cracked offline by any user.',
  audit: "awk -F: '($2 != \"x\") {print $1}' /etc/passwd",
  remediation: 'Run `pwconv` so every hash moves to /etc/shadow.',
  evaluate: (ctx) =>
    needPasswd(ctx, (entries) => {
      const bad = entries
        .filter((p) => p.password !== '' && !['x', '*', '!', '!!', '*LK*'].includes(p.password))
        .map((p) => ev(PASSWD, p.line, `${p.name}: ${maskHash(p.password)}`, `${p.name}: x`));
      return passUnless(bad, ev(PASSWD, null, 'every password field is x', 'x'));
    }),
};

const sys13: BaselineRule = {
  id: 'SYS-13',
  checkType: 'system',
  title: 'Only root has UID 0',
  severity: 'high',
  standards: BOTH,
  references: { cn: '8.1.4.2d', hw: 'oE 2.1.4', cis: 'C7/U16 6.2.5', ssg: 'accounts_no_uid_except_zero', hssImage: true },
  description: 'Any other UID-0 account is a second, unaudited superuser.',
  audit: "awk -F: '($3 == 0) {print $1}' /etc/passwd — expect only root.",
  remediation: 'Change the UID of the extra account or remove it.',
  evaluate: (ctx) =>
    needPasswd(ctx, (entries) => {
      const zero = entries.filter((p) => p.uid === 0);
      const bad = zero.filter((p) => p.name !== 'root').map((p) => ev(PASSWD, p.line, `${p.name} has UID 0`, 'only root has UID 0'));
      if (!zero.some((p) => p.name === 'root')) bad.push(ev(PASSWD, null, 'no root entry with UID 0', 'root:x:0:0'));
      return passUnless(bad, ev(PASSWD, zero[0]?.line ?? null, 'root is the only UID 0 account', 'only root has UID 0'));
    }),
};

const sys14: BaselineRule = {
  id: 'SYS-14',
  checkType: 'system',
  title: "root's primary group is GID 0",
  severity: 'low',
  standards: BOTH,
  references: { cis: 'C7/U16 5.4.3', ssg: 'accounts_root_gid_zero', hssImage: true },
  description: "Files root creates get its primary group; a non-zero GID gives that group access to them.",
  audit: "grep '^root:' /etc/passwd | cut -d: -f4 — expect 0.",
  remediation: 'Run `usermod -g 0 root`.',
  evaluate: (ctx) =>
    needPasswd(ctx, (entries) => {
      const root = entries.find((p) => p.name === 'root');
      if (!root) return failed([ev(PASSWD, null, 'no root entry', 'root:x:0:0')]);
      const e = ev(PASSWD, root.line, `root GID ${root.gid}`, 'root GID 0');
      return root.gid === 0 ? passed(e) : failed([e]);
    }),
};

function duplicates<T>(items: T[], key: (t: T) => string | number): T[][] {
  const by = new Map<string | number, T[]>();
  for (const i of items) {
    const k = key(i);
    by.set(k, [...(by.get(k) ?? []), i]);
  }
  return [...by.values()].filter((g) => g.length > 1);
}

const sys15: BaselineRule = {
  id: 'SYS-15',
  checkType: 'system',
  title: 'Unique user names and UIDs',
  severity: 'medium',
  standards: BOTH,
  references: { cn: '8.1.4.1a', hw: 'oE 2.1.8-2.1.9', cis: 'C7/U16 6.2.16, 6.2.18', ssg: 'account_unique_id', hssImage: true },
  description: 'Two accounts with one UID (or one name) share files and audit identity, defeating unique identification.',
  audit: 'cut -d: -f1 /etc/passwd | sort | uniq -d; cut -d: -f3 /etc/passwd | sort | uniq -d',
  remediation: 'Give each account its own name and UID.',
  evaluate: (ctx) =>
    needPasswd(ctx, (entries) => {
      const bad: BaselineEvidence[] = [];
      for (const g of duplicates(entries, (p) => p.name)) bad.push(ev(PASSWD, (g[1] as PasswdEntry).line, `user name ${g[0]?.name} appears ${g.length} times`, 'unique user names'));
      for (const g of duplicates(entries, (p) => p.uid)) bad.push(ev(PASSWD, (g[1] as PasswdEntry).line, `UID ${g[0]?.uid} shared by ${g.map((p) => p.name).join(', ')}`, 'unique UIDs'));
      return passUnless(bad, ev(PASSWD, null, 'names and UIDs are unique', 'unique user names and UIDs'));
    }),
};

const sys16: BaselineRule = {
  id: 'SYS-16',
  checkType: 'system',
  title: 'Unique group names and GIDs',
  severity: 'low',
  standards: BOTH,
  references: { hw: 'oE 2.1.10-2.1.11', cis: '6.2.17, 6.2.19', ssg: 'group_unique_id', hssImage: true },
  description: 'Duplicate group names or GIDs make group-based access control ambiguous.',
  audit: 'cut -d: -f1 /etc/group | sort | uniq -d; cut -d: -f3 /etc/group | sort | uniq -d',
  remediation: 'Rename or renumber the duplicate groups.',
  evaluate(ctx) {
    const group = ctx.facts.group;
    if (!group) return notApplicable('no /etc/group in the image');
    const bad: BaselineEvidence[] = [];
    for (const g of duplicates(group.entries, (x) => x.name)) bad.push(ev(GROUP, g[1]?.line ?? null, `group name ${g[0]?.name} appears ${g.length} times`, 'unique group names'));
    for (const g of duplicates(group.entries, (x) => x.gid)) bad.push(ev(GROUP, g[1]?.line ?? null, `GID ${g[0]?.gid} shared by ${g.map((x) => x.name).join(', ')}`, 'unique GIDs'));
    return passUnless(bad, ev(GROUP, null, 'group names and GIDs are unique', 'unique group names and GIDs'));
  },
};

const sys17: BaselineRule = {
  id: 'SYS-17',
  checkType: 'system',
  title: 'Groups referenced by /etc/passwd exist',
  severity: 'low',
  standards: BOTH,
  references: { hw: 'oE 2.1.7', cis: 'C7/U16 6.2.15', ssg: 'gid_passwd_group_same', hssImage: true },
  description: 'A primary GID missing from /etc/group is claimed by whoever later creates a group with that number.',
  audit: 'for each GID in /etc/passwd, grep it in /etc/group.',
  remediation: 'Create the missing group or correct the account GID.',
  evaluate: (ctx) =>
    needPasswd(ctx, (entries) => {
      const bad = entries.filter((p) => !ctx.facts.groupById.has(p.gid)).map((p) => ev(PASSWD, p.line, `${p.name}: GID ${p.gid} not in /etc/group`, `group with GID ${p.gid}`));
      return passUnless(bad, ev(PASSWD, null, 'every primary GID exists', 'every primary GID exists in /etc/group'));
    }),
};

const sys18: BaselineRule = {
  id: 'SYS-18',
  checkType: 'system',
  title: 'No legacy "+" NIS entries',
  severity: 'medium',
  standards: BOTH,
  references: { cis: 'C7/U16 6.2.2-6.2.4', ssg: 'no_legacy_plus_entries_etc_passwd', hssImage: true },
  description: '`+`/`-` lines pull accounts from NIS; without NIS they can become an entry point with an empty password.',
  audit: "grep '^[+-]' /etc/passwd /etc/shadow /etc/group",
  remediation: 'Delete the `+`/`-` lines.',
  evaluate(ctx) {
    const f = ctx.facts;
    const bad: BaselineEvidence[] = [];
    for (const [file, db] of [[PASSWD, f.passwd], [SHADOW, f.shadow], [GROUP, f.group]] as const) {
      for (const n of db?.nis ?? []) bad.push(ev(file, n.line, file === SHADOW ? `${n.text.split(':')[0]}:…` : n.text, 'no NIS inclusion lines'));
    }
    return passUnless(bad, ev(null, null, 'no NIS inclusion lines', 'no NIS inclusion lines'));
  },
};

const sys19: BaselineRule = {
  id: 'SYS-19',
  checkType: 'system',
  title: 'No weak password hashes stored',
  severity: 'high',
  standards: BOTH,
  references: { cn: '8.1.4.1a', hssImage: true },
  description: 'Usable hashes in /etc/shadow must use SHA-512, yescrypt, scrypt or bcrypt (cn also accepts SHA-256); DES, MD5 and unknown formats are cracked quickly.',
  audit: "awk -F: '{print $1, substr($2,1,4)}' /etc/shadow",
  remediation: 'Set SHA-512 hashing (SYS-08) and reset the affected passwords.',
  evaluate(ctx) {
    const shadow = ctx.facts.shadow;
    if (!shadow) return notApplicable('no /etc/shadow in the image');
    const ok = ctx.thresholds.shadowHashPrefixes;
    const bad = shadow.entries
      .filter((s) => isUsableHash(s.hash) && !ok.some((p) => s.hash.startsWith(p)))
      .map((s) => ev(SHADOW, s.line, `${s.name}: ${maskHash(s.hash)} (${hashKind(s.hash)})`, `${s.name}: $6$... (SHA-512)`));
    return passUnless(bad, ev(SHADOW, null, 'no weak hashes', 'SHA-512 or stronger'));
  },
};

const sys20: BaselineRule = {
  id: 'SYS-20',
  checkType: 'system',
  title: 'No duplicated password hashes',
  severity: 'medium',
  standards: BOTH,
  references: { cn: '8.1.4.2c', hssImage: true },
  description: 'Two accounts with the identical salted hash were cloned from one shadow line: they share one password.',
  audit: 'cut -d: -f2 /etc/shadow | sort | uniq -d (ignoring locked values).',
  remediation: 'Set distinct passwords or lock the accounts.',
  evaluate(ctx) {
    const shadow = ctx.facts.shadow;
    if (!shadow) return notApplicable('no /etc/shadow in the image');
    const bad = duplicates(shadow.entries.filter((s) => isUsableHash(s.hash)), (s) => s.hash).map((g) =>
      ev(SHADOW, g[1]?.line ?? null, `${g.map((s) => s.name).join(', ')} share hash ${maskHash(g[0]?.hash ?? '')}`, 'one hash per account'),
    );
    return passUnless(bad, ev(SHADOW, null, 'no shared hashes', 'one hash per account'));
  },
};

const sys21: BaselineRule = {
  id: 'SYS-21',
  checkType: 'system',
  title: 'Password validity configured on existing accounts',
  severity: 'medium',
  standards: BOTH,
  references: { cn: '8.1.4.1a', hw: 'oE 2.2.7', cis: '5.4.1.1', ssg: 'accounts_password_set_max_life_existing', hssImage: true },
  description: 'login.defs only affects new accounts: accounts created with a usable password must carry a maximum age in /etc/shadow field 5.',
  audit: "awk -F: '($2 !~ /^[!*]/ && $2 != \"\") {print $1, $5}' /etc/shadow",
  remediation: 'Run `chage --maxdays 90 --warndays 7 <user>` for each account with a password.',
  evaluate(ctx) {
    const shadow = ctx.facts.shadow;
    if (!shadow) return notApplicable('no /etc/shadow in the image');
    const max = ctx.thresholds.passMaxDays;
    const bad = shadow.entries
      .filter((s) => isUsableHash(s.hash) && (s.maxDays === null || s.maxDays < 1 || s.maxDays > max))
      .map((s) => ev(SHADOW, s.line, `${s.name}: max days ${s.maxDays ?? 'unset'}`, `${s.name}: max days <= ${max}`));
    return passUnless(bad, ev(SHADOW, null, 'every account with a password expires', `max days <= ${max}`));
  },
};

const sys22: BaselineRule = {
  id: 'SYS-22',
  checkType: 'system',
  title: 'Last password change not in the future',
  severity: 'low',
  standards: BOTH,
  references: { cis: 'C7/U16 5.4.1.5', ssg: 'accounts_password_last_change_is_in_past', hssImage: true },
  description: 'A last-change date after the image was built defeats password ageing. The reference date is the image creation time (scan time when unknown), for reproducible results.',
  audit: "awk -F: '{print $1, $3}' /etc/shadow and compare with the date in days since 1970-01-01.",
  remediation: 'Run `chage -d <today> <user>`.',
  evaluate(ctx) {
    const shadow = ctx.facts.shadow;
    if (!shadow) return notApplicable('no /etc/shadow in the image');
    const today = ctx.facts.today;
    const bad = shadow.entries
      .filter((s) => s.lastChange !== null && s.lastChange > 0 && s.lastChange > today)
      .map((s) => ev(SHADOW, s.line, `${s.name}: last change day ${s.lastChange}`, `<= day ${today}`));
    return passUnless(bad, ev(SHADOW, null, 'no change dates in the future', `<= day ${today}`));
  },
};

const SYSTEM_EXEMPT = new Set(['root', 'sync', 'shutdown', 'halt']);

const sys23: BaselineRule = {
  id: 'SYS-23',
  checkType: 'system',
  title: 'System accounts cannot log in',
  severity: 'medium',
  standards: CN_ONLY,
  references: { cn: '8.1.4.2c', cis: 'C7/U16 5.4.2', ssg: 'no_shelllogin_for_systemaccounts' },
  description: 'Accounts below UID_MIN (except root, sync, shutdown, halt) exist for services and must have a non-login shell.',
  audit: "awk -F: '($3 < 1000 && $7 !~ /nologin|false/) {print $1, $7}' /etc/passwd",
  remediation: 'Run `usermod -s /usr/sbin/nologin <account>`.',
  evaluate: (ctx) =>
    needPasswd(ctx, (entries) => {
      const bad = entries
        .filter((p) => p.uid < ctx.facts.uidMin && !SYSTEM_EXEMPT.has(p.name) && !NOLOGIN_SHELLS.has(p.shell))
        .map((p) => ev(PASSWD, p.line, `${p.name} (UID ${p.uid}) shell ${p.shell || '(empty = /bin/sh)'}`, `${p.name} shell /usr/sbin/nologin`));
      return passUnless(bad, ev(PASSWD, null, 'system accounts have nologin shells', 'nologin'));
    }),
};

const sys24: BaselineRule = {
  id: 'SYS-24',
  checkType: 'system',
  title: 'shadow group has no members',
  severity: 'medium',
  standards: BOTH,
  references: { cis: 'U16 6.2.20', hssImage: true },
  description: 'Members of the `shadow` group can read /etc/shadow and crack every hash.',
  audit: "grep '^shadow:' /etc/group /etc/gshadow; awk -F: '($4 == 42)' /etc/passwd",
  remediation: 'Run `gpasswd -d <user> shadow` and change primary groups that are `shadow`.',
  appliesTo: (p) => p.shadowGroup !== null,
  evaluate(ctx) {
    const name = ctx.profile.shadowGroup as string;
    const g = ctx.facts.groupByName.get(name);
    if (!g) return passed(ev(GROUP, null, `no ${name} group`, `${name} group without members`));
    const bad: BaselineEvidence[] = [];
    if (g.members.length > 0) bad.push(ev(GROUP, g.line, `${name} members: ${g.members.join(',')}`, `${name} group without members`));
    const gs = ctx.facts.gshadow?.entries.find((x) => x.name === name);
    if (gs && gs.members.length > 0) bad.push(ev('/etc/gshadow', gs.line, `${name} members: ${gs.members.join(',')}`, `${name} group without members`));
    for (const p of ctx.facts.passwd?.entries ?? []) if (p.gid === g.gid) bad.push(ev(PASSWD, p.line, `${p.name} has primary group ${name}`, 'another primary group'));
    return passUnless(bad, ev(GROUP, g.line, `${name} group has no members`, `${name} group without members`));
  },
};

const ADMIN_GROUPS = ['wheel', 'sudo', 'adm', 'admin'];

const sys25: BaselineRule = {
  id: 'SYS-25',
  checkType: 'system',
  title: 'No non-privileged account in privileged groups',
  severity: 'medium',
  standards: BOTH,
  references: { cn: '8.1.4.2d', hssImage: true },
  description:
    'Only root belongs to GID 0 (as a listed member, or as the primary group of an account that can log in). Members of wheel/sudo/adm/admin fail only when they are system accounts or accounts without a login shell.',
  audit: "grep -E '^(root|wheel|sudo|adm|admin):' /etc/group; awk -F: '($4 == 0)' /etc/passwd",
  remediation: 'Remove the membership (`gpasswd -d <user> <group>`) or change the primary group.',
  evaluate(ctx) {
    const bad: BaselineEvidence[] = [];
    const users = new Map((ctx.facts.passwd?.entries ?? []).map((p) => [p.name, p]));
    const root = ctx.facts.groupById.get(0);
    if (root) for (const m of root.members.filter((x) => x !== 'root')) bad.push(ev(GROUP, root.line, `${m} is a member of ${root.name} (GID 0)`, `${root.name}: root only`));
    for (const p of ctx.facts.passwd?.entries ?? []) {
      if (p.name !== 'root' && p.gid === 0 && hasLoginShell(p.shell)) bad.push(ev(PASSWD, p.line, `${p.name} has primary GID 0 and shell ${p.shell}`, 'a non-root primary group'));
    }
    for (const name of ADMIN_GROUPS) {
      const g = ctx.facts.groupByName.get(name);
      for (const m of g?.members ?? []) {
        const u = users.get(m);
        if (u && u.name !== 'root' && (u.uid < ctx.facts.uidMin || !hasLoginShell(u.shell))) {
          bad.push(ev(GROUP, g?.line ?? null, `${m} (UID ${u.uid}, shell ${u.shell}) is a member of ${name}`, `${name}: named administrators only`));
        }
      }
    }
    return passUnless(bad, ev(GROUP, root?.line ?? null, 'no unexpected privileged memberships', 'privileged groups hold administrators only'));
  },
};

const sys26: BaselineRule = {
  id: 'SYS-26',
  checkType: 'system',
  title: 'su restricted to an admin group',
  severity: 'low',
  standards: BOTH,
  references: { cn: '8.1.4.2d', hw: 'oE 2.4.4', cis: 'C7/U16 5.6', ssg: 'use_pam_wheel_for_su' },
  description: 'Without pam_wheel in /etc/pam.d/su any account that learns the root password can become root.',
  audit: "grep pam_wheel /etc/pam.d/su — expect an uncommented `auth required pam_wheel.so use_uid` line.",
  remediation: 'Uncomment `auth required pam_wheel.so use_uid` in /etc/pam.d/su (Debian/Ubuntu: optionally `group=sudo`).',
  evaluate(ctx) {
    const file = '/etc/pam.d/su';
    if (!ctx.fs.exists(file)) return notApplicable('no /etc/pam.d/su (su not installed)');
    const suggested = 'auth required pam_wheel.so use_uid';
    const wheel = fileEntries(ctx, file).find((e) => e.type === 'auth' && e.module === 'pam_wheel.so' && isEnforcing(e) && !e.args.includes('trust'));
    if (!wheel) return failed([ev(file, null, 'no active pam_wheel line', suggested)]);
    const groupArg = wheel.args.find((a) => a.startsWith('group='))?.slice(6);
    const gname = groupArg ?? (ctx.facts.groupByName.has('wheel') ? 'wheel' : (ctx.facts.groupById.get(0)?.name ?? 'root'));
    const members = ctx.facts.groupByName.get(gname)?.members ?? [];
    return passed(ev(file, wheel.line, `${wheel.text} (group ${gname}: ${members.length > 0 ? members.join(',') : 'no members'})`, suggested));
  },
};

/** Home directories from /etc/passwd (plus /root), without duplicates or placeholder homes. */
function homes(ctx: RuleContext): Array<{ home: string; user: PasswdEntry | null }> {
  const out = new Map<string, PasswdEntry | null>([['/root', null]]);
  for (const p of ctx.facts.passwd?.entries ?? []) {
    if (!p.home.startsWith('/') || p.home === '/' || p.home === '/nonexistent') continue;
    if (!out.has(p.home) || (p.home === '/root' && p.name === 'root')) out.set(p.home, p);
  }
  return [...out].map(([home, user]) => ({ home, user }));
}

const sys27: BaselineRule = {
  id: 'SYS-27',
  checkType: 'system',
  title: 'No host-based trust files',
  severity: 'high',
  standards: BOTH,
  references: { cn: '8.1.4.1c', cis: 'C7 6.2.14', ssg: 'no_rsh_trust_files', hssImage: true },
  description: 'hosts.equiv/shosts.equiv and ~/.rhosts/.shosts let remote hosts log in without a password (r-services, host-based SSH).',
  audit: 'ls -l /etc/hosts.equiv /etc/shosts.equiv ~*/.rhosts ~*/.shosts',
  remediation: 'Delete the files.',
  evaluate(ctx) {
    const candidates = ['/etc/hosts.equiv', '/etc/shosts.equiv', ...homes(ctx).flatMap(({ home }) => ['.rhosts', '.shosts'].map((f) => posix.join(home, f)))];
    const bad = candidates.flatMap((p) => {
      const f = ctx.fs.file(p);
      return f && f.size > 0 ? [ev(p, null, `present (${f.size} bytes)`, 'absent')] : [];
    });
    return passUnless(bad, ev(null, null, 'no trust files', 'absent'));
  },
};

/** Files sshd reads root's keys from: AuthorizedKeysFile with %h/%u/%% expanded, relative to home. */
function rootKeyFiles(ctx: RuleContext, rootHome: string): string[] {
  const setting = ctx.facts.sshd ? lookup(ctx.facts.sshd.global, 'authorizedkeysfile') : null;
  const patterns = setting?.args ?? ['.ssh/authorized_keys', '.ssh/authorized_keys2'];
  return patterns
    .filter((p) => p.toLowerCase() !== 'none')
    .map((p) => p.replace(/%(.)/g, (_, c: string) => (c === 'h' ? rootHome : c === 'u' ? 'root' : c === '%' ? '%' : `%${c}`)))
    .map((p) => (p.startsWith('/') ? p : posix.join(rootHome, p)));
}

const sys28: BaselineRule = {
  id: 'SYS-28',
  checkType: 'system',
  title: 'No preset root SSH trust',
  severity: 'high',
  standards: BOTH,
  references: { cn: '8.1.4.2b', hssImage: true },
  description: 'Keys in root\'s authorized_keys baked into an image give their holders root on every container started from it.',
  audit: 'cat /root/.ssh/authorized_keys /root/.ssh/authorized_keys2 (and any AuthorizedKeysFile override).',
  remediation: 'Remove the keys from the image; inject them at runtime if SSH access is really needed.',
  evaluate(ctx) {
    const rootHome = ctx.facts.passwd?.entries.find((p) => p.uid === 0 && p.name === 'root')?.home || '/root';
    const bad: BaselineEvidence[] = [];
    for (const path of rootKeyFiles(ctx, rootHome)) {
      const f = ctx.fs.file(path);
      if (!f) continue;
      const text = ctx.fs.read(path) ?? '';
      const keys = text.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
      if (keys.length > 0 || (f.truncated && f.size > 0)) bad.push(ev(path, null, `${keys.length || 'some'} key line(s)`, 'no keys'));
    }
    return passUnless(bad, ev(null, null, 'no root authorized keys', 'no keys'));
  },
};

const sys29: BaselineRule = {
  id: 'SYS-29',
  checkType: 'system',
  title: 'No .netrc / .forward in home directories',
  severity: 'medium',
  standards: HW_ONLY,
  references: { hw: 'oE 2.1.13-2.1.14', cis: 'C7 6.2.11-6.2.12', ssg: 'no_netrc_files' },
  description: '.netrc holds plain-text credentials for FTP and other clients; .forward can run commands on mail delivery.',
  audit: 'ls -l ~*/.netrc ~*/.forward',
  remediation: 'Delete the files.',
  evaluate(ctx) {
    const bad = homes(ctx).flatMap(({ home }) =>
      ['.netrc', '.forward'].flatMap((name) => {
        const p = posix.join(home, name);
        return ctx.fs.exists(p) ? [ev(p, null, 'present', 'absent')] : [];
      }),
    );
    return passUnless(bad, ev(null, null, 'no .netrc or .forward files', 'absent'));
  },
};

const sys30: BaselineRule = {
  id: 'SYS-30',
  checkType: 'system',
  title: 'Home directories and dot-files not group/world-writable',
  severity: 'low',
  standards: BOTH,
  references: { cis: 'C7 6.2.8-6.2.10', ssg: 'accounts_user_dot_no_world_writable_programs' },
  description:
    'Homes of regular users (UID >= UID_MIN) and /root must be owned by their user with mode 0750 or stricter, and their dot-files must not be group- or world-writable, or other users can plant start-up commands.',
  audit: 'ls -ld /root /home/*; ls -l /home/*/.[!.]*',
  remediation: 'Run `chmod 750 <home>; chmod go-w <home>/.*` and `chown <user> <home>`.',
  evaluate(ctx) {
    const bad: BaselineEvidence[] = [];
    let checked = 0;
    for (const { home, user } of homes(ctx)) {
      if (user && user.uid !== 0 && user.uid < ctx.facts.uidMin) continue;
      const dir = ctx.fs.file(home);
      const uid = user?.uid ?? 0;
      if (dir) {
        checked++;
        if ((dir.mode & 0o027) !== 0) bad.push(ev(home, null, `mode ${fmtMode(dir.mode)}`, 'mode 0750 or stricter'));
        if (dir.uid !== uid) bad.push(ev(home, null, `owner ${userName(ctx, dir.uid)}`, `owner ${userName(ctx, uid)}`));
      }
      for (const p of ctx.fs.list(home)) {
        if (!posix.basename(p).startsWith('.')) continue;
        const f = ctx.fs.file(p);
        if (!f) continue;
        checked++;
        if ((f.mode & 0o022) !== 0) bad.push(ev(`/${p}`, null, `mode ${fmtMode(f.mode)}`, 'no group/other write'));
      }
    }
    return passUnless(bad, ev(null, null, checked > 0 ? `${checked} home entries checked` : 'no home directories recorded', 'mode 0750, dot-files not writable by others'));
  },
};

export const ACCOUNT_RULES: readonly BaselineRule[] = [sys12, sys13, sys14, sys15, sys16, sys17, sys18, sys19, sys20, sys21, sys22, sys23, sys24, sys25, sys26, sys27, sys28, sys29, sys30];
