/**
 * The Debian security tracker's JSON export (security-tracker.debian.org/tracker/data/json):
 * `{ srcpkg: { CVE-id|TEMP-id: { description, releases: { codename: { status, fixed_version,
 * urgency, nodsa, nodsa_reason, repositories } } } } }`.
 *
 * Per release: `resolved` with `fixed_version` "0" means never affected (subtracts); `resolved`
 * with a version is fixed there; `open` is unfixed — `nodsa_reason` "ignored" is the vendor's
 * will-not-fix, "postponed" is fix-deferred, urgency "end-of-life" means the package is no longer
 * supported in that release; `undetermined` is under investigation. The urgency is the
 * distribution's own rating (`unimportant` → low, `not yet assigned` → none).
 *
 * Streamed: one source package at a time, never the whole ~70 MB document.
 */
import { dpkg } from '../detect/vulns/versions/dpkg.js';
import type { Severity } from '../report/model.js';
import { debianSuite } from './ecosystems.js';
import { jsonObjectMembers } from './json-object-stream.js';
import type { Advisory, AffectedPackage, ReadOptions } from './types.js';

const URGENCY: Record<string, Severity> = { unimportant: 'low', low: 'low', medium: 'medium', high: 'high' };

export async function* parseDebianTrackerJson(chunks: AsyncIterable<Buffer | string>, where: string, opts: ReadOptions = {}): AsyncGenerator<Advisory> {
  const warn = opts.warn ?? (() => undefined);
  for await (const { key: pkg, value } of jsonObjectMembers(chunks)) {
    let issues: unknown;
    try {
      issues = JSON.parse(value);
    } catch (err) {
      warn(`${where}: ${pkg}: ${err instanceof Error ? err.message : String(err)}; package skipped`);
      continue;
    }
    if (!isObject(issues)) {
      warn(`${where}: ${pkg}: not an object of issues; package skipped`);
      continue;
    }
    for (const [id, issue] of Object.entries(issues)) {
      if (!isObject(issue) || !isObject(issue.releases)) {
        warn(`${where}: ${pkg} ${id}: no "releases"; skipped`);
        continue;
      }
      const advisory: Advisory = { id, aliases: [], source: 'debian-tracker', affected: [] };
      const description = typeof issue.description === 'string' ? issue.description.trim() : '';
      if (description) advisory.title = description.length > 200 ? `${description.slice(0, 200)}…` : description;
      for (const [codename, release] of Object.entries(issue.releases)) {
        const affected = readRelease(pkg, codename, release, (m) => warn(`${where}: ${pkg} ${id} [${codename}]: ${m}`));
        if (affected) advisory.affected.push(affected);
      }
      yield advisory;
    }
  }
}

function readRelease(pkg: string, codename: string, release: unknown, warn: (message: string) => void): AffectedPackage | null {
  const ecosystem = debianSuite(codename);
  // `sid` (unstable) has no release number an image would report
  if (!ecosystem || !isObject(release)) return null;
  const base = { namespace: ecosystem.namespace, name: pkg, nameKind: 'source' as const, scheme: 'dpkg' as const };
  const urgency = typeof release.urgency === 'string' ? release.urgency.trim().toLowerCase() : '';
  const severity = URGENCY[urgency.replace(/\*+$/, '')];
  const withSeverity = (a: AffectedPackage): AffectedPackage => (severity ? { ...a, severity } : a);
  const fixed = typeof release.fixed_version === 'string' ? release.fixed_version.trim() : '';
  switch (release.status) {
    case 'resolved': {
      if (fixed === '0') return { ...base, ranges: [], status: 'not_affected' };
      const problem = fixed === '' ? 'no fixed_version' : dpkg.check(fixed);
      if (problem) {
        warn(`resolved, but ${problem}; skipped`);
        return null;
      }
      return withSeverity({ ...base, ranges: [{ fixed }], status: 'fixed' });
    }
    case 'open': {
      const reason = typeof release.nodsa_reason === 'string' ? release.nodsa_reason : '';
      const status = urgency === 'end-of-life' ? 'end_of_life' : reason === 'ignored' ? 'will_not_fix' : reason === 'postponed' ? 'fix_deferred' : 'affected';
      return withSeverity({ ...base, ranges: [], status });
    }
    case 'undetermined':
      return withSeverity({ ...base, ranges: [], status: 'under_investigation' });
    default:
      warn(`unknown status ${JSON.stringify(release.status)}; skipped`);
      return null;
  }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
