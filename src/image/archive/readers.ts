/**
 * Random-access readers over an image archive's members: a directory (OCI layout) or a tar file
 * (docker save, oci-archive). A gzip-compressed tar is first inflated to a private temp file,
 * bounded by the image size limit, because members must be opened in any order.
 */
import { createReadStream, createWriteStream } from 'node:fs';

/** 1 MiB reads: fewer syscalls and callbacks than the 64 KiB default, still bounded. */
const BLOB_READ_CHUNK = 1 << 20;
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { TarsierError } from '../../errors.js';
import { indexTar, type TarMember } from './tar-index.js';

export interface ArchiveReader {
  /** Name of the archive for messages. */
  readonly where: string;
  has(name: string): Promise<boolean>;
  size(name: string): Promise<number>;
  /** Reads a small member whole (manifests, configs), refusing anything over `maxBytes`. */
  readSmall(name: string, maxBytes: number): Promise<Buffer>;
  open(name: string): Readable;
  close(): Promise<void>;
}

/** Member names come from untrusted JSON: they must stay inside the archive. */
function safeMemberName(name: string, where: string): string {
  const norm = posix.normalize(name.replace(/^\.\//, ''));
  if (norm.startsWith('/') || norm === '..' || norm.startsWith('../')) {
    throw new TarsierError('input', `${where}: refers to ${JSON.stringify(name)}, outside the archive`);
  }
  return norm;
}

export class DirectoryReader implements ArchiveReader {
  private readonly root: string;
  constructor(dir: string) {
    this.root = resolve(dir);
  }
  get where(): string {
    return this.root;
  }
  private path(name: string): string {
    const p = resolve(this.root, safeMemberName(name, this.root));
    if (p !== this.root && !p.startsWith(this.root + sep)) throw new TarsierError('input', `${this.root}: ${name} is outside the layout`);
    return p;
  }
  async has(name: string): Promise<boolean> {
    try {
      return (await stat(this.path(name))).isFile();
    } catch {
      return false;
    }
  }
  async size(name: string): Promise<number> {
    try {
      return (await stat(this.path(name))).size;
    } catch {
      throw new TarsierError('not_found', `${this.root}: missing ${name}`);
    }
  }
  async readSmall(name: string, maxBytes: number): Promise<Buffer> {
    const size = await this.size(name);
    if (size > maxBytes) throw new TarsierError('input', `${this.root}: ${name} is ${size} bytes, over the ${maxBytes}-byte limit for metadata`);
    const fh = await open(this.path(name), 'r');
    try {
      const buf = Buffer.alloc(size);
      await fh.read(buf, 0, size, 0);
      return buf;
    } finally {
      await fh.close();
    }
  }
  open(name: string): Readable {
    return createReadStream(this.path(name), { highWaterMark: BLOB_READ_CHUNK });
  }
  async close(): Promise<void> {}
}

export class TarReader implements ArchiveReader {
  private constructor(
    readonly where: string,
    private readonly file: string,
    private readonly members: Map<string, TarMember>,
    private readonly cleanup: string | undefined,
  ) {}

  /** Opens a tar archive, inflating it first if it is gzip-compressed. */
  static async open(file: string, maxInflatedBytes: number): Promise<TarReader> {
    let tarFile = file;
    let cleanup: string | undefined;
    const fh = await open(file, 'r').catch(() => {
      throw new TarsierError('not_found', `cannot open ${file}`);
    });
    const magic = Buffer.alloc(2);
    await fh.read(magic, 0, 2, 0);
    await fh.close();
    if (magic[0] === 0x1f && magic[1] === 0x8b) {
      cleanup = await mkdtemp(join(tmpdir(), 'tarsier-archive-'));
      tarFile = join(cleanup, 'archive.tar');
      try {
        await pipeline(createReadStream(file), createGunzip(), byteLimit(maxInflatedBytes, file), createWriteStream(tarFile));
      } catch (err) {
        await rm(cleanup, { recursive: true, force: true });
        if (err instanceof TarsierError) throw err;
        throw new TarsierError('input', `${file}: corrupt gzip stream (${(err as Error).message})`);
      }
    }
    try {
      const members = await indexTar(tarFile, file);
      return new TarReader(file, tarFile, members, cleanup);
    } catch (err) {
      if (cleanup) await rm(cleanup, { recursive: true, force: true });
      throw err;
    }
  }

  private member(name: string): TarMember {
    const m = this.members.get(safeMemberName(name, this.where));
    if (!m) throw new TarsierError('not_found', `${this.where}: missing ${name}`);
    return m;
  }
  async has(name: string): Promise<boolean> {
    return this.members.has(safeMemberName(name, this.where));
  }
  async size(name: string): Promise<number> {
    return this.member(name).size;
  }
  async readSmall(name: string, maxBytes: number): Promise<Buffer> {
    const m = this.member(name);
    if (m.size > maxBytes) throw new TarsierError('input', `${this.where}: ${name} is ${m.size} bytes, over the ${maxBytes}-byte limit for metadata`);
    const fh = await open(this.file, 'r');
    try {
      const buf = Buffer.alloc(m.size);
      await fh.read(buf, 0, m.size, m.offset);
      return buf;
    } finally {
      await fh.close();
    }
  }
  open(name: string): Readable {
    const m = this.member(name);
    if (m.size === 0) return createReadStream(this.file, { start: 1, end: 0 });
    return createReadStream(this.file, { start: m.offset, end: m.offset + m.size - 1, highWaterMark: BLOB_READ_CHUNK });
  }
  async close(): Promise<void> {
    if (this.cleanup) await rm(this.cleanup, { recursive: true, force: true });
  }
}

/** Fails the stream once more than `max` bytes pass (gzip bombs in outer archives). */
function byteLimit(max: number, where: string): Transform {
  let n = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      n += chunk.length;
      if (n > max) cb(new TarsierError('image_oversized', `${where}: inflates to more than the image size limit (${max} bytes)`));
      else cb(null, chunk);
    },
  });
}
