/**
 * Structural checks that turn a pattern match into a finding: entropy floors for generic rules,
 * base64/DER/PEM body checks for keys, JWT decoding, placeholder detection.
 */

/** Shannon entropy in bits per character. */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

const PLACEHOLDER_PATTERNS: RegExp[] = [
  /^\$\{[^}]*\}?$/, // ${VAR}
  /^\$\{\{.*\}\}$/, // ${{ secrets.X }}
  /^\$[A-Za-z_][A-Za-z0-9_]*$/, // $VAR
  /^\$\([^)]*\)$/, // $(cmd)
  /^\{\{.*\}\}$/, // {{ .Values.x }}
  /^\{[A-Za-z_][A-Za-z0-9_.-]*\}$/, // {var}
  /^%[A-Za-z_][A-Za-z0-9_]*%$/, // %VAR%
  /^@[A-Za-z_][A-Za-z0-9_]*@$/, // @VAR@
  /^<[^<>]*>$/, // <your-token>
  /^\[[^\]]*\]$/, // [token]
  /^<%=.*%>$/, // ERB
  /^(.)\1+$/, // one repeated character: xxxxxx, ******, 000000
  /^(?:x+|X+|\*+|\.+|-+|_+|#+)$/,
  /^(?:true|false|null|nil|none|undefined|yes|no|on|off)$/i,
  /^(?:changeme|change_me|changeit|change-it|changethis|password|passwd|secret|token|example|sample|test|testing|dummy|fake|placeholder|redacted|your[-_]?(?:password|token|key|secret|api[-_]?key)|mypassword|mysecret|pass|pwd|xxx+|todo|tbd|replace[-_]?me|insert[-_]?here|notasecret|none|empty|default|xyzzy|foobar|hunter2)$/i,
  /^(?:\/(?:bin|etc|home|opt|tmp|usr|var|dev|proc|run|srv)\/)/, // file paths
  /^(?:os\.environ|os\.getenv|getenv|env\(|process\.env|System\.getenv|ENV\[|System\.get_env)/,
];

/** True when a captured value is a template, variable reference or obvious dummy. */
export function isPlaceholder(value: string): boolean {
  const v = value.trim().replace(/^['"`]|['"`]$/g, '');
  if (v.length === 0) return true;
  return PLACEHOLDER_PATTERNS.some((re) => re.test(v));
}

/**
 * Stricter check for keyword-anchored generic rules (`password = …`): besides exact placeholders,
 * values that read like documentation (`your_password`, `REPLACE_WITH_…`, `example`, template
 * syntax anywhere in the value, a masked `****`).
 */
export function isPlaceholderish(value: string): boolean {
  if (isPlaceholder(value)) return true;
  const v = value.trim().replace(/^['"`]|['"`]$/g, '');
  if (/\$\{|\{\{|\$\(|<%|%\(|^\$[A-Za-z_]|^%[A-Za-z_]|\{[A-Za-z_][\w.]*\}/.test(v)) return true;
  if (/\*{3,}|x{4,}|X{4,}|\.{3,}/.test(v)) return true;
  // Words count only between separators or the ends: inside a random token ("…3MY", "MYGN1Y…")
  // a letter pair is chance, not documentation.
  if (/(?:^|[^a-z0-9])(?:your|my|some|example|sample|dummy|placeholder|replace|changeme|change_?me|insert|redacted|secret_?here|password_?here|here_?password|todo|fixme|fake|foobar|test_?password)(?:[^a-z0-9]|$)/i.test(v)) return true;
  if (/^(?:your|my)[-_]?[a-z]+(?:[-_][a-z0-9]+){0,3}$/i.test(v)) return true;
  // Placeholder words run together: "secretpassword", "mysecrettoken".
  if (/^(?:(?:my|your|super|secret|password|passwd|pass|token|key|api|admin|db|changeme|example|test|dummy)[-_]?){2,5}$/i.test(v)) return true;
  if (/^(?:test|tests|testing|demo|example|sample)[-_]?[a-z0-9]{0,12}$/i.test(v)) return true;
  return false;
}

/** Characters of the standard and URL-safe base64 alphabets (padding included). */
const B64 = /^[A-Za-z0-9+/=_-]+$/;

export function isBase64ish(s: string): boolean {
  return B64.test(s);
}

/** Decode base64 (standard or URL-safe, padding optional); null if the text is not base64. */
export function decodeBase64(s: string): Buffer | null {
  const clean = s.replace(/[\s]/g, '');
  if (clean.length < 4 || !B64.test(clean)) return null;
  return Buffer.from(clean.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** Extract the base64 body that follows a PEM header: skips RFC 1421 headers, blank lines, literal `\n`. */
export function pemBody(afterHeader: string, maxChars = 256): { body: string; encrypted: boolean } {
  let encrypted = false;
  let body = '';
  // Treat JSON-escaped newlines like real ones (keys embedded in JSON strings).
  const text = afterHeader.replace(/\\r|\\n/g, '\n');
  for (const rawLine of text.split(/\r?\n/)) {
    // Keys pasted into code: `"MIIE…" +`, `'MIIE…',`, `"MIIE…\\n" \\`.
    const line = rawLine.trim().replace(/^["'`]/, '').replace(/["'`,+;\\\s]+$/, '').trim();
    if (line.length === 0) {
      if (body.length > 0) continue;
      continue;
    }
    if (/^(?:Proc-Type|DEK-Info|Comment|Version|Hash|Charset|Subject|Modulus|Privatelines|Public-Lines)\s*:/i.test(line)) {
      if (/ENCRYPTED/i.test(line) || /^DEK-Info/i.test(line)) encrypted = true;
      continue;
    }
    if (line.startsWith('-----') || line.startsWith('---- ')) break;
    if (!B64.test(line)) break;
    body += line;
    if (body.length >= maxChars) break;
  }
  return { body, encrypted };
}

/** Decoded first bytes of a PEM/base64 body (enough for DER and OpenSSH magic checks). */
export function bodyPrefixBytes(body: string, bytes = 48): Buffer {
  const chars = Math.ceil(bytes / 3) * 4;
  return Buffer.from(body.slice(0, chars).replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** A JWT's header and payload as objects, or null when it does not decode. */
export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as unknown;
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    if (typeof header !== 'object' || header === null || typeof payload !== 'object' || payload === null) return null;
    if (!('alg' in header)) return null;
    return { header: header as Record<string, unknown>, payload: payload as Record<string, unknown> };
  } catch {
    return null;
  }
}

/** Letters of different kinds and digits: filters words and identifiers out of generic rules. */
export function looksRandom(s: string, minEntropy: number): boolean {
  return shannonEntropy(s) >= minEntropy;
}
