/**
 * Small, tolerant readers for the file formats structural rules look at (INI, JSON, line formats,
 * URLs with credentials). They never throw on bad input: a file that does not parse is simply not
 * a finding for the rule that expected the format.
 */

/** 1-based line of a character offset. */
export function lineAt(text: string, index: number): number {
  let line = 1;
  const end = Math.min(index, text.length);
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

export interface IniEntry {
  section: string;
  key: string;
  value: string;
  /** Offset of the value in the text. */
  index: number;
}

/**
 * INI-like `key = value` / `key: value` lines under `[section]` headers; `#`/`;` comments.
 * Keys are lower-cased; values are trimmed and unquoted.
 */
export function parseIni(text: string): IniEntry[] {
  const out: IniEntry[] = [];
  let section = '';
  let offset = 0;
  for (const raw of text.split('\n')) {
    const lineStart = offset;
    offset += raw.length + 1;
    const line = raw.replace(/\r$/, '');
    const t = line.trim();
    if (t === '' || t.startsWith('#') || t.startsWith(';')) continue;
    const sec = /^\[\s*([^\]]{0,200})\]/.exec(t);
    if (sec) {
      section = (sec[1] ?? '').trim().toLowerCase();
      continue;
    }
    const kv = /^([^=:\s][^=:]{0,200}?)\s*[=:]\s*(.*)$/.exec(t);
    if (!kv) continue;
    const key = (kv[1] ?? '').trim().toLowerCase();
    let value = (kv[2] ?? '').trim();
    const q = /^(["'])(.*)\1$/.exec(value);
    if (q) value = q[2] ?? '';
    const at = value === '' ? lineStart : line.indexOf(value, line.indexOf(kv[1] ?? '') + 1);
    out.push({ section, key, value, index: lineStart + Math.max(0, at) });
  }
  return out;
}

/** JSON.parse that returns undefined instead of throwing. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every string value of a JSON document with the key it sits under (lower-cased), depth-first. */
export function jsonStrings(doc: unknown, maxDepth = 12): Array<{ key: string; value: string; parents: string[] }> {
  const out: Array<{ key: string; value: string; parents: string[] }> = [];
  const walk = (v: unknown, key: string, parents: string[], depth: number) => {
    if (depth > maxDepth || out.length > 10_000) return;
    if (typeof v === 'string') out.push({ key, value: v, parents });
    else if (Array.isArray(v)) for (const x of v) walk(x, key, parents, depth + 1);
    else if (isRecord(v)) for (const [k, x] of Object.entries(v)) walk(x, k.toLowerCase(), [...parents, key], depth + 1);
  };
  walk(doc, '', [], 0);
  return out;
}

/** Where a JSON string value appears in the source text (for line numbers); 0 if not found. */
export function indexOfJsonValue(text: string, value: string): number {
  const enc = JSON.stringify(value).slice(1, -1);
  const i = text.indexOf(`"${enc}"`);
  return i < 0 ? 0 : i + 1;
}

export interface UrlCredential {
  scheme: string;
  user: string;
  password: string;
  host: string;
  /** Offset of the password in the text searched. */
  index: number;
}

/**
 * `scheme://user:password@host` occurrences. The password may not contain `@`, `/` or spaces
 * (such passwords must be percent-encoded in a URL anyway).
 */
export function urlCredentials(text: string, schemes = '[a-z][a-z0-9+.-]{1,20}'): UrlCredential[] {
  const re = new RegExp(`(${schemes})://([^\\s:/@'"<>\`]{1,128}):([^\\s@/'"<>\`]{1,256})@([\\w.-]{1,253})`, 'gi');
  const out: UrlCredential[] = [];
  for (let m = re.exec(text); m && out.length < 1000; m = re.exec(text)) {
    const scheme = (m[1] ?? '').toLowerCase();
    const user = m[2] ?? '';
    const password = m[3] ?? '';
    out.push({ scheme, user, password, host: m[4] ?? '', index: m.index + scheme.length + 3 + user.length + 1 });
  }
  return out;
}

/** Non-empty, non-comment lines with their offsets. */
export function contentLines(text: string, comment = '#'): Array<{ line: string; index: number }> {
  const out: Array<{ line: string; index: number }> = [];
  let offset = 0;
  for (const raw of text.split('\n')) {
    const start = offset;
    offset += raw.length + 1;
    const line = raw.replace(/\r$/, '');
    const t = line.trim();
    if (t === '' || t.startsWith(comment)) continue;
    out.push({ line, index: start });
  }
  return out;
}
