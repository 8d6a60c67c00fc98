/**
 * The files the baseline rule packs read. The config-file collector keeps exactly these (plus the
 * build-risk rules' files), so this list is part of the collector's cache key: editing it
 * re-analyses layers.
 */
import type { PathPattern } from './path-patterns.js';

/** Private keys and credentials are kept as metadata only: their mode/owner matter, never their bytes. */
const SSH_KEY_BASENAME = /(?:^|_)key$|^id_[a-z0-9]+$|\.pem$/;

export const BASELINE_PATTERNS: readonly PathPattern[] = [
  // accounts and password policy
  ...['passwd', 'passwd-', 'shadow', 'shadow-', 'group', 'group-', 'gshadow', 'gshadow-', 'login.defs'].map(
    (f): PathPattern => ({ glob: `etc/${f}`, keep: 'content' }),
  ),
  { glob: 'etc/pam.d/*', keep: 'content' },
  // RHEL 8+ authselect: /etc/pam.d/system-auth is a symlink into this directory
  { glob: 'etc/authselect/*', keep: 'content' },
  { glob: 'etc/security/pwquality.conf', keep: 'content' },
  { glob: 'etc/security/pwquality.conf.d/*', keep: 'content' },
  { glob: 'etc/security/faillock.conf', keep: 'content' },
  { glob: 'etc/security/pwhistory.conf', keep: 'content' },
  { glob: 'etc/security/limits.conf', keep: 'content' },
  { glob: 'etc/security/limits.d/*', keep: 'content' },
  // kernel parameters (every directory systemd-sysctl and procps read)
  { glob: 'etc/sysctl.conf', keep: 'content' },
  ...['etc', 'run', 'usr/local/lib', 'usr/lib', 'lib'].map((d): PathPattern => ({ glob: `${d}/sysctl.d/*`, keep: 'content' })),
  // shell start-up files
  { glob: 'etc/profile', keep: 'content' },
  { glob: 'etc/profile.d/*', keep: 'content' },
  { glob: 'etc/bashrc', keep: 'content' },
  { glob: 'etc/bash.bashrc', keep: 'content' },
  // banners
  { glob: 'etc/issue', keep: 'content' },
  { glob: 'etc/issue.net', keep: 'content' },
  { glob: 'etc/motd', keep: 'content' },
  { glob: 'etc/banner*', keep: 'content' },
  // OpenSSH server: main file, Include targets below /etc/ssh, crypto policies (RHEL 8/9)
  { glob: 'etc/ssh/**', keep: 'content' },
  { glob: 'etc/sysconfig/sshd', keep: 'content' },
  { glob: 'etc/crypto-policies/config', keep: 'content' },
  { glob: 'etc/crypto-policies/back-ends/*', keep: 'content' },
  { glob: 'usr/share/crypto-policies/*/opensshserver.txt', keep: 'content' },
  { glob: 'root/.ssh/authorized_keys', keep: 'content' },
  { glob: 'root/.ssh/authorized_keys2', keep: 'content' },
  // logging and audit
  { glob: 'etc/rsyslog.conf', keep: 'content' },
  { glob: 'etc/rsyslog.d/*', keep: 'content' },
  { glob: 'etc/audit/auditd.conf', keep: 'content' },
  { glob: 'etc/audit/audit.rules', keep: 'content' },
  { glob: 'etc/audit/rules.d/*', keep: 'content' },
  // scheduled jobs
  { glob: 'etc/crontab', keep: 'content' },
  ...['cron.allow', 'cron.deny', 'at.allow', 'at.deny'].map((f): PathPattern => ({ glob: `etc/${f}`, keep: 'meta' })),
  ...['cron.d', 'cron.hourly', 'cron.daily', 'cron.weekly', 'cron.monthly'].map(
    (d): PathPattern => ({ glob: `etc/${d}/*`, keep: 'meta' }),
  ),
  // trust and credential files in home directories: existence and size decide
  { glob: 'etc/hosts.equiv', keep: 'meta' },
  { glob: 'etc/shosts.equiv', keep: 'meta' },
  ...['.rhosts', '.shosts', '.netrc', '.forward'].map((f): PathPattern => ({ glob: `**/${f}`, keep: 'meta' })),
  // dot-files of home directories (ownership/permission checks)
  { glob: 'home/*/.*', keep: 'meta' },
  { glob: 'root/.*', keep: 'meta' },
];

/**
 * Directories whose own mode and owner rules read (home directories, cron directories). The layer
 * walker offers only regular files to file analyzers, so these come from the collector's entry
 * analyzer; they appear in the inventory as content-less entries at the directory path.
 */
export const BASELINE_DIRS: readonly string[] = ['root', 'home/*', 'etc/cron.d', 'etc/cron.hourly', 'etc/cron.daily', 'etc/cron.weekly', 'etc/cron.monthly'];

/** True when a path under a content pattern must still be kept as metadata only. */
export function isSecretMaterial(path: string): boolean {
  if (!path.startsWith('etc/ssh/') && !path.startsWith('etc/ssl/private/')) return false;
  const base = path.slice(path.lastIndexOf('/') + 1);
  return path.startsWith('etc/ssl/private/') || SSH_KEY_BASENAME.test(base);
}
