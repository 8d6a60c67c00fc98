import { PackageURL } from 'packageurl-js';
import type { OsInfo, Package, PackageType } from './types.js';

/**
 * Package URLs (purl spec). OS package analyzers do not know the distribution, so they build a
 * purl without namespace/distro; `withDistro` fills those in once the merged OS is known.
 */
export function makePurl(
  type: PackageType,
  name: string,
  version: string,
  opts: { namespace?: string; qualifiers?: Record<string, string | undefined> } = {},
): string {
  const qualifiers: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.qualifiers ?? {})) if (v !== undefined && v !== '') qualifiers[k] = v;
  const purlType = type === 'pypi' ? 'pypi' : type;
  const purlName = type === 'pypi' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name;
  return new PackageURL(
    purlType,
    opts.namespace ?? null,
    purlName,
    version,
    Object.keys(qualifiers).length ? qualifiers : null,
    null,
  ).toString();
}

/** A package's purl with the distribution namespace and `distro` qualifier (deb/rpm/apk only). */
export function withDistro(pkg: Package, os: OsInfo | null): string {
  if (!os || (pkg.type !== 'deb' && pkg.type !== 'rpm' && pkg.type !== 'apk')) return pkg.purl;
  const parsed = PackageURL.fromString(pkg.purl);
  const qualifiers = { ...(parsed.qualifiers ?? {}), distro: `${os.family}-${os.version}` };
  return new PackageURL(parsed.type, os.family, parsed.name, parsed.version, qualifiers, null).toString();
}
