/**
 * BCR-021 (image not signed) per image reference. Signatures live in a repository (referrers API,
 * cosign `sha256-<hex>.sig` tag), so one digest can be signed under one reference and not under
 * another (promoted from a dev repository to a signed prod one). The scan job asks the reference
 * it scans and keeps the verdict on that reference (images.signed); the digest's stored analysis
 * never holds BCR-021, and the store's build-risk listings add it from the reference's verdict.
 */
import type { SignatureLookup } from '../image/signatures.js';
import type { ImageSource } from '../image/types.js';
import type { Store } from '../store/open-store.js';

/**
 * Lets the scan pipeline and the scan job share one lookup: the pipeline asks for BCR-021 of its
 * report, the job for the reference's verdict, and the registry is asked once.
 */
export function shareSignatureLookup(source: ImageSource): void {
  const ask = source.signatures?.bind(source);
  if (!ask) return;
  let pending: Promise<SignatureLookup> | undefined;
  source.signatures = () => (pending ??= ask());
}

/**
 * Asks the source whether the image is signed and records the answer on reference `imageId`.
 * A lookup that cannot answer (failed, or a source without signatures) keeps the stored verdict
 * rather than dropping it. Returns the verdict recorded, undefined when none was.
 */
export async function recordImageSignature(
  store: Store,
  imageId: string,
  source: Pick<ImageSource, 'type' | 'signatures'>,
  opts: { now?: number; log?: (line: string) => void; label?: string } = {},
): Promise<boolean | undefined> {
  if (!source.signatures) return undefined;
  const label = opts.label ?? imageId;
  let lookup: SignatureLookup;
  try {
    lookup = await source.signatures();
  } catch (err) {
    opts.log?.(`warning: ${label}: image signatures not checked: ${(err as Error).message}`);
    return undefined;
  }
  if (lookup.signed === undefined) {
    // An archive without signatures is the norm; a registry that could not answer is worth a warning.
    if (source.type === 'registry') opts.log?.(`warning: ${label}: image signatures not checked: ${lookup.details.join('; ')}`);
    return undefined;
  }
  await store.db.updateTable('images').set({ signed: lookup.signed, signature_checked_at: opts.now ?? Date.now() }).where('id', '=', imageId).execute();
  return lookup.signed;
}
