/**
 * Streams the members of one large top-level JSON object (`{"k1": v1, "k2": v2, …}`) as
 * (key, value text) pairs, without holding the whole document: each value is collected alone and
 * parsed by the caller. Used for the Debian tracker export (~70 MB, one member per source package).
 * Memory is bounded by the largest single member (`maxMemberChars`).
 */
import { StringDecoder } from 'node:string_decoder';

export class JsonStreamError extends Error {}

const enum State {
  BeforeObject,
  BeforeKey,
  InKey,
  AfterKey,
  BeforeValue,
  InValue,
  Done,
}

export async function* jsonObjectMembers(
  chunks: AsyncIterable<Buffer | string>,
  maxMemberChars = 128 * 1024 * 1024,
): AsyncGenerator<{ key: string; value: string }> {
  const decoder = new StringDecoder('utf8');
  let state: State = State.BeforeObject;
  let key = '';
  let keyEscaped = false;
  let pieces: string[] = [];
  let size = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let offset = 0;

  const fail = (what: string): never => {
    throw new JsonStreamError(`${what} at character ${offset}`);
  };

  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0; // where the current value's text starts in this chunk
    const emitted: Array<{ key: string; value: string }> = [];
    for (let i = 0; i < text.length; i++, offset++) {
      const c = text.charCodeAt(i);
      switch (state) {
        case State.BeforeObject:
          if (isSpace(c)) break;
          if (c !== 123 /* { */) fail('expected "{" to open the top-level object');
          state = State.BeforeKey;
          break;
        case State.BeforeKey:
          if (isSpace(c)) break;
          if (c === 125 /* } */) {
            state = State.Done;
            break;
          }
          if (c !== 34 /* " */) fail('expected a member name');
          state = State.InKey;
          key = '';
          keyEscaped = false;
          break;
        case State.InKey:
          if (keyEscaped) {
            key += text[i];
            keyEscaped = false;
          } else if (c === 92 /* \ */) {
            key += text[i];
            keyEscaped = true;
          } else if (c === 34) state = State.AfterKey;
          else key += text[i];
          if (key.length > 4096) fail('member name longer than 4096 characters');
          break;
        case State.AfterKey:
          if (isSpace(c)) break;
          if (c !== 58 /* : */) fail('expected ":" after a member name');
          state = State.BeforeValue;
          break;
        case State.BeforeValue:
          if (isSpace(c)) break;
          state = State.InValue;
          start = i;
          pieces = [];
          size = 0;
          depth = 0;
          inString = false;
          escaped = false;
          i--; // re-read this character as part of the value
          offset--;
          break;
        case State.InValue: {
          let ended = false;
          if (inString) {
            if (escaped) escaped = false;
            else if (c === 92) escaped = true;
            else if (c === 34) inString = false;
          } else if (c === 34) inString = true;
          else if (c === 123 || c === 91) depth++;
          else if (c === 125 || c === 93) {
            if (depth === 0) ended = true; // the closing brace of the top-level object
            else depth--;
          } else if (c === 44 /* , */ && depth === 0) ended = true;
          if (!ended) break;
          pieces.push(text.slice(start, i));
          emitted.push({ key: decodeKey(key, fail), value: pieces.join('') });
          pieces = [];
          size = 0;
          state = c === 44 ? State.BeforeKey : State.Done;
          break;
        }
        case State.Done:
          if (!isSpace(c)) fail('unexpected text after the top-level object');
          break;
      }
    }
    if (state === State.InValue) {
      pieces.push(text.slice(start));
      size += text.length - start;
      if (size > maxMemberChars) fail(`member ${JSON.stringify(key)} is larger than ${maxMemberChars} characters`);
    }
    yield* emitted;
  }
  if ((state as State) !== State.Done) fail('the document ended before the top-level object closed');
}

function decodeKey(raw: string, fail: (what: string) => never): string {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return fail(`bad escape in member name ${JSON.stringify(raw)}`);
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}
