/**
 * CVSS base scores from vector strings, and the qualitative rating of a score.
 *
 * CVSS 3.0/3.1 are computed here from the specification's equations (FIRST CVSS v3.1
 * specification §7.1, Roundup of Appendix A; 3.0 rounds up to one decimal directly). CVSS 4.0
 * scores come from FIRST's macro-vector lookup tables, which ae-cvss-calculator implements; we only
 * validate the vector before handing it over. Temporal/threat and environmental metrics may be
 * present in a vector; only the base score is computed.
 */
import cvssCalculator from 'ae-cvss-calculator';
import type { VulnSeverity } from '../../report/model.js';

export type CvssVersion = '3.0' | '3.1' | '4.0';

export interface CvssScore {
  version: CvssVersion;
  vector: string;
  score: number;
}

const V3_BASE: Record<string, Record<string, number | undefined>> = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  PR: { N: 0.85, L: 0.62, H: 0.27 },
  UI: { N: 0.85, R: 0.62 },
  S: { U: 0, C: 1 },
  C: { H: 0.56, L: 0.22, N: 0 },
  I: { H: 0.56, L: 0.22, N: 0 },
  A: { H: 0.56, L: 0.22, N: 0 },
};
/** Privileges Required weighs more when the scope changes. */
const V3_PR_CHANGED: Record<string, number> = { N: 0.85, L: 0.68, H: 0.5 };

const V3_OTHER: Record<string, readonly string[]> = {
  E: ['X', 'U', 'P', 'F', 'H'],
  RL: ['X', 'O', 'T', 'W', 'U'],
  RC: ['X', 'U', 'R', 'C'],
  CR: ['X', 'L', 'M', 'H'],
  IR: ['X', 'L', 'M', 'H'],
  AR: ['X', 'L', 'M', 'H'],
  MAV: ['X', 'N', 'A', 'L', 'P'],
  MAC: ['X', 'L', 'H'],
  MPR: ['X', 'N', 'L', 'H'],
  MUI: ['X', 'N', 'R'],
  MS: ['X', 'U', 'C'],
  MC: ['X', 'N', 'L', 'H'],
  MI: ['X', 'N', 'L', 'H'],
  MA: ['X', 'N', 'L', 'H'],
};

/** Splits `CVSS:x/K:V/…` into metrics; null if malformed, a metric repeats or is unknown. */
function metrics(vector: string, prefix: string, allowed: (key: string, value: string) => boolean): Map<string, string> | null {
  if (!vector.startsWith(prefix)) return null;
  const out = new Map<string, string>();
  for (const part of vector.slice(prefix.length).split('/')) {
    const colon = part.indexOf(':');
    if (colon <= 0) return null;
    const key = part.slice(0, colon);
    const value = part.slice(colon + 1);
    if (out.has(key) || !allowed(key, value)) return null;
    out.set(key, value);
  }
  return out;
}

/** CVSS 3.1 Roundup: the smallest one-decimal number ≥ x, robust to floating-point noise. */
function roundUp31(x: number): number {
  const scaled = Math.round(x * 100000);
  return scaled % 10000 === 0 ? scaled / 100000 : (Math.floor(scaled / 10000) + 1) / 10;
}

function roundUp30(x: number): number {
  return Math.ceil(x * 10) / 10;
}

/** CVSS 3.0 or 3.1 base score of a vector, or null if the vector is not a valid v3 vector. */
export function cvss3BaseScore(vector: string): { version: '3.0' | '3.1'; score: number } | null {
  const version = vector.startsWith('CVSS:3.1/') ? '3.1' : vector.startsWith('CVSS:3.0/') ? '3.0' : null;
  if (!version) return null;
  const m = metrics(vector, `CVSS:${version}/`, (k, v) => V3_BASE[k]?.[v] !== undefined || (V3_OTHER[k]?.includes(v) ?? false));
  if (!m) return null;
  const get = (k: string): number | undefined => V3_BASE[k]?.[m.get(k) ?? ''];
  const [av, ac, ui, c, i, a] = [get('AV'), get('AC'), get('UI'), get('C'), get('I'), get('A')];
  const scope = m.get('S');
  const prCode = m.get('PR') ?? '';
  if (av === undefined || ac === undefined || ui === undefined || c === undefined || i === undefined || a === undefined || !scope) return null;
  const changed = scope === 'C';
  const pr = changed ? V3_PR_CHANGED[prCode] : V3_BASE.PR?.[prCode];
  if (pr === undefined) return null;
  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
  const exploitability = 8.22 * av * ac * pr * ui;
  const roundUp = version === '3.1' ? roundUp31 : roundUp30;
  let score = 0;
  if (impact > 0) score = roundUp(Math.min((changed ? 1.08 : 1) * (impact + exploitability), 10));
  return { version, score };
}

const V4_BASE: Record<string, readonly string[]> = {
  AV: ['N', 'A', 'L', 'P'],
  AC: ['L', 'H'],
  AT: ['N', 'P'],
  PR: ['N', 'L', 'H'],
  UI: ['N', 'P', 'A'],
  VC: ['H', 'L', 'N'],
  VI: ['H', 'L', 'N'],
  VA: ['H', 'L', 'N'],
  SC: ['H', 'L', 'N'],
  SI: ['H', 'L', 'N'],
  SA: ['H', 'L', 'N'],
};
const V4_OTHER: Record<string, readonly string[]> = {
  E: ['X', 'A', 'P', 'U'],
  CR: ['X', 'H', 'M', 'L'],
  IR: ['X', 'H', 'M', 'L'],
  AR: ['X', 'H', 'M', 'L'],
  MAV: ['X', 'N', 'A', 'L', 'P'],
  MAC: ['X', 'L', 'H'],
  MAT: ['X', 'N', 'P'],
  MPR: ['X', 'N', 'L', 'H'],
  MUI: ['X', 'N', 'P', 'A'],
  MVC: ['X', 'H', 'L', 'N'],
  MVI: ['X', 'H', 'L', 'N'],
  MVA: ['X', 'H', 'L', 'N'],
  MSC: ['X', 'H', 'L', 'N'],
  MSI: ['X', 'S', 'H', 'L', 'N'],
  MSA: ['X', 'S', 'H', 'L', 'N'],
  S: ['X', 'N', 'P'],
  AU: ['X', 'N', 'Y'],
  R: ['X', 'A', 'U', 'I'],
  V: ['X', 'D', 'C'],
  RE: ['X', 'L', 'M', 'H'],
  U: ['X', 'Clear', 'Green', 'Amber', 'Red'],
};

/** CVSS 4.0 base score (CVSS-B: base metrics only), or null if the vector is not a valid v4 vector. */
export function cvss4BaseScore(vector: string): number | null {
  const m = metrics(vector, 'CVSS:4.0/', (k, v) => (V4_BASE[k] ?? V4_OTHER[k])?.includes(v) ?? false);
  if (!m || Object.keys(V4_BASE).some((k) => !m.has(k))) return null;
  const base = Object.keys(V4_BASE).map((k) => `${k}:${m.get(k)}`);
  const scores = new cvssCalculator.Cvss4P0(`CVSS:4.0/${base.join('/')}`).calculateScores();
  const score = scores.baseMetricsOnly ?? scores.base ?? scores.overall;
  return typeof score === 'number' && Number.isFinite(score) ? score : null;
}

/** The base score of any supported vector (3.0, 3.1, 4.0), or null. */
export function cvssBaseScore(vector: string): CvssScore | null {
  const text = vector.trim();
  const v3 = cvss3BaseScore(text);
  if (v3) return { version: v3.version, vector: text, score: v3.score };
  const v4 = cvss4BaseScore(text);
  return v4 === null ? null : { version: '4.0', vector: text, score: v4 };
}

/**
 * Qualitative rating of a CVSS 3/4 base score (both specifications use the same bands). A score of
 * 0.0 ("None") is reported as low: the report has no "none" level, and the advisory still exists.
 */
export function severityFromScore(score: number): VulnSeverity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  return 'low';
}
