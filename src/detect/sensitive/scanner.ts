/**
 * Scans one file as a stream of chunks, never holding it whole.
 *
 * - The first 8 KiB decide text or binary (a NUL byte means binary) and feed the magic checks.
 * - Text: one Aho-Corasick pass over every byte finds every rule's keywords at once; a rule's
 *   regular expression runs only in a small window around a keyword hit. The last bytes of each
 *   chunk are kept (and hits whose window reaches past the chunk wait for the next one), so a
 *   secret split across chunks is found as if the file were one buffer.
 * - Binary: only magic parsers (which stream) and binary path rules; if none applies, the file is
 *   dropped at once (no hashing, no scanning).
 * - Structural rules keep a bounded prefix of the few small files they match by path.
 * - MD5 of the whole file (triage is keyed on key, path, md5) is paid only for files with findings
 *   (and for text files over 4 MiB, hashed as they stream).
 */
import { createHash, type Hash } from 'node:crypto';
import { posix } from 'node:path';
import type { AcHitSink } from './aho-corasick.js';
import type { Severity } from './catalog.js';
import { lineAt } from './formats.js';
import { maskLabel, maskSecret } from './mask.js';
import { resolveCandidates, type Candidate } from './resolve.js';
import type { CContent, CompiledRuleSet, CStruct, FilePlan } from './ruleset.js';
import type { Classification, FileContext, MagicHit, MagicParser } from './rules/types.js';
import { isPlaceholder, isPlaceholderish, shannonEntropy } from './validators.js';

/** A finding for one file, masked. */
export interface SensitiveFinding {
  key: string;
  severity: Severity;
  line?: number;
  masked: string;
  detail?: string;
  ruleId: string;
  md5: string;
}

const HEAD_BYTES = 8192;
/** Per rule per file: windows evaluated at least (then one per 256 bytes of file). */
const MAX_EVALS = 5_000;
/** Per rule per file: enough accepted matches to pick the best one of the family. */
const MAX_ACCEPTED = 32;
const MAX_CANDIDATES = 2000;
const EMPTY = Buffer.alloc(0);

interface RuleState {
  evals: number;
  accepted: number;
  done: boolean;
  starts: Set<number>;
}

interface StructBuf {
  rule: CStruct;
  parts: Buffer[];
  len: number;
  truncated: boolean;
}

export interface ScanFileOptions {
  /** Image-config text (ENV, labels, history), not a file: config rules, no path/magic rules. */
  config?: boolean;
}

export class FileScanner {
  private readonly file: FileContext;
  private readonly plan: FilePlan;
  private readonly md5 = new LazyMd5();
  private size = 0;
  private headParts: Buffer[] = [];
  private headLen = 0;
  private started = false;
  private binary = false;
  private text = false;
  private dead = false;

  private acState = 0;
  private line = 1;
  private pos = 0;
  /** Bytes [tailStart, tailStart + tailLen) of the stream, kept from earlier chunks (capacity may be larger). */
  private tail: Buffer = EMPTY;
  private tailLen = 0;
  private tailStart = 0;
  private chunk: Buffer = EMPTY;
  private chunkStart = 0;
  private deferred: number[] = [];
  private readonly sink: AcHitSink = { hits: [] };
  private readonly seenKw: Uint8Array | null;
  private readonly states = new Map<number, RuleState>();

  private structs: StructBuf[] = [];
  private parsers: Array<{ id: string; family: string; fileType: boolean; parser: MagicParser }> = [];
  private readonly cands: Candidate[] = [];

  constructor(
    private readonly rules: CompiledRuleSet,
    path: string,
    opts: ScanFileOptions = {},
  ) {
    this.file = { path, base: posix.basename(path), ...(opts.config ? { config: true } : {}) };
    this.plan = opts.config ? rules.planForConfig() : rules.plan(path);
    this.seenKw = this.plan.tracksKeywords ? new Uint8Array(this.plan.ac.keywords.length) : null;
  }

  write(chunk: Buffer): void {
    if (this.dead || chunk.length === 0) return;
    this.size += chunk.length;
    this.md5.update(chunk);
    if (!this.started) {
      this.headParts.push(chunk);
      this.headLen += chunk.length;
      if (this.headLen >= HEAD_BYTES) this.start();
      return;
    }
    this.feed(chunk);
  }

  end(): SensitiveFinding[] {
    if (this.dead) return [];
    if (!this.started) {
      if (this.size === 0) return [];
      this.start();
      if (this.dead) return [];
    }
    if (this.text) this.flushDeferred();
    for (const p of this.parsers) this.addMagic(p, p.parser.end());
    this.parsers = [];
    for (const s of this.structs) this.runStruct(s);
    for (const p of this.plan.pathRules) {
      if (this.binary ? p.spec.binary : !p.requireKw || p.requireKw.some((k) => this.seenKw?.[k] === 1)) {
        this.add({ key: p.spec.key, severity: p.spec.severity, family: p.spec.family ?? p.spec.key, rank: p.spec.rank ?? 50, masked: maskLabel(p.spec.label), detail: p.spec.detail, ruleId: p.spec.id, fileType: p.spec.fileType ?? false, catchAll: p.spec.catchAll ?? false });
      }
    }
    if (this.cands.length === 0) {
      this.md5.drop();
      return [];
    }
    const md5 = this.md5.digest();
    return resolveCandidates(this.cands)
      .filter((c) => !this.rules.ignored(c.key, this.file.path, md5))
      .map((c) => ({ key: c.key, severity: c.severity, ...(c.line !== undefined ? { line: c.line } : {}), masked: c.masked, ...(c.detail ? { detail: c.detail } : {}), ruleId: c.ruleId, md5 }));
  }

  private start(): void {
    this.started = true;
    const head = this.headParts.length === 1 ? (this.headParts[0] as Buffer) : Buffer.concat(this.headParts);
    this.headParts = [];
    this.binary = !this.file.config && isBinary(head);
    for (const m of this.plan.magicRules) {
      const r = m.spec.probe(head, this.file);
      if (!r) continue;
      const entry = { id: m.spec.id, family: m.spec.family, fileType: m.spec.fileType ?? false, parser: r as MagicParser };
      if (typeof (r as MagicParser).push === 'function') this.parsers.push(entry);
      else this.addMagic(entry, r as MagicHit);
    }
    const structs = this.binary ? this.plan.structRules.filter((s) => s.spec.binary) : this.plan.structRules;
    this.structs = structs.map((rule) => ({ rule, parts: [], len: 0, truncated: false }));
    if (this.binary) {
      const binaryPathRule = this.plan.pathRules.some((p) => p.spec.binary);
      if (!binaryPathRule && this.parsers.length === 0 && this.structs.length === 0 && this.cands.length === 0) {
        this.dead = true;
        this.md5.drop();
        return;
      }
    } else this.text = true;
    this.feed(head);
  }

  private feed(chunk: Buffer): void {
    if (this.parsers.length > 0) {
      this.parsers = this.parsers.filter((p) => {
        const r = p.parser.push(chunk);
        if (r === undefined) return true;
        this.addMagic(p, r);
        return false;
      });
    }
    for (const s of this.structs) {
      if (s.truncated) continue;
      const take = Math.min(chunk.length, s.rule.maxBytes - s.len);
      if (take > 0) {
        s.parts.push(Buffer.from(chunk.subarray(0, take)));
        s.len += take;
      }
      if (take < chunk.length) s.truncated = true;
    }
    if (this.text) this.scanText(chunk);
    else if (this.parsers.length === 0 && this.structs.length === 0 && this.cands.length === 0 && !this.plan.pathRules.some((p) => p.spec.binary)) {
      // A binary file whose magic checks all said no: nothing left to find, stop hashing.
      this.dead = true;
      this.md5.drop();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Text: keyword pass and windows.

  private scanText(chunk: Buffer): void {
    const plan = this.plan;
    const ac = plan.ac;
    this.chunk = chunk;
    this.chunkStart = this.pos;
    const hits = this.sink.hits;
    hits.length = 0;
    this.acState = ac.scan(chunk, 0, chunk.length, this.acState, this.line, this.sink);
    this.line = ac.lastLine;
    this.pos += chunk.length;
    if (hits.length > 0 || this.deferred.length > 0) {
      const waiting: number[] = [];
      const prev = this.deferred;
      for (let i = 0; i < prev.length; i += 3) {
        if (!this.tryHit(prev[i] as number, prev[i + 1] as number, prev[i + 2] as number, false)) waiting.push(prev[i] as number, prev[i + 1] as number, prev[i + 2] as number);
      }
      for (let i = 0; i < hits.length; i += 3) {
        const kw = hits[i + 1] as number;
        if (this.seenKw) this.seenKw[kw] = 1;
        if ((plan.kwRules[kw] as CContent[]).length === 0) continue;
        const absEnd = this.chunkStart + (hits[i] as number);
        if (!this.tryHit(absEnd, kw, hits[i + 2] as number, false)) waiting.push(absEnd, kw, hits[i + 2] as number);
      }
      this.deferred = waiting;
    }
    this.keepTail();
  }

  /** Keeps the bytes later windows may reach back to: `tailKeep`, or more for waiting hits. */
  private keepTail(): void {
    let keepFrom = this.pos - this.plan.tailKeep;
    for (let i = 0; i < this.deferred.length; i += 3) {
      const kw = this.deferred[i + 1] as number;
      keepFrom = Math.min(keepFrom, (this.deferred[i] as number) - (this.plan.kwLen[kw] as number) - (this.plan.kwMaxBefore[kw] as number));
    }
    keepFrom = Math.max(keepFrom, this.tailStart, 0);
    // One reused buffer: the kept bytes are copied (the caller may reuse its chunk), not reallocated per chunk.
    const keepLen = this.pos - keepFrom;
    if (keepFrom >= this.chunkStart) {
      if (keepLen > this.tail.length) this.tail = Buffer.allocUnsafe(Math.max(keepLen, 2 * this.tail.length, 1024));
      this.chunk.copy(this.tail, 0, keepFrom - this.chunkStart);
    } else {
      const oldFrom = keepFrom - this.tailStart;
      if (keepLen > this.tail.length) {
        const grown = Buffer.allocUnsafe(Math.max(keepLen, 2 * this.tail.length));
        this.tail.copy(grown, 0, oldFrom, this.tailLen);
        this.tail = grown;
      } else this.tail.copyWithin(0, oldFrom, this.tailLen);
      this.chunk.copy(this.tail, this.tailLen - oldFrom);
    }
    this.tailLen = keepLen;
    this.tailStart = keepFrom;
    this.chunk = EMPTY;
    this.chunkStart = this.pos;
  }

  private flushDeferred(): void {
    const prev = this.deferred;
    this.deferred = [];
    this.chunk = EMPTY;
    this.chunkStart = this.pos;
    for (let i = 0; i < prev.length; i += 3) this.tryHit(prev[i] as number, prev[i + 1] as number, prev[i + 2] as number, true);
  }

  /** Evaluates the rules of one keyword hit, or returns false when its windows need more data. */
  private tryHit(absEnd: number, kw: number, line: number, final: boolean): boolean {
    if (!final && absEnd + (this.plan.kwMaxAfter[kw] as number) > this.pos) return false;
    const kwStart = absEnd - (this.plan.kwLen[kw] as number);
    for (const r of this.plan.kwRules[kw] as CContent[]) this.evalRule(r, kwStart, absEnd, line);
    return true;
  }

  /** Bytes [s, e) of the stream as latin1 text (one char per byte), from the tail and current chunk. */
  private slice(s: number, e: number): string {
    const cs = this.chunkStart;
    if (s >= cs) return this.chunk.toString('latin1', s - cs, e - cs);
    if (e <= cs) return this.tail.toString('latin1', s - this.tailStart, e - this.tailStart);
    return this.tail.toString('latin1', s - this.tailStart, this.tailLen) + this.chunk.toString('latin1', 0, e - cs);
  }

  private evalRule(r: CContent, kwStart: number, kwEnd: number, hitLine: number): void {
    let st = this.states.get(r.idx);
    if (!st) this.states.set(r.idx, (st = { evals: 0, accepted: 0, done: false, starts: new Set() }));
    if (st.done) return;
    // Keyword floods (a hit every few bytes) stop being evaluated; ordinary files, even large
    // ones with many legitimate hits, keep full coverage because the cap grows with the file.
    if (++st.evals > Math.max(MAX_EVALS, this.pos / 256)) {
      st.done = true;
      return;
    }
    const ws = Math.max(kwStart - r.before, this.tailStart, 0);
    const we = Math.min(kwEnd + r.after, this.pos);
    const win = this.slice(ws, we);
    if (r.requires) {
      const lower = win.toLowerCase();
      if (!r.requires.some((x) => lower.includes(x))) return;
    }
    const kS = kwStart - ws;
    const kE = kwEnd - ws;
    const re = r.re;
    if (r.sticky) {
      // Only matches that start at or before the keyword and reach past it count: try exactly
      // those start positions, so the work per hit is bounded by the rule's `before`.
      for (let p = 0; p <= kS; p++) {
        re.lastIndex = p;
        const m = re.exec(win);
        if (m && m[0].length > 0 && p + m[0].length >= kE) {
          this.accept(r, m, ws, kS, kE, hitLine, st);
          return;
        }
      }
      return;
    }
    if (r.anchored) {
      re.lastIndex = 0;
      for (let m = re.exec(win); m !== null && m.index <= kS; m = re.exec(win)) {
        if (m[0].length > 0 && m.index + m[0].length >= kE) {
          this.accept(r, m, ws, kS, kE, hitLine, st);
          return;
        }
        re.lastIndex = m.index + 1;
      }
      return;
    }
    re.lastIndex = 0;
    for (let m = re.exec(win); m !== null && !st.done; m = re.exec(win)) {
      if (m[0].length === 0) re.lastIndex = m.index + 1;
      else this.accept(r, m, ws, kS, kE, hitLine, st);
    }
  }

  private accept(r: CContent, m: RegExpExecArray, ws: number, kS: number, kE: number, hitLine: number, st: RuleState): void {
    const abs = ws + m.index;
    if (st.starts.has(abs)) return;
    if (st.starts.size < 10_000) st.starts.add(abs);
    const spec = r.spec;
    const g = r.group;
    const secret = typeof g === 'string' ? m.groups?.[g] : m[g];
    if (secret === undefined || secret === '') return;
    const span = typeof g === 'string' ? m.indices?.groups?.[g] : m.indices?.[g];
    const sIdx = span ? span[0] : m.index;
    if (spec.minLength && secret.length < spec.minLength) return;
    if ((spec.rejectPlaceholders ?? true) && (spec.generic ? isPlaceholderish(secret) : isPlaceholder(secret))) return;
    if (spec.entropy && shannonEntropy(secret) < spec.entropy) return;
    if (spec.allow?.some((re) => re.test(secret)) || this.rules.allowedValue(secret)) return;
    let cls: Classification = {};
    if (spec.validate) {
      const v = spec.validate(secret, m, this.file);
      if (v === false) return;
      if (v !== true) cls = v;
    }
    const win = m.input;
    let line = hitLine;
    if (sIdx >= kE) line += countNewlines(win, kE, sIdx);
    else if (sIdx < kS) line -= countNewlines(win, sIdx, kS);
    const key = cls.key ?? spec.key;
    this.add({
      key,
      severity: cls.severity ?? spec.severity,
      family: cls.family ?? (cls.key && cls.key !== spec.key ? cls.key : r.family),
      rank: cls.rank ?? r.rank,
      line,
      masked: cls.masked ?? maskSecret(utf8(secret), spec.publicPrefix),
      detail: cls.detail,
      ruleId: spec.id,
      fileType: spec.fileType ?? false,
      catchAll: cls.catchAll ?? spec.catchAll ?? false,
    });
    if (++st.accepted >= MAX_ACCEPTED) st.done = true;
  }

  // ---------------------------------------------------------------------------------------------
  // Structural and magic rules.

  private runStruct(s: StructBuf): void {
    const buf = s.parts.length === 1 ? (s.parts[0] as Buffer) : Buffer.concat(s.parts);
    s.parts = [];
    const text = decodeText(buf);
    const spec = s.rule.spec;
    let hits;
    try {
      hits = spec.check(text, this.file, s.truncated);
    } catch {
      return; // A malformed file is not a finding for a format-aware rule.
    }
    for (const h of hits) {
      if (h.secret !== undefined && (isPlaceholder(h.secret) || this.rules.allowedValue(h.secret))) continue;
      const key = h.key ?? spec.key;
      this.add({
        key,
        severity: h.severity ?? spec.severity,
        family: key !== spec.key ? key : (spec.family ?? spec.key),
        rank: h.rank ?? spec.rank ?? 50,
        line: h.index !== undefined ? lineAt(text, h.index) : undefined,
        masked: h.masked ?? (h.secret !== undefined ? maskSecret(h.secret, h.publicPrefix) : maskLabel(spec.id)),
        detail: h.detail,
        ruleId: spec.id,
        fileType: spec.fileType ?? false,
        catchAll: spec.catchAll ?? false,
      });
    }
  }

  private addMagic(p: { id: string; family: string; fileType: boolean }, hit: MagicHit | null): void {
    if (!hit) return;
    this.add({ key: hit.key, severity: hit.severity, family: p.family, rank: hit.rank ?? 50, masked: maskLabel(hit.label), detail: hit.detail, ruleId: p.id, fileType: p.fileType, catchAll: false });
  }

  private add(c: Omit<Candidate, 'severity' | 'seq'> & { severity?: Severity }): void {
    if (this.rules.isDisabled(c.key) || this.cands.length >= MAX_CANDIDATES) return;
    this.cands.push({ ...c, severity: this.rules.severityOf(c.key, c.severity), seq: this.cands.length });
  }
}

/**
 * MD5 of the whole file, paid only for files with findings (rare): up to `HOLD_BYTES` are copied
 * aside and hashed at the end if needed; a larger file is hashed as it streams from that point on.
 * The copies go into pooled buffers (the walker scans one file per layer at a time): allocating
 * per file cost more in garbage collection than the hashing it saves.
 */
const HOLD_BYTES = 4 * 1024 * 1024;
const holdPool: Buffer[] = [];
class LazyMd5 {
  private hash: Hash | null = null;
  private held: Buffer | null = null;
  private heldLen = 0;
  private dropped = false;
  update(chunk: Buffer): void {
    if (this.dropped) return;
    if (this.hash) {
      this.hash.update(chunk);
      return;
    }
    const need = this.heldLen + chunk.length;
    if (need > HOLD_BYTES) {
      this.hash = createHash('md5');
      if (this.held) this.hash.update(this.held.subarray(0, this.heldLen));
      this.release();
      this.hash.update(chunk);
      return;
    }
    this.held ??= holdPool.pop() ?? Buffer.allocUnsafe(HOLD_BYTES);
    chunk.copy(this.held, this.heldLen);
    this.heldLen = need;
  }
  digest(): string {
    const h = this.hash ?? createHash('md5');
    if (!this.hash && this.held) h.update(this.held.subarray(0, this.heldLen));
    this.drop();
    return h.digest('hex');
  }
  drop(): void {
    this.dropped = true;
    this.hash = null;
    this.release();
  }
  private release(): void {
    if (this.held && holdPool.length < 2) holdPool.push(this.held);
    this.held = null;
    this.heldLen = 0;
  }
}

/** NUL in the first bytes, or a UTF-16/32 byte-order mark: not text for the keyword pass. */
export function isBinary(head: Buffer): boolean {
  if (head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))) return true;
  return head.subarray(0, HEAD_BYTES).includes(0);
}

function decodeText(buf: Buffer): string {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return buf.toString('utf16le', 2);
  return buf.toString('utf8');
}

/** Regex windows are latin1 (byte = char); shown prefixes are re-read as UTF-8. */
function utf8(s: string): string {
  return /[\u0080-\u00ff]/.test(s) ? Buffer.from(s, 'latin1').toString('utf8') : s;
}

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = s.indexOf('\n', from); i >= 0 && i < to; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** Scans a whole buffer (tests, small inputs, image-config text) with the same engine. */
export function scanBuffer(rules: CompiledRuleSet, path: string, data: Buffer | string, opts: ScanFileOptions & { chunkSize?: number } = {}): SensitiveFinding[] {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const s = new FileScanner(rules, path, opts);
  const step = opts.chunkSize ?? 64 * 1024;
  for (let i = 0; i < buf.length; i += step) s.write(buf.subarray(i, i + step));
  return s.end();
}
