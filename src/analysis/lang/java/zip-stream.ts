/**
 * Reads the parts of a Java archive we need (Maven `pom.properties`, the manifest, nested
 * archives) from a stream of chunks, without holding the archive: the central directory is at the
 * end, where a stream reader cannot wait for it, so entries are found by their local headers.
 *
 * - An entry whose size the local header gives is skipped, collected or, for a stored nested
 *   archive (Spring Boot fat jars), streamed straight into a child reader: no copy at all.
 * - Writers that stream (the `jar` tool, ZipOutputStream) put sizes after the data (flag bit 3), in
 *   a data descriptor. Such an entry ends at the first header (or central directory) that is
 *   preceded by a descriptor whose compressed size is exactly the distance from the entry's data
 *   start: a nested zip held in deflate's stored blocks shows its own headers verbatim, and only
 *   this check tells them from ours. Inflation ignores the trailing descriptor.
 * - Deflated nested archives (WAR `WEB-INF/lib`, EAR modules) are collected compressed, inflated
 *   in memory with a cap, and read by a child reader, one at a time.
 *
 * Everything untrusted is bounded per top-level archive (shared `ZipBudget`): nesting depth,
 * headers read, bytes collected and bytes inflated. Problems become notes, never exceptions.
 */
import { constants, inflateRawSync } from 'node:zlib';

export interface ZipLimits {
  /** Nested archives deeper than this (top level is 0) are not opened. */
  maxDepth: number;
  /** Local headers read in the whole tree (a million tiny entries costs time, not memory). */
  maxEntries: number;
  /** Largest compressed nested archive collected into memory. */
  maxNestedCompressedBytes: number;
  /** Largest inflated nested archive, and largest pom.properties/manifest source bytes. */
  maxNestedInflatedBytes: number;
  maxSmallEntryBytes: number;
  /** Bytes inflated in the whole tree: bounds the time a zip bomb (or a nested bomb) can cost. */
  maxTotalInflatedBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxDepth: 4,
  maxEntries: 500_000,
  maxNestedCompressedBytes: 32 * 1024 * 1024,
  maxNestedInflatedBytes: 64 * 1024 * 1024,
  maxSmallEntryBytes: 1024 * 1024,
  maxTotalInflatedBytes: 512 * 1024 * 1024,
};

/** What one archive (top-level or nested) holds that identifies Java packages. */
export interface ArchiveScan {
  /** `dir/app.war` or, nested, `dir/app.war!/WEB-INF/lib/x.jar`. */
  path: string;
  /** Contents of each `META-INF/maven/<group>/<artifact>/pom.properties`, in archive order. */
  pomProperties: Buffer[];
  manifest: Buffer | null;
  children: ArchiveScan[];
  /** Whether any local header was found: false means this is not a zip archive at all. */
  sawEntries: boolean;
  notes: string[];
}

/** State shared by every reader of one top-level archive. */
export class ZipBudget {
  entries = 0;
  inflated = 0;
  private exhaustedNoted = new Set<string>();
  constructor(readonly limits: ZipLimits) {}

  /** Records a limit hit once per kind, so a bomb gives one note, not thousands. */
  noteOnce(kind: string, note: string, notes: string[]): void {
    if (this.exhaustedNoted.has(kind)) return;
    this.exhaustedNoted.add(kind);
    notes.push(note);
  }
}

const LOCAL_SIG = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const CENTRAL_SIG = Buffer.from([0x50, 0x4b, 0x01, 0x02]);
const DESCRIPTOR_SIG = 0x08074b50;
/** Signature, CRC and two 64-bit sizes. */
const MAX_DESCRIPTOR_BYTES = 24;
const LOCAL_HEADER_BYTES = 30;
const FLAG_ENCRYPTED = 0x1;
const FLAG_DATA_DESCRIPTOR = 0x8;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;
/** Methods a real header may name (stored, shrink…deflate64, bzip2, lzma, zstd, xz, jpeg, wavpack, ppmd, aes). */
const KNOWN_METHODS = new Set([0, 1, 2, 3, 4, 5, 6, 8, 9, 12, 14, 19, 93, 95, 96, 97, 98, 99]);
const MAX_NAME_BYTES = 4096;
const EMPTY = Buffer.alloc(0);

type Wanted = 'pom' | 'manifest' | 'nested';

const POM_PROPERTIES = /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/;
const NESTED_ARCHIVE = /\.(?:jar|war|ear|par|sar|jpi|hpi)$/i;

export function classifyEntry(name: string): Wanted | null {
  if (POM_PROPERTIES.test(name)) return 'pom';
  if (name.toUpperCase() === 'META-INF/MANIFEST.MF') return 'manifest';
  if (NESTED_ARCHIVE.test(name) && !name.endsWith('/')) return 'nested';
  return null;
}

interface LocalHeader {
  name: string;
  flags: number;
  method: number;
  /** Compressed size, or null when it only follows the data (bit 3 with zero sizes). */
  compressedSize: number | null;
  headerBytes: number;
}

interface Collecting {
  name: string;
  wanted: Wanted;
  method: number;
  parts: Buffer[];
  bytes: number;
  cap: number;
  /** Size unknown: collection ends at the next header (or the central directory). */
  open: boolean;
  overflowed: boolean;
}

type Mode =
  | { kind: 'seek' }
  | { kind: 'skip'; remaining: number }
  | { kind: 'collect'; remaining: number }
  | { kind: 'feed'; remaining: number; child: ZipStreamReader; name: string };

export class ZipStreamReader {
  private readonly scan: ArchiveScan;
  private mode: Mode = { kind: 'seek' };
  /** Unconsumed bytes kept between writes: a partial header, or the last bytes of a possible signature. */
  private pending: Buffer = EMPTY;
  /** Stream offset of the next write's first byte (of `pending`, when there is some). */
  private base = 0;
  /** The bytes just before `base`, enough for a data descriptor. */
  private recent: Buffer = EMPTY;
  /** Stream offset where the data of an entry of unknown size starts; null when not in one. */
  private openDataStart: number | null = null;
  private centralCache: { work: Buffer; from: number; at: number } | null = null;
  private collecting: Collecting | null = null;
  private stopped = false;

  constructor(
    path: string,
    private readonly depth: number,
    private readonly budget: ZipBudget,
  ) {
    this.scan = { path, pomProperties: [], manifest: null, children: [], sawEntries: false, notes: [] };
  }

  write(chunk: Buffer): void {
    if (this.stopped || chunk.length === 0) return;
    const work = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = EMPTY;
    let i = 0;
    while (i < work.length && !this.stopped) {
      const mode = this.mode;
      if (mode.kind !== 'seek') {
        const n = Math.min(mode.remaining, work.length - i);
        const part = work.subarray(i, i + n);
        if (mode.kind === 'collect') this.collect(part);
        else if (mode.kind === 'feed') mode.child.write(part);
        i += n;
        mode.remaining -= n;
        if (mode.remaining === 0) this.endSizedEntry();
        continue;
      }
      i = this.seek(work, i);
    }
    const consumed = work.length - this.pending.length;
    this.recent = Buffer.from(Buffer.concat([this.recent, work.subarray(Math.max(0, consumed - MAX_DESCRIPTOR_BYTES), consumed)]).subarray(-MAX_DESCRIPTOR_BYTES));
    this.base += consumed;
  }

  finish(): ArchiveScan {
    if (!this.stopped) {
      if (this.pending.subarray(0, LOCAL_SIG.length).equals(LOCAL_SIG) && this.pending.length >= LOCAL_SIG.length) {
        this.scan.notes.push('the archive ends inside an entry header');
      } else this.collect(this.pending);
      this.pending = EMPTY;
      const mode = this.mode;
      if (mode.kind === 'feed') {
        this.scan.notes.push(`${mode.name} is cut off by the end of the archive`);
        this.scan.children.push(mode.child.finish());
      } else if (mode.kind === 'collect' && this.collecting) {
        this.scan.notes.push(`${this.collecting.name} is cut off by the end of the archive`);
        this.collecting = null;
      } else if (this.collecting) this.closeCollecting();
    }
    this.mode = { kind: 'seek' };
    if (!this.scan.sawEntries) this.scan.notes.push('not a zip archive (no entries found)');
    return this.scan;
  }

  /** Looks for the next header from `i`; returns where to continue. */
  private seek(work: Buffer, i: number): number {
    const local = work.indexOf(LOCAL_SIG, i);
    // In an entry of unknown size the central directory ends it too (the last entry).
    const central = this.openDataStart !== null ? this.nextCentral(work, i) : -1;
    const at = central >= 0 && (local < 0 || central < local) ? central : local;
    if (at < 0) {
      // Keep the last 3 bytes: they may begin a signature the next chunk completes.
      const keep = Math.max(i, work.length - (LOCAL_SIG.length - 1));
      this.collect(work.subarray(i, keep));
      this.pending = Buffer.from(work.subarray(keep));
      return work.length;
    }
    const dataLength = this.openDataStart !== null ? this.descriptorEndsAt(work, at) : undefined;
    if (dataLength === null) {
      // A signature inside the entry's data (compressed bytes, or a nested zip's own headers).
      this.collect(work.subarray(i, at + 1));
      return at + 1;
    }
    if (at === central) {
      this.collect(work.subarray(i, at));
      this.closeCollecting(dataLength);
      this.openDataStart = null;
      return at + CENTRAL_SIG.length;
    }
    const header = parseLocalHeader(work, at);
    if (header === 'need-more') {
      this.collect(work.subarray(i, at));
      this.pending = Buffer.from(work.subarray(at));
      return work.length;
    }
    if (header === null) {
      this.collect(work.subarray(i, at + 1));
      return at + 1;
    }
    this.collect(work.subarray(i, at));
    this.closeCollecting(dataLength);
    this.openDataStart = null;
    this.startEntry(header);
    if (header.compressedSize === null && !this.stopped) this.openDataStart = this.base + at + header.headerBytes;
    return at + header.headerBytes;
  }

  /**
   * `work.indexOf(CENTRAL_SIG, from)`, remembered per buffer: a nested zip in stored deflate
   * blocks puts thousands of candidate headers in one chunk, and searching the rest of the chunk
   * again for each would be quadratic.
   */
  private nextCentral(work: Buffer, from: number): number {
    const cached = this.centralCache;
    if (cached && cached.work === work && (cached.at < 0 || cached.at >= from) && cached.from <= from) return cached.at;
    const at = work.indexOf(CENTRAL_SIG, from);
    this.centralCache = { work, from, at };
    return at;
  }

  /**
   * Whether the bytes before `work[at]` are the data descriptor of the open entry (with or
   * without its signature, 32- or 64-bit sizes, its compressed size equal to the data's length):
   * the data's length when they are, null when not.
   */
  private descriptorEndsAt(work: Buffer, at: number): number | null {
    const start = this.openDataStart as number;
    const abs = this.base + at;
    const before = at >= MAX_DESCRIPTOR_BYTES ? work.subarray(at - MAX_DESCRIPTOR_BYTES, at) : Buffer.concat([this.recent, work.subarray(0, at)]).subarray(-MAX_DESCRIPTOR_BYTES);
    const n = before.length;
    const sigAt = (len: number) => n >= len && before.readUInt32LE(n - len) === DESCRIPTOR_SIG;
    const size32 = () => before.readUInt32LE(n - 8);
    const size64 = () => Number(before.readBigUInt64LE(n - 16));
    if (n >= 12 && size32() === abs - 12 - start) return size32();
    if (sigAt(16) && size32() === abs - 16 - start) return size32();
    if (n >= 20 && size64() === abs - 20 - start) return size64();
    if (sigAt(24) && size64() === abs - 24 - start) return size64();
    return null;
  }

  private startEntry(h: LocalHeader): void {
    this.scan.sawEntries = true;
    this.budget.entries++;
    if (this.budget.entries > this.budget.limits.maxEntries) {
      this.budget.noteOnce('entries', `more than ${this.budget.limits.maxEntries} entries; the rest of the archive is not read`, this.scan.notes);
      this.stopped = true;
      return;
    }
    const sized = h.compressedSize;
    const skip = (): void => {
      this.mode = sized === null ? { kind: 'seek' } : { kind: 'skip', remaining: sized };
    };
    const wanted = classifyEntry(h.name);
    if (wanted === null) return skip();
    if (h.flags & FLAG_ENCRYPTED) {
      this.scan.notes.push(`${h.name} is encrypted; not read`);
      return skip();
    }
    if (h.method !== METHOD_STORED && h.method !== METHOD_DEFLATED) {
      this.scan.notes.push(`${h.name} uses compression method ${h.method}; not read`);
      return skip();
    }
    const limits = this.budget.limits;
    if (wanted === 'nested') {
      if (this.depth >= limits.maxDepth) {
        this.budget.noteOnce('depth', `archives nested deeper than ${limits.maxDepth} levels are not opened (${h.name})`, this.scan.notes);
        return skip();
      }
      if (h.method === METHOD_STORED && sized !== null) {
        const child = new ZipStreamReader(this.childPath(h.name), this.depth + 1, this.budget);
        this.mode = sized === 0 ? { kind: 'seek' } : { kind: 'feed', remaining: sized, child, name: h.name };
        if (sized === 0) this.scan.children.push(child.finish());
        return;
      }
    }
    const cap = wanted === 'nested' ? limits.maxNestedCompressedBytes : limits.maxSmallEntryBytes;
    if (sized !== null && sized > cap) {
      this.scan.notes.push(`${h.name} is ${sized} bytes compressed, over the ${cap}-byte limit; not read`);
      return skip();
    }
    this.collecting = { name: h.name, wanted, method: h.method, parts: [], bytes: 0, cap, open: sized === null, overflowed: false };
    this.mode = sized === null ? { kind: 'seek' } : { kind: 'collect', remaining: sized };
    if (sized === 0) this.endSizedEntry();
  }

  private collect(part: Buffer): void {
    const c = this.collecting;
    if (!c || part.length === 0 || c.overflowed) return;
    if (c.bytes + part.length > c.cap) {
      c.overflowed = true;
      c.parts = [];
      return;
    }
    c.parts.push(Buffer.from(part));
    c.bytes += part.length;
  }

  private endSizedEntry(): void {
    const mode = this.mode;
    this.mode = { kind: 'seek' };
    if (mode.kind === 'feed') this.scan.children.push(mode.child.finish());
    else if (mode.kind === 'collect') this.closeCollecting();
  }

  /**
   * An entry's bytes are complete: inflate them and use them. `dataLength` is the length a data
   * descriptor gave (what was collected also holds the descriptor); without it, a stored entry of
   * unknown size has no known end.
   */
  private closeCollecting(dataLength?: number): void {
    const c = this.collecting;
    this.collecting = null;
    if (!c) return;
    if (c.overflowed) {
      this.scan.notes.push(`${c.name} is over the ${c.cap}-byte limit; not read`);
      return;
    }
    if (c.open && c.method === METHOD_STORED && dataLength === undefined) {
      this.scan.notes.push(`${c.name} is cut off by the end of the archive`);
      return;
    }
    const limits = this.budget.limits;
    const maxOut = c.wanted === 'nested' ? limits.maxNestedInflatedBytes : limits.maxSmallEntryBytes;
    const raw = Buffer.concat(c.parts, c.bytes).subarray(0, dataLength ?? c.bytes);
    let data: Buffer;
    if (c.method === METHOD_STORED) data = raw;
    else {
      const left = limits.maxTotalInflatedBytes - this.budget.inflated;
      if (left <= 0) {
        this.budget.noteOnce('inflated', `more than ${limits.maxTotalInflatedBytes} bytes inflated in one archive; further entries are not read`, this.scan.notes);
        return;
      }
      const inflated = inflateBounded(raw, Math.min(maxOut, left));
      if (typeof inflated === 'string') {
        this.scan.notes.push(`${c.name}: ${inflated}`);
        if (inflated.startsWith('inflates to more')) this.budget.inflated += Math.min(maxOut, left);
        return;
      }
      data = inflated;
      this.budget.inflated += data.length;
    }
    if (c.wanted === 'pom') this.scan.pomProperties.push(data);
    else if (c.wanted === 'manifest') this.scan.manifest ??= data;
    else {
      const child = new ZipStreamReader(this.childPath(c.name), this.depth + 1, this.budget);
      child.write(data);
      this.scan.children.push(child.finish());
    }
  }

  private childPath(name: string): string {
    return `${this.scan.path}!/${printable(name)}`;
  }
}

/** Inflates raw deflate data, at most `maxBytes` out; a string says why it could not. */
function inflateBounded(raw: Buffer, maxBytes: number): Buffer | string {
  try {
    // Sync flush: a stream cut short still gives what it holds (a truncated nested archive is
    // still worth reading up to the cut); trailing bytes after the stream's end are ignored.
    return inflateRawSync(raw, { maxOutputLength: maxBytes, finishFlush: constants.Z_SYNC_FLUSH });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return `inflates to more than ${maxBytes} bytes; not read`;
    return `corrupt compressed data (${(err as Error).message})`;
  }
}

/**
 * Parses a local file header at `at`: the header, `need-more` when the buffer ends inside it, or
 * null when the bytes are not a plausible header.
 */
function parseLocalHeader(buf: Buffer, at: number): LocalHeader | 'need-more' | null {
  if (buf.length - at < LOCAL_HEADER_BYTES) return 'need-more';
  const version = buf.readUInt16LE(at + 4);
  const flags = buf.readUInt16LE(at + 6);
  const method = buf.readUInt16LE(at + 8);
  let compressedSize: number | null = buf.readUInt32LE(at + 18);
  const uncompressedSize = buf.readUInt32LE(at + 22);
  const nameLen = buf.readUInt16LE(at + 26);
  const extraLen = buf.readUInt16LE(at + 28);
  if ((version & 0xff) > 63 || version >> 8 > 30 || !KNOWN_METHODS.has(method)) return null;
  if (nameLen === 0 || nameLen > MAX_NAME_BYTES) return null;
  const headerBytes = LOCAL_HEADER_BYTES + nameLen + extraLen;
  if (buf.length - at < headerBytes) return 'need-more';
  const nameBytes = buf.subarray(at + LOCAL_HEADER_BYTES, at + LOCAL_HEADER_BYTES + nameLen);
  if (nameBytes.includes(0)) return null;
  const name = nameBytes.toString('utf8');
  if (compressedSize === 0xffffffff) {
    const extra = buf.subarray(at + LOCAL_HEADER_BYTES + nameLen, at + headerBytes);
    compressedSize = zip64CompressedSize(extra, uncompressedSize === 0xffffffff);
    if (compressedSize === null) return null;
  }
  if (flags & FLAG_DATA_DESCRIPTOR && compressedSize === 0) compressedSize = null;
  return { name, flags, method, compressedSize, headerBytes };
}

/** The compressed size from a ZIP64 extra field (id 1): uncompressed size first when it is there too. */
function zip64CompressedSize(extra: Buffer, hasUncompressed: boolean): number | null {
  for (let i = 0; i + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(i);
    const size = extra.readUInt16LE(i + 2);
    const at = i + 4 + (hasUncompressed ? 8 : 0);
    if (id === 1 && at + 8 <= i + 4 + size && at + 8 <= extra.length) {
      const v = extra.readBigUInt64LE(at);
      return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : null;
    }
    i += 4 + size;
  }
  return null;
}

/** Entry names are untrusted: keep them printable for paths and messages. */
function printable(name: string): string {
  let out = '';
  for (const ch of name) out += ch < ' ' || ch === '\u007f' ? '?' : ch;
  return out;
}
