/**
 * Installed packages of a dpkg status database: `var/lib/dpkg/status`, or one file of the
 * distroless `var/lib/dpkg/status.d/` directory (one package per file, usually without `Status:`;
 * the file's presence means installed).
 *
 * Which stanzas count: those whose Status state says the package's files are on disk and it is
 * configured — `installed`, or `triggers-pending`/`triggers-awaited` (configured, only trigger
 * processing left). The first word is a selection (a wish: install/hold/deinstall/purge), not a
 * state, so `deinstall reinstreq installed` still counts, as dpkg-query shows it; `config-files`,
 * `unpacked`, `half-installed`, `half-configured` and `not-installed` do not. A stanza without
 * Status in the status file is what dpkg reads as not-installed.
 */
import { makePurl } from '../purl.js';
import type { Package } from '../types.js';
import { paragraphs, type Paragraph } from './deb822.js';
import { clip } from './lines.js';
import { ProblemList } from './problems.js';

const PRESENT_STATES = new Set(['installed', 'triggers-pending', 'triggers-awaited']);
/** Fields vcpkg writes in its status file (deb822 syntax, dpkg-like path); dpkg never does. */
const VCPKG_MARKERS = ['abi', 'feature'];
const WANTED = new Set(['package', 'status', 'version', 'architecture', 'source', 'type', ...VCPKG_MARKERS]);
/** Names, versions and Status are tens of bytes; 1 KiB is generous and bounds regex work. */
const MAX_VALUE_BYTES = 1024;

export interface DpkgParseResult {
  packages: Package[];
  problems: ProblemList;
  /** Set when the file is not a dpkg database at all; then `packages` is empty. */
  notDpkg?: string;
}

export interface DpkgParseOptions {
  /** In-image path, recorded on every package. */
  path: string;
  /** A status.d file: stanzas without Status are installed. */
  statusDir: boolean;
}

export function parseDpkgStatus(content: Buffer, opts: DpkgParseOptions): DpkgParseResult {
  const problems = new ProblemList();
  if (content.includes(0)) return { packages: [], problems, notDpkg: 'binary data (NUL bytes), not a dpkg status file; no packages read' };
  const packages: Package[] = [];
  let sawPackageField = false;
  let firstError: string | undefined;
  for (const para of paragraphs(content, { wanted: WANTED, maxValueBytes: MAX_VALUE_BYTES })) {
    if (VCPKG_MARKERS.some((f) => para.fields.has(f)) || para.fields.get('type')?.toLowerCase() === 'port') {
      return { packages: [], problems: new ProblemList(), notDpkg: 'a vcpkg status file (Abi/Feature/Type: Port fields), not a dpkg database; no packages read' };
    }
    if (para.fields.has('package')) sawPackageField = true;
    firstError ??= para.error;
    const pkg = toPackage(para, opts, problems);
    if (pkg) packages.push(pkg);
  }
  if (!sawPackageField && hasText(content)) {
    return { packages: [], problems: new ProblemList(), notDpkg: `no stanza has a Package field${firstError ? ` (and ${firstError})` : ''}; not a dpkg status file` };
  }
  return { packages, problems };
}

function toPackage(para: Paragraph, opts: DpkgParseOptions, problems: ProblemList): Package | null {
  const name = para.fields.get('package');
  const where = `stanza at line ${para.line}${name ? ` (${clip(name)})` : ''}`;
  if (para.error) {
    problems.add(`${where}: ${para.error}; skipped`);
    return null;
  }
  if (name === undefined) {
    problems.add(`${where} has no Package field; skipped`);
    return null;
  }
  if (name === '' || /\s/.test(name)) {
    problems.add(`${where}: invalid Package name ${JSON.stringify(clip(name))}; skipped`);
    return null;
  }
  const status = para.fields.get('status');
  if (status === undefined) {
    if (!opts.statusDir) return null;
  } else {
    const words = status.split(/[ \t]+/);
    if (words.length !== 3) {
      problems.add(`${where}: malformed Status ${JSON.stringify(clip(status))}; skipped`);
      return null;
    }
    if (!PRESENT_STATES.has(words[2] as string)) return null;
  }
  const version = para.fields.get('version');
  if (!version) {
    problems.add(`${where} has no Version; skipped`);
    return null;
  }
  const parsed = parseDebVersion(version);
  if (!parsed) {
    problems.add(`${where}: invalid Version ${JSON.stringify(clip(version))}; skipped`);
    return null;
  }
  const pkg: Package = { type: 'deb', name, version, path: opts.path, purl: '' };
  if (parsed.epoch !== undefined) pkg.epoch = parsed.epoch;
  const arch = para.fields.get('architecture');
  if (arch) pkg.arch = arch;
  const sourceField = para.fields.get('source');
  const source = parseSourceField(sourceField);
  if (source === null) problems.add(`${where}: malformed Source ${JSON.stringify(clip(sourceField ?? ''))}; source taken as the package name`);
  // dpkg's rule (${source:Package}, ${source:Version}): no Source means the source package has the
  // binary's name, and no version in it means the binary's version.
  pkg.source = source?.name ?? name;
  if (source?.version && source.version !== version) pkg.sourceVersion = source.version;
  pkg.purl = makePurl('deb', name, version, { qualifiers: { arch } });
  return pkg;
}

/** `[epoch:]upstream[-revision]`: epoch all digits, no whitespace, something after the epoch. */
export function parseDebVersion(version: string): { epoch?: number } | null {
  if (version === '' || /\s/.test(version)) return null;
  const colon = version.indexOf(':');
  if (colon === -1) return {};
  const epoch = version.slice(0, colon);
  if (!/^\d{1,9}$/.test(epoch) || colon === version.length - 1) return null;
  return { epoch: Number(epoch) };
}

/** `name` or `name (version)`; undefined when absent, null when it is neither form. */
export function parseSourceField(value: string | undefined): { name: string; version?: string } | undefined | null {
  if (value === undefined || value === '') return undefined;
  // \S and \s are disjoint, so this cannot backtrack badly (and values are capped at 1 KiB).
  const m = /^(\S+)(?:\s+\(\s*(\S+?)\s*\))?$/.exec(value);
  if (!m) return null;
  return m[2] ? { name: m[1] as string, version: m[2] } : { name: m[1] as string };
}

/** A file of only whitespace is an empty database, not a foreign file. */
function hasText(content: Buffer): boolean {
  for (const c of content) if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return true;
  return false;
}
