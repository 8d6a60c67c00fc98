/**
 * The bundled demo images: small real-format images (docker-archive and OCI layout) of five
 * distributions, with real package versions the bundled advisory snapshot flags, stock
 * configuration that fails baseline checks, planted (never-issued) secrets and risky build
 * history. `npm start` scans them so every API returns real findings on a fresh machine.
 *
 * Generation is deterministic: the same code writes byte-identical images, so the demo's image
 * digests are stable across runs.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ImageSpec } from '../image/build/image-writer.js';
import { writeDockerArchive, writeOciLayout } from '../image/build/image-writer.js';
import { alpine318Image } from './images/alpine318.js';
import { centos7Image } from './images/centos7.js';
import { debian10Image } from './images/debian10.js';
import { eulerosImage } from './images/euleros.js';
import { ubuntu1604Image } from './images/ubuntu1604.js';
import { demoSecrets, type DemoSecrets } from './secrets.js';

export type DemoFormat = 'docker-archive' | 'oci';

export interface DemoImage {
  /** `demo/debian:10` — the repository:tag the demo registers the image under. */
  name: string;
  repository: string;
  tag: string;
  format: DemoFormat;
  /** The archive file (docker-archive) or layout directory (oci). */
  path: string;
  /** What `openImage` / `tarsier scan` takes: `docker-archive:<file>` or `oci:<dir>:<tag>`. */
  ref: string;
  /** OS family and version the image is expected to be detected as. */
  os: { family: string; version: string };
}

interface DemoDefinition {
  repository: string;
  tag: string;
  format: DemoFormat;
  file: string;
  os: DemoImage['os'];
  build: (s: DemoSecrets) => ImageSpec;
}

const DEFINITIONS: readonly DemoDefinition[] = [
  { repository: 'demo/debian', tag: '10', format: 'docker-archive', file: 'debian-10.tar', os: { family: 'debian', version: '10' }, build: debian10Image },
  { repository: 'demo/centos', tag: '7', format: 'docker-archive', file: 'centos-7.tar', os: { family: 'centos', version: '7' }, build: centos7Image },
  { repository: 'demo/ubuntu', tag: '16.04', format: 'oci', file: 'ubuntu-16.04', os: { family: 'ubuntu', version: '16.04' }, build: ubuntu1604Image },
  { repository: 'demo/euleros', tag: '2.0', format: 'oci', file: 'euleros-2.0', os: { family: 'euleros', version: '2.0 (SP9)' }, build: eulerosImage },
  { repository: 'demo/alpine', tag: '3.18', format: 'oci', file: 'alpine-3.18', os: { family: 'alpine', version: '3.18.0' }, build: alpine318Image },
];

/** The demo images' names, in the order `writeDemoImages` returns them. */
export const DEMO_IMAGE_NAMES: readonly string[] = DEFINITIONS.map((d) => `${d.repository}:${d.tag}`);

/**
 * Writes every demo image into `dir` (created if missing; earlier demo files there are replaced)
 * and says where each one is. Takes about a second; each image is well under 1 MB.
 */
export async function writeDemoImages(dir: string): Promise<DemoImage[]> {
  const root = resolve(dir);
  await mkdir(root, { recursive: true });
  const secrets = demoSecrets();
  const out: DemoImage[] = [];
  for (const d of DEFINITIONS) {
    const name = `${d.repository}:${d.tag}`;
    const path = join(root, d.file);
    await rm(path, { recursive: true, force: true });
    const spec = d.build(secrets);
    if (d.format === 'docker-archive') {
      await writeDockerArchive(spec, path, name);
      out.push({ name, repository: d.repository, tag: d.tag, format: d.format, path, ref: `docker-archive:${path}`, os: d.os });
    } else {
      await mkdir(path, { recursive: true });
      await writeOciLayout(spec, path, d.tag);
      out.push({ name, repository: d.repository, tag: d.tag, format: d.format, path, ref: `oci:${path}:${d.tag}`, os: d.os });
    }
  }
  return out;
}
