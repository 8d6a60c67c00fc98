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

/**
 * A set of globs, matched against many paths: globs are indexed by what the file name must be
 * (`**\/.npmrc`), end with (`**\/*.pem`) or contain, so most paths are rejected with one map
 * lookup instead of a regular expression with hundreds of alternatives.
 */
export class GlobSet {
  readonly globs: readonly string[];
  private readonly nocase: boolean;
  /** Last segment is a literal: base name → full-path regexes (null: any directory). */
  private readonly byBase = new Map<string, Array<RegExp | null>>();
  /** Last segment is `*.ext`: extension (with dot) → full-path regexes (null: any directory). */
  private readonly byExt = new Map<string, Array<RegExp | null>>();
  /** Everything else, each with a literal the path must contain. */
  private readonly rest: Array<{ literal: string; re: RegExp }> = [];

  constructor(globs: readonly string[], nocase = false) {
    this.globs = globs;
    this.nocase = nocase;
    for (const raw of globs) {
      const g = nocase ? raw.replace(/^\/+/, '').toLowerCase() : raw.replace(/^\/+/, '');
      const re = globToRegExp(g);
      const slash = g.lastIndexOf('/');
      const last = g.slice(slash + 1);
      const dir = slash < 0 ? '' : g.slice(0, slash);
      const anyDir = dir === '**';
      if (last !== '' && !/[*?[{\]]/.test(last)) {
        push(this.byBase, last, slash < 0 ? re : anyDir ? null : re);
      } else if (/^\*\.[^*?[{\]/]+$/.test(last)) {
        push(this.byExt, last.slice(1), slash < 0 ? re : anyDir ? null : re);
      } else {
        const literals = g.split(/\*\*|[*?]|\{[^}]*\}|\[[^\]]*\]/).filter(Boolean);
        const literal = literals.sort((a, b) => b.length - a.length)[0] ?? '';
        this.rest.push({ literal: literal === '/' ? '' : literal, re });
      }
    }
  }

  matches(path: string): boolean {
    const p = this.nocase ? path.toLowerCase() : path;
    const base = p.slice(p.lastIndexOf('/') + 1);
    const exact = this.byBase.get(base);
    if (exact && exact.some((re) => re === null || re.test(p))) return true;
    if (this.byExt.size > 0) {
      for (let i = base.indexOf('.'); i >= 0; i = base.indexOf('.', i + 1)) {
        const list = this.byExt.get(base.slice(i));
        if (list && list.some((re) => re === null || re.test(p))) return true;
      }
    }
    for (const r of this.rest) if (p.includes(r.literal) && r.re.test(p)) return true;
    return false;
  }
}

function push<V>(map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Many globs with ids: `match` returns the ids of every glob a path matches, in one pass. Used to
 * decide at once which path-restricted rules apply to a file.
 */
export class GlobIndex {
  readonly size: number;
  private readonly byBase = new Map<string, Array<{ id: number; re: RegExp | null }>>();
  private readonly byExt = new Map<string, Array<{ id: number; re: RegExp | null }>>();
  private readonly rest: Array<{ id: number; literal: string; re: RegExp }> = [];

  constructor(globs: readonly string[]) {
    this.size = globs.length;
    globs.forEach((raw, id) => {
      const g = raw.replace(/^\/+/, '');
      const re = globToRegExp(g);
      const slash = g.lastIndexOf('/');
      const last = g.slice(slash + 1);
      const anyDir = slash >= 0 && g.slice(0, slash) === '**';
      if (last !== '' && !/[*?[{\]]/.test(last)) push(this.byBase, last, { id, re: anyDir ? null : re });
      else if (/^\*\.[^*?[{\]/]+$/.test(last)) push(this.byExt, last.slice(1), { id, re: anyDir ? null : re });
      else {
        const literal = g.split(/\*\*|[*?]|\{[^}]*\}|\[[^\]]*\]/).filter(Boolean).sort((a, b) => b.length - a.length)[0] ?? '';
        this.rest.push({ id, literal: literal === '/' ? '' : literal, re });
      }
    });
  }

  /** Ids of the globs that match, ascending. */
  match(path: string): number[] {
    const out: number[] = [];
    const base = path.slice(path.lastIndexOf('/') + 1);
    for (const e of this.byBase.get(base) ?? []) if (e.re === null || e.re.test(path)) out.push(e.id);
    if (this.byExt.size > 0) {
      for (let i = base.indexOf('.'); i >= 0; i = base.indexOf('.', i + 1)) {
        for (const e of this.byExt.get(base.slice(i)) ?? []) if (e.re === null || e.re.test(path)) out.push(e.id);
      }
    }
    for (const r of this.rest) if (path.includes(r.literal) && r.re.test(path)) out.push(r.id);
    return out.length > 1 ? out.sort((a, b) => a - b) : out;
  }
}

/** Normalise a path as the walker does: no leading `/` or `./`. */
export function normalisePath(p: string): string {
  return p.replace(/^(?:\.\/|\/)+/, '');
}
