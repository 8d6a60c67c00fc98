import type { Readable } from 'node:stream';
import type { SignatureLookup } from './signatures.js';

export const MEDIA_TYPES = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  ociLayerTar: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** An OCI content descriptor. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: Platform;
  urls?: string[];
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** The image config blob (OCI image config / Docker image JSON), the parts we read. */
export interface ImageConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  author?: string;
  config?: {
    User?: string;
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
    ExposedPorts?: Record<string, unknown>;
    Volumes?: Record<string, unknown>;
    Labels?: Record<string, string> | null;
    Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; Retries?: number };
    StopSignal?: string;
    OnBuild?: string[] | null;
    Shell?: string[];
  };
  rootfs?: { type: string; diff_ids: string[] };
  history?: HistoryEntry[];
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** A single-platform image manifest after index resolution. */
export interface ResolvedManifest {
  /** Digest of the manifest bytes (what a registry calls the image digest). */
  digest: string;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  /** Size of manifest + config + all layers as stored (compressed), in bytes. */
  size: number;
}

/** What an image reference was resolved to. */
export type SourceType = 'registry' | 'docker-archive' | 'oci' | 'oci-archive';

/**
 * One readable image. Implementations: registry, docker-archive, OCI layout, OCI archive.
 * `openBlob` returns the blob exactly as stored (possibly compressed); callers verify digests.
 */
export interface ImageSource {
  readonly type: SourceType;
  /** The reference as the user wrote it, normalised (e.g. `localhost:5000/app:1.0`). */
  readonly ref: string;
  /** True when `openBlob` streams already fail on a digest mismatch (registry), so callers need not hash again. */
  readonly verifiesBlobs?: boolean;
  manifest(): Promise<ResolvedManifest>;
  /** The raw config bytes; callers verify them against `manifest().config.digest`. */
  configBytes(): Promise<Buffer>;
  openBlob(desc: Descriptor): Promise<Readable>;
  /** Signatures of the image (cosign, Notation) where the source can hold them; absent: cannot tell. */
  signatures?(): Promise<SignatureLookup>;
  close(): Promise<void>;
}
