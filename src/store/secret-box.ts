/**
 * Encryption at rest for registry credentials and access-key secrets: AES-256-GCM with a key from
 * TARSIER_SECRET_KEY (base64 or hex, 32 bytes) or, failing that, a key file created once in the
 * data directory with mode 0600. Ciphertexts are `v1:<iv>:<tag>:<data>` in base64url.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TarsierError } from '../errors.js';

export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromKey(key: Buffer): SecretBox {
    if (key.length !== 32) throw new TarsierError('usage', `secret key must be 32 bytes, got ${key.length}`);
    return new SecretBox(key);
  }

  /** From TARSIER_SECRET_KEY, else `<dataDir>/secret.key` (created on first use). */
  static async load(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<SecretBox> {
    const fromEnv = env.TARSIER_SECRET_KEY?.trim();
    if (fromEnv) {
      const key = /^[0-9a-f]{64}$/i.test(fromEnv) ? Buffer.from(fromEnv, 'hex') : Buffer.from(fromEnv, 'base64');
      if (key.length !== 32) throw new TarsierError('usage', 'TARSIER_SECRET_KEY must be 32 bytes, as 64 hex digits or base64');
      return new SecretBox(key);
    }
    const file = join(dataDir, 'secret.key');
    try {
      return SecretBox.fromKey(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new TarsierError('input', `${file}: unreadable secret key (${(err as Error).message})`);
    }
    await mkdir(dataDir, { recursive: true });
    const key = randomBytes(32);
    try {
      // wx: never overwrite a key another process just created; that would orphan its ciphertexts.
      await writeFile(file, key.toString('base64'), { mode: 0o600, flag: 'wx' });
      return new SecretBox(key);
    } catch {
      return SecretBox.fromKey(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64'));
    }
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), data.toString('base64url')].join(':');
  }

  open(sealed: string): string {
    const [v, iv, tag, data] = sealed.split(':');
    if (v !== 'v1' || !iv || !tag || data === undefined) throw new TarsierError('database_error', 'stored secret has an unknown format');
    try {
      const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      d.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([d.update(Buffer.from(data, 'base64url')), d.final()]).toString('utf8');
    } catch {
      throw new TarsierError('database_error', 'stored secret cannot be decrypted: the secret key changed (TARSIER_SECRET_KEY or secret.key)');
    }
  }
}
