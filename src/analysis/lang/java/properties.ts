/**
 * Java `.properties` files (java.util.Properties#load): ISO-8859-1 text, `#`/`!` comments, keys
 * ended by an unescaped `=`, `:` or whitespace, backslash line continuations and `\uXXXX` escapes.
 */
export function parseProperties(content: Buffer): Map<string, string> {
  const props = new Map<string, string>();
  for (const line of logicalLines(content.toString('latin1'))) {
    const { key, value } = splitKeyValue(line);
    if (key !== '') props.set(unescape(key), unescape(value));
  }
  return props;
}

/** Joins continued lines (odd number of trailing backslashes), dropping comments and blanks. */
function logicalLines(text: string): string[] {
  const out: string[] = [];
  let pending: string | null = null;
  for (const physical of text.split(/\r\n|\r|\n/)) {
    const trimmed = physical.replace(/^[ \t\f]+/, '');
    if (pending === null && (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('!'))) continue;
    const joined: string = pending === null ? trimmed : pending + trimmed;
    const trailing = /\\*$/.exec(joined)?.[0].length ?? 0;
    if (trailing % 2 === 1) pending = joined.slice(0, -1);
    else {
      out.push(joined);
      pending = null;
    }
  }
  if (pending !== null) out.push(pending);
  return out;
}

function splitKeyValue(line: string): { key: string; value: string } {
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === '\\') i += 2;
    else if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
    else i++;
  }
  const key = line.slice(0, Math.min(i, line.length));
  // Separator: optional whitespace, at most one `=` or `:`, optional whitespace.
  let rest = line.slice(i).replace(/^[ \t\f]*/, '');
  if (rest.startsWith('=') || rest.startsWith(':')) rest = rest.slice(1).replace(/^[ \t\f]*/, '');
  return { key, value: rest };
}

const ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f' };

function unescape(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.?)/g, (_m, e: string) => {
    if (e.startsWith('u') && e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    return ESCAPES[e] ?? e;
  });
}
