/**
 * Per-standard thresholds. Exact HSS values are not public: cn_standard follows MLPS (GB/T
 * 22239-2019) evaluator practice, hw_standard the openEuler security configuration benchmark.
 * A `null` threshold means the standard does not evaluate that aspect.
 */
import type { Standard } from './types.js';

export interface Thresholds {
  passMaxDays: number;
  passMinDays: number | null;
  passWarnAge: number;
  passMinLen: number | null;
  pwMinLen: number;
  /** Character classes a password must mix. */
  pwMinClasses: number;
  /** Highest `retry` accepted on the quality module (null = not checked). */
  pwMaxRetry: number | null;
  pwRemember: number;
  /** pam_unix hashing keywords accepted. */
  pamHashes: readonly string[];
  /** `ENCRYPT_METHOD` values accepted in login.defs. */
  encryptMethods: readonly string[];
  /** shadow hash prefixes accepted (SYS-19). */
  shadowHashPrefixes: readonly string[];
  lockoutMaxDeny: number;
  lockoutMinUnlockSeconds: number;
  /** Bits the umask must at least clear (027 → group write, other rwx). */
  umaskBits: number;
  tmoutMax: number;
  /** Mode accepted for /etc/shadow and /etc/gshadow on RHEL-family images. */
  rhelShadowMaxMode: number;
  /** Whether an absent logging/audit capability fails (true) or makes the check not applicable. */
  requireAuditCapability: boolean;
  /** auditd: log rotation must keep at least this many files (null = any keep/rotate is fine). */
  auditMinNumLogs: number | null;
  rpFilterValues: readonly number[];
  legacyPackages: readonly string[];
  sshMaxAuthTries: number;
  sshLogLevels: readonly string[];
  sshClientAliveMax: number;
  sshClientAliveCountMax: number;
  sshLoginGraceMax: number;
  /** Cipher list must be written out in the configuration. */
  sshRequireExplicitCiphers: boolean;
  /** hmac-sha1 counts as weak. */
  sshStrictMacs: boolean;
  /** When set, only these key-exchange algorithms are accepted. */
  sshKexAllowlist: readonly string[] | null;
}

const LEGACY_SERVICES = [
  'telnet-server',
  'telnetd',
  'inetutils-telnetd',
  'rsh-server',
  'rsh',
  'rsh-client',
  'rsh-redone-server',
  'talk-server',
  'talkd',
  'tftp-server',
  'tftpd',
  'tftpd-hpa',
  'ypserv',
  'ypbind',
  'nis',
  'xinetd',
  'vsftpd',
  'net-snmp',
  'snmpd',
];

/** openEuler benchmark 1.2.x adds these to the "do not install" list. */
const OPENEULER_EXTRA = ['ftp', 'tftp', 'telnet', 'rsync', 'avahi', 'avahi-daemon', 'openldap-servers', 'slapd', 'cups', 'httpd', 'apache2', 'samba'];

export const THRESHOLDS: Record<Standard, Thresholds> = {
  cn_standard: {
    passMaxDays: 90,
    passMinDays: 1,
    passWarnAge: 7,
    passMinLen: 8,
    pwMinLen: 8,
    pwMinClasses: 3,
    pwMaxRetry: null,
    pwRemember: 5,
    pamHashes: ['sha512', 'yescrypt', 'blowfish', 'sha256'],
    encryptMethods: ['SHA512', 'YESCRYPT'],
    shadowHashPrefixes: ['$6$', '$y$', '$gy$', '$7$', '$2b$', '$2y$', '$5$'],
    lockoutMaxDeny: 5,
    lockoutMinUnlockSeconds: 300,
    umaskBits: 0o027,
    tmoutMax: 600,
    rhelShadowMaxMode: 0o400,
    requireAuditCapability: true,
    auditMinNumLogs: null,
    rpFilterValues: [1],
    legacyPackages: LEGACY_SERVICES,
    sshMaxAuthTries: 5,
    sshLogLevels: ['INFO', 'VERBOSE'],
    sshClientAliveMax: 600,
    sshClientAliveCountMax: 3,
    sshLoginGraceMax: 60,
    sshRequireExplicitCiphers: false,
    sshStrictMacs: false,
    sshKexAllowlist: null,
  },
  hw_standard: {
    passMaxDays: 90,
    passMinDays: null,
    passWarnAge: 7,
    passMinLen: null,
    pwMinLen: 8,
    pwMinClasses: 3,
    pwMaxRetry: 3,
    pwRemember: 5,
    pamHashes: ['sha512', 'yescrypt'],
    encryptMethods: ['SHA512', 'YESCRYPT'],
    shadowHashPrefixes: ['$6$', '$y$', '$gy$', '$7$', '$2b$', '$2y$'],
    lockoutMaxDeny: 3,
    lockoutMinUnlockSeconds: 300,
    umaskBits: 0o077,
    tmoutMax: 300,
    rhelShadowMaxMode: 0o000,
    requireAuditCapability: false,
    auditMinNumLogs: 5,
    rpFilterValues: [1, 2],
    legacyPackages: [...LEGACY_SERVICES, ...OPENEULER_EXTRA],
    sshMaxAuthTries: 3,
    sshLogLevels: ['VERBOSE'],
    sshClientAliveMax: 300,
    sshClientAliveCountMax: 3,
    sshLoginGraceMax: 60,
    sshRequireExplicitCiphers: true,
    sshStrictMacs: true,
    sshKexAllowlist: ['curve25519-sha256', 'curve25519-sha256@libssh.org', 'diffie-hellman-group-exchange-sha256'],
  },
};
