/**
 * Signature lookup in an OCI Distribution registry, for each digest an image is known by (the
 * platform manifest, and the index a multi-platform reference named — `cosign sign` of a tag
 * signs the index):
 *   1. OCI 1.1 referrers: `GET /v2/<name>/referrers/<digest>`; on 404 (no referrers API) the
 *      referrers tag schema, tag `sha256-<hex>` holding an index of referrers;
 *   2. the cosign tag `sha256-<hex>.sig` (signatures stored before OCI 1.1).
 * Registry answers are authoritative: none of them holding a signature means "unsigned". A
 * failure (network, 401/403, garbage) means "cannot tell", never "unsigned".
 */
import { TarsierError } from '../../errors.js';
import { candidateOfManifest, classifySignature, digestTag, indexEntries, type IndexEntry, parseJson, type SignatureLookup, type SignatureVerdict } from '../signatures.js';
import type { RegistryClient } from './client.js';

/** Referrers whose descriptor does not say what they are, read to find out; more are not read. */
const MAX_MANIFEST_READS = 16;

async function tagExists(client: RegistryClient, repository: string, tag: string): Promise<boolean> {
  try {
    await client.headManifest(repository, tag);
    return true;
  } catch (err) {
    if (err instanceof TarsierError && err.code === 'not_found') return false;
    throw err;
  }
}

/** The referrers of `digest`, and where they were listed. */
async function referrersOf(client: RegistryClient, repository: string, digest: string): Promise<{ list: IndexEntry[]; where: string }> {
  let list: IndexEntry[] | null;
  try {
    list = await client.getReferrers(repository, digest);
  } catch (err) {
    // A registry without the API may answer 400/405 or an HTML page instead of 404: the spec's
    // fallback applies as well. Auth, rate-limit and network failures stay failures.
    if (!(err instanceof TarsierError && err.code === 'input')) throw err;
    list = null;
  }
  if (list !== null) return { list, where: `referrers API of ${digest}` };
  const tag = digestTag(digest);
  if (!(await tagExists(client, repository, tag))) return { list: [], where: `referrers tag ${tag}` };
  return { list: indexEntries(parseJson((await client.getManifest(repository, tag)).bytes)), where: `referrers tag ${tag}` };
}

export async function lookupRegistrySignatures(client: RegistryClient, repository: string, digests: string[]): Promise<SignatureLookup> {
  const checked: string[] = [];
  const found: string[] = [];
  let reads = 0;
  const verdictOf = async (d: IndexEntry): Promise<SignatureVerdict> => {
    // Without an artifactType the descriptor says nothing; the manifest itself does.
    let verdict = d.artifactType === undefined ? 'undecided' : classifySignature(d);
    if (verdict === 'undecided' && reads < MAX_MANIFEST_READS) {
      reads++;
      const candidate = candidateOfManifest((await client.getManifest(repository, d.digest)).bytes);
      verdict = candidate === null ? 'not-a-signature' : classifySignature(candidate);
    }
    return verdict === 'undecided' ? 'not-a-signature' : verdict;
  };
  try {
    for (const digest of [...new Set(digests)]) {
      const { list, where } = await referrersOf(client, repository, digest);
      checked.push(where);
      for (const d of list) {
        const verdict = await verdictOf(d);
        if (verdict !== 'not-a-signature') found.push(`${verdict} signature ${d.digest} (${where})`);
      }
      const sigTag = `${digestTag(digest)}.sig`;
      checked.push(`cosign tag ${sigTag}`);
      if (await tagExists(client, repository, sigTag)) {
        const candidate = candidateOfManifest((await client.getManifest(repository, sigTag)).bytes);
        if (candidate !== null && classifySignature(candidate) === 'cosign') found.push(`cosign signature (tag ${sigTag})`);
      }
    }
  } catch (err) {
    if (!(err instanceof TarsierError)) throw err;
    return { signed: undefined, details: [`signature lookup failed: ${err.message}`] };
  }
  return found.length > 0 ? { signed: true, details: found } : { signed: false, details: checked.map((c) => `no signature in ${c}`) };
}
