/**
 * Glob-like path patterns for deciding which image files the config-file collector keeps.
 * Paths are image-root relative without a leading slash (as the layer walker normalises them).
 *
 * Syntax: `*` matches within one path segment, `**` matches any number of whole segments
 * (including none), `?` one character, `[...]` a character class. Everything else is literal.
 */

/** How much of a matched file is kept: the whole text, or only its metadata (never secrets). */
export type KeepMode = 'content' | 'meta';

export interface PathPattern {
  glob: string;
  keep: KeepMode;
}

/** Translate one glob into a regular expression source (without anchors). */
export function globToRegexSource(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` = zero or more leading segments; a trailing `**` = anything below.
        if (glob[i + 2] === '/') {
          out += '(?:[^/]+/)*';
          i += 2;
        } else {
          out += '.*';
          i += 1;
        }
      } else {
        out += '[^/]*';
      }
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) {
        out += '\\[';
      } else {
        let body = glob.slice(i + 1, end);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        out += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else {
      out += c.replace(/[.+^${}()|\\/]/g, (m) => `\\${m}`);
    }
  }
  return out;
}

/** One anchored regular expression matching any of the globs (null when the list is empty). */
export function compileGlobs(globs: readonly string[]): RegExp | null {
  if (globs.length === 0) return null;
  return new RegExp(`^(?:${globs.map(globToRegexSource).join('|')})$`);
}

/** Match a single glob against a path (used for sshd `Include` and similar runtime globs). */
export function globMatches(glob: string, path: string): boolean {
  return new RegExp(`^${globToRegexSource(glob)}$`).test(path);
}
