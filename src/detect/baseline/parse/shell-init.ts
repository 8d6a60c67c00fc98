/**
 * The two things baseline reads from shell start-up files: `umask` commands and `TMOUT`
 * assignments. Only simple statements are recognised (not values built from variables); a
 * statement inside an `if` counts, because it is what the distribution meant to apply.
 */

export interface UmaskStatement {
  file: string;
  line: number;
  /** Octal value as a number. */
  value: number;
  text: string;
}

export interface TmoutAssignment {
  file: string;
  line: number;
  value: number;
  text: string;
}

/** Logical lines without comments; `#` only starts a comment at the start of a word. */
function statements(text: string): Array<{ line: number; body: string }> {
  const out: Array<{ line: number; body: string }> = [];
  text.split('\n').forEach((raw, i) => {
    const body = raw.replace(/\r$/, '').replace(/(^|\s)#.*$/, '').trim();
    if (body !== '') out.push({ line: i + 1, body });
  });
  return out;
}

/** Commands of one line, split on `;`, `&&`, `||`, and the keywords that introduce a command. */
function commands(body: string): string[] {
  return body
    .split(/;|&&|\|\|/)
    .map((c) => c.trim().replace(/^(?:then|else|do|\{|\()\s+/, '').trim())
    .filter((c) => c !== '');
}

export function findUmasks(text: string, file: string): UmaskStatement[] {
  const out: UmaskStatement[] = [];
  for (const s of statements(text)) {
    for (const cmd of commands(s.body)) {
      const m = /^umask\s+(?:-S\s+)?([0-7]{1,4})\b/.exec(cmd);
      if (m) out.push({ file, line: s.line, value: parseInt(m[1] as string, 8), text: s.body });
    }
  }
  return out;
}

const TMOUT_RE = /^(?:(?:export|readonly|declare|typeset|local)(?:\s+-[a-zA-Z]+)*\s+)?TMOUT=["']?(\d+)["']?(?:\s|$)/;

export function findTmout(text: string, file: string): TmoutAssignment[] {
  const out: TmoutAssignment[] = [];
  for (const s of statements(text)) {
    for (const cmd of commands(s.body)) {
      const m = TMOUT_RE.exec(cmd);
      if (m) out.push({ file, line: s.line, value: Number(m[1]), text: s.body });
    }
  }
  return out;
}

/** Format a umask the way people write it (`022`, `0027`). */
export function octal(value: number, width = 3): string {
  return value.toString(8).padStart(width, '0');
}
