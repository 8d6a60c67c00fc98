/**
 * Human-readable report, fitted to the terminal width (80 columns when not a TTY): a summary,
 * then one table per finding kind. Long cells are cut with `…` rather than wrapped, so each
 * finding stays on one line and the output greps well.
 */
import { formatBytes } from './format-bytes.js';
import type { ScanReport } from './model.js';
import { SEVERITIES } from './model.js';

interface Column {
  header: string;
  /** Share of the leftover width this column may take. */
  grow: number;
  min: number;
}

function cut(text: string, width: number): string {
  if (text.length <= width) return text.padEnd(width);
  return width <= 1 ? text.slice(0, width) : `${text.slice(0, width - 1)}…`;
}

export function renderTable(columns: Column[], rows: string[][], width: number): string {
  const gaps = columns.length - 1;
  const natural = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  const widths = columns.map((c, i) => Math.min(natural[i] as number, c.min));
  let spare = width - gaps - widths.reduce((a, b) => a + b, 0);
  // Hand out spare width by weight until every column is natural or the space is gone.
  while (spare > 0) {
    const hungry = columns.map((c, i) => ({ c, i })).filter(({ i }) => (widths[i] as number) < (natural[i] as number));
    if (hungry.length === 0) break;
    const totalGrow = hungry.reduce((s, { c }) => s + c.grow, 0) || hungry.length;
    let given = 0;
    for (const { c, i } of hungry) {
      const share = Math.max(1, Math.floor((spare * (c.grow || 1)) / totalGrow));
      const add = Math.min(share, (natural[i] as number) - (widths[i] as number), spare - given);
      widths[i] = (widths[i] as number) + add;
      given += add;
      if (given >= spare) break;
    }
    if (given === 0) break;
    spare -= given;
  }
  const line = (cells: string[]) => cells.map((t, i) => cut(t, widths[i] as number)).join(' ').trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join(' ');
  return [line(columns.map((c) => c.header)), rule, ...rows.map(line)].join('\n');
}

function countBySeverity(items: Array<{ severity: string }>): string {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(i.severity, (counts.get(i.severity) ?? 0) + 1);
  const order = [...SEVERITIES, 'unknown'];
  const parts = order.filter((s) => counts.has(s)).map((s) => `${s.toUpperCase()}: ${counts.get(s)}`);
  return parts.length ? `${items.length} (${parts.join(', ')})` : '0';
}

const shortDigest = (d: string) => (d.startsWith('sha256:') ? d.slice(7, 19) : d.slice(0, 12));

export function renderReportTable(r: ScanReport, width = 80): string {
  const out: string[] = [];
  const os = r.os ? `${r.os.name || r.os.family} ${r.os.version}` : 'unknown';
  const byType = new Map<string, number>();
  for (const p of r.packages) byType.set(p.type, (byType.get(p.type) ?? 0) + 1);
  // Header lines are cut to the width too: a long ref or a full digest must not wrap.
  const head = (label: string, value: string) => out.push(cut(`${label.padEnd(11)}${value}`, width).trimEnd());
  head('Image:', r.artifact.ref);
  head('Digest:', r.artifact.digest);
  head('OS:', os);
  head('Layers:', `${r.artifact.layers.length} (${formatBytes(r.artifact.size)} stored)`);
  head('Packages:', `${r.packages.length}${byType.size ? ` (${[...byType].map(([t, n]) => `${t} ${n}`).join(', ')})` : ''}`);
  out.push('');

  out.push(cut(`Vulnerabilities: ${countBySeverity(r.vulnerabilities)}`, width).trimEnd());
  if (r.vulnerabilities.length) {
    out.push(
      renderTable(
        [
          { header: 'ID', grow: 2, min: 14 },
          { header: 'PACKAGE', grow: 2, min: 10 },
          { header: 'INSTALLED', grow: 1, min: 9 },
          { header: 'FIXED', grow: 1, min: 8 },
          { header: 'SEVERITY', grow: 0, min: 8 },
        ],
        r.vulnerabilities.map((v) => [v.id, v.packageName, v.installedVersion, v.fixedVersion ?? (v.status ? `(${v.status})` : '-'), v.severity.toUpperCase()]),
        width,
      ),
    );
  }
  out.push('');
  out.push(cut(`Sensitive information: ${countBySeverity(r.sensitive)}`, width).trimEnd());
  if (r.sensitive.length) {
    out.push(
      renderTable(
        [
          { header: 'SEVERITY', grow: 0, min: 8 },
          { header: 'TYPE', grow: 1, min: 12 },
          { header: 'PATH', grow: 3, min: 16 },
          { header: 'LAYER', grow: 0, min: 12 },
          { header: 'CONTENT', grow: 1, min: 10 },
        ],
        r.sensitive.map((s) => [s.severity.toUpperCase(), s.key, `${s.path.startsWith('config:') || s.path.startsWith('history[') ? s.path : `/${s.path}`}${s.line ? `:${s.line}` : ''}${s.visible === false ? ' (deleted)' : ''}`, shortDigest(s.layerDigest), s.masked]),
        width,
      ),
    );
  }
  out.push('');
  const failedBaseline = r.baseline.reduce((n, b) => n + b.failedRuleNum, 0);
  out.push(`Baseline configuration: ${r.baseline.length ? `${failedBaseline} failed of ${r.baseline.reduce((n, b) => n + b.checkRuleNum, 0)} checks` : 'no applicable checks'}`);
  if (r.baseline.length) {
    out.push(
      renderTable(
        [
          { header: 'CHECK', grow: 1, min: 10 },
          { header: 'TYPE', grow: 1, min: 8 },
          { header: 'STANDARD', grow: 0, min: 11 },
          { header: 'FAILED', grow: 0, min: 6 },
          { header: 'SEVERITY', grow: 0, min: 8 },
        ],
        r.baseline.map((b) => [b.checkName, b.checkType, b.standard, `${b.failedRuleNum}/${b.checkRuleNum}`, b.severity.toUpperCase()]),
        width,
      ),
    );
  }
  out.push('');
  out.push(cut(`Build-command risks: ${countBySeverity(r.buildRisks)}`, width).trimEnd());
  if (r.buildRisks.length) {
    out.push(
      renderTable(
        [
          { header: 'SEVERITY', grow: 0, min: 8 },
          { header: 'RULE', grow: 1, min: 10 },
          { header: 'INSTRUCTION', grow: 3, min: 20 },
        ],
        r.buildRisks.map((b) => [b.severity.toUpperCase(), `${b.ruleId} ${b.name}`, b.buildInstruction]),
        width,
      ),
    );
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
