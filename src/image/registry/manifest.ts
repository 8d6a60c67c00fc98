/**
 * Reads a manifest document a registry returned: an image index / manifest list, or a
 * single-platform image manifest (OCI or Docker schema 2). Only the fields we use are checked,
 * but those are checked strictly, because everything later trusts them (digests name blobs,
 * sizes bound downloads).
 */
import { TarsierError } from '../../errors.js';
import type { Descriptor } from '../types.js';
import { MEDIA_TYPES } from '../types.js';

export type ManifestDocument =
  | { kind: 'index'; mediaType: string; manifests: Descriptor[] }
  | { kind: 'image'; mediaType: string; config: Descriptor; layers: Descriptor[] };

const INDEX_TYPES = new Set<string>([MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerManifestList]);
const IMAGE_TYPES = new Set<string>([MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest]);
const SCHEMA1_TYPES = new Set(['application/vnd.docker.distribution.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v1+prettyjws']);
const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

function checkDescriptor(value: unknown, what: string, where: string): Descriptor {
  const d = value as Partial<Descriptor> | null;
  if (d === null || typeof d !== 'object') throw new TarsierError('input', `${where}: ${what} is not a descriptor`);
  if (typeof d.digest !== 'string' || !DIGEST.test(d.digest)) {
    throw new TarsierError('input', `${where}: ${what} has an invalid digest ${JSON.stringify(d.digest)?.slice(0, 80) ?? 'undefined'}`);
  }
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) throw new TarsierError('input', `${where}: ${what} ${d.digest} has an invalid size`);
  if (typeof d.mediaType !== 'string') throw new TarsierError('input', `${where}: ${what} ${d.digest} has no media type`);
  return d as Descriptor;
}

function checkList(value: unknown, what: string, where: string): Descriptor[] {
  if (!Array.isArray(value)) throw new TarsierError('input', `${where}: the manifest has no ${what} list`);
  return value.map((v, i) => checkDescriptor(v, `${what} ${i + 1}`, where));
}

/**
 * `contentType` is the response's Content-Type; the document's own `mediaType` wins, and when
 * neither says, the shape decides (an OCI index may omit `mediaType`).
 */
export function parseManifestDocument(bytes: Buffer, contentType: string, where: string): ManifestDocument {
  let doc: { schemaVersion?: unknown; mediaType?: unknown; manifests?: unknown; config?: unknown; layers?: unknown };
  try {
    doc = JSON.parse(bytes.toString('utf8')) as typeof doc;
  } catch {
    throw new TarsierError('input', `${where}: the manifest is not valid JSON`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new TarsierError('input', `${where}: the manifest is not a JSON object`);
  const declared = typeof doc.mediaType === 'string' && doc.mediaType !== '' ? doc.mediaType : contentType;
  if (doc.schemaVersion === 1 || SCHEMA1_TYPES.has(declared)) {
    throw new TarsierError('unsupported', `${where}: Docker schema 1 manifests are not supported (push the image again with a current client)`);
  }
  const isIndex = INDEX_TYPES.has(declared) || (!IMAGE_TYPES.has(declared) && Array.isArray(doc.manifests));
  if (isIndex) {
    return { kind: 'index', mediaType: INDEX_TYPES.has(declared) ? declared : MEDIA_TYPES.ociIndex, manifests: checkList(doc.manifests, 'manifests', where) };
  }
  if (doc.config === undefined && !IMAGE_TYPES.has(declared)) {
    throw new TarsierError('unsupported', `${where}: unsupported manifest type ${JSON.stringify(declared).slice(0, 120)}`);
  }
  return {
    kind: 'image',
    mediaType: IMAGE_TYPES.has(declared) ? declared : MEDIA_TYPES.ociManifest,
    config: checkDescriptor(doc.config, 'config', where),
    layers: checkList(doc.layers, 'layers', where),
  };
}
