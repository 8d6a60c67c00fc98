/**
 * A `docker save` archive: `manifest.json` names the config file and one file per layer. There is
 * no registry manifest, so the image is identified by its config digest (the Docker image ID), and
 * layer blobs are identified by their file: `blobs/sha256/<hex>` (Docker ≥ 25) gives the digest;
 * the legacy `<id>/layer.tar` is an uncompressed tar, whose digest is its diffID.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { TarsierError } from '../../errors.js';
import type { Descriptor, ImageConfig, ImageSource, ResolvedManifest } from '../types.js';
import { MEDIA_TYPES } from '../types.js';
import { parseJson } from './oci-layout-source.js';
import type { ArchiveReader } from './readers.js';

const MAX_METADATA_BYTES = 4 << 20;

interface DockerManifestEntry {
  Config?: string;
  RepoTags?: string[] | null;
  Layers?: string[];
}

export class DockerArchiveSource implements ImageSource {
  readonly type = 'docker-archive' as const;
  private resolved?: { manifest: ResolvedManifest; config: Buffer; layerFiles: Map<string, string> };

  constructor(
    readonly ref: string,
    private readonly reader: ArchiveReader,
    private readonly repoTag: string | undefined,
  ) {}

  private pick(entries: DockerManifestEntry[]): DockerManifestEntry {
    if (entries.length === 0) throw new TarsierError('input', `${this.reader.where}: manifest.json lists no images`);
    if (this.repoTag === undefined) {
      if (entries.length > 1) {
        const tags = entries.flatMap((e) => e.RepoTags ?? []);
        throw new TarsierError('usage', `${this.reader.where}: holds ${entries.length} images; name one with docker-archive:PATH:REPO:TAG (${tags.join(', ')})`);
      }
      return entries[0] as DockerManifestEntry;
    }
    const want = this.repoTag.includes(':') ? this.repoTag : `${this.repoTag}:latest`;
    const hit = entries.find((e) => (e.RepoTags ?? []).some((t) => t === want || t === `docker.io/${want}` || t === `docker.io/library/${want}`));
    if (!hit) throw new TarsierError('not_found', `${this.reader.where}: no image tagged ${this.repoTag}`);
    return hit;
  }

  private async load(): Promise<NonNullable<DockerArchiveSource['resolved']>> {
    if (this.resolved) return this.resolved;
    if (!(await this.reader.has('manifest.json'))) throw new TarsierError('input', `${this.reader.where}: not a docker-archive (no manifest.json)`);
    const entries = parseJson<DockerManifestEntry[]>(await this.reader.readSmall('manifest.json', MAX_METADATA_BYTES), `${this.reader.where}/manifest.json`);
    if (!Array.isArray(entries)) throw new TarsierError('input', `${this.reader.where}/manifest.json: expected a list of images`);
    const entry = this.pick(entries);
    if (typeof entry.Config !== 'string' || !Array.isArray(entry.Layers)) throw new TarsierError('input', `${this.reader.where}/manifest.json: image entry lacks Config or Layers`);
    const config = await this.reader.readSmall(entry.Config, MAX_METADATA_BYTES);
    const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`;
    const diffIds = parseJson<ImageConfig>(config, `${this.reader.where}/${entry.Config}`).rootfs?.diff_ids ?? [];
    if (diffIds.length !== entry.Layers.length) {
      throw new TarsierError('input', `${this.reader.where}: config lists ${diffIds.length} layers but manifest.json has ${entry.Layers.length}`);
    }
    const layerFiles = new Map<string, string>();
    const layers: Descriptor[] = [];
    for (const [i, file] of entry.Layers.entries()) {
      const size = await this.reader.size(file);
      const m = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(file);
      // Legacy layer.tar files are uncompressed, so their digest is the diffID (checked on read).
      const digest = m ? `sha256:${m[1]}` : (diffIds[i] as string);
      layerFiles.set(digest, file);
      layers.push({ mediaType: m ? MEDIA_TYPES.ociLayerGzip : MEDIA_TYPES.ociLayerTar, digest, size });
    }
    const manifest: ResolvedManifest = {
      digest: configDigest,
      mediaType: MEDIA_TYPES.dockerManifest,
      config: { mediaType: MEDIA_TYPES.dockerConfig, digest: configDigest, size: config.length },
      layers,
      size: config.length + layers.reduce((s, l) => s + l.size, 0),
    };
    this.resolved = { manifest, config, layerFiles };
    return this.resolved;
  }

  async manifest(): Promise<ResolvedManifest> {
    return (await this.load()).manifest;
  }

  async configBytes(): Promise<Buffer> {
    return (await this.load()).config;
  }

  async openBlob(desc: Descriptor): Promise<Readable> {
    const file = (await this.load()).layerFiles.get(desc.digest);
    if (!file) throw new TarsierError('not_found', `${this.reader.where}: no layer ${desc.digest}`);
    return this.reader.open(file);
  }

  close(): Promise<void> {
    return this.reader.close();
  }
}
