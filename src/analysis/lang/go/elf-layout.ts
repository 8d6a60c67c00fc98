/**
 * Just enough of an ELF file's header to map virtual addresses to file offsets: the loadable
 * segments of the program header table. Pre-1.18 Go build info stores pointers (virtual
 * addresses); a streaming reader must know where in the file they land before those bytes pass.
 */

export interface LoadSegment {
  fileOffset: number;
  vaddr: number;
  fileSize: number;
}

export interface ElfLayout {
  is64: boolean;
  bigEndian: boolean;
  segments: LoadSegment[];
}

const PT_LOAD = 1;
/** Real executables have a dozen program headers; this bounds what a crafted header can make us read. */
const MAX_PROGRAM_HEADERS = 512;

export type ElfHeadRead = { status: 'ok'; layout: ElfLayout } | { status: 'need-more'; need: number } | { status: 'invalid'; reason: string };

/** Reads the ELF header and program headers from the first bytes of a file. */
export function readElfLayout(head: Buffer): ElfHeadRead {
  if (head.length < 64) return { status: 'need-more', need: 64 };
  if (head.readUInt32BE(0) !== 0x7f454c46) return { status: 'invalid', reason: 'not an ELF file' };
  const cls = head[4];
  const data = head[5];
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) return { status: 'invalid', reason: 'unknown ELF class or byte order' };
  const is64 = cls === 2;
  const be = data === 2;
  const u16 = (at: number) => (be ? head.readUInt16BE(at) : head.readUInt16LE(at));
  const u32 = (at: number) => (be ? head.readUInt32BE(at) : head.readUInt32LE(at));
  const uword = (b: Buffer, at: number): number => {
    if (!is64) return be ? b.readUInt32BE(at) : b.readUInt32LE(at);
    const v = be ? b.readBigUInt64BE(at) : b.readBigUInt64LE(at);
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : Number.NaN;
  };
  const phoff = is64 ? uword(head, 32) : u32(28);
  const phentsize = u16(is64 ? 54 : 42);
  const phnum = u16(is64 ? 56 : 44);
  const minEntry = is64 ? 56 : 32;
  if (!Number.isFinite(phoff) || phnum === 0 || phnum > MAX_PROGRAM_HEADERS || phentsize < minEntry) {
    return { status: 'invalid', reason: 'implausible program header table' };
  }
  const end = phoff + phnum * phentsize;
  if (head.length < end) return { status: 'need-more', need: end };
  const segments: LoadSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (u32(at) !== PT_LOAD) continue;
    const seg = is64
      ? { fileOffset: uword(head, at + 8), vaddr: uword(head, at + 16), fileSize: uword(head, at + 32) }
      : { fileOffset: u32(at + 4), vaddr: u32(at + 8), fileSize: u32(at + 16) };
    if (Number.isFinite(seg.fileOffset) && Number.isFinite(seg.vaddr) && Number.isFinite(seg.fileSize)) segments.push(seg);
  }
  return { status: 'ok', layout: { is64, bigEndian: be, segments } };
}

/** File offset of `length` bytes at virtual address `vaddr`, or null when no segment holds them in the file. */
export function fileOffsetOf(layout: ElfLayout, vaddr: number, length: number): number | null {
  for (const s of layout.segments) {
    if (vaddr >= s.vaddr && vaddr + length <= s.vaddr + s.fileSize) return s.fileOffset + (vaddr - s.vaddr);
  }
  return null;
}
