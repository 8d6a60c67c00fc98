/**
 * Advisory namespaces: where a package name is looked up, with the version ordering it uses.
 * Feeds and inventories name the same places differently (OSV `Ubuntu:18.04:LTS`, secdb `v3.18`,
 * the Debian tracker's `bullseye`, os-release `VERSION_ID="18.04"`); every reader and the matcher
 * go through these functions, so both sides meet on one spelling: `family:release`, lower-case.
 */
import type { PackageType } from '../analysis/types.js';
import type { SchemeName } from '../detect/vulns/versions/types.js';

export interface Ecosystem {
  namespace: string;
  scheme: SchemeName;
  /** Distributions that publish per source package (Debian, Ubuntu, Alpine) vs per binary/package. */
  nameKind: 'source' | 'binary';
}

/** Debian release codenames → release numbers (the tracker and DSA/DLA lists use codenames). */
export const DEBIAN_CODENAMES: Readonly<Record<string, string>> = {
  buzz: '1.1',
  rex: '1.2',
  bo: '1.3',
  hamm: '2.0',
  slink: '2.1',
  potato: '2.2',
  woody: '3.0',
  sarge: '3.1',
  etch: '4',
  lenny: '5',
  squeeze: '6',
  wheezy: '7',
  jessie: '8',
  stretch: '9',
  buster: '10',
  bullseye: '11',
  bookworm: '12',
  trixie: '13',
  forky: '14',
  duke: '15',
};

const debianNs = (release: string): Ecosystem => ({ namespace: `debian:${release}`, scheme: 'dpkg', nameKind: 'source' });

/** The namespace of a Debian suite codename (`bullseye` → `debian:11`), or null if unknown. */
export function debianSuite(codename: string): Ecosystem | null {
  const release = DEBIAN_CODENAMES[codename.toLowerCase()];
  return release ? debianNs(release) : null;
}

/** Alpine branch as secdb and OSV write it (`v3.18`, `edge`) → `alpine:3.18`. */
export function alpineBranch(branch: string): Ecosystem | null {
  const m = /^v?(\d+\.\d+)$/.exec(branch.trim());
  const release = m ? m[1] : branch.trim().toLowerCase() === 'edge' ? 'edge' : null;
  return release ? { namespace: `alpine:${release}`, scheme: 'apk', nameKind: 'source' } : null;
}

const LANGUAGE: Readonly<Record<string, Ecosystem>> = {
  npm: { namespace: 'npm', scheme: 'semver', nameKind: 'binary' },
  pypi: { namespace: 'pypi', scheme: 'pep440', nameKind: 'binary' },
  maven: { namespace: 'maven', scheme: 'maven', nameKind: 'binary' },
  go: { namespace: 'go', scheme: 'go', nameKind: 'binary' },
  'crates.io': { namespace: 'crates.io', scheme: 'semver', nameKind: 'binary' },
  rubygems: { namespace: 'rubygems', scheme: 'rubygems', nameKind: 'binary' },
  nuget: { namespace: 'nuget', scheme: 'nuget', nameKind: 'binary' },
  packagist: { namespace: 'packagist', scheme: 'composer', nameKind: 'binary' },
};

/** Language package types of the inventory → their advisory namespace. */
const PACKAGE_TYPE_NAMESPACE: Partial<Record<PackageType, string>> = {
  npm: 'npm',
  pypi: 'pypi',
  maven: 'maven',
  golang: 'go',
  gem: 'rubygems',
  nuget: 'nuget',
  cargo: 'crates.io',
  composer: 'packagist',
};

export function languageEcosystem(type: PackageType): Ecosystem | null {
  const ns = PACKAGE_TYPE_NAMESPACE[type];
  return ns ? (LANGUAGE[ns] ?? null) : null;
}

/**
 * An OSV `affected[].package.ecosystem` → namespace, or null for ecosystems Tarsier does not match
 * (Android, Linux, GIT, Hex, Pub … are not scanned).
 */
export function osvEcosystem(ecosystem: string): Ecosystem | null {
  const text = ecosystem.trim();
  const colon = text.indexOf(':');
  const family = (colon < 0 ? text : text.slice(0, colon)).trim();
  const rest = colon < 0 ? '' : text.slice(colon + 1).trim();
  const lang = LANGUAGE[family.toLowerCase()];
  if (lang) return lang;
  switch (family) {
    case 'Debian':
      return /^\d+$/.test(rest) ? debianNs(rest) : null;
    case 'Ubuntu':
      return ubuntuEcosystem(rest);
    case 'Alpine':
      return alpineBranch(rest);
    case 'AlmaLinux':
      return majorRelease('almalinux', rest);
    case 'Rocky Linux':
      return majorRelease('rocky', rest);
    case 'Red Hat': {
      // `Red Hat:enterprise_linux:9::appstream`; other products (EUS, SAP, …) have their own streams
      const [product, release] = rest.split(':');
      return product === 'enterprise_linux' && release ? majorRelease('redhat', release) : null;
    }
    case 'openEuler':
      return rest ? { namespace: `openeuler:${openEulerRelease(rest)}`, scheme: 'rpm', nameKind: 'source' } : null;
    case 'SUSE':
    case 'openSUSE':
      return suseEcosystem(family, rest);
    case 'Photon OS':
      return /^\d+\.\d+$/.test(rest) ? { namespace: `photon:${rest}`, scheme: 'rpm', nameKind: 'binary' } : null;
    case 'Wolfi':
    case 'Chainguard':
      return { namespace: family.toLowerCase(), scheme: 'apk', nameKind: 'source' };
    default:
      return null;
  }
}

function majorRelease(family: string, release: string): Ecosystem | null {
  const m = /^(\d+)(?:\.\d+)*$/.exec(release.trim());
  return m ? { namespace: `${family}:${m[1]}`, scheme: 'rpm', nameKind: 'binary' } : null;
}

/** `18.04:LTS` → ubuntu:18.04, `Pro:16.04:LTS` → ubuntu-pro:16.04; FIPS streams are not matched. */
function ubuntuEcosystem(rest: string): Ecosystem | null {
  const parts = rest.split(':').filter((p) => p !== 'LTS');
  const release = parts.find((p) => /^\d+\.\d+$/.test(p));
  if (!release) return null;
  const qualifiers = parts.filter((p) => p !== release);
  if (qualifiers.length === 0) return { namespace: `ubuntu:${release}`, scheme: 'dpkg', nameKind: 'source' };
  if (qualifiers.length === 1 && qualifiers[0] === 'Pro') return { namespace: `ubuntu-pro:${release}`, scheme: 'dpkg', nameKind: 'source' };
  return null;
}

/** openEuler releases as OSV and os-release write them: `22.03-LTS-SP1`, `22.03 (LTS-SP1)`. */
export function openEulerRelease(version: string): string {
  return version
    .trim()
    .replace(/\s*\(([^)]*)\)\s*$/, '-$1')
    .replace(/\s+/g, '-')
    .toLowerCase();
}

/** SUSE products → `sles:15.3`, `sle-micro:5.3`, `opensuse-leap:15.4`, `opensuse-tumbleweed`. */
function suseEcosystem(family: string, product: string): Ecosystem | null {
  const rpmNs = (namespace: string): Ecosystem => ({ namespace, scheme: 'rpm', nameKind: 'binary' });
  if (family === 'openSUSE') {
    const leap = /^Leap (?:Micro )?(\d+\.\d+)$/.exec(product);
    if (leap) return rpmNs(`opensuse-leap:${leap[1]}`);
    return product === 'Tumbleweed' ? rpmNs('opensuse-tumbleweed') : null;
  }
  const micro = /^Linux Enterprise Micro (\d+\.\d+)$/.exec(product);
  if (micro) return rpmNs(`sle-micro:${micro[1]}`);
  // Server, Desktop and the modules a server image installs from (Basesystem, Server Applications …)
  const sle = /^Linux Enterprise (?:Server|Desktop|Module for [A-Za-z0-9 +&-]+?) (\d+)(?: SP(\d+))?$/.exec(product);
  if (sle) return rpmNs(`sles:${sle[1]}${sle[2] ? `.${sle[2]}` : ''}`);
  return null;
}

/** The SUSE release key of an os-release version: `15.3`, `15-SP3` → `15.3`; `15`, `15.0` → `15`. */
export function suseRelease(version: string): string {
  const m = /^(\d+)(?:[.-](?:SP)?(\d+))?/i.exec(version.trim());
  if (!m) return version.trim();
  return m[2] && m[2] !== '0' ? `${m[1]}.${m[2]}` : (m[1] as string);
}

/**
 * Package names as each namespace compares them: PyPI per PEP 503 (case and `-_.` runs folded),
 * NuGet, Packagist and crates.io case-insensitively; everything else as written.
 */
export function normalizePackageName(namespace: string, name: string): string {
  switch (namespace) {
    case 'pypi':
      return name.trim().toLowerCase().replace(/[-_.]+/g, '-');
    case 'nuget':
    case 'packagist':
    case 'crates.io':
      return name.trim().toLowerCase();
    default:
      return name.trim();
  }
}
