/**
 * OSV records (ossf.github.io/osv-schema, 1.x) → Advisory. Covers the OS ecosystems (Debian,
 * Ubuntu, Alpine, AlmaLinux, Rocky, Red Hat, openEuler, SUSE) and the language ones with a version
 * ordering (npm, PyPI, Maven, Go, crates.io, RubyGems, NuGet, Packagist). Affected entries of other ecosystems
 * are left out; a record with none left is still returned (its aliases help merging).
 *
 * `ECOSYSTEM`/`SEMVER` ranges become intervals after sorting their events by the ecosystem's own
 * order, as the schema's evaluation algorithm does. `GIT` ranges cannot be evaluated against an
 * installed version; the record's explicit `versions` list stands in for them.
 */
import { SCHEMES } from '../detect/vulns/versions/index.js';
import type { Severity } from '../report/model.js';
import { normalizePackageName, osvEcosystem } from './ecosystems.js';
import type { AffectedPackage, AffectedRange, Advisory, CvssVector } from './types.js';

/** Vendor advisories that bundle fixes for several vulnerabilities; reported per vulnerability. */
const BUNDLE_ID = /^(?:USN|DSA|DLA|DTSA|ALSA|RLSA|RHSA|SUSE-SU|openSUSE-SU|openEuler-SA|PHSA|ELSA|ALAS\d*)-/i;
/** Bug-fix and enhancement errata: not vulnerabilities, so not read. */
const NOT_SECURITY_ID = /^(?:ALBA|ALEA|RLBA|RLEA|RHBA|RHEA|SUSE-RU|SUSE-FU|SUSE-OU|openSUSE-RU)-/i;
/** Distribution-prefixed copies of a CVE id (`UBUNTU-CVE-2019-18276`, `DEBIAN-CVE-…`). */
const PREFIXED_CVE = /^(?:UBUNTU|DEBIAN|ALPINE|ALMA|ROCKY|SUSE|MINI)-(CVE-\d{4}-\d+)$/i;

const RED_HAT_IMPACT: Record<string, Severity> = { critical: 'critical', important: 'high', moderate: 'medium', low: 'low' };
const WORD_SEVERITY: Record<string, Severity> = {
  critical: 'critical',
  high: 'high',
  important: 'high',
  medium: 'medium',
  moderate: 'medium',
  low: 'low',
  negligible: 'low',
  unimportant: 'low',
};

export class OsvRecordError extends Error {}

/** Whether a record is an erratum that is not about security (read but not turned into an advisory). */
export function isNonSecurityOsvId(id: string): boolean {
  return NOT_SECURITY_ID.test(id);
}

/**
 * One OSV record → Advisory (source `osv:<namespace family>`). Throws OsvRecordError for a record
 * that is not OSV at all;
 * problems inside one affected entry are passed to `warn` and that entry is left out.
 */
export function osvToAdvisory(raw: unknown, warn: (message: string) => void = () => undefined): Advisory {
  if (!isObject(raw)) throw new OsvRecordError('an OSV record must be a JSON object');
  const id = raw.id;
  if (typeof id !== 'string' || id.trim() === '') throw new OsvRecordError('OSV record has no "id"');
  if (raw.affected !== undefined && !Array.isArray(raw.affected)) throw new OsvRecordError(`${id}: "affected" is not an array`);

  const aliases = strings(raw.aliases);
  const upstream = strings(raw.upstream).map(unprefixCve);
  const related = strings(raw.related);
  const advisory: Advisory = { id, aliases: [], source: 'osv', affected: [] };
  if (BUNDLE_ID.test(id)) {
    // other vendors' errata for the same fix (an RHSA behind an ALSA) are aliases, not issues
    const ids = unique([...aliases, ...upstream, ...related].map(unprefixCve)).filter((x) => x !== id);
    advisory.covers = ids.filter((x) => !BUNDLE_ID.test(x));
    advisory.aliases = ids.filter((x) => BUNDLE_ID.test(x));
  } else {
    advisory.aliases = unique([...aliases, ...upstream]).filter((x) => x !== id);
  }

  const title = text(raw.summary) ?? firstLine(text(raw.details));
  if (title) advisory.title = title;
  const details = text(raw.details);
  if (details) advisory.description = details.length > 4000 ? `${details.slice(0, 4000)}…` : details;
  for (const key of ['published', 'modified', 'withdrawn'] as const) {
    const value = text(raw[key]);
    if (value) advisory[key] = value;
  }
  const references = Array.isArray(raw.references) ? raw.references.map((r) => (isObject(r) ? text(r.url) : undefined)).filter((u): u is string => !!u) : [];
  if (references.length) advisory.references = references;

  const cvss: CvssVector[] = [];
  const vendorSeverity = readSeverities(raw.severity, cvss);
  const summarySeverity = /^(Critical|Important|Moderate|Low):/i.exec(text(raw.summary) ?? '')?.[1];
  const dbSeverity = isObject(raw.database_specific) ? text(raw.database_specific.severity) : undefined;
  const severity = vendorSeverity ?? (summarySeverity ? RED_HAT_IMPACT[summarySeverity.toLowerCase()] : undefined) ?? wordSeverity(dbSeverity);
  if (severity) advisory.severity = severity;

  let firstEcosystem: string | undefined;
  for (const [index, entry] of (Array.isArray(raw.affected) ? raw.affected : []).entries()) {
    if (!firstEcosystem && isObject(entry) && isObject(entry.package)) firstEcosystem = text(entry.package.ecosystem);
    try {
      const affected = readAffected(entry, cvss);
      if (affected) advisory.affected.push(affected);
    } catch (err) {
      warn(`${id}: affected[${index}]: ${err instanceof Error ? err.message : String(err)}; entry skipped`);
    }
  }
  if (cvss.length) advisory.cvss = uniqueBy(cvss, (c) => c.vector);
  // `osv:ubuntu`, `osv:almalinux`, `osv:pypi` …: which OSV database the record belongs to
  if (firstEcosystem) advisory.source = `osv:${firstEcosystem.split(':')[0]?.trim().toLowerCase().replace(/\s+/g, '-')}`;
  return advisory;
}

function readAffected(entry: unknown, cvss: CvssVector[]): AffectedPackage | null {
  if (!isObject(entry) || !isObject(entry.package)) throw new Error('no "package"');
  const ecosystemName = text(entry.package.ecosystem);
  const name = text(entry.package.name);
  if (!ecosystemName || !name) throw new Error('package has no ecosystem or name');
  const ecosystem = osvEcosystem(ecosystemName);
  if (!ecosystem) return null;
  const scheme = SCHEMES[ecosystem.scheme];

  const ranges: AffectedRange[] = [];
  let hadRange = false;
  for (const range of Array.isArray(entry.ranges) ? entry.ranges : []) {
    if (!isObject(range) || !Array.isArray(range.events)) throw new Error('a range has no events');
    if (range.type === 'GIT') continue;
    hadRange = true;
    ranges.push(...intervals(range.events, (a, b) => scheme.compare(a, b), (v) => scheme.check(v)));
  }
  const versions = strings(entry.versions).filter((v) => scheme.check(v) === null);
  // only GIT ranges (or none) and no version list: nothing to compare an installed version with
  if (!hadRange && versions.length === 0) return null;
  const perPackage: Severity | undefined = readSeverities(entry.severity, cvss) ?? ecosystemSpecificSeverity(entry);
  const affected: AffectedPackage = {
    namespace: ecosystem.namespace,
    name: normalizePackageName(ecosystem.namespace, name),
    nameKind: ecosystem.nameKind,
    scheme: ecosystem.scheme,
    ranges,
    status: ranges.some((r) => r.fixed !== undefined) ? 'fixed' : 'affected',
  };
  if (versions.length) affected.versions = versions;
  if (perPackage) affected.severity = perPackage;
  return affected;
}

type Event = { kind: 'introduced' | 'fixed' | 'last_affected'; version: string };

/** Sorts a range's events by version and pairs them into intervals (OSV evaluation algorithm). */
export function intervals(rawEvents: unknown[], compare: (a: string, b: string) => number, check: (v: string) => string | null): AffectedRange[] {
  const events: Event[] = [];
  for (const e of rawEvents) {
    if (!isObject(e)) throw new Error('an event is not an object');
    for (const kind of ['introduced', 'fixed', 'last_affected'] as const) {
      const version = e[kind];
      if (version === undefined) continue;
      if (typeof version !== 'string') throw new Error(`"${kind}" is not a string`);
      if (!(kind === 'introduced' && version === '0')) {
        const problem = check(version);
        if (problem) throw new Error(`${kind} ${JSON.stringify(version)}: ${problem}`);
      }
      events.push({ kind, version });
    }
    // `limit` only bounds GIT ranges
  }
  const key = (e: Event): string | null => (e.kind === 'introduced' && e.version === '0' ? null : e.version);
  events.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka === null || kb === null) return ka === kb ? 0 : ka === null ? -1 : 1;
    return compare(ka, kb);
  });
  const out: AffectedRange[] = [];
  let open: { introduced?: string } | null = null;
  for (const e of events) {
    if (e.kind === 'introduced') {
      if (!open) open = e.version === '0' ? {} : { introduced: e.version };
    } else if (open) {
      out.push(e.kind === 'fixed' ? { ...open, fixed: e.version } : { ...open, lastAffected: e.version });
      open = null;
    }
  }
  if (open) out.push(open);
  return out;
}

/** OSV `severity` entries: CVSS vectors are collected; a distribution's word rating is returned. */
function readSeverities(raw: unknown, cvss: CvssVector[]): Severity | undefined {
  if (!Array.isArray(raw)) return undefined;
  let rating: Severity | undefined;
  for (const s of raw) {
    if (!isObject(s) || typeof s.score !== 'string') continue;
    const type = text(s.type) ?? '';
    const version = /^CVSS:(\d\.\d)\//.exec(s.score)?.[1];
    if (type.startsWith('CVSS_') && version) cvss.push({ version, vector: s.score });
    else if (type === 'Ubuntu' || type === 'Debian') rating = wordSeverity(s.score) ?? rating;
  }
  return rating;
}

/** Debian OSV puts the tracker's urgency in `ecosystem_specific.urgency`. */
function ecosystemSpecificSeverity(entry: Record<string, unknown>): Severity | undefined {
  const specific = entry.ecosystem_specific;
  return isObject(specific) ? wordSeverity(text(specific.urgency) ?? text(specific.severity)) : undefined;
}

function wordSeverity(word: string | undefined): Severity | undefined {
  return word ? WORD_SEVERITY[word.toLowerCase().replace(/\*+$/, '')] : undefined;
}

function unprefixCve(id: string): string {
  return PREFIXED_CVE.exec(id)?.[1]?.toUpperCase() ?? id;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function text(x: unknown): string | undefined {
  if (typeof x !== 'string') return undefined;
  const t = x.trim();
  return t === '' ? undefined : t;
}

function firstLine(x: string | undefined): string | undefined {
  const line = x?.split('\n')[0]?.trim();
  if (!line) return undefined;
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

function strings(x: unknown): string[] {
  return Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string' && s.trim() !== '').map((s) => s.trim()) : [];
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

function uniqueBy<T>(xs: T[], key: (x: T) => string): T[] {
  const seen = new Set<string>();
  return xs.filter((x) => (seen.has(key(x)) ? false : (seen.add(key(x)), true)));
}
