/**
 * Read-only reader for rpm's BerkeleyDB `Packages` file: a Berkeley DB hash database whose keys
 * are 4-byte header numbers and whose values are header blobs. Pages are read in file order (the
 * order `rpm -qa` lists BDB databases in), and each hash page's key/value pairs in slot order.
 *
 * Layout used (Berkeley DB 4.x–5.x, version 8–10 hash): page 0 is the metadata page (magic at 12,
 * page size at 20, encryption at 24, last page number at 32); every page starts with a 26-byte
 * header (page number at 8, next page at 16, entry count at 20, high-free-offset at 22 — on
 * overflow pages the number of data bytes — and type at 25), followed on hash pages by an array
 * of 2-byte item offsets. Items are typed by their first byte: inline data (H_KEYDATA) or a
 * reference (H_OFFPAGE: first overflow page at +4, total length at +8) to a chain of overflow
 * pages. Numbers are in the byte order of the machine that wrote the file; the magic says which.
 *
 * Hostile input: every offset is checked against its page and every page number against the file;
 * each overflow page may serve one value only (a bitmap), so the total work and memory are bounded
 * by the file's size whatever the length fields say, and a cycle cannot loop.
 */
import type { DbItem } from './types.js';

const HASH_MAGIC = 0x061561;
const BTREE_MAGIC = 0x053162;
const PAGE_HEADER_SIZE = 26;
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASHMETA = 8;
const P_HASH = 13;
const H_KEYDATA = 1;
const H_DUPLICATE = 2;
const H_OFFPAGE = 3;
const H_OFFDUP = 4;
const OFFPAGE_ITEM_SIZE = 12;

/** Which byte order the file is in, or undefined when page 0 is not a BerkeleyDB hash meta page. */
export function bdbByteOrder(buf: Buffer): { littleEndian: boolean; magic: 'hash' | 'btree' } | undefined {
  if (buf.length < 512) return undefined;
  for (const littleEndian of [true, false]) {
    const magic = littleEndian ? buf.readUInt32LE(12) : buf.readUInt32BE(12);
    if (magic === HASH_MAGIC) return { littleEndian, magic: 'hash' };
    if (magic === BTREE_MAGIC) return { littleEndian, magic: 'btree' };
  }
  return undefined;
}

export function* readBdbPackages(buf: Buffer): Generator<DbItem> {
  const order = bdbByteOrder(buf);
  if (!order) {
    yield { kind: 'problem', message: 'not a BerkeleyDB file (no hash magic on page 0)' };
    return;
  }
  if (order.magic !== 'hash') {
    yield { kind: 'problem', message: 'BerkeleyDB btree database, but rpm keeps Packages as a hash database; not read' };
    return;
  }
  const le = order.littleEndian;
  const u32 = (off: number) => (le ? buf.readUInt32LE(off) : buf.readUInt32BE(off));
  const u16 = (off: number) => (le ? buf.readUInt16LE(off) : buf.readUInt16BE(off));

  const pageSize = u32(20);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    yield { kind: 'problem', message: `invalid BerkeleyDB page size ${pageSize}` };
    return;
  }
  if (buf[25] !== P_HASHMETA) {
    yield { kind: 'problem', message: `page 0 has type ${buf[25]}, not a hash metadata page` };
    return;
  }
  if (buf[24] !== 0) {
    yield { kind: 'problem', message: 'encrypted BerkeleyDB database; not read' };
    return;
  }
  const pagesInFile = Math.floor(buf.length / pageSize);
  const lastPage = u32(32);
  // A file cut short is read as far as it goes; the missing pages show up as problems below.
  const pageCount = Math.min(pagesInFile, lastPage + 1);
  if (buf.length % pageSize !== 0 || lastPage + 1 > pagesInFile) {
    yield { kind: 'problem', message: `file holds ${buf.length} bytes, ${lastPage + 1} pages of ${pageSize} bytes expected (truncated?)` };
  }
  const usedOverflow = new Uint8Array(pageCount);

  /**
   * The bytes of an overflow chain, or why it cannot be read. The chain is walked and checked
   * before anything is allocated, so a lying length costs nothing.
   */
  const readOverflow = (first: number, total: number): Buffer | string => {
    if (total > buf.length) return `value claims ${total} bytes, more than the whole file`;
    const pages: Array<[start: number, length: number]> = [];
    let counted = 0;
    let page = first;
    while (counted < total) {
      if (page === 0 || page >= pageCount) return `overflow chain reaches page ${page}, outside the file's ${pageCount} pages`;
      if (usedOverflow[page]) return `overflow page ${page} is used twice (corrupt chain)`;
      usedOverflow[page] = 1;
      const base = page * pageSize;
      if (buf[base + 25] !== P_OVERFLOW) return `page ${page} has type ${buf[base + 25]}, not an overflow page`;
      const onPage = u16(base + 22);
      if (onPage === 0 || PAGE_HEADER_SIZE + onPage > pageSize) return `overflow page ${page} claims ${onPage} bytes`;
      const take = Math.min(onPage, total - counted);
      pages.push([base + PAGE_HEADER_SIZE, take]);
      counted += take;
      page = u32(base + 16);
    }
    if (pages.length === 1) {
      const [start, length] = pages[0] as [number, number];
      return buf.subarray(start, start + length);
    }
    const out = Buffer.allocUnsafe(total);
    let filled = 0;
    for (const [start, length] of pages) filled += buf.copy(out, filled, start, start + length);
    return out;
  };

  for (let page = 1; page < pageCount; page++) {
    const base = page * pageSize;
    const type = buf[base + 25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    const entries = u16(base + 20);
    const indexEnd = PAGE_HEADER_SIZE + 2 * entries;
    if (indexEnd > pageSize) {
      yield { kind: 'problem', message: `hash page ${page} claims ${entries} entries, more than fit` };
      continue;
    }
    /** Item `i` of this page as [start, end) file offsets, or undefined when its offset lies. */
    const item = (i: number): [number, number] | undefined => {
      const start = u16(base + PAGE_HEADER_SIZE + 2 * i);
      const end = i === 0 ? pageSize : u16(base + PAGE_HEADER_SIZE + 2 * (i - 1));
      if (start < indexEnd || start >= end || end > pageSize) return undefined;
      return [base + start, base + end];
    };
    for (let i = 0; i + 1 < entries; i += 2) {
      const where = `page ${page} item ${i / 2}`;
      const key = item(i);
      const value = item(i + 1);
      if (!key || !value) {
        yield { kind: 'problem', message: `${where}: item offset outside its page` };
        continue;
      }
      // Header number 0 holds rpm's instance counter, not a package.
      if (buf[key[0]] === H_KEYDATA && key[1] - key[0] === 5 && u32(key[0] + 1) === 0) continue;
      const valueType = buf[value[0]];
      if (valueType === H_KEYDATA) {
        yield { kind: 'blob', blob: buf.subarray(value[0] + 1, value[1]), where };
      } else if (valueType === H_OFFPAGE) {
        if (value[1] - value[0] < OFFPAGE_ITEM_SIZE) {
          yield { kind: 'problem', message: `${where}: overflow reference cut short` };
          continue;
        }
        const blob = readOverflow(u32(value[0] + 4), u32(value[0] + 8));
        if (typeof blob === 'string') yield { kind: 'problem', message: `${where}: ${blob}` };
        else yield { kind: 'blob', blob, where };
      } else if (valueType === H_DUPLICATE || valueType === H_OFFDUP) {
        yield { kind: 'problem', message: `${where}: duplicate-key value, which rpm never writes; skipped` };
      } else {
        yield { kind: 'problem', message: `${where}: unknown item type ${valueType}` };
      }
    }
  }
}
