/**
 * Reads a Go ELF executable's build info from a stream, in one pass and bounded memory.
 *
 * - Go ≥ 1.18: the `.go.buildinfo` blob holds the toolchain version and module info inline
 *   (BuildInfoScanner).
 * - Go 1.13–1.17: the blob holds pointers to the string headers of `runtime.buildVersion` and
 *   `runtime.modinfo`. The linker puts those headers in the data segment after the blob, and the
 *   string bytes in rodata before it. So while streaming we remember what follows every candidate
 *   string start (`go1.`, and module info's start sentinel), map the header pointers to
 *   file offsets with the ELF program headers once the blob is seen, copy the headers as they pass,
 *   and at the end follow them to the remembered strings.
 * - No blob at all (Go 1.11/1.12, or a tool that stripped the section): the module info is still
 *   found by its sentinels; the toolchain version is then unknown.
 */
import { MAX_MODINFO_BYTES, MODINFO_END, MODINFO_START, readPointer, stripSentinels } from './buildinfo-blob.js';
import { BuildInfoScanner } from './buildinfo-scanner.js';
import type { ElfLayout } from './elf-layout.js';
import { fileOffsetOf, readElfLayout } from './elf-layout.js';
import { OccurrenceRecorder, RangeCapture } from './stream-capture.js';

export type GoScanResult =
  | { kind: 'none' }
  | {
      kind: 'found';
      /** Which route gave the module info; `sentinels` means no usable build-info blob. */
      via: 'inline' | 'pointers' | 'sentinels';
      /** Toolchain version as the runtime reports it (`go1.16`), null when it could not be read. */
      goVersion: string | null;
      /** Module info text without sentinels; empty for binaries built outside module mode. */
      modinfo: string;
      /** Why something could not be read (for a warning). */
      notes: string[];
    }
  | { kind: 'unreadable'; message: string };

/** Program headers sit right after the ELF header in every real executable. */
const MAX_HEAD_BYTES = 64 * 1024;
/** Long enough for `go1.17.13 X:boringcrypto,fieldtrack` forms. */
const MAX_VERSION_BYTES = 128;
/** Candidate version strings kept: a Go binary has a handful (`go1.16`, file names like `go1.13.go`). */
const MAX_VERSION_CANDIDATES = 512;
/** Module info occurrences kept: one per binary, a second in Go ≥ 1.18 (inside the blob). */
const MAX_MODINFO_CANDIDATES = 8;

export class GoBinaryScanner {
  private position = 0;
  private head: Buffer[] = [];
  private headBytes = 0;
  private layout: ElfLayout | null | undefined;
  private readonly blob = new BuildInfoScanner();
  private readonly modinfos = new OccurrenceRecorder(MODINFO_START, MAX_MODINFO_BYTES + 2 * MODINFO_START.length, MAX_MODINFO_CANDIDATES, MODINFO_END);
  /**
   * Release toolchains only: a `devel …` toolchain names no release, so its stdlib could not be
   * reported anyway, and one search fewer keeps the scan fast over every executable of an image.
   */
  private readonly versions = [new OccurrenceRecorder(Buffer.from('go1.'), MAX_VERSION_BYTES, MAX_VERSION_CANDIDATES)];
  private readonly headers = new RangeCapture();
  /** Set once a pointer-format blob's header addresses have been mapped (or could not be). */
  private pointerPlan: { versionAt: number | null; modinfoAt: number | null; ptrSize: number; bigEndian: boolean; problem?: string } | null = null;

  write(chunk: Buffer): void {
    if (chunk.length === 0 || this.blob.settled) return;
    const at = this.position;
    this.position += chunk.length;
    if (this.headBytes < MAX_HEAD_BYTES) {
      const part = Buffer.from(chunk.subarray(0, MAX_HEAD_BYTES - this.headBytes));
      this.head.push(part);
      this.headBytes += part.length;
    }
    this.blob.write(chunk);
    if (this.blob.settled) return; // inline build info: nothing else is needed
    this.modinfos.write(chunk, at);
    for (const v of this.versions) v.write(chunk, at);
    if (this.blob.pointerFormat && !this.pointerPlan) this.planPointers();
    this.headers.write(chunk, at);
  }

  finish(): GoScanResult {
    this.modinfos.finish();
    for (const v of this.versions) v.finish();
    const outcome = this.blob.finish();
    switch (outcome.kind) {
      case 'found':
        return { kind: 'found', via: 'inline', goVersion: outcome.goVersion, modinfo: outcome.modinfo, notes: [] };
      case 'truncated':
        return { kind: 'unreadable', message: `Go build info at offset ${outcome.offset} is cut off by the end of the file` };
      case 'too-large':
        return { kind: 'unreadable', message: `Go module info at offset ${outcome.offset} declares ${outcome.declared} bytes, over the limit` };
      case 'pointer-format':
        return this.resolvePointers();
      case 'none': {
        const modinfo = this.onlyModinfo();
        if (modinfo === null) return { kind: 'none' };
        return { kind: 'found', via: 'sentinels', goVersion: null, modinfo, notes: ['no Go build-info section; toolchain version unknown'] };
      }
    }
  }

  /** Maps the blob's two header addresses to file offsets and asks for those bytes. */
  private planPointers(): void {
    const { header, offset } = this.blob.pointerFormat as NonNullable<BuildInfoScanner['pointerFormat']>;
    const plan: NonNullable<GoBinaryScanner['pointerPlan']> = { versionAt: null, modinfoAt: null, ptrSize: header.ptrSize, bigEndian: header.bigEndian };
    this.pointerPlan = plan;
    const layout = this.elfLayout();
    if (!layout) {
      plan.problem = 'ELF program headers unreadable';
      return;
    }
    const map = (addr: number): number | null => {
      const off = fileOffsetOf(layout, addr, 2 * header.ptrSize);
      return off !== null && off > offset && this.headers.want(off, 2 * header.ptrSize) ? off : null;
    };
    plan.versionAt = map(header.versionAddr);
    plan.modinfoAt = header.modinfoAddr === 0 ? null : map(header.modinfoAddr);
    if (plan.versionAt === null) plan.problem = 'build-info pointers lead outside the data that follows the header';
  }

  private resolvePointers(): GoScanResult {
    const plan = this.pointerPlan;
    const layout = this.elfLayout();
    const notes: string[] = [];
    let goVersion: string | null = null;
    let modinfo: string | null = null;
    if (plan && layout && !plan.problem) {
      goVersion = this.followString(layout, plan, plan.versionAt, (off) => this.versions.map((v) => v.found.get(off)).find((b) => b !== undefined));
      const mod = this.followString(layout, plan, plan.modinfoAt, (off) => this.modinfos.found.get(off));
      if (mod !== null) modinfo = mod === '' ? '' : stripSentinels(Buffer.from(mod, 'latin1'));
    } else if (plan?.problem) notes.push(plan.problem);
    if (goVersion === null) notes.push('Go toolchain version not found through the build-info pointers');
    if (modinfo === null) {
      // Module info is bracketed by sentinels, so it is found even when the pointers are not followed.
      modinfo = this.onlyModinfo() ?? '';
    }
    if (goVersion === null && modinfo === '') return { kind: 'unreadable', message: `Go build info (pre-1.18 pointer format) could not be resolved: ${notes.join('; ')}` };
    return { kind: 'found', via: 'pointers', goVersion, modinfo, notes };
  }

  /**
   * Reads the Go string header (data pointer, length) captured at `headerAt` and returns the
   * string's bytes (latin1) from the candidates recorded at that file offset; '' for an empty
   * string, null when it cannot be followed.
   */
  private followString(layout: ElfLayout, plan: NonNullable<GoBinaryScanner['pointerPlan']>, headerAt: number | null, candidateAt: (off: number) => Buffer | undefined): string | null {
    if (headerAt === null) return null;
    const header = this.headers.get(headerAt, 2 * plan.ptrSize);
    if (!header) return null;
    const ptr = readPointer(header, 0, plan.ptrSize, plan.bigEndian);
    const len = readPointer(header, plan.ptrSize, plan.ptrSize, plan.bigEndian);
    if (ptr === null || len === null) return null;
    if (len === 0) return '';
    const off = fileOffsetOf(layout, ptr, len);
    if (off === null) return null;
    const bytes = candidateAt(off);
    if (!bytes || bytes.length < len) return null;
    return bytes.subarray(0, len).toString('latin1');
  }

  /** The module info found by sentinels, when the binary holds exactly one distinct text. */
  private onlyModinfo(): string | null {
    const texts = new Set<string>();
    for (const bytes of this.modinfos.found.values()) {
      if (!bytes.subarray(-MODINFO_END.length).equals(MODINFO_END)) continue;
      const text = stripSentinels(bytes);
      if (text !== '') texts.add(text);
    }
    return texts.size === 1 ? ([...texts][0] as string) : null;
  }

  private elfLayout(): ElfLayout | null {
    if (this.layout !== undefined) return this.layout;
    const read = readElfLayout(Buffer.concat(this.head, this.headBytes));
    // A table beyond the kept head is not worth more memory: the pointers just stay unresolved.
    this.layout = read.status === 'ok' ? read.layout : null;
    return this.layout;
  }
}
