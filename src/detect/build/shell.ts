/**
 * Just enough shell to read RUN lines: split into pipelines (`&&`, `||`, `;`, newlines), each
 * pipeline into commands (`|`), each command into words, honouring single and double quotes and
 * backslash escapes. Not an interpreter: no expansion, substitutions stay inside their word.
 */

/** One simple command: its words with quotes removed, and the raw text. */
export interface ShellCommand {
  words: string[];
  raw: string;
}

export type Pipeline = ShellCommand[];

/** RUN text is capped before parsing: history lines can be megabytes in hostile images. */
export const MAX_RUN_TEXT = 65_536;

export function parseShell(text: string): Pipeline[] {
  const src = text.length > MAX_RUN_TEXT ? text.slice(0, MAX_RUN_TEXT) : text;
  const pipelines: Pipeline[] = [];
  let pipeline: Pipeline = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let raw = '';
  let quote: '"' | "'" | null = null;
  let paren = 0;

  const endWord = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = () => {
    endWord();
    words = withoutRedirections(words);
    if (words.length > 0) pipeline.push({ words, raw: raw.trim() });
    words = [];
    raw = '';
  };
  const endPipeline = () => {
    endCommand();
    if (pipeline.length > 0) pipelines.push(pipeline);
    pipeline = [];
  };

  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    if (quote) {
      raw += c;
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < src.length) {
        word += src[++i];
        raw += src[i];
      } else word += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
      raw += c;
      continue;
    }
    if (c === '\\') {
      const next = src[i + 1];
      i++;
      if (next === '\n' || next === undefined) continue; // line continuation
      word += next;
      inWord = true;
      raw += `\\${next}`;
      continue;
    }
    // $( ... ) and <( ... ) stay inside the current word so their pipes do not split the command;
    // a plain ( ... ) subshell is just grouping.
    const opens = c === '(' && (paren > 0 || src[i - 1] === '$' || src[i - 1] === '<' || src[i - 1] === '>');
    if (opens || (paren > 0 && c === ')')) {
      paren += opens ? 1 : -1;
      word += c;
      inWord = true;
      raw += c;
      continue;
    }
    if (paren > 0) {
      word += c;
      inWord = true;
      raw += c;
      continue;
    }
    if (c === '(' || c === ')') {
      endWord();
      raw += ' ';
      continue;
    }
    if (c === '&' && src[i + 1] === '&') {
      i++;
      endPipeline();
      continue;
    }
    if (c === '|' && src[i + 1] === '|') {
      i++;
      endPipeline();
      continue;
    }
    if (c === ';' || c === '\n') {
      endPipeline();
      continue;
    }
    if (c === '|') {
      endCommand();
      continue;
    }
    if (c === '&') {
      endPipeline();
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      raw += c;
      continue;
    }
    word += c;
    inWord = true;
    raw += c;
  }
  endPipeline();
  return pipelines;
}

/** `< file`, `2>/dev/null`, `>> log`: redirections and their targets are not arguments. */
const REDIRECTION = /^\d*(?:>>?|<<<?|<(?!\()|&>>?|>&)(.*)$/;

function withoutRedirections(words: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const m = REDIRECTION.exec(words[i] as string);
    if (!m) out.push(words[i] as string);
    else if (m[1] === '') i++; // the target is the next word
  }
  return out;
}

/** Control words that start a compound command and are not the program being run. */
const PREFIX_WORDS = new Set(['then', 'do', 'else', 'elif', 'if', 'while', 'until', '{', '!', 'exec', 'time', 'command', 'nohup']);

const XARGS_VALUE_FLAGS = new Set(['-n', '-I', '-L', '-P', '-d', '-s', '-E', '-a']);

/**
 * The program and its arguments, skipping `VAR=value` assignments, control keywords and (when
 * `throughSudo`) a leading sudo/env/gosu with their options.
 */
export function commandWords(cmd: ShellCommand, throughSudo = true): string[] {
  let w = cmd.words;
  let i = 0;
  for (;;) {
    while (i < w.length && (PREFIX_WORDS.has(w[i] as string) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(w[i] as string))) i++;
    const head = w[i];
    if (throughSudo && (head === 'sudo' || head === 'env' || head === 'gosu' || head === 'su-exec')) {
      i++;
      while (i < w.length && (w[i] as string).startsWith('-')) i++;
      if (head === 'gosu' || head === 'su-exec') i++; // user argument
      continue;
    }
    // `xargs -rt apt-get install …` runs the command it names.
    if (head === 'xargs') {
      i++;
      while (i < w.length && (w[i] as string).startsWith('-')) i += XARGS_VALUE_FLAGS.has(w[i] as string) ? 2 : 1;
      continue;
    }
    break;
  }
  w = w.slice(i);
  return w;
}

/** Basename of the program word (`/usr/bin/apt-get` → `apt-get`). */
export function programOf(words: string[]): string {
  const head = words[0] ?? '';
  return head.slice(head.lastIndexOf('/') + 1);
}

/** All simple commands of a RUN text, flattened. */
export function allCommands(text: string): ShellCommand[] {
  return parseShell(text).flat();
}
