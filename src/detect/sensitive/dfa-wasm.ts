/**
 * The keyword automaton's inner loop as a small WebAssembly function: one table lookup per byte,
 * recording (position, state, line) for states that need attention. V8 compiles it to machine
 * code without the bounds and type checks of a JavaScript typed-array loop, which makes the pass
 * over every byte of every text file about three times faster. The module is assembled here from
 * its opcodes (a few hundred bytes), so there is no build step and no binary blob in the repo.
 *
 * A second function, `scan2`, runs two automata over the two halves of a window in one loop. One
 * automaton is bound by the latency of its table lookups (each depends on the previous state);
 * two independent ones overlap their lookups, so a window costs about 1.4× one half, not 2×.
 *
 * Memory layout: [0, 256) byte → class; `LINE_AT`: line after `scan`; `COUNT_AT`: number of words
 * it wrote; `SCAN2_AT`: scan2's six results (state, newlines, words of each half); `TABLE_AT`: the
 * transition table (i32, states pre-multiplied by the alphabet size); then the input window
 * (`INPUT_BYTES`) and two output areas (three i32 per input byte at most).
 */

export const INPUT_BYTES = 64 * 1024;
const LINE_AT = 256;
const COUNT_AT = 260;
const SCAN2_AT = 264;
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
const [GET, SET] = [0x20, 0x21];
const [LOAD, LOAD8U, STORE] = [0x28, 0x2d, 0x36];
const [EQ, GE_U, ADD, SHL] = [0x46, 0x4f, 0x6a, 0x74];
const VOID = 0x40;
const c = (v: number): number[] => [0x41, ...sleb(v)];

/** while (p < end) { body } */
const whileBelow = (p: number, end: number, body: number[]): number[] => [BLOCK, VOID, LOOP, VOID, GET, p, GET, end, GE_U, BR_IF, 1, ...body, BR, 0, END, END];

const increment = (local: number): number[] => [GET, local, ...c(1), ADD, SET, local];

/** mem[addr] = local (i32) */
const storeAt = (addr: number, local: number): number[] => [...c(addr), GET, local, STORE, 2, 0];

/** Appends one (p + 1, state, line) triple at out[n] and advances n by three words. */
const emit = (out: number, n: number, p: number, s: number, line: number): number[] => [
  ...[GET, out, GET, n, ...c(2), SHL, ADD, GET, p, ...c(1), ADD, STORE, 2, 0],
  ...[GET, out, GET, n, ...c(2), SHL, ADD, GET, s, STORE, 2, 4],
  ...[GET, out, GET, n, ...c(2), SHL, ADD, GET, line, STORE, 2, 8],
  ...[GET, n, ...c(3), ADD, SET, n],
];

/** s = table[s + cls[mem[p]]] */
const step = (s: number, p: number): number[] => [GET, s, GET, p, LOAD8U, 0, 0, LOAD8U, 0, 0, ADD, ...c(2), SHL, LOAD, 2, ...uleb(TABLE_AT), SET, s];

/** After a step: a newline bumps the line, any other special state is recorded. */
const attend = (s: number, special: number, newline: number, line: number, out: number, n: number, p: number): number[] => [
  GET, s, GET, special, GE_U,
  IF, VOID,
  GET, s, GET, newline, EQ,
  IF, VOID,
  ...increment(line),
  ELSE,
  ...emit(out, n, p, s, line),
  END,
  END,
];

/** scan(p, end, state, special, newline, line, out) → state; line and word count in memory. */
function scanBody(): number[] {
  const [P, END_, S, SPECIAL, NEWLINE, LINE, OUT, N] = [0, 1, 2, 3, 4, 5, 6, 7];
  const body = [
    ...c(0), SET, N,
    ...whileBelow(P, END_, [...step(S, P), ...attend(S, SPECIAL, NEWLINE, LINE, OUT, N, P), ...increment(P)]),
    ...storeAt(LINE_AT, LINE),
    ...storeAt(COUNT_AT, N),
    GET, S,
    END,
  ];
  return [...vec([[1, I32]]), ...body];
}

/**
 * scan2(p1, end1, s1, p2, s2, special, newline, out1, out2): both automata advance one byte per
 * iteration until p1 reaches end1; lines count from 0 (newlines seen). Results at `SCAN2_AT`.
 */
function scan2Body(): number[] {
  const [P1, END1, S1, P2, S2, SPECIAL, NEWLINE, OUT1, OUT2, L1, L2, N1, N2] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const body = [
    ...whileBelow(P1, END1, [
      ...step(S1, P1),
      ...step(S2, P2),
      ...attend(S1, SPECIAL, NEWLINE, L1, OUT1, N1, P1),
      ...attend(S2, SPECIAL, NEWLINE, L2, OUT2, N2, P2),
      ...increment(P1),
      ...increment(P2),
    ]),
    ...[S1, L1, N1, S2, L2, N2].flatMap((local, k) => storeAt(SCAN2_AT + 4 * k, local)),
    END,
  ];
  return [...vec([[4, I32]]), ...body];
}

function moduleBytes(): Uint8Array {
  const scan = scanBody();
  const scan2 = scan2Body();
  const i32s = (n: number) => vec(Array.from({ length: n }, () => [I32]));
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...i32s(7), ...vec([[I32]])], [0x60, ...i32s(9), ...vec([])]])),
    ...section(2, vec([[...name('env'), ...name('mem'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec([[0], [1]])),
    ...section(7, vec([[...name('scan'), 0x00, 0], [...name('scan2'), 0x00, 1]])),
    ...section(10, vec([[...uleb(scan.length), ...scan], [...uleb(scan2.length), ...scan2]])),
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

export interface ScanResult {
  state: number;
  line: number;
  /** Triples (end + base, state, line) of special states, `count` words. */
  words: Int32Array;
  count: number;
  /** `words` positions minus `base` are end offsets in the scanned buffer. */
  base: number;
}

export interface WasmDfa {
  /** Scans `buf[start, end)` (at most INPUT_BYTES). */
  scan(buf: Uint8Array, start: number, end: number, state: number, line: number): ScanResult;
  /**
   * Scans `buf[start, mid)` from `state` and `buf[start2, end)` from the root state together
   * (at most INPUT_BYTES from `start`, `start <= start2 <= mid`, `end - start2 >= mid - start`).
   * Lines in the words are newline counts from each half's start.
   */
  scan2(buf: Uint8Array, start: number, mid: number, start2: number, end: number, state: number): { first: ScanResult; second: ScanResult };
}

/** An instance with its own copy of the tables, or null when WebAssembly is unavailable. */
export function createWasmDfa(cls: Uint8Array, delta: Int32Array, special: number, newline: number): WasmDfa | null {
  const mod = wasmModule();
  if (!mod || !WA) return null;
  const inputAt = align(TABLE_AT + delta.length * 4);
  const outAt = align(inputAt + INPUT_BYTES);
  const out2At = outAt + INPUT_BYTES * 12;
  const bytes = out2At + INPUT_BYTES * 12;
  const memory = new WA.Memory({ initial: Math.ceil(bytes / 65536) });
  const instance = new WA.Instance(mod, { env: { mem: memory } });
  const fn = instance.exports.scan as (p: number, end: number, s: number, special: number, newline: number, line: number, out: number) => number;
  const fn2 = instance.exports.scan2 as (p1: number, end1: number, s1: number, p2: number, s2: number, special: number, newline: number, out1: number, out2: number) => void;
  const u8 = new Uint8Array(memory.buffer);
  const i32 = new Int32Array(memory.buffer);
  u8.set(cls, 0);
  i32.set(delta, TABLE_AT / 4);
  const words = i32.subarray(outAt / 4, outAt / 4 + INPUT_BYTES * 3);
  const words2 = i32.subarray(out2At / 4, out2At / 4 + INPUT_BYTES * 3);
  return {
    scan(buf, start, end, state, line) {
      u8.set(buf.subarray(start, end), inputAt);
      const s = fn(inputAt, inputAt + (end - start), state, special, newline, line, outAt);
      return { state: s, line: i32[LINE_AT / 4] as number, words, count: i32[COUNT_AT / 4] as number, base: inputAt - start };
    },
    scan2(buf, start, mid, start2, end, state) {
      u8.set(buf.subarray(start, end), inputAt);
      const at2 = inputAt + (start2 - start);
      const len1 = mid - start;
      fn2(inputAt, inputAt + len1, state, at2, 0, special, newline, outAt, out2At);
      const r = SCAN2_AT / 4;
      const first = { state: i32[r] as number, line: i32[r + 1] as number, words, count: i32[r + 2] as number, base: inputAt - start };
      let s2 = i32[r + 3] as number;
      let l2 = i32[r + 4] as number;
      let n2 = i32[r + 5] as number;
      if (start2 + len1 < end) {
        // The second half is longer by the overlap: finish it alone, appending its words.
        s2 = fn(at2 + len1, inputAt + (end - start), s2, special, newline, l2, out2At + n2 * 4);
        l2 = i32[LINE_AT / 4] as number;
        n2 += i32[COUNT_AT / 4] as number;
      }
      return { first, second: { state: s2, line: l2, words: words2, count: n2, base: inputAt - start } };
    },
  };
}

function align(n: number): number {
  return (n + 15) & ~15;
}
