/**
 * RubyGems versions, ordered as `Gem::Version#<=>`: a version is `N(.X)*` with an optional
 * `-prerelease` part (a `-` reads as `.pre.`). It is split into runs of digits and runs of letters;
 * trailing zeros are dropped from the numeric part before the first letter run and from the rest,
 * and the segments compare pairwise (missing ones count as 0): numbers numerically, letters
 * byte-wise, and a letter segment is lower than a number — so any version with letters is a
 * pre-release of the numbers before it (`1.0.a < 1.0`, `1.0.0.rc1 < 1.0`).
 */
import { compareDigits, compareStrings, defineScheme } from './types.js';
import type { Ordering } from './types.js';

/** Canonical segments: digit strings (no leading zeros) and letter runs. */
export type RubyGemsVersion = Array<{ number: string } | { text: string }>;

const GEM_VERSION = /^[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

function isZero(segment: RubyGemsVersion[number]): boolean {
  return 'number' in segment && segment.number === '0';
}

function dropTrailingZeros(segments: RubyGemsVersion): RubyGemsVersion {
  let end = segments.length;
  while (end > 0 && isZero(segments[end - 1] as RubyGemsVersion[number])) end--;
  return segments.slice(0, end);
}

export const rubygems = defineScheme<RubyGemsVersion>(
  'rubygems',
  (input, fail) => {
    const text = input.trim();
    if (text === '') fail('version string is empty');
    if (!GEM_VERSION.test(text)) fail('malformed version number string');
    const segments: RubyGemsVersion = [];
    for (const m of text.replace(/-/g, '.pre.').matchAll(/[0-9]+|[a-z]+/gi)) {
      const s = m[0];
      segments.push(/^[0-9]/.test(s) ? { number: s.replace(/^0+(?=.)/, '') } : { text: s });
    }
    const firstText = segments.findIndex((s) => 'text' in s);
    if (firstText < 0) return dropTrailingZeros(segments);
    return [...dropTrailingZeros(segments.slice(0, firstText)), ...dropTrailingZeros(segments.slice(firstText))];
  },
  (a, b) => {
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const x = a[i] ?? { number: '0' };
      const y = b[i] ?? { number: '0' };
      let r: Ordering;
      if ('number' in x && 'number' in y) r = compareDigits(x.number, y.number);
      else if ('text' in x && 'text' in y) r = compareStrings(x.text, y.text);
      else r = 'text' in x ? -1 : 1;
      if (r !== 0) return r;
    }
    return 0;
  },
);
