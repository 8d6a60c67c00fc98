/** Small building blocks shared by the rule packs: verdicts, evidence, modes and owners. */
import type { MergedFile } from '../../../analysis/inventory.js';
import type { BaselineEvidence, RuleContext, RuleSeverity, Standard, Verdict } from '../types.js';

/** At most this many evidence items per evaluation; the rest are summarised in one item. */
const MAX_EVIDENCE = 25;

export function ev(file: string | null, line: number | null, currentValue: string, suggestedValue: string): BaselineEvidence {
  return { file, line, currentValue, suggestedValue };
}

function capped(evidence: BaselineEvidence[]): BaselineEvidence[] {
  if (evidence.length <= MAX_EVIDENCE) return evidence;
  const rest = evidence.length - (MAX_EVIDENCE - 1);
  return [...evidence.slice(0, MAX_EVIDENCE - 1), ev(null, null, `… and ${rest} more`, (evidence[MAX_EVIDENCE - 1] as BaselineEvidence).suggestedValue)];
}

export function passed(...evidence: BaselineEvidence[]): Verdict {
  return { status: 'passed', evidence: capped(evidence) };
}

export function failed(evidence: BaselineEvidence[], severity?: RuleSeverity): Verdict {
  return { status: 'failed', evidence: capped(evidence), ...(severity ? { severity } : {}) };
}

export function notApplicable(reason: string): Verdict {
  return { status: 'not_applicable', evidence: [], reason };
}

/** Pass when nothing offends; otherwise fail with the offenders as evidence. */
export function passUnless(offenders: BaselineEvidence[], whenClean: BaselineEvidence): Verdict {
  return offenders.length > 0 ? failed(offenders) : passed(whenClean);
}

export function abs(path: string): string {
  return path.startsWith('/') ? path : `/${path}`;
}

export function fmtMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/** True when `mode` grants any permission bit (incl. setuid/setgid/sticky) that `max` does not. */
export function modeExceeds(mode: number, max: number): boolean {
  return (mode & 0o7777 & ~max) !== 0;
}

export function userName(ctx: RuleContext, uid: number): string {
  return ctx.facts.userById.get(uid)?.name ?? String(uid);
}

export function groupName(ctx: RuleContext, gid: number): string {
  return ctx.facts.groupById.get(gid)?.name ?? String(gid);
}

export function ownerText(ctx: RuleContext, f: Pick<MergedFile, 'uid' | 'gid' | 'mode'>): string {
  return `${fmtMode(f.mode)} ${userName(ctx, f.uid)}:${groupName(ctx, f.gid)}`;
}

/** Line number (1-based) of the first line matching `re`, for evidence on whole-file checks. */
export function lineOf(text: string, re: RegExp): number | null {
  const i = text.split('\n').findIndex((l) => re.test(l));
  return i === -1 ? null : i + 1;
}

/** Shells that cannot start an interactive session. */
export const NOLOGIN_SHELLS = new Set(['/sbin/nologin', '/usr/sbin/nologin', '/bin/false', '/usr/bin/false', '/bin/nologin', '/usr/bin/nologin']);

/** Interactive shells (by basename): an account with one of these can start a session. */
const LOGIN_SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'csh', 'tcsh', 'fish', 'rbash', 'busybox']);

export function hasLoginShell(shell: string): boolean {
  if (shell === '') return true; // an empty shell field means /bin/sh
  const base = shell.slice(shell.lastIndexOf('/') + 1);
  return LOGIN_SHELLS.has(base);
}

export const BOTH: readonly Standard[] = ['cn_standard', 'hw_standard'];
export const CN_ONLY: readonly Standard[] = ['cn_standard'];
export const HW_ONLY: readonly Standard[] = ['hw_standard'];
