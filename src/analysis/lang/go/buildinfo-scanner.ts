/**
 * Finds the Go build-info blob in a binary delivered as chunks of any size. Between chunks it
 * keeps either the last 13 bytes (a magic may straddle the boundary) or, once an aligned magic
 * is seen, the bytes from that magic on until the blob is complete: never more than the blob's
 * capped size. After the blob is found, further chunks are ignored.
 */
import { BUILDINFO_ALIGN, BUILDINFO_MAGIC, readBuildInfoBlob } from './buildinfo-blob.js';

export interface PointerHeader {
  ptrSize: number;
  bigEndian: boolean;
  versionAddr: number;
  modinfoAddr: number;
}

export type ScanOutcome =
  | { kind: 'found'; goVersion: string; modinfo: string; offset: number }
  /** Only pre-1.18 pointer-format headers were seen (the first one is described). */
  | { kind: 'pointer-format'; offset: number; header: PointerHeader }
  /** The stream ended inside a blob. */
  | { kind: 'truncated'; offset: number }
  | { kind: 'too-large'; offset: number; declared: number }
  | { kind: 'none' };

const EMPTY = Buffer.alloc(0);

export class BuildInfoScanner {
  /** Unsearched or pending bytes; `windowStart` is the file offset of `window[0]`. */
  private window: Buffer = EMPTY;
  private windowStart = 0;
  private searchFrom = 0;
  /**
   * While `window` starts with an aligned magic whose blob is incomplete: how many bytes the blob
   * needs at least, and the chunks received since, joined only once enough have arrived (so tiny
   * chunks do not cost a copy of the whole pending blob each).
   */
  private pendingNeed = 0;
  private pendingChunks: Buffer[] = [];
  private pendingBytes = 0;
  /** The first aligned pointer-format header, as soon as it is seen (the caller must chase its pointers while the stream goes on). */
  pointerFormat: { offset: number; header: PointerHeader } | null = null;
  private outcome: ScanOutcome | null = null;

  /** True once an inline blob (or an unreadable one) settled the outcome; later bytes are ignored. */
  get settled(): boolean {
    return this.outcome !== null;
  }

  write(chunk: Buffer): void {
    if (this.outcome || chunk.length === 0) return;
    if (this.pendingNeed > 0) {
      this.pendingChunks.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.window.length + this.pendingBytes < this.pendingNeed) return;
      this.window = Buffer.concat([this.window, ...this.pendingChunks]);
      this.pendingChunks = [];
      this.pendingBytes = 0;
    } else {
      this.window = this.window.length === 0 ? chunk : Buffer.concat([this.window, chunk]);
    }
    this.scan();
  }

  /** Call once the whole file has been written. */
  finish(): ScanOutcome {
    if (this.outcome) return this.outcome;
    if (this.pendingNeed > 0) return { kind: 'truncated', offset: this.windowStart };
    if (this.pointerFormat !== null) return { kind: 'pointer-format', ...this.pointerFormat };
    return { kind: 'none' };
  }

  private scan(): void {
    this.pendingNeed = 0;
    while (true) {
      const idx = this.window.indexOf(BUILDINFO_MAGIC, this.searchFrom);
      if (idx < 0) {
        this.keepFrom(Math.max(this.searchFrom, this.window.length - (BUILDINFO_MAGIC.length - 1)));
        return;
      }
      const offset = this.windowStart + idx;
      if (offset % BUILDINFO_ALIGN !== 0) {
        this.searchFrom = idx + 1;
        continue;
      }
      const read = readBuildInfoBlob(this.window.subarray(idx));
      switch (read.status) {
        case 'need-more':
          this.keepFrom(idx);
          this.pendingNeed = read.need;
          return;
        case 'invalid':
          this.searchFrom = idx + 1;
          continue;
        case 'pointer-format':
          // Keep looking: a later aligned inline blob would be the real one.
          this.pointerFormat ??= { offset, header: { ptrSize: read.ptrSize, bigEndian: read.bigEndian, versionAddr: read.versionAddr, modinfoAddr: read.modinfoAddr } };
          this.searchFrom = idx + 1;
          continue;
        case 'too-large':
          this.done({ kind: 'too-large', offset, declared: read.declared });
          return;
        case 'ok':
          this.done({ kind: 'found', goVersion: read.goVersion, modinfo: read.modinfo, offset });
          return;
      }
    }
  }

  /** Drops bytes before `from`, copying the rest so no caller chunk is retained. */
  private keepFrom(from: number): void {
    this.window = Buffer.from(this.window.subarray(from));
    this.windowStart += from;
    this.searchFrom = 0;
  }

  private done(outcome: ScanOutcome): void {
    this.outcome = outcome;
    this.window = EMPTY;
  }
}
