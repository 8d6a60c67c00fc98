/**
 * Glob → RegExp for in-image paths (no leading `/`). Supports `**` (any number of segments,
 * including none), `*` and `?` (within one segment), `{a,b}` alternation and `[...]` classes.
 * Dot-files match like any other name (minimatch `dot: true`). Matching is case-sensitive unless
 * `nocase` is set, because image filesystems are.
 */
export function globToRegExp(glob: string, nocase = false): RegExp {
  const g = glob.replace(/^\/+/, '');
  let re = '';
  let i = 0;
  let braceDepth = 0;
  while (i < g.length) {
    const c = g[i]!;
    if (c === '*') {
      if (g[i + 1] === '*') {
        const atSegStart = i === 0 || g[i - 1] === '/';
        const atSegEnd = i + 2 === g.length || g[i + 2] === '/';
        if (atSegStart && atSegEnd) {
          // `**/` → zero or more whole segments; trailing `**` → anything below.
          if (i + 2 === g.length) re += '.*';
          else re += '(?:[^/]*/)*';
          i += i + 2 === g.length ? 2 : 3;
          continue;
        }
        re += '[^/]*';
        i += 2;
        continue;
      }
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '{') {
      braceDepth++;
      re += '(?:';
    } else if (c === '}' && braceDepth > 0) {
      braceDepth--;
      re += ')';
    } else if (c === ',' && braceDepth > 0) {
      re += '|';
    } else if (c === '[') {
      const close = g.indexOf(']', i + 1);
      if (close < 0) re += '\\[';
      else {
        const body = g.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = close;
      }
    } else {
      re += c.replace(/[.+^$()|\\\]]/g, '\\$&');
    }
    i++;
  }
  return new RegExp(`^${re}$`, nocase ? 'i' : '');
}

/** A set of globs compiled into one expression (one test per path, not one per glob). */
export class GlobSet {
  private readonly re: RegExp | null;
  readonly globs: readonly string[];
  constructor(globs: readonly string[], nocase = false) {
    this.globs = globs;
    this.re =
      globs.length === 0
        ? null
        : new RegExp(globs.map((g) => globToRegExp(g, nocase).source).join('|'), nocase ? 'i' : '');
  }
  matches(path: string): boolean {
    return this.re !== null && this.re.test(path);
  }
}

/** Normalise a path as the walker does: no leading `/` or `./`. */
export function normalisePath(p: string): string {
  return p.replace(/^(?:\.\/|\/)+/, '');
}
