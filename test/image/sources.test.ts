import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageSpec, LayerSpec } from '../../src/image/build/image-writer.js';
import { writeOciArchive } from '../../src/image/build/image-writer.js';
import {
  baseAnalyzers,
  buildImage,
  DEBIAN11_OS_RELEASE,
  DEBIAN12_OS_RELEASE,
  expectTarsierError,
  fakePackageAnalyzer,
  fakeStatus,
  packageLines,
  removeDir,
  scan,
  tempDir,
  writeDockerArchiveV25,
  writeMultiImageDockerArchive,
  writeMultiImageLayout,
  writeTarFile,
} from '../helpers/image-fixtures.js';

const analyzers = () => [...baseAnalyzers(), fakePackageAnalyzer()];

/** A two-layer Debian-like image: base with os-release and a package db, then an upgrade. */
function debianSpec(osRelease: string, compression: LayerSpec['compression'] = 'gzip'): ImageSpec {
  return {
    layers: [
      {
        compression,
        entries: [
          { path: 'etc', type: 'dir' },
          { path: 'usr/lib/os-release', content: osRelease },
          { path: 'etc/os-release', type: 'symlink', linkTarget: '../usr/lib/os-release' },
          { path: 'var/lib/fakepkg/status', content: fakeStatus([['libc6', '2.36-9'], ['bash', '5.2.15-2']]) },
          { path: 'bin/sh', type: 'symlink', linkTarget: 'bash' },
        ],
      },
      {
        compression,
        createdBy: 'RUN apt-get install curl',
        entries: [
          { path: 'var/lib/fakepkg/status', content: fakeStatus([['libc6', '2.36-9'], ['bash', '5.2.15-2'], ['curl', '7.88.1-10']]) },
          { path: 'tmp/.wh.cache', content: '' },
        ],
      },
    ],
  };
}

let tmp: string;
beforeAll(async () => {
  tmp = await tempDir('tarsier-sources-');
});
afterAll(() => removeDir(tmp));

describe('docker-archive', () => {
  it('reads a docker save archive whose layer.tar files are stored compressed', async () => {
    const built = await buildImage('docker-archive', debianSpec(DEBIAN12_OS_RELEASE()), tmp, 'docker-gz');
    const { inventory } = await scan(built.ref, { analyzers: analyzers() });
    expect(inventory.artifact.type).toBe('docker-archive');
    // No registry manifest in a docker save: the image is named by its config digest (image ID).
    expect(inventory.artifact.digest).toBe(built.image.config.digest);
    expect(inventory.artifact.configDigest).toBe(built.image.config.digest);
    expect(inventory.artifact.layers.map((l) => l.diffId)).toEqual(built.image.layers.map((l) => l.diffId));
    expect(inventory.artifact.layers[1]?.createdBy).toBe('RUN apt-get install curl');
    expect(inventory.os).toMatchObject({ family: 'debian', version: '12', codename: 'bookworm' });
    expect(packageLines(inventory)).toEqual([
      'bash 5.2.15-2 L1 var/lib/fakepkg/status',
      'curl 7.88.1-10 L2 var/lib/fakepkg/status',
      'libc6 2.36-9 L1 var/lib/fakepkg/status',
    ]);
  });

  it('reads the legacy layout: uncompressed <id>/layer.tar named by diffID', async () => {
    const built = await buildImage('docker-archive', debianSpec(DEBIAN11_OS_RELEASE(), 'none'), tmp, 'docker-legacy');
    // Stored uncompressed: each blob's digest is its diffID.
    for (const l of built.image.layers) expect(l.digest).toBe(l.diffId);
    const { inventory } = await scan(built.ref, { analyzers: analyzers() });
    expect(inventory.os).toMatchObject({ family: 'debian', version: '11' });
    expect(inventory.artifact.layers.map((l) => l.digest)).toEqual(built.image.layers.map((l) => l.diffId));
    expect(inventory.packages).toHaveLength(3);
  });

  it('reads the Docker ≥ 25 layout (blobs/sha256) and, as a plain path, prefers its OCI view', async () => {
    const file = join(tmp, 'docker-v25.tar');
    const img = await writeDockerArchiveV25(debianSpec(DEBIAN12_OS_RELEASE()), file);
    const viaDocker = await scan(`docker-archive:${file}`, { analyzers: analyzers() });
    expect(viaDocker.inventory.artifact.type).toBe('docker-archive');
    expect(viaDocker.inventory.artifact.layers.map((l) => l.digest)).toEqual(img.layers.map((l) => l.digest));
    const plain = await scan(file, { analyzers: analyzers() });
    expect(plain.inventory.artifact.type).toBe('oci-archive');
    // The OCI view carries the registry-style manifest digest, not the config digest.
    expect(plain.inventory.artifact.digest).toBe(img.manifestDigest);
    expect(plain.inventory.packages).toEqual(viaDocker.inventory.packages);
    expect(plain.inventory.os).toEqual(viaDocker.inventory.os);
  });

  it('picks one image of several by REPO:TAG and refuses to guess', async () => {
    const file = join(tmp, 'multi.tar');
    await writeMultiImageDockerArchive(
      [
        { repoTag: 'example/app:11', spec: debianSpec(DEBIAN11_OS_RELEASE()) },
        { repoTag: 'example/app:12', spec: debianSpec(DEBIAN12_OS_RELEASE()) },
      ],
      file,
    );
    expect((await scan(`docker-archive:${file}:example/app:11`)).inventory.os?.version).toBe('11');
    expect((await scan(`docker-archive:${file}:example/app:12`)).inventory.os?.version).toBe('12');
    await expectTarsierError(scan(`docker-archive:${file}`), 'usage', file, 'holds 2 images', 'example/app:11', 'example/app:12');
    await expectTarsierError(scan(`docker-archive:${file}:example/app:13`), 'not_found', file, 'example/app:13');
  });
});

describe('OCI layout and OCI archive', () => {
  let layout: string;
  beforeAll(async () => {
    layout = join(tmp, 'multi-layout');
    await writeMultiImageLayout(layout, [
      { tag: 'bullseye', spec: debianSpec(DEBIAN11_OS_RELEASE()) },
      { tag: 'bookworm', spec: debianSpec(DEBIAN12_OS_RELEASE()) },
      { tag: 'bookworm', spec: { layers: [{ entries: [{ path: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.18.4\nNAME="Alpine Linux"\n' }] }] }, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    ]);
  });

  it('selects the image by tag (oci:DIR:TAG)', async () => {
    const a = await scan(`oci:${layout}:bullseye`);
    expect(a.inventory.artifact.type).toBe('oci');
    expect(a.inventory.os).toMatchObject({ family: 'debian', version: '11', codename: 'bullseye' });
    const b = await scan(`oci:${layout}:bookworm`);
    expect(b.inventory.os).toMatchObject({ family: 'debian', version: '12' });
    expect(b.inventory.artifact.digest).not.toBe(a.inventory.artifact.digest);
  });

  it('selects by platform among images sharing a tag', async () => {
    const arm = await scan(`oci:${layout}:bookworm`, { platform: 'linux/arm64/v8' });
    expect(arm.inventory.os).toMatchObject({ family: 'alpine', version: '3.18.4' });
    await expectTarsierError(scan(`oci:${layout}:bookworm`, { platform: 'linux/s390x' }), 'not_found', layout, 'linux/s390x', 'linux/amd64', 'linux/arm64');
  });

  it('names the tags it has when the wanted one is missing', async () => {
    await expectTarsierError(scan(`oci:${layout}:trixie`), 'not_found', layout, 'trixie', 'bullseye', 'bookworm');
  });

  it('handles a layout path that itself contains a colon', async () => {
    const built = await buildImage('oci', debianSpec(DEBIAN12_OS_RELEASE()), tmp, 'with:colon');
    expect((await scan(`oci:${built.path}`)).inventory.os?.version).toBe('12');
    expect((await scan(`oci:${built.path}:latest`)).inventory.os?.version).toBe('12');
  });

  it('reads an oci-archive, with and without a tag', async () => {
    const file = join(tmp, 'img.oci.tar');
    const img = await writeOciArchive(debianSpec(DEBIAN12_OS_RELEASE()), file, 'v1');
    for (const ref of [`oci-archive:${file}`, `oci-archive:${file}:v1`]) {
      const { inventory } = await scan(ref, { analyzers: analyzers() });
      expect(inventory.artifact.type).toBe('oci-archive');
      expect(inventory.artifact.digest).toBe(img.manifestDigest);
      expect(inventory.packages.map((p) => p.name)).toEqual(['bash', 'curl', 'libc6']);
    }
    await expectTarsierError(scan(`oci-archive:${file}:v2`), 'not_found', file, 'v2', 'v1');
  });
});

describe('plain path detection', () => {
  it('tells a docker archive from an OCI archive by content, and a directory is an OCI layout', async () => {
    const spec = debianSpec(DEBIAN12_OS_RELEASE());
    const docker = await buildImage('docker-archive', spec, tmp, 'plain-docker');
    const oci = await buildImage('oci-archive', spec, tmp, 'plain-oci');
    const dir = await buildImage('oci', spec, tmp, 'plain-dir');
    const results = await Promise.all([docker.path, oci.path, dir.path].map((p) => scan(p, { analyzers: analyzers() })));
    expect(results.map((r) => r.inventory.artifact.type)).toEqual(['docker-archive', 'oci-archive', 'oci']);
    for (const r of results) {
      expect(r.inventory.os?.version).toBe('12');
      expect(r.inventory.packages).toEqual(results[0]?.inventory.packages);
    }
  });

  it('reads a gzip-compressed docker save (docker save | gzip)', async () => {
    const docker = await buildImage('docker-archive', debianSpec(DEBIAN12_OS_RELEASE()), tmp, 'to-gzip');
    const gz = `${docker.path}.gz`;
    await pipeline(createReadStream(docker.path), createGzip(), createWriteStream(gz));
    const { inventory } = await scan(gz, { analyzers: analyzers() });
    expect(inventory.artifact.type).toBe('docker-archive');
    expect(inventory.packages).toHaveLength(3);
  });

  it('refuses a tar that is neither, a file that is not a tar, and a missing path', async () => {
    const other = join(tmp, 'other.tar');
    await writeTarFile(other, [{ name: 'hello.txt', data: 'hi' }]);
    await expectTarsierError(scan(other), 'input', other, 'neither a docker-archive');
    const text = join(tmp, 'notes.txt');
    await writeFile(text, 'x'.repeat(2048));
    await expectTarsierError(scan(text), 'input', text, 'not a tar archive');
    await expectTarsierError(scan(join(tmp, 'missing.tar')), 'not_found', 'missing.tar');
    await expectTarsierError(scan(`oci:${join(tmp, 'missing-dir')}`), 'not_found', 'missing-dir');
    await expectTarsierError(scan(`oci:${other}`), 'usage', other, 'not a directory');
  });
});

describe('layer compression', () => {
  it('gzip, zstd and uncompressed layers give the same inventory', async () => {
    const kinds = ['gzip', 'zstd', 'none'] as const;
    const results = [];
    for (const kind of kinds) {
      const built = await buildImage('oci', debianSpec(DEBIAN12_OS_RELEASE(), kind), tmp, `comp-${kind}`);
      const blob = await readFile(built.image.layers[0]?.file as string);
      const magic = blob.subarray(0, 4).toString('hex');
      expect(magic.startsWith(kind === 'gzip' ? '1f8b' : kind === 'zstd' ? '28b52ffd' : magic)).toBe(true);
      results.push({ built, ...(await scan(built.ref, { analyzers: analyzers() })) });
    }
    const [gz, zst, none] = results;
    // Same tar bytes inside, so the same diffIDs; different stored blobs.
    expect(zst?.inventory.artifact.layers.map((l) => l.diffId)).toEqual(gz?.inventory.artifact.layers.map((l) => l.diffId));
    expect(none?.inventory.artifact.layers.map((l) => l.diffId)).toEqual(gz?.inventory.artifact.layers.map((l) => l.diffId));
    expect(new Set(results.map((r) => r.inventory.artifact.layers[0]?.digest)).size).toBe(3);
    for (const r of [zst, none]) {
      expect(r?.inventory.os).toEqual(gz?.inventory.os);
      expect(r?.inventory.packages).toEqual(gz?.inventory.packages);
      expect(r?.inventory.symlinks).toEqual(gz?.inventory.symlinks);
      expect(r?.warnings).toEqual([]);
    }
    expect(gz?.inventory.symlinks).toEqual({ 'bin/sh': 'bash', 'etc/os-release': '../usr/lib/os-release' });
    expect(gz?.inventory.packages).toHaveLength(3);
  });
});
