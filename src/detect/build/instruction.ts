/**
 * The `build_instruction` text of a finding: whitespace collapsed, secrets masked, at most 256
 * characters. When shortening, the window is kept around the fragment that triggered the rule,
 * with `...` marking each cut end. Config-level findings use `--` (the HSS convention).
 */
import { maskSecrets } from './secrets.js';

export const MAX_INSTRUCTION = 256;
export const CONFIG_LEVEL = '--';
const ELLIPSIS = '...';

export function displayInstruction(text: string, fragment?: string): string {
  const clean = maskSecrets(text.replace(/\s+/g, ' ').trim());
  if (clean.length <= MAX_INSTRUCTION) return clean || CONFIG_LEVEL;
  const maskedFragment = fragment ? maskSecrets(fragment.replace(/\s+/g, ' ').trim()) : '';
  const at = maskedFragment ? clean.indexOf(maskedFragment) : -1;
  if (at <= 0) return clean.slice(0, MAX_INSTRUCTION - ELLIPSIS.length) + ELLIPSIS;
  // Centre the fragment; keep the instruction keyword visible when it fits.
  const room = MAX_INSTRUCTION - 2 * ELLIPSIS.length;
  const len = Math.min(maskedFragment.length, room);
  let start = Math.max(0, at - Math.floor((room - len) / 2));
  if (start + room > clean.length) start = Math.max(0, clean.length - room);
  const head = start > 0 ? ELLIPSIS : '';
  const body = clean.slice(start, start + room + (head ? 0 : ELLIPSIS.length));
  const tail = start + body.length < clean.length ? ELLIPSIS : '';
  return `${head}${body}${tail}`.slice(0, MAX_INSTRUCTION);
}
