/** /etc/passwd, /etc/group, /etc/shadow, /etc/gshadow and login.defs, with line numbers. */

export interface PasswdEntry {
  name: string;
  password: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
  line: number;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
  line: number;
}

/** shadow(5): `name:hash:lastchg:min:max:warn:inactive:expire:`; empty numeric fields are null. */
export interface ShadowEntry {
  name: string;
  hash: string;
  lastChange: number | null;
  minDays: number | null;
  maxDays: number | null;
  warnDays: number | null;
  line: number;
}

export interface GshadowEntry {
  name: string;
  members: string[];
  line: number;
}

/** A legacy NIS `+`/`-` inclusion line (`+::0:0:::`, `+@group`). */
export interface NisLine {
  line: number;
  text: string;
}

export interface ParsedDb<T> {
  entries: T[];
  nis: NisLine[];
}

function records(text: string): Array<{ fields: string[]; line: number; raw: string }> {
  const out: Array<{ fields: string[]; line: number; raw: string }> = [];
  text.split('\n').forEach((raw, i) => {
    const trimmed = raw.replace(/\r$/, '');
    if (trimmed.trim() === '' || trimmed.trimStart().startsWith('#')) return;
    out.push({ fields: trimmed.split(':'), line: i + 1, raw: trimmed });
  });
  return out;
}

function num(field: string | undefined): number | null {
  if (field === undefined || field.trim() === '') return null;
  const n = Number(field);
  return Number.isInteger(n) ? n : null;
}

function splitNis<T>(text: string, build: (f: string[], line: number) => T | null): ParsedDb<T> {
  const entries: T[] = [];
  const nis: NisLine[] = [];
  for (const r of records(text)) {
    if (r.raw.startsWith('+') || r.raw.startsWith('-')) {
      nis.push({ line: r.line, text: r.raw });
      continue;
    }
    const e = build(r.fields, r.line);
    if (e) entries.push(e);
  }
  return { entries, nis };
}

export function parsePasswd(text: string): ParsedDb<PasswdEntry> {
  return splitNis(text, (f, line) => {
    const uid = num(f[2]);
    const gid = num(f[3]);
    if (f.length < 7 || uid === null || gid === null) return null;
    return { name: f[0] ?? '', password: f[1] ?? '', uid, gid, home: f[5] ?? '', shell: f[6] ?? '', line };
  });
}

export function parseGroup(text: string): ParsedDb<GroupEntry> {
  return splitNis(text, (f, line) => {
    const gid = num(f[2]);
    if (f.length < 3 || gid === null) return null;
    return { name: f[0] ?? '', gid, members: splitMembers(f[3]), line };
  });
}

export function parseShadow(text: string): ParsedDb<ShadowEntry> {
  return splitNis(text, (f, line) => {
    if (f.length < 2) return null;
    return {
      name: f[0] ?? '',
      hash: f[1] ?? '',
      lastChange: num(f[2]),
      minDays: num(f[3]),
      maxDays: num(f[4]),
      warnDays: num(f[5]),
      line,
    };
  });
}

export function parseGshadow(text: string): ParsedDb<GshadowEntry> {
  return splitNis(text, (f, line) => (f.length < 4 ? null : { name: f[0] ?? '', members: splitMembers(f[3]), line }));
}

function splitMembers(field: string | undefined): string[] {
  return (field ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '');
}

export type HashKind =
  | 'empty'
  | 'locked'
  | 'md5'
  | 'bcrypt'
  | 'sha256'
  | 'sha512'
  | 'yescrypt'
  | 'gost-yescrypt'
  | 'scrypt'
  | 'des'
  | 'bsdi'
  | 'sun-md5'
  | 'unknown';

const PREFIX_KINDS: Array<[string, HashKind]> = [
  ['$1$', 'md5'],
  ['$2a$', 'bcrypt'],
  ['$2b$', 'bcrypt'],
  ['$2y$', 'bcrypt'],
  ['$5$', 'sha256'],
  ['$6$', 'sha512'],
  ['$y$', 'yescrypt'],
  ['$gy$', 'gost-yescrypt'],
  ['$7$', 'scrypt'],
  ['$md5', 'sun-md5'],
];

/** Classify a shadow password field. `!`, `*` and anything `!`-prefixed cannot be used to log in. */
export function hashKind(hash: string): HashKind {
  if (hash === '') return 'empty';
  if (hash.startsWith('!') || hash.startsWith('*')) return 'locked';
  for (const [prefix, kind] of PREFIX_KINDS) if (hash.startsWith(prefix)) return kind;
  if (/^[./0-9A-Za-z]{13}$/.test(hash)) return 'des';
  if (hash.startsWith('_')) return 'bsdi';
  return 'unknown';
}

/** Is this a hash someone could log in with? */
export function isUsableHash(hash: string): boolean {
  const k = hashKind(hash);
  return k !== 'empty' && k !== 'locked';
}

/** Evidence never carries a hash: keep only its algorithm id (`$6$...`). */
export function maskHash(hash: string): string {
  const k = hashKind(hash);
  if (k === 'empty') return '""';
  if (k === 'locked') return hash.length <= 4 ? hash : `${hash.slice(0, 1)}...`;
  const m = /^(\$[^$]+\$)/.exec(hash);
  if (m) return `${m[1]}...`;
  return k === 'des' ? '<DES crypt>' : '<hash>';
}

export interface Setting {
  value: string;
  line: number;
}

/** login.defs: `KEY VALUE`; shadow-utils reads sequentially, so a later duplicate wins. */
export function parseLoginDefs(text: string): Map<string, Setting> {
  const out = new Map<string, Setting>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(\S+)\s+(.*?)\s*$/.exec(line);
    if (m) out.set((m[1] as string).toUpperCase(), { value: (m[2] as string).replace(/^"(.*)"$/, '$1'), line: i + 1 });
  });
  return out;
}

/** `key = value` files (pwquality.conf, faillock.conf, auditd.conf); later assignment wins. */
export function parseKeyEquals(text: string): Map<string, Setting> {
  const out = new Map<string, Setting>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq === -1) {
      // flag options such as `enforce_for_root` or `audit`
      out.set(line.toLowerCase(), { value: '', line: i + 1 });
      return;
    }
    out.set(line.slice(0, eq).trim().toLowerCase(), { value: line.slice(eq + 1).trim(), line: i + 1 });
  });
  return out;
}
