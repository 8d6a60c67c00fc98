/**
 * Decodes the Go build-info blob that the linker writes at the start of the `.go.buildinfo`
 * section: a 14-byte magic, pointer size, flags, padding to 32 bytes, then (Go ≥ 1.18, "inline"
 * flag set) two uvarint-length-prefixed strings: the runtime version and the module info.
 * Older toolchains (Go 1.13–1.17) store two pointers instead, to the string headers of
 * `runtime.buildVersion` and `runtime.modinfo`; ./binary-scanner.ts resolves them while streaming.
 */

export const BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
/** The section is 16-byte aligned; a magic elsewhere is a string constant, not build info. */
export const BUILDINFO_ALIGN = 16;
const HEADER_BYTES = 32;
const FLAG_BIG_ENDIAN = 0x1;
const FLAG_INLINE_STRINGS = 0x2;
/** Toolchain versions are short (`go1.22.3 X:boringcrypto`); anything longer is not build info. */
const MAX_VERSION_BYTES = 1024;
/** Module info of very large programs is tens of KiB; this bounds what a sink may buffer. */
export const MAX_MODINFO_BYTES = 1024 * 1024;
/** Go brackets module info with these 16-byte sentinels (cmd/go modload). */
const MODINFO_SENTINEL_BYTES = 16;
export const MODINFO_START = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
export const MODINFO_END = Buffer.from('f932433186182072008242104116d8f2', 'hex');

export type BlobRead =
  /** More bytes are needed; the blob is at least `need` bytes long. */
  | { status: 'need-more'; need: number }
  /** The magic is not followed by a plausible header: not build info. */
  | { status: 'invalid' }
  /** Pre-1.18 pointer format: virtual addresses of the version's and the module info's string headers. */
  | { status: 'pointer-format'; ptrSize: number; bigEndian: boolean; versionAddr: number; modinfoAddr: number }
  /** Declared lengths exceed the caps above. */
  | { status: 'too-large'; declared: number }
  | { status: 'ok'; goVersion: string; modinfo: string; length: number };

/** Reads the blob at the start of `buf` (which must begin with the magic). */
export function readBuildInfoBlob(buf: Buffer): BlobRead {
  if (buf.length < HEADER_BYTES) return { status: 'need-more', need: HEADER_BYTES };
  if (!buf.subarray(0, BUILDINFO_MAGIC.length).equals(BUILDINFO_MAGIC)) return { status: 'invalid' };
  const ptrSize = buf[14] as number;
  const flags = buf[15] as number;
  if (ptrSize !== 4 && ptrSize !== 8) return { status: 'invalid' };
  if ((flags & ~(FLAG_BIG_ENDIAN | FLAG_INLINE_STRINGS)) !== 0) return { status: 'invalid' };
  if ((flags & FLAG_INLINE_STRINGS) === 0) {
    const bigEndian = (flags & FLAG_BIG_ENDIAN) !== 0;
    const versionAddr = readPointer(buf, 16, ptrSize, bigEndian);
    const modinfoAddr = readPointer(buf, 16 + ptrSize, ptrSize, bigEndian);
    if (versionAddr === null || modinfoAddr === null || versionAddr === 0) return { status: 'invalid' };
    return { status: 'pointer-format', ptrSize, bigEndian, versionAddr, modinfoAddr };
  }
  // The inline header is padded with zeros; a string constant that happens to hold the magic is not.
  for (let i = 16; i < HEADER_BYTES; i++) if (buf[i] !== 0) return { status: 'invalid' };

  // An overlong version string means garbage; overlong module info is real but over our cap.
  const version = readLengthPrefixed(buf, HEADER_BYTES, MAX_VERSION_BYTES, 'invalid');
  if (version.status !== 'ok') return version;
  const goVersion = version.bytes.toString('latin1');
  if (goVersion === '' || !/^[\x20-\x7e]+$/.test(goVersion)) return { status: 'invalid' };

  const mod = readLengthPrefixed(buf, version.end, MAX_MODINFO_BYTES, 'too-large');
  if (mod.status !== 'ok') return mod;
  return { status: 'ok', goVersion, modinfo: stripSentinels(mod.bytes), length: mod.end };
}

type LengthPrefixed =
  | { status: 'ok'; bytes: Buffer; end: number }
  | { status: 'need-more'; need: number }
  | { status: 'invalid' }
  | { status: 'too-large'; declared: number };

function readLengthPrefixed(buf: Buffer, at: number, max: number, overMax: 'invalid' | 'too-large'): LengthPrefixed {
  const len = readUvarint(buf, at);
  if (len.status !== 'ok') return len;
  if (len.value > max) return overMax === 'too-large' ? { status: 'too-large', declared: len.value } : { status: 'invalid' };
  const end = len.end + len.value;
  if (buf.length < end) return { status: 'need-more', need: end };
  return { status: 'ok', bytes: buf.subarray(len.end, end), end };
}

/** Unsigned LEB128 as Go's encoding/binary writes it; lengths over 2^35 are rejected as garbage. */
function readUvarint(buf: Buffer, at: number): { status: 'ok'; value: number; end: number } | { status: 'need-more'; need: number } | { status: 'invalid' } {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    const pos = at + i;
    if (pos >= buf.length) return { status: 'need-more', need: pos + 1 };
    const byte = buf[pos] as number;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) return { status: 'ok', value, end: pos + 1 };
  }
  return { status: 'invalid' };
}

/** A pointer-sized unsigned integer; null when it does not fit a JS number exactly (not an address we can map). */
export function readPointer(buf: Buffer, at: number, ptrSize: number, bigEndian: boolean): number | null {
  if (at + ptrSize > buf.length) return null;
  if (ptrSize === 4) return bigEndian ? buf.readUInt32BE(at) : buf.readUInt32LE(at);
  const v = bigEndian ? buf.readBigUInt64BE(at) : buf.readBigUInt64LE(at);
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : null;
}

/** Same rule as Go's debug/buildinfo: sentinels present only when the 17th-last byte is `\n`. */
export function stripSentinels(mod: Buffer): string {
  if (mod.length >= 2 * MODINFO_SENTINEL_BYTES + 1 && mod[mod.length - MODINFO_SENTINEL_BYTES - 1] === 0x0a) {
    return mod.subarray(MODINFO_SENTINEL_BYTES, mod.length - MODINFO_SENTINEL_BYTES).toString('utf8');
  }
  return '';
}
