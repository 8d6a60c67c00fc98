/**
 * A tiny ustar writer for tests that need tar bytes a well-behaved packer refuses to make: `..` and
 * absolute names, links pointing anywhere, headers without content (truncation), and lazily
 * generated archives with a million entries. Only what the hostile-input tests need.
 */
import { Readable } from 'node:stream';

export const BLOCK = 512;

export type RawType = 'file' | 'dir' | 'symlink' | 'hardlink';

export interface RawEntry {
  name: string;
  type?: RawType;
  /** Content of a regular file; its length is written as the size unless `size` says otherwise. */
  content?: Buffer | string;
  /** Size to declare in the header (lie about it to make a truncated archive). */
  size?: number;
  linkname?: string;
  mode?: number;
}

const TYPEFLAG: Record<RawType, string> = { file: '0', dir: '5', symlink: '2', hardlink: '1' };

function writeOctal(buf: Buffer, value: number, offset: number, length: number): void {
  buf.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'ascii');
}

/** Sets the header checksum field (bytes 148–155) from the other 504 bytes. */
export function sealHeader(h: Buffer): Buffer {
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += h[i] as number;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return h;
}

/** One 512-byte ustar header. Names over 100 bytes are not supported (tests do not need them). */
export function tarHeader(name: string, opts: { type?: RawType; size?: number; linkname?: string; mode?: number } = {}): Buffer {
  const type = opts.type ?? 'file';
  if (Buffer.byteLength(name) > 100) throw new Error(`raw-tar: name too long for a plain ustar header: ${name}`);
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  writeOctal(h, opts.mode ?? (type === 'dir' ? 0o755 : 0o644), 100, 8);
  writeOctal(h, 0, 108, 8); // uid
  writeOctal(h, 0, 116, 8); // gid
  writeOctal(h, type === 'file' ? (opts.size ?? 0) : 0, 124, 12);
  writeOctal(h, 0, 136, 12); // mtime
  h.write(TYPEFLAG[type], 156, 1, 'ascii');
  if (opts.linkname) h.write(opts.linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  return sealHeader(h);
}

function padding(size: number): Buffer {
  const rem = size % BLOCK;
  return Buffer.alloc(rem === 0 ? 0 : BLOCK - rem);
}

/** Header + content + padding of one entry. */
export function tarEntry(e: RawEntry): Buffer {
  const content = e.content === undefined ? Buffer.alloc(0) : Buffer.isBuffer(e.content) ? e.content : Buffer.from(e.content);
  const size = e.size ?? content.length;
  const header = tarHeader(e.name, { type: e.type, size, linkname: e.linkname, mode: e.mode });
  if ((e.type ?? 'file') !== 'file') return header;
  return Buffer.concat([header, content, padding(content.length)]);
}

/** The end-of-archive marker: two zero blocks. */
export function tarEnd(): Buffer {
  return Buffer.alloc(2 * BLOCK);
}

/** A complete archive of the given entries. */
export function rawTar(entries: RawEntry[], opts: { end?: boolean } = {}): Buffer {
  return Buffer.concat([...entries.map(tarEntry), ...(opts.end === false ? [] : [tarEnd()])]);
}

/**
 * A tar stream of `count` empty regular files (`f/0000000` …), generated on demand in batches, so
 * that a million entries never sit in memory. Each header is patched from one template: only the
 * name digits and the checksum change.
 */
export function manyEmptyFiles(count: number, batch = 2048): Readable {
  const digits = 7;
  const template = tarHeader(`f/${'0'.repeat(digits)}`);
  // Checksum without the name digits, so each header's sum is base + its digits' bytes.
  let base = 0;
  for (let i = 0; i < BLOCK; i++) if (i < 2 || i >= 2 + digits) base += i >= 148 && i < 156 ? 0x20 : (template[i] as number);
  let next = 0;
  return new Readable({
    read() {
      if (next >= count) {
        this.push(tarEnd());
        this.push(null);
        return;
      }
      const n = Math.min(batch, count - next);
      const out = Buffer.alloc(n * BLOCK);
      for (let k = 0; k < n; k++, next++) {
        const h = out.subarray(k * BLOCK, (k + 1) * BLOCK);
        template.copy(h);
        const name = next.toString().padStart(digits, '0');
        h.write(name, 2, digits, 'ascii');
        let sum = base;
        for (let j = 0; j < digits; j++) sum += name.charCodeAt(j);
        h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
      }
      this.push(out);
    },
  });
}
