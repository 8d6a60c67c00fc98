/**
 * A stand-in for a Go executable: an ELF file carrying the build info the Go linker embeds (the
 * Go ≥ 1.18 inline format of `.go.buildinfo`: magic, pointer size, flags, then the toolchain
 * version and the module info as varint-prefixed strings). It does not run; it lets the demo show
 * Go module and standard-library findings without shipping a real multi-MiB binary.
 */
import type { GoModule } from './packages.js';

const BUILDINFO_MAGIC = '\xff Go buildinf:';
/** Sentinels Go writes around the module info text (runtime/debug). */
const MODINFO_START = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
const MODINFO_END = Buffer.from('f932433186182072008242104116d8f2', 'hex');
/** Real Go programs are megabytes; scanners skip executables below 64 KiB. */
const MIN_SIZE = 96 * 1024;
const HEAD_SIZE = 0x1000;

function uvarint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

export interface GoBuild {
  goVersion: string;
  main: GoModule;
  deps: GoModule[];
}

/** The module info text as `go version -m` prints it (without hashes: the demo has no module zips to hash). */
export function modInfoText(b: GoBuild): string {
  const lines = [`path\t${b.main.path}`, `mod\t${b.main.path}\t${b.main.version}\t`];
  for (const d of b.deps) lines.push(`dep\t${d.path}\t${d.version}`);
  lines.push('build\t-buildmode=exe', 'build\t-compiler=gc', 'build\tCGO_ENABLED=0', 'build\tGOARCH=amd64', 'build\tGOOS=linux', 'build\tGOAMD64=v1');
  return `${lines.join('\n')}\n`;
}

export function goBinary(b: GoBuild): Buffer {
  const header = Buffer.alloc(32);
  header.write(BUILDINFO_MAGIC, 0, 'latin1');
  header[14] = 8; // pointer size
  header[15] = 2; // flags: inline strings, little-endian
  const modinfo = Buffer.concat([MODINFO_START, Buffer.from(modInfoText(b)), MODINFO_END]);
  const blob = Buffer.concat([header, uvarint(b.goVersion.length), Buffer.from(b.goVersion), uvarint(modinfo.length), modinfo]);
  const note = Buffer.from('Tarsier demo image: this file is not a program, it carries Go build information only.\n');
  const body = Buffer.concat([note, Buffer.alloc(16 - (note.length % 16)), blob]);
  const total = Math.max(MIN_SIZE, HEAD_SIZE + body.length);
  return Buffer.concat([elfHead(total), body, Buffer.alloc(total - HEAD_SIZE - body.length)]);
}

/** A 64-bit little-endian x86-64 ELF header with one PT_LOAD segment mapping the whole file. */
function elfHead(total: number): Buffer {
  const head = Buffer.alloc(HEAD_SIZE);
  head.writeUInt32BE(0x7f454c46, 0);
  head[4] = 2; // ELFCLASS64
  head[5] = 1; // little-endian
  head[6] = 1; // EV_CURRENT
  head.writeUInt16LE(2, 16); // ET_EXEC
  head.writeUInt16LE(62, 18); // EM_X86_64
  head.writeUInt32LE(1, 20);
  head.writeBigUInt64LE(0x401000n, 24); // entry
  head.writeBigUInt64LE(64n, 32); // e_phoff
  head.writeUInt16LE(64, 52); // e_ehsize
  head.writeUInt16LE(56, 54); // e_phentsize
  head.writeUInt16LE(1, 56); // e_phnum
  head.writeUInt32LE(1, 64); // PT_LOAD
  head.writeUInt32LE(5, 68); // R+X
  head.writeBigUInt64LE(0n, 72); // p_offset
  head.writeBigUInt64LE(0x400000n, 80); // p_vaddr
  head.writeBigUInt64LE(0x400000n, 88); // p_paddr
  head.writeBigUInt64LE(BigInt(total), 96); // p_filesz
  head.writeBigUInt64LE(BigInt(total), 104); // p_memsz
  head.writeBigUInt64LE(0x1000n, 112); // p_align
  return head;
}
