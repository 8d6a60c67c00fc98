/**
 * Installed Python distributions: wheel installs (`<name>-<ver>.dist-info/METADATA`), setuptools
 * installs (`<name>.egg-info/PKG-INFO`, `<name>.egg/EGG-INFO/PKG-INFO`) and distutils installs
 * whose `<name>-<ver>.egg-info` is itself the PKG-INFO file (common in Debian's dist-packages).
 */
import { makePurl } from '../purl.js';
import { readCoreMetadata } from '../lang/python/core-metadata.js';
import type { EntryInfo, Fact, FileAnalyzer, Package } from '../types.js';

/** Metadata embeds the long description; a few MiB covers the largest real ones. */
const MAX_METADATA_BYTES = 8 * 1024 * 1024;

const METADATA_PATH = /(?:^|\/)[^/]+\.dist-info\/METADATA$|(?:^|\/)[^/]+\.egg-info\/PKG-INFO$|(?:^|\/)[^/]+\.egg\/EGG-INFO\/PKG-INFO$|(?:^|\/)[^/]+\.egg-info$/;

export const pythonAnalyzer: FileAnalyzer = {
  kind: 'file',
  name: 'python',
  version: '1',
  maxBytes: MAX_METADATA_BYTES,
  wants(entry: EntryInfo): boolean {
    return entry.type === 'file' && METADATA_PATH.test(entry.path);
  },
  analyze(entry: EntryInfo, content: Buffer): Fact[] {
    const read = readCoreMetadata(content);
    if (read.status === 'invalid') return [{ kind: 'warning', path: entry.path, message: `${entry.path}: not valid Python package metadata (${read.reason})` }];
    const { name, version, licenses } = read.dist;
    const pkg: Package = { type: 'pypi', name, version, path: entry.path, purl: makePurl('pypi', name, version) };
    if (licenses.length > 0) pkg.licenses = licenses;
    return [{ kind: 'packages', path: entry.path, packages: [pkg] }];
  },
  oversized(entry: EntryInfo): Fact[] {
    return [{ kind: 'warning', path: entry.path, message: `${entry.path}: Python metadata is ${entry.size} bytes, over the ${MAX_METADATA_BYTES}-byte limit; not read` }];
  },
};
