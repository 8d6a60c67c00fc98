/**
 * Debian package versions, `[epoch:]upstream_version[-debian_revision]`, ordered as
 * `dpkg --compare-versions` does (Debian Policy §5.6.12, dpkg's lib/dpkg/version.c semantics).
 *
 * Parsing is strict: what dpkg would only warn about (an upstream version that does not start with
 * a digit, characters outside the allowed set) is reported as invalid here, because a feed or
 * package database carrying such a version is broken and guessing its order would be a guess.
 */
import { compareDigits, defineScheme, isAsciiLetterCode, isDigitCode, sign } from './types.js';
import type { Ordering } from './types.js';

export interface DpkgVersion {
  epoch: string;
  upstream: string;
  revision: string;
}

const UPSTREAM_CHARS = /^[A-Za-z0-9.+~:-]*$/;
const REVISION_CHARS = /^[A-Za-z0-9.+~]*$/;

export const dpkg = defineScheme<DpkgVersion>(
  'dpkg',
  (input, fail) => {
    const text = input.trim();
    if (text === '') fail('version string is empty');
    if (/\s/.test(text)) fail('version string has embedded spaces');
    const colon = text.indexOf(':');
    let epoch = '0';
    let rest = text;
    if (colon >= 0) {
      epoch = text.slice(0, colon);
      if (epoch === '') fail('epoch in version is empty');
      if (!/^[0-9]+$/.test(epoch)) fail('epoch in version is not a number');
      // dpkg stores the epoch in an int
      if (compareDigits(epoch, '2147483647') > 0) fail('epoch in version is too big');
      rest = text.slice(colon + 1);
      if (rest === '') fail('nothing after colon in version number');
    }
    const hyphen = rest.lastIndexOf('-');
    const upstream = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
    const revision = hyphen >= 0 ? rest.slice(hyphen + 1) : '';
    if (hyphen >= 0 && revision === '') fail('revision number is empty');
    if (upstream === '') fail('version number is empty');
    if (!isDigitCode(upstream.charCodeAt(0))) fail('version number does not start with digit');
    if (!UPSTREAM_CHARS.test(upstream)) fail('invalid character in version number');
    if (!REVISION_CHARS.test(revision)) fail('invalid character in revision number');
    return { epoch, upstream, revision };
  },
  (a, b) => compareDigits(a.epoch, b.epoch) || verrevcmp(a.upstream, b.upstream) || verrevcmp(a.revision, b.revision),
);

/** Weight of one non-digit character: `~` sorts before everything, even the end of the string. */
function order(s: string, i: number): number {
  if (i >= s.length) return 0;
  const c = s.charCodeAt(i);
  if (isDigitCode(c)) return 0;
  if (isAsciiLetterCode(c)) return c;
  if (c === 126) return -1; // '~'
  return c + 256;
}

/** Alternating non-digit / digit run comparison of Debian Policy §5.6.12. */
export function verrevcmp(a: string, b: string): Ordering {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigitCode(a.charCodeAt(i))) || (j < b.length && !isDigitCode(b.charCodeAt(j)))) {
      const ac = order(a, i);
      const bc = order(b, j);
      if (ac !== bc) return sign(ac - bc);
      i++;
      j++;
    }
    const ai = i;
    const bj = j;
    while (i < a.length && isDigitCode(a.charCodeAt(i))) i++;
    while (j < b.length && isDigitCode(b.charCodeAt(j))) j++;
    const byValue = compareDigits(a.slice(ai, i) || '0', b.slice(bj, j) || '0');
    if (byValue !== 0) return byValue;
  }
  return 0;
}
