/**
 * Maven versions, ordered as maven-artifact 3.9's `ComparableVersion` (what Maven itself, OSV and
 * GitHub's advisory database use; the "Version Order Specification" of the POM reference describes
 * it, with a few examples the implementation does not follow — the implementation wins).
 *
 * A version is lower-cased and split into items: numbers, qualifiers and nested lists. `.` separates
 * items of one list; `-`, and a switch between digits and letters, opens a nested list. Trailing
 * "null" items (0, the empty/`ga`/`final`/`release` qualifier, empty lists) are dropped from each
 * list. Qualifiers order `alpha < beta < milestone < rc = cr < snapshot < "" = ga = final < sp`,
 * then any other qualifier alphabetically; a single `a`, `b` or `m` directly followed by a digit
 * means alpha, beta, milestone. A number is newer than a list, which is newer than a qualifier.
 */
import { compareDigits, defineScheme } from './types.js';
import type { Ordering } from './types.js';

export type MavenItem =
  | { kind: 'number'; digits: string }
  | { kind: 'qualifier'; value: string }
  | { kind: 'list'; items: MavenItem[] };

export type MavenVersion = MavenItem & { kind: 'list' };

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' };
const RELEASE_RANK = String(QUALIFIERS.indexOf(''));

const isDigit = (c: string): boolean => c >= '0' && c <= '9';

function numberItem(digits: string): MavenItem {
  return { kind: 'number', digits: digits.replace(/^0+(?=.)/, '') };
}

function qualifierItem(text: string, followedByDigit: boolean): MavenItem {
  let value = text;
  if (followedByDigit && text.length === 1) value = { a: 'alpha', b: 'beta', m: 'milestone' }[text] ?? text;
  return { kind: 'qualifier', value: ALIASES[value] ?? value };
}

function parseItem(isNumber: boolean, text: string): MavenItem {
  return isNumber ? numberItem(text) : qualifierItem(text, false);
}

function isNull(item: MavenItem): boolean {
  if (item.kind === 'number') return /^0*$/.test(item.digits);
  if (item.kind === 'qualifier') return rank(item.value) === RELEASE_RANK;
  return item.items.length === 0;
}

/** Drops trailing null items, looking past nested lists (which are normalised first). */
function normalize(list: MavenItem[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const item = list[i] as MavenItem;
    if (isNull(item)) list.splice(i, 1);
    else if (item.kind !== 'list') break;
  }
}

export function parseMaven(input: string): MavenVersion {
  const text = input.toLowerCase();
  const root: MavenVersion = { kind: 'list', items: [] };
  const opened: MavenItem[][] = [root.items];
  let list = root.items;
  const openList = (): void => {
    const nested: MavenVersion = { kind: 'list', items: [] };
    list.push(nested);
    list = nested.items;
    opened.push(list);
  };
  let inDigits = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '.' || c === '-') {
      list.push(i === start ? numberItem('0') : parseItem(inDigits, text.slice(start, i)));
      start = i + 1;
      if (c === '-') openList();
    } else if (isDigit(c)) {
      if (!inDigits && i > start) {
        // letters then digits: the letters are a qualifier of their own, in a list of their own
        if (list.length > 0) openList();
        list.push(qualifierItem(text.slice(start, i), true));
        start = i;
        openList();
      }
      inDigits = true;
    } else {
      if (inDigits && i > start) {
        list.push(parseItem(true, text.slice(start, i)));
        start = i;
        openList();
      }
      inDigits = false;
    }
  }
  if (text.length > start) {
    // `1.0.0.X1 < 1.0.0-X2`: a trailing qualifier after `.` is treated as if after `-`
    if (!inDigits && list.length > 0) openList();
    list.push(parseItem(inDigits, text.slice(start)));
  }
  for (let i = opened.length - 1; i >= 0; i--) normalize(opened[i] as MavenItem[]);
  return root;
}

/** Qualifier sort key: known ones by rank, unknown ones after all of them, alphabetically. */
function rank(qualifier: string): string {
  const i = QUALIFIERS.indexOf(qualifier);
  return i < 0 ? `${QUALIFIERS.length}-${qualifier}` : String(i);
}

const reverse = (o: Ordering): Ordering => (o === 0 ? 0 : o === 1 ? -1 : 1);

function compareText(a: string, b: string): Ordering {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares an item with another, or with "nothing" (the padding of a shorter list). */
function compareItem(a: MavenItem, b: MavenItem | undefined): Ordering {
  if (a.kind === 'number') {
    if (!b) return isNull(a) ? 0 : 1;
    return b.kind === 'number' ? compareDigits(a.digits, b.digits) : 1;
  }
  if (a.kind === 'qualifier') {
    if (!b) return compareText(rank(a.value), RELEASE_RANK);
    return b.kind === 'qualifier' ? compareText(rank(a.value), rank(b.value)) : -1;
  }
  if (!b) {
    for (const item of a.items) {
      const r = compareItem(item, undefined);
      if (r !== 0) return r;
    }
    return 0;
  }
  if (b.kind === 'number') return -1;
  if (b.kind === 'qualifier') return 1;
  const n = Math.max(a.items.length, b.items.length);
  for (let i = 0; i < n; i++) {
    const l = a.items[i];
    const r = b.items[i];
    const result = l ? compareItem(l, r) : r ? reverse(compareItem(r, undefined)) : 0;
    if (result !== 0) return result;
  }
  return 0;
}

export const maven = defineScheme<MavenVersion>(
  'maven',
  (input, fail) => {
    const text = input.trim();
    if (text === '') fail('version string is empty');
    if (/\s/.test(text)) fail('version string has embedded spaces');
    return parseMaven(text);
  },
  (a, b) => compareItem(a, b),
);
