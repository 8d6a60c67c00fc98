/**
 * rpm package databases: BerkeleyDB `Packages`, ndb `Packages.db` and SQLite `rpmdb.sqlite`, in
 * `/var/lib/rpm` and `/usr/lib/sysimage/rpm`. The format is taken from the file's content (see
 * ../rpmdb/read-db.ts); every installed package becomes one Package, except the `gpg-pubkey`
 * pseudo-packages rpm uses to store imported signing keys.
 *
 * Size cap: the analyzer gets the database whole, and the walker allocates exactly the entry's
 * size, so memory follows the real file, not the cap. Container images' databases are 0.1–30 MB
 * (CentOS 7 + dev tools: 29 MiB); full server installs reach 100–200 MB in BerkeleyDB, which
 * leaves pages half empty. 256 MiB covers those; a larger file gets a warning fact, not a
 * silently empty package list. The readers add at most one header blob of copies on top (views
 * into the input wherever the format allows).
 */
import type { EntryInfo, FileAnalyzer, Package, PackagesFact, WarningFact } from '../types.js';
import { makePurl } from '../purl.js';
import { parseRpmHeader, type RpmHeaderFields } from '../rpmdb/header.js';
import { readRpmDatabase } from '../rpmdb/read-db.js';
import { parseSourceRpm } from '../rpmdb/source-rpm.js';

const DB_DIRS = ['var/lib/rpm/', 'usr/lib/sysimage/rpm/'];
const DB_FILES = new Set(['Packages', 'Packages.db', 'rpmdb.sqlite']);
const MAX_BYTES = 256 * 1024 * 1024;
/** A broken database yields one warning per bad record at most; past this many, only a count. */
const MAX_WARNINGS = 20;
/** Header tags rpm writes as `(none)` when a value is absent. */
const NONE = '(none)';

type RpmFact = PackagesFact | WarningFact;

export const rpmAnalyzer: FileAnalyzer<RpmFact> = {
  kind: 'file',
  name: 'rpm',
  version: '1',
  maxBytes: MAX_BYTES,
  wants: (entry: EntryInfo) => isRpmDbPath(entry.path),
  analyze(entry, content) {
    return parseRpmDatabase(entry.path, content);
  },
  oversized(entry) {
    return [{ kind: 'warning', path: entry.path, message: `${entry.path}: ${entry.size} bytes is over the ${MAX_BYTES}-byte cap for an rpm database; packages not read` }];
  },
};

export function isRpmDbPath(path: string): boolean {
  const dir = DB_DIRS.find((d) => path.startsWith(d));
  return dir !== undefined && DB_FILES.has(path.slice(dir.length));
}

/** The installed packages of one rpm database file, with warnings for what could not be read. */
export function parseRpmDatabase(path: string, content: Buffer): RpmFact[] {
  const warnings = new WarningList(path);
  const { format, items } = readRpmDatabase(content);
  const packages: Package[] = [];
  for (const item of items) {
    if (item.kind === 'problem') {
      warnings.add(item.message);
      continue;
    }
    const header = parseRpmHeader(item.blob);
    if (!header.ok) {
      warnings.add(`${item.where}: ${header.problem}; skipped`);
      continue;
    }
    if (header.fields.name === 'gpg-pubkey') continue;
    packages.push(toPackage(header.fields, path, warnings));
  }
  if (format === undefined) return warnings.facts();
  return [{ kind: 'packages', path, packages }, ...warnings.facts()];
}

function toPackage(h: RpmHeaderFields, path: string, warnings: WarningList): Package {
  const epochPrefix = h.epoch !== undefined ? `${h.epoch}:` : '';
  const pkg: Package = {
    type: 'rpm',
    name: h.name,
    version: `${epochPrefix}${h.version}-${h.release}`,
    upstreamVersion: h.version,
    release: h.release,
    path,
    purl: '',
  };
  if (h.epoch !== undefined) pkg.epoch = h.epoch;
  if (present(h.arch)) pkg.arch = h.arch;
  if (present(h.sourceRpm)) {
    const srpm = parseSourceRpm(h.sourceRpm);
    if (srpm) {
      pkg.source = srpm.name;
      // The file name carries no epoch; the source package shares the binary's.
      const sourceVersion = `${epochPrefix}${srpm.version}-${srpm.release}`;
      if (sourceVersion !== pkg.version) pkg.sourceVersion = sourceVersion;
    } else {
      warnings.add(`${h.name}: SOURCERPM ${JSON.stringify(clip(h.sourceRpm))} is not <name>-<version>-<release>.src.rpm; source not set`);
    }
  }
  if (present(h.license)) pkg.licenses = [h.license];
  if (present(h.modularityLabel)) pkg.modularityLabel = h.modularityLabel;
  // purl-spec rpm: version is version-release, epoch a qualifier (omitted when 0, as other tools do).
  pkg.purl = makePurl('rpm', h.name, `${h.version}-${h.release}`, {
    qualifiers: { arch: pkg.arch, epoch: h.epoch ? String(h.epoch) : undefined },
  });
  return pkg;
}

function present(value: string | undefined): value is string {
  return value !== undefined && value !== '' && value !== NONE;
}

class WarningList {
  private readonly messages: string[] = [];
  private dropped = 0;
  constructor(private readonly path: string) {}

  add(message: string): void {
    if (this.messages.length < MAX_WARNINGS) this.messages.push(message);
    else this.dropped++;
  }

  facts(): WarningFact[] {
    const out: WarningFact[] = this.messages.map((m) => ({ kind: 'warning', path: this.path, message: `${this.path}: ${m}` }));
    if (this.dropped > 0) out.push({ kind: 'warning', path: this.path, message: `${this.path}: ${this.dropped} more problems not listed` });
    return out;
  }
}

function clip(s: string, max = 80): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
