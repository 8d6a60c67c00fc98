/**
 * npm packages installed in the image: one package per `package.json` with a name and a version
 * below a `node_modules` folder (local and global installs). Lockfiles are not read: in an image
 * only what is installed counts.
 */
import { makePurl } from '../purl.js';
import { isInstalledPackageJson, isPackageRoot, readNpmManifest } from '../lang/npm/package-json.js';
import type { EntryInfo, Fact, FileAnalyzer, Package } from '../types.js';

/** Real manifests are a few KiB; old npm versions inlined the README, still well under this. */
const MAX_PACKAGE_JSON_BYTES = 4 * 1024 * 1024;

export const npmAnalyzer: FileAnalyzer = {
  kind: 'file',
  name: 'npm',
  version: '2',
  maxBytes: MAX_PACKAGE_JSON_BYTES,
  wants(entry: EntryInfo): boolean {
    return entry.type === 'file' && isInstalledPackageJson(entry.path);
  },
  analyze(entry: EntryInfo, content: Buffer): Fact[] {
    const read = readNpmManifest(content);
    if (read.status === 'malformed') {
      // Packages ship broken manifests as test fixtures; only a package's own one is worth a warning.
      return isPackageRoot(entry.path) ? [{ kind: 'warning', path: entry.path, message: `${entry.path}: not a valid package.json (${read.reason})` }] : [];
    }
    // Stub manifests without name or version (placeholders, workspaces) are not installed packages.
    if (read.status === 'incomplete') return [];
    const { name, version, licenses } = read.manifest;
    const pkg: Package = { type: 'npm', name, version, path: entry.path, purl: npmPurl(name, version) };
    if (licenses.length > 0) pkg.licenses = licenses;
    return [{ kind: 'packages', path: entry.path, packages: [pkg] }];
  },
  oversized(entry: EntryInfo): Fact[] {
    return [{ kind: 'warning', path: entry.path, message: `${entry.path}: package.json is ${entry.size} bytes, over the ${MAX_PACKAGE_JSON_BYTES}-byte limit; not read` }];
  },
};

/** `@scope/name` → namespace `@scope` (encoded `%40scope` in the purl). */
function npmPurl(name: string, version: string): string {
  const slash = name.indexOf('/');
  if (name.startsWith('@') && slash > 1 && slash < name.length - 1) return makePurl('npm', name.slice(slash + 1), version, { namespace: name.slice(0, slash) });
  return makePurl('npm', name, version);
}
