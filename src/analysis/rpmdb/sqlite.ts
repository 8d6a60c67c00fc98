/**
 * A minimal read-only SQLite reader for rpm's `rpmdb.sqlite`: it finds the `Packages` table in
 * the schema and walks that table's b-tree in rowid order, yielding the `blob` column (the header
 * blob) of each row. Nothing else of SQLite is needed: no SQL, no indexes, no writes.
 *
 * Format (sqlite.org/fileformat2.html): 100-byte file header (page size at 16, reserved bytes per
 * page at 20, text encoding at 56), then pages; page 1 is the root of the schema table. Table
 * b-tree pages are interior (type 5: child page + rowid per cell, right-most child in the header)
 * or leaf (type 13: payload length, rowid, payload, first overflow page when the payload spills).
 * Overflow pages hold the next page number then usable-size − 4 bytes of payload. A row's payload
 * is a record: header length, serial types, then values.
 *
 * Only the main database file is read. rpm runs it in WAL mode; a `-wal` file left next to it
 * (rpm killed mid-transaction) may hold newer rows, which are not seen.
 *
 * Hostile input: every offset is checked against its page, every page number against the file,
 * and each page may be visited once (a bitmap), so cycles end and total work and allocation are
 * bounded by the file's size. Tree depth is capped.
 */
import type { DbItem } from './types.js';

const MAGIC = 'SQLite format 3\0';
const FILE_HEADER_SIZE = 100;
const INTERIOR_TABLE = 5;
const LEAF_TABLE = 13;
/** A table of 2^64 rows fits in far fewer levels; deeper means a corrupt tree. */
const MAX_DEPTH = 32;
const PACKAGES_TABLE = 'packages';
const BLOB_COLUMN = 1;

export function isSqlite(buf: Buffer): boolean {
  return buf.length >= FILE_HEADER_SIZE && buf.toString('latin1', 0, 16) === MAGIC;
}

/** A problem that ends the walk of one table; caught inside this module only. */
class Corrupt extends Error {}

interface Row {
  rowid: number;
  payload: Buffer;
}

export function* readSqlitePackages(buf: Buffer): Generator<DbItem> {
  if (!isSqlite(buf)) {
    yield { kind: 'problem', message: 'not an SQLite database (no "SQLite format 3" header)' };
    return;
  }
  const rawPageSize = buf.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) {
    yield { kind: 'problem', message: `invalid SQLite page size ${rawPageSize}` };
    return;
  }
  const usable = pageSize - (buf[20] as number);
  if (usable < 480) {
    yield { kind: 'problem', message: `SQLite page has only ${usable} usable bytes` };
    return;
  }
  const encoding = buf.readUInt32BE(56);
  const textEncoding: BufferEncoding | undefined = encoding === 1 || encoding === 0 ? 'utf8' : encoding === 2 ? 'utf16le' : undefined;
  if (!textEncoding) {
    // UTF-16BE has no Node decoder; rpm always creates UTF-8 databases.
    yield { kind: 'problem', message: `SQLite text encoding ${encoding} is not supported` };
    return;
  }
  if (buf.length % pageSize !== 0) {
    yield { kind: 'problem', message: `file holds ${buf.length} bytes, not a whole number of ${pageSize}-byte pages (truncated?)` };
  }
  const tree = new TableTree(buf, pageSize, usable);

  let root: number | undefined;
  try {
    for (const row of tree.rows(1)) {
      const values = decodeRecord(row.payload, textEncoding);
      if (values[0] === 'table' && typeof values[1] === 'string' && values[1].toLowerCase() === PACKAGES_TABLE && typeof values[3] === 'number') {
        root = values[3];
        break;
      }
    }
  } catch (err) {
    if (!(err instanceof Corrupt)) throw err;
    yield { kind: 'problem', message: `schema: ${err.message}` };
    return;
  }
  if (root === undefined) {
    yield { kind: 'problem', message: 'SQLite database has no Packages table; not an rpm database' };
    return;
  }

  // The generator below throws Corrupt mid-walk; rows already read are kept.
  const rows = tree.rows(root);
  for (;;) {
    let next: IteratorResult<Row>;
    try {
      next = rows.next();
    } catch (err) {
      if (!(err instanceof Corrupt)) throw err;
      yield { kind: 'problem', message: `Packages table: ${err.message}; the rest of the table is not read` };
      return;
    }
    if (next.done) return;
    const where = `row ${next.value.rowid}`;
    let values: RecordValue[];
    try {
      values = decodeRecord(next.value.payload, textEncoding);
    } catch (err) {
      if (!(err instanceof Corrupt)) throw err;
      yield { kind: 'problem', message: `${where}: ${err.message}` };
      continue;
    }
    const blob = values[BLOB_COLUMN];
    if (!Buffer.isBuffer(blob)) {
      yield { kind: 'problem', message: `${where}: blob column is not a BLOB` };
      continue;
    }
    yield { kind: 'blob', blob, where };
  }
}

/** Walks table b-trees of one file, each page at most once. */
class TableTree {
  private readonly visited: Uint8Array;
  private readonly pageCount: number;

  constructor(
    private readonly buf: Buffer,
    private readonly pageSize: number,
    private readonly usable: number,
  ) {
    this.pageCount = Math.floor(buf.length / pageSize);
    this.visited = new Uint8Array(this.pageCount + 1);
  }

  /** Rows of the table rooted at `page`, in rowid order. Throws Corrupt. */
  *rows(page: number, depth = 0): Generator<Row> {
    if (depth > MAX_DEPTH) throw new Corrupt('b-tree deeper than any real table');
    const base = this.claim(page, 'b-tree');
    // Page 1 starts with the file header; its b-tree header follows.
    const hdr = page === 1 ? base + FILE_HEADER_SIZE : base;
    const end = base + this.usable;
    const type = this.buf[hdr];
    if (type !== INTERIOR_TABLE && type !== LEAF_TABLE) throw new Corrupt(`page ${page} has type ${type}, not a table b-tree page`);
    const cells = this.buf.readUInt16BE(hdr + 3);
    const pointers = hdr + (type === LEAF_TABLE ? 8 : 12);
    if (pointers + 2 * cells > end) throw new Corrupt(`page ${page} claims ${cells} cells, more than fit`);
    for (let i = 0; i < cells; i++) {
      const cell = base + this.buf.readUInt16BE(pointers + 2 * i);
      if (cell < pointers + 2 * cells || cell >= end) throw new Corrupt(`page ${page} cell ${i} points outside the page`);
      if (type === INTERIOR_TABLE) {
        if (cell + 4 > end) throw new Corrupt(`page ${page} cell ${i} is cut short`);
        yield* this.rows(this.buf.readUInt32BE(cell), depth + 1);
      } else {
        yield this.leafRow(page, cell, end);
      }
    }
    if (type === INTERIOR_TABLE) yield* this.rows(this.buf.readUInt32BE(hdr + 8), depth + 1);
  }

  private leafRow(page: number, cell: number, end: number): Row {
    const size = readVarint(this.buf, cell, end);
    const rowid = readVarint(this.buf, size.next, end);
    const total = size.value;
    if (total > this.buf.length) throw new Corrupt(`page ${page}: row claims ${total} bytes, more than the file`);
    const start = rowid.next;
    // How much of the payload stays on the leaf page (fileformat2 §1.6, table leaf cells).
    const maxLocal = this.usable - 35;
    const minLocal = Math.floor(((this.usable - 12) * 32) / 255) - 23;
    let local = total;
    if (total > maxLocal) {
      const k = minLocal + ((total - minLocal) % (this.usable - 4));
      local = k <= maxLocal ? k : minLocal;
    }
    if (start + local > end) throw new Corrupt(`page ${page}: row ${rowid.value} runs past the page`);
    if (local === total) return { rowid: rowid.value, payload: this.buf.subarray(start, start + local) };
    if (start + local + 4 > end) throw new Corrupt(`page ${page}: row ${rowid.value} overflow pointer cut short`);
    // Walk and check the whole chain before allocating, so a lying length costs nothing.
    const pieces: Array<[number, number]> = [[start, local]];
    let have = local;
    let next = this.buf.readUInt32BE(start + local);
    while (have < total) {
      const base = this.claim(next, 'overflow');
      const take = Math.min(this.usable - 4, total - have);
      pieces.push([base + 4, take]);
      have += take;
      next = this.buf.readUInt32BE(base);
    }
    const payload = Buffer.allocUnsafe(total);
    let filled = 0;
    for (const [from, length] of pieces) filled += this.buf.copy(payload, filled, from, from + length);
    return { rowid: rowid.value, payload };
  }

  /** The file offset of `page`, marking it used; throws when it is outside the file or seen before. */
  private claim(page: number, what: string): number {
    if (page < 1 || page > this.pageCount) throw new Corrupt(`${what} page ${page} is outside the file's ${this.pageCount} pages`);
    if (this.visited[page]) throw new Corrupt(`${what} page ${page} is reached twice (corrupt tree)`);
    this.visited[page] = 1;
    return (page - 1) * this.pageSize;
  }
}

type RecordValue = null | number | string | Buffer;

/** The values of one record; integers beyond 2^53 lose precision (only rootpage is read as one). */
function decodeRecord(payload: Buffer, encoding: BufferEncoding): RecordValue[] {
  const headerSize = readVarint(payload, 0, payload.length);
  if (headerSize.value > payload.length || headerSize.value < headerSize.next) throw new Corrupt('record header longer than the record');
  const types: number[] = [];
  let at = headerSize.next;
  while (at < headerSize.value) {
    const t = readVarint(payload, at, headerSize.value);
    types.push(t.value);
    at = t.next;
  }
  const values: RecordValue[] = [];
  let body = headerSize.value;
  for (const t of types) {
    const len = serialLength(t);
    if (body + len > payload.length) throw new Corrupt('record value runs past the record');
    values.push(serialValue(payload, t, body, len, encoding));
    body += len;
  }
  return values;
}

function serialLength(t: number): number {
  if (t <= 4) return t;
  if (t === 5) return 6;
  if (t === 6 || t === 7) return 8;
  if (t === 8 || t === 9) return 0;
  if (t === 10 || t === 11) throw new Corrupt(`reserved serial type ${t}`);
  return Math.floor((t - (t % 2 === 0 ? 12 : 13)) / 2);
}

function serialValue(p: Buffer, t: number, at: number, len: number, encoding: BufferEncoding): RecordValue {
  if (t === 0) return null;
  if (t >= 1 && t <= 6) return len === 8 ? Number(p.readBigInt64BE(at)) : p.readIntBE(at, len);
  if (t === 7) return p.readDoubleBE(at);
  if (t === 8) return 0;
  if (t === 9) return 1;
  if (t % 2 === 0) return p.subarray(at, at + len);
  return p.toString(encoding, at, at + len);
}

/** SQLite's big-endian varint (1–9 bytes; the 9th byte contributes all 8 bits). */
function readVarint(buf: Buffer, at: number, end: number): { value: number; next: number } {
  let value = 0;
  for (let i = 0; i < 9; i++) {
    if (at + i >= end) throw new Corrupt('varint runs past its page');
    const byte = buf[at + i] as number;
    if (i === 8) return { value: value * 256 + byte, next: at + 9 };
    value = value * 128 + (byte & 0x7f);
    if (byte < 0x80) return { value, next: at + i + 1 };
  }
  return { value, next: at + 9 };
}
