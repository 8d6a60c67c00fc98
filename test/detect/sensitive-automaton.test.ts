/**
 * The keyword automaton's three loops — JavaScript, WebAssembly, and WebAssembly over two halves
 * of a window at once — report exactly the same hits (end offset, keyword, line), including
 * keywords that straddle the middle of a window or a chunk boundary, and resume from the same state.
 */
import { describe, expect, it } from 'vitest';
import { AhoCorasick, type AcHitSink } from '../../src/detect/sensitive/aho-corasick.js';
import { CompiledRuleSet } from '../../src/detect/sensitive/ruleset.js';
import { prng } from './sensitive-fixtures.js';

const KEYWORDS = ['password', 'pass', 'ghp_', 'token', 'aws_secret_access_key', 'secret', 'begin rsa private key', 'xoxb-', 'ab', 'b\u00e9'];

function text(seed: number, size: number, keywords: readonly string[]): Buffer {
  const rnd = prng(seed);
  const parts: string[] = [];
  let n = 0;
  while (n < size) {
    const r = rnd();
    const piece = r < 0.15 ? (keywords[Math.floor(rnd() * keywords.length)] as string) : r < 0.25 ? '\n' : r < 0.3 ? 'PASSWORD' : 'lorem ipsum dolor '.slice(0, 1 + Math.floor(rnd() * 17));
    parts.push(piece);
    n += piece.length;
  }
  return Buffer.from(parts.join(''), 'latin1');
}

/** All hits and the final state and line, scanning `buf` in chunks of `chunk` bytes. */
function run(ac: AhoCorasick, buf: Buffer, chunk: number, wasm: boolean): { hits: number[]; state: number; line: number } {
  AhoCorasick.useWasm = wasm;
  try {
    const hits: number[] = [];
    let state = ac.initialState;
    let line = 1;
    for (let at = 0; at < buf.length; at += chunk) {
      const sink: AcHitSink = { hits: [] };
      const piece = buf.subarray(at, at + chunk);
      state = ac.scan(piece, 0, piece.length, state, line, sink);
      line = ac.lastLine;
      for (let i = 0; i < sink.hits.length; i += 3) hits.push((sink.hits[i] as number) + at, sink.hits[i + 1] as number, sink.hits[i + 2] as number);
    }
    return { hits, state, line };
  } finally {
    AhoCorasick.useWasm = true;
  }
}

describe('keyword automaton loops', () => {
  it.each([
    [1, 3_000, 1_000], // windows below the split size: the single loop
    [2, 20_000, 20_000], // one split window
    [3, 200_000, 65_536], // several full windows
    [4, 200_000, 9_999], // odd windows, keywords across chunk boundaries
    [5, 131_073, 131_073], // a chunk longer than one window
  ])('seed %i, %i bytes in %i-byte chunks: same hits, state and line', (seed, size, chunk) => {
    const ac = new AhoCorasick(KEYWORDS);
    const buf = text(seed, size, ac.keywords);
    const js = run(ac, buf, chunk, false);
    const wasm = run(ac, buf, chunk, true);
    expect(js.hits.length).toBeGreaterThan(100);
    expect(wasm).toEqual(js);
  });

  it('keywords ending at every offset around the middle of a window', () => {
    const ac = new AhoCorasick(KEYWORDS);
    const size = 8_192;
    const mid = size / 2;
    for (let end = mid - 24; end <= mid + 24; end++) {
      const buf = Buffer.alloc(size, 'x');
      for (let i = 100; i < size; i += 997) buf[i] = 10;
      buf.write('aws_secret_access_key', end - 21, 'latin1');
      expect(run(ac, buf, size, true), `keyword ending at ${end}`).toEqual(run(ac, buf, size, false));
    }
  });

  it('the built-in automaton agrees on real-looking text', () => {
    const rules = new CompiledRuleSet();
    const ac = rules.plan('srv/app/config.txt').ac;
    const buf = text(9, 300_000, ac.keywords.slice(0, 60));
    expect(run(ac, buf, 65_536, true)).toEqual(run(ac, buf, 65_536, false));
  });
});
