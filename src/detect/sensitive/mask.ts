/**
 * Masking: a finding shows a short prefix of the secret and `****`, never the whole value. The
 * prefix is the public part (`ghp_`, `AKIA`) plus at most four characters, and never more than a
 * quarter of the secret's random part, so short passwords show one character or none.
 */
export function maskSecret(secret: string, publicPrefix = 0): string {
  const chars = [...secret];
  const pp = Math.min(Math.max(0, publicPrefix), chars.length);
  const extra = Math.min(4, Math.floor((chars.length - pp) / 4));
  return `${printable(chars.slice(0, pp + extra).join(''))}****`;
}

/** A label shown as-is (an armor line, a file kind) with the mask suffix. */
export function maskLabel(label: string): string {
  return `${printable(label).slice(0, 80)}****`;
}

/** Control characters and newlines would break one-line outputs. */
function printable(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    out += c < 0x20 || (c >= 0x7f && c <= 0x9f) ? '?' : ch;
  }
  return out;
}
