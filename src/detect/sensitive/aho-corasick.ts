/**
 * A case-insensitive Aho-Corasick automaton over bytes, compiled to a dense DFA so that the scan
 * is one table lookup per byte. It finds every rule's keywords in a single pass; rules only run
 * their regular expressions where one of their keywords was seen.
 *
 * Speed tricks (the scan loop is the engine's hot path):
 * - bytes are mapped to a small alphabet of equivalence classes (every byte that occurs in no
 *   keyword is one class; upper and lower case share one), so the table stays cache-sized;
 * - state numbers are pre-multiplied by the alphabet size;
 * - states that need attention (a keyword ends there, or a newline was read) are numbered last,
 *   so the loop tests one comparison per byte. Newline counting rides on the same test: every
 *   newline leads to a copy of the root state that is flagged, since no keyword spans lines.
 */
import { createWasmDfa, INPUT_BYTES, type WasmDfa } from './dfa-wasm.js';

/** Windows at least this long (and four keywords long) are scanned as two interleaved halves. */
const SPLIT_MIN = 1024;

export interface AcHitSink {
  /** Flat triples: end offset (exclusive) in the buffer, keyword id, 1-based line of the hit. */
  hits: number[];
}

export class AhoCorasick {
  readonly keywords: readonly string[];
  /** byte → class index. */
  private readonly cls: Uint8Array;
  private readonly classes: number;
  /** Pre-multiplied DFA: delta[state + class] → state. */
  private readonly delta: Int32Array;
  /** First pre-multiplied state number that needs attention. */
  private readonly special: number;
  /** The flagged copy of the root reached after a newline. */
  private readonly newline: number;
  /** Keyword ids that end at each special state (indexed by state / classes). */
  private readonly outputs: Array<number[] | undefined>;
  readonly initialState = 0;
  /** Longest keyword, in bytes: the overlap the second half of a split window needs. */
  private readonly maxLen: number;

  constructor(keywords: readonly string[]) {
    this.keywords = keywords.map((k) => k.toLowerCase());
    for (const k of this.keywords) {
      if (k.length === 0) throw new Error('empty keyword');
      if (k.includes('\n')) throw new Error(`keyword must not span lines: ${JSON.stringify(k)}`);
    }
    // Alphabet: class 0 = any byte in no keyword, 1 = newline, then one per folded byte.
    const cls = new Uint8Array(256);
    cls[10] = 1;
    let classes = 2;
    const fold = (b: number): number => (b >= 65 && b <= 90 ? b + 32 : b);
    const enc = this.keywords.map((k) => Buffer.from(k, 'latin1'));
    for (const bytes of enc) {
      for (const raw of bytes) {
        const b = fold(raw);
        if (cls[b] === 0) {
          if (classes >= 255) throw new Error('keyword alphabet too large');
          cls[b] = classes;
          if (b >= 97 && b <= 122) cls[b - 32] = classes;
          classes++;
        }
      }
    }
    this.cls = cls;
    this.classes = classes;
    this.maxLen = Math.max(1, ...enc.map((e) => e.length));

    // Trie.
    const goto: Array<Int32Array> = [new Int32Array(classes).fill(-1)];
    const out: Array<number[]> = [[]];
    enc.forEach((bytes, id) => {
      let s = 0;
      for (const raw of bytes) {
        const c = cls[fold(raw)]!;
        let n = goto[s]![c]!;
        if (n < 0) {
          n = goto.length;
          goto.push(new Int32Array(classes).fill(-1));
          out.push([]);
          goto[s]![c] = n;
        }
        s = n;
      }
      out[s]!.push(id);
    });

    // Failure links by BFS, completing the DFA in place.
    const fail = new Int32Array(goto.length);
    const queue: number[] = [];
    for (let c = 0; c < classes; c++) {
      const n = goto[0]![c]!;
      if (n < 0) goto[0]![c] = 0;
      else {
        fail[n] = 0;
        queue.push(n);
      }
    }
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi]!;
      for (let c = 0; c < classes; c++) {
        const n = goto[s]![c]!;
        if (n < 0) goto[s]![c] = goto[fail[s]!]![c]!;
        else {
          fail[n] = goto[fail[s]!]![c]!;
          out[n]!.push(...out[fail[n]!]!);
          queue.push(n);
        }
      }
    }

    // Renumber: quiet states first (root stays 0), then states with outputs, then the newline root.
    const n = goto.length;
    const order: number[] = [];
    for (let s = 0; s < n; s++) if (out[s]!.length === 0) order.push(s);
    const specialIndex = order.length;
    for (let s = 0; s < n; s++) if (out[s]!.length > 0) order.push(s);
    const newlineIndex = order.length;
    const total = n + 1;
    const renum = new Int32Array(n);
    order.forEach((old, idx) => (renum[old] = idx));

    const delta = new Int32Array(total * classes);
    const outputs: Array<number[] | undefined> = new Array(total);
    for (let idx = 0; idx < n; idx++) {
      const old = order[idx]!;
      for (let c = 0; c < classes; c++) {
        delta[idx * classes + c] = c === 1 ? newlineIndex * classes : renum[goto[old]![c]!]! * classes;
      }
      if (out[old]!.length > 0) outputs[idx] = out[old];
    }
    for (let c = 0; c < classes; c++) delta[newlineIndex * classes + c] = delta[c]!;
    this.delta = delta;
    this.special = specialIndex * classes;
    this.newline = newlineIndex * classes;
    this.outputs = outputs;
  }

  /** Use the WebAssembly loop when available (tests switch it off to compare both). */
  static useWasm = true;
  private wasm: WasmDfa | null | undefined;

  /**
   * Scan `buf[start, end)` from `state`, counting lines from `line`. Pushes hits to `sink.hits`.
   * Returns the state to resume from; the line count after the scan is in `this.lastLine`.
   */
  scan(buf: Uint8Array, start: number, end: number, state: number, line: number, sink: AcHitSink): number {
    if (this.wasm === undefined && AhoCorasick.useWasm) this.wasm = createWasmDfa(this.cls, this.delta, this.special, this.newline);
    if (this.wasm && AhoCorasick.useWasm) return this.scanWasm(this.wasm, buf, start, end, state, line, sink);
    const delta = this.delta;
    const cls = this.cls;
    const special = this.special;
    const newline = this.newline;
    let s = state;
    for (let i = start; i < end; i++) {
      s = delta[s + cls[buf[i]!]!]!;
      if (s >= special) {
        if (s === newline) line++;
        else {
          const ids = this.outputs[s / this.classes]!;
          for (const id of ids) sink.hits.push(i + 1, id, line);
        }
      }
    }
    this.lastLine = line;
    return s;
  }

  private scanWasm(wasm: WasmDfa, buf: Uint8Array, start: number, end: number, state: number, line: number, sink: AcHitSink): number {
    let s = state;
    for (let a = start; a < end; a += INPUT_BYTES) {
      const b = Math.min(end, a + INPUT_BYTES);
      if (b - a >= SPLIT_MIN && b - a >= 4 * this.maxLen) {
        const r = this.scanHalves(wasm, buf, a, b, s, line, sink);
        s = r.state;
        line = r.line;
        continue;
      }
      const r = wasm.scan(buf, a, b, s, line);
      s = r.state;
      line = r.line;
      this.emitWords(r.words, 0, r.count, r.base, 0, sink);
    }
    this.lastLine = line;
    return s;
  }

  /**
   * Scans a window as two halves at once. The second half starts from the root a keyword's length
   * before the middle, so every keyword ending after the middle lies wholly inside it; its earlier
   * hits repeat the first half's and are dropped. Its state at the end is the full scan's state
   * (no keyword is longer than the overlap), and its lines are shifted by the newlines before it.
   */
  private scanHalves(wasm: WasmDfa, buf: Uint8Array, a: number, b: number, state: number, line: number, sink: AcHitSink): { state: number; line: number } {
    const mid = a + ((b - a) >> 1);
    const start2 = mid - (this.maxLen - 1);
    const { first, second } = wasm.scan2(buf, a, mid, start2, b, state);
    this.emitWords(first.words, 0, first.count, first.base, line, sink);
    let overlapNewlines = 0;
    for (let i = start2; i < mid; i++) if (buf[i] === 10) overlapNewlines++;
    const before = line + first.line - overlapNewlines;
    this.emitWords(second.words, mid + 1, second.count, second.base, before, sink);
    return { state: second.state, line: before + second.line };
  }

  /** Pushes hits of the special-state words `[0, count)` that end at or after `minEnd`, lines shifted by `lineOffset`. */
  private emitWords(w: Int32Array, minEnd: number, count: number, base: number, lineOffset: number, sink: AcHitSink): void {
    for (let k = 0; k < count; k += 3) {
      const pos = (w[k] as number) - base;
      if (pos < minEnd) continue;
      const ln = (w[k + 2] as number) + lineOffset;
      for (const id of this.outputs[(w[k + 1] as number) / this.classes]!) sink.hits.push(pos, id, ln);
    }
  }

  lastLine = 1;
}
