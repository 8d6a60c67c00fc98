/**
 * Kernel parameters as `sysctl --system` / systemd-sysctl would apply them at boot: `.conf` files
 * from the sysctl.d directories (a basename in a higher-priority directory masks the same name
 * below), applied in lexical basename order, then /etc/sysctl.conf; a later assignment wins.
 * Containers get these from the runtime, so this is the image's configured intent only.
 */
import { posix } from 'node:path';

/** Highest priority first. */
export const SYSCTL_DIRS = ['/etc/sysctl.d', '/run/sysctl.d', '/usr/local/lib/sysctl.d', '/usr/lib/sysctl.d', '/lib/sysctl.d'];
export const SYSCTL_CONF = '/etc/sysctl.conf';

export interface SysctlValue {
  value: string;
  file: string;
  line: number;
}

export interface SysctlSources {
  read(absPath: string): string | undefined;
  /** Absolute paths of the entries directly inside a directory (files or symlinks to files). */
  list(absDir: string): string[];
  /** Real path after following symlinks, for de-duplicating the same file reached twice. */
  realPath(absPath: string): string | null;
}

/** `net/ipv4/ip_forward` and `net.ipv4.ip_forward` name the same key. */
export function normaliseSysctlKey(key: string): string {
  return key.includes('/') ? key.replace(/\//g, '.') : key;
}

export function parseSysctlFile(text: string, file: string, into: Map<string, SysctlValue>): void {
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const eq = line.indexOf('=');
    if (eq === -1) return;
    // A leading `-` only says "ignore errors setting this key".
    const key = normaliseSysctlKey(line.slice(0, eq).trim().replace(/^-/, ''));
    if (key === '') return;
    into.set(key, { value: line.slice(eq + 1).trim(), file, line: i + 1 });
  });
}

export function effectiveSysctl(src: SysctlSources): Map<string, SysctlValue> {
  const chosen = new Map<string, string>();
  for (const dir of SYSCTL_DIRS) {
    for (const path of src.list(dir)) {
      const base = posix.basename(path);
      if (!base.endsWith('.conf') || chosen.has(base)) continue;
      chosen.set(base, path);
    }
  }
  const out = new Map<string, SysctlValue>();
  const applied = new Set<string>();
  for (const base of [...chosen.keys()].sort()) {
    const path = chosen.get(base) as string;
    const text = src.read(path);
    if (text === undefined) continue;
    applied.add(src.realPath(path) ?? path);
    parseSysctlFile(text, path, out);
  }
  // procps reads /etc/sysctl.conf last unless a sysctl.d link (99-sysctl.conf) already applied it.
  const confText = src.read(SYSCTL_CONF);
  if (confText !== undefined && !applied.has(src.realPath(SYSCTL_CONF) ?? SYSCTL_CONF)) parseSysctlFile(confText, SYSCTL_CONF, out);
  return out;
}
