/**
 * Alpine package versions, `number{.number}[letter]{_suffix[number]}[-rN]`, ordered as apk-tools 2
 * (`apk version -t`) orders them. apk reads a version as a stream of tokens, each with a value
 * and the kind of token that follows it, and compares the two streams token by token:
 * - numbers compare numerically; a dotted component that starts with zeros is one token worth
 *   minus the number of zeros, followed by the rest of its digits (`1.01 < 1.1`, `1.00 < 1.0`);
 * - letters compare by character, suffixes `_alpha < _beta < _pre < _rc < _cvs < _svn < _git <
 *   _hg < _p`;
 * - when the token kinds part, the version that goes on is newer unless it goes on with a
 *   pre-release suffix (`1.0_rc1 < 1.0 < 1.0.1`, `1.0 < 1.0-r1`, `1.0_p1 > 1.0`).
 * One choice where apk's reader is unclear: after a zero-only component no empty number token is
 * read before a suffix or letter, so `1.0_rc1 < 1.0` holds like `1.1_rc1 < 1.1`.
 */
import { defineScheme } from './types.js';
import type { Ordering } from './types.js';

/** Token kinds, in apk's order: a smaller kind may only follow a larger one in the cases below. */
const INVALID = -1;
const DIGIT_OR_ZERO = 0;
const DIGIT = 1;
const LETTER = 2;
const SUFFIX = 3;
const SUFFIX_NO = 4;
const REVISION_NO = 5;
const END = 6;

const PRE_SUFFIXES = ['alpha', 'beta', 'pre', 'rc'];
const POST_SUFFIXES = ['cvs', 'svn', 'git', 'hg', 'p'];

/** One token: its value and the kind of the token after it (END for the last one). */
interface Token {
  value: bigint;
  next: number;
}

export type ApkVersion = Token[];

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isLower = (c: string): boolean => c >= 'a' && c <= 'z';

/** Reads tokens the way apk's get_token/next_token do; returns the reason when the version is invalid. */
function tokenize(s: string): Token[] | string {
  const tokens: Token[] = [];
  let pos = 0;
  let kind = DIGIT;

  /** Decides the kind of the next token from the character at `pos`, consuming separators. */
  const advance = (): void => {
    let n = INVALID;
    const c = s.charAt(pos);
    if (pos >= s.length) n = END;
    else if ((kind === DIGIT || kind === DIGIT_OR_ZERO) && isLower(c)) n = LETTER;
    else if (kind === LETTER && isDigit(c)) n = DIGIT;
    else if (kind === SUFFIX && isDigit(c)) n = SUFFIX_NO;
    else {
      if (c === '.') n = DIGIT_OR_ZERO;
      else if (c === '_') n = SUFFIX;
      else if (c === '-' && s.charAt(pos + 1) === 'r') {
        n = REVISION_NO;
        pos++;
      }
      pos++;
    }
    const allowedBackStep =
      (n === DIGIT_OR_ZERO && kind === DIGIT) || (n === SUFFIX && kind === SUFFIX_NO) || (n === DIGIT && kind === LETTER);
    if (n < kind && !allowedBackStep) n = INVALID;
    kind = n;
  };

  while (kind !== END) {
    let value = 0n;
    let zeroRun = false;
    const start = pos;
    // apk itself reads `1.0.`, `1.0_` and `1.0-r` as complete; abuild never makes them
    if (pos >= s.length) return 'ends with a separator';
    if (kind === DIGIT_OR_ZERO && s.charAt(pos) === '0') {
      // a dotted component with leading zeros: one token worth minus the number of zeros
      while (s.charAt(pos) === '0') pos++;
      value = -BigInt(pos - start);
      zeroRun = true;
    } else {
      switch (kind) {
        case DIGIT_OR_ZERO:
        case DIGIT:
        case SUFFIX_NO:
        case REVISION_NO:
          while (pos < s.length && isDigit(s.charAt(pos))) pos++;
          value = pos > start ? BigInt(s.slice(start, pos)) : 0n;
          break;
        case LETTER:
          value = BigInt(s.charCodeAt(pos));
          pos++;
          break;
        case SUFFIX: {
          const rest = s.slice(pos);
          const pre = PRE_SUFFIXES.findIndex((x) => rest.startsWith(x));
          const post = pre < 0 ? POST_SUFFIXES.findIndex((x) => rest.startsWith(x)) : -1;
          if (pre < 0 && post < 0) return `unknown suffix "_${rest.replace(/[^a-z].*$/s, '')}"`;
          value = pre >= 0 ? BigInt(pre - PRE_SUFFIXES.length) : BigInt(post);
          pos += (pre >= 0 ? PRE_SUFFIXES[pre] : POST_SUFFIXES[post])?.length ?? 0;
          break;
        }
      }
    }
    if (pos >= s.length) kind = END;
    else if (zeroRun) {
      // the digits after the zeros are a token of their own; anything else follows as after a
      // number, so `1.0_rc1` stays a pre-release of `1.0`
      kind = DIGIT;
      if (!isDigit(s.charAt(pos))) advance();
    } else advance();
    if (kind === INVALID) return `unexpected ${JSON.stringify(s.charAt(Math.max(0, pos - 1)))} at offset ${Math.max(0, pos - 1)}`;
    tokens.push({ value, next: kind });
  }
  return tokens;
}

export const apk = defineScheme<ApkVersion>(
  'apk',
  (input, fail) => {
    const s = input.trim();
    if (s === '') fail('version string is empty');
    // apk would take a lone leading letter; real package versions always start with a number
    if (!isDigit(s.charAt(0))) fail('must start with a number');
    const tokens = tokenize(s);
    if (typeof tokens === 'string') return fail(tokens);
    return tokens;
  },
  compareApk,
);

function compareApk(a: ApkVersion, b: ApkVersion): Ordering {
  let kindA = DIGIT;
  let kindB = DIGIT;
  let valueA = 0n;
  let valueB = 0n;
  let i = 0;
  while (kindA === kindB && kindA !== END && valueA === valueB) {
    const ta = a[i] as Token;
    const tb = b[i] as Token;
    valueA = ta.value;
    kindA = ta.next;
    valueB = tb.value;
    kindB = tb.next;
    i++;
  }
  if (valueA !== valueB) return valueA < valueB ? -1 : 1;
  if (kindA === kindB) return 0;
  // same so far: the longer one is newer, unless what follows is a pre-release suffix
  if (kindA === SUFFIX && (a[i]?.value ?? 0n) < 0n) return -1;
  if (kindB === SUFFIX && (b[i]?.value ?? 0n) < 0n) return 1;
  return kindA > kindB ? -1 : 1;
}
