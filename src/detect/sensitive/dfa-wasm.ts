/**
 * The keyword automaton's inner loop as a small WebAssembly function: one table lookup per byte,
 * recording (position, state, line) for states that need attention. V8 compiles it to machine
 * code without the bounds and type checks of a JavaScript typed-array loop, which makes the pass
 * over every byte of every text file about three times faster. The module is assembled here from
 * its opcodes (a few hundred bytes), so there is no build step and no binary blob in the repo.
 *
 * Memory layout: [0, 256) byte → class; 256: line after the call; 260: number of words written;
 * 1024: the transition table (i32, states pre-multiplied by the alphabet size); then the input
 * window (`INPUT_BYTES`) and the output area (three i32 per input byte at most).
 */

export const INPUT_BYTES = 64 * 1024;
const TABLE_AT = 1024;

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
};
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes];
const name = (s: string): number[] => [...uleb(s.length), ...Buffer.from(s, 'latin1')];

// Opcodes used below.
const I32 = 0x7f;
const [BLOCK, LOOP, IF, ELSE, END, BR, BR_IF] = [0x02, 0x03, 0x04, 0x05, 0x0b, 0x0c, 0x0d];
const [GET, SET, TEE] = [0x20, 0x21, 0x22];
const [LOAD, LOAD8U, STORE] = [0x28, 0x2d, 0x36];
const [EQ, GE_U, ADD, SHL] = [0x46, 0x4f, 0x6a, 0x74];
const VOID = 0x40;
const c = (v: number): number[] => [0x41, ...sleb(v)];

/** scan(p, end, state, special, newline, line, out) → state; line and word count in memory. */
function moduleBytes(): Uint8Array {
  const [P, END_, S, SPECIAL, NEWLINE, LINE, OUT, N] = [0, 1, 2, 3, 4, 5, 6, 7];
  const store = (field: number, value: number[]): number[] => [GET, OUT, GET, N, ...c(2), SHL, ADD, ...value, STORE, 2, ...uleb(field * 4)];
  const body = [
    ...c(0), SET, N,
    BLOCK, VOID,
    LOOP, VOID,
    GET, P, GET, END_, GE_U, BR_IF, 1,
    // s = table[s + cls[byte]]
    GET, S, GET, P, LOAD8U, 0, 0, LOAD8U, 0, 0, ADD, ...c(2), SHL, LOAD, 2, ...uleb(TABLE_AT), TEE, S,
    GET, SPECIAL, GE_U,
    IF, VOID,
    GET, S, GET, NEWLINE, EQ,
    IF, VOID,
    GET, LINE, ...c(1), ADD, SET, LINE,
    ELSE,
    ...store(0, [GET, P, ...c(1), ADD]),
    ...store(1, [GET, S]),
    ...store(2, [GET, LINE]),
    GET, N, ...c(3), ADD, SET, N,
    END,
    END,
    GET, P, ...c(1), ADD, SET, P,
    BR, 0,
    END,
    END,
    ...c(256), GET, LINE, STORE, 2, 0,
    ...c(260), GET, N, STORE, 2, 0,
    GET, S,
    END,
  ];
  const func = [...vec([[1, I32]]), ...body];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec(Array.from({ length: 7 }, () => [I32])), ...vec([[I32]])]])),
    ...section(2, vec([[...name('env'), ...name('mem'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name('scan'), 0x00, 0]])),
    ...section(10, vec([[...uleb(func.length), ...func]])),
  ]);
}

/** The parts of the WebAssembly API used here (the project's lib settings do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
}
const WA = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: object | null | undefined;
function wasmModule(): object | null {
  if (compiled === undefined) {
    try {
      compiled = WA ? new WA.Module(moduleBytes()) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

export interface WasmDfa {
  /**
   * Scans `buf[start, end)` (at most INPUT_BYTES). `words[0, count)` holds triples (end, state,
   * line) for special states; `end - base` is the end offset in `buf`.
   */
  scan(buf: Uint8Array, start: number, end: number, state: number, line: number): { state: number; line: number; words: Int32Array; count: number; base: number };
}

/** An instance with its own copy of the tables, or null when WebAssembly is unavailable. */
export function createWasmDfa(cls: Uint8Array, delta: Int32Array, special: number, newline: number): WasmDfa | null {
  const mod = wasmModule();
  if (!mod || !WA) return null;
  const inputAt = align(TABLE_AT + delta.length * 4);
  const outAt = align(inputAt + INPUT_BYTES);
  const bytes = outAt + INPUT_BYTES * 12;
  const memory = new WA.Memory({ initial: Math.ceil(bytes / 65536) });
  const instance = new WA.Instance(mod, { env: { mem: memory } });
  const fn = instance.exports.scan as (p: number, end: number, s: number, special: number, newline: number, line: number, out: number) => number;
  const u8 = new Uint8Array(memory.buffer);
  const i32 = new Int32Array(memory.buffer);
  u8.set(cls, 0);
  i32.set(delta, TABLE_AT / 4);
  const words = i32.subarray(outAt / 4, outAt / 4 + INPUT_BYTES * 3);
  return {
    scan(buf, start, end, state, line) {
      u8.set(buf.subarray(start, end), inputAt);
      const s = fn(inputAt, inputAt + (end - start), state, special, newline, line, outAt);
      return { state: s, line: i32[64] as number, words, count: i32[65] as number, base: inputAt - start };
    },
  };
}

function align(n: number): number {
  return (n + 15) & ~15;
}
