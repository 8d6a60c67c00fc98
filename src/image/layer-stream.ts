/**
 * Turns a stored layer blob into its uncompressed tar stream, checking everything on the way:
 * the stored bytes against the descriptor (size and digest), the uncompressed bytes against the
 * config's diffID, and both against the size limits. Compression is detected from the bytes, not
 * trusted from the media type. Nothing here buffers more than one chunk.
 */
import { createHash, type Hash } from 'node:crypto';
import { PassThrough, type Readable, Transform, type TransformCallback } from 'node:stream';
import { createGunzip, type ZlibOptions } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { TarsierError } from '../errors.js';
import { OffThreadHash } from './off-thread-hash.js';
import type { Descriptor } from './types.js';

export interface LayerLimits {
  /** Maximum uncompressed bytes of one layer. */
  maxLayerBytes: number;
  /** Maximum uncompressed bytes of the whole image; `imageBytesSoFar` counts earlier layers. */
  maxImageBytes: number;
}

export interface LayerStreamOptions extends LayerLimits {
  desc: Descriptor;
  diffId: string;
  /** Uncompressed bytes of the image's earlier layers already read. */
  imageBytesSoFar: number;
  /**
   * Shared running total of uncompressed bytes when several layers of one image stream at once;
   * each layer adds to it as bytes flow, so the image limit holds across concurrent layers.
   */
  imageCounter?: { bytes: number };
  /** Called with (storedBytes, uncompressedBytes) as data flows; for progress display. */
  onProgress?: (stored: number, uncompressed: number) => void;
  /** Where, for messages: `image REF layer N`. */
  where: string;
  /** The source already verifies the stored digest while streaming: count and bound, don't hash twice. */
  storedDigestVerified?: boolean;
  /** Hash on the shared worker thread (see off-thread-hash.ts) instead of this one. */
  offThreadHash?: boolean;
}

/** zstd windows above this are refused: a hostile frame header could ask for 2 GiB. */
const MAX_ZSTD_WINDOW = 256 << 20;

/** A running digest, computed here or on the hash worker; `ready` is its backpressure. */
interface StreamDigest {
  update(chunk: Buffer): void;
  ready(): Promise<void> | null;
  digest(): Promise<string>;
  abort(): void;
}

function digestFor(digest: string, offThread: boolean): StreamDigest | null {
  const alg = digest.split(':')[0];
  if (alg !== 'sha256' && alg !== 'sha512') return null;
  if (offThread) return new OffThreadHash(alg);
  const h: Hash = createHash(alg);
  return { update: (c) => h.update(c), ready: () => null, digest: async () => h.digest('hex'), abort: () => undefined };
}

/** Passes a chunk on once the digest can take more (at once, unless the hash worker lags). */
function passOn(stream: Transform, hash: StreamDigest | null, chunk: Buffer, cb: TransformCallback): void {
  const wait = hash?.ready();
  if (!wait) {
    cb(null, chunk);
    return;
  }
  stream.push(chunk);
  void wait.then(() => cb());
}

/** Finishes a check: compares the digest, then ends the stream or fails it with `mismatch`. */
function verify(hash: StreamDigest | null, expected: string, mismatch: (actual: string) => TarsierError, cb: TransformCallback): void {
  if (!hash) {
    cb();
    return;
  }
  hash.digest().then(
    (hex) => {
      const actual = `${expected.split(':')[0]}:${hex}`;
      cb(actual === expected ? null : mismatch(actual));
    },
    // Not the input's fault: reported as an internal error.
    (err: Error) => cb(new Error(`hashing on the worker thread failed (${err.message})`)),
  );
}

/** Counts, hashes and bounds the stored bytes; verifies digest and size at the end. */
class StoredBytesCheck extends Transform {
  private readonly hash: StreamDigest | null;
  bytes = 0;
  constructor(
    private readonly desc: Descriptor,
    verifyDigest: boolean,
    private readonly where: string,
    private readonly progress: () => void,
    offThread: boolean,
  ) {
    super();
    this.hash = verifyDigest ? digestFor(desc.digest, offThread) : null;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.desc.size > 0 && this.bytes > this.desc.size) {
      cb(new TarsierError('digest_mismatch', `${this.where}: blob ${this.desc.digest} is larger than the ${this.desc.size} bytes its manifest declares`));
      return;
    }
    this.hash?.update(chunk);
    this.progress();
    passOn(this, this.hash, chunk, cb);
  }
  override _flush(cb: TransformCallback): void {
    if (this.desc.size > 0 && this.bytes !== this.desc.size) {
      cb(new TarsierError('digest_mismatch', `${this.where}: blob ${this.desc.digest} has ${this.bytes} bytes, its manifest declares ${this.desc.size}`));
      return;
    }
    verify(this.hash, this.desc.digest, (actual) => new TarsierError('digest_mismatch', `${this.where}: blob content hashes to ${actual.slice(0, 19)}…, not ${this.desc.digest}`), cb);
  }
  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    this.hash?.abort();
    cb(err);
  }
}

/** Counts, hashes and bounds the uncompressed tar; verifies the diffID at the end. */
class DiffIdCheck extends Transform {
  private readonly hash: StreamDigest | null;
  bytes = 0;
  constructor(private readonly opts: LayerStreamOptions, private readonly progress: () => void) {
    super({ highWaterMark: 1 << 20 });
    this.hash = digestFor(opts.diffId, opts.offThreadHash === true);
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.opts.imageCounter) this.opts.imageCounter.bytes += chunk.length;
    if (this.bytes > this.opts.maxLayerBytes) {
      cb(new TarsierError('layer_oversized', `${this.opts.where}: uncompressed layer exceeds the ${this.opts.maxLayerBytes}-byte layer limit`));
      return;
    }
    const imageSoFar = this.opts.imageCounter ? this.opts.imageCounter.bytes : this.opts.imageBytesSoFar + this.bytes;
    if (imageSoFar > this.opts.maxImageBytes) {
      cb(new TarsierError('image_oversized', `${this.opts.where}: image exceeds the ${this.opts.maxImageBytes}-byte uncompressed image limit`));
      return;
    }
    this.hash?.update(chunk);
    this.progress();
    passOn(this, this.hash, chunk, cb);
  }
  override _flush(cb: TransformCallback): void {
    verify(this.hash, this.opts.diffId, (actual) => new TarsierError('digest_mismatch', `${this.opts.where}: uncompressed layer hashes to ${actual.slice(0, 19)}…, not diffID ${this.opts.diffId}`), cb);
  }
  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    this.hash?.abort();
    cb(err);
  }
}

/** Streams a zstd layer through fzstd, refusing oversized windows up front. */
class ZstdStream extends Transform {
  private readonly z: ZstdDecompress;
  private checkedHeader = false;
  constructor(private readonly where: string) {
    super();
    this.z = new ZstdDecompress((data) => {
      this.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      if (!this.checkedHeader) {
        this.checkedHeader = true;
        const window = zstdWindowSize(chunk);
        if (window !== null && window > MAX_ZSTD_WINDOW) throw new Error(`window of ${window} bytes is over the ${MAX_ZSTD_WINDOW}-byte limit`);
      }
      this.z.push(chunk);
      cb();
    } catch (err) {
      cb(new TarsierError('input', `${this.where}: corrupt zstd stream (${(err as Error).message})`));
    }
  }
  override _flush(cb: TransformCallback): void {
    try {
      this.z.push(new Uint8Array(0), true);
      cb();
    } catch (err) {
      cb(new TarsierError('input', `${this.where}: truncated or corrupt zstd stream (${(err as Error).message})`));
    }
  }
}

/** Window size declared by the first zstd frame header, or null if it cannot be read yet. */
function zstdWindowSize(buf: Buffer): number | null {
  if (buf.length < 6) return null;
  const fhd = buf[4] as number;
  const singleSegment = (fhd >> 5) & 1;
  if (!singleSegment) {
    const wd = buf[5] as number;
    const base = 2 ** (10 + (wd >> 3));
    return base + (base / 8) * (wd & 7);
  }
  const fcsFlag = fhd >> 6;
  const didFlag = fhd & 3;
  const at = 5 + [0, 1, 2, 4][didFlag]!;
  const len = [1, 2, 4, 8][fcsFlag]!;
  if (buf.length < at + len) return null;
  if (len === 1) return buf[at] as number;
  if (len === 2) return buf.readUInt16LE(at) + 256;
  if (len === 4) return buf.readUInt32LE(at);
  return Number(buf.readBigUInt64LE(at));
}

/**
 * Opens the uncompressed tar stream of one layer. The returned stream errors (with a
 * TarsierError) on a digest or size mismatch, a corrupt stream, or a limit; consumers must read
 * it to the end for the checks to run.
 */
export function uncompressedLayer(stored: Readable, opts: LayerStreamOptions): { tar: Readable; storedBytes: () => number; tarBytes: () => number } {
  let storedCheck: StoredBytesCheck | undefined;
  const report = () => opts.onProgress?.(storedCheck?.bytes ?? 0, diffCheck.bytes);
  // A legacy docker-archive layer is named by its diffID; if it turns out compressed, the stored
  // bytes cannot hash to it, and the diffID check after decompression covers integrity instead.
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  const diffCheck = new DiffIdCheck(opts, report);
  let started = false;
  const fail = (err: unknown) => {
    const e = err instanceof TarsierError ? err : new TarsierError('input', `${opts.where}: ${(err as Error).message}`);
    out.destroy(e);
    stored.destroy();
  };
  stored.once('error', (err) => fail(err instanceof TarsierError ? err : new TarsierError('network', `${opts.where}: reading blob failed (${err.message})`)));
  const head: Buffer[] = [];
  let headLen = 0;
  const onData = (chunk: Buffer) => {
    head.push(chunk);
    headLen += chunk.length;
    if (headLen < 4) return;
    stored.off('data', onData);
    stored.off('end', onEnd);
    start(Buffer.concat(head), false);
  };
  const onEnd = () => start(Buffer.concat(head), true);
  const start = (first: Buffer, ended: boolean) => {
    if (started) return;
    started = true;
    const gzip = first[0] === 0x1f && first[1] === 0x8b;
    const zstd = first.length >= 4 && first[0] === 0x28 && first[1] === 0xb5 && first[2] === 0x2f && first[3] === 0xfd;
    const compressed = gzip || zstd;
    const verifyStored = !opts.storedDigestVerified && !(compressed && opts.desc.digest === opts.diffId);
    storedCheck = new StoredBytesCheck(opts.desc, verifyStored, opts.where, report, opts.offThreadHash === true);
    // A deep output buffer lets zlib (on the thread pool) decompress ahead while this thread parses tar.
    const decompressor: Transform = gzip ? createGunzip({ chunkSize: 256 << 10, highWaterMark: 8 << 20 } as ZlibOptions) : zstd ? new ZstdStream(opts.where) : new PassThrough();
    const stages: Transform[] = [storedCheck, decompressor, diffCheck];
    for (const s of stages) s.once('error', (err) => fail(s === decompressor && !(err instanceof TarsierError) ? new TarsierError('input', `${opts.where}: corrupt or truncated compressed layer (${err.message})`) : err));
    storedCheck.pipe(decompressor).pipe(diffCheck).pipe(out);
    storedCheck.write(first);
    if (ended) storedCheck.end();
    else stored.pipe(storedCheck);
  };
  stored.on('data', onData);
  stored.once('end', onEnd);
  return { tar: out, storedBytes: () => storedCheck?.bytes ?? 0, tarBytes: () => diffCheck.bytes };
}
