/**
 * RPM versions, `[epoch:]version[-release]`, ordered as rpm 4.18 orders EVRs (`rpm.vercmp`,
 * rpmvercmp segment rules: alphanumeric runs compared numerically or lexically, any other
 * character is a separator, `~` sorts before everything and `^` after the base version but
 * before any further segment).
 *
 * As in rpm 4.18's `rpm.vercmp`, a missing epoch counts as 0; when only one side has a release,
 * that side is newer (`1.0 < 1.0-1`). Installed packages and advisories both carry releases, so
 * in matching this only decides the rare advisory that names a bare version.
 */
import { compareDigits, compareStrings, defineScheme, isAsciiLetterCode, isDigitCode } from './types.js';
import type { Ordering } from './types.js';

export interface RpmVersion {
  epoch: string;
  version: string;
  release: string | null;
}

export const rpm = defineScheme<RpmVersion>(
  'rpm',
  (input, fail) => {
    const text = input.trim();
    if (text === '') fail('version string is empty');
    if (/\s/.test(text)) fail('version string has embedded spaces');
    // rpm reads leading digits followed by ':' as the epoch; anything else belongs to the version
    const epochMatch = /^([0-9]*):/.exec(text);
    const epoch = epochMatch ? epochMatch[1] || '0' : '0';
    const rest = epochMatch ? text.slice(epochMatch[0].length) : text;
    const hyphen = rest.lastIndexOf('-');
    const version = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
    const release = hyphen >= 0 ? rest.slice(hyphen + 1) : null;
    if (version === '') fail('version part is empty');
    if (release === '') fail('release part is empty');
    return { epoch, version, release };
  },
  (a, b) => {
    const byEpoch = compareDigits(a.epoch, b.epoch);
    if (byEpoch !== 0) return byEpoch;
    const byVersion = rpmvercmp(a.version, b.version);
    if (byVersion !== 0) return byVersion;
    if (a.release === null || b.release === null) {
      if (a.release === b.release) return 0;
      return a.release === null ? -1 : 1;
    }
    return rpmvercmp(a.release, b.release);
  },
);

function isAlnum(c: number): boolean {
  return isDigitCode(c) || isAsciiLetterCode(c);
}

const TILDE = 126;
const CARET = 94;

/** rpm's segment-wise comparison of one version or release string. */
export function rpmvercmp(a: string, b: string): Ordering {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < a.length && !isAlnum(a.charCodeAt(i)) && a.charCodeAt(i) !== TILDE && a.charCodeAt(i) !== CARET) i++;
    while (j < b.length && !isAlnum(b.charCodeAt(j)) && b.charCodeAt(j) !== TILDE && b.charCodeAt(j) !== CARET) j++;
    const ca = i < a.length ? a.charCodeAt(i) : -1;
    const cb = j < b.length ? b.charCodeAt(j) : -1;
    if (ca === TILDE || cb === TILDE) {
      if (ca !== TILDE) return 1;
      if (cb !== TILDE) return -1;
      i++;
      j++;
      continue;
    }
    if (ca === CARET || cb === CARET) {
      if (ca === -1) return -1;
      if (cb === -1) return 1;
      if (ca !== CARET) return 1;
      if (cb !== CARET) return -1;
      i++;
      j++;
      continue;
    }
    if (ca === -1 || cb === -1) break;
    const numeric = isDigitCode(ca);
    const takes = numeric ? isDigitCode : isAsciiLetterCode;
    const si = i;
    const sj = j;
    while (i < a.length && takes(a.charCodeAt(i))) i++;
    while (j < b.length && takes(b.charCodeAt(j))) j++;
    // a numeric segment is newer than an alphabetic one
    if (sj === j) return numeric ? 1 : -1;
    const segA = a.slice(si, i);
    const segB = b.slice(sj, j);
    const bySegment = numeric ? compareDigits(segA, segB) : compareStrings(segA, segB);
    if (bySegment !== 0) return bySegment;
  }
  const restA = i < a.length;
  const restB = j < b.length;
  if (!restA && !restB) return 0;
  return restA ? 1 : -1;
}
