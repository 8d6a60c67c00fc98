/**
 * Writes real-format images (OCI layout, OCI archive, docker-archive) from a description of their
 * layers. Used by tests, the benchmark and the bundled demo images: we have no Docker engine, and
 * generated images let every test state exactly what is inside.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Duplex, PassThrough, type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import type { Descriptor, HistoryEntry, ImageConfig } from '../types.js';
import { MEDIA_TYPES } from '../types.js';

export interface LayerEntrySpec {
  /** Path inside the layer, e.g. `etc/os-release` (a leading `/` is stripped). */
  path: string;
  type?: 'file' | 'dir' | 'symlink' | 'hardlink';
  /** File content; a function for large generated content that must not be held in memory. */
  content?: string | Buffer | { size: number; stream: () => Readable };
  mode?: number;
  uid?: number;
  gid?: number;
  /** Target of a symlink (as written) or hardlink (a path in the same layer). */
  linkTarget?: string;
}

export interface LayerSpec {
  entries: LayerEntrySpec[] | (() => AsyncIterable<LayerEntrySpec>);
  createdBy?: string;
  compression?: 'gzip' | 'zstd' | 'none';
  /** gzip level; lower is faster to generate large benchmark images. */
  gzipLevel?: number;
}

export interface ImageSpec {
  layers: LayerSpec[];
  /** Merged over a minimal linux/amd64 config; `rootfs` and layer history are filled in. */
  config?: Omit<ImageConfig, 'rootfs'>;
  /** History entries that made no layer (ENV, USER …), placed after the layer they follow. */
  emptyHistory?: Array<{ after: number; createdBy: string }>;
}

export interface WrittenBlob extends Descriptor {
  /** Where the blob was written. */
  file: string;
}

export interface WrittenImage {
  manifestDigest: string;
  manifest: Buffer;
  config: WrittenBlob;
  layers: Array<WrittenBlob & { diffId: string }>;
}

const COMPRESSION_MEDIA: Record<NonNullable<LayerSpec['compression']>, string> = {
  gzip: MEDIA_TYPES.ociLayerGzip,
  zstd: MEDIA_TYPES.ociLayerZstd,
  none: MEDIA_TYPES.ociLayerTar,
};

function sha256(buf: Buffer | string): string {
  return `sha256:${createHash('sha256').update(buf).digest('hex')}`;
}

/** Counts and hashes bytes passing through. */
function hashingTap(): Transform & { digest(): string; bytes(): number } {
  const h = createHash('sha256');
  let n = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      h.update(chunk);
      n += chunk.length;
      cb(null, chunk);
    },
  });
  return Object.assign(t, { digest: () => `sha256:${h.digest('hex')}`, bytes: () => n });
}

async function* iterateEntries(spec: LayerSpec): AsyncIterable<LayerEntrySpec> {
  if (typeof spec.entries === 'function') yield* spec.entries();
  else yield* spec.entries;
}

async function packEntries(spec: LayerSpec, pack: tar.Pack): Promise<void> {
  for await (const e of iterateEntries(spec)) {
    const name = e.path.replace(/^\/+/, '');
    const type = e.type ?? 'file';
    // File-type bits keep mode 0000 (/etc/shadow on RHEL) truthy: tar-stream replaces a falsy mode with 0644/0755, and the header keeps only the permission bits.
    const typeBits = type === 'dir' ? 0o040000 : type === 'symlink' ? 0o120000 : 0o100000;
    const base = { name, mode: (e.mode ?? (type === 'dir' ? 0o755 : 0o644)) | typeBits, uid: e.uid ?? 0, gid: e.gid ?? 0, mtime: new Date(0) };
    if (type === 'dir') {
      await entryDone(pack.entry({ ...base, type: 'directory' }));
    } else if (type === 'symlink' || type === 'hardlink') {
      await entryDone(pack.entry({ ...base, type: type === 'symlink' ? 'symlink' : 'link', linkname: e.linkTarget ?? '' }));
    } else if (e.content !== undefined && typeof e.content === 'object' && !Buffer.isBuffer(e.content)) {
      const { size, stream } = e.content;
      const sink = pack.entry({ ...base, type: 'file', size });
      await pipeline(stream(), sink);
    } else {
      const buf = Buffer.isBuffer(e.content) ? e.content : Buffer.from(e.content ?? '');
      await new Promise<void>((resolve, reject) => pack.entry({ ...base, type: 'file', size: buf.length }, buf, (err) => (err ? reject(err) : resolve())));
    }
  }
  pack.finalize();
}

function entryDone(w: ReturnType<tar.Pack['entry']>): Promise<void> {
  return new Promise((resolve, reject) => {
    w.on('error', reject);
    w.end(() => resolve());
  });
}

function compressor(kind: NonNullable<LayerSpec['compression']>, level: number): { stream: Duplex; done: Promise<void> } {
  if (kind === 'gzip') return { stream: createGzip({ level }), done: Promise.resolve() };
  if (kind === 'none') return { stream: new PassThrough(), done: Promise.resolve() };
  // Node 20 has no zstd encoder; the `zstd` CLI (Debian package zstd) is what tests use.
  const child = spawn('zstd', ['-q', '-c', '-3'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (err) => reject(new Error(`zstd is needed to write zstd layers: ${err.message}`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`zstd exited with ${code}`))));
  });
  return { stream: Duplex.from({ writable: child.stdin, readable: child.stdout }), done };
}

/** Writes one layer blob into `blobDir`; returns its descriptor and diffID. */
async function writeLayer(spec: LayerSpec, blobDir: string): Promise<WrittenBlob & { diffId: string }> {
  const kind = spec.compression ?? 'gzip';
  const tmp = join(blobDir, `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const pack = tar.pack();
  const diffTap = hashingTap();
  const blobTap = hashingTap();
  const comp = compressor(kind, spec.gzipLevel ?? 6);
  await Promise.all([
    packEntries(spec, pack),
    pipeline(pack, diffTap, comp.stream, blobTap, createWriteStream(tmp)),
    comp.done,
  ]);
  const digest = blobTap.digest();
  const file = join(blobDir, digest.slice('sha256:'.length));
  await rename(tmp, file);
  return { mediaType: COMPRESSION_MEDIA[kind], digest, size: blobTap.bytes(), file, diffId: diffTap.digest() };
}

function buildConfig(spec: ImageSpec, diffIds: string[]): ImageConfig {
  const history: HistoryEntry[] = [];
  const empties = spec.emptyHistory ?? [];
  for (const e of empties.filter((x) => x.after < 0)) history.push({ created_by: e.createdBy, empty_layer: true, created: '1970-01-01T00:00:00Z' });
  spec.layers.forEach((l, i) => {
    history.push({ created_by: l.createdBy ?? `/bin/sh -c #(nop) ADD file:layer${i} in / `, created: '1970-01-01T00:00:00Z' });
    for (const e of empties.filter((x) => x.after === i)) history.push({ created_by: e.createdBy, empty_layer: true, created: '1970-01-01T00:00:00Z' });
  });
  return {
    architecture: 'amd64',
    os: 'linux',
    created: '1970-01-01T00:00:00Z',
    ...spec.config,
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], ...(spec.config?.config ?? {}) },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: spec.config?.history ?? history,
  };
}

/** Writes all blobs of an image into an OCI blob directory (`<dir>/blobs/sha256`). */
export async function writeImageBlobs(spec: ImageSpec, layoutDir: string): Promise<WrittenImage> {
  const blobDir = join(layoutDir, 'blobs', 'sha256');
  await mkdir(blobDir, { recursive: true });
  const layers: WrittenImage['layers'] = [];
  for (const l of spec.layers) layers.push(await writeLayer(l, blobDir));
  const configBytes = Buffer.from(JSON.stringify(buildConfig(spec, layers.map((l) => l.diffId))));
  const configDigest = sha256(configBytes);
  const configFile = join(blobDir, configDigest.slice(7));
  await writeFile(configFile, configBytes);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config: { mediaType: MEDIA_TYPES.ociConfig, digest: configDigest, size: configBytes.length },
      layers: layers.map(({ mediaType, digest, size }) => ({ mediaType, digest, size })),
    }),
  );
  const manifestDigest = sha256(manifest);
  await writeFile(join(blobDir, manifestDigest.slice(7)), manifest);
  return {
    manifestDigest,
    manifest,
    config: { mediaType: MEDIA_TYPES.ociConfig, digest: configDigest, size: configBytes.length, file: configFile },
    layers,
  };
}

/** Writes an OCI image layout directory with one tagged image. */
export async function writeOciLayout(spec: ImageSpec, dir: string, tag = 'latest'): Promise<WrittenImage> {
  const img = await writeImageBlobs(spec, dir);
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const index = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociIndex,
    manifests: [
      {
        mediaType: MEDIA_TYPES.ociManifest,
        digest: img.manifestDigest,
        size: img.manifest.length,
        annotations: { 'org.opencontainers.image.ref.name': tag },
        platform: { os: 'linux', architecture: 'amd64' },
      },
    ],
  };
  await writeFile(join(dir, 'index.json'), JSON.stringify(index));
  return img;
}

/** Writes a tar of a directory's files (paths relative to it), uncompressed. */
async function tarDirectory(files: Array<{ name: string; file?: string; data?: Buffer }>, out: string): Promise<void> {
  await mkdir(dirname(out), { recursive: true });
  const pack = tar.pack();
  const done = pipeline(pack, createWriteStream(out));
  for (const f of files) {
    if (f.data) {
      const data = f.data;
      await new Promise<void>((resolve, reject) => pack.entry({ name: f.name, size: data.length, mtime: new Date(0) }, data, (e) => (e ? reject(e) : resolve())));
    } else {
      // Stream blobs: benchmark images are larger than we want in memory.
      const file = f.file as string;
      const { size } = await stat(file);
      await pipeline(createReadStream(file), pack.entry({ name: f.name, size, mtime: new Date(0) }));
    }
  }
  pack.finalize();
  await done;
}

/** Writes an `oci-archive` (a tar of an OCI layout). */
export async function writeOciArchive(spec: ImageSpec, file: string, tag = 'latest'): Promise<WrittenImage> {
  const dir = await mkdtemp(join(dirname(file), '.oci-'));
  try {
    const img = await writeOciLayout(spec, dir, tag);
    const blobs = [img.config, ...img.layers].map((b) => ({ name: `blobs/sha256/${b.digest.slice(7)}`, file: b.file }));
    await tarDirectory(
      [
        { name: 'oci-layout', file: join(dir, 'oci-layout') },
        { name: 'index.json', file: join(dir, 'index.json') },
        { name: `blobs/sha256/${img.manifestDigest.slice(7)}`, data: img.manifest },
        ...blobs,
      ],
      file,
    );
    return img;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Writes a `docker save` style archive: manifest.json, the config JSON and one layer file per
 * layer. Layers are stored as they were written (compressed or not); `docker load` accepts both.
 */
export async function writeDockerArchive(spec: ImageSpec, file: string, repoTag = 'tarsier/test:latest'): Promise<WrittenImage> {
  const dir = await mkdtemp(join(dirname(file), '.docker-'));
  try {
    const img = await writeImageBlobs(spec, dir);
    const layerNames = img.layers.map((l) => `${l.diffId.slice(7)}/layer.tar`);
    const manifest = [{ Config: `${img.config.digest.slice(7)}.json`, RepoTags: [repoTag], Layers: layerNames }];
    await tarDirectory(
      [
        { name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest)) },
        { name: `${img.config.digest.slice(7)}.json`, file: img.config.file },
        ...img.layers.map((l, i) => ({ name: layerNames[i] as string, file: l.file })),
      ],
      file,
    );
    return img;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
