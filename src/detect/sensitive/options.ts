/**
 * What users can change: custom rules, a path whitelist, value allowlist, disabled keys, and an
 * ignore file. The CLI and the service build a `SensitiveOptions` and pass it to the analyzer.
 * Bad input is a TarsierError naming the rule or line, never a stack trace.
 */
import { TarsierError } from '../../errors.js';
import { SENSITIVE_CATALOG, type CustomKeyInfo, type Severity } from './catalog.js';
import type { ContentRule } from './rules/types.js';

export interface CustomRuleSpec {
  id: string;
  /** Reported key; default `custom:<id>`. May be a catalog key to extend it. */
  key?: string;
  name?: string;
  severity?: Severity;
  description?: string;
  advice?: string;
  /** Literal keywords (case-insensitive), at least one; the regex runs only near them. */
  keywords: string[];
  /** JavaScript regular expression source. The secret is group `secret`, else group 1, else the match. */
  pattern: string;
  /** Any of `i`, `m`, `s`, `u`. */
  flags?: string;
  paths?: string[];
  excludePaths?: string[];
  entropy?: number;
  minLength?: number;
  /** Regexes over the secret that are not findings. */
  allow?: string[];
}

export interface SensitiveOptions {
  customRules?: CustomRuleSpec[];
  /** Catalog keys not to report. */
  disabledKeys?: string[];
  /** Built-in rule ids not to run. */
  disabledRules?: string[];
  /** Path globs never scanned (in-image paths, no leading `/`). */
  allowPaths?: string[];
  /** Use the built-in path allowlist (docs, package fixtures, trust stores, media). Default true. */
  defaultAllowPaths?: boolean;
  /** Regexes over secret values that are never findings. */
  allowValues?: string[];
  /** Text of an ignore file (see `parseIgnoreFile`). */
  ignore?: string;
}

export interface IgnoreRules {
  /** Globs: files never scanned. */
  paths: string[];
  /** Findings of `key` under `glob` are dropped. */
  keyPaths: Array<{ key: string; glob: string }>;
  /** Files with these MD5s are dropped (a triaged file stays ignored until it changes). */
  md5s: string[];
}

/**
 * Ignore file, one entry per line (`#` starts a comment):
 * - `path/glob/**` — do not scan matching files;
 * - `<key>:path/glob` — drop findings of that key under the glob (`*` for the glob is fine);
 * - `md5:<32 hex>` — drop findings in files with that MD5.
 */
export function parseIgnoreFile(text: string, where = 'ignore file', customKeys: readonly string[] = []): IgnoreRules {
  const out: IgnoreRules = { paths: [], keyPaths: [], md5s: [] };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') return;
    const at = `${where} line ${i + 1}`;
    const md5 = /^md5:(.*)$/i.exec(line);
    if (md5) {
      const h = (md5[1] ?? '').trim().toLowerCase();
      if (!/^[0-9a-f]{32}$/.test(h)) throw new TarsierError('input', `${at}: md5 must be 32 hex digits, got ${JSON.stringify(h.slice(0, 40))}`);
      out.md5s.push(h);
      return;
    }
    // `<key>:<glob>`: the key is the shortest prefix before a colon that names a rule key (custom
    // keys may contain colons, globs may too: `common_cred:config:Env`).
    for (let c = line.indexOf(':'); c > 0; c = line.indexOf(':', c + 1)) {
      const key = line.slice(0, c);
      if (SENSITIVE_CATALOG.has(key) || customKeys.includes(key)) {
        out.keyPaths.push({ key, glob: cleanGlob(line.slice(c + 1), at) });
        return;
      }
    }
    out.paths.push(cleanGlob(line, at));
  });
  return out;
}

function cleanGlob(g: string, at: string): string {
  const t = g.trim().replace(/^\/+/, '');
  if (t === '') throw new TarsierError('input', `${at}: empty path pattern`);
  if (t.length > 1000) throw new TarsierError('input', `${at}: path pattern longer than 1000 characters`);
  return t;
}

/**
 * Rejects patterns that can backtrack catastrophically: a quantified group containing a
 * quantifier (`(a+)+`, `(\w*x)*`), and backreferences. Windows are small, but nested repetition is
 * exponential even there.
 */
export function assertSafePattern(source: string, where: string): void {
  if (/\\[1-9]|\\k</.test(source)) throw new TarsierError('input', `${where}: backreferences are not allowed in patterns`);
  const stack: boolean[] = [];
  let quantified = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '[') {
      // Skip a character class.
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++;
      continue;
    }
    if (c === '(') {
      stack.push(quantified);
      quantified = false;
      continue;
    }
    if (c === ')') {
      const inner: boolean = quantified;
      quantified = (stack.pop() ?? false) || inner;
      const next = source[i + 1];
      const isQuant = next === '*' || next === '+' || (next === '{' && /^\{\d+(,\d*)?\}/.test(source.slice(i + 1)));
      if (isQuant && inner) throw new TarsierError('input', `${where}: nested quantifiers (a repeated group that itself repeats) can backtrack catastrophically`);
      continue;
    }
    if (c === '*' || c === '+' || (c === '{' && /^\{\d+(,\d*)?\}/.test(source.slice(i)))) quantified = true;
  }
}

const SEVERITIES = new Set(['critical', 'high', 'medium', 'low']);

/** Turns user rule specs into content rules, validating everything a user can get wrong. */
export function compileCustomRules(specs: readonly CustomRuleSpec[]): { rules: ContentRule[]; keys: CustomKeyInfo[] } {
  const rules: ContentRule[] = [];
  const keys: CustomKeyInfo[] = [];
  const seen = new Set<string>();
  specs.forEach((s, i) => {
    const where = `custom rule ${typeof s?.id === 'string' ? JSON.stringify(s.id) : `#${i + 1}`}`;
    if (typeof s !== 'object' || s === null) throw new TarsierError('input', `${where}: must be an object`);
    if (typeof s.id !== 'string' || !/^[\w.-]{1,64}$/.test(s.id)) throw new TarsierError('input', `${where}: id must be 1-64 letters, digits, '_', '.', '-'`);
    if (seen.has(s.id)) throw new TarsierError('input', `${where}: duplicate id`);
    seen.add(s.id);
    if (!Array.isArray(s.keywords) || s.keywords.length === 0) throw new TarsierError('input', `${where}: keywords must be a non-empty list`);
    for (const k of s.keywords) {
      if (typeof k !== 'string' || k.length < 2 || k.length > 100 || /[\r\n]/.test(k)) throw new TarsierError('input', `${where}: each keyword must be 2-100 characters on one line`);
    }
    if (typeof s.pattern !== 'string' || s.pattern.length === 0 || s.pattern.length > 2000) throw new TarsierError('input', `${where}: pattern must be 1-2000 characters`);
    const flags = s.flags ?? '';
    if (!/^[imsu]*$/.test(flags)) throw new TarsierError('input', `${where}: flags may only contain i, m, s, u`);
    assertSafePattern(s.pattern, where);
    let pattern: RegExp;
    try {
      pattern = new RegExp(s.pattern, flags);
    } catch (err) {
      throw new TarsierError('input', `${where}: invalid pattern (${(err as Error).message})`);
    }
    if (s.severity !== undefined && !SEVERITIES.has(s.severity)) throw new TarsierError('input', `${where}: severity must be critical, high, medium or low`);
    const allow = (s.allow ?? []).map((a, j) => {
      try {
        assertSafePattern(a, `${where} allow #${j + 1}`);
        return new RegExp(a);
      } catch (err) {
        if (err instanceof TarsierError) throw err;
        throw new TarsierError('input', `${where}: invalid allow pattern #${j + 1} (${(err as Error).message})`);
      }
    });
    const key = s.key ?? `custom:${s.id}`;
    if (typeof key !== 'string' || key.length > 100) throw new TarsierError('input', `${where}: key must be a string of at most 100 characters`);
    rules.push({
      id: `custom:${s.id}`,
      key,
      severity: s.severity,
      family: `custom:${s.id}`,
      keywords: s.keywords.map((k) => k.toLowerCase()),
      pattern,
      secretGroup: /\(\?<secret>/.test(s.pattern) ? 'secret' : /\((?!\?)/.test(s.pattern) ? 1 : 0,
      before: 64,
      after: 512,
      paths: s.paths,
      excludePaths: s.excludePaths,
      entropy: s.entropy,
      minLength: s.minLength,
      allow,
      inConfig: true,
    });
    if (!SENSITIVE_CATALOG.has(key)) keys.push({ key, name: s.name, severity: s.severity, description: s.description, advice: s.advice });
  });
  return { rules, keys };
}
