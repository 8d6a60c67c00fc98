/**
 * deb822 paragraphs as dpkg writes its status database: `Field: value` lines, continuation lines
 * starting with a space or tab, paragraphs separated by blank lines. Only the fields a caller asks
 * for are decoded (first line of the value, trimmed); everything else — long Descriptions,
 * Conffiles lists — is stepped over without being turned into strings.
 *
 * dpkg refuses a whole file for one bad line. A scanner should not lose every package for one
 * broken stanza, so a bad line marks only its paragraph as invalid (`error`) and reading resumes
 * at the next blank line.
 */
import { clip, isBlank, lines } from './lines.js';

export interface Paragraph {
  /** 1-based line of the paragraph's first line. */
  line: number;
  /** Lower-case field name → value, for the wanted fields present. */
  fields: Map<string, string>;
  /** Why the paragraph cannot be trusted; later lines of it were not read. */
  error?: string;
}

export interface ParagraphOptions {
  /** Lower-case names of the fields to decode. */
  wanted: ReadonlySet<string>;
  /** A wanted value longer than this marks the paragraph invalid (real ones are far shorter). */
  maxValueBytes: number;
}

/** Field names are short words; a colon further in than this is not ending a field name. */
const MAX_NAME_BYTES = 128;
const COLON = 0x3a;

export function* paragraphs(buf: Buffer, opts: ParagraphOptions): Generator<Paragraph> {
  let current: Paragraph | null = null;
  for (const line of lines(buf)) {
    if (isBlank(buf, line)) {
      if (current) yield current;
      current = null;
      continue;
    }
    const first = buf[line.start];
    if (!current) {
      if (first === 0x23) continue; // `#` comment between paragraphs, as control files allow
      current = { line: line.number, fields: new Map() };
    }
    if (current.error) continue;
    if (first === 0x20 || first === 0x09) {
      // Continuation of the previous field; no field we decode spans lines.
      if (line.number === current.line) current.error = `line ${line.number} continues no field`;
      continue;
    }
    const colon = findColon(buf, line.start, line.end);
    if (colon === -1) {
      current.error = `line ${line.number} is not a "Field: value" line (${JSON.stringify(preview(buf, line.start, line.end))})`;
      continue;
    }
    const name = buf.toString('latin1', line.start, colon).toLowerCase();
    if (!opts.wanted.has(name)) continue;
    if (current.fields.has(name)) {
      current.error = `line ${line.number} repeats field ${JSON.stringify(name)}`;
      continue;
    }
    const valueBytes = line.end - colon - 1;
    if (valueBytes > opts.maxValueBytes) {
      current.error = `line ${line.number}: ${name} value is ${valueBytes} bytes, over the ${opts.maxValueBytes}-byte limit`;
      continue;
    }
    if (!line.terminated) {
      // dpkg ends every line with a newline: a wanted value on a cut line may itself be cut.
      current.error = `file ends inside the ${name} line (truncated?)`;
      continue;
    }
    current.fields.set(name, buf.toString('utf8', colon + 1, line.end).trim());
  }
  if (current) yield current;
}

/**
 * Position of the colon ending a valid field name, or -1. A field name is printable ASCII other
 * than space and colon, and does not start with `-` or `#` (deb822).
 */
function findColon(buf: Buffer, start: number, end: number): number {
  const first = buf[start];
  if (first === 0x2d || first === 0x23) return -1;
  const limit = Math.min(end, start + MAX_NAME_BYTES + 1);
  for (let i = start; i < limit; i++) {
    const c = buf[i] as number;
    if (c === COLON) return i === start ? -1 : i;
    if (c <= 0x20 || c >= 0x7f) return -1;
  }
  return -1;
}

function preview(buf: Buffer, start: number, end: number): string {
  return clip(buf.toString('utf8', start, Math.min(end, start + 160)), 40);
}
