/**
 * Shared helpers for the language-package analyzer tests: feed a file to an analyzer the way the
 * walker does (whole buffer, or chunks of a chosen size), walk a real tar layer, pick facts.
 */
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { walkLayer } from '../../src/analysis/walker.js';
import type { Analyzer, AnalyzerContext, EntryInfo, Fact, FileAnalyzer, Package, PackagesFact, StreamAnalyzer, WarningFact } from '../../src/analysis/types.js';

export const ctx: AnalyzerContext = { diffId: 'sha256:test', warn: () => undefined };

export function fileEntry(path: string, size: number, mode = 0o644): EntryInfo {
  return { path, type: 'file', size, mode, uid: 0, gid: 0 };
}

export async function analyzeWhole(analyzer: FileAnalyzer, path: string, content: Buffer | string): Promise<Fact[]> {
  const buf = typeof content === 'string' ? Buffer.from(content) : content;
  return analyzer.analyze(fileEntry(path, buf.length), buf, ctx);
}

/** Streams `content` in chunks of `chunkSize` (or of the sizes `chunkSize` returns in turn). */
export async function streamThrough(analyzer: StreamAnalyzer, path: string, content: Buffer, chunkSize: number | (() => number), mode = 0o755): Promise<Fact[]> {
  const sink = analyzer.open(fileEntry(path, content.length, mode), ctx);
  const next = typeof chunkSize === 'number' ? () => chunkSize : chunkSize;
  for (let i = 0; i < content.length; ) {
    const n = Math.max(1, next());
    sink.write(content.subarray(i, i + n));
    i += n;
  }
  return sink.end();
}

/** A deterministic chunk-size generator (xorshift), sizes in [1, max]. */
export function randomChunks(seed: number, max: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return 1 + (x % max);
  };
}

export const packagesOf = (facts: Fact[]): Package[] => facts.filter((f): f is PackagesFact => f.kind === 'packages').flatMap((f) => f.packages);
export const warningsOf = (facts: Fact[]): string[] => facts.filter((f): f is WarningFact => f.kind === 'warning').map((f) => f.message);
export const ids = (pkgs: Package[]): string[] => pkgs.map((p) => `${p.name}@${p.version}`).sort();

/** Packs the files into one tar layer and walks it with the analyzers, as a scan would. */
export async function walkFiles(files: Array<{ path: string; content: Buffer | string; mode?: number }>, analyzers: Analyzer[]): Promise<{ facts: Fact[]; warnings: string[] }> {
  const pack = tar.pack();
  for (const f of files) {
    const content = typeof f.content === 'string' ? Buffer.from(f.content) : f.content;
    pack.entry({ name: f.path, size: content.length, mode: f.mode ?? 0o644 }, content);
  }
  pack.finalize();
  const warnings: string[] = [];
  const chunks: Buffer[] = [];
  for await (const c of pack as unknown as AsyncIterable<Buffer>) chunks.push(c);
  const result = await walkLayer(Readable.from([Buffer.concat(chunks)]), analyzers, {
    diffId: 'sha256:test',
    where: 'test layer',
    limits: { maxEntries: 100_000 },
    onWarning: (m) => warnings.push(m),
  });
  return { facts: Object.values(result).flatMap((r) => r.facts), warnings };
}

// ---------------------------------------------------------------------------------------------
// A minimal zip writer, for archives the `jar` tool will not make (bombs, lies, odd layouts).

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const b of data) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface ZipMember {
  name: string;
  data: Buffer | string;
  /** 0 stored, 8 deflated (default). */
  method?: 0 | 8;
  /** Sizes and CRC after the data (flag bit 3), as streaming writers do. */
  descriptor?: boolean;
  /** Already-deflated bytes to store as the entry's data (a bomb made without inflating it here). */
  raw?: { compressed: Buffer; size: number; crc: number };
}

export function makeZip(members: ZipMember[], deflate: (b: Buffer) => Buffer): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const data = typeof m.data === 'string' ? Buffer.from(m.data) : m.data;
    const method = m.method ?? 8;
    const compressed = m.raw?.compressed ?? (method === 8 ? deflate(data) : data);
    const size = m.raw?.size ?? data.length;
    const crc = m.raw?.crc ?? crc32(data);
    const name = Buffer.from(m.name);
    const flags = 0x800 | (m.descriptor ? 0x8 : 0);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(m.descriptor ? 0 : crc, 14);
    local.writeUInt32LE(m.descriptor ? 0 : compressed.length, 18);
    local.writeUInt32LE(m.descriptor ? 0 : size, 22);
    local.writeUInt16LE(name.length, 26);
    const descriptor = Buffer.alloc(m.descriptor ? 16 : 0);
    if (m.descriptor) {
      descriptor.writeUInt32LE(0x08074b50, 0);
      descriptor.writeUInt32LE(crc, 4);
      descriptor.writeUInt32LE(compressed.length, 8);
      descriptor.writeUInt32LE(size, 12);
    }
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(flags, 8);
    cd.writeUInt16LE(method, 10);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(compressed.length, 20);
    cd.writeUInt32LE(size, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    central.push(cd, name);
    parts.push(local, name, compressed, descriptor);
    offset += local.length + name.length + compressed.length + descriptor.length;
  }
  const cdBytes = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(members.length, 8);
  eocd.writeUInt16LE(members.length, 10);
  eocd.writeUInt32LE(cdBytes.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cdBytes, eocd]);
}
