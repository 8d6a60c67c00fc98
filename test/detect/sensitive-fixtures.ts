/**
 * Realistic test inputs for the sensitive-information rules. Secrets are generated at run time
 * (seeded, so runs are reproducible) rather than committed: real key material from Node's crypto,
 * binary containers built byte by byte from their format specifications.
 */
import { generateKeyPairSync } from 'node:crypto';
import { seededRandom as prng } from '../helpers/seeded-random.js';

export { prng };

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const UPPER_NUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const LOWER_NUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
export const HEX = '0123456789abcdef';
export const B64 = `${ALNUM}+/`;
export const URLSAFE = `${ALNUM}_-`;

const rnd = prng(20261123);
/** A random string of `n` characters from `alphabet`. */
export function rand(alphabet: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(rnd() * alphabet.length)];
  return s;
}
export function randBytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rnd() * 256);
  return b;
}
export function uuid(): string {
  return `${rand(HEX, 8)}-${rand(HEX, 4)}-4${rand(HEX, 3)}-a${rand(HEX, 3)}-${rand(HEX, 12)}`;
}
/** A password-like value: mixed classes, high entropy. */
export function password(n = 16): string {
  return `${rand(ALNUM, n - 2)}#${rand('0123456789', 1)}`;
}

export function wrap(b64: string, width = 64): string {
  return (b64.match(new RegExp(`.{1,${width}}`, 'g')) ?? []).join('\n');
}
export function pem(label: string, der: Buffer, headers = ''): string {
  return `-----BEGIN ${label}-----\n${headers}${wrap(der.toString('base64'))}\n-----END ${label}-----\n`;
}

// Real key material, generated once.
const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
export const RSA_PKCS1 = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
export const RSA_PKCS8 = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
export const RSA_PUBLIC_SSH = `ssh-rsa ${(rsa.publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64')} deploy@ci\n`;
export const EC_SEC1 = ec.privateKey.export({ type: 'sec1', format: 'pem' }) as string;
export const ED25519_PKCS8 = ed.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
export const RSA_ENCRYPTED_PKCS8 = rsa.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'build-secret' }) as string;

/** A DER SEQUENCE of the size of an OpenSSL DSA key (Node cannot export DSA in this form). */
export const DSA_LEGACY = pem('DSA PRIVATE KEY', Buffer.concat([Buffer.from([0x30, 0x82, 0x01, 0xbb, 0x02, 0x01, 0x00, 0x02, 0x81, 0x81, 0x00]), randBytes(432)]));

function sshString(s: string | Buffer): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s) : s;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}
/** OpenSSH `openssh-key-v1` container, unencrypted (cipher `none`). */
export function opensshKey(): string {
  const body = Buffer.concat([Buffer.from('openssh-key-v1\0'), sshString('none'), sshString('none'), sshString(''), Buffer.from([0, 0, 0, 1]), sshString(randBytes(51)), sshString(randBytes(140))]);
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${wrap(body.toString('base64'), 70)}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

/** OpenPGP packets: old-format header for `tag` with a 2-byte length. */
export function pgpPacket(tag: number, bodyLen = 300): Buffer {
  const b = Buffer.alloc(3);
  b[0] = 0x80 | (tag << 2) | 1;
  b.writeUInt16BE(bodyLen, 1);
  return Buffer.concat([b, Buffer.from([4]), randBytes(bodyLen - 1)]);
}
export function pgpArmor(kind: 'PRIVATE KEY BLOCK' | 'PUBLIC KEY BLOCK' | 'MESSAGE', tag: number): string {
  return `-----BEGIN PGP ${kind}-----\nComment: generated for tests\n\n${wrap(pgpPacket(tag).toString('base64'))}\n=${rand(B64, 4)}\n-----END PGP ${kind}-----\n`;
}

export function base64url(s: string | Buffer): string {
  return Buffer.from(s).toString('base64url');
}
export function jwt(payload: Record<string, unknown>): string {
  return `${base64url(JSON.stringify({ alg: 'RS256', kid: rand(URLSAFE, 20) }))}.${base64url(JSON.stringify(payload))}.${rand(URLSAFE, 342)}`;
}

// Binary containers.

export const SQLITE_HEADER = (): Buffer => Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.from([0x10, 0x00, 0x01, 0x01, 0x00, 0x40, 0x20, 0x20]), Buffer.alloc(4096 - 24)]);

export function mdfHeader(): Buffer {
  const b = Buffer.alloc(8192);
  b.set([0x01, 0x0f, 0x00, 0x00], 0);
  b[0x16] = 0x01;
  b[0x18] = 0x63;
  b.set(randBytes(64), 0x60);
  return b;
}

export function sdfFile(version = 0x00357b9d): Buffer {
  const b = Buffer.concat([randBytes(16), Buffer.alloc(4), randBytes(4076)]);
  b.writeUInt32LE(version, 16);
  b[5] = 0; // keep a NUL in the head, as real SDF files have
  return b;
}

export function keychain(version = 0x00010000): Buffer {
  const b = Buffer.alloc(2048);
  b.write('kych', 0, 'latin1');
  b.writeUInt32BE(version, 4);
  return b;
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
function utf(s: string): Buffer {
  return Buffer.concat([u16(Buffer.byteLength(s)), Buffer.from(s)]);
}
/** A JKS (v2) keystore with entries of the given tags (1 private key, 2 trusted cert). */
export function jks(tags: number[]): Buffer {
  const parts = [u32(0xfeedfeed), u32(2), u32(tags.length)];
  tags.forEach((tag, i) => {
    parts.push(u32(tag), utf(`alias${i}`), Buffer.alloc(8, 1));
    if (tag === 2) {
      const cert = randBytes(700);
      parts.push(utf('X.509'), u32(cert.length), cert);
    } else {
      const key = randBytes(1200);
      const cert = randBytes(700);
      parts.push(u32(key.length), key, u32(1), utf('X.509'), u32(cert.length), cert);
    }
  });
  parts.push(randBytes(20));
  return Buffer.concat(parts);
}

const OID_DATA = Buffer.from('06092a864886f70d010701', 'hex');
const OID_SHROUDED = Buffer.from('060b2a864886f70d010c0a0102', 'hex');
const OID_CERTBAG = Buffer.from('060b2a864886f70d010c0a0103', 'hex');
function derSeq(tag: number, content: Buffer): Buffer {
  const len = content.length;
  const header = len < 0x80 ? Buffer.from([tag, len]) : len < 0x100 ? Buffer.from([tag, 0x81, len]) : Buffer.from([tag, 0x82, len >> 8, len & 0xff]);
  return Buffer.concat([header, content]);
}
/** A PKCS#12 PFX: version 3, pkcs7-data auth safe with a key bag (optional) and a cert bag, MacData. */
export function pfx(withKey: boolean): Buffer {
  const bags = [withKey ? derSeq(0x30, Buffer.concat([OID_SHROUDED, derSeq(0xa0, randBytes(1220))])) : Buffer.alloc(0), derSeq(0x30, Buffer.concat([OID_CERTBAG, derSeq(0xa0, randBytes(800))]))];
  const authSafe = derSeq(0x30, Buffer.concat([OID_DATA, derSeq(0xa0, derSeq(0x04, derSeq(0x30, Buffer.concat(bags))))]));
  const mac = derSeq(0x30, randBytes(60));
  return derSeq(0x30, Buffer.concat([Buffer.from([0x02, 0x01, 0x03]), authSafe, mac]));
}

/** UTF-16LE text with a byte-order mark, as Windows tools write `.rdp` files. */
export function utf16(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}
