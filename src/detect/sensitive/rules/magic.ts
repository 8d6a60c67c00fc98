/**
 * Binary formats recognised by their first bytes: SQLite, SQL Server MDF and Compact SDF, macOS
 * keychains, Java keystores (entries parsed so trust stores are not reported), PKCS#12 (key bags
 * searched in the clear), OpenPGP packets. Parsers stream: they never hold the file.
 */
import { GlobSet } from '../glob.js';
import type { MagicHit, MagicParser, MagicRule, PathRule } from './types.js';

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/** Package managers' and OS databases: SQLite by format, not user data. */
const OS_DATABASES = [
  'var/lib/rpm/**',
  'usr/lib/sysimage/rpm/**',
  'var/lib/dnf/**',
  'var/lib/yum/**',
  'var/cache/**',
  'var/lib/PackageKit/**',
  'var/lib/apt/**',
  'var/lib/dpkg/**',
  'var/lib/systemd/**',
  'usr/share/**',
  'usr/lib/python3*/test/**',
  '**/.cache/**',
  '**/rpmdb.sqlite',
  '**/.rpmdb/**',
];

const sqlite: MagicRule = {
  id: 'sqlite-database',
  family: 'database-file',
  excludePaths: OS_DATABASES,
  probe(head) {
    return head.length >= 16 && head.subarray(0, 16).equals(SQLITE_MAGIC) ? { key: 'sqlite', label: 'SQLite format 3', detail: 'SQLite database' } : null;
  },
};

/** SQL Server data file header page (type 15), with the extra fixed bytes testdisk checks. */
const mdf: MagicRule = {
  id: 'sqlserver-mdf',
  family: 'database-file',
  probe(head) {
    if (head.length < 0x20 || head[0] !== 0x01 || head[1] !== 0x0f || head[2] !== 0 || head[3] !== 0) return null;
    for (let i = 0x08; i <= 0x15; i++) if (head[i] !== 0) return null;
    return head[0x16] === 0x01 && head[0x18] === 0x63 ? { key: 'microsoft_mdf', label: 'SQL Server data file', detail: 'SQL Server database (MDF/NDF)' } : null;
  },
};

const SDF_VERSIONS = new Map([
  [0x73616261, '2.0'],
  [0x002dd714, '3.0/3.1'],
  [0x00357b9d, '3.5'],
  [0x003d0900, '4.0'],
]);

/** SQL CE signature is four bytes at offset 16: weak alone, so the `.sdf` name is required too. */
const sdf: MagicRule = {
  id: 'sqlce-sdf',
  family: 'database-file',
  paths: ['**/*.sdf', '**/*.SDF'],
  probe(head) {
    if (head.length < 20) return null;
    const v = SDF_VERSIONS.get(head.readUInt32LE(16));
    return v ? { key: 'microsoft_sdf', label: 'SQL Server Compact database', detail: `SQL Server Compact ${v}` } : null;
  },
};

const keychain: MagicRule = {
  id: 'macos-keychain',
  family: 'keychain',
  probe(head) {
    return head.length >= 8 && head.toString('latin1', 0, 4) === 'kych' && head.readUInt32BE(4) === 0x00010000 ? { key: 'macos_keychain', label: 'kych', detail: 'macOS keychain database' } : null;
  },
};

/**
 * A pull parser over a byte stream: `need(n)` returns n bytes or null when more input is needed;
 * `skip(n)` discards bytes without keeping them. Keeps at most the bytes of one pending read.
 */
class ByteReader {
  private buf = Buffer.alloc(0);
  private skipLeft = 0;
  offset = 0;
  feed(chunk: Buffer): void {
    if (this.skipLeft > 0) {
      const n = Math.min(this.skipLeft, chunk.length);
      this.skipLeft -= n;
      this.offset += n;
      chunk = chunk.subarray(n);
    }
    if (chunk.length) this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : Buffer.from(chunk);
  }
  need(n: number): Buffer | null {
    if (this.skipLeft > 0 || this.buf.length < n) return null;
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    this.offset += n;
    return out;
  }
  skip(n: number): void {
    const now = Math.min(n, this.buf.length);
    this.buf = this.buf.subarray(now);
    this.offset += now;
    this.skipLeft += n - now;
  }
}

/**
 * JKS / JCEKS: entries after a 12-byte header. Tag 1 (private key) and 3 (JCEKS secret key) are
 * secrets; tag 2 (trusted certificate) is not, so a trust store with only tag-2 entries is no finding.
 */
class KeystoreParser implements MagicParser {
  private readonly r = new ByteReader();
  private state: 'header' | 'entry' = 'header';
  private version = 2;
  private remaining = 0;
  private step: Array<() => boolean> = [];
  private trusted = 0;
  constructor(private readonly jceks: boolean) {}

  push(chunk: Buffer): MagicHit | null | undefined {
    this.r.feed(chunk);
    for (let guard = 0; guard < 100_000; guard++) {
      if (this.state === 'header') {
        const h = this.r.need(12);
        if (!h) return undefined;
        this.version = h.readUInt32BE(4);
        this.remaining = h.readUInt32BE(8);
        if (this.version !== 1 && this.version !== 2) return null;
        this.state = 'entry';
        if (this.remaining === 0) return null;
        continue;
      }
      if (this.step.length === 0) {
        if (this.remaining === 0) return null;
        const t = this.r.need(4);
        if (!t) return undefined;
        const tag = t.readUInt32BE(0);
        this.remaining--;
        if (tag === 1 || tag === 3) return { key: 'java_keystore', label: this.jceks ? 'JCEKS keystore' : 'Java KeyStore', detail: tag === 1 ? 'keystore with a private-key entry' : 'JCEKS keystore with a secret-key entry' };
        if (tag !== 2) return null;
        this.trusted++;
        this.step = [this.utf(), this.fixed(8), ...(this.version === 2 ? [this.utf()] : []), this.lengthPrefixed()];
      }
      const next = this.step[0] as () => boolean;
      if (!next()) return undefined;
      this.step.shift();
    }
    return undefined;
  }

  private utf(): () => boolean {
    return () => {
      const l = this.r.need(2);
      if (!l) return false;
      this.r.skip(l.readUInt16BE(0));
      return true;
    };
  }
  private fixed(n: number): () => boolean {
    return () => {
      this.r.skip(n);
      return true;
    };
  }
  private lengthPrefixed(): () => boolean {
    return () => {
      const l = this.r.need(4);
      if (!l) return false;
      this.r.skip(l.readUInt32BE(0));
      return true;
    };
  }
  end(): MagicHit | null {
    // Truncated or ended inside an entry after only trusted certificates: a trust store.
    return null;
  }
}

const javaKeystore: MagicRule = {
  id: 'java-keystore',
  family: 'keystore',
  fileType: true,
  excludePaths: ['**/lib/security/cacerts', 'etc/ssl/certs/java/cacerts', 'etc/pki/ca-trust/**', 'etc/pki/java/cacerts'],
  probe(head) {
    if (head.length < 12) return null;
    const magic = head.readUInt32BE(0);
    if (magic === 0xfeedfeed) return new KeystoreParser(false);
    if (magic === 0xcececece) return new KeystoreParser(true);
    return null;
  },
};

const PKCS7_DATA = Buffer.from('06092a864886f70d010701', 'hex');
const SHROUDED_KEY_BAG = Buffer.from('060b2a864886f70d010c0a0102', 'hex');
const KEY_BAG = Buffer.from('060b2a864886f70d010c0a0101', 'hex');
const KEYSTORE_NAME = new GlobSet(['**/*.jks', '**/*.keystore', '**/keystore', '**/*.jceks', '**/*.bks']);

/** DER length at `at` (after the tag byte): [length, header bytes incl. tag] or null. */
function derLength(buf: Buffer, at: number): [number, number] | null {
  const l = buf[at + 1];
  if (l === undefined) return null;
  if (l < 0x80) return [l, 2];
  const n = l & 0x7f;
  if (n === 0 || n > 4 || at + 2 + n > buf.length) return null;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + (buf[at + 2 + i] as number);
  return [len, 2 + n];
}

/**
 * PFX: SEQUENCE { INTEGER 3, ContentInfo pkcs7-data, MacData? }. Returns the total size the
 * outer SEQUENCE declares, so a truncated file can be told from a complete one.
 */
function pfxSize(head: Buffer): number | null {
  if (head[0] !== 0x30) return null;
  const outer = derLength(head, 0);
  if (!outer) return null;
  const at = outer[1];
  if (head[at] !== 0x02 || head[at + 1] !== 0x01 || head[at + 2] !== 0x03) return null;
  if (!head.subarray(at + 3, at + 3 + 16).includes(PKCS7_DATA)) return null;
  return outer[0] + outer[1];
}

class PfxParser implements MagicParser {
  private carry = Buffer.alloc(0);
  private seen = 0;
  private key = false;
  constructor(
    private readonly keystoreName: boolean,
    private readonly declared: number,
  ) {}
  push(chunk: Buffer): MagicHit | null | undefined {
    this.seen += chunk.length;
    if (!this.key) {
      const data = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
      if (data.includes(SHROUDED_KEY_BAG) || data.includes(KEY_BAG)) this.key = true;
      else this.carry = Buffer.from(data.subarray(Math.max(0, data.length - SHROUDED_KEY_BAG.length)));
    }
    return undefined;
  }
  end(): MagicHit | null {
    // Shorter than its own DER header says: a truncated or damaged file, not a usable bundle.
    if (this.seen < this.declared) return null;
    if (this.keystoreName) return { key: 'java_keystore', label: 'PKCS#12 keystore', detail: this.key ? 'PKCS#12 keystore with a private key' : 'PKCS#12 keystore' };
    return this.key
      ? { key: 'pkcs_private_key', label: 'PKCS#12', detail: 'PKCS#12 bundle with a private-key bag' }
      : { key: 'pkcs_cred', label: 'PKCS#12', detail: 'PKCS#12 bundle without a cleartext key bag (certificates, or a key inside encrypted data)' };
  }
}

const pkcs12: MagicRule = {
  id: 'pkcs12',
  family: 'keystore',
  fileType: true,
  excludePaths: ['**/lib/security/cacerts', 'etc/ssl/certs/java/cacerts', 'etc/pki/ca-trust/**', 'etc/pki/java/cacerts'],
  probe(head, file) {
    const size = head.length >= 24 ? pfxSize(head) : null;
    return size ? new PfxParser(KEYSTORE_NAME.matches(file.path), size) : null;
  },
};

/**
 * Binary OpenPGP: the first packet's tag. Secret key (5) → `pgp_private_key`; encrypted session
 * key (1, 3) or encrypted data (9, 18) → `pgp`. Public keys and signatures are not sensitive. The
 * first byte alone is weak evidence, so only files with an OpenPGP name or location are probed.
 */
const openpgp: MagicRule = {
  id: 'openpgp-binary',
  family: 'pgp',
  paths: ['**/*.gpg', '**/*.pgp', '**/*.asc', '**/.gnupg/secring.gpg', '**/.gnupg/**', '**/*secret*.key'],
  excludePaths: ['etc/apt/**', 'usr/share/keyrings/**', 'etc/pki/rpm-gpg/**', 'usr/share/doc/**'],
  probe(head) {
    const b = head[0] ?? 0;
    if ((b & 0x80) === 0 || head.length < 4) return null;
    const tag = b & 0x40 ? b & 0x3f : (b >> 2) & 0x0f;
    if (tag === 5) return { key: 'pgp_private_key', label: 'OpenPGP secret key', detail: 'binary OpenPGP secret key packet', rank: 20 };
    if (tag === 1 || tag === 3 || tag === 9 || tag === 18) return { key: 'pgp', label: 'OpenPGP message', detail: 'OpenPGP encrypted message' };
    return null;
  },
};

/** BouncyCastle keystores have no magic; the name is the evidence. */
const bksPath: PathRule = {
  id: 'bks-keystore',
  key: 'java_keystore',
  family: 'keystore',
  rank: 60,
  severity: 'medium',
  paths: ['**/*.bks', '**/*.ubr'],
  label: 'BouncyCastle keystore',
  binary: true,
};

export const magicRules: MagicRule[] = [sqlite, mdf, sdf, keychain, javaKeystore, pkcs12, openpgp];
export const magicPathRules: PathRule[] = [bksPath];
