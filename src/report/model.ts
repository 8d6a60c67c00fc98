/**
 * The scan report: the stable JSON shape of `tarsier scan --format json` (keys fixed by
 * DESIGN.md), from which the table, SARIF and CycloneDX outputs are derived.
 */
import type { Inventory } from '../analysis/inventory.js';
import type { PackageType } from '../analysis/types.js';
import type { SourceType } from '../image/types.js';

export const SCHEMA_VERSION = 1;

export type Severity = 'critical' | 'high' | 'medium' | 'low';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];
/** Vulnerabilities may lack a rating in every source. */
export type VulnSeverity = Severity | 'unknown';

export interface ReportVulnerability {
  id: string;
  aliases: string[];
  packageName: string;
  /** `os` for findings about the OS release itself (end of life). */
  packageType: PackageType | 'os';
  installedVersion: string;
  fixedVersion: string | null;
  severity: VulnSeverity;
  cvssScore?: number;
  title?: string;
  source: string;
  layerDiffId: string;
  /** Vendor status for unfixed ones: will_not_fix, fix_deferred, end_of_life, affected… */
  status?: string;
  solution?: string;
}

export interface ReportSensitive {
  key: string;
  name: string;
  severity: Severity;
  path: string;
  layerDigest: string;
  md5: string;
  masked: string;
  description: string;
  advice: string;
  line?: number;
  /** false: the file was deleted by a later layer but is still inside the image. */
  visible?: boolean;
}

export interface ReportBaselineRule {
  id: string;
  title: string;
  severity: Severity;
  status: 'passed' | 'failed';
  evidence?: Array<{ file?: string; line?: number; currentValue?: string; suggestedValue?: string }>;
}

export interface ReportBaseline {
  checkName: string;
  standard: string;
  checkType: string;
  checkRuleNum: number;
  failedRuleNum: number;
  /** Highest severity among failed rules; `security` when none failed (HSS's `Security`). */
  severity: Severity | 'security';
  /** What the check type covers and how absent capabilities were judged (HSS `check_type_desc`). */
  checkTypeDesc?: string;
  rules: ReportBaselineRule[];
}

export interface ReportBuildRisk {
  ruleId: string;
  name: string;
  severity: Severity;
  buildInstruction: string;
  remediation: string;
  layerDiffId?: string;
}

export interface ScanReport {
  schemaVersion: number;
  artifact: {
    ref: string;
    type: SourceType;
    digest: string;
    configDigest: string;
    size: number;
    layers: Array<{ digest: string; diffId: string; size: number; createdBy?: string }>;
  };
  os: { family: string; name: string; version: string } | null;
  packages: Array<{ type: PackageType; name: string; version: string; arch?: string; source?: string; layerDiffId: string; path: string; purl: string }>;
  vulnerabilities: ReportVulnerability[];
  sensitive: ReportSensitive[];
  baseline: ReportBaseline[];
  buildRisks: ReportBuildRisk[];
}

export interface Findings {
  vulnerabilities: ReportVulnerability[];
  sensitive: ReportSensitive[];
  baseline: ReportBaseline[];
  buildRisks: ReportBuildRisk[];
}

export function emptyFindings(): Findings {
  return { vulnerabilities: [], sensitive: [], baseline: [], buildRisks: [] };
}

export function buildReport(inv: Inventory, findings: Findings): ScanReport {
  return {
    schemaVersion: SCHEMA_VERSION,
    artifact: {
      ref: inv.artifact.ref,
      type: inv.artifact.type,
      digest: inv.artifact.digest,
      configDigest: inv.artifact.configDigest,
      size: inv.artifact.size,
      layers: inv.artifact.layers.map((l) => ({ digest: l.digest, diffId: l.diffId, size: l.size, ...(l.createdBy ? { createdBy: l.createdBy } : {}) })),
    },
    os: inv.os ? { family: inv.os.family, name: inv.os.name, version: inv.os.version } : null,
    packages: inv.packages.map((p) => ({
      type: p.type,
      name: p.name,
      version: p.version,
      ...(p.arch ? { arch: p.arch } : {}),
      ...(p.source ? { source: p.source } : {}),
      layerDiffId: p.layerDiffId,
      path: p.path,
      purl: p.purl,
    })),
    vulnerabilities: findings.vulnerabilities,
    sensitive: findings.sensitive,
    baseline: findings.baseline,
    buildRisks: findings.buildRisks,
  };
}

/** Keeps only findings at the given severities (Trivy's --severity); baseline keeps failed rules of those severities. */
export function filterBySeverity(report: ScanReport, severities: ReadonlySet<string>): ScanReport {
  return {
    ...report,
    vulnerabilities: report.vulnerabilities.filter((v) => severities.has(v.severity)),
    sensitive: report.sensitive.filter((s) => severities.has(s.severity)),
    buildRisks: report.buildRisks.filter((b) => severities.has(b.severity)),
    baseline: report.baseline.map((b) => {
      const rules = b.rules.filter((r) => r.status === 'passed' || severities.has(r.severity));
      return { ...b, rules, failedRuleNum: rules.filter((r) => r.status === 'failed').length };
    }),
  };
}

/** True when the report holds any finding (failed baseline rule included) — for --exit-code. */
export function hasFindings(report: ScanReport): boolean {
  return (
    report.vulnerabilities.length > 0 ||
    report.sensitive.length > 0 ||
    report.buildRisks.length > 0 ||
    report.baseline.some((b) => b.rules.some((r) => r.status === 'failed'))
  );
}
