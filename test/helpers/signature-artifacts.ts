/**
 * Signature artifacts as cosign and Notation store them, for signature-lookup tests: the bytes
 * of each manifest and blob, and small pushers to a registry (OCI Distribution blob upload and
 * manifest PUT with basic auth) and into an OCI layout's index.json. The signatures themselves
 * are not valid cryptography; the lookup only establishes that a signature exists.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunningRegistry } from './registry-server.js';

export interface Blob {
  mediaType: string;
  bytes: Buffer;
  digest: string;
}

export interface Artifact {
  manifest: Buffer;
  digest: string;
  mediaType: string;
  artifactType?: string;
  annotations?: Record<string, string>;
  blobs: Blob[];
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

function sha256(buf: Buffer): string {
  return `sha256:${createHash('sha256').update(buf).digest('hex')}`;
}

function blob(mediaType: string, content: string | Buffer): Blob {
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content);
  return { mediaType, bytes, digest: sha256(bytes) };
}

function descriptor(b: Blob, annotations?: Record<string, string>): Record<string, unknown> {
  return { mediaType: b.mediaType, digest: b.digest, size: b.bytes.length, ...(annotations ? { annotations } : {}) };
}

function artifact(doc: Record<string, unknown>, blobs: Blob[]): Artifact {
  const manifest = Buffer.from(JSON.stringify(doc));
  const out: Artifact = { manifest, digest: sha256(manifest), mediaType: OCI_MANIFEST, blobs };
  if (typeof doc.artifactType === 'string') out.artifactType = doc.artifactType;
  if (doc.annotations) out.annotations = doc.annotations as Record<string, string>;
  return out;
}

const EMPTY = blob('application/vnd.oci.empty.v1+json', '{}');

/** A cosign (pre-OCI 1.1) signature image: stored under the tag `sha256-<hex>.sig`. */
export function cosignSignature(imageDigest: string, reference: string): Artifact {
  const payload = blob(
    'application/vnd.dev.cosign.simplesigning.v1+json',
    JSON.stringify({ critical: { identity: { 'docker-reference': reference }, image: { 'docker-manifest-digest': imageDigest }, type: 'cosign container image signature' }, optional: null }),
  );
  const config = blob('application/vnd.oci.image.config.v1+json', JSON.stringify({ architecture: '', os: '', config: {}, rootfs: { type: 'layers', diff_ids: [payload.digest] } }));
  const doc = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: descriptor(config),
    layers: [descriptor(payload, { 'dev.cosignproject.cosign/signature': 'MEUCIQDtest-signature-not-verified' })],
  };
  return artifact(doc, [config, payload]);
}

/** A Notation signature: an OCI 1.1 referrer (config media type names it, `subject` is the image). */
export function notationSignature(subject: { digest: string; size: number; mediaType: string }): Artifact {
  const envelope = blob('application/jose+json', JSON.stringify({ payload: 'e30', protected: 'e30', header: {}, signature: 'dGVzdA' }));
  const config = blob('application/vnd.cncf.notary.signature', '{}');
  const doc = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: descriptor(config),
    layers: [descriptor(envelope)],
    subject,
    annotations: { 'io.cncf.notary.x509chain.thumbprint#S256': '["0000"]' },
  };
  return artifact(doc, [config, envelope]);
}

/** A Sigstore bundle referrer (cosign v3): a signature, or an attestation with another predicate. */
export function sigstoreBundle(subject: { digest: string; size: number; mediaType: string }, predicateType: string, annotate = true): Artifact {
  const bundleType = 'application/vnd.dev.sigstore.bundle.v0.3+json';
  const bundle = blob(bundleType, JSON.stringify({ mediaType: bundleType, verificationMaterial: {}, dsseEnvelope: { payloadType: 'application/vnd.in-toto+json', payload: 'e30', signatures: [] } }));
  const doc = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: bundleType,
    config: descriptor(EMPTY),
    layers: [descriptor(bundle)],
    subject,
    annotations: { 'dev.sigstore.bundle.content': 'dsse-envelope', 'dev.sigstore.bundle.predicateType': predicateType },
  };
  const a = artifact(doc, [EMPTY, bundle]);
  if (!annotate) delete a.annotations;
  return a;
}

/** The referrers index (what the referrers API returns, or the `sha256-<hex>` tag holds). */
export function referrersIndex(referrers: Artifact[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: referrers.map((r) => ({
        mediaType: r.mediaType,
        digest: r.digest,
        size: r.manifest.length,
        artifactType: r.artifactType ?? (JSON.parse(r.manifest.toString()) as { config: { mediaType: string } }).config.mediaType,
        ...(r.annotations ? { annotations: r.annotations } : {}),
      })),
    }),
  );
}

function basic(registry: RunningRegistry): string {
  return `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}`;
}

async function uploadBlob(registry: RunningRegistry, repository: string, b: Blob): Promise<void> {
  const start = await fetch(`http://${registry.host}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers: { authorization: basic(registry) } });
  if (start.status !== 202) throw new Error(`blob upload start: ${start.status} ${await start.text()}`);
  const location = new URL(start.headers.get('location') ?? '', `http://${registry.host}`);
  location.searchParams.set('digest', b.digest);
  const put = await fetch(location, { method: 'PUT', headers: { authorization: basic(registry), 'content-type': 'application/octet-stream' }, body: b.bytes });
  if (put.status !== 201) throw new Error(`blob upload: ${put.status} ${await put.text()}`);
}

export async function putManifest(registry: RunningRegistry, repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<void> {
  const res = await fetch(`http://${registry.host}/v2/${repository}/manifests/${reference}`, { method: 'PUT', headers: { authorization: basic(registry), 'content-type': mediaType }, body: bytes });
  if (res.status !== 201) throw new Error(`manifest PUT ${reference}: ${res.status} ${await res.text()}`);
}

/** Pushes the artifact's blobs and manifest, under `tag` or by digest. */
export async function pushArtifact(registry: RunningRegistry, repository: string, a: Artifact, tag?: string): Promise<void> {
  for (const b of a.blobs) await uploadBlob(registry, repository, b);
  await putManifest(registry, repository, tag ?? a.digest, a.manifest, a.mediaType);
}

/** Adds the artifact to an OCI layout: blobs, manifest, and an index.json entry. */
export async function addToLayout(dir: string, a: Artifact, annotations?: Record<string, string>): Promise<void> {
  for (const b of [...a.blobs, { bytes: a.manifest, digest: a.digest }]) await writeFile(join(dir, 'blobs', 'sha256', b.digest.slice(7)), b.bytes);
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: unknown[] };
  index.manifests.push({ mediaType: a.mediaType, digest: a.digest, size: a.manifest.length, ...(a.artifactType ? { artifactType: a.artifactType } : {}), ...(annotations ? { annotations } : {}) });
  await writeFile(join(dir, 'index.json'), JSON.stringify(index));
}
