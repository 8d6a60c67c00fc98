/**
 * Which rule pack applies to an image, and the per-distribution facts rules depend on: HSS check
 * name, file layout, PAM stacks, and the OpenSSH build's compiled defaults.
 */
import type { OsInfo } from '../../analysis/types.js';
import type { InventoryPackage } from '../../analysis/inventory.js';

export type DistroFamily = 'rhel' | 'debian';

/** How the system-wide crypto policy reaches sshd on RHEL 8+ images. */
export type CryptoPolicyMode =
  /** Not used (upstream-style OpenSSH). */
  | 'none'
  /** RHEL 8: policy passed as `-o` options on sshd's command line, overriding sshd_config. */
  | 'cmdline'
  /** RHEL 9: policy file pulled in with `Include` from sshd_config.d (normal first-match rules). */
  | 'include';

export interface SshBuild {
  /** OpenSSH major.minor, from the image's package database or the release's stock version. */
  version: readonly [number, number];
  /** RHEL 7 builds keep the pre-7.0 default `PermitRootLogin yes`. */
  permitRootLoginDefault: 'yes' | 'prohibit-password';
  /** RHEL 7 builds add CBC ciphers to the compiled default list. */
  rhel7CipherDefaults: boolean;
  cryptoPolicy: CryptoPolicyMode;
}

export interface DistroProfile {
  /** HSS `check_name` (e.g. `CentOS 7`, `Debian 10`, `EulerOS`, `Ubuntu16`). */
  checkName: string;
  family: DistroFamily;
  /** os-release ID. */
  distro: string;
  major: number;
  /** EulerOS SP9+ and openEuler share openEuler's layout (faillock.conf, OpenSSH 8.x). */
  openEulerBased: boolean;
  /** Words that reveal the OS in a login banner. */
  osWords: string[];
  pam: {
    /** Files whose `password` stack sets quality, history and hashing. */
    passwordStacks: string[];
    /** Services whose `auth` stack must lock out after failures (login, sshd). */
    lockoutServices: string[];
    /** Stack files that must not carry `nullok`. */
    nullokStacks: string[];
  };
  bashrc: string;
  /**
   * Linux-PAM >= 1.4 makes pam_unix hash with login.defs ENCRYPT_METHOD when no hash option is
   * given; older releases fall back to DES crypt.
   */
  pamUnixReadsLoginDefs: boolean;
  /** The group allowed to read /etc/shadow on Debian-family images. */
  shadowGroup: string | null;
  ssh: SshBuild;
}

interface Release {
  checkName: string;
  family: DistroFamily;
  major: number;
  openEulerBased: boolean;
  stockSsh: readonly [number, number];
}

function parseMajor(version: string): number {
  const m = /^(\d+)/.exec(version.trim());
  return m ? Number(m[1]) : NaN;
}

/** Stock OpenSSH per release, used when the package database does not say. */
function stockOpenSsh(distro: string, major: number): readonly [number, number] {
  switch (distro) {
    case 'debian':
      return major <= 10 ? [7, 9] : major === 11 ? [8, 4] : major === 12 ? [9, 2] : [10, 0];
    case 'ubuntu':
      return major <= 16 ? [7, 2] : major === 18 ? [7, 6] : major === 20 ? [8, 2] : major === 22 ? [8, 9] : [9, 6];
    case 'openeuler':
      return major <= 20 ? [8, 2] : major === 22 ? [8, 8] : [9, 6];
    default: // RHEL family by major
      if (major <= 7) return [7, 4];
      if (major === 8) return [8, 0];
      return [8, 7];
  }
}

function releaseOf(os: OsInfo): Release | null {
  const distro = os.family.toLowerCase();
  const major = parseMajor(os.version);
  if (Number.isNaN(major)) return null;
  const rhel = (checkName: string, min: number): Release | null =>
    major >= min ? { checkName, family: 'rhel', major, openEulerBased: false, stockSsh: stockOpenSsh(distro, major) } : null;
  switch (distro) {
    case 'centos':
      return rhel(/stream/i.test(os.name) ? `CentOS Stream ${major}` : `CentOS ${major}`, 7);
    case 'rhel':
      return rhel(`Red Hat ${major}`, 7);
    case 'rocky':
      return rhel(`Rocky ${major}`, 8);
    case 'almalinux':
      return rhel(`AlmaLinux ${major}`, 8);
    case 'euleros': {
      // `2.0 (SP8)`: service packs up to 8 are RHEL 7 based, SP9 onwards openEuler based.
      const sp = Number(/SP(\d+)/i.exec(`${os.version} ${os.name}`)?.[1] ?? 0);
      const oe = sp >= 9;
      return { checkName: 'EulerOS', family: 'rhel', major, openEulerBased: oe, stockSsh: oe ? [8, 2] : [7, 4] };
    }
    case 'openeuler':
      return { checkName: 'openEuler', family: 'rhel', major, openEulerBased: true, stockSsh: stockOpenSsh(distro, major) };
    case 'hce':
      // Huawei Cloud EulerOS 2.x is built from openEuler 22.03.
      return { checkName: `HCE ${major}`, family: 'rhel', major, openEulerBased: true, stockSsh: major >= 2 ? [8, 8] : [7, 4] };
    case 'debian':
      return major >= 10 ? { checkName: `Debian ${major}`, family: 'debian', major, openEulerBased: false, stockSsh: stockOpenSsh(distro, major) } : null;
    case 'ubuntu':
      return major >= 16 ? { checkName: `Ubuntu${major}`, family: 'debian', major, openEulerBased: false, stockSsh: stockOpenSsh(distro, major) } : null;
    default:
      return null;
  }
}

/** OpenSSH major.minor from an installed openssh-server package (`1:7.9p1-10`, `7.4p1`). */
function packagedOpenSsh(packages: readonly InventoryPackage[]): readonly [number, number] | null {
  const pkg = packages.find((p) => (p.type === 'deb' || p.type === 'rpm') && p.name === 'openssh-server');
  const m = pkg ? /^(?:\d+:)?(\d+)\.(\d+)/.exec(pkg.version) : null;
  return m ? [Number(m[1]), Number(m[2])] : null;
}

/** The profile for an image, or null when no rule pack covers its OS. */
export function profileFor(os: OsInfo | null, packages: readonly InventoryPackage[] = []): DistroProfile | null {
  if (!os) return null;
  const rel = releaseOf(os);
  if (!rel) return null;
  const rhel7Like = rel.family === 'rhel' && !rel.openEulerBased && rel.major <= 7;
  const isRhelPolicy = rel.family === 'rhel' && !rel.openEulerBased && rel.major >= 8;
  const pamUnixReadsLoginDefs =
    rel.family === 'rhel' ? rel.openEulerBased || rel.major >= 9 : os.family === 'ubuntu' ? rel.major >= 22 : rel.major >= 11;
  const ssh: SshBuild = {
    version: packagedOpenSsh(packages) ?? rel.stockSsh,
    permitRootLoginDefault: rhel7Like ? 'yes' : 'prohibit-password',
    rhel7CipherDefaults: rhel7Like,
    cryptoPolicy: isRhelPolicy ? (rel.major === 8 ? 'cmdline' : 'include') : 'none',
  };
  const osWords = [os.family, ...os.name.split(/\s+/)]
    .map((w) => w.toLowerCase())
    .filter((w) => w.length >= 4 && !['linux', 'gnu/linux', 'server', 'release'].includes(w));
  if (rel.family === 'rhel') {
    return {
      checkName: rel.checkName,
      family: 'rhel',
      distro: os.family,
      major: rel.major,
      openEulerBased: rel.openEulerBased,
      osWords: [...new Set(osWords)],
      pam: {
        passwordStacks: ['/etc/pam.d/system-auth', '/etc/pam.d/password-auth'],
        lockoutServices: ['/etc/pam.d/login', '/etc/pam.d/sshd'],
        nullokStacks: ['/etc/pam.d/system-auth', '/etc/pam.d/password-auth'],
      },
      bashrc: '/etc/bashrc',
      pamUnixReadsLoginDefs,
      shadowGroup: null,
      ssh,
    };
  }
  return {
    checkName: rel.checkName,
    family: 'debian',
    distro: os.family,
    major: rel.major,
    openEulerBased: false,
    osWords: [...new Set(osWords)],
    pam: {
      passwordStacks: ['/etc/pam.d/common-password'],
      lockoutServices: ['/etc/pam.d/login', '/etc/pam.d/sshd'],
      nullokStacks: ['/etc/pam.d/common-auth', '/etc/pam.d/common-password'],
    },
    bashrc: '/etc/bash.bashrc',
    pamUnixReadsLoginDefs,
    shadowGroup: 'shadow',
    ssh,
  };
}
