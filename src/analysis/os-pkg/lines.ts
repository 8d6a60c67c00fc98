/**
 * Line-by-line reading of a package database held in one buffer, without turning the whole file
 * into a string: parsers decode only the few fields they keep, so a multi-megabyte status file
 * with long descriptions and file lists costs the buffer and little else.
 */

/** One line of a buffer: byte range without the line ending (`\n`, and a `\r` before it). */
export interface LineSpan {
  start: number;
  end: number;
  /** 1-based. */
  number: number;
  /** False for a last line with no newline: where a truncated file is cut. */
  terminated: boolean;
}

export function* lines(buf: Buffer): Generator<LineSpan> {
  let start = 0;
  let number = 1;
  while (start < buf.length) {
    const nl = buf.indexOf(0x0a, start);
    const next = nl === -1 ? buf.length : nl + 1;
    let end = nl === -1 ? buf.length : nl;
    if (end > start && buf[end - 1] === 0x0d) end--;
    yield { start, end, number, terminated: nl !== -1 };
    start = next;
    number++;
  }
}

/** True when the line holds nothing but spaces and tabs. */
export function isBlank(buf: Buffer, line: LineSpan): boolean {
  for (let i = line.start; i < line.end; i++) {
    const c = buf[i];
    if (c !== 0x20 && c !== 0x09) return false;
  }
  return true;
}

/** Cuts a string for a message, so a garbage field cannot make a huge warning. */
export function clip(s: string, max = 80): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
