/**
 * Two ways of keeping a few bytes of a file that streams past, for reading pointers that are only
 * known later: remember what follows each occurrence of a pattern (strings a later pointer may
 * name), and copy byte ranges announced before they arrive (the string headers a pointer names).
 * Both are fed `(chunk, offset of chunk in the file)` and keep bounded memory.
 */

const EMPTY = Buffer.alloc(0);

interface OpenCapture {
  offset: number;
  parts: Buffer[];
  bytes: number;
}

export class OccurrenceRecorder {
  /** Captures by the file offset where the pattern starts; each begins with the pattern. */
  readonly found = new Map<number, Buffer>();
  /** Occurrences seen beyond `maxCount`; they were not recorded. */
  dropped = 0;
  private carry: Buffer = EMPTY;
  private open: OpenCapture[] = [];

  /**
   * @param take bytes kept per occurrence, pattern included
   * @param until optional terminator: a capture ends just after it (module info's end sentinel)
   */
  constructor(
    private readonly pattern: Buffer,
    private readonly take: number,
    private readonly maxCount: number,
    private readonly until?: Buffer,
  ) {}

  write(chunk: Buffer, chunkOffset: number): void {
    if (chunk.length === 0) return;
    // Occurrences straddling the previous chunk's end: search the joint only.
    const joint = this.carry.length > 0 ? Buffer.concat([this.carry, chunk.subarray(0, this.pattern.length - 1)]) : EMPTY;
    const jointStart = chunkOffset - this.carry.length;
    for (let i = joint.indexOf(this.pattern); i >= 0 && i < this.carry.length; i = joint.indexOf(this.pattern, i + 1)) {
      this.start(jointStart + i, joint.subarray(i, this.carry.length));
    }
    this.extend(chunk, chunkOffset);
    for (let i = chunk.indexOf(this.pattern); i >= 0; i = chunk.indexOf(this.pattern, i + 1)) this.start(chunkOffset + i, EMPTY, chunk.subarray(i));
    const keep = Math.min(this.pattern.length - 1, chunk.length);
    this.carry = Buffer.from(keep === chunk.length ? Buffer.concat([this.carry, chunk]).subarray(-this.pattern.length + 1) : chunk.subarray(chunk.length - keep));
  }

  /** Ends open captures at the end of the file. */
  finish(): void {
    for (const c of this.open) this.close(c);
    this.open = [];
  }

  private start(offset: number, fromCarry: Buffer, fromChunk: Buffer = EMPTY): void {
    if (this.found.size + this.open.length >= this.maxCount) {
      this.dropped++;
      return;
    }
    const c: OpenCapture = { offset, parts: [], bytes: 0 };
    this.open.push(c);
    // Bytes before the current chunk come from the carry; the rest arrives through extend().
    if (fromCarry.length > 0) this.append(c, fromCarry);
    if (fromChunk.length > 0) this.appendAndMaybeClose(c, fromChunk);
  }

  private extend(chunk: Buffer, chunkOffset: number): void {
    for (const c of [...this.open]) {
      // Captures started inside this chunk are fed in start(); only older ones take the chunk here.
      if (c.offset >= chunkOffset) continue;
      this.appendAndMaybeClose(c, chunk);
    }
  }

  private appendAndMaybeClose(c: OpenCapture, data: Buffer): void {
    const before = c.bytes;
    this.append(c, data);
    const full = c.bytes >= this.take;
    let terminated = false;
    if (this.until) {
      // Search only the new bytes plus enough old ones for a terminator that straddles them.
      const joined = Buffer.concat(c.parts);
      const from = Math.max(this.pattern.length, before - this.until.length + 1);
      const at = joined.indexOf(this.until, from);
      if (at >= 0) {
        c.parts = [joined.subarray(0, at + this.until.length)];
        c.bytes = at + this.until.length;
        terminated = true;
      } else if (joined.length > 0) c.parts = [joined];
    }
    if (full || terminated) {
      this.open = this.open.filter((o) => o !== c);
      this.close(c);
    }
  }

  private append(c: OpenCapture, data: Buffer): void {
    const room = this.take - c.bytes;
    if (room <= 0) return;
    const part = Buffer.from(data.subarray(0, room));
    c.parts.push(part);
    c.bytes += part.length;
  }

  private close(c: OpenCapture): void {
    this.found.set(c.offset, Buffer.concat(c.parts, c.bytes));
  }
}

interface WantedRange {
  start: number;
  buf: Buffer;
  filled: number;
}

/** Copies byte ranges, announced ahead of time, as they stream past. */
export class RangeCapture {
  private ranges: WantedRange[] = [];
  private position = 0;

  /** False when the range has already gone by (it can no longer be read from the stream). */
  want(start: number, length: number): boolean {
    if (start < this.position) return false;
    this.ranges.push({ start, buf: Buffer.alloc(length), filled: 0 });
    return true;
  }

  /** The bytes at `start`, once all of them have been seen. */
  get(start: number, length: number): Buffer | null {
    const r = this.ranges.find((w) => w.start === start && w.buf.length >= length && w.filled === w.buf.length);
    return r ? r.buf.subarray(0, length) : null;
  }

  write(chunk: Buffer, chunkOffset: number): void {
    this.position = chunkOffset + chunk.length;
    for (const r of this.ranges) {
      const from = Math.max(r.start, chunkOffset);
      const to = Math.min(r.start + r.buf.length, chunkOffset + chunk.length);
      if (from >= to) continue;
      chunk.copy(r.buf, from - r.start, from - chunkOffset, to - chunkOffset);
      r.filled += to - from;
    }
  }
}
