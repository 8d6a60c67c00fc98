/**
 * Composer (Packagist) versions, ordered as Composer orders them: the version is first normalized
 * the way Composer's VersionParser does for a concrete version (`v1.2` → `1.2.0.0`,
 * `1.0-b2` → `1.0.0.0-beta2`, `1.0RC1` → `1.0.0.0-RC1`, `-pl`/`-p` → `-patch`, build metadata
 * dropped), then compared with PHP's `version_compare` rules: parts split at `.`, `-`, `_`, `+` and
 * at digit/letter changes; numbers numerically; words `dev < alpha = a < beta = b < RC = rc <`
 * (a number) `< patch = pl = p`, unknown words below `dev`; an extra trailing number is newer, an
 * extra trailing word is judged against a number (so `1.0 > 1.0-beta`, `1.0 < 1.0-patch1`).
 * Branch versions (`dev-main`, `1.x-dev`) and date versions have no order against releases and
 * are invalid here.
 */
import { compareDigits, defineScheme } from './types.js';
import type { Ordering } from './types.js';

const CLASSIC = /^v?(\d{1,9})(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?[._-]?(?:(stable|beta|b|rc|alpha|a|patch|pl|p)((?:[.-]?\d+)*))?([.-]?dev)?$/i;
const STABILITY: Record<string, string> = { a: 'alpha', alpha: 'alpha', b: 'beta', beta: 'beta', rc: 'RC', p: 'patch', pl: 'patch', patch: 'patch' };

/** The parts `version_compare` sees after canonicalising a normalized version. */
export type ComposerVersion = string[];

export function normalizeComposer(input: string, fail: (reason: string) => never): string {
  const text = input.trim().replace(/\+[^\s]+$/, '');
  if (text === '') fail('version string is empty');
  if (/^dev-|[.-]x-dev$|\.x$/i.test(text)) fail('a branch version has no release order');
  const m = CLASSIC.exec(text);
  if (!m) return fail('not a Composer release version');
  const [, major, minor = '0', patch = '0', extra = '0', stability, stabilityNumber, dev] = m;
  let out = [major, minor, patch, extra].join('.');
  const word = stability?.toLowerCase();
  if (word && word !== 'stable') out += `-${STABILITY[word]}${(stabilityNumber ?? '').replace(/^[.-]/, '')}`;
  if (dev) out += '-dev';
  return out;
}

/** PHP's canonical form: separators become `.`, and a `.` goes between digits and letters. */
function canonicalParts(normalized: string): string[] {
  const parts: string[] = [];
  let current = '';
  let lastDigit: boolean | null = null;
  for (const c of normalized) {
    const digit = c >= '0' && c <= '9';
    const alnum = digit || /[A-Za-z]/.test(c);
    if (!alnum) {
      if (current) parts.push(current);
      current = '';
      lastDigit = null;
      continue;
    }
    if (lastDigit !== null && lastDigit !== digit && current) {
      parts.push(current);
      current = '';
    }
    current += c;
    lastDigit = digit;
  }
  if (current) parts.push(current);
  return parts;
}

const FORMS: Array<[string, number]> = [
  ['dev', 0],
  ['alpha', 1],
  ['a', 1],
  ['beta', 2],
  ['b', 2],
  ['RC', 3],
  ['rc', 3],
  ['#', 4],
  ['pl', 5],
  ['p', 5],
];

/** PHP matches special forms by prefix, in this order; anything else ranks below `dev`. */
function formRank(part: string): number {
  return FORMS.find(([name]) => part.startsWith(name))?.[1] ?? -1;
}

const isNumber = (p: string): boolean => /^[0-9]/.test(p);
const NUMBER_FORM = '#';

function compareParts(a: string[], b: string[]): Ordering {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    let r: number;
    if (isNumber(x) && isNumber(y)) r = compareDigits(x, y);
    else r = formRank(isNumber(x) ? NUMBER_FORM : x) - formRank(isNumber(y) ? NUMBER_FORM : y);
    if (r !== 0) return r < 0 ? -1 : 1;
  }
  if (a.length > n) return isNumber(a[n] as string) ? 1 : compareParts(a.slice(n), [NUMBER_FORM]);
  if (b.length > n) return isNumber(b[n] as string) ? -1 : compareParts([NUMBER_FORM], b.slice(n));
  return 0;
}

export const composer = defineScheme<ComposerVersion>('composer', (input, fail) => canonicalParts(normalizeComposer(input, fail)), compareParts);
