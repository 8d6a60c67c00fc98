/**
 * One alert per file per family: among a file's candidate findings keep the best of each family
 * (lowest rank, then highest severity, then first line), drop catch-alls when a specific finding
 * of at least their severity exists, and fold token findings into the file-type finding of the
 * same file (an `.aws/credentials` is one alert, not an `aws_cli` plus an `aws_access_key`).
 */
import type { Severity } from './catalog.js';

export interface Candidate {
  key: string;
  severity: Severity;
  family: string;
  rank: number;
  line?: number;
  masked: string;
  detail?: string;
  ruleId: string;
  fileType: boolean;
  catchAll: boolean;
  /** Order of discovery, the last tie-breaker. */
  seq: number;
}

const SEV: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1 };

export function severityRank(s: Severity): number {
  return SEV[s];
}

function better(a: Candidate, b: Candidate): boolean {
  if (a.rank !== b.rank) return a.rank < b.rank;
  if (SEV[a.severity] !== SEV[b.severity]) return SEV[a.severity] > SEV[b.severity];
  const la = a.line ?? Number.MAX_SAFE_INTEGER;
  const lb = b.line ?? Number.MAX_SAFE_INTEGER;
  if (la !== lb) return la < lb;
  return a.seq < b.seq;
}

export function resolveCandidates(cands: readonly Candidate[]): Candidate[] {
  const best = new Map<string, Candidate>();
  for (const c of cands) {
    const b = best.get(c.family);
    if (!b || better(c, b)) best.set(c.family, c);
  }
  let out = [...best.values()];
  const specific = out.filter((c) => !c.catchAll);
  if (specific.length > 0) {
    const top = Math.max(...specific.map((c) => SEV[c.severity]));
    out = out.filter((c) => !c.catchAll || SEV[c.severity] > top);
  }
  const fileTypes = out.filter((c) => c.fileType).sort((a, b) => SEV[b.severity] - SEV[a.severity] || a.seq - b.seq);
  const host = fileTypes[0];
  if (host) {
    const folded = out.filter((c) => !c.fileType && SEV[c.severity] <= SEV[host.severity]);
    if (folded.length > 0) {
      const also = [...new Set(folded.map((c) => c.key))].filter((k) => k !== host.key);
      const merged: Candidate = { ...host, ...(also.length ? { detail: clip(`${host.detail ? `${host.detail}; ` : ''}also holds ${also.join(', ')}`) } : {}) };
      out = out.filter((c) => !folded.includes(c)).map((c) => (c === host ? merged : c));
    }
  }
  return out.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || a.key.localeCompare(b.key));
}

function clip(s: string): string {
  return s.length > 200 ? `${s.slice(0, 197)}...` : s;
}
