/**
 * Building blocks for rule patterns. JavaScript regular expressions have no inline `(?i)` on
 * Node 20, so case-insensitive names are spelled as character classes (`ci`) and values keep
 * their exact case rules.
 */

/** `password` → `[Pp][Aa][Ss][Ss][Ww][Oo][Rr][Dd]` (letters only; other characters escaped). */
export function ci(word: string): string {
  let out = '';
  for (const ch of word) {
    const lo = ch.toLowerCase();
    const up = ch.toUpperCase();
    out += lo !== up ? `[${up}${lo}]` : ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return out;
}

/** Case-insensitive alternation of plain words. */
export function ciAny(words: readonly string[]): string {
  return `(?:${words.map(ci).join('|')})`;
}

/**
 * Between a name and its value: the rest of the identifier, a closing quote, and one of
 * `=`, `:`, `:=`, `=>`, `>` (XML), or a space (`ENV KEY value`), then an optional opening quote.
 * Every part is bounded, and none crosses a line.
 */
export const SEP = String.raw`[\w.-]{0,30}?["'\]]{0,2}[ \t]{0,4}(?:=>|:=|::|=|:|>|[ \t])[ \t]{0,4}["'\x60]?`;

/** Like SEP but an explicit `=`, `:`, `:=`, `=>` or `>` is required (generic rules). */
export const SEP_STRICT = String.raw`[\w.-]{0,30}?["'\]]{0,2}[ \t]{0,4}(?:=>|:=|::|=|:|>)[ \t]{0,4}["'\x60]?`;

/** An assignment `<name><SEP><value>` with the value in group `secret`. */
export function assign(name: string, value: string, strict = false): RegExp {
  return new RegExp(`(?:${name})${strict ? SEP_STRICT : SEP}(?<secret>${value})`);
}

/** Not preceded by an identifier character (a JS lookbehind). */
export const B = String.raw`(?<![A-Za-z0-9_])`;
/** Not followed by a token character. */
export const E = String.raw`(?![A-Za-z0-9_])`;
export const UUID = String.raw`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`;

/** Globs of language package trees, where docs and test fixtures are not user secrets. */
export const PACKAGE_DIRS = [
  '**/node_modules/**',
  '**/site-packages/**',
  '**/dist-packages/**',
  '**/vendor/**',
  '**/gems/**',
  '**/go/pkg/mod/**',
  '**/.m2/repository/**',
  '**/.gradle/caches/**',
];

/**
 * Library code of language runtimes and packages: docstrings and tests there are full of example
 * URLs with credentials. Catch-all rules (credentials in URLs, connection strings) skip it; rules
 * for specific token formats do not.
 */
export const LIBRARY_CODE = [...PACKAGE_DIRS, '**/lib/python*/**', 'usr/lib/ruby/**', 'usr/share/perl*/**', 'usr/lib/*/perl*/**', 'usr/share/javascript/**', 'usr/lib/jvm/**'];
