/**
 * Builders for test images and a one-call scan, so each test states exactly what is inside an
 * image and what the inventory must be. Well-formed images come from the project's own
 * image-writer; hostile ones (lying manifests, broken blobs) from `writeRawOciLayout`, which writes
 * whatever bytes and descriptors it is given.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { expect } from 'vitest';
import { analyzeImage, DEFAULT_LIMITS, type ScanLimits, type ScanProgress } from '../../src/analysis/analyze-image.js';
import { layerMetaAnalyzer } from '../../src/analysis/analyzers/layer-meta.js';
import { osReleaseAnalyzer } from '../../src/analysis/analyzers/os-release.js';
import type { Inventory } from '../../src/analysis/inventory.js';
import type { LayerCache } from '../../src/analysis/layer-cache.js';
import { makePurl } from '../../src/analysis/purl.js';
import type { Analyzer, FileAnalyzer, Package, PackagesFact, SensitiveFact, WarningFact } from '../../src/analysis/types.js';
import { TarsierError, type ErrorCode } from '../../src/errors.js';
import { type ImageSpec, writeDockerArchive, writeImageBlobs, writeOciArchive, writeOciLayout, type WrittenImage } from '../../src/image/build/image-writer.js';
import { openImage } from '../../src/image/open-image.js';
import { MEDIA_TYPES, type Platform } from '../../src/image/types.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED_DATA = resolve(REPO_ROOT, '../shared/data');

/** A real file from ../shared/data, as text. */
export function sharedText(relative: string): string {
  return readFileSync(join(SHARED_DATA, relative), 'utf8');
}

/** Real os-release files (Debian's own, as shipped in the official images). */
export const DEBIAN12_OS_RELEASE = (): string => sharedText('pkgdb/dpkg/debian12-bookworm-minbase/usr/lib/os-release');
export const DEBIAN11_OS_RELEASE = (): string => sharedText('pkgdb/dpkg/debian11-bullseye-minbase/usr/lib/os-release');

/** A minimal os-release for a family and version. */
export function osRelease(id: string, versionId: string, name = id): string {
  return `NAME="${name}"\nID=${id}\nVERSION_ID="${versionId}"\nPRETTY_NAME="${name} ${versionId}"\n`;
}

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return `sha256:${h.digest('hex')}`;
}

/** A fresh temp directory; remove it with `rm(dir, { recursive: true, force: true })`. */
export function tempDir(prefix = 'tarsier-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Well-formed images in every source format.

export type SourceFormat = 'oci' | 'oci-archive' | 'docker-archive';

export interface BuiltImage {
  /** Reference with the format's prefix (`oci:DIR`, `oci-archive:FILE`, `docker-archive:FILE`). */
  ref: string;
  /** The directory or file written. */
  path: string;
  image: WrittenImage;
}

/** Writes `spec` in the given format under `dir` (as `name` or `name.tar`). */
export async function buildImage(format: SourceFormat, spec: ImageSpec, dir: string, name: string): Promise<BuiltImage> {
  if (format === 'oci') {
    const path = join(dir, name);
    return { ref: `oci:${path}`, path, image: await writeOciLayout(spec, path) };
  }
  const path = join(dir, `${name}.tar`);
  const image = format === 'oci-archive' ? await writeOciArchive(spec, path) : await writeDockerArchive(spec, path);
  return { ref: `${format}:${path}`, path, image };
}

/** Writes a tar file of in-memory members (archive-level fixtures: docker save layouts, broken manifests). */
export async function writeTarFile(file: string, members: Array<{ name: string; data: Buffer | string }>): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const pack = tar.pack();
  const done = pipeline(pack, createWriteStream(file));
  for (const m of members) {
    const data = Buffer.isBuffer(m.data) ? m.data : Buffer.from(m.data);
    await new Promise<void>((res, rej) => pack.entry({ name: m.name, size: data.length, mtime: new Date(0) }, data, (e) => (e ? rej(e) : res())));
  }
  pack.finalize();
  await done;
}

/**
 * A `docker save` archive as Docker ≥ 25 writes it: an OCI layout (index.json, oci-layout,
 * blobs/sha256/…) plus a manifest.json whose Layers name the blobs.
 */
export async function writeDockerArchiveV25(spec: ImageSpec, file: string, repoTag = 'tarsier/v25:latest'): Promise<WrittenImage> {
  const dir = await mkdtemp(join(dirname(file), '.v25-'));
  try {
    const img = await writeOciLayout(spec, dir, repoTag.split(':').pop());
    const blob = (d: string) => `blobs/sha256/${d.slice(7)}`;
    const manifestJson = [{ Config: blob(img.config.digest), RepoTags: [repoTag], Layers: img.layers.map((l) => blob(l.digest)) }];
    await writeTarFile(file, [
      { name: 'oci-layout', data: await readFile(join(dir, 'oci-layout')) },
      { name: 'index.json', data: await readFile(join(dir, 'index.json')) },
      { name: 'manifest.json', data: JSON.stringify(manifestJson) },
      { name: blob(img.manifestDigest), data: img.manifest },
      { name: blob(img.config.digest), data: await readFile(img.config.file) },
      ...(await Promise.all(img.layers.map(async (l) => ({ name: blob(l.digest), data: await readFile(l.file) })))),
    ]);
    return img;
  } finally {
    await removeDir(dir);
  }
}

/** A `docker save` archive holding several images, each with its repo tag (layers stored uncompressed, legacy names). */
export async function writeMultiImageDockerArchive(images: Array<{ repoTag: string; spec: ImageSpec }>, file: string): Promise<WrittenImage[]> {
  const dir = await mkdtemp(join(dirname(file), '.multi-'));
  try {
    const written: WrittenImage[] = [];
    const members: Array<{ name: string; data: Buffer }> = [];
    const manifest: object[] = [];
    for (const { repoTag, spec } of images) {
      const img = await writeImageBlobs({ ...spec, layers: spec.layers.map((l) => ({ ...l, compression: 'none' as const })) }, dir);
      written.push(img);
      const layerNames = img.layers.map((l) => `${l.diffId.slice(7)}/layer.tar`);
      manifest.push({ Config: `${img.config.digest.slice(7)}.json`, RepoTags: [repoTag], Layers: layerNames });
      members.push({ name: `${img.config.digest.slice(7)}.json`, data: await readFile(img.config.file) });
      for (const [i, l] of img.layers.entries()) members.push({ name: layerNames[i] as string, data: await readFile(l.file) });
    }
    await writeTarFile(file, [{ name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest)) }, ...members]);
    return written;
  } finally {
    await removeDir(dir);
  }
}

/** One OCI layout directory holding several images, each with a tag and a platform. */
export async function writeMultiImageLayout(dir: string, images: Array<{ tag: string; spec: ImageSpec; platform?: Platform }>): Promise<WrittenImage[]> {
  const written: WrittenImage[] = [];
  const manifests: object[] = [];
  for (const { tag, spec, platform } of images) {
    const img = await writeImageBlobs(spec, dir);
    written.push(img);
    manifests.push({
      mediaType: MEDIA_TYPES.ociManifest,
      digest: img.manifestDigest,
      size: img.manifest.length,
      annotations: { 'org.opencontainers.image.ref.name': tag },
      platform: platform ?? { os: 'linux', architecture: 'amd64' },
    });
  }
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests }));
  return written;
}

// ---------------------------------------------------------------------------------------------
// Raw OCI layouts: any blob bytes, any (lying) descriptor.

export interface RawLayer {
  /** The blob as stored: bytes, or a file streamed into the layout. */
  blob: Buffer | { file: string };
  /** diffID for the config; default: sha256 of the blob, inflated first if it is gzip. */
  diffId?: string;
  mediaType?: string;
  /** Name the blob by this digest instead of its real one (a digest mismatch). */
  digest?: string;
  /** Declare this size in the manifest instead of the real one. */
  size?: number;
}

export interface RawLayoutOptions {
  layers: RawLayer[];
  /** Replace the config's diff_ids (e.g. with a different count). */
  diffIds?: string[];
  /** Raw config bytes instead of the generated config. */
  configBytes?: Buffer;
  /** Raw manifest bytes instead of the generated manifest (e.g. invalid JSON). */
  manifestBytes?: Buffer;
  /** Raw index.json bytes. */
  indexBytes?: Buffer;
}

export interface RawLayout {
  ref: string;
  dir: string;
  layers: Array<{ digest: string; size: number; diffId: string }>;
}

export function diffIdOfBlob(blob: Buffer): string {
  return sha256(blob[0] === 0x1f && blob[1] === 0x8b ? gunzipSync(blob) : blob);
}

export async function writeRawOciLayout(dir: string, opts: RawLayoutOptions): Promise<RawLayout> {
  const blobDir = join(dir, 'blobs', 'sha256');
  await mkdir(blobDir, { recursive: true });
  const put = async (digest: string, data: Buffer) => writeFile(join(blobDir, digest.slice(7)), data);
  const layers: RawLayout['layers'] = [];
  const descriptors: object[] = [];
  for (const l of opts.layers) {
    let realDigest: string;
    let realSize: number;
    if (Buffer.isBuffer(l.blob)) {
      realDigest = sha256(l.blob);
      realSize = l.blob.length;
      await put(l.digest ?? realDigest, l.blob);
    } else {
      realDigest = await sha256File(l.blob.file);
      realSize = (await stat(l.blob.file)).size;
      await pipeline(createReadStream(l.blob.file), createWriteStream(join(blobDir, (l.digest ?? realDigest).slice(7))));
    }
    const diffId = l.diffId ?? (Buffer.isBuffer(l.blob) ? diffIdOfBlob(l.blob) : realDigest);
    const digest = l.digest ?? realDigest;
    const size = l.size ?? realSize;
    layers.push({ digest, size, diffId });
    descriptors.push({ mediaType: l.mediaType ?? MEDIA_TYPES.ociLayerGzip, digest, size });
  }
  const config =
    opts.configBytes ??
    Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: opts.diffIds ?? layers.map((l) => l.diffId) } }));
  const configDigest = sha256(config);
  await put(configDigest, config);
  const manifest =
    opts.manifestBytes ??
    Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config: { mediaType: MEDIA_TYPES.ociConfig, digest: configDigest, size: config.length }, layers: descriptors }),
    );
  const manifestDigest = sha256(manifest);
  await put(manifestDigest, manifest);
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const index =
    opts.indexBytes ??
    Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MEDIA_TYPES.ociManifest, digest: manifestDigest, size: manifest.length }] }));
  await writeFile(join(dir, 'index.json'), index);
  return { ref: `oci:${dir}`, dir, layers };
}

export function gzipLayer(tarBytes: Buffer): Buffer {
  return gzipSync(tarBytes);
}

// ---------------------------------------------------------------------------------------------
// Test analyzers.

/**
 * A stand-in package database: `…/fakepkg/status`, one `name version arch` per line. It lets merge
 * and cache tests state package sets per layer without depending on a real package analyzer.
 */
export function fakePackageAnalyzer(opts: { version?: string; async?: boolean; suffix?: string } = {}): FileAnalyzer<PackagesFact | WarningFact> {
  const parse = (path: string, content: Buffer): Array<PackagesFact | WarningFact> => {
    const packages: Package[] = [];
    for (const line of content.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      const [name, version, arch] = line.trim().split(/\s+/);
      if (!name || !version) return [{ kind: 'warning', path, message: `bad fakepkg line ${JSON.stringify(line)}` }];
      const v = `${version}${opts.suffix ?? ''}`;
      packages.push({ type: 'deb', name, version: v, arch, path, purl: makePurl('deb', name, v, { qualifiers: { arch } }) });
    }
    return [{ kind: 'packages', path, packages }];
  };
  return {
    kind: 'file',
    name: 'fakepkg',
    version: opts.version ?? '1',
    maxBytes: 1 << 20,
    wants: (e) => e.path.endsWith('fakepkg/status'),
    analyze(entry, content) {
      if (!opts.async) return parse(entry.path, content);
      // Resolve later than the walker moves on, as real async analyzers (zip, sqlite) do.
      return new Promise((res) => setTimeout(() => res(parse(entry.path, content)), 20));
    },
  };
}

/** The fakepkg status text for `[name, version, arch]` rows. */
export function fakeStatus(rows: Array<[string, string, string?]>): string {
  return rows.map(([n, v, a]) => `${n} ${v} ${a ?? 'amd64'}`).join('\n') + '\n';
}

/** An `every-layer` analyzer reporting each `*.secret` file, so deleted files stay reportable. */
export const fakeSecretAnalyzer: FileAnalyzer<SensitiveFact> = {
  kind: 'file',
  name: 'fake-secret',
  version: '1',
  scope: 'every-layer',
  maxBytes: 1 << 16,
  wants: (e) => e.path.endsWith('.secret'),
  analyze: (entry, content) => [
    { kind: 'sensitive', path: entry.path, key: 'test-secret', severity: 'high', md5: createHash('md5').update(content).digest('hex'), masked: '****' },
  ],
};

/** Wraps an analyzer and counts how often it is asked to read a file or a layer. */
export function counted<A extends Analyzer>(a: A): { analyzer: A; calls: () => number } {
  let n = 0;
  if (a.kind === 'file') {
    const wrapped = { ...a, analyze: (...args: Parameters<FileAnalyzer['analyze']>) => (n++, a.analyze(...args)) };
    return { analyzer: wrapped as A, calls: () => n };
  }
  if (a.kind === 'entry') {
    const wrapped = { ...a, start: (...args: Parameters<typeof a.start>) => (n++, a.start(...args)) };
    return { analyzer: wrapped as A, calls: () => n };
  }
  const wrapped = { ...a, open: (...args: Parameters<typeof a.open>) => (n++, a.open(...args)) };
  return { analyzer: wrapped as A, calls: () => n };
}

export const baseAnalyzers = (): Analyzer[] => [layerMetaAnalyzer, osReleaseAnalyzer];

// ---------------------------------------------------------------------------------------------
// Scanning.

export interface ProgressLog extends ScanProgress {
  starts: Array<{ index: number; digest: string; cached: boolean }>;
  maxUncompressed: number;
}

export function progressLog(): ProgressLog {
  const log: ProgressLog = {
    starts: [],
    maxUncompressed: 0,
    // Layers may start out of order (several in flight); keep the log in layer order.
    layerStart: (index, _total, desc, cached) => {
      log.starts.push({ index, digest: desc.digest, cached });
      log.starts.sort((a, b) => a.index - b.index);
    },
    layerBytes: (_s, u) => void (log.maxUncompressed = Math.max(log.maxUncompressed, u)),
    layerDone: () => undefined,
  };
  return log;
}

export interface ScanOptions {
  analyzers?: Analyzer[];
  cache?: LayerCache | null;
  limits?: Partial<ScanLimits>;
  platform?: string;
  progress?: ScanProgress;
}

export interface ScanResult {
  inventory: Inventory;
  warnings: string[];
}

/** Opens and analyses one image the way `tarsier scan` does, closing the source in any case. */
export async function scan(ref: string, opts: ScanOptions = {}): Promise<ScanResult> {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const source = await openImage(ref, { platform: opts.platform, maxImageBytes: limits.maxImageBytes });
  const warnings: string[] = [];
  try {
    const inventory = await analyzeImage(source, {
      analyzers: opts.analyzers ?? baseAnalyzers(),
      cache: opts.cache ?? null,
      limits,
      platform: opts.platform ?? 'linux/amd64',
      progress: opts.progress,
      onWarning: (m) => warnings.push(m),
    });
    return { inventory, warnings };
  } finally {
    await source.close();
  }
}

/** The packages of an inventory as `name version layerIndex` lines, for compact assertions. */
export function packageLines(inv: Inventory): string[] {
  const layerOf = new Map(inv.artifact.layers.map((l, i) => [l.diffId, i + 1]));
  return inv.packages.map((p) => `${p.name} ${p.version} L${layerOf.get(p.layerDiffId) ?? '?'} ${p.path}`);
}

/**
 * Awaits `work`, which must fail with a TarsierError of `code` whose message is one line naming
 * every `fragment` (what failed and where). Returns the error for further checks.
 */
export async function expectTarsierError(work: Promise<unknown>, code: ErrorCode, ...fragments: string[]): Promise<TarsierError> {
  let caught: unknown;
  try {
    await work;
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected a TarsierError, got success').toBeDefined();
  if (!(caught instanceof TarsierError)) throw new Error(`expected a TarsierError, got ${String(caught)}`, { cause: caught });
  expect(caught.code, caught.message).toBe(code);
  expect(caught.message).not.toContain('\n');
  for (const f of fragments) expect(caught.message).toContain(f);
  return caught;
}
