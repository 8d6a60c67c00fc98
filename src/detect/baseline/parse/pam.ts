/**
 * PAM service files: `[-]type control module-path args...`, with `[value=action ...]` controls and
 * bracketed arguments, `\` line continuations and `#` comments. Stacks are flattened by following
 * `include`/`substack` (same type only) and Debian's `@include` (every type), recursively.
 */
import { posix } from 'node:path';

export interface PamEntry {
  type: string;
  /** The line started with `-`: a missing module is silently skipped. */
  optional: boolean;
  control: string;
  /** Module file name without directories (`pam_unix.so`). */
  module: string;
  /** Module path (or, for include/substack, the service) as written. */
  modulePath: string;
  args: string[];
  /** Absolute path of the file holding this line. */
  file: string;
  line: number;
  text: string;
}

export interface RawPamLine {
  kind: 'rule' | 'at-include';
  entry?: PamEntry;
  /** Target of `@include`. */
  target?: string;
  line: number;
}

const PAM_DIR = '/etc/pam.d';
const MAX_DEPTH = 16;
const MAX_LINES_VISITED = 10_000;

/** Split a PAM line into tokens, keeping `[ ... ]` groups (with `\]` escapes) as one token. */
export function tokenizePamLine(line: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i] as string)) i++;
    if (i >= line.length) break;
    let tok = '';
    if (line[i] === '[') {
      i++;
      while (i < line.length && line[i] !== ']') {
        if (line[i] === '\\' && line[i + 1] === ']') {
          tok += ']';
          i += 2;
          continue;
        }
        tok += line[i];
        i++;
      }
      i++; // closing bracket
      tokens.push(`[${tok}]`);
      continue;
    }
    while (i < line.length && !/\s/.test(line[i] as string)) tok += line[i++];
    tokens.push(tok);
  }
  return tokens;
}

/** Parse one service file into rule lines and `@include`s, in order. */
export function parsePamFile(text: string, file: string): RawPamLine[] {
  const out: RawPamLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const startLine = i + 1;
    let logical = (lines[i] as string).replace(/\r$/, '');
    while (logical.endsWith('\\') && i + 1 < lines.length) {
      logical = `${logical.slice(0, -1)} ${(lines[++i] as string).replace(/\r$/, '')}`;
    }
    const hash = logical.indexOf('#');
    const body = (hash === -1 ? logical : logical.slice(0, hash)).trim();
    if (body === '') continue;
    const tokens = tokenizePamLine(body);
    if (tokens[0] === '@include') {
      if (tokens[1]) out.push({ kind: 'at-include', target: tokens[1], line: startLine });
      continue;
    }
    if (tokens.length < 3) continue;
    const rawType = (tokens[0] as string).toLowerCase();
    const optional = rawType.startsWith('-');
    const modulePath = tokens[2] as string;
    out.push({
      kind: 'rule',
      line: startLine,
      entry: {
        type: optional ? rawType.slice(1) : rawType,
        optional,
        control: (tokens[1] as string).toLowerCase(),
        module: posix.basename(modulePath),
        modulePath,
        args: tokens.slice(3),
        file,
        line: startLine,
        text: body.replace(/\s+/g, ' '),
      },
    });
  }
  return out;
}

export type PamReader = (absPath: string) => string | undefined;

function servicePath(name: string): string {
  return name.startsWith('/') ? posix.normalize(name) : posix.join(PAM_DIR, name);
}

/**
 * The flattened stack of one type (`auth`, `password`, …) for a service file, in evaluation order.
 * `include`/`substack` lines are replaced by the included file's lines of the same type; a
 * missing or recursive include contributes nothing (PAM would fail that stack).
 */
export function pamStack(read: PamReader, serviceFile: string, type: string): PamEntry[] {
  const out: PamEntry[] = [];
  // Bounds hostile fan-out (every file including the next one many times).
  let budget = MAX_LINES_VISITED;
  const walk = (file: string, chain: string[]): void => {
    if (chain.length > MAX_DEPTH || chain.includes(file)) return;
    const text = read(file);
    if (text === undefined) return;
    for (const raw of parsePamFile(text, file)) {
      if (--budget < 0) return;
      if (raw.kind === 'at-include') {
        walk(servicePath(raw.target as string), [...chain, file]);
        continue;
      }
      const e = raw.entry as PamEntry;
      if (e.type !== type) continue;
      if (e.control === 'include' || e.control === 'substack') {
        walk(servicePath(e.modulePath), [...chain, file]);
        continue;
      }
      out.push(e);
    }
  };
  walk(servicePath(serviceFile), []);
  return out;
}

/** `name=value` arguments of a module line; bare flags map to ''. Later duplicates win, as modules parse left to right. */
export function pamArgs(entry: PamEntry): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of entry.args) {
    const eq = a.indexOf('=');
    if (eq === -1) out.set(a.toLowerCase(), '');
    else out.set(a.slice(0, eq).toLowerCase(), a.slice(eq + 1));
  }
  return out;
}

/** Controls that make a failing module fail the stack. */
export function isEnforcingControl(control: string): boolean {
  if (control === 'required' || control === 'requisite') return true;
  // [success=ok default=die] and similar: anything whose default ends the stack with failure
  if (control.startsWith('[')) return /default=(?:die|bad)/.test(control);
  return false;
}
