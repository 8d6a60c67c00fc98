/**
 * Private keys in text form: PEM armor (PKCS#1, SEC1, PKCS#8, OpenSSH, PGP, ssh.com), PEM wrapped
 * in base64 (kubeconfig `client-key-data`, Kubernetes Secrets), age, PuTTY, OTR, GnuPG key files.
 *
 * All armored keys are one family: an `id_rsa` is one alert. The key reported is decided by
 * where the file is first (kubeconfig/pki → k8s, GitHub deploy key → github, SSH locations → ssh),
 * then by the armor label; `pem` is for `.pem`/`.key` files holding a generic (PKCS#8) key.
 */
import type { Severity } from '../catalog.js';
import { GlobSet } from '../glob.js';
import { bodyPrefixBytes, decodeBase64, pemBody } from '../validators.js';
import type { Classification, ContentRule, FileContext, PathRule, Verdict } from './types.js';

const K8S = new GlobSet(['**/.kube/**', '**/kubeconfig*', '**/*.kubeconfig', 'etc/kubernetes/**', 'var/lib/kubelet/pki/**']);
const SSH = new GlobSet(['**/.ssh/**', '**/id_rsa', '**/id_dsa', '**/id_ecdsa', '**/id_ed25519', '**/id_*', '**/*_rsa', '**/*_dsa', '**/*_ecdsa', '**/*_ed25519', 'etc/ssh/ssh_host_*_key']);
const HOST_KEY = new GlobSet(['etc/ssh/ssh_host_*_key', 'etc/dropbear/dropbear_*_host_key']);
/** Keys package scripts generate while the image is built (Debian ssl-cert, RHEL mod_ssl). */
const BUILD_TIME_KEYS = new GlobSet(['etc/ssl/private/ssl-cert-snakeoil.key', 'etc/pki/tls/private/localhost.key']);
const PEM_FILE = new GlobSet(['**/*.pem', '**/*.key']);
const GITHUB_NAME = /github|deploy[-_.]?key|\.private-key\.pem$/i;

const LABEL_KEY: Record<string, string> = {
  OPENSSH: 'openssh_private_key',
  RSA: 'rsa_private_key',
  EC: 'ec_private_key',
  DSA: 'dsa_private_key',
  PGP: 'pgp_private_key',
  'SSH2 ENCRYPTED': 'ssh_private_key',
};

function lower(s: Severity): Severity {
  return s === 'critical' ? 'high' : s === 'high' ? 'medium' : 'low';
}

/** Decides which key a verified private key in this file is reported as. */
export function classifyPrivateKey(label: string, encrypted: boolean, file: FileContext): Classification {
  const name = label === '' ? 'PKCS#8' : label;
  let detail = `${name} private key`;
  let out: Classification;
  if (K8S.matches(file.path)) out = { key: 'k8s_client_key', rank: 10 };
  else if (GITHUB_NAME.test(file.base)) out = { key: 'github_ssh_key', rank: 12 };
  else if (HOST_KEY.matches(file.path)) {
    out = { key: 'ssh_private_key', rank: 14, severity: 'medium' };
    detail += '; SSH host key generated at build time: every container of the image shares it';
  } else if (SSH.matches(file.path) && !file.base.endsWith('.pub')) out = { key: 'ssh_private_key', rank: 14 };
  else if (BUILD_TIME_KEYS.matches(file.path)) {
    out = { key: 'pem', rank: 14, severity: 'low' };
    detail += '; generated at build time by a package script';
  } else if (LABEL_KEY[label]) out = { key: LABEL_KEY[label], rank: 20 };
  else if (PEM_FILE.matches(file.path)) out = { key: 'pem', rank: 45 };
  else out = { key: 'common_private_key', rank: 40 };
  if (encrypted) {
    detail += '; passphrase-protected';
    out.severity = lower(out.severity ?? defaultSeverity(out.key as string));
  }
  return { ...out, family: 'private-key', detail };
}

function defaultSeverity(key: string): Severity {
  return key === 'k8s_client_key' ? 'critical' : key === 'pem' ? 'medium' : 'high';
}

/**
 * Checks the text after an armor line: the body must look like a real key (DER, OpenSSH or
 * OpenPGP magic, or at least 40 base64 characters when encrypted), not `...` or `***`.
 */
export function verifyPemBody(label: string, after: string): { ok: boolean; encrypted: boolean } {
  const { body, encrypted: headerEncrypted } = pemBody(after, 256);
  if (body.length < 40) return { ok: false, encrypted: false };
  // An OpenSSH container is a key whatever the armor says (mislabelled keys exist in the wild).
  if (body.startsWith('b3BlbnNzaC1rZXktdjE')) return { ok: true, encrypted: !body.startsWith('b3BlbnNzaC1rZXktdjEAAAAABG5vbmU') };
  if (label === 'OPENSSH') return { ok: false, encrypted: false };
  if (label === 'PGP') {
    const first = bodyPrefixBytes(body, 3)[0] ?? 0;
    if ((first & 0x80) === 0) return { ok: false, encrypted: false };
    const tag = first & 0x40 ? first & 0x3f : (first >> 2) & 0x0f;
    return { ok: tag === 5 || tag === 7, encrypted: false };
  }
  if (label === 'SSH2 ENCRYPTED' || headerEncrypted) return { ok: true, encrypted: true };
  const der = bodyPrefixBytes(body, 3);
  if (der[0] !== 0x30) return { ok: false, encrypted: false };
  return { ok: true, encrypted: label === 'ENCRYPTED' };
}

const ARMOR = /-----BEGIN (?<label>[A-Z0-9]{1,20}(?: [A-Z0-9]{1,20}){0,3} )?PRIVATE KEY(?<block> BLOCK)?-----|---- BEGIN (?<label2>[A-Z0-9]{1,20}(?: [A-Z0-9]{1,20}){0,3} )?PRIVATE KEY ----/;

function armorVerdict(armor: string, label: string, after: string, file: FileContext): Verdict {
  const { ok, encrypted } = verifyPemBody(label, after);
  if (!ok) return false;
  return { ...classifyPrivateKey(label, encrypted, file), masked: `${armor}****` };
}

const pemKey: ContentRule = {
  id: 'pem-private-key',
  key: 'common_private_key',
  family: 'private-key',
  rank: 40,
  // One hit per block (the BEGIN line), not two: END lines end in `PRIVATE KEY-----` too.
  keywords: ['-----begin ', '---- begin '],
  pattern: ARMOR,
  secretGroup: 0,
  before: 0,
  after: 900,
  rejectPlaceholders: false,
  validate(_s, m, file) {
    const label = (m.groups?.label ?? m.groups?.label2 ?? '').trim();
    return armorVerdict(m[0], label, m.input.slice(m.index + m[0].length), file);
  },
};

/** `LS0tLS1CRUdJTi` is base64 of `-----BEGIN`: a PEM block inside YAML/JSON (kubeconfig, Secrets). */
const base64Pem: ContentRule = {
  id: 'base64-pem-private-key',
  key: 'common_private_key',
  family: 'private-key',
  rank: 40,
  keywords: ['ls0tls1crudjti'],
  pattern: /LS0tLS1CRUdJTi[A-Za-z0-9+/]{100,1200}/,
  secretGroup: 0,
  before: 40,
  after: 1220,
  rejectPlaceholders: false,
  validate(secret, m, file) {
    const usable = secret.slice(0, secret.length - (secret.length % 4));
    const text = decodeBase64(usable)?.toString('latin1') ?? '';
    const a = ARMOR.exec(text);
    if (!a || a.index !== 0) return false;
    const label = (a.groups?.label ?? a.groups?.label2 ?? '').trim();
    // A kubeconfig's client key is a Kubernetes credential wherever the file sits.
    const clientKey = /client-key-data/i.test(m.input.slice(Math.max(0, m.index - 40), m.index));
    const where: FileContext = clientKey ? { ...file, path: 'etc/kubernetes/kubeconfig' } : file;
    const v = armorVerdict(a[0], label, text.slice(a[0].length), where);
    if (v === false || v === true) return v;
    return { ...v, detail: `${v.detail ?? ''} (base64-encoded PEM)` };
  },
};

const ageKey: ContentRule = {
  id: 'age-secret-key',
  key: 'common_private_key',
  family: 'private-key',
  rank: 40,
  keywords: ['age-secret-key-1'],
  pattern: /AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}(?![A-Z0-9])/,
  secretGroup: 0,
  before: 0,
  after: 80,
  publicPrefix: 16,
  validate: () => ({ detail: 'age secret key' }),
};

const putty: ContentRule = {
  id: 'puttygen-private-key',
  key: 'puttygen_private_key',
  keywords: ['putty-user-key-file-'],
  pattern: /PuTTY-User-Key-File-(?<ver>[23]): ?(?<alg>[\w@.-]{3,40})\r?\nEncryption: ?(?<enc>[\w-]{1,40})/,
  secretGroup: 0,
  before: 0,
  after: 140,
  rejectPlaceholders: false,
  validate(_s, m) {
    const enc = m.groups?.enc ?? '';
    const masked = `PuTTY-User-Key-File-${m.groups?.ver}: ${m.groups?.alg}****`;
    return enc === 'none' ? { masked, detail: 'unencrypted PuTTY key' } : { masked, severity: 'medium', detail: `PuTTY key encrypted with ${enc}` };
  },
};

const otrKey: ContentRule = {
  id: 'otr-private-key',
  key: 'otr_private_key',
  keywords: ['(privkeys'],
  pattern: /\(privkeys\s{0,10}\(account/,
  secretGroup: 0,
  before: 0,
  after: 40,
  rejectPlaceholders: false,
  validate: () => ({ masked: '(privkeys (account ****' }),
};

/** GnuPG ≥ 2.1 stores secret keys as s-expressions in `private-keys-v1.d/<keygrip>.key`. */
const gnupgKeyFiles: PathRule = {
  id: 'gnupg-private-keys-v1',
  key: 'pgp_private_key',
  family: 'private-key',
  rank: 20,
  paths: ['**/.gnupg/private-keys-v1.d/*.key', '**/private-keys-v1.d/*.key'],
  label: 'GnuPG private key file',
  binary: true,
};

const otrPath: PathRule = {
  id: 'otr-private-key-file',
  key: 'otr_private_key',
  rank: 60,
  paths: ['**/otr.private_key', '**/.purple/otr.private_key'],
  label: 'otr.private_key',
  requireAny: ['privkeys', 'private-key'],
};

/** An OpenVPN static key is a shared secret of the tunnel. */
const openvpnStaticKey: ContentRule = {
  id: 'openvpn-static-key',
  key: 'openvpn_cfg',
  family: 'openvpn',
  rank: 20,
  keywords: ['openvpn static key v1-----'],
  pattern: /-----BEGIN OpenVPN Static key V1-----\s{1,4}(?<secret>[0-9a-f]{32})/,
  before: 40,
  after: 80,
  rejectPlaceholders: false,
  validate: () => ({ masked: '-----BEGIN OpenVPN Static key V1-----****', detail: 'OpenVPN static key (tls-auth/tls-crypt)' }),
};

export const keyContentRules: ContentRule[] = [pemKey, base64Pem, ageKey, putty, otrKey, openvpnStaticKey];
export const keyPathRules: PathRule[] = [gnupgKeyFiles, otrPath];

/** ASCII-armored OpenPGP message: encrypted payload (low on its own). */
export const pgpMessage: ContentRule = {
  id: 'pgp-armored-message',
  key: 'pgp',
  family: 'pgp',
  keywords: ['-----begin pgp message-----'],
  pattern: /-----BEGIN PGP MESSAGE-----/,
  secretGroup: 0,
  before: 0,
  after: 400,
  rejectPlaceholders: false,
  validate(_s, m) {
    const { body } = pemBody(m.input.slice(m.index + m[0].length), 64);
    return body.length >= 40 ? { masked: '-----BEGIN PGP MESSAGE-----****', detail: 'ASCII-armored OpenPGP message' } : false;
  },
};
keyContentRules.push(pgpMessage);
