/**
 * Secrets in the image config: ENV values, labels and history lines (`created_by` keeps build
 * arguments and RUN commands). They are not files, so findings carry a pseudo path
 * (`config:Env`, `config:Labels`, `history[3]`) and the line is the entry's 1-based index.
 */
import { createHash } from 'node:crypto';
import type { ImageConfig } from '../../image/types.js';
import type { Severity } from './catalog.js';
import { CompiledRuleSet } from './ruleset.js';
import { scanBuffer } from './scanner.js';

export interface ConfigFinding {
  key: string;
  severity: Severity;
  /** `config:Env`, `config:Labels`, `config:Cmd`, `history[i]` (index into `config.history`). */
  path: string;
  /** 1-based index of the entry within `config:Env` / `config:Labels`; 1 for history lines. */
  line: number;
  masked: string;
  detail?: string;
  ruleId: string;
  /** MD5 of the scanned entry text, so triage state can follow it across rebuilds. */
  md5: string;
  /** For history findings: index into `config.history`. */
  historyIndex?: number;
}

/**
 * A build command as assignment lines: `ENV A=1 B=2`, `ENV A 1` (legacy form) and build-argument
 * prefixes (`RUN |2 TOKEN=x …`) become one `NAME=value` per line, as in an env file, so the
 * assignment rules see them.
 */
export function commandLines(cmd: string): string {
  const legacy = /#\(nop\)\s+ENV\s+([A-Za-z_][A-Za-z0-9_]*)\s+(?!\S*=)(.+)$/s.exec(cmd);
  const text = legacy ? `${cmd.slice(0, legacy.index)}\n${legacy[1]}=${legacy[2]}` : cmd;
  return text.replace(/\s+(?=[A-Za-z_][A-Za-z0-9_]*=)/g, '\n');
}

let defaultRules: CompiledRuleSet | undefined;

export function scanImageConfig(config: ImageConfig, rules?: CompiledRuleSet): ConfigFinding[] {
  const rs = rules ?? (defaultRules ??= new CompiledRuleSet());
  const out: ConfigFinding[] = [];
  const scan = (path: string, line: number, text: string, historyIndex?: number) => {
    if (!text) return;
    const md5 = createHash('md5').update(text).digest('hex');
    for (const f of scanBuffer(rs, path, text, { config: true })) {
      out.push({ key: f.key, severity: f.severity, path, line, masked: f.masked, ...(f.detail ? { detail: f.detail } : {}), ruleId: f.ruleId, md5, ...(historyIndex !== undefined ? { historyIndex } : {}) });
    }
  };
  (config.config?.Env ?? []).forEach((e, i) => scan('config:Env', i + 1, String(e)));
  Object.entries(config.config?.Labels ?? {}).forEach(([k, v], i) => scan('config:Labels', i + 1, `${k}=${v}`));
  for (const field of ['Cmd', 'Entrypoint'] as const) {
    const v = config.config?.[field];
    if (Array.isArray(v) && v.length > 0) scan(`config:${field}`, 1, commandLines(v.join(' ')));
  }
  (config.history ?? []).forEach((h, i) => scan(`history[${i}]`, 1, commandLines(h.created_by ?? ''), i));
  return out;
}
