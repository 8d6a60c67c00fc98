/**
 * Index of an uncompressed tar file on disk: name → (offset, size) of each regular file, read from
 * headers only (content is skipped by seeking). Lets archive sources open any member as a stream
 * without extracting, in any order. Handles ustar prefixes, GNU long names and pax `path`/`size`.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { posix } from 'node:path';
import { TarsierError } from '../../errors.js';

export interface TarMember {
  offset: number;
  size: number;
}

const BLOCK = 512;
/** An image archive has a handful of members per layer; more means something is wrong. */
const MAX_MEMBERS = 100_000;
/** Long-name and pax records are small; a huge one is an attack on memory. */
const MAX_META_RECORD = 1 << 20;

function readString(buf: Buffer, start: number, len: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString('utf8', start, end === -1 || end > start + len ? start + len : end);
}

function readNumber(buf: Buffer, start: number, len: number, where: string): number {
  // GNU base-256 for sizes over 8 GiB: high bit of first byte set.
  if ((buf[start] ?? 0) & 0x80) {
    let n = 0;
    for (let i = start + 1; i < start + len; i++) n = n * 256 + (buf[i] ?? 0);
    return n;
  }
  const text = readString(buf, start, len).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarsierError('input', `${where}: corrupt tar header (bad number field)`);
  return parseInt(text, 8);
}

function checksumOk(h: Buffer): boolean {
  const stored = readString(h, 148, 8).trim();
  if (!/^[0-7]+$/.test(stored)) return false;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (h[i] ?? 0);
  return sum === parseInt(stored, 8);
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const sp = data.indexOf(0x20, pos);
    if (sp === -1) break;
    const len = parseInt(data.toString('utf8', pos, sp), 10);
    if (!Number.isFinite(len) || len <= 0 || pos + len > data.length) break;
    const record = data.toString('utf8', sp + 1, pos + len - 1);
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    pos += len;
  }
  return out;
}

async function readAt(fh: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, offset);
  return bytesRead === length ? buf : buf.subarray(0, bytesRead);
}

/** Builds the member index of the tar at `file`. `where` names the archive in errors. */
export async function indexTar(file: string, where = file): Promise<Map<string, TarMember>> {
  const fh = await open(file, 'r');
  try {
    const { size: fileSize } = await fh.stat();
    const members = new Map<string, TarMember>();
    let offset = 0;
    let longName: string | undefined;
    let pax: Record<string, string> = {};
    while (offset + BLOCK <= fileSize) {
      const h = await readAt(fh, offset, BLOCK);
      if (h.every((b) => b === 0)) break; // end-of-archive marker
      if (!checksumOk(h)) throw new TarsierError('input', `${where}: not a tar archive or corrupt header at byte ${offset}`);
      const typeflag = String.fromCharCode(h[156] ?? 48);
      let size = readNumber(h, 124, 12, where);
      if (pax.size !== undefined) size = Number(pax.size);
      const dataStart = offset + BLOCK;
      if (dataStart + size > fileSize) throw new TarsierError('input', `${where}: truncated archive (member at byte ${offset} runs past the end)`);
      const next = dataStart + Math.ceil(size / BLOCK) * BLOCK;
      if (typeflag === 'L' || typeflag === 'x' || typeflag === 'g') {
        if (size > MAX_META_RECORD) throw new TarsierError('input', `${where}: oversized tar metadata record at byte ${offset}`);
        const data = await readAt(fh, dataStart, size);
        if (typeflag === 'L') longName = readString(data, 0, data.length);
        else if (typeflag === 'x') pax = parsePax(data);
        offset = next;
        continue;
      }
      const prefix = readString(h, 345, 155);
      const rawName = pax.path ?? longName ?? (prefix ? `${prefix}/${readString(h, 0, 100)}` : readString(h, 0, 100));
      longName = undefined;
      pax = {};
      if (typeflag === '0' || typeflag === '\0' || typeflag === '7') {
        const name = posix.normalize(rawName).replace(/^(\.\/)+/, '').replace(/^\/+/, '');
        members.set(name, { offset: dataStart, size });
        if (members.size > MAX_MEMBERS) throw new TarsierError('input', `${where}: more than ${MAX_MEMBERS} members; not an image archive`);
      }
      offset = next;
    }
    return members;
  } finally {
    await fh.close();
  }
}
