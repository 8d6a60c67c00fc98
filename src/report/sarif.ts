/**
 * SARIF 2.1.0 for code-scanning dashboards (GitHub, GitLab, Azure DevOps). One rule per finding
 * type (vulnerability id, sensitive key, baseline rule, build rule); locations are paths inside
 * the image, so `uri` is the in-image path and the image is named in the run's properties.
 */
import type { ScanReport, VulnSeverity } from './model.js';
import { TOOL_NAME, TOOL_URI, toolVersion } from './tool.js';

type Level = 'error' | 'warning' | 'note';

function level(sev: VulnSeverity): Level {
  return sev === 'critical' || sev === 'high' ? 'error' : sev === 'medium' ? 'warning' : 'note';
}

/** GitHub sorts by `security-severity` (a CVSS-like number as a string). */
function securitySeverity(sev: VulnSeverity, cvss?: number): string {
  if (cvss !== undefined) return cvss.toFixed(1);
  return { critical: '9.5', high: '8.0', medium: '5.5', low: '2.0', unknown: '0.0' }[sev];
}

interface Rule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription?: { text: string };
  help?: { text: string };
  properties: { tags: string[]; 'security-severity': string };
}

interface Result {
  ruleId: string;
  level: Level;
  message: { text: string };
  locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }>;
  partialFingerprints?: Record<string, string>;
}

export function toSarif(r: ScanReport): object {
  const rules = new Map<string, Rule>();
  const results: Result[] = [];
  const loc = (path: string, line?: number): Result['locations'] => [
    { physicalLocation: { artifactLocation: { uri: path.replace(/^\/+/, '') }, ...(line ? { region: { startLine: line } } : {}) } },
  ];
  const addRule = (rule: Rule) => {
    if (!rules.has(rule.id)) rules.set(rule.id, rule);
  };

  for (const v of r.vulnerabilities) {
    addRule({
      id: v.id,
      name: 'OsPackageVulnerability',
      shortDescription: { text: v.title ?? v.id },
      ...(v.solution ? { help: { text: v.solution } } : {}),
      properties: { tags: ['vulnerability', 'security', v.severity], 'security-severity': securitySeverity(v.severity, v.cvssScore) },
    });
    const pkg = r.packages.find((p) => p.name === v.packageName && p.version === v.installedVersion);
    results.push({
      ruleId: v.id,
      level: level(v.severity),
      message: { text: `${v.packageName} ${v.installedVersion}: ${v.id} (${v.severity})${v.fixedVersion ? `, fixed in ${v.fixedVersion}` : ', no fix available'}` },
      locations: loc(pkg?.path ?? r.artifact.ref),
    });
  }
  for (const s of r.sensitive) {
    const id = `sensitive/${s.key}`;
    addRule({
      id,
      name: s.name,
      shortDescription: { text: s.name },
      fullDescription: { text: s.description },
      help: { text: s.advice },
      properties: { tags: ['secret', 'security', s.severity], 'security-severity': securitySeverity(s.severity) },
    });
    results.push({
      ruleId: id,
      level: level(s.severity),
      message: { text: `${s.name} in /${s.path} (layer ${s.layerDigest.slice(7, 19)}): ${s.masked}` },
      locations: loc(s.path, s.line),
      partialFingerprints: { md5: s.md5 },
    });
  }
  for (const b of r.baseline) {
    for (const rule of b.rules.filter((x) => x.status === 'failed')) {
      const id = `baseline/${rule.id}`;
      addRule({
        id,
        name: rule.title,
        shortDescription: { text: rule.title },
        properties: { tags: ['baseline', b.standard, b.checkName, rule.severity], 'security-severity': securitySeverity(rule.severity) },
      });
      const ev = rule.evidence?.[0];
      results.push({
        ruleId: id,
        level: level(rule.severity),
        message: { text: `${b.checkName} ${b.checkType} (${b.standard}): ${rule.title}${ev?.currentValue !== undefined ? ` — current ${ev.currentValue}, expected ${ev.suggestedValue ?? '?'}` : ''}` },
        locations: loc(ev?.file ?? 'etc', ev?.line),
      });
    }
  }
  for (const b of r.buildRisks) {
    const id = `build/${b.ruleId}`;
    addRule({
      id,
      name: b.name,
      shortDescription: { text: b.name },
      help: { text: b.remediation },
      properties: { tags: ['build', 'security', b.severity], 'security-severity': securitySeverity(b.severity) },
    });
    results.push({ ruleId: id, level: level(b.severity), message: { text: `${b.name}: ${b.buildInstruction}` }, locations: loc('Dockerfile') });
  }

  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: TOOL_NAME, version: toolVersion(), informationUri: TOOL_URI, rules: [...rules.values()] } },
        results,
        properties: { imageRef: r.artifact.ref, imageDigest: r.artifact.digest },
      },
    ],
  };
}
