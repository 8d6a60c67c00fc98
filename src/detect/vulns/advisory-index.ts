/**
 * The in-memory index the matcher reads: advisories by (namespace, package name), with every
 * record tied to one vulnerability id after alias merging.
 *
 * Alias merging: ids that name the same vulnerability (OSV `aliases`, a secdb `CVE XSA` pair) are
 * joined into one group whose canonical id is its CVE, else its GHSA, else its smallest id. A
 * group never holds two CVEs: records that alias several CVEs (some GO and GHSA records do) and
 * vendor bundles (a DSA's CVE list) are split per CVE instead of joining them, so a DSA fixing
 * ten CVEs gives ten findings, each carrying the DSA id as an alias.
 */
import type { Advisory, AffectedPackage, AffectedRange } from '../../vulndb/types.js';
import { cvssBaseScore, type CvssScore } from './cvss.js';
import { SCHEMES, type SchemeName } from './versions/index.js';

export interface IndexEntry {
  /** Canonical id of the vulnerability this record describes for this package. */
  vuln: string;
  /** The ids this record gives the vulnerability (its own id, aliases, the bundling advisory). */
  ids: readonly string[];
  /** Set when the record is a vendor bundle (DSA, USN, ALSA …) split per vulnerability. */
  bundle?: string;
  advisory: Advisory;
  affected: AffectedPackage;
}

export interface AdvisoryIndex {
  lookup(namespace: string, name: string): readonly IndexEntry[];
  hasNamespace(namespace: string): boolean;
  readonly namespaces: ReadonlySet<string>;
  /** The preferred CVSS base score known for a vulnerability (v3.x over v4.0, the higher on ties). */
  cvssOf(vuln: string): CvssScore | undefined;
  /** A title written for the vulnerability itself (not a bundle's), when some record has one. */
  titleOf(vuln: string): string | undefined;
  /** Number of (package, vulnerability) records indexed. */
  readonly size: number;
}

const CVE = /^CVE-\d{4}-\d+$/i;
const GHSA = /^GHSA-/i;

interface Unit {
  advisory: Advisory;
  /** Ids joined in the alias groups. */
  members: string[];
  /** Ids shown with findings. */
  display: string[];
  bundle?: string;
}

/** The vulnerability units of one advisory (see the module comment). */
function unitsOf(advisory: Advisory): Unit[] {
  if (advisory.covers && advisory.covers.length > 0) {
    return advisory.covers.map((id) => ({ advisory, members: [id], display: [id, advisory.id, ...advisory.aliases], bundle: advisory.id }));
  }
  const ids = [...new Set([advisory.id, ...advisory.aliases])];
  const cves = [...new Set(ids.filter((id) => CVE.test(id)).map((id) => id.toUpperCase()))];
  if (cves.length <= 1) return [{ advisory, members: ids, display: ids }];
  const others = ids.filter((id) => !CVE.test(id));
  return cves.map((cve) => ({ advisory, members: [cve], display: [cve, ...others] }));
}

/** Union-find over ids, refusing to join two groups that hold different CVEs. */
class AliasGroups {
  private readonly parent = new Map<string, string>();
  private readonly cve = new Map<string, string>();

  private find(id: string): string {
    let root = this.parent.get(id);
    if (root === undefined) {
      this.parent.set(id, id);
      if (CVE.test(id)) this.cve.set(id, id);
      return id;
    }
    let x = id;
    while (root !== x) {
      const up: string = this.parent.get(root) ?? root;
      this.parent.set(x, up);
      x = root;
      root = up;
    }
    return root;
  }

  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    const ca = this.cve.get(ra);
    const cb = this.cve.get(rb);
    if (ca && cb && ca !== cb) return;
    this.parent.set(rb, ra);
    if (!ca && cb) this.cve.set(ra, cb);
  }

  /** Canonical id of every id seen: the group's CVE, else its first GHSA, else its smallest id. */
  canonical(): Map<string, string> {
    const members = new Map<string, string[]>();
    for (const id of this.parent.keys()) {
      const root = this.find(id);
      const list = members.get(root);
      if (list) list.push(id);
      else members.set(root, [id]);
    }
    const out = new Map<string, string>();
    for (const [root, ids] of members) {
      const sorted = [...ids].sort();
      const chosen = this.cve.get(root) ?? sorted.find((id) => GHSA.test(id)) ?? (sorted[0] as string);
      for (const id of ids) out.set(id, chosen);
    }
    return out;
  }
}

/** CVE ids in upper case, GHSA ids as GitHub writes them (`GHSA-` then lower case). */
const normalizeId = (id: string): string => (CVE.test(id) ? id.toUpperCase() : GHSA.test(id) ? `GHSA-${id.slice(5).toLowerCase()}` : id);

export interface BuildIndexOptions {
  /**
   * Namespaces the database holds advisories for, beyond those of the given records: a caller
   * that loads only the records naming an image's packages still knows that `debian:12` is covered,
   * so an image whose packages have no advisory is not reported as unchecked.
   */
  knownNamespaces?: Iterable<string>;
}

/** Builds the index from normalized advisories (withdrawn ones are left out). */
export function buildIndex(advisories: Iterable<Advisory>, opts: BuildIndexOptions = {}): AdvisoryIndex {
  const units: Unit[] = [];
  const groups = new AliasGroups();
  for (const advisory of advisories) {
    if (advisory.withdrawn) continue;
    for (const unit of unitsOf(advisory)) {
      unit.members = unit.members.map(normalizeId);
      const [first, ...rest] = unit.members;
      if (first === undefined) continue;
      groups.union(first, first);
      for (const id of rest) groups.union(first, id);
      units.push(unit);
    }
  }
  const canonical = groups.canonical();

  const byKey = new Map<string, IndexEntry[]>();
  const namespaces = new Set<string>(opts.knownNamespaces ?? []);
  const cvss = new Map<string, CvssScore>();
  const titles = new Map<string, string>();
  const scored = new Map<string, CvssScore | null>();
  let size = 0;
  for (const unit of units) {
    const vuln = canonical.get(unit.members[0] as string) as string;
    const { advisory } = unit;
    if (!unit.bundle && advisory.title && !titles.has(vuln)) titles.set(vuln, advisory.title);
    for (const vector of advisory.cvss ?? []) {
      let score = scored.get(vector.vector);
      if (score === undefined) scored.set(vector.vector, (score = cvssBaseScore(vector.vector)));
      if (score && preferCvss(score, cvss.get(vuln))) cvss.set(vuln, score);
    }
    const ids = [...new Set(unit.display)];
    for (const affected of advisory.affected) {
      const key = `${affected.namespace}\u0000${affected.name}`;
      const entry: IndexEntry = unit.bundle ? { vuln, ids, bundle: unit.bundle, advisory, affected } : { vuln, ids, advisory, affected };
      const list = byKey.get(key);
      if (list) list.push(entry);
      else byKey.set(key, [entry]);
      namespaces.add(affected.namespace);
      size++;
    }
  }
  return {
    lookup: (namespace, name) => byKey.get(`${namespace}\u0000${name}`) ?? [],
    hasNamespace: (namespace) => namespaces.has(namespace),
    namespaces,
    cvssOf: (vuln) => cvss.get(vuln),
    titleOf: (vuln) => titles.get(vuln),
    size,
  };
}

function preferCvss(candidate: CvssScore, current: CvssScore | undefined): boolean {
  if (!current) return true;
  const rank = (s: CvssScore): number => (s.version === '4.0' ? 0 : 1);
  if (rank(candidate) !== rank(current)) return rank(candidate) > rank(current);
  return candidate.score > current.score;
}

/** Parsed range bounds, cached per range object (ranges are shared by every lookup). */
const parsedRanges = new WeakMap<AffectedRange, { introduced?: unknown; fixed?: unknown; lastAffected?: unknown } | null>();

const parsedVersions = new WeakMap<AffectedPackage, unknown[]>();

/**
 * Parsed version strings per scheme, shared by every record and every index of the process (null:
 * not a valid version). The same strings recur across records — each advisory of a PyPI package
 * lists the package's releases, hundreds of them — and a scan builds a fresh index from freshly
 * loaded records: parsing each distinct string once made matching a 2,000-package image 2× faster.
 * Parsed values are never mutated. Bounded: cleared when full.
 */
const parsedText = new Map<SchemeName, Map<string, unknown>>();
const PARSED_TEXT_CAP = 200_000;
let parsedTextSize = 0;

function parseVersion(scheme: SchemeName, text: string): unknown {
  let known = parsedText.get(scheme);
  if (!known) parsedText.set(scheme, (known = new Map()));
  const hit = known.get(text);
  if (hit !== undefined || known.has(text)) return hit;
  let value: unknown = null;
  try {
    value = SCHEMES[scheme].parse(text);
  } catch {
    value = null; // readers validate versions; a stored record written otherwise is ignored
  }
  if (++parsedTextSize > PARSED_TEXT_CAP) {
    parsedText.clear();
    parsedTextSize = 1;
    parsedText.set(scheme, (known = new Map()));
  }
  known.set(text, value);
  return value;
}

/**
 * Whether an installed version (already parsed with the entry's scheme) is inside the record's
 * affected versions; `fixed` is the fix of the interval that holds it, when there is one.
 */
export function containment(entry: IndexEntry, installed: unknown, installedText: string): { hit: boolean; fixed?: string } {
  const { affected } = entry;
  const scheme = SCHEMES[affected.scheme];
  if (affected.ranges.length === 0 && !affected.versions?.length) return { hit: true };
  for (const range of affected.ranges) {
    let bounds = parsedRanges.get(range);
    if (bounds === undefined) {
      const introduced = range.introduced !== undefined ? parseVersion(affected.scheme, range.introduced) : undefined;
      const fixed = range.fixed !== undefined ? parseVersion(affected.scheme, range.fixed) : undefined;
      const lastAffected = range.lastAffected !== undefined ? parseVersion(affected.scheme, range.lastAffected) : undefined;
      bounds =
        introduced === null || fixed === null || lastAffected === null
          ? null
          : {
              ...(introduced !== undefined ? { introduced } : {}),
              ...(fixed !== undefined ? { fixed } : {}),
              ...(lastAffected !== undefined ? { lastAffected } : {}),
            };
      parsedRanges.set(range, bounds);
    }
    if (!bounds) continue;
    if (bounds.introduced !== undefined && scheme.compareParsed(installed, bounds.introduced) < 0) continue;
    if (bounds.fixed !== undefined && scheme.compareParsed(installed, bounds.fixed) >= 0) continue;
    if (bounds.lastAffected !== undefined && scheme.compareParsed(installed, bounds.lastAffected) > 0) continue;
    return range.fixed !== undefined ? { hit: true, fixed: range.fixed } : { hit: true };
  }
  const versions = affected.versions;
  if (!versions?.length) return { hit: false };
  if (versions.includes(installedText)) return { hit: true };
  // the same version may be spelled differently (`1.0` and `1.0.0` in PyPI)
  let parsed = parsedVersions.get(affected);
  if (!parsed) {
    parsed = versions.map((v) => parseVersion(affected.scheme, v)).filter((v) => v !== null);
    parsedVersions.set(affected, parsed);
  }
  return { hit: parsed.some((v) => scheme.compareParsed(installed, v) === 0) };
}
