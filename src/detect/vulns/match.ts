/**
 * Matches an image inventory against the advisory index.
 *
 * - OS packages are looked up in the namespaces of the image's OS release (os-namespaces.ts); where
 *   the distribution publishes per source package (Debian, Ubuntu, Alpine), binary packages are
 *   looked up by their source package and compared by the source version.
 * - Language packages are looked up by their exact ecosystem name; no name guessing (CPE-style),
 *   and packages identified only from a file name are not matched.
 * - Records of one vulnerability for one package are merged into one finding: the highest fixed
 *   version wins; without any fix, the vendor's state is kept (will_not_fix, fix_deferred,
 *   end_of_life …). A "not affected" record for the package removes the finding.
 * - Severity: the distribution's rating for the package, else the advisory's vendor rating, else
 *   the CVSS base score's band, else unknown.
 * - An end-of-life OS release is a finding of its own, and an OS whose advisories are not in the
 *   database is a warning, so that "0 vulnerabilities" is never silent about either.
 */
import type { Inventory, InventoryPackage } from '../../analysis/inventory.js';
import type { ReportVulnerability, Severity, VulnSeverity } from '../../report/model.js';
import { languageEcosystem, normalizePackageName } from '../../vulndb/ecosystems.js';
import type { VendorStatus } from '../../vulndb/types.js';
import { containment, type AdvisoryIndex, type IndexEntry } from './advisory-index.js';
import { severityFromScore } from './cvss.js';
import { endOfLife } from './eol.js';
import { osStreams, type OsNamespace } from './os-namespaces.js';
import { SCHEMES } from './versions/index.js';
import type { SchemeName } from './versions/index.js';

export { buildIndex } from './advisory-index.js';
export type { AdvisoryIndex, BuildIndexOptions } from './advisory-index.js';

export interface MatchOptions {
  /** "Today" for end-of-life decisions (tests pin it). */
  now?: Date;
  /** Leave out findings without a fixed version (Trivy's --ignore-unfixed). */
  ignoreUnfixed?: boolean;
}

export interface MatchResult {
  vulnerabilities: ReportVulnerability[];
  /** Packages or releases that could not be checked, and why. */
  warnings: string[];
  os: {
    /** Release key, e.g. `debian:11`; null when the OS is unknown. */
    release: string | null;
    namespaces: string[];
    endOfLife: { date: string; ended: boolean } | null;
  };
}

/** Where one package is looked up. */
interface Target {
  namespace: string;
  name: string;
  version: string;
  scheme: SchemeName;
  bySource: boolean;
}

interface Candidate {
  entry: IndexEntry;
  fixed: string | null;
  status: VendorStatus;
  target: Target;
}

/** More specific unfixed states first. */
const UNFIXED_ORDER: VendorStatus[] = ['end_of_life', 'will_not_fix', 'fix_deferred', 'under_investigation', 'affected'];

export function matchInventory(inventory: Inventory, index: AdvisoryIndex, opts: MatchOptions = {}): MatchResult {
  const now = opts.now ?? new Date();
  const warnings: string[] = [];
  const streams = osStreams(inventory.os);
  const findings: ReportVulnerability[] = [];
  const seen = new Set<string>();

  const osTypes = new Set(streams.namespaces.map((n) => n.packageType));
  const uncheckedOs = new Map<string, number>();
  const knownNamespaces = streams.namespaces.filter((n) => index.hasNamespace(n.namespace));

  for (const pkg of inventory.packages) {
    const isOsPackage = pkg.type === 'deb' || pkg.type === 'rpm' || pkg.type === 'apk';
    let targets: Target[];
    if (isOsPackage) {
      if (!osTypes.has(pkg.type) || knownNamespaces.length === 0) {
        uncheckedOs.set(pkg.type, (uncheckedOs.get(pkg.type) ?? 0) + 1);
        continue;
      }
      targets = knownNamespaces.filter((n) => n.packageType === pkg.type).flatMap((n) => osTargets(pkg, n));
    } else {
      const target = languageTarget(pkg);
      if (!target) continue;
      targets = [target];
    }
    for (const finding of matchPackageMemo(pkg, targets, index, warnings)) {
      if (opts.ignoreUnfixed && finding.fixedVersion === null) continue;
      // the report does not carry paths: two copies of one package version are one finding
      const key = `${finding.packageType}\u0000${finding.packageName}\u0000${finding.installedVersion}\u0000${finding.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push(finding);
    }
  }

  const releaseKey = streams.release ? `${streams.release.family}:${streams.release.key}` : null;
  for (const [type, count] of uncheckedOs) {
    if (!inventory.os) warnings.push(`OS not identified: ${count} ${type} package(s) were not checked for vulnerabilities`);
    else if (streams.namespaces.length === 0)
      warnings.push(`no advisory feed is known for ${inventory.os.name} ${inventory.os.version}: ${count} ${type} package(s) were not checked`);
    else if (!osTypes.has(type as InventoryPackage['type']))
      warnings.push(`${count} ${type} package(s) do not belong to ${inventory.os.name} ${inventory.os.version} packaging and were not checked`);
    else warnings.push(`no advisories for ${streams.namespaces.map((n) => n.namespace).join(' / ')} in the database: ${count} ${type} package(s) were not checked`);
  }

  const eol = streams.release && inventory.os ? endOfLife(streams.release.family, streams.release.key, inventory.os.name, now) : null;
  if (eol?.ended && inventory.os && streams.release) findings.unshift(eolFinding(inventory, streams.release.key, eol.date));

  return {
    vulnerabilities: findings,
    warnings,
    os: { release: releaseKey, namespaces: streams.namespaces.map((n) => n.namespace), endOfLife: eol },
  };
}

/**
 * Every (namespace, name) the matcher would look up for this inventory — what a database-backed
 * caller loads before building the index (see vulndb/advisory-store.ts `advisoriesFor`).
 */
export function lookupKeys(inventory: Inventory): Array<{ namespace: string; name: string }> {
  const streams = osStreams(inventory.os);
  const keys = new Map<string, { namespace: string; name: string }>();
  const add = (t: Target): void => void keys.set(`${t.namespace}\u0000${t.name}`, { namespace: t.namespace, name: t.name });
  for (const pkg of inventory.packages) {
    if (pkg.type === 'deb' || pkg.type === 'rpm' || pkg.type === 'apk') {
      for (const ns of streams.namespaces) if (ns.packageType === pkg.type) osTargets(pkg, ns).forEach(add);
    } else {
      const target = languageTarget(pkg);
      if (target) add(target);
    }
  }
  return [...keys.values()];
}

/**
 * Where an OS package is looked up in one namespace. Source-keyed streams (Debian, Ubuntu, Alpine,
 * openEuler): by the source package and its version. Binary-keyed rpm streams (Alma, Rocky, Red
 * Hat, SUSE): by the binary name, and also by the source rpm's name — some errata list only the
 * main package of a build, and every binary of one build shares its version.
 */
function osTargets(pkg: InventoryPackage, ns: OsNamespace): Target[] {
  const bySource = (): Target => ({ namespace: ns.namespace, name: pkg.source as string, version: pkg.sourceVersion ?? pkg.version, scheme: ns.scheme, bySource: pkg.source !== pkg.name });
  const byName: Target = { namespace: ns.namespace, name: pkg.name, version: pkg.version, scheme: ns.scheme, bySource: false };
  if (!pkg.source) return [byName];
  if (ns.nameKind === 'source') return [bySource()];
  return pkg.type === 'rpm' && pkg.source !== pkg.name ? [byName, bySource()] : [byName];
}

function languageTarget(pkg: InventoryPackage): Target | null {
  const ecosystem = languageEcosystem(pkg.type);
  if (!ecosystem) return null;
  // a name read from a file name is a guess; a jar manifest without Maven coordinates is one too
  if (pkg.evidence === 'file-name') return null;
  if (pkg.evidence === 'manifest' && !pkg.name.includes(':')) return null;
  return { namespace: ecosystem.namespace, name: normalizePackageName(ecosystem.namespace, pkg.name), version: pkg.version, scheme: ecosystem.scheme, bySource: false };
}

/**
 * Findings per package identity, per index. An image fleet repeats the same package versions
 * (shared bases), and a re-match runs thousands of inventories through one index: each distinct
 * (package, lookup targets) is matched once. The layer is the only per-image part of a finding;
 * findings are kept per layer too, so a package in the same layer yields the same (never mutated)
 * finding objects, which lets writers cache what they derive from them. Packages whose match
 * produced warnings are not remembered (the warning names their path).
 */
interface Memo {
  layer: string;
  findings: ReportVulnerability[];
  otherLayers?: Map<string, ReportVulnerability[]>;
}
const memos = new WeakMap<AdvisoryIndex, Map<string, Memo>>();
const MEMO_CAP = 200_000;

function matchPackageMemo(pkg: InventoryPackage, targets: Target[], index: AdvisoryIndex, warnings: string[]): ReportVulnerability[] {
  let memo = memos.get(index);
  if (!memo) memos.set(index, (memo = new Map()));
  let key = `${pkg.type}\u0000${pkg.name}\u0000${pkg.version}\u0000${pkg.modularityLabel ?? ''}`;
  for (const t of targets) key += `\u0000${t.namespace}\u0001${t.name}\u0001${t.version}\u0001${t.scheme}\u0001${t.bySource ? 1 : 0}`;
  const known = memo.get(key);
  if (known) {
    if (known.layer === pkg.layerDiffId) return known.findings;
    known.otherLayers ??= new Map();
    let copies = known.otherLayers.get(pkg.layerDiffId);
    if (!copies) known.otherLayers.set(pkg.layerDiffId, (copies = known.findings.map((f) => ({ ...f, layerDiffId: pkg.layerDiffId }))));
    return copies;
  }
  const before = warnings.length;
  const found = matchPackage(pkg, targets, index, warnings);
  if (warnings.length === before) {
    if (memo.size >= MEMO_CAP) memo.clear();
    memo.set(key, { layer: pkg.layerDiffId, findings: found });
  }
  return found;
}

function matchPackage(pkg: InventoryPackage, targets: Target[], index: AdvisoryIndex, warnings: string[]): ReportVulnerability[] {
  const candidates = new Map<string, Candidate[]>();
  const notAffected = new Set<string>();
  const parsed = new Map<string, unknown>();
  for (const target of targets) {
    const entries = index.lookup(target.namespace, target.name);
    if (entries.length === 0) continue;
    const scheme = SCHEMES[target.scheme];
    const cacheKey = `${target.scheme}\u0000${target.version}`;
    let installed = parsed.get(cacheKey);
    if (installed === undefined) {
      try {
        installed = scheme.parse(target.version);
      } catch (err) {
        warnings.push(`${pkg.type} package ${pkg.name} ${target.version} (${pkg.path}): ${err instanceof Error ? err.message : String(err)}; not matched`);
        continue;
      }
      parsed.set(cacheKey, installed);
    }
    for (const entry of entries) {
      if (entry.affected.status === 'not_affected') {
        notAffected.add(entry.vuln);
        continue;
      }
      if (entry.affected.scheme !== target.scheme) continue;
      if (pkg.type === 'rpm' && !sameModularity(pkg, entry)) continue;
      const { hit, fixed } = containment(entry, installed, target.version);
      if (!hit) continue;
      const status: VendorStatus = fixed ? 'fixed' : entry.affected.status === 'fixed' ? 'affected' : entry.affected.status;
      const list = candidates.get(entry.vuln);
      const candidate: Candidate = { entry, fixed: fixed ?? null, status, target };
      if (list) list.push(candidate);
      else candidates.set(entry.vuln, [candidate]);
    }
  }
  const out: ReportVulnerability[] = [];
  for (const [vuln, list] of candidates) {
    if (notAffected.has(vuln)) continue;
    out.push(toFinding(pkg, vuln, list, index));
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Module streams ship their own builds (`.module+el8…` releases): a modular package is only judged
 * by modular fixes and a non-modular one by non-modular fixes, or a stream's fix would be taken for
 * the base package's and the other way round.
 */
function sameModularity(pkg: InventoryPackage, entry: IndexEntry): boolean {
  const fixes = entry.affected.ranges.map((r) => r.fixed).filter((f): f is string => !!f);
  if (fixes.length === 0) return true;
  const modularFix = fixes.some((f) => /[.+]module[_+]/.test(f));
  return modularFix === Boolean(pkg.modularityLabel);
}

function toFinding(pkg: InventoryPackage, vuln: string, list: Candidate[], index: AdvisoryIndex): ReportVulnerability {
  const fixedOnes = list.filter((c) => c.fixed !== null);
  let primary: Candidate;
  if (fixedOnes.length > 0) {
    const scheme = SCHEMES[(fixedOnes[0] as Candidate).target.scheme];
    primary = fixedOnes.reduce((best, c) => (scheme.compare(c.fixed as string, best.fixed as string) > 0 ? c : best));
  } else {
    primary = [...list].sort((a, b) => UNFIXED_ORDER.indexOf(a.status) - UNFIXED_ORDER.indexOf(b.status))[0] as Candidate;
  }
  const aliases = new Set<string>();
  for (const c of list) for (const id of c.entry.ids) if (id !== vuln) aliases.add(id);
  const cvss = index.cvssOf(vuln);
  const severity = pickSeverity(list, primary, cvss?.score, index);
  const title = primary.entry.bundle ? (index.titleOf(vuln) ?? primary.entry.advisory.title) : (primary.entry.advisory.title ?? index.titleOf(vuln));
  const finding: ReportVulnerability = {
    id: vuln,
    aliases: [...aliases].sort(),
    packageName: pkg.name,
    packageType: pkg.type,
    installedVersion: pkg.version,
    fixedVersion: primary.fixed,
    severity,
    ...(cvss ? { cvssScore: cvss.score } : {}),
    ...(title ? { title } : {}),
    source: primary.entry.advisory.source,
    layerDiffId: pkg.layerDiffId,
    status: primary.status,
    solution: solution(pkg, primary),
  };
  return finding;
}

/**
 * The distribution's rating of this vulnerability for this package: from the records that matched,
 * else from any other record of the same vulnerability for the same package and release. Debian's
 * DSA/DLA lists carry no rating, its tracker export does (`urgency` per release): the two are
 * separate sources, merged here rather than at import, so each is still replaced on its own and a
 * tracker update changes severities at the next re-match without re-importing the lists.
 */
function pickSeverity(list: Candidate[], primary: Candidate, cvssScore: number | undefined, index: AdvisoryIndex): VulnSeverity {
  const ordered = [primary, ...list.filter((c) => c !== primary)];
  const perPackage = ordered.find((c) => c.entry.affected.severity)?.entry.affected.severity ?? releaseRating(ordered, index);
  if (perPackage) return perPackage;
  const vendor: Severity | undefined = ordered.find((c) => c.entry.advisory.severity)?.entry.advisory.severity;
  if (vendor) return vendor;
  return cvssScore !== undefined ? severityFromScore(cvssScore) : 'unknown';
}

function releaseRating(candidates: Candidate[], index: AdvisoryIndex): Severity | undefined {
  const vuln = candidates[0]?.entry.vuln;
  for (const { target } of candidates) {
    for (const other of index.lookup(target.namespace, target.name)) {
      if (other.vuln === vuln && other.affected.severity && other.affected.status !== 'not_affected') return other.affected.severity;
    }
  }
  return undefined;
}

function solution(pkg: InventoryPackage, c: Candidate): string {
  const via = c.target.bySource ? ` (fixed in source package ${c.target.name})` : '';
  switch (c.status) {
    case 'fixed':
      // Ubuntu Pro fixes come from the ESM archives, which need a subscription
      return `Upgrade ${pkg.name} to ${c.fixed} or later${via}${c.target.namespace.startsWith('ubuntu-pro:') ? ', available with Ubuntu Pro (ESM)' : ''}.`;
    case 'will_not_fix':
      return `The vendor will not fix this in this release${via}; remove or replace ${pkg.name}, or mitigate.`;
    case 'fix_deferred':
      return `The vendor has deferred the fix${via}; no update is available yet. Mitigate, or watch for an update of ${pkg.name}.`;
    case 'end_of_life':
      return `${pkg.name} is no longer supported in this release${via}; no fix will be published. Move to a supported release or replace the package.`;
    case 'under_investigation':
      return `The vendor is still investigating whether ${pkg.name} is affected${via}; no fix is available yet.`;
    default:
      return `No fixed version of ${pkg.name} is available yet${via}; mitigate, or watch for an update.`;
  }
}

function eolFinding(inventory: Inventory, key: string, date: string): ReportVulnerability {
  const os = inventory.os as NonNullable<Inventory['os']>;
  const releaseFile = ['etc/os-release', 'usr/lib/os-release', 'etc/alpine-release', 'etc/debian_version', 'etc/redhat-release']
    .map((p) => inventory.files[p])
    .find((f) => f !== undefined);
  const proNote = os.family === 'ubuntu' ? ' Security fixes continue only through Ubuntu Pro (ESM).' : '';
  return {
    id: `OS-EOL-${os.family}-${key}`,
    aliases: [],
    packageName: os.name,
    packageType: 'os',
    installedVersion: os.version,
    fixedVersion: null,
    // every later vulnerability of the release goes unfixed: as serious as an unfixed high
    severity: 'high',
    title: `${os.name} ${os.version} reached end of life on ${date}: no more security updates`,
    source: 'tarsier-eol',
    layerDiffId: releaseFile?.layerDiffId ?? inventory.artifact.layers[0]?.diffId ?? '',
    status: 'end_of_life',
    solution: `Rebuild the image on a supported release of ${os.name}.${proNote}`,
  };
}
