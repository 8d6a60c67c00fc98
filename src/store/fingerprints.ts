/**
 * Stable finding fingerprints: the key of the per-project handling overlay and of first/last-seen
 * times. They depend on what a person would call "the same finding", not on scan details, so an
 * ignored secret stays ignored after a rescan or a rebuilt image that still carries it.
 */
import { createHash } from 'node:crypto';

function digest(parts: Array<string | number | undefined>): string {
  return createHash('sha256').update(parts.map((p) => String(p ?? '')).join('\u0000')).digest('hex').slice(0, 32);
}

/** Same rule, same file path, same content (MD5): the same secret, whichever layer or image holds it. */
export function sensitiveFingerprint(f: { key: string; path: string; md5: string }): string {
  return digest(['sensitive', f.key, f.path, f.md5]);
}

/** One vulnerability in one package, across versions of the package (a fix clears it by absence). */
export function vulnFingerprint(f: { id: string; packageType: string; packageName: string }): string {
  return digest(['vuln', f.id, f.packageType, f.packageName]);
}

export function buildRiskFingerprint(f: { ruleId: string; buildInstruction: string }): string {
  return digest(['build', f.ruleId, f.buildInstruction]);
}
