/**
 * BCR-021 (image not signed) needs the image source, not the inventory: the registry is asked for
 * cosign/Notation signatures once the other detectors have run. A source that cannot tell (docker
 * archive, a layout without signatures, a failed lookup) adds no finding.
 *
 * This runs on every scan, also one answered from the result cache, so it loads the one rule it
 * needs (rules/signature.ts) rather than the build-rule catalog and its parsers.
 */
import type { Inventory } from '../../analysis/inventory.js';
import type { SignatureLookup } from '../../image/signatures.js';
import type { ImageSource } from '../../image/types.js';
import type { ReportBuildRisk } from '../../report/model.js';
import { signatureRiskReport } from './rules/signature.js';

export async function signatureRisks(source: Pick<ImageSource, 'type' | 'signatures'>, inventory: Inventory, warn?: (message: string) => void): Promise<ReportBuildRisk[]> {
  if (!source.signatures) return [];
  let lookup: SignatureLookup;
  try {
    lookup = await source.signatures();
  } catch (err) {
    warn?.(`image signatures not checked: ${(err as Error).message}`);
    return [];
  }
  // A registry that could not answer is worth a warning; an archive without signatures is the norm.
  if (lookup.signed === undefined && source.type === 'registry') warn?.(`image signatures not checked: ${lookup.details.join('; ')}`);
  return signatureRiskReport(inventory.artifact.digest, { signed: lookup.signed, signatureDetails: lookup.details });
}
