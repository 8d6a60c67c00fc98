/**
 * Builders for synthetic rpm header blobs and BerkeleyDB hash files, written from the format
 * descriptions in src/analysis/rpmdb/*.ts, so tests can cover what the real databases do not
 * (big-endian files, inline values, lying lengths, cycles).
 */

export const TYPE = { INT32: 4, STRING: 6, BIN: 7, STRING_ARRAY: 8, I18NSTRING: 9 } as const;

export interface TagSpec {
  tag: number;
  type: number;
  value: string | string[] | number;
}

/** An rpm header blob (il, dl, index entries, data) holding the given tags in order. */
export function buildHeader(tags: TagSpec[]): Buffer {
  const chunks: Buffer[] = [];
  let dl = 0;
  const index = Buffer.alloc(16 * tags.length);
  tags.forEach((t, i) => {
    let data: Buffer;
    let count = 1;
    if (typeof t.value === 'number') {
      const pad = (4 - (dl % 4)) % 4;
      if (pad) {
        chunks.push(Buffer.alloc(pad));
        dl += pad;
      }
      data = Buffer.alloc(4);
      data.writeUInt32BE(t.value);
    } else if (Array.isArray(t.value)) {
      data = Buffer.concat(t.value.map((v) => Buffer.from(`${v}\0`)));
      count = t.value.length;
    } else {
      data = Buffer.from(`${t.value}\0`);
    }
    index.writeUInt32BE(t.tag, 16 * i);
    index.writeUInt32BE(t.type, 16 * i + 4);
    index.writeUInt32BE(dl, 16 * i + 8);
    index.writeUInt32BE(count, 16 * i + 12);
    chunks.push(data);
    dl += data.length;
  });
  const preamble = Buffer.alloc(8);
  preamble.writeUInt32BE(tags.length, 0);
  preamble.writeUInt32BE(dl, 4);
  return Buffer.concat([preamble, index, ...chunks]);
}

/** A package header with the usual tags; `extra` are appended (later entries win). */
export function packageHeader(p: { name: string; version: string; release: string; epoch?: number; arch?: string; sourceRpm?: string; license?: string }, extra: TagSpec[] = []): Buffer {
  const tags: TagSpec[] = [
    { tag: 1000, type: TYPE.STRING, value: p.name },
    { tag: 1001, type: TYPE.STRING, value: p.version },
    { tag: 1002, type: TYPE.STRING, value: p.release },
  ];
  if (p.epoch !== undefined) tags.push({ tag: 1003, type: TYPE.INT32, value: p.epoch });
  if (p.license !== undefined) tags.push({ tag: 1014, type: TYPE.STRING, value: p.license });
  if (p.arch !== undefined) tags.push({ tag: 1022, type: TYPE.STRING, value: p.arch });
  if (p.sourceRpm !== undefined) tags.push({ tag: 1044, type: TYPE.STRING, value: p.sourceRpm });
  return buildHeader([...tags, ...extra]);
}

export interface BdbOptions {
  littleEndian?: boolean;
  pageSize?: number;
  /** Store values inline on the hash page (H_KEYDATA) instead of in overflow chains. */
  inline?: boolean;
}

/**
 * A BerkeleyDB hash file: meta page, one hash page with the instance-counter record (key 0) and
 * one key/value pair per blob, then each blob's overflow chain. Returns the file and, per blob,
 * the page numbers of its chain (for tests that then break them).
 */
export function buildBdb(blobs: Buffer[], opts: BdbOptions = {}): { file: Buffer; chains: number[][]; hashPage: number } {
  const le = opts.littleEndian ?? true;
  const pageSize = opts.pageSize ?? 4096;
  const onPage = pageSize - 26;
  const chains: number[][] = [];
  let nextPage = 2;
  for (const b of blobs) {
    const chain: number[] = [];
    if (!opts.inline) for (let i = 0; i < Math.max(1, Math.ceil(b.length / onPage)); i++) chain.push(nextPage++);
    chains.push(chain);
  }
  const file = Buffer.alloc(pageSize * nextPage);
  const w32 = (off: number, v: number) => (le ? file.writeUInt32LE(v, off) : file.writeUInt32BE(v, off));
  const w16 = (off: number, v: number) => (le ? file.writeUInt16LE(v, off) : file.writeUInt16BE(v, off));

  // Meta page.
  w32(8, 0);
  w32(12, 0x061561);
  w32(16, 9);
  w32(20, pageSize);
  file[25] = 8;
  w32(32, nextPage - 1);

  // Hash page 1: items grow down from the page end, index entries up from offset 26.
  const hp = pageSize;
  w32(hp + 8, 1);
  file[hp + 25] = 13;
  let top = pageSize;
  let entries = 0;
  const addItem = (bytes: Buffer) => {
    top -= bytes.length;
    if (top < 26 + 2 * (entries + 1)) throw new Error('test hash page full');
    bytes.copy(file, hp + top);
    w16(hp + 26 + 2 * entries, top);
    entries++;
  };
  const keyItem = (n: number) => {
    const b = Buffer.alloc(5);
    b[0] = 1;
    if (le) b.writeUInt32LE(n, 1);
    else b.writeUInt32BE(n, 1);
    return b;
  };
  const counter = Buffer.alloc(5);
  counter[0] = 1;
  addItem(keyItem(0));
  addItem(counter);
  blobs.forEach((blob, i) => {
    addItem(keyItem(i + 1));
    if (opts.inline) {
      addItem(Buffer.concat([Buffer.from([1]), blob]));
      return;
    }
    const ref = Buffer.alloc(12);
    ref[0] = 3;
    const chain = chains[i] as number[];
    if (le) {
      ref.writeUInt32LE(chain[0] as number, 4);
      ref.writeUInt32LE(blob.length, 8);
    } else {
      ref.writeUInt32BE(chain[0] as number, 4);
      ref.writeUInt32BE(blob.length, 8);
    }
    addItem(ref);
    chain.forEach((page, j) => {
      const base = page * pageSize;
      const part = blob.subarray(j * onPage, (j + 1) * onPage);
      w32(base + 8, page);
      w32(base + 16, chain[j + 1] ?? 0);
      w16(base + 22, part.length);
      file[base + 25] = 7;
      part.copy(file, base + 26);
    });
  });
  w16(hp + 20, entries);
  w16(hp + 22, top);
  return { file, chains, hashPage: 1 };
}
