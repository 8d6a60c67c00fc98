/**
 * Installed packages of an apk database (`lib/apk/db/installed`). Each package is a record of
 * `X:value` lines (one-letter key), records separated by blank lines. Package lines come first
 * (`P:` name, `V:` version, `A:` arch, `o:` origin, `L:` license, …), then the package's file
 * list (`F:`, `R:`, `Z:`, `a:`, `M:` …), which can be most of the file and is never decoded.
 */
import { makePurl } from '../purl.js';
import type { Package } from '../types.js';
import { clip, isBlank, lines } from './lines.js';
import { ProblemList } from './problems.js';

/** Names, versions, arches and license expressions are short; this bounds every decoded value. */
const MAX_VALUE_BYTES = 4096;
const WANTED_KEYS = new Set(['P', 'V', 'A', 'o', 'L']);

export interface ApkParseResult {
  packages: Package[];
  problems: ProblemList;
  /** Set when the file is not an apk database at all; then `packages` is empty. */
  notApk?: string;
}

interface ApkRecord {
  line: number;
  fields: Map<string, string>;
  error?: string;
}

export function parseApkInstalled(content: Buffer, path: string): ApkParseResult {
  const problems = new ProblemList();
  if (content.includes(0)) return { packages: [], problems, notApk: 'binary data (NUL bytes), not an apk database; no packages read' };
  const packages: Package[] = [];
  const finish = (rec: ApkRecord | null) => {
    if (!rec) return;
    const pkg = toPackage(rec, path, problems);
    if (pkg) packages.push(pkg);
  };
  let current: ApkRecord | null = null;
  for (const line of lines(content)) {
    if (isBlank(content, line)) {
      finish(current);
      current = null;
      continue;
    }
    const key = String.fromCharCode(content[line.start] as number);
    // A P: line in a record that already has a name (or is broken) starts the next record: the
    // blank line between them is missing, as in a hand-edited or spliced file.
    if (current && key === 'P' && content[line.start + 1] === 0x3a && (current.fields.has('P') || current.error)) {
      finish(current);
      current = null;
    }
    current ??= { line: line.number, fields: new Map() };
    if (current.error) continue;
    if (line.end - line.start < 2 || content[line.start + 1] !== 0x3a || !/^[A-Za-z]$/.test(key)) {
      const text = clip(content.toString('utf8', line.start, Math.min(line.end, line.start + 160)), 40);
      current.error = `line ${line.number} is not a "X:value" line (${JSON.stringify(text)})`;
      continue;
    }
    if (!WANTED_KEYS.has(key) || current.fields.has(key)) continue;
    const valueBytes = line.end - line.start - 2;
    if (valueBytes > MAX_VALUE_BYTES) {
      current.error = `line ${line.number}: ${key}: value is ${valueBytes} bytes, over the ${MAX_VALUE_BYTES}-byte limit`;
      continue;
    }
    if (!line.terminated) {
      // apk ends every line with a newline: a wanted value on a cut line may itself be cut.
      current.error = `file ends inside the ${key}: line (truncated?)`;
      continue;
    }
    current.fields.set(key, content.toString('utf8', line.start + 2, line.end).trim());
  }
  finish(current);
  return { packages, problems };
}

function toPackage(rec: ApkRecord, path: string, problems: ProblemList): Package | null {
  const name = rec.fields.get('P');
  const where = `record at line ${rec.line}${name ? ` (${clip(name)})` : ''}`;
  if (rec.error) {
    problems.add(`${where}: ${rec.error}; skipped`);
    return null;
  }
  if (name === undefined) {
    problems.add(`${where} has no P: (package name); skipped`);
    return null;
  }
  if (name === '' || /\s/.test(name)) {
    problems.add(`${where}: invalid package name ${JSON.stringify(clip(name))}; skipped`);
    return null;
  }
  const version = rec.fields.get('V');
  if (!version) {
    problems.add(`${where} has no V: (version); skipped`);
    return null;
  }
  if (/\s/.test(version)) {
    problems.add(`${where}: invalid version ${JSON.stringify(clip(version))}; skipped`);
    return null;
  }
  const pkg: Package = { type: 'apk', name, version, path, purl: '' };
  const arch = rec.fields.get('A');
  if (arch) pkg.arch = arch;
  // apk writes o: for every package built by abuild; without it the source is unknown, not guessed.
  const origin = rec.fields.get('o');
  if (origin) pkg.source = origin;
  // L: is one license expression (`MIT BSD GPL2+`, `GPL-2.0-only OR MIT`): kept whole, not split.
  const license = rec.fields.get('L');
  if (license) pkg.licenses = [license];
  pkg.purl = makePurl('apk', name, version, { qualifiers: { arch } });
  return pkg;
}
