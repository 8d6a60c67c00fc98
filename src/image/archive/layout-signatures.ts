/**
 * Signature lookup in an OCI image layout (directory or oci-archive). Layouts carry signatures
 * only when the tool that wrote them copied them (`oras copy -r`, `cosign save`, a skopeo copy of
 * the `.sig` tag): index.json then lists
 *   - OCI 1.1 referrers: manifests whose `subject` is the image, with a signature artifact type;
 *   - cosign signature images (`sha256-<hex>.sig` tag, or `kind: dev.cosignproject.cosign/sigs`
 *     from `cosign save`), bound to the image by the `docker-manifest-digest` in their payload.
 * Finding none proves nothing (the registry copy may well be signed), so the answer is then
 * "cannot tell", never "unsigned".
 */
import { candidateOfManifest, classifySignature, COSIGN_SIMPLE_SIGNING, digestTag, indexEntries, type IndexEntry, parseJson, type SignatureLookup } from '../signatures.js';
import { MEDIA_TYPES } from '../types.js';
import { blobPath } from './oci-layout-source.js';
import type { ArchiveReader } from './readers.js';

const MAX_METADATA_BYTES = 4 << 20;
/** Manifests of index.json read in search of signatures; a layout with more is not searched further. */
const MAX_READS = 256;
const REF_NAME = 'org.opencontainers.image.ref.name';
const COSIGN_KIND_SIGS = 'dev.cosignproject.cosign/sigs';

/** The image digest a cosign simple-signing payload signs. */
function signedDigestOf(payload: Buffer): string | undefined {
  const doc = parseJson(payload) as { critical?: { image?: Record<string, unknown> } } | null;
  const digest = doc?.critical?.image?.['docker-manifest-digest'];
  return typeof digest === 'string' ? digest : undefined;
}

export async function lookupLayoutSignatures(reader: ArchiveReader, imageDigest: string): Promise<SignatureLookup> {
  let reads = 0;
  const blob = async (digest: string): Promise<Buffer | null> => {
    const name = blobPath(digest, reader.where);
    if (reads >= MAX_READS || !(await reader.has(name))) return null;
    reads++;
    return reader.readSmall(name, MAX_METADATA_BYTES);
  };
  const top = indexEntries(parseJson(await reader.readSmall('index.json', MAX_METADATA_BYTES)));

  // The image is known by its manifest digest and by any index in the layout that lists it.
  const subjects = new Set([imageDigest]);
  for (const e of top) {
    if (e.mediaType !== MEDIA_TYPES.ociIndex && e.mediaType !== MEDIA_TYPES.dockerManifestList) continue;
    const index = await blob(e.digest);
    if (index && indexEntries(parseJson(index)).some((m) => m.digest === imageDigest)) subjects.add(e.digest);
  }
  const sigTags = new Set([...subjects].map((s) => `${digestTag(s)}.sig`));
  const referrerTags = new Set([...subjects].map(digestTag));

  // Candidate signature manifests: every manifest index.json lists, plus referrers-tag indexes' entries.
  const candidates: IndexEntry[] = [];
  for (const e of top) {
    if (referrerTags.has(e.annotations?.[REF_NAME] ?? '')) {
      const index = await blob(e.digest);
      if (index) candidates.push(...indexEntries(parseJson(index)));
    } else if (e.mediaType !== MEDIA_TYPES.ociIndex && e.mediaType !== MEDIA_TYPES.dockerManifestList && !subjects.has(e.digest)) {
      candidates.push(e);
    }
  }

  const found: string[] = [];
  for (const c of candidates) {
    const raw = await blob(c.digest);
    const manifest = raw === null ? null : candidateOfManifest(raw);
    if (manifest === null) continue;
    const verdict = classifySignature(manifest);
    if (verdict === 'not-a-signature' || verdict === 'undecided') continue;
    if (manifest.subject !== undefined) {
      if (subjects.has(manifest.subject)) found.push(`${verdict} signature ${c.digest} (referrer in the layout)`);
      continue;
    }
    // No subject: a legacy cosign signature image; its payload names what it signs.
    const named = c.annotations?.[REF_NAME] ?? '';
    if (!sigTags.has(named) && c.annotations?.kind !== COSIGN_KIND_SIGS) continue;
    for (const layer of manifest.layers ?? []) {
      if (layer.mediaType !== COSIGN_SIMPLE_SIGNING || typeof layer.digest !== 'string') continue;
      const payload = await blob(layer.digest);
      const signed = payload === null ? undefined : signedDigestOf(payload);
      if (signed !== undefined && subjects.has(signed)) {
        found.push(`cosign signature ${c.digest} (${named ? `tag ${named}` : 'cosign save'} in the layout)`);
        break;
      }
    }
  }
  if (found.length > 0) return { signed: true, details: found };
  return {
    signed: undefined,
    details: [`the layout holds no signature for ${imageDigest}; a layout need not carry the registry's signatures, so "unsigned" is not claimed`],
  };
}
