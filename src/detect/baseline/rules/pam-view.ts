/**
 * PAM as the password-policy rules need it: the flattened stacks of the image's service files and
 * module options resolved the way the modules resolve them (argument, then config file, then the
 * library default).
 */
import { parseKeyEquals, type Setting } from '../parse/accounts.js';
import { type PamEntry, pamArgs, pamStack, parsePamFile } from '../parse/pam.js';
import type { RuleContext } from '../types.js';
import { globFiles } from '../fs-glob.js';

export interface ResolvedOption {
  value: string;
  /** Where the value came from, for evidence. */
  from: 'argument' | 'config' | 'default';
  file: string | null;
  line: number | null;
}

export interface FileSetting extends Setting {
  file: string;
}

export function pamReader(ctx: RuleContext): (path: string) => string | undefined {
  return (path) => ctx.fs.read(path);
}

/** The service files of `paths` that exist in the image. */
export function existingFiles(ctx: RuleContext, paths: readonly string[]): string[] {
  return paths.filter((p) => ctx.fs.exists(p));
}

export function stackOf(ctx: RuleContext, service: string, type: string): PamEntry[] {
  return pamStack(pamReader(ctx), service, type);
}

/** The lines of one file exactly as written (no include following). */
export function fileEntries(ctx: RuleContext, path: string): PamEntry[] {
  const text = ctx.fs.read(path);
  if (text === undefined) return [];
  return parsePamFile(text, path).flatMap((l) => (l.entry ? [l.entry] : []));
}

/** `key = value` settings from a main file then its `.d` directory (later wins). */
export function confSettings(ctx: RuleContext, main: string, dropInDir?: string): Map<string, FileSetting> {
  const out = new Map<string, FileSetting>();
  const files = [main, ...(dropInDir ? globFiles(ctx.fs, ctx.inventory, `${dropInDir}/*.conf`) : [])];
  for (const file of files) {
    const text = ctx.fs.read(file);
    if (text === undefined) continue;
    for (const [k, s] of parseKeyEquals(text)) out.set(k, { ...s, file });
  }
  return out;
}

export function resolveOption(entry: PamEntry, conf: Map<string, FileSetting> | null, key: string, fallback: string): ResolvedOption {
  const arg = pamArgs(entry).get(key);
  if (arg !== undefined) return { value: arg, from: 'argument', file: entry.file, line: entry.line };
  const c = conf?.get(key);
  if (c) return { value: c.value, from: 'config', file: c.file, line: c.line };
  return { value: fallback, from: 'default', file: entry.file, line: entry.line };
}

export function describeOption(key: string, o: ResolvedOption): string {
  return o.from === 'default' ? `${key}=${o.value} (module default)` : `${key}=${o.value}`;
}

export const QUALITY_MODULES = new Set(['pam_pwquality.so', 'pam_cracklib.so']);

/**
 * The enforcing quality module of a password stack: a required/requisite (or `[default=die]`)
 * pam_pwquality/pam_cracklib placed before pam_unix, which is where it can reject a password.
 */
export function qualityModule(stack: PamEntry[]): PamEntry | null {
  const unix = stack.findIndex((e) => e.module === 'pam_unix.so');
  const limit = unix === -1 ? stack.length : unix;
  for (let i = 0; i < limit; i++) {
    const e = stack[i] as PamEntry;
    if (QUALITY_MODULES.has(e.module) && isEnforcing(e)) return e;
  }
  return null;
}

export function isEnforcing(e: PamEntry): boolean {
  if (e.control === 'required' || e.control === 'requisite') return true;
  return e.control.startsWith('[') && /default=(?:die|bad)/.test(e.control);
}

/** pwquality.conf is read by pam_pwquality only; pam_cracklib takes arguments alone. */
export function qualityConf(ctx: RuleContext, module: PamEntry): Map<string, FileSetting> | null {
  return module.module === 'pam_pwquality.so' ? confSettings(ctx, '/etc/security/pwquality.conf', '/etc/security/pwquality.conf.d') : null;
}

export function entryText(e: PamEntry): string {
  return e.text;
}
