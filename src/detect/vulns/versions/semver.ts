/**
 * Semantic Versioning 2.0.0 precedence (semver.org §11), as npm's node-semver applies it to
 * published versions: `MAJOR.MINOR.PATCH[-prerelease][+build]`, an optional leading `v` or `=`,
 * no leading zeros in numeric parts. A version with a pre-release sorts below the same version
 * without one; pre-release identifiers compare numerically when both are numeric, a numeric one
 * sorts below an alphanumeric one, and a shorter identifier list sorts first. Build metadata is
 * ignored. Also used for crates.io (Cargo follows the same precedence).
 */
import { compareDigits, compareStrings, defineScheme } from './types.js';
import type { Ordering } from './types.js';

export interface SemverVersion {
  major: string;
  minor: string;
  patch: string;
  prerelease: string[];
  build: string[];
}

const NUMBER = '0|[1-9][0-9]*';
const PRE_ID = `(?:${NUMBER}|[0-9]*[A-Za-z-][0-9A-Za-z-]*)`;
const SEMVER = new RegExp(
  `^[v=]?(${NUMBER})\\.(${NUMBER})\\.(${NUMBER})(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?$`,
);

export function parseSemverText(input: string, fail: (reason: string) => never): SemverVersion {
  const m = SEMVER.exec(input.trim());
  if (!m) return fail(describeSemverProblem(input.trim()));
  return {
    major: m[1] as string,
    minor: m[2] as string,
    patch: m[3] as string,
    prerelease: m[4] ? m[4].split('.') : [],
    build: m[5] ? m[5].split('.') : [],
  };
}

function describeSemverProblem(text: string): string {
  if (text === '') return 'version string is empty';
  const core = text.replace(/^[v=]/, '').split(/[-+]/)[0] ?? '';
  const parts = core.split('.');
  if (parts.length !== 3) return `expected MAJOR.MINOR.PATCH, found ${parts.length} part(s)`;
  if (parts.some((p) => !/^[0-9]+$/.test(p))) return 'MAJOR, MINOR and PATCH must be numbers';
  if (parts.some((p) => /^0[0-9]/.test(p))) return 'numeric parts must not have leading zeros';
  return 'malformed pre-release or build metadata';
}

/** Pre-release precedence of SemVer §11.4 (`caseInsensitive` for NuGet's labels). */
export function comparePrerelease(a: readonly string[], b: readonly string[], caseInsensitive = false): Ordering {
  if (a.length === 0 || b.length === 0) {
    if (a.length === b.length) return 0;
    return a.length === 0 ? 1 : -1;
  }
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    const xNum = /^[0-9]+$/.test(x);
    const yNum = /^[0-9]+$/.test(y);
    let r: Ordering;
    if (xNum && yNum) r = compareDigits(x, y);
    else if (xNum) r = -1;
    else if (yNum) r = 1;
    else r = caseInsensitive ? compareStrings(x.toLowerCase(), y.toLowerCase()) : compareStrings(x, y);
    if (r !== 0) return r;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export function compareSemver(a: SemverVersion, b: SemverVersion): Ordering {
  return (
    compareDigits(a.major, b.major) ||
    compareDigits(a.minor, b.minor) ||
    compareDigits(a.patch, b.patch) ||
    comparePrerelease(a.prerelease, b.prerelease)
  );
}

export const semver = defineScheme<SemverVersion>('semver', parseSemverText, compareSemver);
