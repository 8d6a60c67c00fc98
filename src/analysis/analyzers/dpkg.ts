/**
 * Debian package database: `var/lib/dpkg/status`, and the one-file-per-package
 * `var/lib/dpkg/status.d/<name>` that distroless images use instead. Parsing and the rules for
 * which stanzas count as installed live in ../os-pkg/dpkg-status.ts.
 */
import { parseDpkgStatus } from '../os-pkg/dpkg-status.js';
import type { EntryInfo, FileAnalyzer, PackagesFact, WarningFact } from '../types.js';

const STATUS_FILE = 'var/lib/dpkg/status';
const STATUS_DIR = 'var/lib/dpkg/status.d/';
/** Companion files dpkg keeps per package (distroless ships `<pkg>.md5sums`); they hold no stanza. */
const INFO_FILE_SUFFIX = /\.(?:md5sums|sha256sums|list|conffiles|preinst|postinst|prerm|postrm|config|templates|triggers|shlibs|symbols)$/;
/**
 * Byte cap. A status stanza is about 1 KB (the samples: 77 KB for Debian 12's 88 packages, 88 KB
 * for Ubuntu 18.04's 91), so a large desktop or build image with a few thousand packages is a few
 * MB, and even 30,000 packages stay under 40 MB. 64 MiB keeps such files readable; the cost is one
 * transient buffer, as the parser decodes only the fields it keeps, never the whole file as a
 * string. A bigger file is not a believable database, and the scan says so.
 */
const MAX_BYTES = 64 * 1024 * 1024;

type DpkgFact = PackagesFact | WarningFact;

export const dpkgAnalyzer: FileAnalyzer<DpkgFact> = {
  kind: 'file',
  name: 'dpkg',
  version: '1',
  maxBytes: MAX_BYTES,
  wants: (entry: EntryInfo) => entry.path === STATUS_FILE || isStatusDirFile(entry.path),
  analyze(entry, content) {
    const result = parseDpkgStatus(content, { path: entry.path, statusDir: entry.path !== STATUS_FILE });
    if (result.notDpkg) return [{ kind: 'warning', path: entry.path, message: result.notDpkg }];
    return [{ kind: 'packages', path: entry.path, packages: result.packages }, ...result.problems.facts(entry.path)];
  },
  oversized(entry) {
    return [{ kind: 'warning', path: entry.path, message: `${entry.size} bytes is over the ${MAX_BYTES}-byte cap for a dpkg database; packages not read` }];
  },
};

function isStatusDirFile(path: string): boolean {
  if (!path.startsWith(STATUS_DIR)) return false;
  const name = path.slice(STATUS_DIR.length);
  return name !== '' && !name.includes('/') && !name.startsWith('.') && !INFO_FILE_SUFFIX.test(name);
}
