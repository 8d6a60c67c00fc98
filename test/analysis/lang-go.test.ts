import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { goBinaryAnalyzer } from '../../src/analysis/analyzers/go-binary.js';
import { GoBinaryScanner } from '../../src/analysis/lang/go/binary-scanner.js';
import { parseModInfo } from '../../src/analysis/lang/go/modinfo.js';
import { goPackages, goPurl } from '../../src/analysis/lang/go/packages.js';
import { goToolchainSemver } from '../../src/analysis/lang/go/toolchain-version.js';
import { ids, packagesOf, randomChunks, streamThrough, walkFiles, warningsOf } from './lang-helpers.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE = path.join(repoRoot, 'test/fixtures/go/esbuild-linux-64-0.8.57.tgz');

async function fileFromTgz(tgz: string, member: string): Promise<Buffer> {
  const extract = tar.extract();
  let found: Buffer | null = null;
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('end', () => {
      if (header.name === member) found = Buffer.concat(chunks);
      next();
    });
  });
  const done = new Promise<void>((resolve, reject) => {
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  Readable.from([gunzipSync(readFileSync(tgz))]).pipe(extract as unknown as NodeJS.WritableStream);
  await done;
  if (!found) throw new Error(`${member} not in ${tgz}`);
  return found;
}

const MODINFO_START = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
const MODINFO_END = Buffer.from('f932433186182072008242104116d8f2', 'hex');

/** A minimal 64-bit little-endian ELF image: header, one PT_LOAD mapping the whole file at `base`. */
function elf64(body: Buffer, base = 0x400000): Buffer {
  const head = Buffer.alloc(0x1000);
  head.writeUInt32BE(0x7f454c46, 0);
  head[4] = 2; // 64-bit
  head[5] = 1; // little-endian
  head[6] = 1;
  head.writeBigUInt64LE(64n, 32); // e_phoff
  head.writeUInt16LE(56, 54); // e_phentsize
  head.writeUInt16LE(1, 56); // e_phnum
  const total = head.length + body.length;
  head.writeUInt32LE(1, 64); // PT_LOAD
  head.writeBigUInt64LE(0n, 64 + 8); // p_offset
  head.writeBigUInt64LE(BigInt(base), 64 + 16); // p_vaddr
  head.writeBigUInt64LE(BigInt(total), 64 + 32); // p_filesz
  return Buffer.concat([head, body]);
}

function uvarint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

/** A Go ≥ 1.18 inline build-info blob, 16-byte aligned in the body by the caller. */
function inlineBlob(version: string, modinfo: string): Buffer {
  const header = Buffer.alloc(32);
  header.write('\xff Go buildinf:', 0, 'latin1');
  header[14] = 8;
  header[15] = 2;
  const mod = Buffer.concat([MODINFO_START, Buffer.from(modinfo), MODINFO_END]);
  return Buffer.concat([header, uvarint(version.length), Buffer.from(version), uvarint(mod.length), mod]);
}

function padTo16(b: Buffer): Buffer {
  return Buffer.concat([b, Buffer.alloc((16 - (b.length % 16)) % 16)]);
}

const MODINFO_TEXT = [
  'path\texample.com/app/cmd/app',
  'mod\texample.com/app\tv1.2.3\th1:abc=',
  'dep\tgithub.com/pkg/errors\tv0.9.1\th1:def=',
  'dep\tgolang.org/x/net\tv0.0.1',
  '=>\tgolang.org/x/net\tv0.17.0\th1:ghi=',
  'dep\texample.com/fork\tv1.0.0',
  '=>\t../fork\t',
  'build\t-compiler=gc',
  'build\tCGO_ENABLED=0',
  '',
].join('\n');

describe('go binaries: real executables', () => {
  let esbuild016: Buffer;
  beforeAll(async () => {
    esbuild016 = await fileFromTgz(FIXTURE, 'package/bin/esbuild');
  });

  const expected016 = ['github.com/evanw/esbuild@(devel)', 'golang.org/x/sys@v0.0.0-20200501145240-bc7a7d42d5c3', 'stdlib@v1.16.0'];

  it('reads the pre-1.18 pointer format of esbuild 0.8.57 (Go 1.16), whatever the chunking', async () => {
    for (const chunk of [65536, 4093, randomChunks(7, 20_000), randomChunks(99, 300)]) {
      const facts = await streamThrough(goBinaryAnalyzer, 'usr/local/bin/esbuild', esbuild016, chunk);
      expect(warningsOf(facts)).toEqual([]);
      expect(ids(packagesOf(facts))).toEqual(expected016);
    }
    const facts = await streamThrough(goBinaryAnalyzer, 'usr/local/bin/esbuild', esbuild016, 65536);
    const x = packagesOf(facts).find((p) => p.name === 'golang.org/x/sys');
    expect(x).toMatchObject({ type: 'golang', path: 'usr/local/bin/esbuild', purl: 'pkg:golang/golang.org/x/sys@v0.0.0-20200501145240-bc7a7d42d5c3' });
    expect(packagesOf(facts).find((p) => p.name === 'stdlib')?.purl).toBe('pkg:golang/stdlib@v1.16.0');
  });

  it('finds the binary through a real layer walk (executable bit, size)', async () => {
    const { facts, warnings } = await walkFiles(
      [
        { path: 'usr/local/bin/esbuild', content: esbuild016, mode: 0o755 },
        { path: 'usr/share/doc/esbuild.bin', content: esbuild016, mode: 0o644 }, // not executable: not read
      ],
      [goBinaryAnalyzer],
    );
    expect(warnings).toEqual([]);
    expect(ids(packagesOf(facts))).toEqual(expected016);
  });

  it('module info is found by its sentinels when the pointers cannot be followed', async () => {
    // Cut the file just after the header: the string headers in .data never arrive.
    const magic = esbuild016.indexOf(Buffer.from('\xff Go buildinf:', 'latin1'));
    const cut = esbuild016.subarray(0, magic + 32);
    const facts = await streamThrough(goBinaryAnalyzer, 'bin/esbuild', cut, 65536);
    expect(ids(packagesOf(facts))).toEqual(['github.com/evanw/esbuild@(devel)', 'golang.org/x/sys@v0.0.0-20200501145240-bc7a7d42d5c3']);
    expect(warningsOf(facts).join('\n')).toMatch(/toolchain version unknown/);
  });

  const debianGo = ['/usr/bin/umoci', '/usr/bin/skopeo', '/usr/bin/docker-registry'].filter((f) => existsSync(f));
  it.runIf(debianGo.length > 0)('reads the inline format (Go 1.19.8) of Debian-built tools: stdlib only, no module lines', async () => {
    for (const file of debianGo) {
      const bin = readFileSync(file);
      const facts = await streamThrough(goBinaryAnalyzer, file.slice(1), bin, 65536);
      expect(warningsOf(facts)).toEqual([]);
      // Debian builds outside module mode (GOPATH): the build info has `path` and `build` lines only.
      expect(ids(packagesOf(facts))).toEqual(['stdlib@v1.19.8']);
    }
  });

  const nodeEsbuild = path.join(repoRoot, 'node_modules/@esbuild/linux-x64/bin/esbuild');
  it.runIf(existsSync(nodeEsbuild))('reads module info from a binary without a build-info section (current esbuild)', async () => {
    const bin = readFileSync(nodeEsbuild);
    const facts = await streamThrough(goBinaryAnalyzer, 'bin/esbuild', bin, 65536);
    const names = packagesOf(facts).map((p) => p.name);
    expect(names).toContain('github.com/evanw/esbuild');
    expect(names).toContain('golang.org/x/sys');
    expect(names).not.toContain('stdlib');
    expect(warningsOf(facts).join('\n')).toMatch(/no Go build-info section/);
  });

  it('ignores executables that are not Go (the node binary)', async () => {
    const facts = await streamThrough(goBinaryAnalyzer, 'usr/bin/node', readFileSync(process.execPath), 1 << 20);
    expect(facts).toEqual([]);
  });
});

describe('go binaries: build info formats and hostile input', () => {
  it('inline format with replacements: replaced deps report the replacement, local ones (devel)', async () => {
    const body = padTo16(Buffer.concat([Buffer.alloc(100, 0x90), Buffer.from('\xff Go buildinf: not aligned', 'latin1')]));
    const bin = elf64(Buffer.concat([body, inlineBlob('go1.21.4 X:boringcrypto', MODINFO_TEXT), Buffer.alloc(5000)]));
    for (const chunk of [1, 7, 4096]) {
      const facts = await streamThrough(goBinaryAnalyzer, 'app', bin, chunk);
      expect(ids(packagesOf(facts))).toEqual(['example.com/app@v1.2.3', 'example.com/fork@(devel)', 'github.com/pkg/errors@v0.9.1', 'golang.org/x/net@v0.17.0', 'stdlib@v1.21.4']);
      expect(warningsOf(facts)).toEqual([]);
    }
  });

  it('pointer format resolved through the ELF program headers (synthetic, 64-bit)', async () => {
    const base = 0x400000;
    const headBytes = 0x1000;
    // Layout after the ELF head: [version string][modinfo string][blob][version header][modinfo header]
    const version = Buffer.from('go1.15.7');
    const mod = Buffer.concat([MODINFO_START, Buffer.from(MODINFO_TEXT), MODINFO_END]);
    const strings = padTo16(Buffer.concat([version, Buffer.from('garbage'), mod]));
    const blobAt = headBytes + strings.length;
    const headersAt = blobAt + 32;
    const blob = Buffer.alloc(32);
    blob.write('\xff Go buildinf:', 0, 'latin1');
    blob[14] = 8;
    blob[15] = 0;
    blob.writeBigUInt64LE(BigInt(base + headersAt), 16);
    blob.writeBigUInt64LE(BigInt(base + headersAt + 16), 24);
    const headers = Buffer.alloc(32);
    headers.writeBigUInt64LE(BigInt(base + headBytes), 0);
    headers.writeBigUInt64LE(BigInt(version.length), 8);
    headers.writeBigUInt64LE(BigInt(base + headBytes + version.length + 'garbage'.length), 16);
    headers.writeBigUInt64LE(BigInt(mod.length), 24);
    const bin = elf64(Buffer.concat([strings, blob, headers, Buffer.alloc(100)]), base);
    for (const chunk of [3, 64, 100_000]) {
      const facts = await streamThrough(goBinaryAnalyzer, 'app', bin, chunk);
      expect(warningsOf(facts)).toEqual([]);
      expect(ids(packagesOf(facts))).toContain('stdlib@v1.15.7');
      expect(ids(packagesOf(facts))).toContain('golang.org/x/net@v0.17.0');
    }
  });

  it('a blob cut off by the end of the file is a warning, not an error', async () => {
    const blob = inlineBlob('go1.22.0', MODINFO_TEXT);
    const bin = elf64(padTo16(Buffer.alloc(64)));
    const facts = await streamThrough(goBinaryAnalyzer, 'app', Buffer.concat([bin, blob.subarray(0, 60)]), 4096);
    expect(packagesOf(facts)).toEqual([]);
    expect(warningsOf(facts).join('\n')).toMatch(/cut off/);
  });

  it('a declared module-info length over the cap is refused without buffering it', async () => {
    const header = Buffer.alloc(32);
    header.write('\xff Go buildinf:', 0, 'latin1');
    header[14] = 8;
    header[15] = 2;
    const bin = elf64(Buffer.concat([header, uvarint(8), Buffer.from('go1.22.0'), uvarint(2 ** 34), Buffer.alloc(1000)]));
    const facts = await streamThrough(goBinaryAnalyzer, 'app', bin, 4096);
    expect(warningsOf(facts).join('\n')).toMatch(/over the limit/);
  });

  it('garbage after a magic, pointers into nowhere and a non-ELF file never throw', async () => {
    const junk = Buffer.alloc(200_000);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 2654435761) >>> 24;
    const pointerNowhere = Buffer.alloc(32);
    pointerNowhere.write('\xff Go buildinf:', 0, 'latin1');
    pointerNowhere[14] = 8;
    pointerNowhere.writeBigUInt64LE(0xdeadbeefn, 16);
    pointerNowhere.writeBigUInt64LE(0xfeedn, 24);
    for (const bin of [elf64(Buffer.concat([junk, pointerNowhere])), elf64(Buffer.concat([Buffer.from('\xff Go buildinf:', 'latin1'), junk])), junk]) {
      const facts = await streamThrough(goBinaryAnalyzer, 'app', bin, 777);
      expect(packagesOf(facts)).toEqual([]);
    }
  });

  it('memory stays bounded on a large stream: only small windows are kept', () => {
    const scanner = new GoBinaryScanner();
    const chunk = Buffer.alloc(1 << 20, 0x41);
    scanner.write(elf64(Buffer.alloc(0)));
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 384; i++) scanner.write(chunk); // 384 MiB through the scanner
    // Garbage not yet collected counts too, so the bound is loose; holding the stream would be ≥ 384 MiB.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(128 << 20);
    expect(scanner.finish()).toEqual({ kind: 'none' });
  });
});

describe('go build info helpers', () => {
  it('toolchain versions become module-style semver', () => {
    expect(goToolchainSemver('go1.19.8')).toBe('v1.19.8');
    expect(goToolchainSemver('go1.20')).toBe('v1.20.0');
    expect(goToolchainSemver('go1.21rc2')).toBe('v1.21.0-rc.2');
    expect(goToolchainSemver('go1.22.1 X:boringcrypto')).toBe('v1.22.1');
    expect(goToolchainSemver('devel go1.23-abcdef')).toBeNull();
  });

  it('modinfo lines: quoted build settings, malformed lines reported', () => {
    const { info, problems } = parseModInfo('path\tx\nmod\tx\t(devel)\t\nbuild\t"-ldflags=-X main.v=1"="a b"\nbuild\tnoequals\ndep\ta\tb\tc\td\n');
    expect(info.settings).toEqual([{ key: '-ldflags=-X main.v=1', value: 'a b' }]);
    expect(problems).toHaveLength(2);
    expect(goPackages(null, info, 'x').map((p) => p.name)).toEqual(['x']);
  });

  it('purls put all but the last path segment in the namespace', () => {
    expect(goPurl('github.com/a/b/v2', 'v2.0.1')).toBe('pkg:golang/github.com/a/b/v2@v2.0.1');
    expect(goPurl('stdlib', 'v1.21.0')).toBe('pkg:golang/stdlib@v1.21.0');
  });
});
