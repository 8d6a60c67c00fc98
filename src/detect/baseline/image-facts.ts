/**
 * Facts about one image that many baseline rules share, computed once per image (not per rule or
 * standard): the account databases, login.defs, installed package names, the effective sshd
 * configuration, and the reference date for "in the future" checks.
 */
import type { Inventory } from '../../analysis/inventory.js';
import type { MergedFilesystem } from '../../analysis/merged-fs.js';
import { globFiles } from './fs-glob.js';
import {
  type GroupEntry,
  type GshadowEntry,
  type ParsedDb,
  type PasswdEntry,
  type Setting,
  type ShadowEntry,
  parseGroup,
  parseGshadow,
  parseLoginDefs,
  parsePasswd,
  parseShadow,
} from './parse/accounts.js';
import { parseCryptoPolicyCmdline, parseSshdConfig, type SshdConfig, type SshdDirective } from './parse/sshd.js';
import type { DistroProfile } from './profile.js';

export const SSHD_CONFIG = '/etc/ssh/sshd_config';
const CRYPTO_POLICY_SSHD = '/etc/crypto-policies/back-ends/opensshserver.config';
const SYSCONFIG_SSHD = '/etc/sysconfig/sshd';
const DAY_MS = 86_400_000;

export interface ImageFacts {
  passwd: ParsedDb<PasswdEntry> | null;
  group: ParsedDb<GroupEntry> | null;
  shadow: ParsedDb<ShadowEntry> | null;
  gshadow: ParsedDb<GshadowEntry> | null;
  loginDefs: Map<string, Setting>;
  /** Lower bound of regular-user UIDs (login.defs UID_MIN, 1000 when unset). */
  uidMin: number;
  /** Names of installed OS packages (deb and rpm). */
  packages: Set<string>;
  /** Effective sshd configuration, or null when no sshd_config exists (openssh-server absent). */
  sshd: SshdConfig | null;
  /** Days since 1970-01-01 of the image's creation, else of the scan. */
  today: number;
  userById: Map<number, PasswdEntry>;
  groupById: Map<number, GroupEntry>;
  groupByName: Map<string, GroupEntry>;
}

function parsed<T>(fs: MergedFilesystem, path: string, parse: (text: string) => T): T | null {
  const text = fs.read(path);
  return text === undefined ? null : parse(text);
}

/** RHEL 8 hands sshd the crypto policy as `-o` options unless /etc/sysconfig/sshd overrides CRYPTO_POLICY. */
function cryptoPolicyOptions(fs: MergedFilesystem, profile: DistroProfile): SshdDirective[] {
  if (profile.ssh.cryptoPolicy !== 'cmdline') return [];
  const override = fs.read(SYSCONFIG_SSHD);
  if (override !== undefined && /^\s*CRYPTO_POLICY=/m.test(override)) return [];
  const text = fs.read(CRYPTO_POLICY_SSHD);
  return text === undefined ? [] : parseCryptoPolicyCmdline(text, CRYPTO_POLICY_SSHD);
}

export function sshdConfigOf(fs: MergedFilesystem, inventory: Pick<Inventory, 'files' | 'symlinks'>, profile: DistroProfile): SshdConfig | null {
  const [major, minor] = profile.ssh.version;
  return parseSshdConfig(
    SSHD_CONFIG,
    { read: (p) => fs.read(p), glob: (p) => globFiles(fs, inventory, p) },
    { includeSupported: major > 8 || (major === 8 && minor >= 2), commandLine: cryptoPolicyOptions(fs, profile) },
  );
}

export function imageFacts(inventory: Inventory, fs: MergedFilesystem, profile: DistroProfile, now: Date = new Date()): ImageFacts {
  const passwd = parsed(fs, '/etc/passwd', parsePasswd);
  const group = parsed(fs, '/etc/group', parseGroup);
  const loginDefs = parsed(fs, '/etc/login.defs', parseLoginDefs) ?? new Map<string, Setting>();
  const uidMinRaw = Number(loginDefs.get('UID_MIN')?.value);
  const created = inventory.config.created ? Date.parse(inventory.config.created) : NaN;
  const userById = new Map<number, PasswdEntry>();
  for (const u of passwd?.entries ?? []) if (!userById.has(u.uid)) userById.set(u.uid, u);
  const groupById = new Map<number, GroupEntry>();
  const groupByName = new Map<string, GroupEntry>();
  for (const g of group?.entries ?? []) {
    if (!groupById.has(g.gid)) groupById.set(g.gid, g);
    if (!groupByName.has(g.name)) groupByName.set(g.name, g);
  }
  return {
    passwd,
    group,
    shadow: parsed(fs, '/etc/shadow', parseShadow),
    gshadow: parsed(fs, '/etc/gshadow', parseGshadow),
    loginDefs,
    uidMin: Number.isInteger(uidMinRaw) && uidMinRaw > 0 ? uidMinRaw : 1000,
    packages: new Set(inventory.packages.filter((p) => p.type === 'deb' || p.type === 'rpm').map((p) => p.name)),
    sshd: sshdConfigOf(fs, inventory, profile),
    today: Math.floor((Number.isNaN(created) ? now.getTime() : created) / DAY_MS),
    userById,
    groupById,
    groupByName,
  };
}
