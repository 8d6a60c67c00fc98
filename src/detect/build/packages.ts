/**
 * Package-manager commands inside RUN text: which manager, which action, which package
 * arguments (flags and their values skipped), and whether a package argument carries a version.
 */
import { commandWords, programOf, type ShellCommand } from './shell.js';

export type Manager = 'apt' | 'apk' | 'yum' | 'zypper' | 'pip' | 'npm' | 'yarn' | 'gem' | 'go';

export interface PackageCommand {
  manager: Manager;
  /** Normalised action: install, update, upgrade, dist-upgrade, remove, clean, other. */
  action: 'install' | 'update' | 'upgrade' | 'dist-upgrade' | 'clean' | 'other';
  /** Words after the action that name packages. */
  packages: string[];
  /** Every option word, for flag checks (`--no-cache`, `--nogpgcheck`). */
  flags: string[];
  command: ShellCommand;
}

const PROGRAMS: Record<string, Manager> = {
  'apt-get': 'apt', apt: 'apt', aptitude: 'apt', apk: 'apk', yum: 'yum', dnf: 'yum', microdnf: 'yum', tdnf: 'yum', zypper: 'zypper',
  pip: 'pip', pip3: 'pip', 'pip2': 'pip', npm: 'npm', yarn: 'yarn', gem: 'gem', go: 'go',
};

/** Options that take a separate value word (so the value is not a package). */
const VALUE_FLAGS: Record<Manager, Set<string>> = {
  apt: new Set(['-o', '-t', '--target-release', '-c', '--config-file']),
  apk: new Set(['-X', '--repository', '-p', '--root', '-t', '--virtual', '--arch', '--keys-dir', '--repositories-file', '--cache-dir']),
  yum: new Set(['--enablerepo', '--disablerepo', '--setopt', '--installroot', '--releasever', '-c', '--config', '--repo', '--repofrompath', '--exclude', '-x', '--nodocs']),
  zypper: new Set(['-r', '--repo', '--from', '-t', '--type']),
  pip: new Set(['-r', '--requirement', '-c', '--constraint', '-i', '--index-url', '--extra-index-url', '--trusted-host', '-t', '--target', '--prefix', '-f', '--find-links', '--root', '--platform', '--python-version', '--cache-dir', '-e', '--editable']),
  npm: new Set(['--prefix', '--registry', '--cache', '-w', '--workspace']),
  yarn: new Set(['--cwd', '--registry', '--cache-folder', '--modules-folder']),
  gem: new Set(['-v', '--version', '-i', '--install-dir', '-s', '--source', '-n', '--bindir']),
  go: new Set(['-o', '-tags', '-ldflags', '-gcflags', '-mod']),
};

const ACTIONS: Record<Manager, Record<string, PackageCommand['action']>> = {
  apt: { install: 'install', update: 'update', upgrade: 'upgrade', 'dist-upgrade': 'dist-upgrade', 'full-upgrade': 'dist-upgrade', clean: 'clean', autoclean: 'clean', 'dist-clean': 'clean', distclean: 'clean' },
  apk: { add: 'install', update: 'update', upgrade: 'upgrade', 'cache': 'clean' },
  yum: { install: 'install', makecache: 'update', update: 'upgrade', upgrade: 'upgrade', 'system-upgrade': 'dist-upgrade', distrosync: 'dist-upgrade', 'distro-sync': 'dist-upgrade', clean: 'clean' },
  zypper: { in: 'install', install: 'install', refresh: 'update', ref: 'update', up: 'upgrade', update: 'upgrade', dup: 'dist-upgrade', 'dist-upgrade': 'dist-upgrade', clean: 'clean', cc: 'clean' },
  pip: { install: 'install' },
  npm: { install: 'install', i: 'install', add: 'install', ci: 'other' },
  yarn: { add: 'install', install: 'install', global: 'other', cache: 'clean' },
  gem: { install: 'install' },
  go: { install: 'install', get: 'install' },
};

export function packageCommand(cmd: ShellCommand): PackageCommand | null {
  let words = commandWords(cmd);
  let prog = programOf(words);
  // `python -m pip install …`
  if (/^python[0-9.]*$/.test(prog) && words[1] === '-m' && /^pip[0-9.]*$/.test(words[2] ?? '')) {
    words = words.slice(2);
    prog = 'pip';
  }
  const manager = PROGRAMS[prog] ?? (/^pip[0-9.]+$/.test(prog) ? 'pip' : undefined);
  if (!manager) return null;
  const flags: string[] = [];
  const rest: string[] = [];
  let action: PackageCommand['action'] | null = null;
  const valueFlags = VALUE_FLAGS[manager];
  for (let i = 1; i < words.length; i++) {
    const w = words[i] as string;
    if (w.startsWith('-')) {
      flags.push(w);
      if (valueFlags.has(w)) flags.push(words[++i] ?? '');
      continue;
    }
    if (action === null) {
      // yarn global add, npm install: the first plain word is the action.
      if (manager === 'yarn' && w === 'global') continue;
      action = ACTIONS[manager][w] ?? 'other';
      continue;
    }
    rest.push(w);
  }
  return { manager, action: action ?? 'other', packages: rest, flags, command: cmd };
}

/** Local files, URLs, variables and paths are not registry packages. */
function isRegistryPackage(arg: string): boolean {
  return !(/^[./~$]/.test(arg) || /:\/\//.test(arg) || /\.(?:deb|rpm|apk|whl|tar\.gz|tgz|zip|gem)$/.test(arg) || arg === '' || arg.includes('$'));
}

/** Whether a package argument pins a version, per manager syntax. */
export function isPinned(manager: Manager, arg: string): boolean {
  switch (manager) {
    case 'apt':
    case 'zypper':
      return /[=<>]/.test(arg);
    case 'apk':
      return /[=~<>]/.test(arg);
    case 'yum':
      return /-\d/.test(arg) || /[=<>]/.test(arg);
    case 'pip':
      return /(?:===?|~=|>=|<=|<|>|!=|@)/.test(arg);
    case 'npm':
    case 'yarn':
      return /.@/.test(arg); // `pkg@1.2`, `@scope/pkg@1.2` (a leading @ is the scope)
    case 'gem':
      return arg.includes(':');
    case 'go':
      return arg.includes('@') && !arg.endsWith('@latest');
  }
}

/** Registry packages named by an install command. */
export function installedPackages(pc: PackageCommand): string[] {
  if (pc.action !== 'install') return [];
  return pc.packages.filter(isRegistryPackage);
}

/** Package arguments without a version (for BCR-022); `gem install x -v 1` counts as pinned. */
export function unpinnedPackages(pc: PackageCommand): string[] {
  if (pc.manager === 'gem' && pc.flags.some((f) => f === '-v' || f === '--version')) return [];
  if (pc.manager === 'npm' && !pc.flags.some((f) => f === '-g' || f === '--global') && pc.packages.length === 0) return []; // lock file install
  return installedPackages(pc).filter((p) => !isPinned(pc.manager, p));
}

/** Bare package name (`curl=7.1-1` → `curl`, `nmap-ncat-7.50` stays). */
export function packageName(manager: Manager, arg: string): string {
  const cut = manager === 'apk' ? /[=~<>]/ : manager === 'pip' ? /[=<>~!@[]/ : manager === 'npm' || manager === 'yarn' ? /(?!^)@/ : /[=<>:]/;
  const m = cut.exec(arg);
  return (m ? arg.slice(0, m.index) : arg).toLowerCase();
}
