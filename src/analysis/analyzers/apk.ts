/**
 * Alpine (and Wolfi/Chainguard) package database `lib/apk/db/installed`. Parsing lives in
 * ../os-pkg/apk-installed.ts.
 */
import { parseApkInstalled } from '../os-pkg/apk-installed.js';
import type { EntryInfo, FileAnalyzer, PackagesFact, WarningFact } from '../types.js';

const INSTALLED_DB = 'lib/apk/db/installed';
/**
 * Byte cap. The db lists every installed file (about 60 bytes each for its R:/Z: lines), so it
 * grows with the image: Alpine 3.18's base is 15 KB; an image with 500,000 files is about 30 MB.
 * 64 MiB keeps such files readable; the cost is one transient buffer, as the parser decodes only
 * the P/V/A/o/L lines and steps over the file lists.
 */
const MAX_BYTES = 64 * 1024 * 1024;

type ApkFact = PackagesFact | WarningFact;

export const apkAnalyzer: FileAnalyzer<ApkFact> = {
  kind: 'file',
  name: 'apk',
  version: '1',
  maxBytes: MAX_BYTES,
  wants: (entry: EntryInfo) => entry.path === INSTALLED_DB,
  analyze(entry, content) {
    const result = parseApkInstalled(content, entry.path);
    if (result.notApk) return [{ kind: 'warning', path: entry.path, message: result.notApk }];
    return [{ kind: 'packages', path: entry.path, packages: result.packages }, ...result.problems.facts(entry.path)];
  },
  oversized(entry) {
    return [{ kind: 'warning', path: entry.path, message: `${entry.size} bytes is over the ${MAX_BYTES}-byte cap for an apk database; packages not read` }];
  },
};
