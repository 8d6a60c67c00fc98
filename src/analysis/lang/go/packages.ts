/**
 * Go build info → packages. Choices, so that what we report is what was compiled in:
 * - the Go standard library is a package `stdlib` at the toolchain version (vulnerability feeds
 *   publish stdlib advisories under that name);
 * - the main module is kept even when its version is `(devel)` (built from a checkout): the
 *   version then says it is unknown, and no comparator can match it;
 * - a replaced dependency is reported as its replacement; a replacement by a local directory
 *   (`=> ../fork`, no version) keeps the original path with version `(devel)`, since the code is
 *   a local copy of unknown version, not the release the `dep` line names;
 * - GOPATH-mode binaries carry no `mod` line and so have no main-module package.
 */
import { PackageURL } from 'packageurl-js';
import type { Package } from '../../types.js';
import type { GoBuildInfo, GoModule } from './modinfo.js';
import { goToolchainSemver } from './toolchain-version.js';

export const DEVEL_VERSION = '(devel)';

export function goPackages(goVersion: string | null, info: GoBuildInfo, filePath: string): Package[] {
  const packages: Package[] = [];
  const stdlibVersion = goVersion === null ? null : goToolchainSemver(goVersion);
  if (stdlibVersion) packages.push(goPackage('stdlib', stdlibVersion, filePath));
  if (info.main && info.main.path) packages.push(goPackage(info.main.path, info.main.version || DEVEL_VERSION, filePath));
  const seen = new Set<string>();
  for (const dep of info.deps) {
    const { path, version } = effectiveModule(dep);
    if (!version || seen.has(`${path}@${version}`)) continue;
    seen.add(`${path}@${version}`);
    packages.push(goPackage(path, version, filePath));
  }
  return packages;
}

function effectiveModule(dep: GoModule): { path: string; version: string } {
  const r = dep.replace;
  if (!r) return dep;
  if (r.version === '' || isLocalPath(r.path)) return { path: dep.path, version: DEVEL_VERSION };
  return r;
}

/** Go's rule (modfile.IsDirectoryPath): replacements by directory start with `./`, `../` or `/`. */
function isLocalPath(p: string): boolean {
  return p === '.' || p === '..' || p.startsWith('./') || p.startsWith('../') || p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p);
}

function goPackage(modulePath: string, version: string, filePath: string): Package {
  return { type: 'golang', name: modulePath, version, path: filePath, purl: goPurl(modulePath, version) };
}

/** `pkg:golang/<namespace>/<last segment>@<version>`, as the purl spec's golang type lays it out. */
export function goPurl(modulePath: string, version: string): string {
  const slash = modulePath.lastIndexOf('/');
  const namespace = slash > 0 ? modulePath.slice(0, slash) : null;
  const name = slash > 0 ? modulePath.slice(slash + 1) : modulePath;
  return new PackageURL('golang', namespace, name, version, null, null).toString();
}
