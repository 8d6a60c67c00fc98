/**
 * An image in OCI image-layout form: a directory (`oci:DIR[:TAG]`) or a tar of one
 * (`oci-archive:FILE[:TAG]`). `index.json` names manifests (tags in the
 * `org.opencontainers.image.ref.name` annotation); nested indexes are resolved by platform.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { TarsierError } from '../../errors.js';
import { selectManifest } from '../platform.js';
import type { Descriptor, ImageSource, Platform, ResolvedManifest } from '../types.js';
import { MEDIA_TYPES } from '../types.js';
import type { SignatureLookup } from '../signatures.js';
import { lookupLayoutSignatures } from './layout-signatures.js';
import type { ArchiveReader } from './readers.js';

const MAX_METADATA_BYTES = 4 << 20;
const MAX_INDEX_DEPTH = 4;
const REF_NAME = 'org.opencontainers.image.ref.name';

interface IndexJson {
  manifests?: Descriptor[];
}
interface ManifestJson {
  mediaType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
}

export function blobPath(digest: string, where: string): string {
  const m = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-f0-9]{32,})$/.exec(digest);
  if (!m) throw new TarsierError('input', `${where}: invalid digest ${JSON.stringify(digest)}`);
  return `blobs/${m[1]}/${m[2]}`;
}

export function parseJson<T>(buf: Buffer, what: string): T {
  try {
    return JSON.parse(buf.toString('utf8')) as T;
  } catch (err) {
    throw new TarsierError('input', `${what}: invalid JSON (${(err as Error).message})`);
  }
}

function verify(buf: Buffer, desc: Descriptor, where: string): void {
  const [alg, hex] = desc.digest.split(':');
  if (alg !== 'sha256' && alg !== 'sha512') throw new TarsierError('unsupported', `${where}: digest algorithm ${alg} is not supported`);
  const actual = createHash(alg).update(buf).digest('hex');
  if (actual !== hex) throw new TarsierError('digest_mismatch', `${where}: ${desc.digest} does not match its content (sha256:${actual.slice(0, 12)}…)`);
}

export class OciLayoutSource implements ImageSource {
  private resolved?: ResolvedManifest;

  constructor(
    readonly type: 'oci' | 'oci-archive',
    readonly ref: string,
    private readonly reader: ArchiveReader,
    private readonly tag: string | undefined,
    private readonly platform: Platform,
  ) {}

  private async readBlob(desc: Descriptor): Promise<Buffer> {
    const buf = await this.reader.readSmall(blobPath(desc.digest, this.reader.where), MAX_METADATA_BYTES);
    verify(buf, desc, this.reader.where);
    return buf;
  }

  private pickFromIndex(index: IndexJson): Descriptor {
    const manifests = index.manifests ?? [];
    if (manifests.length === 0) throw new TarsierError('input', `${this.reader.where}: index.json lists no images`);
    if (this.tag !== undefined) {
      const tagged = manifests.filter((m) => m.annotations?.[REF_NAME] === this.tag);
      if (tagged.length === 0) {
        const tags = manifests.map((m) => m.annotations?.[REF_NAME]).filter(Boolean);
        throw new TarsierError('not_found', `${this.reader.where}: no image tagged ${this.tag} (tags: ${tags.join(', ') || 'none'})`);
      }
      return tagged.length === 1 ? (tagged[0] as Descriptor) : selectManifest(tagged, this.platform, this.reader.where);
    }
    if (manifests.length === 1) return manifests[0] as Descriptor;
    return selectManifest(manifests, this.platform, this.reader.where);
  }

  async manifest(): Promise<ResolvedManifest> {
    if (this.resolved) return this.resolved;
    if (!(await this.reader.has('index.json'))) throw new TarsierError('input', `${this.reader.where}: not an OCI image layout (no index.json)`);
    const index = parseJson<IndexJson>(await this.reader.readSmall('index.json', MAX_METADATA_BYTES), `${this.reader.where}/index.json`);
    let desc = this.pickFromIndex(index);
    for (let depth = 0; ; depth++) {
      if (depth > MAX_INDEX_DEPTH) throw new TarsierError('input', `${this.reader.where}: image indexes nested too deep`);
      const raw = await this.readBlob(desc);
      const doc = parseJson<ManifestJson>(raw, `${this.reader.where} manifest ${desc.digest}`);
      const mediaType = doc.mediaType ?? desc.mediaType;
      if (doc.manifests) {
        desc = selectManifest(doc.manifests, this.platform, this.reader.where);
        continue;
      }
      if (!doc.config || !Array.isArray(doc.layers)) throw new TarsierError('input', `${this.reader.where}: manifest ${desc.digest} has no config or layers`);
      const size = raw.length + doc.config.size + doc.layers.reduce((s, l) => s + l.size, 0);
      this.resolved = { digest: desc.digest, mediaType: mediaType ?? MEDIA_TYPES.ociManifest, config: doc.config, layers: doc.layers, size };
      return this.resolved;
    }
  }

  async configBytes(): Promise<Buffer> {
    const m = await this.manifest();
    return this.readBlob(m.config);
  }

  async openBlob(desc: Descriptor): Promise<Readable> {
    const name = blobPath(desc.digest, this.reader.where);
    if (!(await this.reader.has(name))) throw new TarsierError('not_found', `${this.reader.where}: blob ${desc.digest} is missing`);
    return this.reader.open(name);
  }

  /** Signatures the layout carries for this image (see layout-signatures.ts). */
  async signatures(): Promise<SignatureLookup> {
    return lookupLayoutSignatures(this.reader, (await this.manifest()).digest);
  }

  close(): Promise<void> {
    return this.reader.close();
  }
}

export type { Platform };
