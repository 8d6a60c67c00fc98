/**
 * Tiny images for sync and multi-worker tests: many tags written into one OCI layout (blobs are
 * shared; each image differs by one small file), pushed to a registry with skopeo a few at a time.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ImageSpec, type LayerEntrySpec, writeImageBlobs } from '../../src/image/build/image-writer.js';
import { MEDIA_TYPES } from '../../src/image/types.js';
import { pushImage, type RunningRegistry } from '../helpers/registry-server.js';

export const ALPINE_RELEASE = 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME="Alpine Linux v3.19"\n';

/** A one-layer image whose content is told apart by `marker`; `padding` bytes of incompressible data make it slower to scan. */
export function tinySpec(marker: string, padding = 0): ImageSpec {
  const entries: LayerEntrySpec[] = [
    { path: 'etc/os-release', content: ALPINE_RELEASE },
    { path: 'srv/marker.txt', content: `${marker}\n` },
  ];
  if (padding > 0) {
    // Pseudo-random bytes from a seeded LCG: incompressible, so the layer really is that large.
    const buf = Buffer.alloc(padding);
    let x = [...marker].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7);
    for (let i = 0; i < padding; i += 4) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      buf.writeUInt32LE(x, Math.min(i, padding - 4));
    }
    entries.push({ path: 'srv/blob.bin', content: buf });
  }
  return { layers: [{ entries, compression: 'gzip', gzipLevel: 1 }], config: { config: { Cmd: ['/bin/sh'] } } };
}

export interface LayoutImage {
  /** The tag inside the layout (`ref.name`). */
  ref: string;
  spec: ImageSpec;
}

/** Writes all images into one OCI layout; returns each ref's manifest digest. */
export async function writeLayout(dir: string, images: LayoutImage[]): Promise<Map<string, string>> {
  const digests = new Map<string, string>();
  const manifests = [];
  for (const { ref, spec } of images) {
    const img = await writeImageBlobs(spec, dir);
    digests.set(ref, img.manifestDigest);
    manifests.push({ mediaType: MEDIA_TYPES.ociManifest, digest: img.manifestDigest, size: img.manifest.length, annotations: { 'org.opencontainers.image.ref.name': ref } });
  }
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests }));
  return digests;
}

/** Pushes `layout:ref` → `dest` for each pair, `parallel` skopeo processes at a time. */
export async function pushAll(registry: RunningRegistry, dir: string, pairs: Array<{ ref: string; dest: string }>, parallel = 6): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < pairs.length) {
      const p = pairs[next++]!;
      await pushImage(registry, { dir, tag: p.ref }, p.dest);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, pairs.length) }, worker));
}

/** Deletes `repo:tag` from the registry the way its API allows: skopeo resolves the tag and deletes that manifest (every tag of the repository naming it goes). */
export async function deleteTag(registry: RunningRegistry, ref: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    execFile('skopeo', ['delete', '--creds', `${registry.username}:${registry.password}`, '--tls-verify=false', `docker://${registry.host}/${ref}`], (err, _out, stderr) =>
      err ? reject(new Error(`skopeo delete ${ref}: ${stderr || err.message}`)) : resolve(),
    );
  });
}
