/** Shapes of the build-command risk detector. */
import type { Inventory } from '../../analysis/inventory.js';
import type { MergedFilesystem } from '../../analysis/merged-fs.js';
import type { ImageConfig } from '../../image/types.js';
import type { Severity } from '../../report/model.js';
import type { BuildStep } from './history.js';

export interface BuildRiskOptions {
  /**
   * Whether a signature was found for the image digest (cosign, OCI referrers, Notary). Only the
   * registry side can tell; when undefined, BCR-021 is not evaluated.
   */
  signed?: boolean;
  /** What the signature lookup checked (when unsigned) or found, for BCR-021's evidence. */
  signatureDetails?: string[];
  /** The reference the image was scanned by, for the `latest` check (defaults to the inventory's registry ref). */
  reference?: string;
}

export interface BuildContext {
  inventory: Inventory;
  steps: BuildStep[];
  /** `config.config` of the image (empty object when absent). */
  config: NonNullable<ImageConfig['config']>;
  fs: MergedFilesystem;
  options: BuildRiskOptions;
  /** The step that created a layer, by diff ID. */
  stepOfLayer(diffId: string): BuildStep | null;
  /** UID for a user name or number, from the image's /etc/passwd; null when unknown. */
  uidOf(user: string): number | null;
}

/** One thing a rule found. */
export interface Hit {
  /** The history step it came from, or null for config- and file-level findings. */
  step: BuildStep | null;
  /** Instruction text to show (before masking); defaults to the step's text, or `--`. */
  instruction?: string;
  /** Part of the instruction that triggered the rule (kept visible when shortening). */
  fragment?: string;
  /** What was seen: file paths, package names, variable names (masked). */
  evidence: string[];
  severity?: Severity;
}

export interface BuildRule {
  id: string;
  name: string;
  severity: Severity;
  /** Peer rule ids (Dockle, hadolint, Trivy, CIS Docker) for cross-reference. */
  references: string[];
  description: string;
  remediation: string;
  evaluate(ctx: BuildContext): Hit[];
}

export interface BuildRiskFinding {
  ruleId: string;
  name: string;
  severity: Severity;
  /** Normalised, masked, <= 256 characters; `--` for config-level findings. */
  buildInstruction: string;
  remediation: string;
  description: string;
  references: string[];
  /** Position in config.history, when the finding maps to a history entry. */
  historyIndex: number | null;
  /** The layer the instruction produced (null for metadata steps or unaligned history). */
  layerDiffId: string | null;
  /** The step belongs to the base image. */
  inherited: boolean;
  evidence: string[];
}

export interface BuildRiskResult {
  findings: BuildRiskFinding[];
  /** Rules not evaluated, with the reason (e.g. BCR-021 without registry signature data). */
  skipped: Array<{ ruleId: string; reason: string }>;
}
