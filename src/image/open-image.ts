/**
 * Turns what the user typed into an ImageSource:
 *   docker-archive:PATH[:REPO:TAG]   oci:DIR[:TAG]   oci-archive:PATH[:TAG]
 *   a plain path (a tar is told apart by its content, a directory is an OCI layout)
 *   HOST[:PORT]/REPO[:TAG|@sha256:…]  (a registry)
 */
import { stat } from 'node:fs/promises';
import { TarsierError } from '../errors.js';
import { DockerArchiveSource } from './archive/docker-archive-source.js';
import { OciLayoutSource } from './archive/oci-layout-source.js';
import { type ArchiveReader, DirectoryReader, TarReader } from './archive/readers.js';
import { parsePlatform } from './platform.js';
import type { ImageSource } from './types.js';

export interface OpenImageOptions {
  /** `os/arch[/variant]`, default linux/amd64. */
  platform?: string;
  insecure?: boolean;
  username?: string;
  password?: string;
  /** Registry connect / response / stalled-body timeout in milliseconds (default 30 s). */
  timeoutMs?: number;
  /** Registry retries after the first attempt (default 3, at most 10). */
  retries?: number;
  /** Bound on inflating a gzip-compressed archive file before reading it. */
  maxImageBytes: number;
}

const PREFIXES = ['docker-archive', 'oci-archive', 'oci'] as const;
type Prefix = (typeof PREFIXES)[number];

async function kindOf(path: string): Promise<'file' | 'dir' | null> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : null;
  } catch {
    return null;
  }
}

/** `PATH[:SUFFIX]` where PATH itself may contain colons: the longest existing prefix wins. */
async function splitPathAndSuffix(rest: string): Promise<{ path: string; suffix?: string } | null> {
  if (await kindOf(rest)) return { path: rest };
  for (let i = rest.lastIndexOf(':'); i > 0; i = rest.lastIndexOf(':', i - 1)) {
    const path = rest.slice(0, i);
    if (await kindOf(path)) return { path, suffix: rest.slice(i + 1) };
  }
  return null;
}

async function openArchiveFile(path: string, maxBytes: number): Promise<ArchiveReader> {
  return TarReader.open(path, maxBytes);
}

export async function openImage(ref: string, opts: OpenImageOptions): Promise<ImageSource> {
  if (ref.trim() === '') throw new TarsierError('usage', 'no image reference given');
  const platform = parsePlatform(opts.platform ?? 'linux/amd64');
  const prefix = PREFIXES.find((p) => ref.startsWith(`${p}:`)) as Prefix | undefined;
  if (prefix) {
    const rest = ref.slice(prefix.length + 1);
    const split = await splitPathAndSuffix(rest);
    if (!split) throw new TarsierError('not_found', `${prefix}: ${rest} does not exist`);
    const kind = await kindOf(split.path);
    if (prefix === 'oci') {
      if (kind !== 'dir') throw new TarsierError('usage', `oci:${split.path} is not a directory (use oci-archive: for a tar)`);
      return new OciLayoutSource('oci', ref, new DirectoryReader(split.path), split.suffix, platform);
    }
    if (kind !== 'file') throw new TarsierError('usage', `${prefix}:${split.path} is not a file`);
    const reader = await openArchiveFile(split.path, opts.maxImageBytes);
    return prefix === 'oci-archive'
      ? new OciLayoutSource('oci-archive', ref, reader, split.suffix, platform)
      : new DockerArchiveSource(ref, reader, split.suffix);
  }

  const kind = await kindOf(ref);
  if (kind === 'dir') return new OciLayoutSource('oci', ref, new DirectoryReader(ref), undefined, platform);
  if (kind === 'file') {
    const reader = await openArchiveFile(ref, opts.maxImageBytes);
    // Docker ≥ 25 writes both; the OCI view carries the real manifest digest, so prefer it.
    if ((await reader.has('oci-layout')) && (await reader.has('index.json'))) return new OciLayoutSource('oci-archive', ref, reader, undefined, platform);
    if (await reader.has('manifest.json')) return new DockerArchiveSource(ref, reader, undefined);
    await reader.close();
    throw new TarsierError('input', `${ref}: a tar archive but neither a docker-archive (manifest.json) nor an OCI archive (index.json)`);
  }
  if (ref.startsWith('/') || ref.startsWith('./') || ref.startsWith('../') || ref.endsWith('.tar') || ref.endsWith('.tar.gz')) {
    throw new TarsierError('not_found', `${ref}: no such file or directory`);
  }
  const { insecure, username, password, timeoutMs, retries } = opts;
  // The registry client (undici, auth, retries) loads only for registry references: archive scans
  // start half a second sooner without it.
  const { RegistrySource } = await import('./registry/source.js');
  return new RegistrySource(ref, { platform, insecure, username, password, timeoutMs, retries });
}
