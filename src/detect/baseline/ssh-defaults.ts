/**
 * What sshd uses for a keyword the configuration does not set: upstream compiled defaults,
 * adjusted for the distribution's build (RHEL 7 keeps `PermitRootLogin yes` and CBC ciphers) and
 * for the OpenSSH release (group14-sha1 left the server key-exchange default in 8.2).
 */
import type { SshBuild } from './profile.js';

const UPSTREAM_CIPHERS = [
  'chacha20-poly1305@openssh.com',
  'aes128-ctr',
  'aes192-ctr',
  'aes256-ctr',
  'aes128-gcm@openssh.com',
  'aes256-gcm@openssh.com',
];
/** RHEL 7's OpenSSH 7.4 build appends the CBC family to the server default. */
const RHEL7_EXTRA_CIPHERS = ['aes128-cbc', 'aes192-cbc', 'aes256-cbc', 'blowfish-cbc', 'cast128-cbc', '3des-cbc'];

const UPSTREAM_MACS = [
  'umac-64-etm@openssh.com',
  'umac-128-etm@openssh.com',
  'hmac-sha2-256-etm@openssh.com',
  'hmac-sha2-512-etm@openssh.com',
  'hmac-sha1-etm@openssh.com',
  'umac-64@openssh.com',
  'umac-128@openssh.com',
  'hmac-sha2-256',
  'hmac-sha2-512',
  'hmac-sha1',
];

function kexDefaults(version: readonly [number, number]): string[] {
  const [major, minor] = version;
  const atLeast = (a: number, b: number) => major > a || (major === a && minor >= b);
  const ecdh = ['ecdh-sha2-nistp256', 'ecdh-sha2-nistp384', 'ecdh-sha2-nistp521'];
  if (!atLeast(7, 3)) return ['curve25519-sha256@libssh.org', ...ecdh, 'diffie-hellman-group-exchange-sha256', 'diffie-hellman-group14-sha1'];
  const modern = ['curve25519-sha256', 'curve25519-sha256@libssh.org', ...ecdh, 'diffie-hellman-group-exchange-sha256', 'diffie-hellman-group16-sha512', 'diffie-hellman-group18-sha512', 'diffie-hellman-group14-sha256'];
  if (!atLeast(8, 2)) return [...modern, 'diffie-hellman-group14-sha1'];
  const pq = atLeast(9, 9) ? ['mlkem768x25519-sha256', 'sntrup761x25519-sha512', 'sntrup761x25519-sha512@openssh.com'] : atLeast(8, 9) ? ['sntrup761x25519-sha512@openssh.com'] : [];
  return [...pq, ...modern];
}

/** Compiled default arguments per lower-case keyword. */
export function compiledDefaults(build: SshBuild): Record<string, string[]> {
  return {
    protocol: ['2'],
    permitrootlogin: [build.permitRootLoginDefault],
    maxauthtries: ['6'],
    logingracetime: ['120'],
    clientaliveinterval: ['0'],
    clientalivecountmax: ['3'],
    x11forwarding: ['no'],
    ignorerhosts: ['yes'],
    hostbasedauthentication: ['no'],
    permitemptypasswords: ['no'],
    permituserenvironment: ['no'],
    loglevel: ['INFO'],
    banner: ['none'],
    usepam: ['no'],
    allowtcpforwarding: ['yes'],
    maxstartups: ['10:30:100'],
    maxsessions: ['10'],
    strictmodes: ['yes'],
    authorizedkeysfile: ['.ssh/authorized_keys', '.ssh/authorized_keys2'],
    ciphers: [[...UPSTREAM_CIPHERS, ...(build.rhel7CipherDefaults ? RHEL7_EXTRA_CIPHERS : [])].join(',')],
    macs: [UPSTREAM_MACS.join(',')],
    kexalgorithms: [kexDefaults(build.version).join(',')],
  };
}

export const WEAK_CIPHERS = ['3des-cbc', 'aes128-cbc', 'aes192-cbc', 'aes256-cbc', 'blowfish-cbc', 'cast128-cbc', 'arcfour', 'arcfour128', 'arcfour256', 'rijndael-cbc@lysator.liu.se'];

const WEAK_MAC_BASES = ['hmac-md5', 'hmac-md5-96', 'hmac-ripemd160', 'hmac-sha1-96', 'umac-64'];
const STRICT_EXTRA_MAC_BASES = ['hmac-sha1'];

function macVariants(base: string): string[] {
  // umac-64 only exists as `umac-64@openssh.com`; the others also have an @openssh.com ETM twin.
  const plain = base.startsWith('umac-') ? `${base}@openssh.com` : base;
  return [plain, `${base}-etm@openssh.com`, ...(base === 'hmac-ripemd160' ? ['hmac-ripemd160@openssh.com'] : [])];
}

export function weakMacs(strict: boolean): string[] {
  return [...WEAK_MAC_BASES, ...(strict ? STRICT_EXTRA_MAC_BASES : [])].flatMap(macVariants);
}

export const WEAK_KEX = ['diffie-hellman-group1-sha1', 'diffie-hellman-group14-sha1', 'diffie-hellman-group-exchange-sha1'];
