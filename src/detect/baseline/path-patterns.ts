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

/** One `[...]` class at `pattern[i]`: whether `ch` matches and where the class ends (-1 if unterminated). */
function classAt(pattern: string, i: number, ch: string): { ok: boolean; end: number } {
  const close = pattern.indexOf(']', i + 2);
  if (close === -1) return { ok: ch === '[', end: -1 };
  let body = pattern.slice(i + 1, close);
  const negate = body.startsWith('!') || body.startsWith('^');
  if (negate) body = body.slice(1);
  let hit = false;
  for (let k = 0; k < body.length; k++) {
    if (body[k + 1] === '-' && k + 2 < body.length) {
      if (ch >= (body[k] as string) && ch <= (body[k + 2] as string)) hit = true;
      k += 2;
    } else if (body[k] === ch) hit = true;
  }
  return { ok: hit !== negate, end: close };
}

/**
 * glob(3) matching of one path segment (`*`, `?`, `[...]`), for patterns that come from image
 * content (sshd `Include`): a two-pointer scan with single-star backtracking, so hostile patterns
 * cannot cost more than pattern × text steps (no regular expression is built from them).
 */
export function segmentMatches(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    const c = pattern[p];
    if (c === '*') {
      starP = p++;
      starT = t;
      continue;
    }
    if (c === '?') {
      p++;
      t++;
      continue;
    }
    if (c === '[') {
      const cls = classAt(pattern, p, text[t] as string);
      if (cls.ok) {
        p = cls.end === -1 ? p + 1 : cls.end + 1;
        t++;
        continue;
      }
    } else if (c !== undefined && c === text[t]) {
      p++;
      t++;
      continue;
    }
    if (starP === -1) return false;
    p = starP + 1;
    t = ++starT;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** Match a slash-separated glob against a path segment by segment (no `**`, as in glob(3)). */
export function globMatches(glob: string, path: string): boolean {
  const g = glob.split('/');
  const s = path.split('/');
  return g.length === s.length && g.every((seg, i) => segmentMatches(seg, s[i] as string));
}
