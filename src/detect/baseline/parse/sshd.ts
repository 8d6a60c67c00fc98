/**
 * sshd_config as sshd reads it: keywords are case-insensitive, the first value obtained for a
 * keyword wins (except the list keywords that accumulate), `Match` opens a conditional block that
 * lasts until the next `Match` (or the end of the file it appears in when that file was pulled in
 * by `Include`), and `Include` (OpenSSH >= 8.2) splices glob-expanded files in place.
 */
import { posix } from 'node:path';

export interface SshdDirective {
  /** Lower-case keyword. */
  keyword: string;
  args: string[];
  /** Absolute path of the file holding the line, or a pseudo-source such as `sshd -o`. */
  file: string;
  line: number;
  text: string;
}

export interface SshdMatchBlock {
  criteria: string;
  file: string;
  line: number;
  directives: SshdDirective[];
}

export interface SshdConfig {
  /** Global-section directives in the order sshd reads them (includes spliced in). */
  global: SshdDirective[];
  matches: SshdMatchBlock[];
  /** Every file read, main file first. */
  files: string[];
  /** Things sshd would complain about or that we could not follow. */
  notes: string[];
}

export interface SshdSources {
  read(absPath: string): string | undefined;
  /** Absolute paths matching an absolute glob, sorted (sshd uses glob(3)). */
  glob(absPattern: string): string[];
}

export interface SshdParseOptions {
  /** `Include` only exists from OpenSSH 8.2; older servers refuse to start on it. */
  includeSupported: boolean;
  /** Directives given on sshd's command line (`-o`), which precede the file and so win. */
  commandLine?: SshdDirective[];
}

/** Keywords whose every occurrence adds to the value instead of the first one winning. */
const ACCUMULATING = new Set(['allowusers', 'denyusers', 'allowgroups', 'denygroups', 'hostkey', 'listenaddress', 'port', 'acceptenv', 'setenv', 'hostcertificate']);

const MAX_INCLUDE_DEPTH = 16;
const MAX_LINES = 20_000;

/** Split one config line into keyword and arguments (`Keyword value`, `Keyword=value`, quoted args). */
export function tokenizeSshdLine(raw: string): { keyword: string; args: string[] } | null {
  const line = raw.replace(/\r$/, '').trim();
  if (line === '' || line.startsWith('#')) return null;
  const kw = /^([^\s=]+)\s*=?\s*/.exec(line);
  if (!kw) return null;
  const args: string[] = [];
  let rest = line.slice(kw[0].length);
  while (rest.length > 0) {
    if (rest.startsWith('#')) break; // a token starting with # begins a comment
    if (rest.startsWith('"')) {
      const end = rest.indexOf('"', 1);
      const value = end === -1 ? rest.slice(1) : rest.slice(1, end);
      args.push(value);
      rest = end === -1 ? '' : rest.slice(end + 1);
    } else {
      const m = /^\S+/.exec(rest) as RegExpExecArray;
      args.push(m[0]);
      rest = rest.slice(m[0].length);
    }
    rest = rest.replace(/^\s+/, '');
  }
  return { keyword: (kw[1] as string).toLowerCase(), args };
}

export function parseSshdConfig(mainPath: string, sources: SshdSources, opts: SshdParseOptions): SshdConfig | null {
  const mainText = sources.read(mainPath);
  if (mainText === undefined) return null;
  const cfg: SshdConfig = { global: [...(opts.commandLine ?? [])], matches: [], files: [], notes: [] };
  let lines = 0;

  /** `current` is the Match block lines go to (null = global); returns the block active at the end. */
  const parseFile = (file: string, text: string, current: SshdMatchBlock | null, depth: number): void => {
    cfg.files.push(file);
    let block = current;
    const rows = text.split('\n');
    for (let i = 0; i < rows.length; i++) {
      if (++lines > MAX_LINES) {
        cfg.notes.push(`stopped after ${MAX_LINES} lines`);
        return;
      }
      const tok = tokenizeSshdLine(rows[i] as string);
      if (!tok) continue;
      const d: SshdDirective = { keyword: tok.keyword, args: tok.args, file, line: i + 1, text: (rows[i] as string).trim() };
      if (d.keyword === 'match') {
        block = { criteria: d.args.join(' '), file, line: i + 1, directives: [] };
        cfg.matches.push(block);
        continue;
      }
      if (d.keyword === 'include') {
        if (!opts.includeSupported) {
          cfg.notes.push(`${file}:${i + 1}: Include needs OpenSSH 8.2 or later; this sshd would refuse the file`);
          continue;
        }
        if (depth >= MAX_INCLUDE_DEPTH) {
          cfg.notes.push(`${file}:${i + 1}: Include nested too deeply`);
          continue;
        }
        for (const pattern of d.args) {
          // Relative Include paths are relative to /etc/ssh.
          const abs = pattern.startsWith('/') ? pattern : posix.join('/etc/ssh', pattern);
          const matched = /[*?[]/.test(abs) ? sources.glob(abs) : [abs];
          for (const inc of matched) {
            const incText = sources.read(inc);
            if (incText === undefined) {
              if (!/[*?[]/.test(abs)) cfg.notes.push(`${file}:${i + 1}: included file ${inc} is not in the image`);
              continue;
            }
            // A Match opened inside an included file ends with that file.
            parseFile(inc, incText, block, depth + 1);
          }
        }
        continue;
      }
      (block ? block.directives : cfg.global).push(d);
    }
  };
  parseFile(mainPath, mainText, null, 0);
  return cfg;
}

export interface SshdSetting {
  /** Effective arguments: the first occurrence's, or every occurrence's for accumulating keywords. */
  args: string[];
  /** The directive that set it; null when the compiled default applies. */
  source: SshdDirective | null;
  /** For accumulating keywords, every directive that contributed. */
  all: SshdDirective[];
}

/** First-match lookup in a directive list (global section or one Match block). */
export function lookup(directives: readonly SshdDirective[], keyword: string): SshdSetting | null {
  const kw = keyword.toLowerCase();
  const hits = directives.filter((d) => d.keyword === kw);
  if (hits.length === 0) return null;
  if (ACCUMULATING.has(kw)) return { args: hits.flatMap((h) => h.args), source: hits[0] as SshdDirective, all: hits };
  const first = hits[0] as SshdDirective;
  return { args: first.args, source: first, all: [first] };
}

/** sshd time format: `120`, `2m`, `1m30s`, `1h`; null when malformed. */
export function parseSshdTime(value: string): number | null {
  if (/^\d+$/.test(value)) return Number(value);
  const re = /(\d+)([sSmMhHdDwW])/g;
  let total = 0;
  let consumed = 0;
  for (const m of value.matchAll(re)) {
    const n = Number(m[1]);
    const unit = (m[2] as string).toLowerCase();
    total += n * ({ s: 1, m: 60, h: 3600, d: 86400, w: 604800 } as Record<string, number>)[unit]!;
    consumed += m[0].length;
  }
  return consumed === value.length && consumed > 0 ? total : null;
}

/** `*` and `?` wildcards as sshd's match_pattern understands them (no regex, no backtracking blow-up). */
export function wildcardMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      starP = p++;
      starT = t;
    } else if (starP !== -1) {
      p = starP + 1;
      t = ++starT;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * The algorithm list sshd ends up with: a plain list replaces the default, `+list` appends,
 * `-list` removes (wildcards allowed), `^list` puts the entries first (OpenSSH 8.x).
 */
export function effectiveAlgorithms(value: string | null, defaults: readonly string[]): string[] {
  if (value === null) return [...defaults];
  const list = (s: string) => s.split(',').map((x) => x.trim()).filter((x) => x !== '');
  if (value.startsWith('+')) {
    const add = list(value.slice(1)).filter((a) => !defaults.includes(a));
    return [...defaults, ...add];
  }
  if (value.startsWith('-')) {
    const remove = list(value.slice(1));
    return defaults.filter((a) => !remove.some((r) => wildcardMatch(r, a)));
  }
  if (value.startsWith('^')) {
    const first = list(value.slice(1));
    return [...first, ...defaults.filter((a) => !first.includes(a))];
  }
  return list(value);
}

/**
 * RHEL 8 passes the system crypto policy on sshd's command line: the back-end file holds
 * `CRYPTO_POLICY='-oCiphers=… -oMACs=…'`. Returns those options as directives.
 */
export function parseCryptoPolicyCmdline(text: string, file: string): SshdDirective[] {
  const out: SshdDirective[] = [];
  text.split('\n').forEach((row, i) => {
    for (const m of row.matchAll(/-o([A-Za-z]+)=([^\s'"]+)/g)) {
      out.push({ keyword: (m[1] as string).toLowerCase(), args: [m[2] as string], file, line: i + 1, text: m[0] });
    }
  });
  return out;
}
