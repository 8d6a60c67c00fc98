/**
 * An image in an OCI Distribution registry (`HOST[:PORT]/REPO[:TAG|@DIGEST]`). The manifest is
 * fetched once; an image index / manifest list is resolved to one platform; every manifest
 * reached by digest is checked against that digest, and every blob is verified as it streams.
 */
import type { Readable } from 'node:stream';
import { TarsierError } from '../../errors.js';
import { DEFAULT_PLATFORM, parsePlatform, selectManifest } from '../platform.js';
import type { Descriptor, ImageSource, Platform, ResolvedManifest } from '../types.js';
import type { Manifest, RegistryClient } from './client.js';
import { connectRegistry, type RegistryConnectOptions } from './connect.js';
import { parseManifestDocument } from './manifest.js';
import { formatReference, type ImageReference, manifestReference, parseReference } from './reference.js';
import { lookupRegistrySignatures } from './signatures.js';
import { digestOf } from './verify.js';
import type { SignatureLookup } from '../signatures.js';

export interface RegistrySourceOptions extends RegistryConnectOptions {
  /** `os/arch[/variant]` or a Platform; default linux/amd64. */
  platform?: string | Platform;
  /** Largest image config accepted; default 8 MiB. */
  maxConfigBytes?: number;
}

/** Index → index → manifest chains longer than this are refused. */
const MAX_INDEX_DEPTH = 4;
const DEFAULT_MAX_CONFIG_BYTES = 8 * 1024 * 1024;

export class RegistrySource implements ImageSource {
  readonly type = 'registry' as const;
  readonly ref: string;
  /** getBlob streams verify size and digest themselves. */
  readonly verifiesBlobs = true;
  readonly reference: ImageReference;
  readonly platform: Platform;
  /** Digest of the image index the reference named, when it named one. */
  indexDigest: string | undefined;
  private readonly client: RegistryClient;
  private readonly maxConfigBytes: number;
  private resolved: Promise<ResolvedManifest> | undefined;

  constructor(ref: string, options: RegistrySourceOptions = {}) {
    const { platform, maxConfigBytes, ...connect } = options;
    this.reference = parseReference(ref);
    this.ref = formatReference(this.reference);
    this.platform = platform === undefined ? DEFAULT_PLATFORM : typeof platform === 'string' ? parsePlatform(platform) : platform;
    this.maxConfigBytes = maxConfigBytes ?? DEFAULT_MAX_CONFIG_BYTES;
    this.client = connectRegistry(this.reference.registry, connect);
  }

  /** `registry HOST: REPO:TAG`, the prefix of this image's errors. */
  private get where(): string {
    const { registry, repository, tag, digest } = this.reference;
    return `registry ${registry}: ${digest ? `${repository}@${digest}` : `${repository}:${tag ?? 'latest'}`}`;
  }

  manifest(): Promise<ResolvedManifest> {
    this.resolved ??= this.resolve();
    return this.resolved;
  }

  private async resolve(): Promise<ResolvedManifest> {
    const { repository } = this.reference;
    let reference = manifestReference(this.reference);
    // A digest in the reference pins the bytes; so does each descriptor an index points to.
    let expected: { digest: string; size?: number } | undefined = this.reference.digest ? { digest: this.reference.digest } : undefined;
    for (let depth = 0; depth <= MAX_INDEX_DEPTH; depth++) {
      const fetched = await this.client.getManifest(repository, reference);
      const digest = this.checkManifest(fetched, expected);
      const doc = parseManifestDocument(fetched.bytes, fetched.mediaType, `${this.where} manifest ${digest}`);
      if (doc.kind === 'index') {
        if (depth === 0) this.indexDigest = digest;
        const chosen: Descriptor = selectManifest(doc.manifests, this.platform, this.where);
        reference = chosen.digest;
        expected = { digest: chosen.digest, size: chosen.size };
        continue;
      }
      const size = fetched.bytes.length + doc.config.size + doc.layers.reduce((sum, l) => sum + l.size, 0);
      return { digest, mediaType: doc.mediaType, config: doc.config, layers: doc.layers, size };
    }
    throw new TarsierError('input', `${this.where}: image indexes nested more than ${MAX_INDEX_DEPTH} deep`);
  }

  /**
   * The manifest's digest, after checking the bytes against the digest (and size) we asked for
   * and against the registry's `Docker-Content-Digest`, whichever are known.
   */
  private checkManifest(m: Manifest, expected: { digest: string; size?: number } | undefined): string {
    const algorithm = expected?.digest.split(':')[0] ?? 'sha256';
    const actual = algorithm === 'sha256' ? m.digest : digestOf(m.bytes, algorithm);
    if (expected !== undefined) {
      if (expected.size !== undefined && m.bytes.length !== expected.size) {
        throw new TarsierError('digest_mismatch', `${this.where}: manifest ${expected.digest} is ${m.bytes.length} bytes, its descriptor says ${expected.size}`);
      }
      if (actual !== expected.digest) throw new TarsierError('digest_mismatch', `${this.where}: manifest ${expected.digest} was requested but the registry sent content hashing to ${actual}`);
    }
    const claimed = m.headerDigest;
    if (claimed !== undefined && claimed.startsWith(`${algorithm}:`) && claimed !== actual) {
      throw new TarsierError('digest_mismatch', `${this.where}: the registry says the manifest is ${claimed} but its content hashes to ${actual}`);
    }
    return actual;
  }

  async configBytes(): Promise<Buffer> {
    const { config } = await this.manifest();
    return this.client.getBlobBytes(this.reference.repository, config.digest, config.size, this.maxConfigBytes);
  }

  /** The blob as stored; the stream itself fails with `digest_mismatch` if it is not what `desc` says. */
  openBlob(desc: Descriptor): Promise<Readable> {
    return this.client.getBlob(this.reference.repository, desc.digest, desc.size);
  }

  /** Signatures of the platform manifest or of the index the reference named (see signatures.ts). */
  async signatures(): Promise<SignatureLookup> {
    const { digest } = await this.manifest();
    return lookupRegistrySignatures(this.client, this.reference.repository, this.indexDigest ? [digest, this.indexDigest] : [digest]);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
