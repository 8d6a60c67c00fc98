/**
 * Streaming SHA-256/512 on a worker thread. A cold scan's main thread parses tar, runs the
 * analyzers and the secret scanner, and receives zlib's output; the two digests every layer is
 * checked against (stored blob, uncompressed tar) were a further ~15% of it. On a 2-core machine
 * the main thread is the bottleneck while the second core is mostly idle, so the hashing moves
 * there: chunks are copied into 1 MiB blocks that travel to the worker and back (transferred, never
 * reallocated; the copy costs a small fraction of the hash), one shared worker serves every hash in
 * flight, and bytes not yet hashed are bounded so a starved worker slows the stream instead of
 * growing memory.
 */
import { Worker } from 'node:worker_threads';

/** CommonJS, evaluated by the worker: no file to resolve, so it runs the same from src/ and dist/. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashes = new Map();
parentPort.on('message', (m) => {
  if (m.op === 'start') hashes.set(m.id, createHash(m.alg));
  else if (m.op === 'data') {
    hashes.get(m.id)?.update(new Uint8Array(m.buf, 0, m.len));
    // The block goes back to be filled again: no allocation, no page faults, bounded memory.
    parentPort.postMessage({ id: m.id, hashed: m.len, buf: m.buf }, [m.buf]);
  } else if (m.op === 'end') {
    const h = hashes.get(m.id);
    hashes.delete(m.id);
    parentPort.postMessage({ id: m.id, digest: h ? h.digest('hex') : '' });
  } else if (m.op === 'drop') hashes.delete(m.id);
});
`;

const BLOCK = 1 << 20;
/** Bytes handed to the worker and not yet hashed, over all hashes, before writers wait. */
const MAX_IN_FLIGHT = 8 << 20;

type Reply = { id: number; hashed: number; buf: ArrayBuffer } | { id: number; digest: string };

class HashWorker {
  private readonly worker: Worker;
  private readonly digests = new Map<number, { resolve: (hex: string) => void; reject: (err: Error) => void }>();
  private active = 0;
  private nextId = 1;
  inFlight = 0;
  private waiters: Array<() => void> = [];
  /** Blocks back from the worker, ready to be filled again. */
  private readonly free: ArrayBuffer[] = [];
  failure: Error | undefined;

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true });
    this.worker.unref();
    this.worker.on('message', (m: Reply) => {
      if ('hashed' in m) {
        this.inFlight -= m.hashed;
        if (this.free.length < MAX_IN_FLIGHT / BLOCK) this.free.push(m.buf);
        if (this.inFlight <= MAX_IN_FLIGHT / 2) this.wake();
        return;
      }
      const d = this.digests.get(m.id);
      this.digests.delete(m.id);
      this.release();
      d?.resolve(m.digest);
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`hash worker exited with code ${code}`)));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const d of this.digests.values()) d.reject(this.failure);
    this.digests.clear();
    this.wake();
    if (shared === this) shared = undefined;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  start(alg: string): number {
    const id = this.nextId++;
    // Keep the process alive only while a hash is open: an idle worker never holds up exit.
    if (this.active++ === 0) this.worker.ref();
    this.worker.postMessage({ op: 'start', id, alg });
    return id;
  }

  block(): Uint8Array {
    return new Uint8Array(this.free.pop() ?? new ArrayBuffer(BLOCK));
  }

  send(id: number, block: Uint8Array, len: number): void {
    this.inFlight += len;
    this.worker.postMessage({ op: 'data', id, buf: block.buffer, len }, [block.buffer as ArrayBuffer]);
  }

  /** Resolves once the worker has caught up enough; immediately when it already has. */
  whenReady(): Promise<void> | null {
    if (this.inFlight <= MAX_IN_FLIGHT || this.failure) return null;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  end(id: number): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.digests.set(id, { resolve, reject });
      this.worker.postMessage({ op: 'end', id });
    });
  }

  drop(id: number): void {
    if (this.failure) return;
    this.worker.postMessage({ op: 'drop', id });
    this.release();
  }

  private release(): void {
    if (--this.active === 0) this.worker.unref();
  }
}

let shared: HashWorker | undefined;

/** One hash computed on the shared worker; `update` copies, so callers may reuse their chunks. */
export class OffThreadHash {
  private readonly worker: HashWorker;
  private readonly id: number;
  private block: Uint8Array;
  private used = 0;
  private closed = false;

  constructor(alg: 'sha256' | 'sha512') {
    this.worker = shared ??= new HashWorker();
    this.id = this.worker.start(alg);
    this.block = this.worker.block();
  }

  update(chunk: Uint8Array): void {
    let off = 0;
    while (off < chunk.length) {
      const n = Math.min(chunk.length - off, BLOCK - this.used);
      this.block.set(chunk.subarray(off, off + n), this.used);
      this.used += n;
      off += n;
      if (this.used === BLOCK) this.flush();
    }
  }

  /** A promise to wait on before feeding more, when too many bytes are waiting to be hashed. */
  ready(): Promise<void> | null {
    return this.worker.whenReady();
  }

  async digest(): Promise<string> {
    if (this.used > 0) this.flush();
    this.closed = true;
    return this.worker.end(this.id);
  }

  /** Abandons the hash (the stream failed); frees its state in the worker. */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    this.worker.drop(this.id);
  }

  private flush(): void {
    this.worker.send(this.id, this.block, this.used);
    this.block = this.worker.block();
    this.used = 0;
  }
}
