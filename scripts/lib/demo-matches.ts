/**
 * Which advisories of a feed affect which package of the demo images, decided independently of
 * the scanner's matcher: by the feeds' own rules (source-package names for Debian, Ubuntu and
 * Alpine; OSV ranges evaluated with the ecosystem's version ordering). The snapshot script uses it
 * to choose what to keep and to write the expectations into data/advisories/SOURCES.md; the demo
 * tests use it to check the scanner's findings against those expectations.
 */
import type { PackageType } from '../../src/analysis/types.js';
import { DEMO_INVENTORY } from '../../src/demo/packages.js';
import { SCHEMES } from '../../src/detect/vulns/versions/index.js';
import { normalizePackageName } from '../../src/vulndb/ecosystems.js';
import type { Advisory, AffectedPackage } from '../../src/vulndb/types.js';

export interface DemoPackage {
  image: string;
  /** Advisory namespaces that speak about this package, the distribution's own first. */
  namespaces: string[];
  type: PackageType;
  /** As the package's own metadata writes it (what the scanner reports). */
  name: string;
  /** The name as the advisory namespace compares it (PyPI names are normalized, PEP 503). */
  matchName: string;
  version: string;
  /** Source package and its version, for feeds keyed by source (deb Source, apk origin). */
  source: string;
  sourceVersion: string;
}

/** `go1.20.4` → `v1.20.4`, the version the stdlib pseudo-module is matched at. */
function stdlibVersion(goVersion: string): string {
  return `v${goVersion.replace(/^go/, '')}`;
}

export function demoPackages(): DemoPackage[] {
  const inv = DEMO_INVENTORY;
  const out: DemoPackage[] = [];
  for (const p of inv.debian10) {
    out.push({ image: 'demo/debian:10', namespaces: ['debian:10'], type: 'deb', name: p.name, matchName: p.name, version: p.version, source: p.source ?? p.name, sourceVersion: p.sourceVersion ?? p.version });
  }
  for (const p of inv.ubuntu1604) {
    out.push({ image: 'demo/ubuntu:16.04', namespaces: ['ubuntu:16.04', 'ubuntu-pro:16.04'], type: 'deb', name: p.name, matchName: p.name, version: p.version, source: p.source ?? p.name, sourceVersion: p.sourceVersion ?? p.version });
  }
  for (const p of inv.alpine318) {
    out.push({ image: 'demo/alpine:3.18', namespaces: ['alpine:3.18'], type: 'apk', name: p.name, matchName: p.name, version: p.version, source: p.origin, sourceVersion: p.version });
  }
  for (const p of inv.pypi) {
    const matchName = normalizePackageName('pypi', p.name);
    out.push({ image: 'demo/alpine:3.18', namespaces: ['pypi'], type: 'pypi', name: p.name, matchName, version: p.version, source: matchName, sourceVersion: p.version });
  }
  for (const m of [...inv.go.modules, { path: 'stdlib', version: stdlibVersion(inv.go.goVersion) }]) {
    out.push({ image: 'demo/alpine:3.18', namespaces: ['go'], type: 'golang', name: m.path, matchName: m.path, version: m.version, source: m.path, sourceVersion: m.version });
  }
  return out;
}

/** Whether `version` lies in the affected entry's ranges or version list (status decides the rest). */
function inRanges(a: AffectedPackage, version: string): boolean {
  const scheme = SCHEMES[a.scheme];
  if (scheme.check(version) !== null) return false;
  if (a.versions?.includes(version)) return true;
  if (a.ranges.length === 0) return !a.versions?.length;
  return a.ranges.some(
    (r) =>
      (r.introduced === undefined || scheme.compare(version, r.introduced) >= 0) &&
      (r.fixed === undefined || scheme.compare(version, r.fixed) < 0) &&
      (r.lastAffected === undefined || scheme.compare(version, r.lastAffected) <= 0),
  );
}

/** The affected entry of `adv` that makes `pkg` vulnerable, or null. */
export function affectingEntry(adv: Advisory, pkg: DemoPackage): AffectedPackage | null {
  if (adv.withdrawn) return null;
  for (const a of adv.affected) {
    if (!pkg.namespaces.includes(a.namespace) || a.status === 'not_affected') continue;
    const byName = a.nameKind === 'source' ? a.name === pkg.source : a.name === pkg.matchName;
    if (!byName) continue;
    const version = a.nameKind === 'source' ? pkg.sourceVersion : pkg.version;
    if (inRanges(a, version)) return a;
  }
  return null;
}

export interface ExpectedMatch {
  image: string;
  packageName: string;
  installedVersion: string;
  advisory: string;
  /** Vulnerabilities the advisory fixes (DSA/DLA/USN `covers`) or its aliases. */
  ids: string[];
  fixedVersion: string | null;
  source: string;
}

export function expectedMatches(advisories: Iterable<Advisory>, packages: DemoPackage[] = demoPackages()): ExpectedMatch[] {
  const byKey = new Map<string, DemoPackage[]>();
  for (const p of packages) for (const ns of p.namespaces) for (const n of new Set([p.matchName, p.source])) byKey.set(`${ns}\0${n}`, [...(byKey.get(`${ns}\0${n}`) ?? []), p]);
  const out: ExpectedMatch[] = [];
  for (const adv of advisories) {
    const candidates = new Set(adv.affected.flatMap((a) => byKey.get(`${a.namespace}\0${a.name}`) ?? []));
    for (const pkg of candidates) {
      const a = affectingEntry(adv, pkg);
      if (!a) continue;
      const fixed = a.ranges.find((r) => r.fixed !== undefined)?.fixed ?? null;
      out.push({ image: pkg.image, packageName: pkg.name, installedVersion: pkg.version, advisory: adv.id, ids: adv.covers ?? adv.aliases, fixedVersion: fixed, source: adv.source });
    }
  }
  return out.sort((x, y) => cmp(x.image, y.image) || cmp(x.packageName, y.packageName) || cmp(x.advisory, y.advisory));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
