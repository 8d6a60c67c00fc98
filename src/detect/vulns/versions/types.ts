import { TarsierError } from '../../../errors.js';

/** Result of comparing two versions: a is lower (-1), equal (0) or higher (1). */
export type Ordering = -1 | 0 | 1;

/** The version orderings Tarsier knows, one per packaging ecosystem family. */
export type SchemeName = 'dpkg' | 'rpm' | 'apk' | 'semver' | 'pep440' | 'maven' | 'go' | 'rubygems' | 'nuget' | 'composer';

/**
 * One ecosystem's version ordering. `parse` throws an {@link InvalidVersionError} that says what is
 * wrong; `compare` parses both sides (so it throws on invalid input too); `check` returns the
 * reason a version is invalid, or null.
 */
export interface VersionScheme<P = unknown> {
  readonly name: SchemeName;
  parse(version: string): P;
  compareParsed(a: P, b: P): Ordering;
  compare(a: string, b: string): Ordering;
  check(version: string): string | null;
}

export class InvalidVersionError extends TarsierError {
  readonly scheme: SchemeName;
  readonly version: string;
  readonly reason: string;
  constructor(scheme: SchemeName, version: string, reason: string) {
    super('input', `invalid ${scheme} version ${JSON.stringify(version)}: ${reason}`);
    this.name = 'InvalidVersionError';
    this.scheme = scheme;
    this.version = version;
    this.reason = reason;
  }
}

export function sign(n: number): Ordering {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Builds the full scheme interface from a parser and a comparator of parsed values. */
export function defineScheme<P>(
  name: SchemeName,
  parse: (version: string, fail: (reason: string) => never) => P,
  compareParsed: (a: P, b: P) => Ordering,
): VersionScheme<P> {
  const parseOrThrow = (version: string): P =>
    parse(version, (reason) => {
      throw new InvalidVersionError(name, version, reason);
    });
  return {
    name,
    parse: parseOrThrow,
    compareParsed,
    compare: (a, b) => compareParsed(parseOrThrow(a), parseOrThrow(b)),
    check(version) {
      try {
        parseOrThrow(version);
        return null;
      } catch (err) {
        if (err instanceof InvalidVersionError) return err.reason;
        throw err;
      }
    },
  };
}

/**
 * Compares two strings of ASCII digits by numeric value, without converting them to numbers
 * (version components can exceed 2^53).
 */
export function compareDigits(a: string, b: string): Ordering {
  const x = stripLeadingZeros(a);
  const y = stripLeadingZeros(b);
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

function stripLeadingZeros(s: string): string {
  let i = 0;
  while (i < s.length - 1 && s.charCodeAt(i) === 48) i++;
  return s.slice(i);
}

/** Byte-wise (code unit) string order, as C's strcmp/memcmp give for ASCII. */
export function compareStrings(a: string, b: string): Ordering {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isAsciiLetterCode(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
