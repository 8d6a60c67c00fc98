/**
 * The normalized advisory record every feed reader produces, and the matcher's index is built from.
 * Plain JSON (no classes, no Dates) so it can be stored as is and loaded back.
 *
 * Identity: `id` is the feed's id. The same id may occur in several records — in different feeds
 * (CVE-2023-1234 from Alpine secdb v3.17 and v3.18), or within one feed where it is keyed by
 * package (the Debian tracker JSON has one record per source package and CVE). Storage should use
 * its own key; `source` names the feed (and file scope) a record came from.
 */
import type { SchemeName } from '../detect/vulns/versions/types.js';
import type { Severity } from '../report/model.js';

/**
 * The vendor's verdict for one package: `fixed` (a fixed version exists), `not_affected` (the
 * package never had the flaw: subtracts matches from other records), or an unfixed state —
 * `affected` (no fix yet), `will_not_fix`, `fix_deferred`, `end_of_life` (the release or package
 * is no longer supported), `under_investigation`.
 */
export type VendorStatus = 'fixed' | 'affected' | 'will_not_fix' | 'fix_deferred' | 'end_of_life' | 'under_investigation' | 'not_affected';

/** An interval of affected versions: [introduced, fixed) or [introduced, lastAffected]. */
export interface AffectedRange {
  /** First affected version, inclusive; absent: from the first version. */
  introduced?: string;
  /** First version with the fix, exclusive upper bound. */
  fixed?: string;
  /** Last affected version, inclusive (used when no fix is known). */
  lastAffected?: string;
}

export interface AffectedPackage {
  /**
   * Where the package name lives: `debian:11`, `ubuntu:18.04`, `ubuntu-pro:16.04`, `alpine:3.18`,
   * `almalinux:8`, `redhat:9`, `npm`, `pypi`, `go`, `maven`, … (see ecosystems.ts).
   */
  namespace: string;
  /** Normalized for the namespace (PyPI names per PEP 503, NuGet lower-case …). */
  name: string;
  /** Whether `name` is a source package (Debian, Ubuntu, Alpine origin) or the binary/package name. */
  nameKind: 'source' | 'binary';
  scheme: SchemeName;
  /** A version in any range is affected. No ranges and no versions: every version is. */
  ranges: AffectedRange[];
  /** Versions listed as affected one by one (OSV `versions`), in addition to the ranges. */
  versions?: string[];
  status: VendorStatus;
  /** The distribution's own rating of this issue for this package. */
  severity?: Severity;
}

export interface CvssVector {
  /** `3.0`, `3.1` or `4.0` (others are kept but not scored). */
  version: string;
  vector: string;
}

export interface Advisory {
  id: string;
  /** Other ids of the same vulnerability (OSV `aliases`): CVE ↔ GHSA ↔ GO/PYSEC. */
  aliases: string[];
  /**
   * For a vendor advisory that fixes several vulnerabilities (DSA, DLA, USN, ALSA, RHSA …): the
   * ids it fixes. Findings are then reported per vulnerability, with this advisory's id as an
   * alias, so a CVE fixed by a DSA and listed by the tracker is one finding.
   */
  covers?: string[];
  /** The feed: `osv:ubuntu`, `alpine-secdb:v3.18/main`, `debian-dsa`, `debian-tracker`, … */
  source: string;
  title?: string;
  description?: string;
  /** ISO 8601 when known. */
  published?: string;
  modified?: string;
  /** The issuing vendor's overall rating (e.g. an ALSA's "Important"). */
  severity?: Severity;
  cvss?: CvssVector[];
  references?: string[];
  affected: AffectedPackage[];
  /** Set when the feed withdrew the record (ISO time); withdrawn records match nothing. */
  withdrawn?: string;
}

/** Feed formats the readers recognise. */
export type FeedFormat = 'osv' | 'osv-zip' | 'alpine-secdb' | 'debian-list' | 'debian-tracker-json';

export interface ReadOptions {
  /** Told about each record or line that was skipped, with where and why; reading goes on. */
  warn?: (message: string) => void;
}
