/**
 * BCR-021 (image not signed), on its own: the scan pipeline evaluates it on every scan, also one
 * answered from the result cache, so it must not pull in the other rules and their parsers.
 * Only type imports here.
 */
import type { ReportBuildRisk } from '../../../report/model.js';
import type { BuildRiskOptions, BuildRule, Hit } from '../types.js';

const META = {
  id: 'BCR-021',
  name: 'Image not signed / content trust not used',
  severity: 'low' as const,
  references: ['CIS-DI-0005', 'CIS Docker 4.5'] as string[],
  description:
    'No signature was found for the image digest in the registry (OCI 1.1 referrers or the referrers tag, and the cosign `sha256-<digest>.sig` tag; cosign and Notation signatures count, attestations do not). Evaluated only when the lookup could answer: a registry answer is authoritative; an archive or OCI layout without a signature, or a lookup that failed, leaves the rule unevaluated rather than claiming the image unsigned.',
  remediation: 'Sign images in CI (cosign/Notation) and enforce verification at admission.',
};

/** The rule's hits: one config-level hit when the lookup answered "not signed". */
function unsignedHits(imageDigest: string, options: BuildRiskOptions): Hit[] {
  if (options.signed !== false) return [];
  return [{ step: null, instruction: '--', evidence: [`no signature for ${imageDigest}`, ...(options.signatureDetails ?? [])] }];
}

export const bcr021: BuildRule = {
  ...META,
  evaluate: (ctx) => unsignedHits(ctx.inventory.artifact.digest, ctx.options),
};

/**
 * The report item BCR-021 gives for this lookup, without building a rule context: the hit is
 * config-level (`--`, no layer), so it is the rule's own name, severity and remediation.
 */
export function signatureRiskReport(imageDigest: string, options: BuildRiskOptions): ReportBuildRisk[] {
  return unsignedHits(imageDigest, options).map(() => ({ ruleId: META.id, name: META.name, severity: META.severity, buildInstruction: '--', remediation: META.remediation }));
}
