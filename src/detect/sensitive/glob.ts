/**
 * Glob → RegExp for in-image paths (no leading `/`). Supports `**` (any number of segments,
 * including none), `*` and `?` (within one segment), `{a,b}` alternation and `[...]` classes.
 * Dot-files match like any other name (minimatch `dot: true`). Matching is case-sensitive unless
 * `nocase` is set, because image filesystems are.
 */
export function globToRegExp(glob: string, nocase = false): RegExp {
  const g = glob.replace(/^\/+/, '');
  const groups = braceGroups(g);
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
    } else if (c === '{' && groups.has(i)) {
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
      re += c.replace(/[.+^$()|{}\\\]]/g, '\\$&');
    }
    i++;
  }
  return new RegExp(`^${re}$`, nocase ? 'i' : '');
}

/** Positions of the `{` that have a matching `}`: one without is a literal, as a `[` without `]` is. */
function braceGroups(g: string): Set<number> {
  const open: number[] = [];
  const matched = new Set<number>();
  for (let i = 0; i < g.length; i++) {
    if (g[i] === '[') {
      const close = g.indexOf(']', i + 1);
      if (close > 0) i = close;
    } else if (g[i] === '{') open.push(i);
    else if (g[i] === '}' && open.length > 0) matched.add(open.pop() as number);
  }
  return matched;
}

/** How the file-name part of a glob is tested. */
type BaseTest = { kind: 'any' } | { kind: 'exact'; name: string } | { kind: 'ext'; ext: string } | { kind: 're'; re: RegExp; literal: string };

interface Entry {
  id: number;
  base: BaseTest;
  /** Directory test (the path before its last `/`, `''` at the root); null: any directory. */
  dir: RegExp | null;
  /** A literal `'/' + dir + '/'` must contain before `dir` is tried. */
  dirLiteral: string;
  /** The directory's first segment, when the glob fixes it (`usr/share/doc/**`). */
  firstSegment?: string;
  /** Glob that cannot be split (a brace group spanning `/`): whole-path regex. */
  full?: RegExp;
}

/** Expands `{a,b}` groups (not nested) into alternatives; null when there would be too many. */
function expandBraces(g: string, limit = 256): string[] | null {
  const open = g.indexOf('{');
  if (open < 0) return [g];
  const close = g.indexOf('}', open);
  if (close < 0) return [g];
  const inner = g.slice(open + 1, close);
  if (inner.includes('{')) return null;
  const out: string[] = [];
  for (const alt of inner.split(',')) {
    const rest = expandBraces(g.slice(0, open) + alt + g.slice(close + 1), limit);
    if (!rest) return null;
    out.push(...rest);
    if (out.length > limit) return null;
  }
  return out;
}

const WILD = /[*?[{\]]/;
const literalsOf = (g: string) => g.split(/\*\*|[*?]|\{[^}]*\}|\[[^\]]*\]/).filter(Boolean);
const longest = (xs: string[]) => xs.sort((a, b) => b.length - a.length)[0] ?? '';

/** Index of the last `/` outside `{...}`, or -1; -2 when a brace group is unbalanced. */
function lastSlash(g: string): number {
  let depth = 0;
  let at = -1;
  for (let i = 0; i < g.length; i++) {
    const c = g[i];
    if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === '/' && depth === 0) at = i;
    if (depth < 0) return -2;
  }
  return depth === 0 ? at : -2;
}

/**
 * Splits one glob into a directory test and file-name tests (one per alternative of a `{a,b}`
 * group in the file name); null when the glob cannot be split (a brace group spanning `/`).
 */
function compileGlob(id: number, g: string): Entry[] | null {
  const slash = lastSlash(g);
  if (slash === -2) return null;
  const last = g.slice(slash + 1);
  let dirGlob = slash < 0 ? '' : g.slice(0, slash);
  if (/[{}]/.test(last) && lastSlash(last) !== -1) return null;
  let deeper = false;
  // `X/**/name`: the directory is X or below it.
  while (dirGlob.endsWith('/**')) {
    dirGlob = dirGlob.slice(0, -3);
    deeper = true;
  }
  const names = last === '**' ? [last] : (expandBraces(last) ?? [last]);
  const bases: BaseTest[] = names.map((n) => {
    if (n === '**') return { kind: 'any' };
    if (!WILD.test(n)) return { kind: 'exact', name: n };
    if (/^\*\.[^*?[{\]/]+$/.test(n)) return { kind: 'ext', ext: n.slice(1) };
    return { kind: 're', re: globToRegExp(n), literal: longest(literalsOf(n)) };
  });
  if (last === '**') deeper = true;
  let dir: RegExp | null = null;
  let dirLiteral = '';
  if (!(dirGlob === '**' || (slash < 0 && last === '**'))) {
    const src = globToRegExp(dirGlob).source.slice(1, -1);
    dir = new RegExp(`^${src}${deeper ? '(?:/.*)?' : ''}$`);
    // Checked against '/' + dir + '/', so a literal that starts or ends a segment still counts.
    dirLiteral = longest(literalsOf(`/${dirGlob}/`).filter((l) => l !== '/'));
  }
  const first = /^[^*?[{\]/]+(?=\/|$)/.exec(dirGlob)?.[0];
  return bases.map((base) => ({ id, base, dir, dirLiteral, ...(dir && first !== undefined ? { firstSegment: first } : {}) }));
}

function baseMatches(b: BaseTest, base: string): boolean {
  switch (b.kind) {
    case 'any':
      return true;
    case 'exact':
      return base === b.name;
    case 'ext':
      return base.endsWith(b.ext);
    case 're':
      return base.includes(b.literal) && b.re.test(base);
  }
}

/**
 * Many globs matched against many paths. Each glob is split into a directory test and a file-name
 * test: file names are indexed (exact names, extensions) for globs valid in any directory, and the
 * directory tests — the costly part — run once per directory, not per file (a layer lists the
 * files of one directory together). `{a,b}` groups are expanded, so `*.{png,jpg}` is two
 * extension lookups rather than a regular expression.
 */
class GlobMatcher {
  /** Any directory, exact file name. */
  private readonly byBase = new Map<string, Entry[]>();
  /** Any directory, `*.ext`. */
  private readonly byExt = new Map<string, Entry[]>();
  /** Any directory, another file-name test. */
  private readonly anyDir: Entry[] = [];
  /** Entries with a directory test, by the directory's first segment when the glob fixes it. */
  private readonly anchored = new Map<string, Entry[]>();
  private readonly floating: Entry[] = [];
  private readonly hasDirEntries: boolean;
  private readonly full: Entry[] = [];
  /** Directory → entries whose directory test passed; bounded, cleared when full. */
  private readonly dirCache = new Map<string, Entry[]>();

  constructor(
    globs: readonly string[],
    private readonly nocase: boolean,
  ) {
    globs.forEach((raw, id) => {
      const g = (nocase ? raw.toLowerCase() : raw).replace(/^\/+/, '');
      const entries = compileGlob(id, g);
      if (!entries) {
        this.full.push({ id, base: { kind: 'any' }, dir: null, dirLiteral: '', full: globToRegExp(g) });
        return;
      }
      for (const e of entries) {
        if (e.dir) {
          if (e.firstSegment !== undefined) push(this.anchored, e.firstSegment, e);
          else this.floating.push(e);
        } else if (e.base.kind === 'exact') push(this.byBase, e.base.name, e);
        else if (e.base.kind === 'ext') push(this.byExt, e.base.ext, e);
        else this.anyDir.push(e);
      }
    });
    this.hasDirEntries = this.anchored.size > 0 || this.floating.length > 0;
  }

  private forDir(dir: string): Entry[] {
    let hit = this.dirCache.get(dir);
    if (!hit) {
      const wrapped = `/${dir}/`;
      const slash = dir.indexOf('/');
      const anchored = this.anchored.get(slash < 0 ? dir : dir.slice(0, slash)) ?? [];
      const test = (e: Entry) => wrapped.includes(e.dirLiteral) && (e.dir as RegExp).test(dir);
      hit = [...anchored.filter(test), ...this.floating.filter(test)];
      if (this.dirCache.size >= 4096) this.dirCache.clear();
      this.dirCache.set(dir, hit);
    }
    return hit;
  }

  /** Calls `found` with the id of each matching glob (an id may repeat); stops when it returns true. */
  each(path: string, found: (id: number) => boolean): boolean {
    const p = this.nocase ? path.toLowerCase() : path;
    const slash = p.lastIndexOf('/');
    const base = p.slice(slash + 1);
    for (const e of this.byBase.get(base) ?? []) if (found(e.id)) return true;
    if (this.byExt.size > 0) {
      for (let i = base.indexOf('.'); i >= 0; i = base.indexOf('.', i + 1)) {
        for (const e of this.byExt.get(base.slice(i)) ?? []) if (found(e.id)) return true;
      }
    }
    for (const e of this.anyDir) if (baseMatches(e.base, base) && found(e.id)) return true;
    if (this.hasDirEntries) {
      for (const e of this.forDir(slash < 0 ? '' : p.slice(0, slash))) if (baseMatches(e.base, base) && found(e.id)) return true;
    }
    for (const e of this.full) if ((e.full as RegExp).test(p) && found(e.id)) return true;
    return false;
  }
}

/** A set of globs: does a path match any of them. */
export class GlobSet {
  private readonly matcher: GlobMatcher;

  constructor(globs: readonly string[], nocase = false) {
    this.matcher = new GlobMatcher(globs, nocase);
  }

  matches(path: string): boolean {
    return this.matcher.each(path, () => true);
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
  private readonly matcher: GlobMatcher;

  constructor(globs: readonly string[]) {
    this.matcher = new GlobMatcher(globs, false);
  }

  /** Ids of the globs that match, ascending, each once. */
  match(path: string): number[] {
    const out: number[] = [];
    this.matcher.each(path, (id) => {
      out.push(id);
      return false;
    });
    if (out.length < 2) return out;
    out.sort((a, b) => a - b);
    return out.filter((id, i) => i === 0 || id !== out[i - 1]);
  }
}

/** Normalise a path as the walker does: no leading `/` or `./`. */
export function normalisePath(p: string): string {
  return p.replace(/^(?:\.\/|\/)+/, '');
}
