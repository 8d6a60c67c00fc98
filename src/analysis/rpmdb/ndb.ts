/**
 * Read-only reader for rpm's own "ndb" package database, `Packages.db` (SUSE since SLE 15 SP3 /
 * openSUSE). All numbers are little-endian 32-bit.
 *
 * Layout (rpm lib/backend/ndb/rpmpkg.c): the file starts with `slotnpages` pages of 4096 bytes
 * holding 16-byte slots; the first two slots' room is the file header (magic `RpmP`, version 0,
 * generation, slotnpages). Each slot is (magic `Slot`, package index, block offset, block count);
 * index 0 marks a free slot. Blocks are 16 bytes: a package's blob lives at block offset × 16 as a
 * 16-byte blob header (magic `BlbS`, package index, generation, length) followed by `length`
 * bytes of header blob, padding, and a 12-byte tail (checksum, length, magic `BlbE`) that ends
 * the blocks the slot owns.
 *
 * Hostile input: the slot table is bounded by the file, every blob must lie inside the blocks its
 * slot claims and inside the file, the slots together may not claim more than the file, and
 * blobs are views into the input, never copies.
 */
import type { DbItem } from './types.js';

const HEADER_MAGIC = 0x506d7052; // 'RpmP'
const SLOT_MAGIC = 0x746f6c53; // 'Slot'
const BLOB_MAGIC = 0x53626c42; // 'BlbS'
const BLOB_TAIL_MAGIC = 0x45626c42; // 'BlbE'
const PAGE_SIZE = 4096;
const SLOT_SIZE = 16;
const HEADER_SLOTS = 2;
const BLOCK_SIZE = 16;
const BLOB_HEAD_SIZE = 16;
const BLOB_TAIL_SIZE = 12;

export function isNdb(buf: Buffer): boolean {
  return buf.length >= 16 && buf.readUInt32LE(0) === HEADER_MAGIC;
}

export function* readNdbPackages(buf: Buffer): Generator<DbItem> {
  if (!isNdb(buf)) {
    yield { kind: 'problem', message: 'not an rpm ndb file (no RpmP magic)' };
    return;
  }
  const version = buf.readUInt32LE(4);
  if (version !== 0) {
    yield { kind: 'problem', message: `rpm ndb version ${version} is not supported (only 0)` };
    return;
  }
  const slotPages = buf.readUInt32LE(12);
  if (slotPages === 0 || slotPages > buf.length / PAGE_SIZE) {
    yield { kind: 'problem', message: `ndb header claims ${slotPages} slot pages, but the file holds ${Math.floor(buf.length / PAGE_SIZE)} pages (truncated or corrupt)` };
    return;
  }
  const slotCount = (slotPages * PAGE_SIZE) / SLOT_SIZE;
  // Blobs never overlap in a real file, so together they span at most the file. Counting keeps
  // thousands of slots aimed at one large blob from multiplying the work.
  let spanned = 0;
  const seen = new Set<number>();
  for (let s = HEADER_SLOTS; s < slotCount; s++) {
    const at = s * SLOT_SIZE;
    const where = `slot ${s - HEADER_SLOTS}`;
    if (buf.readUInt32LE(at) !== SLOT_MAGIC) {
      yield { kind: 'problem', message: `${where}: bad slot magic; the rest of the slot table is not read` };
      return;
    }
    const pkgIndex = buf.readUInt32LE(at + 4);
    if (pkgIndex === 0) continue;
    if (seen.has(pkgIndex)) {
      yield { kind: 'problem', message: `${where}: package ${pkgIndex} already has a slot; skipped` };
      continue;
    }
    seen.add(pkgIndex);
    const blockOffset = buf.readUInt32LE(at + 8);
    const blockCount = buf.readUInt32LE(at + 12);
    const start = blockOffset * BLOCK_SIZE;
    const span = blockCount * BLOCK_SIZE;
    const label = `${where} (package ${pkgIndex})`;
    if (blockOffset < slotPages * (PAGE_SIZE / BLOCK_SIZE) || span < BLOB_HEAD_SIZE + BLOB_TAIL_SIZE || start + span > buf.length) {
      yield { kind: 'problem', message: `${label}: blocks ${blockOffset}+${blockCount} are outside the file's data area` };
      continue;
    }
    spanned += span;
    if (spanned > buf.length) {
      yield { kind: 'problem', message: `${label}: slots claim more blocks than the file holds (overlapping blobs); the rest of the slot table is not read` };
      return;
    }
    if (buf.readUInt32LE(start) !== BLOB_MAGIC || buf.readUInt32LE(start + 4) !== pkgIndex) {
      yield { kind: 'problem', message: `${label}: no blob header for this package at block ${blockOffset}` };
      continue;
    }
    const length = buf.readUInt32LE(start + 12);
    if (BLOB_HEAD_SIZE + length + BLOB_TAIL_SIZE > span) {
      yield { kind: 'problem', message: `${label}: blob claims ${length} bytes, more than its ${span}-byte blocks` };
      continue;
    }
    const tail = start + span - BLOB_TAIL_SIZE;
    if (buf.readUInt32LE(tail + 4) !== length || buf.readUInt32LE(tail + 8) !== BLOB_TAIL_MAGIC) {
      yield { kind: 'problem', message: `${label}: blob tail does not match its header (torn write?)` };
      continue;
    }
    yield { kind: 'blob', blob: buf.subarray(start + BLOB_HEAD_SIZE, start + BLOB_HEAD_SIZE + length), where: label };
  }
}
