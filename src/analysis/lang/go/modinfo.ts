/**
 * Parses the module-info text embedded in Go binaries (the format runtime/debug.BuildInfo.String
 * writes): tab-separated lines `path`, `mod`, `dep`, `=>` (replaces the module on the line before)
 * and `build key=value`, where keys and values containing spaces, quotes or `=` are Go-quoted.
 */

export interface GoModule {
  path: string;
  /** Empty for local replacements (`=> ../fork`), `(devel)` for a main module built from a tree. */
  version: string;
  sum?: string;
  replace?: GoModule;
}

export interface GoBuildInfo {
  /** Import path of the main package. */
  path?: string;
  /** Absent for binaries built outside module mode (GOPATH builds, e.g. Debian's). */
  main?: GoModule;
  deps: GoModule[];
  settings: Array<{ key: string; value: string }>;
}

export interface ParsedModInfo {
  info: GoBuildInfo;
  /** Lines that could not be understood, described for a warning. */
  problems: string[];
}

export function parseModInfo(text: string): ParsedModInfo {
  const info: GoBuildInfo = { deps: [], settings: [] };
  const problems: string[] = [];
  let last: GoModule | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '') continue;
    const [word, ...rest] = line.split('\t');
    switch (word) {
      case 'path':
        info.path = rest.join('\t');
        last = undefined;
        break;
      case 'mod':
      case 'dep': {
        const mod = parseModule(rest);
        if (!mod) {
          problems.push(`line ${i + 1}: malformed ${word} line`);
          last = undefined;
          break;
        }
        if (word === 'mod') info.main = mod;
        else info.deps.push(mod);
        last = mod;
        break;
      }
      case '=>': {
        const mod = parseModule(rest);
        if (!mod || !last || last.replace) problems.push(`line ${i + 1}: replacement without a module to replace`);
        else last.replace = mod;
        last = undefined;
        break;
      }
      case 'build': {
        const setting = parseSetting(rest.join('\t'));
        if (setting) info.settings.push(setting);
        else problems.push(`line ${i + 1}: malformed build setting`);
        last = undefined;
        break;
      }
      default:
        // Newer toolchains may add line kinds; they carry no module identity we know how to use.
        last = undefined;
    }
  }
  return { info, problems };
}

function parseModule(fields: string[]): GoModule | null {
  const [path, version = '', sum] = fields;
  if (!path || fields.length > 3) return null;
  return sum ? { path, version, sum } : { path, version };
}

/** `key=value`; either side may be a Go double-quoted string. */
function parseSetting(text: string): { key: string; value: string } | null {
  let key: string;
  let restAt: number;
  if (text.startsWith('"')) {
    const end = quotedEnd(text, 0);
    if (end < 0) return null;
    const k = unquoteGo(text.slice(0, end));
    if (k === null) return null;
    key = k;
    restAt = end;
  } else {
    const eq = text.indexOf('=');
    if (eq < 0) return null;
    key = text.slice(0, eq);
    restAt = eq;
  }
  if (text[restAt] !== '=' || key === '') return null;
  const raw = text.slice(restAt + 1);
  if (!raw.startsWith('"')) return { key, value: raw };
  const value = quotedEnd(raw, 0) === raw.length ? unquoteGo(raw) : null;
  return value === null ? null : { key, value };
}

/** Index just past the closing quote of the string starting at `start`, or -1. */
function quotedEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
  return -1;
}

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };

/** Decodes a Go interpreted string literal as strconv.Quote writes it; null when malformed. */
export function unquoteGo(literal: string): string | null {
  if (literal.length < 2 || !literal.startsWith('"') || !literal.endsWith('"')) return null;
  const body = literal.slice(1, -1);
  const bytes: number[] = [];
  const pushText = (s: string) => bytes.push(...Buffer.from(s, 'utf8'));
  for (let i = 0; i < body.length; i++) {
    const c = String.fromCodePoint(body.codePointAt(i) as number);
    if (c !== '\\') {
      pushText(c);
      i += c.length - 1;
      continue;
    }
    const e = body[++i];
    if (e === undefined) return null;
    if (e in SIMPLE_ESCAPES) {
      pushText(SIMPLE_ESCAPES[e] as string);
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const width = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + width);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) return null;
      const n = parseInt(hex, 16);
      if (e === 'x') bytes.push(n);
      else if (n > 0x10ffff) return null;
      else pushText(String.fromCodePoint(n));
      i += width;
    } else if (/[0-7]/.test(e)) {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) return null;
      bytes.push(parseInt(oct, 8) & 0xff);
      i += 2;
    } else {
      return null;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
