/**
 * Small images for registry tests, written with the project's image writer: a Debian 12 image
 * built from the real bookworm dpkg status in ../shared/data, and multi-platform OCI layouts
 * (an image index tagged in index.json) that `skopeo copy --all` pushes whole.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { type ImageSpec, type LayerSpec, writeImageBlobs, type WrittenImage } from '../../src/image/build/image-writer.js';
import { MEDIA_TYPES, type Platform } from '../../src/image/types.js';

const BOOKWORM = fileURLToPath(new URL('../../../shared/data/pkgdb/dpkg/debian12-bookworm-minbase/', import.meta.url));

/**
 * Three layers: the Debian base (real dpkg status and os-release), an application layer, and a
 * layer that deletes a file of the second. `zstd` puts the middle layer in zstd.
 */
export function debianAppSpec(options: { zstd?: boolean } = {}): ImageSpec {
  const base: LayerSpec = {
    createdBy: '/bin/sh -c #(nop) ADD file:bookworm in /',
    entries: [
      { path: 'usr/lib/os-release', content: readFileSync(join(BOOKWORM, 'usr/lib/os-release')) },
      { path: 'etc/os-release', type: 'symlink', linkTarget: '../usr/lib/os-release' },
      { path: 'var/lib/dpkg/status', content: readFileSync(join(BOOKWORM, 'var/lib/dpkg/status')) },
      { path: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/bash\napp:x:1000:1000::/app:/bin/sh\n' },
    ],
  };
  const app: LayerSpec = {
    createdBy: 'COPY app /app',
    compression: options.zstd ? 'zstd' : 'gzip',
    entries: [
      { path: 'app', type: 'dir' },
      { path: 'app/server.js', content: 'console.log("hello");\n' },
      { path: 'app/old-notes.txt', content: 'to be removed\n' },
    ],
  };
  const cleanup: LayerSpec = { createdBy: 'RUN rm /app/old-notes.txt', entries: [{ path: 'app/.wh.old-notes.txt', content: '' }] };
  return { layers: [base, app, cleanup], config: { config: { User: 'app', Cmd: ['node', '/app/server.js'] } } };
}

/** A one-layer image whose os-release says which platform it was built for. */
export function platformImageSpec(platform: Platform, osRelease: string): ImageSpec {
  return {
    layers: [{ entries: [{ path: 'etc/os-release', content: osRelease }, { path: 'etc/platform', content: `${platform.architecture}${platform.variant ? `/${platform.variant}` : ''}\n` }] }],
    config: { os: platform.os, architecture: platform.architecture, ...(platform.variant ? { variant: platform.variant } : {}) },
  };
}

export interface WrittenIndex {
  indexDigest: string;
  images: Array<{ platform: Platform; image: WrittenImage }>;
}

/** Writes an OCI layout whose `tag` names an image index over `images`. */
export async function writeMultiPlatformLayout(dir: string, tag: string, images: Array<{ platform: Platform; spec: ImageSpec }>): Promise<WrittenIndex> {
  const written: WrittenIndex['images'] = [];
  for (const { platform, spec } of images) written.push({ platform, image: await writeImageBlobs(spec, dir) });
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociIndex,
      manifests: written.map(({ platform, image }) => ({ mediaType: MEDIA_TYPES.ociManifest, digest: image.manifestDigest, size: image.manifest.length, platform })),
    }),
  );
  const indexDigest = `sha256:${createHash('sha256').update(index).digest('hex')}`;
  await writeFile(join(dir, 'blobs', 'sha256', indexDigest.slice(7)), index);
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const top = { mediaType: MEDIA_TYPES.ociIndex, digest: indexDigest, size: index.length, annotations: { 'org.opencontainers.image.ref.name': tag } };
  await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: [top] }));
  return { indexDigest, images: written };
}
