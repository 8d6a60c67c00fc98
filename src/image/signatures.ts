/**
 * What counts as a signature of an image, shared by the registry and OCI-layout lookups: cosign
 * (legacy `sha256-<hex>.sig` tag, OCI 1.1 referrer, Sigstore bundle of a `cosign sign`) and
 * Notation (Notary Project) signatures. Attestations (SBOM, provenance, in-toto) are signed too,
 * but they sign a statement about the image, not the image: they do not count.
 */

/** The answer of a signature lookup. */
export interface SignatureLookup {
  /**
   * true: a signature was found; false: every place a signature could be was checked and none
   * holds one; undefined: the source cannot tell (then BCR-021 is not evaluated).
   */
  signed: boolean | undefined;
  /** Where signatures were found (`signed`), or what was checked (`!signed`), for evidence. */
  details: string[];
}

export const COSIGN_SIGNATURE_ARTIFACT = 'application/vnd.dev.cosign.artifact.sig.v1+json';
export const COSIGN_SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const COSIGN_SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
export const NOTATION_SIGNATURE = 'application/vnd.cncf.notary.signature';
/** Sigstore bundles carry signatures and attestations alike; annotations tell them apart. */
const SIGSTORE_BUNDLE = /^application\/vnd\.dev\.sigstore\.bundle(\.v[0-9.]+\+json|\+json)/;
/** `predicateType` of the in-toto statement cosign (v3) writes when it signs an image. */
export const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';

/** The parts of a descriptor or manifest a decision needs. */
export interface SignatureCandidate {
  artifactType?: string;
  /** Config media type of the manifest (Notation before OCI 1.1 `artifactType`). */
  configMediaType?: string;
  annotations?: Record<string, string>;
  layers?: Array<{ mediaType?: string; digest?: string; annotations?: Record<string, string> }>;
}

/** A descriptor listed by an image index, a referrers index or the referrers API. */
export interface IndexEntry {
  mediaType?: string;
  digest: string;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export type SignatureVerdict = 'cosign' | 'notation' | 'sigstore-bundle' | 'not-a-signature' | 'undecided';

/**
 * Classifies one referrer. `undecided` means a Sigstore bundle whose descriptor lacks the
 * annotations that say whether it is a signature: the caller reads the manifest and asks again.
 */
export function classifySignature(c: SignatureCandidate): SignatureVerdict {
  const type = c.artifactType ?? c.configMediaType ?? '';
  if (type === COSIGN_SIGNATURE_ARTIFACT) return 'cosign';
  if (type === NOTATION_SIGNATURE) return 'notation';
  if (SIGSTORE_BUNDLE.test(type)) {
    const predicate = c.annotations?.['dev.sigstore.bundle.predicateType'];
    const content = c.annotations?.['dev.sigstore.bundle.content'];
    if (predicate === COSIGN_SIGN_PREDICATE || content === 'message-signature') return 'sigstore-bundle';
    if (predicate !== undefined || content !== undefined) return 'not-a-signature';
    return 'undecided';
  }
  // A legacy cosign signature image: simple-signing layers carrying the signature annotation.
  if (c.layers?.some((l) => l.mediaType === COSIGN_SIMPLE_SIGNING && l.annotations?.[COSIGN_SIGNATURE_ANNOTATION] !== undefined)) return 'cosign';
  return 'not-a-signature';
}

/** `sha256:abc…` → `sha256-abc…`, the tag cosign and the referrers tag schema derive from a digest. */
export function digestTag(digest: string): string {
  return digest.replace(':', '-');
}

/** The JSON document in `bytes` (metadata a registry or layout holds); null when it is not JSON. */
export function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const annotationsOf = (v: unknown): Record<string, string> | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, string>) : undefined);

/**
 * The entries of an index document's `manifests` that are descriptors (objects with a string
 * digest); anything else in the list, or a document without the list, contributes nothing.
 */
export function indexEntries(doc: unknown): IndexEntry[] {
  const manifests = (doc as { manifests?: unknown } | null)?.manifests;
  if (!Array.isArray(manifests)) return [];
  return manifests
    .filter((m): m is Record<string, unknown> => m !== null && typeof m === 'object' && typeof (m as { digest?: unknown }).digest === 'string')
    .map((m) => ({ mediaType: str(m.mediaType), digest: m.digest as string, artifactType: str(m.artifactType), annotations: annotationsOf(m.annotations) }));
}

/** The manifest fields `classifySignature` reads, from raw manifest JSON; null when it is not JSON. */
export function candidateOfManifest(bytes: Buffer): (SignatureCandidate & { subject?: string }) | null {
  const doc = parseJson(bytes);
  if (doc === null || typeof doc !== 'object') return null;
  const m = doc as { artifactType?: unknown; config?: { mediaType?: unknown }; annotations?: unknown; layers?: unknown; subject?: { digest?: unknown } };
  const layers = Array.isArray(m.layers)
    ? m.layers.filter((l): l is Record<string, unknown> => l !== null && typeof l === 'object').map((l) => ({ mediaType: str(l.mediaType), digest: str(l.digest), annotations: annotationsOf(l.annotations) }))
    : undefined;
  return {
    artifactType: str(m.artifactType),
    configMediaType: str(m.config?.mediaType),
    annotations: annotationsOf(m.annotations),
    layers,
    subject: str(m.subject?.digest),
  };
}
