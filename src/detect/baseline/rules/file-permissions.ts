/**
 * SYS-31..SYS-38: ownership and modes of the account databases and of every file the image
 * records (tar header of the topmost layer that wrote it; names resolved with the image's own
 * /etc/passwd and /etc/group).
 */
import { posix } from 'node:path';
import type { BaselineEvidence, BaselineRule, RuleContext, Verdict } from '../types.js';
import { BOTH, HW_ONLY, abs, ev, failed, fmtMode, modeExceeds, ownerText, passed, passUnless } from './helpers.js';

interface Expectation {
  maxMode: number;
  uid: number;
  /** Accepted group ids (resolved from names). */
  gids: number[];
  describe: string;
}

function gidsOf(ctx: RuleContext, names: string[], fallback: number[]): number[] {
  const ids = names.map((n) => ctx.facts.groupByName.get(n)?.gid).filter((g): g is number => g !== undefined);
  return [...new Set([...ids, ...fallback])];
}

function checkFiles(ctx: RuleContext, paths: string[], want: (path: string) => Expectation): Verdict {
  const bad: BaselineEvidence[] = [];
  const good: BaselineEvidence[] = [];
  for (const path of paths) {
    const f = ctx.fs.file(path);
    if (!f) continue;
    const w = want(path);
    const ok = !modeExceeds(f.mode, w.maxMode) && f.uid === w.uid && w.gids.includes(f.gid);
    (ok ? good : bad).push(ev(path, null, ownerText(ctx, f), w.describe));
  }
  if (bad.length > 0) return failed(bad);
  return good.length > 0 ? passed(...good) : passed(ev(paths[0] ?? null, null, 'file absent', 'nothing to protect'));
}

function dbRule(id: string, title: string, severity: BaselineRule['severity'], base: string, refs: BaselineRule['references'], secret: boolean): BaselineRule {
  return {
    id,
    checkType: 'system',
    title,
    severity,
    standards: BOTH,
    references: refs,
    description: secret
      ? `${base} holds password hashes: RHEL family 0000 root:root (cn accepts up to 0400), Debian/Ubuntu 0640 or stricter, owner root, group root or shadow. Applies to the backup ${base}- too.`
      : `${base} must be 0644 or stricter (no write for group/other, no execute), owned by root:root; the same for the backup ${base}-.`,
    audit: `stat -c '%a %U:%G' ${base} ${base}-`,
    remediation: secret ? `RHEL: \`chown root:root ${base}; chmod 000 ${base}\`. Debian/Ubuntu: \`chown root:shadow ${base}; chmod 640 ${base}\`.` : `\`chown root:root ${base}; chmod 644 ${base}\``,
    evaluate(ctx) {
      const paths = [base, `${base}-`];
      if (!secret) return checkFiles(ctx, paths, () => ({ maxMode: 0o644, uid: 0, gids: [0], describe: '0644 root:root or stricter' }));
      const rhel = ctx.profile.family === 'rhel';
      const max = rhel ? ctx.thresholds.rhelShadowMaxMode : 0o640;
      const gids = rhel ? [0] : gidsOf(ctx, ['shadow'], [0, 42]);
      return checkFiles(ctx, paths, () => ({ maxMode: max, uid: 0, gids, describe: `${fmtMode(max)} root:${rhel ? 'root' : 'shadow'} or stricter` }));
    },
  };
}

const sys31 = dbRule('SYS-31', '/etc/passwd and /etc/passwd- permissions', 'high', '/etc/passwd', { cn: '8.1.4.2d', hw: 'oE 2.1.5', cis: 'C7/U16 6.1.2, 6.1.6', ssg: 'file_permissions_etc_passwd' }, false);
const sys32 = dbRule('SYS-32', '/etc/shadow and /etc/shadow- permissions', 'high', '/etc/shadow', { cn: '8.1.4.2d', hw: 'oE 2.1.5', cis: 'C7/U16 6.1.3, 6.1.7', ssg: 'file_permissions_etc_shadow' }, true);
const sys33 = dbRule('SYS-33', '/etc/group and /etc/group- permissions', 'medium', '/etc/group', { cn: '8.1.4.2d', hw: 'oE 2.1.5', cis: '6.1.4, 6.1.8', ssg: 'file_permissions_etc_group' }, false);
const sys34 = dbRule('SYS-34', '/etc/gshadow and /etc/gshadow- permissions', 'medium', '/etc/gshadow', { cn: '8.1.4.2d', hw: 'oE 2.1.5', cis: '6.1.5, 6.1.9', ssg: 'file_permissions_etc_gshadow' }, true);

/** Pseudo-filesystems a runtime mounts over the image. */
const RUNTIME_MOUNTS = /^(?:proc|sys|dev)(?:\/|$)/;

const sys35: BaselineRule = {
  id: 'SYS-35',
  checkType: 'system',
  title: 'No world-writable files',
  severity: 'medium',
  standards: BOTH,
  references: { cn: '8.1.4.2d', hw: 'oE 1.1.6', cis: 'C7/U16 6.1.10', ssg: 'file_permissions_unauthorized_world_writable' },
  description: 'Regular files writable by everyone (outside /proc, /sys, /dev) let any process alter programs or data; usually from `chmod -R 777` in a Dockerfile.',
  audit: 'find / -xdev -type f -perm -0002',
  remediation: 'Run `chmod o-w <file>` (in the Dockerfile, after the step that created it).',
  evaluate(ctx) {
    const bad = ctx.inventory.specialModes
      .filter((s) => s.type === 'file' && (s.mode & 0o002) !== 0 && !RUNTIME_MOUNTS.test(s.path))
      .map((s) => ev(abs(s.path), null, `mode ${fmtMode(s.mode)}`, 'no write for others'));
    return passUnless(bad, ev(null, null, 'no world-writable files', 'no write for others'));
  },
};

const sys36: BaselineRule = {
  id: 'SYS-36',
  checkType: 'system',
  title: 'Sticky bit on world-writable directories',
  severity: 'medium',
  standards: HW_ONLY,
  references: { hw: 'oE 1.1.4', cis: 'C7 1.1.21', ssg: 'dir_perms_world_writable_sticky_bits' },
  description: 'In a world-writable directory without the sticky bit any user can delete or replace other users\' files (e.g. /tmp must be 1777).',
  audit: 'find / -xdev -type d -perm -0002 ! -perm -1000',
  remediation: 'Run `chmod +t <dir>`.',
  evaluate(ctx) {
    const bad = ctx.inventory.specialModes
      .filter((s) => s.type === 'dir' && (s.mode & 0o002) !== 0 && (s.mode & 0o1000) === 0 && !RUNTIME_MOUNTS.test(s.path))
      .map((s) => ev(abs(s.path), null, `mode ${fmtMode(s.mode)}`, `mode ${fmtMode(s.mode | 0o1000)}`));
    return passUnless(bad, ev(null, null, 'world-writable directories carry the sticky bit', 'sticky bit set'));
  },
};

/** setuid/setgid programs distributions ship on purpose. */
export const SUID_ALLOWLIST = new Set([
  'passwd', 'chsh', 'chfn', 'gpasswd', 'newgrp', 'su', 'mount', 'umount', 'chage', 'expiry', 'unix_chkpwd', 'pam_timestamp_check', 'sudo', 'sudoedit',
  'pkexec', 'ping', 'ping6', 'crontab', 'at', 'wall', 'write', 'ssh-agent', 'ssh-keysign', 'dbus-daemon-launch-helper', 'newuidmap', 'newgidmap', 'userhelper', 'usernetctl',
  'polkit-agent-helper-1', 'fusermount', 'fusermount3', 'bsd-write', 'utempter', 'mount.nfs', 'staprun', 'Xorg.wrap',
]);

const sys37: BaselineRule = {
  id: 'SYS-37',
  checkType: 'system',
  title: 'Unexpected SUID/SGID files',
  severity: 'medium',
  standards: BOTH,
  references: { cn: '8.1.4.2d', hw: 'oE 1.1.13', cis: 'C7 6.1.13-6.1.14' },
  description: 'setuid/setgid programs run with their owner\'s rights; only the distribution\'s known helpers (passwd, su, mount, …) are expected. Package ownership of the file is not verified (file lists are not kept).',
  audit: 'find / -xdev -type f -perm /6000',
  remediation: 'Run `chmod u-s,g-s <file>` or remove the package that installs it.',
  evaluate(ctx) {
    const all = ctx.inventory.specialModes.filter((s) => s.type === 'file' && (s.mode & 0o6000) !== 0);
    const bad = all.filter((s) => !SUID_ALLOWLIST.has(posix.basename(s.path))).map((s) => ev(abs(s.path), null, `mode ${fmtMode(s.mode)} owner ${s.uid}`, 'no setuid/setgid bit'));
    return passUnless(bad, ev(null, null, all.length > 0 ? `${all.length} known setuid/setgid helpers` : 'no setuid/setgid files', 'allowlisted helpers only'));
  },
};

const sys38: BaselineRule = {
  id: 'SYS-38',
  checkType: 'system',
  title: 'No unowned files',
  severity: 'low',
  standards: HW_ONLY,
  references: { hw: 'oE 1.1.1', cis: 'C7/U16 6.1.11-6.1.12', ssg: 'no_files_unowned_by_user' },
  description:
    'Files whose uid/gid has no account or group (typically `COPY` from a CI workspace without --chown) become the property of whoever is created later with that id. Checked over the files the scanner records: configuration files and one sample path per distinct owner in each layer.',
  audit: 'find / -xdev \\( -nouser -o -nogroup \\)',
  remediation: 'Use `COPY --chown=<user>:<group>` or `chown` the files to an existing account.',
  evaluate(ctx) {
    if (!ctx.facts.passwd) return passed(ev(null, null, 'no /etc/passwd: ownership cannot be resolved', 'owners resolve'));
    const bad: BaselineEvidence[] = [];
    for (const [path, f] of Object.entries(ctx.inventory.files)) {
      const noUser = !ctx.facts.userById.has(f.uid);
      const noGroup = !ctx.facts.groupById.has(f.gid);
      if (noUser || noGroup) bad.push(ev(abs(path), null, `owner ${f.uid}:${f.gid}${noUser ? ' (no such user)' : ''}${noGroup ? ' (no such group)' : ''}`, 'an existing user and group'));
    }
    return passUnless(bad, ev(null, null, 'every recorded owner resolves', 'an existing user and group'));
  },
};

export const FILE_PERMISSION_RULES: readonly BaselineRule[] = [sys31, sys32, sys33, sys34, sys35, sys36, sys37, sys38];
