/**
 * Private keys for the demo images, derived from a fixed seed so that the same demo images (and
 * so the same digests) come out on every run. They are real, parseable keys — `ssh-keygen -y` and
 * `openssl rsa -check` accept them — that were never issued to anyone: the planted secrets must be
 * structurally valid for a scanner to find them, and must protect nothing.
 */
import { checkPrimeSync, createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

/** A deterministic byte stream: SHA-256 over (seed, counter). Not for real keys; for demo ones only. */
export class SeededBytes {
  private counter = 0;
  private pool = Buffer.alloc(0);

  constructor(private readonly seed: string) {}

  next(n: number): Buffer {
    while (this.pool.length < n) {
      const block = createHash('sha256').update(`${this.seed}\0${this.counter++}`).digest();
      this.pool = Buffer.concat([this.pool, block]);
    }
    const out = this.pool.subarray(0, n);
    this.pool = this.pool.subarray(n);
    return Buffer.from(out);
  }

  /** `n` characters drawn from `alphabet` (rejection sampling keeps them uniform). */
  chars(n: number, alphabet: string): string {
    let out = '';
    const limit = 256 - (256 % alphabet.length);
    while (out.length < n) {
      for (const b of this.next(n)) {
        if (b < limit && out.length < n) out += alphabet[b % alphabet.length];
      }
    }
    return out;
  }
}

const SMALL_PRIMES = [3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113].map(BigInt);

function toBigInt(buf: Buffer): bigint {
  return BigInt(`0x${buf.toString('hex') || '0'}`);
}

function toBuffer(n: bigint): Buffer {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return Buffer.from(hex, 'hex');
}

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new Error('not invertible');
  return ((oldS % m) + m) % m;
}

const E = 65537n;

/** A `bits`-bit prime p with gcd(e, p-1) = 1, the top two bits set so that p·q has exactly 2·bits bits. */
function prime(bytes: SeededBytes, bits: number): bigint {
  for (;;) {
    const raw = bytes.next(bits / 8);
    raw[0] = (raw[0] as number) | 0xc0;
    raw[raw.length - 1] = (raw[raw.length - 1] as number) | 1;
    const candidate = toBigInt(raw);
    if (SMALL_PRIMES.some((sp) => candidate % sp === 0n)) continue;
    if ((candidate - 1n) % E === 0n) continue;
    if (checkPrimeSync(candidate, { checks: 32 })) return candidate;
  }
}

export interface RsaKey {
  key: KeyObject;
  n: bigint;
  e: bigint;
  d: bigint;
  p: bigint;
  q: bigint;
  iqmp: bigint;
}

/** A 2048-bit RSA key from the seed. */
export function seededRsaKey(seed: string): RsaKey {
  const bytes = new SeededBytes(`rsa:${seed}`);
  let p = prime(bytes, 1024);
  let q = prime(bytes, 1024);
  if (p < q) [p, q] = [q, p];
  const n = p * q;
  const d = modInverse(E, (p - 1n) * (q - 1n));
  const iqmp = modInverse(q, p);
  const b64u = (x: bigint): string => toBuffer(x).toString('base64url');
  const jwk = { kty: 'RSA', n: b64u(n), e: b64u(E), d: b64u(d), p: b64u(p), q: b64u(q), dp: b64u(d % (p - 1n)), dq: b64u(d % (q - 1n)), qi: b64u(iqmp) };
  return { key: createPrivateKey({ key: jwk, format: 'jwk' }), n, e: E, d, p, q, iqmp };
}

export interface Ed25519Key {
  seed: Buffer;
  publicKey: Buffer;
}

/** PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function seededEd25519Key(seed: string): Ed25519Key {
  const raw = new SeededBytes(`ed25519:${seed}`).next(32);
  const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
  const x = createPublicKey(key).export({ format: 'jwk' }).x;
  if (typeof x !== 'string') throw new Error('Ed25519 public key export failed');
  return { seed: raw, publicKey: Buffer.from(x, 'base64url') };
}

// --- OpenSSH wire encoding (RFC 4251 strings and mpints; PROTOCOL.key for the private key file) ---

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function sshString(data: Buffer | string): Buffer {
  const b = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([u32(b.length), b]);
}

function mpint(n: bigint): Buffer {
  if (n === 0n) return u32(0);
  let b = toBuffer(n);
  if ((b[0] as number) & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return sshString(b);
}

function publicBlob(k: RsaKey | Ed25519Key): Buffer {
  if ('n' in k) return Buffer.concat([sshString('ssh-rsa'), mpint(k.e), mpint(k.n)]);
  return Buffer.concat([sshString('ssh-ed25519'), sshString(k.publicKey)]);
}

/** The `authorized_keys` / `.pub` line of a key. */
export function opensshPublicKey(k: RsaKey | Ed25519Key, comment: string): string {
  return `${'n' in k ? 'ssh-rsa' : 'ssh-ed25519'} ${publicBlob(k).toString('base64')} ${comment}\n`;
}

/** An unencrypted `-----BEGIN OPENSSH PRIVATE KEY-----` file, as `ssh-keygen` (OpenSSH ≥ 7.8) writes it. */
export function opensshPrivateKey(k: RsaKey | Ed25519Key, comment: string, checkSeed: string): string {
  const check = new SeededBytes(`check:${checkSeed}`).next(4);
  const keyPart =
    'n' in k
      ? Buffer.concat([sshString('ssh-rsa'), mpint(k.n), mpint(k.e), mpint(k.d), mpint(k.iqmp), mpint(k.p), mpint(k.q)])
      : Buffer.concat([sshString('ssh-ed25519'), sshString(k.publicKey), sshString(Buffer.concat([k.seed, k.publicKey]))]);
  let section = Buffer.concat([check, check, keyPart, sshString(comment)]);
  const pad: number[] = [];
  for (let i = 1; (section.length + pad.length) % 8 !== 0; i++) pad.push(i);
  section = Buffer.concat([section, Buffer.from(pad)]);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    u32(1),
    sshString(publicBlob(k)),
    sshString(section),
  ]);
  return armor('OPENSSH PRIVATE KEY', body.toString('base64'), 70);
}

/** A PKCS#1 `-----BEGIN RSA PRIVATE KEY-----` file (what `openssl genrsa` 1.x and `ssh-keygen -m PEM` write). */
export function pkcs1PrivateKey(k: RsaKey): string {
  return k.key.export({ type: 'pkcs1', format: 'pem' }).toString();
}

function armor(label: string, base64: string, width: number): string {
  const lines = base64.match(new RegExp(`.{1,${width}}`, 'g')) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
