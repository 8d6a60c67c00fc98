/**
 * rpm header blobs, as the package databases store them (rpm's headerExport, without the 8-byte
 * lead a .rpm file has): be32 index count `il`, be32 data length `dl`, `il` index entries of 16
 * bytes (tag, type, offset, count; all be32), then `dl` bytes of data that the entries point into.
 *
 * Every count and offset is checked against the blob before it is used, so a lying field gives a
 * problem string, never an out-of-range read, a throw, or an allocation: the result only holds
 * strings decoded from inside the blob.
 */

export const RPMTAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  LICENSE: 1014,
  ARCH: 1022,
  SOURCERPM: 1044,
  MODULARITYLABEL: 5096,
} as const;

const TYPE_INT32 = 4;
const TYPE_STRING = 6;
const TYPE_STRING_ARRAY = 8;
const TYPE_I18NSTRING = 9;

const INDEX_ENTRY_SIZE = 16;
const PREAMBLE_SIZE = 8;
/** rpm refuses headers with 65536 or more tags (hdrchkTags); so do we. */
const MAX_TAGS = 0xffff;

/** The fields of one installed package that the scanner reports. */
export interface RpmHeaderFields {
  name: string;
  version: string;
  release: string;
  epoch?: number;
  arch?: string;
  license?: string;
  sourceRpm?: string;
  modularityLabel?: string;
}

export type HeaderResult = { ok: true; fields: RpmHeaderFields } | { ok: false; problem: string };

const WANTED_TAGS: ReadonlySet<number> = new Set(Object.values(RPMTAG));

interface IndexEntry {
  type: number;
  offset: number;
  count: number;
}

/** Read the reported fields of one header blob, or say why it is not a usable header. */
export function parseRpmHeader(blob: Uint8Array): HeaderResult {
  if (blob.length < PREAMBLE_SIZE) return { ok: false, problem: `header blob of ${blob.length} bytes is too short` };
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const il = view.getUint32(0);
  const dl = view.getUint32(4);
  if (il === 0 || il > MAX_TAGS) return { ok: false, problem: `header claims ${il} tags` };
  const dataStart = PREAMBLE_SIZE + il * INDEX_ENTRY_SIZE;
  // Both terms are < 2^32, so the sum is exact in a double.
  if (dataStart + dl > blob.length) return { ok: false, problem: `header claims ${il} tags and ${dl} data bytes, more than its ${blob.length} bytes` };
  const data = blob.subarray(dataStart, dataStart + dl);

  // Later entries win: rpm lets tags added after the immutable region replace the region's copy.
  const found = new Map<number, IndexEntry>();
  for (let i = 0; i < il; i++) {
    const at = PREAMBLE_SIZE + i * INDEX_ENTRY_SIZE;
    const tag = view.getUint32(at);
    if (!WANTED_TAGS.has(tag)) continue;
    found.set(tag, { type: view.getUint32(at + 4), offset: view.getUint32(at + 8), count: view.getUint32(at + 12) });
  }

  const problems: string[] = [];
  const str = (tag: number, label: string): string | undefined => {
    const e = found.get(tag);
    if (!e) return undefined;
    const r = readString(data, e);
    if (typeof r === 'object') {
      problems.push(`${label}: ${r.problem}`);
      return undefined;
    }
    return r;
  };
  const name = str(RPMTAG.NAME, 'NAME');
  const version = str(RPMTAG.VERSION, 'VERSION');
  const release = str(RPMTAG.RELEASE, 'RELEASE');
  const arch = str(RPMTAG.ARCH, 'ARCH');
  const license = str(RPMTAG.LICENSE, 'LICENSE');
  const sourceRpm = str(RPMTAG.SOURCERPM, 'SOURCERPM');
  const modularityLabel = str(RPMTAG.MODULARITYLABEL, 'MODULARITYLABEL');
  let epoch: number | undefined;
  const epochEntry = found.get(RPMTAG.EPOCH);
  if (epochEntry) {
    const r = readInt32(data, epochEntry);
    if (typeof r === 'object') problems.push(`EPOCH: ${r.problem}`);
    else epoch = r;
  }
  if (problems.length > 0) return { ok: false, problem: problems.join('; ') };
  if (name === undefined || version === undefined || release === undefined) {
    const missing = [name === undefined && 'NAME', version === undefined && 'VERSION', release === undefined && 'RELEASE'].filter(Boolean);
    return { ok: false, problem: `header has no ${missing.join(', ')}` };
  }
  if (!name || !version || !release) return { ok: false, problem: 'header has an empty NAME, VERSION or RELEASE' };
  const fields: RpmHeaderFields = { name, version, release };
  if (epoch !== undefined) fields.epoch = epoch;
  if (arch !== undefined) fields.arch = arch;
  if (license !== undefined) fields.license = license;
  if (sourceRpm !== undefined) fields.sourceRpm = sourceRpm;
  if (modularityLabel !== undefined) fields.modularityLabel = modularityLabel;
  return { ok: true, fields };
}

/** The (first) string of a STRING, STRING_ARRAY or I18NSTRING entry: NUL-terminated inside the data. */
function readString(data: Uint8Array, e: IndexEntry): string | { problem: string } {
  if (e.type !== TYPE_STRING && e.type !== TYPE_STRING_ARRAY && e.type !== TYPE_I18NSTRING) return { problem: `type ${e.type} is not a string` };
  if (e.count === 0) return { problem: 'empty string list' };
  if (e.offset >= data.length) return { problem: `offset ${e.offset} is past the ${data.length}-byte data` };
  const end = data.indexOf(0, e.offset);
  if (end === -1) return { problem: `string at ${e.offset} is not terminated` };
  return Buffer.from(data.buffer, data.byteOffset + e.offset, end - e.offset).toString('utf8');
}

function readInt32(data: Uint8Array, e: IndexEntry): number | { problem: string } {
  if (e.type !== TYPE_INT32) return { problem: `type ${e.type} is not INT32` };
  if (e.count === 0) return { problem: 'no value' };
  if (e.offset + 4 > data.length) return { problem: `offset ${e.offset} is past the ${data.length}-byte data` };
  return new DataView(data.buffer, data.byteOffset + e.offset, 4).getUint32(0);
}
